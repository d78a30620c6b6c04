"""The bad-input corpus: what people type, paste and tamper with, by kind of field."""

from __future__ import annotations

from django import forms

MEGABYTE = "x" * 1_000_000
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never come back as live markup.
LIVE_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")

# Every field gets these, whatever it is.
UNIVERSAL: dict[str, str] = {
    "empty": "",
    "nul": "before\x00after",
    "script": SCRIPT,
    "img": IMG,
    "sql": "'; DROP TABLE assessments_client; --",
    # Greek, Cyrillic, Korean and emoji (outside the Basic Multilingual Plane) together.
    "scripts": "Καλημέρα Иван Петров 고객이 소리를 질렀습니다 😡🔥👍🏽🧾",
}
# Fields that take text also get these.
TEXT: dict[str, str] = {
    "megabyte": MEGABYTE,
    "rtl": "العميل صرخ على الموظفين · הלקוח צעק על הצוות",
    "rtl_override": "\u202etxt.exe",
    "only_spaces": "   ",
    "control": "tab\tbell\x07escape\x1b",
    "off_site": "//evil.example/next",
}
NUMBERS: dict[str, str] = {
    "negative": "-5",
    "zero": "0",
    "exp_huge": "1e20",
    "huge_int": "99999999999999999999",
    "over_int32": "2147483648",
    "over_int64": "9223372036854775808",
    "nan": "NaN",
    "infinity": "Infinity",
    "minus_infinity": "-Infinity",
    "decimal_comma": "1,5",
    "double_minus": "--1",
    "many_places": "0.001",
    "minus_zero": "-0",
}
DATES: dict[str, str] = {
    "feb_30": "2026-02-30",
    "year_0": "0000-01-01",
    "year_1": "0001-01-01",
    "year_9999": "9999-12-31",
    "year_99999": "99999-01-01",
    "word": "yesterday",
    "day_first": "30/02/2026",
}
DATETIMES: dict[str, str] = {
    **DATES,
    "dt_min": "0001-01-01T00:00",
    "dt_max": "9999-12-31T23:59",
    "dt_feb_30": "2026-02-30T10:00",
    "dt_hour_25": "2026-01-10T25:00",
}
TIMES: dict[str, str] = {"hour_25": "25:00", "hour_24": "24:00", "minus": "-01:00", "word": "noon"}
IDS: dict[str, str] = {
    "negative": "-1",
    "zero": "0",
    "huge_int": "99999999999999999999",
    "over_int64": "9223372036854775808",
    "decimal_comma": "1,5",
    "word": "abc",
    # "²".isdigit() is True, but int("²") fails; int("٣") is 3.
    "superscript": "²",
    "arabic_digit": "٣",
}


def values_for(form_field: forms.Field | None) -> dict[str, str]:
    """The corpus for one field, by its kind; fields a form adds itself get text."""
    values = dict(UNIVERSAL)
    if isinstance(form_field, forms.SplitDateTimeField | forms.DateTimeField):
        values.update(DATETIMES)
    elif isinstance(form_field, forms.DateField):
        values.update(DATES)
    elif isinstance(form_field, forms.TimeField):
        values.update(TIMES)
    elif isinstance(form_field, forms.DecimalField | forms.IntegerField | forms.FloatField):
        values.update(NUMBERS)
        values["megabyte"] = MEGABYTE
    elif isinstance(form_field, forms.ModelChoiceField):
        values.update(IDS)
    elif isinstance(form_field, forms.ChoiceField | forms.BooleanField):
        values.update({"number": "1", "negative": "-1"})
    else:
        values.update(TEXT)
    max_length = getattr(form_field, "max_length", None)
    if max_length:
        values["over_max"] = "a" * (max_length + 1)
        values["at_max_korean"] = ("고" * max_length)[:max_length]
    return values
