"""The PDF itself: its six sections, names in four scripts with embedded fonts only,
the chosen figures, exactly one reason in the letter, and a renderer that fetches
nothing but the project's own bundled files, whatever a user typed."""

from __future__ import annotations

import http.server
import re
import socket
import subprocess
import threading
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from pypdf import PdfReader

from assessments import pdf
from assessments.plan import default_choices
from assessments.services.plans import create_plan, load_situation
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

SECTIONS = [
    "Cover",
    "Before you act",
    "The conversation",
    "The letter",
    "Private briefing",
    "After",
]
NAMES = ["Ελένη Παπαδοπούλου", "Иван Петров", "김민준"]


def make_plan(business, owner, *, name="Ελένη Παπαδοπούλου", contact="Иван Петров", **choices):
    client = factories.client(business, name=name, has_written_contract=True)
    factories.contact(client, name=contact)
    helpers.paid_invoice(client, amount="1234.50")
    helpers.open_invoice(client, amount="800.00", due_in_days=20)
    factories.time_entry(client, minutes=300)
    factories.incident(client, by=owner, description="Shouted about the invoice.")
    assessment = helpers.completed_assessment(client)
    defaults = default_choices(load_situation(assessment))
    defaults.update({"provider_kind": "a larger agency", **choices})
    partners = [helpers.partner(business, name="Nordic Design Co.")]
    return create_plan(assessment=assessment, choices=defaults, partners=partners, user=owner)


def pdftotext(data: bytes, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


def pdffonts(data: bytes, tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "plan.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    return [line.split() for line in out.stdout.splitlines()[2:] if line.strip()]


def day(value) -> str:
    return date_format(value, "DATE_FORMAT")


@pytest.mark.parametrize("name", NAMES)
def test_sections_names_and_embedded_fonts(business, owner, name, tmp_path):
    plan = make_plan(business, owner, name=name, contact=name)
    data = pdf.render_plan_pdf(plan)
    assert data.startswith(b"%PDF-")
    text = pdftotext(data)
    flat = " ".join(text.split())
    for number, title in enumerate(SECTIONS, start=1):
        assert f"{number}. {title}" in flat or f"{number}. {title.upper()}" in flat, title
    # The name round-trips through the PDF's text layer: every glyph came from a font
    # that has it (a fallback box would extract as something else, or nothing).
    assert name in text
    assert f"Dear {name}," in text
    fonts = pdffonts(data, tmp_path)
    assert fonts, "no fonts listed"
    for row in fonts:
        font_name, emb = row[0], row[-5]
        assert emb == "yes", row
        assert "Noto-Sans" in font_name, row  # only the bundled families, no fallback face
    if name == "김민준":
        assert any("KR-Hangul" in row[0] for row in fonts)


def test_the_chosen_figures_and_dates_are_in_the_pdf(business, owner):
    plan = make_plan(business, owner, goodwill="refund_last")
    text = " ".join(pdftotext(pdf.render_plan_pdf(plan)).split())
    assert "refunding invoice" in text and "€1,234.50" in text
    assert "Collect before you announce: €800" in text
    assert day(plan.announce_on) in text
    assert day(plan.notice_ends_on) in text
    assert "Nordic Design Co." in text and "a larger agency" in text
    assert "Revenue against cost to serve, by month" in text
    assert "Days late per invoice" in text
    assert "Shouted about the invoice." in text  # the private briefing lists the incidents


def test_draft_mark_on_every_page_while_cooling_off(business, owner):
    client = factories.client(business, name="Cool Off Ltd")
    assessment = helpers.completed_assessment(client, cooling_off=True)
    choices = default_choices(load_situation(assessment))
    choices["provider_kind"] = "anyone"
    plan = create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    reader = PdfReader(BytesIO(pdf.render_plan_pdf(plan)))
    mark = f"DRAFT: cooling-off until {day(assessment.act_not_before)}"
    assert len(reader.pages) >= 5
    for page in reader.pages:
        assert mark in " ".join(page.extract_text().split())
    # Once cooling-off is over, no page says DRAFT.
    assessment.act_not_before = timezone.localdate()
    assessment.save(update_fields=["act_not_before"])
    text = pdftotext(pdf.render_plan_pdf(plan))
    assert "DRAFT" not in text


def _letter_html(plan) -> str:
    html = pdf.plan_html(plan)
    return re.search(r'<section id="letter".*?</section>', html, re.S).group(0)


def test_the_letter_gives_exactly_one_reason(business, owner):
    plan = make_plan(business, owner)
    chosen = helpers.SLOW["facts"][0]["text"]
    others = [f["text"] for f in helpers.UNPROFITABLE["facts"] + helpers.COMPLAINS["facts"]]
    letter = _letter_html(plan)
    assert chosen in letter
    for fact in others:
        assert fact not in letter
    # The same in the PDF: the letter's page holds the chosen fact and no other one.
    reader = PdfReader(BytesIO(pdf.render_plan_pdf(plan)))
    pages = [" ".join(p.extract_text().split()) for p in reader.pages]
    letter_page = next(p for p in pages if "4. The letter" in p)
    assert chosen in letter_page
    assert not any(fact in letter_page for fact in others)
    # ...while the private briefing has every documented fact.
    briefing = " ".join(p for p in pages if "PRIVATE BRIEFING" in p)
    assert all(fact in briefing for fact in others)


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server API
        type(self).hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def listening_server():
    _CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _CountingHandler.hits
    server.shutdown()
    server.server_close()


def _hostile(port: int) -> str:
    return (
        f'<img src="http://127.0.0.1:{port}/img.png"> '
        f'<link rel=stylesheet href="http://127.0.0.1:{port}/x.css"> '
        "<link rel=stylesheet href=file:///etc/passwd> "
        '<div style="background: url(file:///etc/passwd)">x</div> '
        f"<style>@import url(http://127.0.0.1:{port}/i.css); "
        "body { background: url(file:///etc/passwd) }</style>"
        '<object data="file:///etc/passwd"></object>'
    )


def test_user_text_fetches_nothing_and_reads_no_file(business, owner, listening_server):
    port, hits = listening_server
    hostile = _hostile(port)
    plan = make_plan(
        business,
        owner,
        name=f"Evil <b>Client</b> {hostile}"[:200],
        reason_fact=f"They said: {hostile}"[:2000],
        provider_kind=f"<img src=http://127.0.0.1:{port}/p.png>",
        private_notes=hostile + " url(file:///etc/passwd)",
    )
    data = pdf.render_plan_pdf(plan)
    assert hits == []
    text = pdftotext(data)
    assert "root:" not in text
    # The markup is shown as the text it is.
    flat = " ".join(text.split())
    assert "<img src=" in flat and "<b>Client</b>" in flat
    assert "url(file:///etc/passwd)" in flat


def test_the_renderer_itself_refuses_everything_but_bundled_files(listening_server):
    """Defence in depth: even raw, unescaped HTML gets nothing from outside static/."""
    port, hits = listening_server
    html = f"<html><body><p>Hello</p>{_hostile(port)}</body></html>"
    data = pdf.render_html(html)
    assert hits == []
    assert "root:" not in pdftotext(data)
    assert "Hello" in pdftotext(data)


FONT = Path(settings.BASE_DIR, "static", "fonts", "NotoSans-Regular.ttf")


@pytest.mark.parametrize(
    "url",
    [
        FONT.as_uri(),
        "cr-static:fonts/NotoSans-Regular.ttf",
        "cr-static:/css/pdf.css",
        "file://localhost" + str(Path(settings.BASE_DIR, "static", "css", "pdf-fonts.css")),
    ],
)
def test_fetcher_serves_bundled_fonts_and_stylesheets(url):
    response = pdf.BundledFilesOnly().fetch(url)
    assert response.read()[:4] in (b"\x00\x01\x00\x00", b"/*\n ", b"/*\n *")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.css",
        "https://example.com/font.ttf",
        "ftp://example.com/x",
        "data:text/css,body{}",
        "file:///etc/passwd",
        "file:///etc/ssl/certs/../../passwd",
        "file://" + str(Path(settings.BASE_DIR, "static", "..", "manage.py")),
        "file://" + str(Path(settings.BASE_DIR, "clientreview", "settings.py")),
        "file://example.com" + str(FONT),
        "cr-static:../manage.py",
        "cr-static:../../../../etc/passwd",
        "cr-static:js/app.js",
        "cr-static:fonts/missing.ttf",
        "cr-static:fonts",
        "javascript:alert(1)",
        "/etc/passwd",
    ],
)
def test_fetcher_refuses_everything_else(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.BundledFilesOnly().fetch(url)


def test_fetcher_refuses_a_symlink_out_of_static(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "evil.css").symlink_to("/etc/passwd")
    monkeypatch.setattr(pdf, "STATIC_DIR", static.resolve())
    with pytest.raises(pdf.RefusedURL):
        pdf.bundled_path((static / "evil.css").as_uri())


def test_no_socket_is_opened_while_rendering(business, owner, monkeypatch):
    plan = make_plan(business, owner, private_notes="<img src=http://example.com/x.png>")
    html = pdf.plan_html(plan)

    def refuse(*args, **kwargs):
        raise AssertionError("the renderer opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert pdf.render_html(html).startswith(b"%PDF-")


def test_plan_html_is_in_the_business_time_zone(business, owner):
    business.time_zone = "Asia/Seoul"
    business.save(update_fields=["time_zone"])
    plan = make_plan(business, owner)
    html = pdf.plan_html(plan)
    today = timezone.localdate(timezone=business.tzinfo)
    assert day(today) in html
    assert Decimal("0") <= plan.goodwill_amount
    assert plan.announce_on >= today + timedelta(days=1)


def test_expenses_are_in_the_pdf_figures(business, owner):
    from assessments.models import Expense

    client = factories.client(business, name="Spends a Lot", has_written_contract=True)
    helpers.paid_invoice(client, amount="1000.00")
    factories.time_entry(client, minutes=90, cost_rate=Decimal("45.00"))
    Expense.objects.create(
        business=business,
        client=client,
        date=timezone.localdate() - timedelta(days=5),
        amount=Decimal("202.50"),
        note="Materials",
    )
    assessment = helpers.completed_assessment(client)
    choices = default_choices(load_situation(assessment))
    plan = create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    flat = " ".join(pdftotext(pdf.render_plan_pdf(plan)).split())
    # 90 minutes at 45/h is 67.50 exactly; with the expense, 270.00.
    figures = flat[flat.index("The figures (last 12 months)") :][:200]
    assert "Cost to serve" in figures and "of which expenses" in figures
    assert "€270" in figures and "€202.50" in figures and "Profit €730" in figures
