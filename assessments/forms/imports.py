"""Reading a CSV of clients and invoices, as an accounting package exports it.

`read_csv()` turns the uploaded bytes into rows of raw text keyed by our column
names, or a message for the whole file (empty, binary, too big, no header we
know). `check_rows()` gives every row its values or its errors, against the file
itself (a number twice) and the database (a number already used, an offboarded
client). The preview shows the result; nothing is written until every row is
valid. The confirm step sends the raw rows back signed and runs `check_rows()`
again, because the database may have changed in between.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Business
from assessments.forms.money import check_date, invoice_date_errors
from assessments.models import Client, Expense, Invoice
from assessments.models.money import MAX_AMOUNT

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_CELL = 1000
SIGNING_SALT = "assessments.import.v1"
SIGNED_MAX_AGE = 60 * 60  # an hour between preview and confirm

FIELDS = ("client", "number", "issued", "due", "amount", "paid", "disputed", "type", "note")
# An invoice row also needs its number; an expense row (type "expense") does not.
REQUIRED = ("client", "issued", "amount")
INVOICE, EXPENSE = "invoice", "expense"
TYPE_WORDS = {
    "": INVOICE,
    "invoice": INVOICE,
    "sale": INVOICE,
    "expense": EXPENSE,
    "cost": EXPENSE,
    "purchase": EXPENSE,
}
# Header names as accounting exports spell them, after _normalise_header().
ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ["client", "client name", "customer", "customer name", "company", "bill to"], "client"
    ),
    **dict.fromkeys(
        [
            "number",
            "invoice number",
            "invoice no",
            "invoice",
            "invoice id",
            "invoice ref",
            "no",
            "num",
            "reference",
            "ref",
        ],
        "number",
    ),
    **dict.fromkeys(
        ["issued", "issued on", "issue date", "invoice date", "date", "date issued", "issued date"],
        "issued",
    ),
    **dict.fromkeys(["due", "due on", "due date", "date due", "payment due"], "due"),
    **dict.fromkeys(
        ["amount", "total", "invoice total", "total amount", "amount total", "gross", "value"],
        "amount",
    ),
    **dict.fromkeys(
        ["paid", "paid on", "paid date", "date paid", "payment date", "paid at"], "paid"
    ),
    **dict.fromkeys(["disputed", "dispute", "in dispute", "is disputed"], "disputed"),
    **dict.fromkeys(["type", "kind", "row type", "entry type"], "type"),
    **dict.fromkeys(["note", "notes", "memo", "description", "details"], "note"),
}
TRUE_WORDS = {"yes", "y", "true", "t", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "f", "0", ""}

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d{1,2})?$")
_GROUPED_NUMBER = re.compile(r"^\d{1,3}([,' ]\d{3})+(\.\d{1,2})?$")
_CURRENCY = re.compile(r"^(?:[A-Z]{3}|[€$£¥₩₽]|kr\.?|Fr\.?)\s*|\s*(?:[A-Z]{3}|[€$£¥₩₽]|kr\.?)$")


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: client, number, issued, due, amount, paid on, disputed. At most 2 MB "
            "and 5,000 rows."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
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


def _decode(data: bytes) -> str:
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in data:
        raise ImportFileError(
            _("This is not a CSV text file. Export your invoices as CSV and try again.")
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\r\n\t")
        if controls:
            break
        return text
    raise ImportFileError(
        _("This is not a CSV text file. Export your invoices as CSV and try again.")
    )


def _normalise_header(name: str) -> str:
    name = re.sub(r"\(.*?\)", " ", name.strip().lower())  # "Amount (EUR)" -> "amount"
    name = re.sub(r"[#.:]", " ", name)
    return " ".join(re.sub(r"[_\-]", " ", name).split())


def read_csv(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(line number, {field: text}) for every non-blank data row; ImportFileError if unreadable."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 2 MB: split it into several files."))
    text = _decode(data)
    first_line = text.lstrip().splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            raise ImportFileError(_("The file is empty."))
        columns: dict[int, str] = {}
        for index, name in enumerate(header):
            key = ALIASES.get(_normalise_header(name))
            if key is None:
                continue
            if key in columns.values():
                raise ImportFileError(_("Two columns mean %(column)s: keep one.") % {"column": key})
            columns[index] = key
        missing = [name for name in REQUIRED if name not in columns.values()]
        if missing:
            raise ImportFileError(
                _(
                    "The first line must name the columns. Missing: %(missing)s. "
                    "Expected: client, number, issued, due, amount, paid on, disputed, and "
                    "for expenses type (expense) and note."
                )
                % {"missing": ", ".join(missing)}
            )
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(max)d rows: split it into several files.")
                    % {"max": MAX_ROWS}
                )
            raw = {key: "" for key in FIELDS}
            for index, key in columns.items():
                if index < len(values):
                    raw[key] = values[index].strip()
            rows.append((reader.line_num, raw))
    except csv.Error as exc:
        raise ImportFileError(
            _("The file could not be read as CSV (line %(line)d).") % {"line": reader.line_num}
        ) from exc
    if not rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return rows


def parse_date(text: str) -> date:
    """YYYY-MM-DD, or DD/MM/YYYY (also with dots); ValueError with a message otherwise."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DAY_FIRST.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(
            _("“%(text)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).") % {"text": text[:40]}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("“%(text)s” is not a real date.") % {"text": text[:40]}) from None


def parse_amount(text: str) -> Decimal:
    """1234.5, 1,234.50, €1 234.50, 1234.50 EUR; the decimal mark is a dot."""
    cleaned = _CURRENCY.sub("", text.strip().replace("\u00a0", " ").replace("\u202f", " "))
    cleaned = cleaned.strip()
    negative = cleaned.startswith("-") or (cleaned.startswith("(") and cleaned.endswith(")"))
    cleaned = cleaned.strip("-() ")
    if _GROUPED_NUMBER.match(cleaned):
        cleaned = re.sub(r"[,' ]", "", cleaned)
    if not _PLAIN_NUMBER.match(cleaned):
        raise ValueError(
            _("“%(text)s” is not an amount (use a dot for decimals: 1234.50).")
            % {"text": text[:40]}
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": text[:40]}) from None
    if negative or value <= 0:
        raise ValueError(_("The amount must be more than 0."))
    if value > MAX_AMOUNT:
        raise ValueError(_("The amount is too large."))
    return value


def _parse_row(row: Row, today: date) -> None:
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
    kind = TYPE_WORDS.get(raw["type"].strip().lower())
    if kind is None:
        row.errors.append(
            _("“%(text)s” in Type: use invoice or expense.") % {"text": raw["type"][:40]}
        )
        return
    row.kind = kind
    if kind == EXPENSE:
        _parse_expense(row, today)
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
        try:
            setattr(row, name, parse_date(raw[name]))
        except ValueError as exc:
            row.errors.append(str(exc))
    if not raw["amount"]:
        row.errors.append(_("The amount is missing."))
    else:
        try:
            row.amount = parse_amount(raw["amount"])
        except ValueError as exc:
            row.errors.append(str(exc))
    word = raw["disputed"].lower()
    if word in TRUE_WORDS:
        row.disputed = True
    elif word not in FALSE_WORDS:
        row.errors.append(
            _("“%(text)s” in Disputed: use yes or no.") % {"text": raw["disputed"][:40]}
        )
    row.errors.extend(invoice_date_errors(row.issued, row.due, row.paid, today=today).values())


def _parse_expense(row: Row, today: date) -> None:
    """An expense row: client, date (the issued column), amount and an optional note."""
    raw = row.raw
    row.note = raw["note"]
    if len(row.note) > Expense._meta.get_field("note").max_length:
        row.errors.append(_("The note is too long."))
    if not raw["issued"]:
        row.errors.append(_("The date is missing."))
    else:
        try:
            row.issued = parse_date(raw["issued"])
        except ValueError as exc:
            row.errors.append(str(exc))
        else:
            if message := check_date(row.issued, latest=today):
                row.errors.append(message)
    if not raw["amount"]:
        row.errors.append(_("The amount is missing."))
    else:
        try:
            row.amount = parse_amount(raw["amount"])
        except ValueError as exc:
            row.errors.append(str(exc))


def check_rows(
    business: Business, raw_rows: list[tuple[int, dict[str, str]]], today: date | None = None
) -> Checked:
    """Every row with its values or errors; two queries whatever the number of rows."""
    today = today or timezone.localdate()
    rows = [Row(line=line, raw=raw) for line, raw in raw_rows]
    for row in rows:
        _parse_row(row, today)
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
    )


def sign_rows(business: Business, raw_rows: list[tuple[int, dict[str, str]]]) -> str:
    """The raw rows, signed and tied to the business, for the confirm step's hidden field."""
    payload = {"b": business.pk, "rows": [[line, raw] for line, raw in raw_rows]}
    return signing.dumps(payload, salt=SIGNING_SALT, compress=True)


def unsign_rows(business: Business, token: str) -> list[tuple[int, dict[str, str]]]:
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
    try:
        return [(int(line), {key: str(raw.get(key, "")) for key in FIELDS}) for line, raw in rows]
    except (TypeError, ValueError, AttributeError) as exc:
        raise ImportFileError(_("The preview could not be read: upload the file again.")) from exc
