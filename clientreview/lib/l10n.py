"""Money and chart months as each of the app's languages writes them (Babel, from CLDR).

Dates in sentences use Django's named formats (DATE_FORMAT and friends, with the project's
own in clientreview/formats/ where Django's do not fit); Django has no currency formatting
and no "short month and year" in each language's order, which is what this adds.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_currency, get_currency_precision
from django.conf import settings
from django.utils.translation import get_language, to_locale

# CLDR's currency spacing, which Babel leaves out: a symbol made of letters ("ISK", "kr")
# is kept apart from the digits by a no-break space ("ISK\xa013"); "$" or "€" is not.
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def babel_locale(language: str | None = None) -> Locale:
    """The Babel locale of `language`, else of the active language."""
    return Locale.parse(to_locale(language or get_language() or settings.LANGUAGE_CODE))


def format_money(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """An amount with its currency placed and separated as the language writes it:
    en "€1,234.50", hr "1.234,50 €", ru "1 234,50 €" (no-break spaces). Cents only where
    there are any ("€12,000"); currencies without minor units are rounded half up."""
    locale = babel_locale(language)
    digits = get_currency_precision(currency) if currency else 2
    step = Decimal(1).scaleb(-digits)
    rounded = Decimal(amount).quantize(step, rounding=ROUND_HALF_UP)
    if not currency:  # never expected, but a blank currency must still show the number
        return format_currency(rounded, "XXX", locale=locale).replace("XXX", "").strip()
    pattern = copy.copy(locale.currency_formats["standard"])
    if rounded == rounded.to_integral_value():
        pattern.frac_prec = (0, 0)
    else:
        pattern.frac_prec = (digits, digits)
    text = format_currency(rounded, currency, format=pattern, locale=locale, currency_digits=False)
    return _LETTER_THEN_DIGIT.sub("\xa0", text)


def month_label(month: date, *, language: str | None = None) -> str:
    """A chart's month: "Dec 2026", "2026년 12월", "дек. 2026 г."."""
    return format_skeleton("yMMM", month, locale=babel_locale(language))
