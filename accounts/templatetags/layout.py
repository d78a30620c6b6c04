"""`{% per_visitor %}…{% end_per_visitor %}`: a part of the layout drawn once per visitor.

The navigation bar shows only who the visitor is: their name, their businesses and roles,
which business is current, in their language. Once drawn, it is kept in this process
under exactly those facts (`accounts.visitor.shown`), the language, the page's template
and the URL prefix, so a kept copy can never be out of date: any change to what it shows
is another key. Its forms get the CSRF token the page around them is drawn with.
Anonymous visitors' pages are drawn as usual.

Every page pays for its navigation: a dozen URL reversals, translations and tests, about
a tenth of the incident form's time (issue 6).
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from accounts import visitor
from clientreview.lib.lru import Lru

register = template.Library()

KEPT = 2000  # entries per process, about 3 KB each


kept: Lru[tuple, str] = Lru(KEPT)


class PerVisitorNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        request = context.get("request")
        user = getattr(request, "user", None)
        # Anonymous, or signed in without a business yet: drawn as usual.
        if not getattr(user, "is_authenticated", False) or not getattr(request, "membership", None):
            return self.nodelist.render(context)
        key = (
            context.template.name,
            translation.get_language(),
            get_script_prefix(),
            *visitor.shown(request),
        )
        html = kept.get(key)
        if html is None:
            with context.push(csrf_token=visitor.CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            kept.put(key, html)
        # The token the page around it is drawn with: this request's, or, inside a page
        # being kept whole (`portfolio_cache.whole_page`), the placeholder again.
        token = CsrfTokenNode().render(context)
        return mark_safe(visitor.with_csrf_input(html, token))  # noqa: S308 - rendered template output


@register.tag
def per_visitor(parser: template.base.Parser, token: template.base.Token) -> PerVisitorNode:
    nodelist = parser.parse(("end_per_visitor",))
    parser.delete_first_token()
    return PerVisitorNode(nodelist)
