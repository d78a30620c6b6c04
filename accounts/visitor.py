"""What the layout shows about a visitor, as a cache key; each visitor's CSRF token in
markup that was drawn once and is served many times."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from django.middleware.csrf import get_token

# Django's {% csrf_token %} markup. Autoescaping means nothing a user typed can produce
# it, so a kept copy holds a placeholder in it and each request puts its own token.
CSRF_INPUT = '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
CSRF_PLACEHOLDER = "csrf-token-set-per-request"


def shown(request: HttpRequest) -> list[object]:
    """The user and a digest of everything `base.html` shows about them: their name, the
    current membership, and each membership's business and role."""
    user = request.user
    facts = [user.get_short_name(), request.membership.pk]
    for m in request.memberships:
        facts += [m.pk, m.business_id, m.business.name, m.role]
    return [user.pk, hashlib.sha256(repr(facts).encode()).hexdigest()[:32]]


def with_csrf_token(request: HttpRequest, html: str) -> str:
    """`html`, drawn with `CSRF_PLACEHOLDER` as its token, with this request's token."""
    return with_csrf_input(html, CSRF_INPUT.format(get_token(request)))


def with_csrf_input(html: str, markup: str) -> str:
    """`html`, drawn with `CSRF_PLACEHOLDER` as its token, with `markup` for each token."""
    return html.replace(CSRF_INPUT.format(CSRF_PLACEHOLDER), markup)
