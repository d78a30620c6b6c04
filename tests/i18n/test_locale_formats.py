"""Dates, money and chart months as each of the six languages writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format

from assessments import charts
from clientreview.lib.l10n import format_money, month_label

NBSP = "\xa0"
DAY = date(2026, 12, 7)

# language: (DATE_FORMAT, money for 1234.50 EUR, chart month of December 2026)
EXPECTED = {
    "en": ("7 December 2026", "€1,234.50", "Dec 2026"),
    "el": ("7 Δεκεμβρίου 2026", f"1.234,50{NBSP}€", "Δεκ 2026"),
    "ko": ("2026년 12월 7일", "€1,234.50", "2026년 12월"),
    "ru": ("7 декабря 2026 г.", f"1{NBSP}234,50{NBSP}€", f"дек. 2026{chr(0x202F)}г."),
    "is": ("7. desember 2026", f"1.234,50{NBSP}EUR", "des. 2026"),
    "hr": ("7. prosinca 2026.", f"1.234,50{NBSP}€", "pro 2026."),
}


def test_every_language_of_the_app_is_covered():
    from django.conf import settings

    assert set(EXPECTED) == {code for code, _name in settings.LANGUAGES}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_date_in_a_sentence(language):
    with translation.override(language):
        assert date_format(DAY, "DATE_FORMAT") == EXPECTED[language][0]
        shown = Template('{{ day|date:"DATE_FORMAT" }}').render(Context({"day": DAY}))
    assert shown == EXPECTED[language][0]


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_an_amount(language):
    with translation.override(language):
        assert format_money(Decimal("1234.50"), "EUR") == EXPECTED[language][1]
        shown = Template("{% load money %}{{ amount|money:'EUR' }}").render(
            Context({"amount": Decimal("1234.50")})
        )
    assert shown == EXPECTED[language][1]


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_a_chart_month(language):
    with translation.override(language):
        assert month_label(DAY) == EXPECTED[language][2]


@pytest.mark.parametrize(
    ("amount", "currency", "language", "shown"),
    [
        ("12000.00", "EUR", "en", "€12,000"),  # no cents when there are none
        ("12000.00", "EUR", "ru", f"12{NBSP}000{NBSP}€"),
        ("1500000", "KRW", "ko", "₩1,500,000"),
        ("99.50", "ISK", "is", f"100{NBSP}kr."),  # no minor units: rounded half up
        ("99.50", "ISK", "en", f"ISK{NBSP}100"),  # letters kept apart from the digits
        ("-250.00", "USD", "en", "-$250"),
        ("-1234.5", "EUR", "hr", f"-1.234,50{NBSP}€"),
        ("0.5", "GBP", "el", f"0,50{NBSP}£"),
    ],
)
def test_money_cases(amount, currency, language, shown):
    assert format_money(Decimal(amount), currency, language=language) == shown


def test_the_money_filter_leaves_no_amount_blank_and_text_as_it_is():
    template = Template("{% load money %}[{{ a|money:'EUR' }}]")
    assert template.render(Context({"a": None})) == "[]"
    assert template.render(Context({"a": "n/a"})) == "[n/a]"


@pytest.mark.parametrize(
    ("language", "short", "with_time"),
    [
        ("en", "7 Dec 2026", "7 Dec 2026, 14:30"),
        ("el", "07/12/2026", "07/12/2026 14:30"),
        ("ko", "2026. 12. 7.", "2026. 12. 7. 14:30"),
        ("ru", "07.12.2026", "07.12.2026 14:30"),
        ("is", "7.12.2026", "7.12.2026, 14:30"),
        ("hr", "7.12.2026.", "7.12.2026. 14:30"),
    ],
)
def test_short_dates_and_times(language, short, with_time):
    moment = datetime(2026, 12, 7, 14, 30)
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == with_time


def test_a_chart_writes_its_currency_as_the_language_does():
    with translation.override("hr"):
        svg = charts.bar_chart(
            [("Acme", Decimal("1234.50"))],
            title="t",
            x_label="x",
            y_label="y",
            money=True,
            currency="EUR",
        )
    assert f"1.234,50{NBSP}€" in svg
