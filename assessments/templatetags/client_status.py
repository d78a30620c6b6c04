"""`{{ client|status_badge }}`: a client's status as a badge.

A filter rather than an included template: the client search lists twenty of them and
the portfolio and client list a page each, and an `{% include %}` per row cost more than
the row (issue 6).
"""

from __future__ import annotations

from typing import Protocol

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


class HasStatus(Protocol):
    status: str

    def get_status_display(self) -> str: ...


@register.filter
def status_badge(client: HasStatus) -> SafeString:
    return format_html(
        '<span class="badge client-status status-{}">{}</span>',
        client.status,
        client.get_status_display(),
    )
