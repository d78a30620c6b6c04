"""Reading one imported cell: an amount, a date or a yes/no word, as people's software writes it.

Amounts: the decimal mark is read from the file as a whole (`decimal_mark()`): a value
that shows it (`1.234,50`, `1234,5`, `12.50`, `1 234,50`) decides it for the others. A
value that does not (`1.234`, `1,234`) is read in the user's language when that gives a
sum of money, and refused as ambiguous when it does not; a file that writes decimals
both ways is refused rather than half-guessed. Babel's `parse_decimal` reads the
checked text in a locale that writes that mark.

Dates: each value is matched against the formats of the six languages (ISO, `15.02.2025.`,
`15.02.2025`, `15/02/2025`, `2025. 2. 15.`, `2025년 2월 15일`); day-first throughout, and a
value that only makes sense month-first, or has a two-digit year, is refused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, get_decimal_symbol, get_group_symbol, parse_decimal
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from assessments.models.money import MAX_AMOUNT
from clientreview.lib.text import fold as fold_text

POINT, COMMA = ".", ","
# Characters that only ever group thousands: spaces (plain, no-break, narrow, thin) and the
# Swiss apostrophe.
GROUP_SPACES = " \u00a0\u202f\u2009'’"
_CURRENCY = re.compile(
    r"^(?:[A-Z]{3}|[€$£¥₩₽]|kr\.?|Fr\.?|kn)\s*|\s*(?:[A-Z]{3}|[€$£¥₩₽]|kr\.?|kn|руб\.?|원)$"
)
_SPACE_GROUPED = re.compile(r"^\d{1,3}(?:[" + GROUP_SPACES + r"]\d{3})+(?:[.,]\d+)?$")
_DIGITS_AND_MARKS = re.compile(r"^[\d.,]+$")
# A locale that writes each decimal mark, for Babel when the user's own does not.
_REFERENCE_LOCALE = {POINT: "en", COMMA: "hr"}


@dataclass(frozen=True)
class Shape:
    """What one amount's text shows about the file's decimal mark."""

    digits: str  # the text with spaces and currency removed
    mark: str | None  # the decimal mark it proves, if any
    ambiguous: bool  # one mark followed by exactly three digits: 1.234 or 1,234


@dataclass(frozen=True)
class DecimalMark:
    mark: str | None  # POINT, COMMA, or None when the file shows neither
    from_file: bool
    mixed: bool  # the file writes decimals both ways

    @property
    def example(self) -> str:
        if self.mark == COMMA:
            return "1.234,50"
        if self.mark == POINT:
            return "1,234.50"
        return "1234"


def _clean(text: str) -> tuple[str, bool]:
    """The amount without currency and sign; and whether it was negative."""
    cleaned = _CURRENCY.sub("", text.strip()).strip()
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    return cleaned.strip("-() "), negative


def shape(text: str) -> Shape | None:
    """The amount's digits and what they show; None when it is not a number at all."""
    cleaned, _negative = _clean(text)
    if any(ch in GROUP_SPACES for ch in cleaned):
        if not _SPACE_GROUPED.match(cleaned):
            return None
        cleaned = "".join(ch for ch in cleaned if ch not in GROUP_SPACES)
        return Shape(cleaned, next((ch for ch in cleaned if ch in ".,"), None), False)
    if not cleaned or not _DIGITS_AND_MARKS.match(cleaned) or not cleaned[0].isdigit():
        return None
    marks = [ch for ch in cleaned if ch in ".,"]
    if not marks:
        return Shape(cleaned, None, False)
    if len(set(marks)) == 2:
        return Shape(cleaned, marks[-1], False)  # the last one is the decimal mark
    if len(marks) > 1:
        return Shape(cleaned, COMMA if marks[0] == POINT else POINT, False)  # 1.234.567
    decimals = len(cleaned) - cleaned.index(marks[0]) - 1
    if decimals == 3 and cleaned[0] != "0":
        return Shape(cleaned, None, True)
    return Shape(cleaned, marks[0], False)


def _locale(language: str | None) -> str:
    """A Babel locale for a Django language code ("en", "pt-br" -> "pt_BR")."""
    code = to_locale(language or "en")
    try:
        Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return "en"
    return code


def language_mark(language: str | None) -> str:
    symbol = get_decimal_symbol(_locale(language))
    return COMMA if symbol == COMMA else POINT


def decimal_mark(texts: Iterable[str]) -> DecimalMark:
    """The decimal mark the file's amounts show, voting over every value that shows one."""
    shapes = [s for s in map(shape, texts) if s is not None and s.mark]
    # A value with three decimals or more is refused on its own line and proves nothing.
    votes = Counter(s.mark for s in shapes if len(s.digits.rpartition(s.mark)[2]) <= 2)
    if len(votes) > 1:
        return DecimalMark(None, from_file=True, mixed=True)
    if votes:
        return DecimalMark(next(iter(votes)), from_file=True, mixed=False)
    return DecimalMark(None, from_file=False, mixed=False)


def parse_amount(
    text: str, mark: DecimalMark | str = POINT, language: str | None = "en"
) -> Decimal:
    """The amount in `text`, read with the file's decimal mark; ValueError with a message."""
    if isinstance(mark, str):
        mark = DecimalMark(mark, from_file=True, mixed=False)
    quoted = {"text": text[:40]}
    found = shape(text)
    if found is None:
        raise ValueError(
            _("“%(text)s” is not an amount (write it as 1234.50 or 1.234,50).") % quoted
        )
    _digits, negative = _clean(text)
    contradicts = bool(mark.mark and found.mark and found.mark != mark.mark)
    if contradicts or (mark.mixed and (found.mark or found.ambiguous)):
        raise ValueError(
            _(
                "The file writes decimals both with a point and with a comma (1,234.50 and "
                "1.234,50): export it again with one of them."
            )
        )
    decimal = found.mark or mark.mark
    if decimal is None and found.ambiguous:
        # Nothing in the file says which mark is decimal: the user's language decides, when
        # its reading is a sum of money (two decimals at most).
        decimal = language_mark(language)
        if found.digits[-4] == decimal:
            raise ValueError(
                _(
                    "“%(text)s” could be read two ways (thousands or decimals): write it "
                    "with its cents, as %(example)s."
                )
                % {**quoted, "example": "1.234,00" if decimal == POINT else "1,234.00"}
            )
    decimal = decimal or POINT
    own = _locale(language)
    locale = own if language_mark(own) == decimal else _REFERENCE_LOCALE[decimal]
    try:
        value = parse_decimal(
            _babel_text(found.digits, decimal, locale), locale=locale, strict=True
        )
    except NumberFormatError:
        raise ValueError(
            _("“%(text)s” is not an amount (write it as 1234.50 or 1.234,50).") % quoted
        ) from None
    if -value.as_tuple().exponent > 2:  # type: ignore[operator]
        raise ValueError(_("“%(text)s” has more than two decimals.") % quoted)
    if negative or value <= 0:
        raise ValueError(_("The amount must be more than 0."))
    if value > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return value


def _babel_text(digits: str, decimal: str, locale: str) -> str:
    """The digits as `locale` writes them, so that strict parsing checks the grouping."""
    group = COMMA if decimal == POINT else POINT
    whole, _sep, cents = digits.partition(decimal)
    if group in cents:
        return "x"  # a group mark after the decimal mark: never a number
    whole = whole.replace(group, get_group_symbol(locale))
    symbol_decimal = get_decimal_symbol(locale)
    return whole + (symbol_decimal + cents if _sep else "")


# --- Dates ------------------------------------------------------------------------------

_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
DATE_FORMATS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # (label shown in the preview, pattern, order of the groups)
    ("YYYY-MM-DD", re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd"),
    ("DD.MM.YYYY.", re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\.$"), "dmy"),
    ("DD.MM.YYYY", re.compile(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})$"), "dmy"),
    ("DD/MM/YYYY", re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),
    ("DD-MM-YYYY", re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$"), "dmy"),
    ("YYYY. M. D.", re.compile(r"^(\d{4})\.\s*(\d{1,2})\.\s*(\d{1,2})\.?$"), "ymd"),
    ("YYYY/MM/DD", re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"), "ymd"),
    ("YYYY년 M월 D일", re.compile(r"^(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일$"), "ymd"),
)
_SHORT_YEAR = re.compile(r"^(\d{1,2})[./-]\s?(\d{1,2})[./-]\s?(\d{2})\.?$")


def parse_date(text: str) -> tuple[date, str]:
    """The date in `text` and the label of the format it was written in; ValueError otherwise."""
    text = " ".join(text.split())
    quoted = {"text": text[:40]}
    bare = _TIME.sub("", text) if len(text) > 10 else text
    for name, pattern, order in DATE_FORMATS:
        if match := pattern.match(bare):
            label = name
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            break
    else:
        if _SHORT_YEAR.match(text):
            raise ValueError(
                _("“%(text)s” has a two-digit year: write the year in full (15.02.2025).") % quoted
            )
        raise ValueError(
            _("“%(text)s” is not a date (write it as 2025-02-15 or 15.02.2025).") % quoted
        )
    if order == "dmy" and parts["m"] > 12 and parts["d"] <= 12:
        raise ValueError(
            _(
                "“%(text)s” puts the month first: this import reads the day first "
                "(15/02/2025) or the year first (2025-02-15)."
            )
            % quoted
        )
    try:
        return date(parts["y"], parts["m"], parts["d"]), label
    except ValueError:
        raise ValueError(_("“%(text)s” is not a real date.") % quoted) from None


# --- Yes and no -------------------------------------------------------------------------


def fold(word: str) -> str:
    """Lower case without accents: "ΝΑΙ", "ναί" and "ναι" are one word (as search folds)."""
    return fold_text(word.strip())


# English, Greek, Korean, Russian, Icelandic, Croatian; compared without case or accents.
TRUE_WORDS = frozenset(
    fold(w)
    for w in ("yes", "y", "true", "t", "1", "x", "ναι", "예", "네", "да", "já", "da")
    + ("αληθές", "참", "истина", "satt", "istina")
)
FALSE_WORDS = frozenset(
    fold(w)
    for w in ("no", "n", "false", "f", "0", "", "όχι", "아니요", "아니오", "нет", "nei", "ne")
    + ("ψευδές", "거짓", "ложь", "ósatt", "laž")
)


def parse_yes_no(text: str) -> bool | None:
    """True or False for a yes/no word in any of the six languages; None for anything else."""
    word = fold(text)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None
