"""CSV import: a preview with an error per bad row; nothing imported until every row is valid."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.forms import import_values
from assessments.forms import imports as csv_import
from assessments.models import Client, Invoice
from tests import factories

pytestmark = pytest.mark.django_db

UPLOAD = reverse("assessments:import_upload")
CONFIRM = reverse("assessments:import_confirm")

GOOD = (
    "Client,Invoice number,Issue date,Due date,Amount,Paid date,Disputed\n"
    'Acme Ltd,A-1,2025-01-15,2025-02-14,"1,200.00",2025-02-20,no\n'
    "Acme Ltd,A-2,15/02/2025,,€1200,,yes\n"
    "Ωμέγα Ακίνητα,O-1,2025-03-01,2025-03-31,300.5 EUR,,\n"
    "Existing Co,E-1,2025-03-01,,99,,0\n"
)


def upload(client, text, name="invoices.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, "text/csv")})


def token_of(response):
    return re.search(r'name="rows" value="([^"]+)"', response.content.decode()).group(1)


def test_import_personas(anon_client, outsider_client, staff_client, owner_client):
    assert anon_client.get(UPLOAD).status_code == 302
    assert staff_client.get(UPLOAD).status_code == 403
    assert upload(staff_client, GOOD).status_code == 403
    assert staff_client.post(CONFIRM, {"rows": "x"}).status_code == 403
    assert anon_client.post(CONFIRM, {"rows": "x"}).status_code == 302
    assert owner_client.get(UPLOAD).status_code == 200
    assert owner_client.get(CONFIRM).status_code == 405
    assert not Invoice.objects.exists()


def test_valid_file_previews_then_imports(owner_client, business):
    existing = factories.client(business, name="Existing Co", payment_terms_days=10)
    preview = upload(owner_client, GOOD)
    assert preview.status_code == 200
    assert "Import 4 invoices for 3 clients (2 of them new)" in preview.content.decode()
    assert not Invoice.objects.exists()  # nothing until confirmed
    assert Client.objects.count() == 1
    response = owner_client.post(CONFIRM, {"rows": token_of(preview)}, follow=True)
    assert "Imported 4 invoices for 3 clients (2 of them new)." in response.content.decode()
    invoices = {i.number: i for i in Invoice.objects.select_related("client")}
    assert set(invoices) == {"A-1", "A-2", "O-1", "E-1"}
    a1, a2 = invoices["A-1"], invoices["A-2"]
    assert a1.client == a2.client and a1.client.name == "Acme Ltd"
    assert a1.client.client_since == date(2025, 1, 15)
    assert (a1.amount, a1.paid_on, a1.disputed) == (Decimal("1200.00"), date(2025, 2, 20), False)
    assert (a2.issued_on, a2.due_on, a2.disputed) == (date(2025, 2, 15), date(2025, 3, 17), True)
    assert a2.dispute_note
    assert invoices["O-1"].amount == Decimal("300.50")
    # Matched by exact name, due date from that client's own terms.
    assert invoices["E-1"].client == existing
    assert invoices["E-1"].due_on == date(2025, 3, 11)
    assert all(i.business == business for i in invoices.values())
    assert Client.objects.filter(business=business).count() == 3


def test_every_bad_row_gets_its_error_and_nothing_is_imported(owner_client, business):
    client = factories.client(business, name="Known")
    factories.invoice(client, number="TAKEN")
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    text = (
        "client;number;issued;due;amount;paid on;disputed\n"
        "Good Co;G-1;2025-01-01;;100;;\n"
        "Bad Date;B-1;2026-02-30;;100;;\n"
        ";B-2;2025-01-01;;100;;\n"
        "Neg;B-3;2025-01-01;;-100;;\n"
        "Due;B-4;2025-03-01;2025-02-01;100;;\n"
        "Paid;B-5;2025-03-01;;100;2025-02-01;\n"
        "Dup;G-1;2025-01-01;;100;;\n"
        "Known;TAKEN;2025-01-01;;100;;\n"
        "Euro;B-6;2025-01-01;;twelve;;\n"
        "Flag;B-7;2025-01-01;;100;;maybe\n"
        "Huge;B-8;2025-01-01;;10000000000;;\n"
        f"Future;B-9;2025-01-01;;100;{future};\n"
        "Old;B-10;1000-01-01;;100;;\n"
        ";;;;;;\n"
    )
    response = upload(owner_client, text)
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "“2026-02-30” is not a real date.",
        "The client name is missing.",
        "The amount must be more than 0.",
        "The due date cannot be before the issue date.",
        "An invoice cannot be paid before it was issued.",
        "Invoice G-1 appears twice in the file (also on line 2).",
        "Invoice TAKEN already exists in this business.",
        "“twelve” is not an amount",
        "in Disputed: use yes or no.",
        "The amount is too large.",
        "A payment cannot be recorded in the future.",
        "dates before 1970",
    ):
        assert message in page, message
    assert "12 rows have problems." in page
    assert 'name="rows"' not in page
    assert Invoice.objects.count() == 1
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n\n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV text file."),
        (bytes(range(256)) * 10, "This is not a CSV text file."),
        (b"name,colour\nAcme,blue\n", "Missing: client, issued, amount"),
        (b"client,number,issued,amount\n", "The file has a header but no rows."),
        (b"client,client name,number,issued,amount\nA,B,1,2025-01-01,5\n", "Two columns"),
        (b'client,number,issued,amount\n"unclosed,1,2025-01-01,5\n' + b"x" * 200000, ""),
    ],
)
def test_unreadable_files_get_a_clear_message(owner_client, data, message):
    response = upload(owner_client, data)
    assert response.status_code == 400
    if message:
        assert message in response.content.decode()
    assert not Invoice.objects.exists()


def test_too_many_rows_and_too_large(owner_client):
    rows = "".join(f"C,N{i},2025-01-01,,1,,\n" for i in range(csv_import.MAX_ROWS + 1))
    response = upload(owner_client, "client,number,issued,due,amount,paid,disputed\n" + rows)
    assert response.status_code == 400
    assert "more than 5000 rows" in response.content.decode()
    big = b"client,number,issued,amount\n" + b"a" * (csv_import.MAX_BYTES + 10)
    response = upload(owner_client, big)
    assert response.status_code == 400
    assert "larger than 2 MB" in response.content.decode()
    assert not Invoice.objects.exists()


def test_windows_1252_file_is_read(owner_client):
    text = "Client,Number,Issued,Amount\nCafé Müller,W-1,2025-01-01,10\n"
    response = upload(owner_client, text, encoding="cp1252")
    assert response.status_code == 200
    assert "Café Müller" in response.content.decode()


def test_confirm_refuses_tampered_or_foreign_tokens(owner_client, outsider_client):
    preview = upload(owner_client, GOOD)
    token = token_of(preview)
    response = owner_client.post(CONFIRM, {"rows": token[:-2] + "xx"}, follow=True)
    assert "upload the file again" in response.content.decode()
    # A preview signed for business A cannot be imported into business B.
    response = outsider_client.post(CONFIRM, {"rows": token}, follow=True)
    assert "upload the file again" in response.content.decode()
    assert not Invoice.objects.exists()


def test_confirm_checks_again_against_the_database(owner_client, business):
    preview = upload(owner_client, GOOD)
    # Someone adds invoice A-2 between the preview and the confirm.
    factories.invoice(factories.client(business, name="Meanwhile"), number="A-2")
    response = owner_client.post(CONFIRM, {"rows": token_of(preview)})
    assert response.status_code == 400
    assert "Invoice A-2 already exists in this business." in response.content.decode()
    assert Invoice.objects.count() == 1
    assert not Client.objects.filter(name="Acme Ltd").exists()


def test_offboarded_client_gets_no_imported_invoices(owner_client, business):
    factories.client(business, name="Acme Ltd", status="offboarded")
    response = upload(owner_client, GOOD)
    assert response.status_code == 400
    assert "Acme Ltd is offboarded: do not re-engage." in response.content.decode()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.5", "1234.50"),
        ("1,234.50", "1234.50"),
        ("€ 1 234.50", "1234.50"),
        ("EUR 99", "99"),
        ("12.00 USD", "12.00"),
        ("$1,000,000", "1000000"),
    ],
)
def test_amount_formats(text, value):
    assert import_values.parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.234,56", "12,34", "1,2345.00", "(100)", "1e5", "", "0.001"])
def test_bad_amounts_in_a_file_with_a_decimal_point(text):
    with pytest.raises(ValueError):
        import_values.parse_amount(text, import_values.POINT)


def test_expense_rows_are_imported_with_the_invoices_and_count_as_cost(owner_client, business):
    today = timezone.localdate()
    text = (
        "Client,Invoice number,Issue date,Amount,Type,Note\n"
        f"Acme Ltd,X-1,{(today - timedelta(days=30)).isoformat()},1000.00,,\n"
        f"Acme Ltd,,{(today - timedelta(days=10)).isoformat()},120.40,expense,Site travel\n"
        f"Acme Ltd,,{(today - timedelta(days=9)).isoformat()},19.60,Expense,\n"
    )
    preview = upload(owner_client, text)
    assert preview.status_code == 200
    assert "Site travel" in preview.content.decode()
    owner_client.post(CONFIRM, {"rows": token_of(preview)})
    acme = Client.objects.get(name="Acme Ltd")
    assert Invoice.objects.filter(client=acme).count() == 1
    assert sorted(e.amount for e in acme.expenses.all()) == [Decimal("19.60"), Decimal("120.40")]
    from assessments import figures

    assert figures.client_figures(acme).summary.expenses == Decimal("140.00")
    # The new client got the business's default payment terms.
    assert acme.payment_terms_days == business.payment_terms_days


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("Acme Ltd,,2025-01-10,12.00,refund,", "in Type: use invoice or expense"),
        ("Acme Ltd,,,12.00,expense,", "The date is missing."),
        ("Acme Ltd,,2025-01-10,-3,expense,", "more than 0"),
        (f"Acme Ltd,,{date.today().year + 1}-01-10,12.00,expense,", "too far in the future"),
        ("Acme Ltd,,2025-01-10,12.00,,", "The invoice number is missing."),
    ],
)
def test_bad_expense_rows_import_nothing(owner_client, row, problem):
    text = "Client,Invoice number,Issue date,Amount,Type,Note\n" + row + "\n"
    preview = upload(owner_client, text)
    assert problem in preview.content.decode()
    assert not Client.objects.exists()
