"""Turning an uploaded file into a header and rows of text: CSV in any encoding people's
software writes, or the first sheet of an Excel workbook.

The encoding: a byte-order mark says UTF-8 or UTF-16 (Excel's "Unicode text"); text that
is valid UTF-8 is UTF-8; anything else is weighed by charset-normalizer among the
single-byte code pages of the six languages and EUC-KR. Short files often read equally
well in two Latin code pages (Windows-1252 and Windows-1250 differ in a few letters), so
among the equally good readings the one the user's language writes wins. A reading with
control characters or replacement marks is refused: a garbled name must never become a
client.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from charset_normalizer import from_bytes
from django.utils.translation import gettext as _

# Codec -> the name the preview shows (code-page names are not translated).
ENCODINGS = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8 (BOM)",
    "utf_16": "UTF-16",
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "iso8859_2": "ISO-8859-2",
    "cp1251": "Windows-1251",
    "cp1253": "Windows-1253",
    "euc_kr": "EUC-KR",
}
SINGLE_BYTE = ["cp1252", "cp1250", "iso8859_2", "cp1251", "cp1253", "euc_kr"]
# What a user writing each language most likely saved, best first.
PREFERRED = {
    "hr": ("cp1250", "iso8859_2"),
    "el": ("cp1253",),
    "ru": ("cp1251",),
    "ko": ("euc_kr", "cp949"),
    "is": ("cp1252",),
}
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
MAX_UNPACKED = 40 * 1024 * 1024  # a 5,000-row sheet is a few MB of XML
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


class ImportFileError(Exception):
    """The file as a whole cannot be read; the message says why."""


@dataclass
class Table:
    header: list[str]
    # (line or row number, cells); a workbook's number cells stay Decimal until the reader
    # knows which decimal mark the file's text cells use.
    rows: Iterator[tuple[int, list[str | Decimal]]]
    detected: dict[str, str] = field(default_factory=dict)


def not_text() -> ImportFileError:
    return ImportFileError(
        _("This is not a CSV text file. Export your invoices as CSV and try again.")
    )


def read_table(
    data: bytes, name: str = "", language: str | None = None, encoding: str = ""
) -> Table:
    """The file's header and rows; ImportFileError when it is neither readable CSV nor .xlsx."""
    if data.startswith(ZIP_MAGIC) or name.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, name)
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel file (.xls): save it as .xlsx or CSV and try again.")
        )
    text, codec = decode(data, language, encoding)
    return read_csv_text(text, {"encoding": ENCODINGS.get(codec, codec)})


def decode(data: bytes, language: str | None = None, encoding: str = "") -> tuple[str, str]:
    """The text and the codec it was read with."""
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    if encoding:
        candidates = [encoding]
    elif data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf_8_sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(data):
        candidates = ["utf_16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else _utf16_order(data)]
    elif b"\x00" in data:
        raise not_text()
    else:
        candidates = ["utf_8"]
    for codec in candidates:
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        _refuse_garbled(text)
        return text, ("utf_16" if codec.startswith("utf_16") else codec)
    if encoding:
        raise ImportFileError(
            _("The file cannot be read as %(encoding)s: choose another encoding or detect it.")
            % {"encoding": ENCODINGS.get(encoding, encoding)}
        )
    if candidates[0].startswith("utf_16") or candidates[0] == "utf_8_sig":
        raise not_text()
    return _detect_single_byte(data, language)


def _looks_utf16(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    sample = data[:4000]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) > 0.4 * (len(sample) // 2) and min(even, odd) == 0


def _utf16_order(data: bytes) -> str:
    return "utf_16_le" if data[1:4000:2].count(0) > data[0:4000:2].count(0) else "utf_16_be"


def _detect_single_byte(data: bytes, language: str | None) -> tuple[str, str]:
    as_utf8 = data[:200_000].decode("utf-8", errors="replace")
    invalid = as_utf8.count("\ufffd")
    valid = sum(1 for ch in as_utf8 if ord(ch) >= 0x80) - invalid
    if valid >= 3 and valid >= invalid:
        # Not valid UTF-8 as a whole, yet much of it is: two exports pasted together. Any
        # single reading garbles one part, so neither is guessed.
        raise ImportFileError(
            _(
                "Part of this file is written in UTF-8 and part in another encoding. Save "
                "it again as “CSV UTF-8” (Excel: File › Save As) and try again."
            )
        )
    matches = from_bytes(data[:200_000], cp_isolation=SINGLE_BYTE)
    best = matches.best()
    if best is None or best.chaos > 0.3:
        raise ImportFileError(
            _(
                "The characters in this file could not be read reliably. Save it as "
                "“CSV UTF-8” (Excel: File › Save As) and try again."
            )
        )
    tied = [match for match in matches if match.chaos <= best.chaos + 0.01]
    # Fewest symbols among letters first (ISO-8859-2 "š" read as Windows-1250 is "©"), then
    # what the user's language writes, then Windows-1252, then charset-normalizer's order.
    preferred = (*PREFERRED.get((language or "")[:2], ()), "cp1252")
    readings = []
    for order, match in enumerate(tied):
        codecs = [c for c in preferred if c in match.could_be_from_charset] or [match.encoding]
        rank = preferred.index(codecs[0]) if codecs[0] in preferred else len(preferred)
        readings.append((_odd_symbols(str(match)), rank, order, codecs[0]))
    codec = min(readings)[3]
    try:
        text = data.decode(codec)  # the whole file: the match read only its first 200 kB
    except UnicodeDecodeError:
        raise not_text() from None
    _refuse_garbled(text)
    return text, codec


def _odd_symbols(text: str) -> int:
    """Symbols and odd digits that a name or amount would not contain (© ® ¹ ¾ ¤ ...)."""
    return sum(
        1
        for ch in text
        if ord(ch) >= 0x80 and unicodedata.category(ch) in ("So", "Sk", "No", "Sc", "Cf")
    )


def _refuse_garbled(text: str) -> None:
    if "\ufffd" in text or any(
        unicodedata.category(ch) in ("Cc", "Cs", "Co") and ch not in "\r\n\t" for ch in text
    ):
        raise not_text()


def sniff_delimiter(text: str) -> list[str]:
    """Delimiters to try, likeliest first: csv.Sniffer's guess, then the first line's count."""
    first_line = text.lstrip().splitlines()[0] if text.strip() else ""
    counted = max(DELIMITERS, key=first_line.count) if first_line else ","
    try:
        sniffed = csv.Sniffer().sniff(text[:16_000], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = counted
    # The header names the columns, so a delimiter it does not contain cannot be right.
    found = [d for d in dict.fromkeys([sniffed, counted]) if d in first_line]
    return found or [counted]


def read_csv_text(text: str, detected: dict[str, str], delimiter: str | None = None) -> Table:
    text = text.lstrip("\ufeff")  # a byte-order mark read as text, when the codec was chosen
    delimiter = delimiter or sniff_delimiter(text)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for values in reader:
                yield reader.line_num, values
        except csv.Error as exc:
            raise ImportFileError(
                _("The file could not be read as CSV (line %(line)d).") % {"line": reader.line_num}
            ) from exc

    iterator = rows()
    header = next(iterator, (0, []))[1]
    return Table(header, iterator, {**detected, "delimiter": delimiter})


# --- Excel ------------------------------------------------------------------------------


def read_xlsx(data: bytes, name: str = "") -> Table:
    """The first sheet's values (not formulas), streamed in openpyxl's read-only mode."""
    import openpyxl  # imported here: only an .xlsx upload pays for it

    not_xlsx = ImportFileError(
        _("This is not a real Excel workbook (.xlsx): save it again from Excel, or as CSV.")
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            unpacked = sum(member.file_size for member in members)
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_xlsx from None
    if "xl/workbook.xml" not in names:
        # Any other archive, named .csv, is just not a text file.
        raise not_xlsx if name.lower().endswith((".xlsx", ".xlsm")) else not_text()
    if unpacked > MAX_UNPACKED:
        raise ImportFileError(
            _("The workbook is too large once unpacked: split it into several files.")
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        cells = [
            [_cell_text(v) for v in row] for row in _rows_up_to(sheet.iter_rows(values_only=True))
        ]
        title = sheet.title
        workbook.close()
    except ImportFileError:
        raise
    except Exception:  # noqa: BLE001 - a malformed workbook fails in many ways; all mean "not xlsx"
        raise not_xlsx from None
    numbered = [(index, row) for index, row in enumerate(cells, start=1)]
    header = numbered[0][1] if numbered else []
    return Table(header, iter(numbered[1:]), {"workbook": title})


def _rows_up_to(rows, limit: int = 5002):
    """At most `limit` non-blank rows (the header, the maximum and one to say "too many")."""
    kept = 0
    for row in rows:
        if any(value not in (None, "") for value in row):
            kept += 1
            if kept > limit:
                return
        yield row


def _cell_text(value: object) -> str | Decimal:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float):
        number = Decimal(repr(value))
        cents = number.quantize(Decimal("0.01")) if abs(number) < 10**15 else number
        # 1234.4999999999998 from a formula is 1234.50; 0.125 typed in stays 0.125 (refused).
        return cents if abs(number - cents) < Decimal("1e-9") else number
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return str(value).strip()
