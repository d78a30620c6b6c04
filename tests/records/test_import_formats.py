"""Import of files as people's software writes them: code pages, delimiters, decimal commas,
local dates, yes/no words in six languages, and Excel workbooks.

Every file is made here from text encoded with its codec, then uploaded, previewed and
confirmed as an owner whose language is the file's; the invoices must carry the right
names, amounts and dates, or the file is refused with a message and nothing is saved.
"""

import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.forms import import_values
from assessments.models import Client, Invoice

pytestmark = pytest.mark.django_db

UPLOAD = reverse("assessments:import_upload")
CONFIRM = reverse("assessments:import_confirm")
HEADER = "Client;Invoice number;Issue date;Amount;Disputed\n"

# language, codec, (name, number, issued, amount, disputed) x 2, label the preview shows
FILES = {
    "Greek, Windows-1253": (
        "el",
        "cp1253",
        [
            ("Ελένη Παπαδοπούλου", "Ε-1", "15/02/2025", "1.234,50", "ναι"),
            ("Γιώργος Νικολάου Α.Ε.", "Ε-2", "16/02/2025", "980,00", "όχι"),
        ],
        "Windows-1253",
    ),
    "Russian, Windows-1251": (
        "ru",
        "cp1251",
        [
            ("Ольга Смирнова", "Р-1", "15.02.2025", "1 234,50", "да"),
            ("ООО «Иван Петров»", "Р-2", "16.02.2025", "980,00", "нет"),
        ],
        "Windows-1251",
    ),
    "Croatian, Windows-1250": (
        "hr",
        "cp1250",
        [
            ("Đurđa Šimić", "H-1", "15.02.2025.", "1.234,50", "da"),
            ("Željko Čačić d.o.o.", "H-2", "16.02.2025.", "980,00", "ne"),
        ],
        "Windows-1250",
    ),
    "Croatian, ISO-8859-2": (
        "hr",
        "iso8859_2",
        [
            ("Đurđa Šimić", "H-1", "15.02.2025.", "1.234,50", "da"),
            ("Željko Čačić d.o.o.", "H-2", "16.02.2025.", "980,00", "ne"),
        ],
        "ISO-8859-2",
    ),
    "Korean, EUC-KR": (
        "ko",
        "euc_kr",
        [
            ("김민준 주식회사", "K-1", "2025. 2. 15.", "1,234.50", "예"),
            ("이서연", "K-2", "2025. 2. 16.", "980.00", "아니요"),
        ],
        "EUC-KR",
    ),
    "Icelandic, Windows-1252": (
        "is",
        "cp1252",
        [
            ("Jón Þórsson ehf.", "I-1", "15.02.2025", "1.234,50", "já"),
            ("Guðrún Ólafsdóttir", "I-2", "16.02.2025", "980,00", "nei"),
        ],
        "Windows-1252",
    ),
    "Greek, UTF-8 with BOM (Excel's CSV UTF-8)": (
        "el",
        "utf-8-sig",
        [
            ("Ελένη Παπαδοπούλου", "Ε-1", "15/02/2025", "1.234,50", "ΝΑΙ"),
            ("Γιώργος Νικολάου Α.Ε.", "Ε-2", "16/02/2025", "980,00", "Όχι"),
        ],
        "UTF-8 (BOM)",
    ),
    "Russian, UTF-8 without BOM": (
        "ru",
        "utf-8",
        [
            ("Ольга Смирнова", "Р-1", "2025-02-15", "1\u00a0234,50", "Да"),
            ("ООО «Иван Петров»", "Р-2", "2025-02-16", "980,00", "Нет"),
        ],
        "UTF-8",
    ),
}


def upload(client, data, name="invoices.csv", **extra):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data), **extra})


def token_of(response):
    return re.search(r'name="rows" value="([^"]+)"', response.content.decode()).group(1)


def speak(user, language):
    user.language = language
    user.save(update_fields=["language"])


def encoded(rows, codec, header=HEADER, delimiter=";"):
    lines = [header.replace(";", delimiter)] + [delimiter.join(row) + "\n" for row in rows]
    return "".join(lines).encode(codec)


@pytest.mark.parametrize("case", sorted(FILES))
def test_each_encoding_imports_the_right_names_and_amounts(owner, owner_client, case):
    language, codec, rows, label = FILES[case]
    speak(owner, language)
    preview = upload(owner_client, encoded(rows, codec))
    assert preview.status_code == 200, preview.content.decode()
    page = preview.content.decode()
    assert label in page
    for name, *_rest in rows:
        assert name in page
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    invoices = {i.number: i for i in Invoice.objects.select_related("client")}
    first, second = invoices[rows[0][1]], invoices[rows[1][1]]
    assert first.client.name == rows[0][0] and second.client.name == rows[1][0]
    assert (first.amount, second.amount) == (Decimal("1234.50"), Decimal("980.00"))
    assert (first.issued_on, second.issued_on) == (date(2025, 2, 15), date(2025, 2, 16))
    assert (first.disputed, second.disputed) == (rows[0][4].lower() in "ναι да da já 예", False)


def test_excel_unicode_text_is_utf16_and_tab_separated(owner, owner_client):
    speak(owner, "el")
    rows = [("Ελένη Παπαδοπούλου", "Ε-1", "15/02/2025", "1.234,50", "ναι")]
    data = encoded(rows, "utf-16", delimiter="\t")  # the codec writes the byte-order mark
    preview = upload(owner_client, data, name="invoices.txt")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "UTF-16" in page and "tab" in page
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    invoice = Invoice.objects.get()
    assert (invoice.client.name, invoice.amount) == ("Ελένη Παπαδοπούλου", Decimal("1234.50"))


def test_the_preview_says_what_it_detected(owner, owner_client):
    speak(owner, "ru")
    language, codec, rows, label = FILES["Russian, Windows-1251"]
    page = upload(owner_client, encoded(rows, codec)).content.decode()
    section = page.split('id="detected-heading"', 1)[1].split("</section>", 1)[0]
    assert "Windows-1251" in section
    assert "semicolon" in section or "точка с запятой" in section
    assert "1.234,50" in section  # a decimal comma
    assert "DD.MM.YYYY" in section


def test_a_cyrillic_file_is_never_read_as_western_mojibake(owner, owner_client):
    """The issue's example: Windows-1251 read as Windows-1252 is "Îëüãà Ñìèðíîâà"."""
    speak(owner, "en")  # no hint from the user's language
    rows = [("Ольга Смирнова", "Р-1", "15.02.2025", "1 234,50", "да")]
    preview = upload(owner_client, encoded(rows, "cp1251"))
    assert "Îëüãà" not in preview.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    assert list(Client.objects.values_list("name", flat=True)) == ["Ольга Смирнова"]


@pytest.mark.parametrize(
    "data",
    [
        # Two exports pasted together: Windows-1251 rows, then UTF-8 rows.
        encoded([("Ольга Смирнова", "Р-1", "15.02.2025", "10", "")], "cp1251")
        + "Ελένη Παπαδοπούλου;Ε-1;15/02/2025;10;\n".encode(),
        # Control characters where letters should be.
        HEADER.encode() + b"Acme\x01\x02\x03;A-1;2025-01-01;10;\n",
        # UTF-16 cut in the middle of a character.
        encoded([("Ελένη", "Ε-1", "15/02/2025", "10", "")], "utf-16")[:-1],
    ],
    ids=["mixed encodings", "control characters", "truncated UTF-16"],
)
def test_a_garbled_file_creates_nothing(owner_client, data):
    response = upload(owner_client, data)
    assert response.status_code == 400
    assert "encoding" in response.content.decode() or "not a CSV text file" in (
        response.content.decode()
    )
    assert not Client.objects.exists() and not Invoice.objects.exists()


def test_the_encoding_can_be_chosen_when_detection_cannot_know(owner, owner_client):
    """Windows-1250 and -1252 read a short Croatian name equally well; an English user's
    upload reads it as Western, the preview shows it, and choosing Windows-1250 reads it."""
    speak(owner, "en")
    data = encoded([("Đurđa Šimić", "H-1", "15.02.2025.", "1.234,50", "ne")], "cp1250")
    guessed = upload(owner_client, data).content.decode()
    assert "Windows-1252" in guessed
    chosen = upload(owner_client, data, encoding="cp1250")
    assert "Đurđa Šimić" in chosen.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(chosen)})
    assert Client.objects.get().name == "Đurđa Šimić"
    refused = upload(owner_client, "Ελένη;1\n".encode(), encoding="no-such-codec")
    assert refused.status_code == 400


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_delimiter_is_sniffed(owner_client, delimiter):
    amount = '"1,234.50"' if delimiter == "," else "1,234.50"
    text = (
        f"Client{delimiter}Number{delimiter}Issued{delimiter}Amount\n"
        f"Acme Ltd{delimiter}A-1{delimiter}2025-01-15{delimiter}{amount}\n"
        f"Beta Ltd{delimiter}B-1{delimiter}2025-01-16{delimiter}12.50\n"
    )
    preview = upload(owner_client, text.encode())
    assert preview.status_code == 200
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    assert sorted(Invoice.objects.values_list("amount", flat=True)) == [
        Decimal("12.50"),
        Decimal("1234.50"),
    ]


# --- Amounts: (user's language, the file's amounts) -> what each reads as, or None -----------

AMOUNT_FILES = [
    ("hr", ["1.234,50", "980,00"], ["1234.50", "980.00"]),
    ("ru", ["1 234,50", "1\u00a0234,5", "1\u202f234"], ["1234.50", "1234.5", "1234"]),
    ("en", ["1,234.50", "1234,5"], None),  # decimals both ways: refused
    ("en", ["1,234.50", "1,234"], ["1234.50", "1234"]),
    ("hr", ["1.234,50", "1.234"], ["1234.50", "1234"]),
    ("el", ["1,234.50", "1.234"], ["1234.50", None]),  # the file's point is decimal: 3 decimals
    ("hr", ["1,234"], [None]),  # hr reads a comma as decimal: 1,234 is ambiguous
    ("hr", ["1.234"], ["1234"]),
    ("en", ["1.234"], [None]),  # en reads a point as decimal: ambiguous
    ("en", ["1,234"], ["1234"]),
    ("ko", ["₩1,234,000", "12.5"], ["1234000", "12.5"]),
    ("is", ["1.234.567,89 kr.", "12"], ["1234567.89", "12"]),
    ("en", ["€ 1 234.50", "99 EUR"], ["1234.50", "99"]),
]


@pytest.mark.parametrize(("language", "texts", "expected"), AMOUNT_FILES)
def test_amounts_are_read_as_the_file_writes_them(language, texts, expected):
    mark = import_values.decimal_mark(texts)
    results = []
    for text in texts:
        try:
            results.append(str(import_values.parse_amount(text, mark, language)))
        except ValueError:
            results.append(None)
    if expected is None:
        assert mark.mixed and all(result is None for result in results)
    else:
        assert results == expected


def test_an_ambiguous_amount_is_refused_with_a_message_and_nothing_saved(owner, owner_client):
    speak(owner, "hr")
    data = encoded([("Đurđa Šimić", "H-1", "15.02.2025.", "1,234", "")], "utf-8")
    response = upload(owner_client, data)
    assert response.status_code == 400
    assert "1,234.00" in response.content.decode()
    assert not Client.objects.exists()


def test_a_file_with_decimal_points_and_commas_is_refused(owner_client):
    data = encoded(
        [("Acme", "A-1", "2025-01-01", "1,234.50", ""), ("Beta", "B-1", "2025-01-01", "12,5", "")],
        "utf-8",
    )
    response = upload(owner_client, data)
    assert response.status_code == 400
    assert "both with a point and with a comma" in response.content.decode()
    assert not Invoice.objects.exists()


# --- Dates and yes/no words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15.02.2025.", date(2025, 2, 15)),  # hr
        ("15. 02. 2025.", date(2025, 2, 15)),
        ("15.02.2025", date(2025, 2, 15)),  # ru, is
        ("15/02/2025", date(2025, 2, 15)),  # el
        ("2025. 2. 15.", date(2025, 2, 15)),  # ko
        ("2025년 2월 15일", date(2025, 2, 15)),
        ("2025-02-15", date(2025, 2, 15)),
        ("2025-02-15 00:00:00", date(2025, 2, 15)),
        ("02/15/2025", "month first"),
        ("15.02.25", "two-digit year"),
        ("30.02.2025.", "not a real date"),
        ("15 February 2025", "not a date"),
    ],
)
def test_local_dates(text, expected):
    if isinstance(expected, date):
        assert import_values.parse_date(text)[0] == expected
    else:
        with pytest.raises(ValueError, match=expected):
            import_values.parse_date(text)


@pytest.mark.parametrize(
    ("words", "value"),
    [
        (["yes", "TRUE", "1", "ναι", "Ναί", "예", "да", "Да", "já", "JÁ", "da"], True),
        (["no", "false", "0", "", "όχι", "ΟΧΙ", "아니요", "нет", "nei", "ne"], False),
        (["maybe", "oui", "может быть"], None),
    ],
)
def test_yes_and_no_in_six_languages(words, value):
    assert [import_values.parse_yes_no(word) for word in words] == [value] * len(words)


# --- Excel -----------------------------------------------------------------------------------


def workbook(rows, title="Računi"):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_workbook_is_imported(owner, owner_client):
    speak(owner, "hr")
    data = workbook(
        [
            ["Client", "Invoice number", "Issue date", "Due date", "Amount", "Disputed"],
            ["Đurđa Šimić", "H-1", datetime(2025, 2, 15), None, 1234.5, True],
            ["Ольга Смирнова", 1002, date(2025, 2, 16), date(2025, 3, 1), 980, "ne"],
            ["Ελένη Παπαδοπούλου", "E-3", "15.02.2025.", None, "1.234,50", False],
            [None, None, None, None, None, None],
        ]
    )
    preview = upload(owner_client, data, name="računi.xlsx")
    assert preview.status_code == 200, preview.content.decode()
    assert "Računi" in preview.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    invoices = {i.number: i for i in Invoice.objects.select_related("client")}
    assert invoices["H-1"].client.name == "Đurđa Šimić"
    assert (invoices["H-1"].amount, invoices["H-1"].issued_on) == (
        Decimal("1234.50"),
        date(2025, 2, 15),
    )
    assert invoices["H-1"].disputed and not invoices["1002"].disputed
    assert (invoices["1002"].amount, invoices["1002"].due_on) == (
        Decimal("980"),
        date(2025, 3, 1),
    )
    assert invoices["E-3"].amount == Decimal("1234.50")


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


BROKEN_XLSX = {
    "cut in half": (lambda: workbook([["Client", "Number", "Issued", "Amount"]])[:1500], "real"),
    "text named .xlsx": (lambda: b"Client,Number,Issued,Amount\n", "real"),
    "zip without a workbook": (lambda: _zip({"readme.txt": "hello"}), "real"),
    "workbook xml that is not xml": (
        lambda: _zip({"[Content_Types].xml": "<nope", "xl/workbook.xml": "<<<"}),
        "real",
    ),
    "too large once unpacked": (
        lambda: _zip({"xl/workbook.xml": "<x/>", "xl/worksheets/sheet1.xml": "0" * 45_000_000}),
        "too large once unpacked",
    ),
    "old .xls": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
    "no header we know": (lambda: workbook([["Name", "Colour"], ["Acme", "blue"]]), "Missing"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_XLSX))
def test_a_broken_xlsx_is_refused_with_a_message(owner_client, case):
    make, words = BROKEN_XLSX[case]
    response = upload(owner_client, make(), name="invoices.xlsx")
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Client.objects.exists() and not Invoice.objects.exists()


def test_an_xlsx_over_the_size_limit_is_refused(owner_client):
    import random

    noise = random.Random(18).randbytes(2 * 1024 * 1024)  # does not compress
    data = _zip({"xl/workbook.xml": "<x/>", "xl/media/image1.bin": noise})
    response = upload(owner_client, data, name="invoices.xlsx")
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "header", "row"),
    [
        (
            "hr",
            "Kupac;Broj računa;Datum izdavanja;Datum dospijeća;Iznos;Sporno;Vrsta;Napomena\n",
            "Đurđa Šimić;H-1;15.02.2025.;17.03.2025.;1.234,50;da;račun;\n",
        ),
        (
            "el",
            "Πελάτης;Αριθμός τιμολογίου;Ημερομηνία έκδοσης;Ημερομηνία λήξης;Ποσό;Αμφισβήτηση\n",
            "Ελένη Παπαδοπούλου;Ε-1;15/02/2025;17/03/2025;1.234,50;ναι\n",
        ),
        (
            "ru",
            "Контрагент;Номер счёта;Дата;Срок оплаты;Сумма (руб.);Спор\n",
            "Ольга Смирнова;Р-1;15.02.2025;17.03.2025;1 234,50;да\n",
        ),
        (
            "ko",
            "거래처명,청구서 번호,발행일,만기일,합계금액,분쟁\n",
            '김민준 주식회사,K-1,2025. 2. 15.,2025. 3. 17.,"1,234.50",예\n',
        ),
        (
            "is",
            "Viðskiptavinur;Reikningsnúmer;Útgáfudagur;Gjalddagi;Upphæð;Ágreiningur\n",
            "Jón Þórsson ehf.;I-1;15.02.2025;17.03.2025;1.234,50;já\n",
        ),
    ],
)
def test_column_names_in_each_language(owner, owner_client, language, header, row):
    speak(owner, language)
    preview = upload(owner_client, (header + row).encode())
    assert preview.status_code == 200, preview.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    invoice = Invoice.objects.get()
    assert (invoice.amount, invoice.issued_on, invoice.due_on, invoice.disputed) == (
        Decimal("1234.50"),
        date(2025, 2, 15),
        date(2025, 3, 17),
        True,
    )
    assert invoice.client.name == re.split("[;,]", row)[0]


def test_expense_rows_in_another_language(owner, owner_client):
    speak(owner, "hr")
    text = (
        "Kupac;Broj računa;Datum;Iznos;Vrsta;Napomena\n"
        "Đurđa Šimić;H-1;15.02.2025.;1.234,50;račun;\n"
        "Đurđa Šimić;;16.02.2025.;120,40;Trošak;Putni troškovi\n"
    )
    preview = upload(owner_client, text.encode("cp1250"))
    assert preview.status_code == 200, preview.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    client = Client.objects.get()
    assert client.name == "Đurđa Šimić"
    assert [e.amount for e in client.expenses.all()] == [Decimal("120.40")]
    assert client.expenses.get().note == "Putni troškovi"
