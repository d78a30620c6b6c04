"""`{{ amount|money:currency }}`: an amount as the page's language writes it ("€1,234.50",
"1.234,50 €", "1 234,50 €")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from clientreview.lib import l10n

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return l10n.format_money(value, str(currency or ""))
