"""Reading a CSV or Excel file of clients and invoices, as an accounting package exports it.

`read_upload()` turns the uploaded bytes into rows of raw text keyed by our column
names, with what was detected (encoding, delimiter or sheet), or a message for the
whole file (empty, binary, garbled, too big, no header we know); `import_files` reads
the bytes and `import_values` the amounts, dates and yes/no words. `check_rows()` gives
every row its values or its errors, against the file itself (a number twice) and the
database (a number already used, an offboarded client). The preview shows the result;
nothing is written until every row is valid. The confirm step sends the raw rows back
signed and runs `check_rows()` again, because the database may have changed in between.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Business
from assessments.forms.import_files import ENCODINGS, ImportFileError, read_table
from assessments.forms.import_values import (
    COMMA,
    POINT,
    DecimalMark,
    decimal_mark,
    fold,
    parse_amount,
    parse_date,
    parse_yes_no,
)
from assessments.forms.import_words import ALIASES, EXPENSE, INVOICE, TYPE_WORDS
from assessments.forms.money import check_date, invoice_date_errors
from assessments.models import Client, Expense, Invoice

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 1000
SIGNING_SALT = "assessments.import.v2"
SIGNED_MAX_AGE = 60 * 60  # an hour between preview and confirm

FIELDS = ("client", "number", "issued", "due", "amount", "paid", "disputed", "type", "note")
# An invoice row also needs its number; an expense row (type "expense") does not.
REQUIRED = ("client", "issued", "amount")
ACCEPT = (
    ".csv,.txt,.xlsx,text/csv,text/plain,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or Excel file"),
        help_text=gettext_lazy(
            "Columns: client, number, issued, due, amount, paid on, disputed. CSV in any "
            "encoding, or Excel .xlsx (first sheet). At most 2 MB and 5,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"),
        required=False,
        choices=[("", gettext_lazy("Detect automatically"))]
        + [(codec, name) for codec, name in ENCODINGS.items() if codec != "utf_8_sig"],
        help_text=gettext_lazy("Only for CSV files whose letters come out wrong in the preview."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                gettext_lazy("The file is larger than 2 MB: split it into several files.")
            )
        return upload


@dataclass
class Row:
    line: int
    raw: dict[str, str]
    errors: list[str] = field(default_factory=list)
    client: str = ""
    number: str = ""
    issued: date | None = None
    due: date | None = None
    amount: Decimal | None = None
    paid: date | None = None
    disputed: bool = False
    new_client: bool = False
    kind: str = INVOICE
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def is_expense(self) -> bool:
        return self.kind == EXPENSE


@dataclass
class Checked:
    rows: list[Row]
    client_names: set[str]
    new_clients: set[str]
    reading: Reading | None = None
    detected: dict[str, str] = field(default_factory=dict)

    @property
    def invoices(self) -> list[Row]:
        return [row for row in self.rows if not row.is_expense]

    @property
    def expenses(self) -> list[Row]:
        return [row for row in self.rows if row.is_expense]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and self.error_count == 0

    @property
    def delimiter_name(self) -> str:
        names = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("vertical bar")}
        return names.get(self.detected.get("delimiter", ""), "")

    @property
    def amount_format(self) -> str:
        decimal = self.reading.decimal if self.reading else None
        if decimal is None:
            return ""
        if decimal.mixed:
            return _("decimal points and decimal commas mixed")
        if decimal.mark == COMMA:
            return _("decimal comma, as 1.234,50")
        if decimal.mark == POINT:
            return _("decimal point, as 1,234.50")
        return _("whole numbers")

    @property
    def date_formats(self) -> list[str]:
        return sorted(self.reading.date_formats) if self.reading else []


def _normalise_header(name: str) -> str:
    name = re.sub(r"\(.*?\)", " ", fold(name))  # "Amount (EUR)" -> "amount"
    name = re.sub(r"[#.:]", " ", name)
    return " ".join(re.sub(r"[_\-]", " ", name).split())


@dataclass
class Upload:
    rows: list[tuple[int, dict[str, str]]]
    detected: dict[str, str]


def _columns(header: list[str]) -> dict[int, str] | str:
    """Column index -> our field; or the message when a required column is missing."""
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        key = ALIASES.get(_normalise_header(str(name)))
        if key is None:
            continue
        if key in columns.values():
            raise ImportFileError(_("Two columns mean %(column)s: keep one.") % {"column": key})
        columns[index] = key
    missing = [name for name in REQUIRED if name not in columns.values()]
    if missing:
        return _(
            "The first line must name the columns. Missing: %(missing)s. "
            "Expected: client, number, issued, due, amount, paid on, disputed, and "
            "for expenses type (expense) and note."
        ) % {"missing": ", ".join(missing)}
    return columns


def _text(value: str | Decimal, mark: str | None) -> str:
    if isinstance(value, str):
        return value
    text = str(value)
    return text.replace(POINT, COMMA) if mark == COMMA else text


def read_upload(
    data: bytes, name: str = "", language: str | None = None, encoding: str = ""
) -> Upload:
    """Every non-blank data row as {field: text}, and what was detected; ImportFileError if
    the file cannot be read."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB: split it into several files."))
    table = read_table(data, name, language or translation.get_language(), encoding)
    if not table.header:
        raise ImportFileError(_("The file is empty."))
    columns = _columns(table.header)
    if isinstance(columns, str):
        raise ImportFileError(columns)
    typed: list[tuple[int, dict[str, str | Decimal]]] = []
    for line, values in table.rows:
        if not any(str(v).strip() for v in values):
            continue
        if len(typed) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(max)d rows: split it into several files.")
                % {"max": MAX_ROWS}
            )
        raw: dict[str, str | Decimal] = {key: "" for key in FIELDS}
        for index, key in columns.items():
            if index < len(values):
                value = values[index]
                raw[key] = value.strip() if isinstance(value, str) else value
        typed.append((line, raw))
    # A workbook's number cells are written with the mark its text amounts use, so that
    # 1234.5 in a cell and "1.234,50" typed as text read alike.
    mark = decimal_mark(a for _line, raw in typed if isinstance(a := raw["amount"], str)).mark
    rows = [(line, {k: _text(v, mark) for k, v in raw.items()}) for line, raw in typed]
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return Upload(rows, table.detected)


@dataclass
class Reading:
    """How the file writes its numbers and dates, for every row and for the preview."""

    decimal: DecimalMark
    language: str
    date_formats: set[str] = field(default_factory=set)

    def amount(self, row: Row, text: str) -> Decimal | None:
        if not text:
            row.errors.append(_("The amount is missing."))
            return None
        try:
            return parse_amount(text, self.decimal, self.language)
        except ValueError as exc:
            row.errors.append(str(exc))
            return None

    def date(self, row: Row, text: str) -> date | None:
        try:
            value, label = parse_date(text)
        except ValueError as exc:
            row.errors.append(str(exc))
            return None
        self.date_formats.add(label)
        return value


def _parse_row(row: Row, today: date, reading: Reading) -> None:
    raw = row.raw
    if any(len(value) > MAX_CELL for value in raw.values()):
        row.errors.append(_("A cell is longer than %(max)d characters.") % {"max": MAX_CELL})
        return
    if any("\x00" in value for value in raw.values()):
        row.errors.append(_("A cell contains a NUL character."))
        return
    row.client = " ".join(raw["client"].split())
    if not row.client:
        row.errors.append(_("The client name is missing."))
    elif len(row.client) > Client._meta.get_field("name").max_length:
        row.errors.append(_("The client name is too long."))
    kind = TYPE_WORDS.get(fold(raw["type"]))
    if kind is None:
        row.errors.append(
            _("“%(text)s” in Type: use invoice or expense.") % {"text": raw["type"][:40]}
        )
        return
    row.kind = kind
    if kind == EXPENSE:
        _parse_expense(row, today, reading)
        return
    row.number = raw["number"]
    if not row.number:
        row.errors.append(_("The invoice number is missing."))
    elif len(row.number) > Invoice._meta.get_field("number").max_length:
        row.errors.append(_("The invoice number is too long."))
    for name, required in (("issued", True), ("due", False), ("paid", False)):
        if not raw[name]:
            if required:
                row.errors.append(_("The issue date is missing."))
            continue
        setattr(row, name, reading.date(row, raw[name]))
    row.amount = reading.amount(row, raw["amount"])
    disputed = parse_yes_no(raw["disputed"])
    row.disputed = bool(disputed)
    if disputed is None:
        row.errors.append(
            _("“%(text)s” in Disputed: use yes or no.") % {"text": raw["disputed"][:40]}
        )
    row.errors.extend(invoice_date_errors(row.issued, row.due, row.paid, today=today).values())


def _parse_expense(row: Row, today: date, reading: Reading) -> None:
    """An expense row: client, date (the issued column), amount and an optional note."""
    raw = row.raw
    row.note = raw["note"]
    if len(row.note) > Expense._meta.get_field("note").max_length:
        row.errors.append(_("The note is too long."))
    if not raw["issued"]:
        row.errors.append(_("The date is missing."))
    else:
        row.issued = reading.date(row, raw["issued"])
        if row.issued and (message := check_date(row.issued, latest=today)):
            row.errors.append(message)
    row.amount = reading.amount(row, raw["amount"])


def check_rows(
    business: Business,
    raw_rows: list[tuple[int, dict[str, str]]],
    today: date | None = None,
    language: str | None = None,
    detected: dict[str, str] | None = None,
) -> Checked:
    """Every row with its values or errors; two queries whatever the number of rows.

    Amounts are read with the decimal mark the file's own values show, else in `language`
    (the user's); see `import_values`.
    """
    today = today or timezone.localdate()
    reading = Reading(
        decimal=decimal_mark(raw["amount"] for _line, raw in raw_rows),
        language=language or translation.get_language() or "en",
    )
    rows = [Row(line=line, raw=raw) for line, raw in raw_rows]
    for row in rows:
        _parse_row(row, today, reading)
    numbers = [row.number for row in rows if row.number and not row.is_expense]
    taken = set(
        Invoice.objects.filter(business=business, number__in=numbers).values_list(
            "number", flat=True
        )
    )
    names = {row.client for row in rows if row.client}
    existing: dict[str, list[tuple[str, int]]] = {}
    for name, status, terms in Client.objects.filter(business=business, name__in=names).values_list(
        "name", "status", "payment_terms_days"
    ):
        existing.setdefault(name, []).append((status, terms))
    seen: dict[str, int] = {}
    for row in rows:
        if row.is_expense:
            pass
        elif row.number in taken:
            row.errors.append(
                _("Invoice %(number)s already exists in this business.") % {"number": row.number}
            )
        elif row.number and row.number in seen:
            row.errors.append(
                _("Invoice %(number)s appears twice in the file (also on line %(line)d).")
                % {"number": row.number, "line": seen[row.number]}
            )
        elif row.number:
            seen[row.number] = row.line
        matches = existing.get(row.client, [])
        if len(matches) > 1:
            row.errors.append(
                _("Several clients are called %(name)s: rename one first.") % {"name": row.client}
            )
        elif matches and matches[0][0] == Client.Status.OFFBOARDED:
            row.errors.append(_("%(name)s is offboarded: do not re-engage.") % {"name": row.client})
        row.new_client = bool(row.client) and not matches
        if row.issued and row.due is None and not row.errors and not row.is_expense:
            # A new client gets the business's default terms, as on the client form.
            terms = matches[0][1] if matches else business.payment_terms_days
            row.due = row.issued + timedelta(days=terms)
    return Checked(
        rows=rows,
        client_names={row.client for row in rows if row.client},
        new_clients={row.client for row in rows if row.new_client},
        reading=reading,
        detected=detected or {},
    )


def sign_rows(
    business: Business,
    raw_rows: list[tuple[int, dict[str, str]]],
    detected: dict[str, str] | None = None,
) -> str:
    """The raw rows, signed and tied to the business, for the confirm step's hidden field."""
    payload = {
        "b": business.pk,
        "rows": [[line, raw] for line, raw in raw_rows],
        "d": dict(detected or {}),
    }
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign_rows(business: Business, token: str) -> Upload:
    """The rows back; ImportFileError when tampered with, expired or from another business."""
    try:
        payload = signing.loads(token, salt=SIGNING_SALT, max_age=SIGNED_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ImportFileError(
            _("The preview is more than an hour old: upload the file again.")
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise ImportFileError(_("The preview could not be read: upload the file again.")) from exc
    if not isinstance(payload, dict) or payload.get("b") != business.pk:
        raise ImportFileError(_("The preview could not be read: upload the file again."))
    rows: Any = payload.get("rows")
    detected: Any = payload.get("d") or {}
    try:
        return Upload(
            [(int(line), {key: str(raw.get(key, "")) for key in FIELDS}) for line, raw in rows],
            {str(key): str(value) for key, value in detected.items()},
        )
    except (TypeError, ValueError, AttributeError) as exc:
        raise ImportFileError(_("The preview could not be read: upload the file again.")) from exc
