"""The evidence-grade export of one client's incident log (issue 19): what it says, that a
change made behind the app's back shows in it, who may ask for it and download it, and
that building it costs the same number of queries however long the log is."""

from __future__ import annotations

import csv
import io
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments import tasks
from assessments.models import IncidentVersion, LogExport
from assessments.services import log_exports as services
from assessments.services.evidence import add_evidence
from assessments.services.incidents import amend_incident
from assessments.services.log_export_build import build_log_files
from tests import factories

pytestmark = pytest.mark.django_db

Status = LogExport.Status


def pdftotext(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode("utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme Quarry Ltd")


@pytest.fixture
def log(acme, staff, owner):
    """Two incidents of Acme, the second amended once and with a file; and another client's
    incident between them in the business's chain."""
    contact = factories.contact(acme, name="Wendy Wolfe")
    first = factories.incident(
        acme,
        by=staff,
        contact=contact,
        category="verbal_abuse",
        severity="high",
        description="Shouted at Stan on the phone.",
    )
    factories.incident(factories.client(acme.business, name="Other Co"), by=staff)
    second = factories.incident(acme, by=staff, description="Asked for a free extra page.")
    second = amend_incident(
        second, author=owner, reason="Wrong day recorded", description="Asked for two pages."
    )
    evidence = add_evidence(
        second,
        SimpleUploadedFile("their-email.txt", b"Please add two pages for free.\n", "text/plain"),
        uploaded_by=staff,
    )
    return first, second, evidence


def export_for(client, user) -> LogExport:
    export, created = services.request_log_export(client, user=user)
    assert created
    return export


def built(client, user) -> LogExport:
    export = export_for(client, user)
    assert tasks.build_log_export.run(export.pk) == "ready"
    export.refresh_from_db()
    return export


def csv_rows(export: LogExport) -> list[list[str]]:
    data = export.csv.open("rb").read()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM, for spreadsheets
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def pdf_text(export: LogExport) -> str:
    data = export.pdf.open("rb").read()
    assert data.startswith(b"%PDF-")
    return flat(pdftotext(data))


# --- What it says -----------------------------------------------------------------------


def test_the_pdf_has_every_version_every_file_and_the_chain_result(acme, owner, log):
    first, second, evidence = log
    export = built(acme, owner)
    assert export.status == Status.READY and export.chain_ok is True
    assert export.version_count == 3 and export.finished_at is not None
    text = pdf_text(export)
    for words in (
        "Acme Quarry Ltd",
        "Alpha Studio",
        "Olga Owner",  # who asked for it
        f"Incident #{first.number}",
        f"Incident #{second.number}",
        "Original record",
        "Version 2",
        "Shouted at Stan on the phone.",
        "Asked for a free extra page.",  # version 1 of the amended incident
        "Asked for two pages.",  # and version 2
        "Wrong day recorded",
        "staff@alpha.test",
        "owner@alpha.test",
        "Verbal abuse, shouting or name-calling",  # labels, not codes
        "High",
        "Wendy Wolfe",
        "their-email.txt",
        "Intact. Every version of this client's incidents matches its SHA-256",
    ):
        assert words in text, words
    assert "verbal_abuse" not in text and "Other Co" not in text
    # Hashes may wrap at the end of a line: compare without the breaks.
    squeezed = text.replace(" ", "")
    assert evidence.sha256 in squeezed
    for version in IncidentVersion.objects.filter(incident__client=acme):
        assert version.hash in squeezed


def test_the_csv_has_every_version_every_file_and_the_chain_result(acme, owner, log):
    first, second, evidence = log
    rows = csv_rows(built(acme, owner))
    summary = dict(row for row in rows[:9] if len(row) == 2)
    assert summary["Client"] == "Acme Quarry Ltd" and summary["Versions"] == "3"
    assert summary["Chain check"].startswith("Intact.")
    header = rows.index(next(r for r in rows if r[:2] == ["Incident", "Version"]))
    versions = []
    for row in rows[header + 1 :]:
        if not row:
            break
        versions.append(dict(zip(rows[header], row, strict=True)))
    assert [(v["Incident"], v["Version"]) for v in versions] == [
        (f"#{first.number}", "1"),
        (f"#{second.number}", "1"),
        (f"#{second.number}", "2"),
    ]
    assert versions[0]["What kind of incident"] == "Verbal abuse, shouting or name-calling"
    assert versions[0]["Recorded by"] == "staff@alpha.test"
    assert versions[2]["Reason for the amendment"] == "Wrong day recorded"
    assert versions[2]["What happened"] == "Asked for two pages."
    assert all(v["Chain check"] == "Intact" for v in versions)
    stored = IncidentVersion.objects.get(incident=second, version=2)
    assert versions[2]["SHA-256 of this version"] == stored.hash
    assert versions[2]["Recorded at (UTC)"] == stored.created.isoformat()
    files = [r for r in rows if "their-email.txt" in r]
    assert files and evidence.sha256 in files[0] and str(evidence.size) in files[0]


def test_a_row_changed_behind_the_apps_back_shows_as_broken(acme, owner, log):
    first, second, _evidence = log
    tampered = IncidentVersion.objects.get(incident=first, version=1)
    content = {**tampered.content, "description": "Nothing happened, really."}
    IncidentVersion.objects.filter(pk=tampered.pk).update(content=content)

    export = built(acme, owner)
    assert export.chain_ok is False
    sentence = (
        f"Incident #{first.number}, version 1: changed outside the app (its content no "
        "longer matches its SHA-256)."
    )
    text = pdf_text(export)
    # The version is altered, and the incident as shown no longer matches its latest version.
    assert "Broken. 2 problems were found in this client's records" in text
    assert sentence in text
    assert "Broken: changed outside the app" in text

    rows = csv_rows(export)
    assert rows[8][1].startswith("Broken. 2 problems")
    assert ["", sentence] in rows
    broken = [r for r in rows if r[:2] == [f"#{first.number}", "1"]]
    assert broken[0][-1].startswith("Broken: changed outside the app")
    intact = [r for r in rows if r[:2] == [f"#{second.number}", "2"]]
    assert intact[0][-1] == "Intact"


def test_a_deleted_version_is_named(acme, owner, log):
    _first, second, _evidence = log
    # Behind the app's back: a raw DELETE (the model refuses to delete versions).
    IncidentVersion.objects.filter(incident=second, version=1)._raw_delete("default")
    export = built(acme, owner)
    assert export.chain_ok is False
    text = pdf_text(export)
    assert f"Incident #{second.number}, version 1: missing (it was deleted)." in text


def test_another_clients_problem_is_counted_not_shown(acme, owner, log, business):
    other = IncidentVersion.objects.get(incident__client__name="Other Co")
    IncidentVersion.objects.filter(pk=other.pk).update(reason="Edited in the database")
    export = built(acme, owner)
    assert export.chain_ok is True
    text = pdf_text(export)
    assert "The rest of the business's chain has 1 problem outside this client's records." in text
    assert "Edited in the database" not in text


def test_the_export_is_in_the_owners_language(acme, owner, log):
    owner.language = "el"
    owner.save(update_fields=["language"])
    export = built(acme, owner)
    assert export.language == "el"
    text = pdf_text(export)
    assert "Λεκτική βία, φωνές ή βρισιές" in text, text[:2000]  # the category's Greek label
    assert "Verbal abuse" not in text
    rows = csv_rows(export)
    assert rows[2][0] != "Client" and rows[2][1] == "Acme Quarry Ltd"


def test_russian_export_words_the_chain_in_russian(acme, owner, log):
    owner.language = "ru"
    owner.save(update_fields=["language"])
    text = pdf_text(built(acme, owner))
    assert "Intact." not in text and "Original record" not in text
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)


def test_a_client_with_no_incidents_gets_an_empty_intact_log(business, owner):
    quiet = factories.client(business, name="Quiet Ltd")
    export = built(quiet, owner)
    assert export.chain_ok is True and export.version_count == 0
    assert "No incidents are recorded for this client." in pdf_text(export)


def test_building_costs_the_same_queries_at_two_sizes(
    acme, owner, staff, log, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    export = export_for(acme, owner)
    with CaptureQueriesContext(connection) as small:
        build_log_files(export.pk)
    for n in range(6):
        incident = factories.incident(acme, by=staff, description=f"More trouble {n}")
        amend_incident(incident, author=owner, reason="typo", description=f"Trouble {n}")
        add_evidence(
            incident, SimpleUploadedFile(f"f{n}.txt", b"x\n", "text/plain"), uploaded_by=staff
        )
    again = LogExport.objects.create(
        business=acme.business, client=acme, requested_by=owner, language="en", status="failed"
    )
    with django_assert_num_queries(len(small.captured_queries)):
        build_log_files(again.pk)


# --- Asking for it, once ---------------------------------------------------------------


def test_asking_twice_while_pending_gives_the_same_export(acme, owner):
    first, created = services.request_log_export(acme, user=owner)
    second, created_again = services.request_log_export(acme, user=owner)
    assert created and not created_again and first.pk == second.pk
    assert LogExport.objects.filter(client=acme).count() == 1


def test_a_new_export_once_the_last_is_ready(acme, owner, log):
    built(acme, owner)
    _export, created = services.request_log_export(acme, user=owner)
    assert created


def test_the_task_runs_once(acme, owner, log):
    export = built(acme, owner)
    name = export.pdf.name
    assert tasks.build_log_export.run(export.pk) == "already ready"
    export.refresh_from_db()
    assert export.pdf.name == name
    assert tasks.build_log_export.run(999_999) == "missing"


def test_a_failed_build_is_recorded_in_the_owners_language(acme, owner, monkeypatch):
    owner.language = "el"
    owner.save(update_fields=["language"])
    export = export_for(acme, owner)

    def broken(export_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(tasks, "build_log_files", broken)
    assert tasks.build_log_export.run(export.pk) == "failed"
    export.refresh_from_db()
    assert export.status == Status.FAILED
    assert "RuntimeError" in export.last_error and "could not be built" not in export.last_error


# --- The pages: owner only, own business only ------------------------------------------


def test_owner_asks_from_the_client_page_and_downloads_both(
    owner_client, acme, log, business, django_capture_on_commit_callbacks
):
    page = owner_client.get(reverse("assessments:client_detail", args=[acme.pk]))
    create = reverse("assessments:log_export_create", args=[acme.pk])
    assert create in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(create)
    export = LogExport.objects.get(client=acme)
    assert response.status_code == 302 and response["Location"] == export.get_absolute_url()
    export.refresh_from_db()
    assert export.status == Status.READY  # tasks run in-process here

    detail = owner_client.get(export.get_absolute_url()).content.decode()
    assert "data-refresh-seconds" not in detail
    client_page = owner_client.get(reverse("assessments:client_detail", args=[acme.pk]))
    assert reverse("assessments:log_export_pdf", args=[export.pk]) in client_page.content.decode()

    for name, kind in (("log_export_pdf", "application/pdf"), ("log_export_csv", "text/csv")):
        response = owner_client.get(reverse(f"assessments:{name}", args=[export.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(kind)
        assert response["Cache-Control"] == "private, no-store"
        assert "attachment" in response["Content-Disposition"]
        b"".join(response.streaming_content)
    events = AuditEvent.objects.filter(business=business, kind=AuditEvent.Kind.EXPORT)
    assert sorted(e.detail for e in events) == [
        f"incident log of Acme Quarry Ltd (CSV, export {export.pk})",
        f"incident log of Acme Quarry Ltd (PDF, export {export.pk})",
    ]


def test_a_pending_export_page_refreshes_itself(owner_client, acme, owner):
    export = export_for(acme, owner)  # its task never ran: the callback did not fire
    page = owner_client.get(export.get_absolute_url()).content.decode()
    assert 'data-refresh-seconds="3"' in page
    download = owner_client.get(reverse("assessments:log_export_pdf", args=[export.pk]))
    assert download.status_code == 404


def test_staff_get_403_and_nothing_is_made(staff_client, acme, owner, log):
    assert (
        staff_client.post(reverse("assessments:log_export_create", args=[acme.pk])).status_code
        == 403
    )
    assert not LogExport.objects.exists()
    export = built(acme, owner)
    for name in ("log_export_detail", "log_export_pdf", "log_export_csv"):
        assert staff_client.get(reverse(f"assessments:{name}", args=[export.pk])).status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_another_business_gets_404(outsider_client, acme, owner, log):
    url = reverse("assessments:log_export_create", args=[acme.pk])
    assert outsider_client.post(url).status_code == 404
    assert not LogExport.objects.exists()
    export = built(acme, owner)
    for name in ("log_export_detail", "log_export_pdf", "log_export_csv"):
        assert (
            outsider_client.get(reverse(f"assessments:{name}", args=[export.pk])).status_code == 404
        )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_anonymous_visitors_are_sent_to_log_in(anon_client, acme, owner):
    export = export_for(acme, owner)
    login = reverse("accounts:login")
    for method, url in (
        ("post", reverse("assessments:log_export_create", args=[acme.pk])),
        ("get", export.get_absolute_url()),
        ("get", reverse("assessments:log_export_csv", args=[export.pk])),
    ):
        response = getattr(anon_client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith(login)


def test_asking_needs_post(owner_client, acme):
    response = owner_client.get(reverse("assessments:log_export_create", args=[acme.pk]))
    assert response.status_code == 405
    assert not LogExport.objects.exists()


def test_staff_do_not_see_the_export_card(staff_client, acme):
    page = staff_client.get(reverse("assessments:client_detail", args=[acme.pk])).content.decode()
    assert reverse("assessments:log_export_create", args=[acme.pk]) not in page


def test_stale_pending_export_is_published_again(
    acme, owner, monkeypatch, django_capture_on_commit_callbacks
):
    export = export_for(acme, owner)
    LogExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - services.REPUBLISH_AFTER * 2
    )
    published = []
    monkeypatch.setattr(tasks, "publish_log_export", published.append)
    with django_capture_on_commit_callbacks(execute=True):
        again, created = services.request_log_export(acme, user=owner)
    assert not created and again.pk == export.pk and published == [export.pk]


def test_the_export_page_lists_the_earlier_exports(owner_client, acme, owner, log):
    first = built(acme, owner)
    second = built(acme, owner)
    page = owner_client.get(second.get_absolute_url()).content.decode()
    assert first.get_absolute_url() in page
    assert reverse("assessments:log_export_csv", args=[first.pk]) in page
    client_page = owner_client.get(reverse("assessments:client_detail", args=[acme.pk]))
    body = client_page.content.decode()
    assert second.get_absolute_url() in body and first.get_absolute_url() not in body


def test_what_an_incident_was_about_is_in_both_files(acme, owner, staff):
    work = factories.delivery(acme, title="Brochure, print files")
    bill = factories.invoice(acme, number="2026-031")
    factories.incident(acme, by=staff, category="complaint", delivery=work)
    factories.incident(acme, by=staff, category="payment_dispute", invoice=bill)
    export = built(acme, owner)
    cells = {cell for row in csv_rows(export) for cell in row}
    assert any(cell.startswith("Brochure, print files · ") for cell in cells)
    assert "2026-031" in cells
    text = flat(pdf_text(export))
    assert "Brochure, print files" in text and "2026-031" in text
