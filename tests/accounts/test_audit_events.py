"""The audit log records every security- and evidence-relevant event, in the actor's business.

Each event is done the way a person does it (through the page), then the log is read
three ways: the owner sees it on the audit page, staff may not open the audit page
(403), and the outsider's business log never receives business A's events. Where an
event is owner-only, staff and the outsider try it too and nothing is recorded.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import AuditEvent, Invitation
from accounts.services import invite_member
from tests import factories
from tests.plans import helpers as plan_helpers

pytestmark = pytest.mark.django_db

AUDIT = reverse("accounts:audit_log")
NEW_PASSWORD = "Sturdy-Quarry-Passphrase-2031"


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _client_fields(name: str) -> dict:
    return {
        "name": name,
        "client_since": _day(-400),
        "status": "active",
        "billing_model": "fixed",
        "payment_terms_days": "45",
        "referrals_sent": "0",
        "notes": "Moved to 45-day terms.",
    }


def _events(business, kind: str):
    return AuditEvent.objects.filter(business=business, kind=kind)


def _assert_only_in_a(kind, business, other_business, actor, detail=""):
    events = list(_events(business, kind))
    assert len(events) == 1, f"{kind}: {len(events)} events"
    assert events[0].actor == actor and events[0].actor_email == actor.email
    assert detail in events[0].detail
    assert not _events(other_business, kind).exists()


def _owner_sees_it(owner_client, kind: str, detail: str) -> None:
    page = owner_client.get(AUDIT).content.decode()
    assert str(AuditEvent.Kind(kind).label) in page
    if detail:
        assert detail in page


@pytest.fixture(autouse=True)
def _personas(owner, staff, outsider):
    """Every test has all three people in place, so 'only in A' means something."""


# --- events about a person: each of them may do it --------------------------------


@pytest.mark.parametrize("who", ["owner", "staff", "outsider"])
def test_logout_is_recorded_in_the_persons_own_businesses(request, who, business, other_business):
    user = request.getfixturevalue(who)
    http = request.getfixturevalue(f"{who}_client")
    http.post(reverse("accounts:logout"))
    home, away = (other_business, business) if who == "outsider" else (business, other_business)
    _assert_only_in_a(AuditEvent.Kind.LOGOUT, home, away, user)


@pytest.mark.parametrize("who", ["owner", "staff", "outsider"])
def test_password_change_is_recorded(request, who, business, other_business):
    user = request.getfixturevalue(who)
    user.set_password("Old-Password-For-Testing-1")
    user.save()
    http = request.getfixturevalue(f"{who}_client")
    http.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = http.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Old-Password-For-Testing-1",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    home, away = (other_business, business) if who == "outsider" else (business, other_business)
    _assert_only_in_a(AuditEvent.Kind.PASSWORD_CHANGED, home, away, user)


def test_wrong_old_password_records_no_change(owner_client, business):
    owner_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert not _events(business, AuditEvent.Kind.PASSWORD_CHANGED).exists()


@pytest.mark.parametrize("who", ["owner", "staff", "outsider"])
def test_password_reset_request_and_reset_are_recorded(
    request, who, anon_client, business, other_business
):
    user = request.getfixturevalue(who)
    anon_client.post(reverse("accounts:password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    home, away = (other_business, business) if who == "outsider" else (business, other_business)
    _assert_only_in_a(AuditEvent.Kind.PASSWORD_RESET_REQUESTED, home, away, user)

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = anon_client.get(reverse("accounts:password_reset_confirm", args=[uid, token]))
    response = anon_client.post(
        link["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    _assert_only_in_a(AuditEvent.Kind.PASSWORD_RESET, home, away, user)


def test_reset_request_for_an_unknown_address_records_nothing(anon_client):
    anon_client.post(reverse("accounts:password_reset"), {"email": "nobody@nowhere.test"})
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PASSWORD_RESET_REQUESTED).exists()


# --- owner-only events: owner records it, staff 403 and outsider 404 record nothing -------


def _revoke(business, owner):
    invitation = invite_member(business=business, email="new.hire@alpha.test", invited_by=owner)
    return reverse("accounts:revoke_invitation", args=[invitation.pk]), {}, "new.hire@alpha.test"


def _client_edit(business, owner):
    client = factories.client(
        business,
        name="Northwind Traders",
        client_since=timezone.localdate() - timedelta(days=400),
        billing_model="fixed",
        notes="Moved to 45-day terms.",
    )
    url = reverse("assessments:client_edit", args=[client.pk])
    data = {**_client_fields("Northwind Traders"), "client_since": client.client_since.isoformat()}
    return url, data, "payment_terms_days"


def _invoice_edit(business, owner):
    client = factories.client(business, name="Harbour Cafe")
    invoice = factories.invoice(client, number="HC-7")
    data = {
        "number": "HC-7",
        "issued_on": invoice.issued_on.isoformat(),
        "due_on": invoice.due_on.isoformat(),
        "amount": "1100.00",
        "paid_on": "",
        "dispute_note": "",
        "discount_pushed": "",
    }
    return reverse("assessments:invoice_edit", args=[invoice.pk]), data, "HC-7 (Harbour Cafe): "


def _invoice_paid(business, owner):
    client = factories.client(business, name="Harbour Cafe")
    invoice = factories.invoice(client, number="HC-8")
    url = reverse("assessments:invoice_mark_paid", args=[invoice.pk])
    return url, {"paid_on": _day(-1)}, "HC-8 (Harbour Cafe): paid on"


def _import(business, owner):
    factories.client(business, name="Existing Co")
    rows = [
        ["Client", "Invoice number", "Issue date", "Amount"],
        ["Existing Co", "IMP-1", _day(-40), "100"],
        ["Existing Co", "IMP-2", _day(-30), "200"],
        ["Brand New Ltd", "IMP-3", _day(-20), "300"],
    ]
    body = "\n".join(",".join(row) for row in rows) + "\n"
    return (
        reverse("assessments:import_upload"),
        {"file": SimpleUploadedFile("invoices.csv", body.encode(), "text/csv")},
        "3 invoices for 2 clients (1 new)",
    )


def _plan_finalise(business, owner):
    from assessments.plan import default_choices
    from assessments.services import plans as plan_services

    client = factories.client(business, name="Fire Me Ltd")
    assessment = plan_helpers.completed_assessment(client)
    choices = default_choices(plan_services.load_situation(assessment))
    choices["provider_kind"] = "a larger agency"
    plan = plan_services.create_plan(
        assessment=assessment, choices=choices, partners=[], user=owner
    )
    return reverse("assessments:plan_finalise", args=[plan.pk]), {}, "Fire Me Ltd"


OWNER_ONLY = [
    (AuditEvent.Kind.INVITATION_REVOKED, _revoke),
    (AuditEvent.Kind.CLIENT_EDITED, _client_edit),
    (AuditEvent.Kind.INVOICE_EDITED, _invoice_edit),
    (AuditEvent.Kind.INVOICE_EDITED, _invoice_paid),
    (AuditEvent.Kind.IMPORTED, _import),
    (AuditEvent.Kind.PLAN_FINALISED, _plan_finalise),
]


def _do(http, url, data, kind):
    if kind == AuditEvent.Kind.IMPORTED:
        preview = http.post(url, data)
        if preview.status_code != 200:
            return preview
        rows = re.search(r'name="rows" value="([^"]+)"', preview.content.decode()).group(1)
        return http.post(reverse("assessments:import_confirm"), {"rows": rows})
    return http.post(url, data)


@pytest.mark.parametrize(("kind", "arrange"), OWNER_ONLY, ids=lambda v: getattr(v, "__name__", v))
def test_owner_only_event(
    kind, arrange, owner, staff_client, outsider_client, owner_client, business, other_business
):
    url, data, detail = arrange(business, owner)

    assert _do(staff_client, url, data, kind).status_code == 403
    if kind != AuditEvent.Kind.IMPORTED:
        # The import URL names no object of A: an outsider importing imports into B.
        assert _do(outsider_client, url, data, kind).status_code == 404
    assert not AuditEvent.objects.filter(kind=kind).exists()

    if "file" in data:
        data["file"].seek(0)
    response = _do(owner_client, url, data, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    _assert_only_in_a(kind, business, other_business, owner, detail)
    _owner_sees_it(owner_client, kind, detail)
    assert staff_client.get(AUDIT).status_code == 403
    assert detail not in outsider_client.get(AUDIT).content.decode()


def test_revoked_invitation_link_no_longer_works(
    owner_client, owner, business, anon_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(business=business, email="late@alpha.test", invited_by=owner)
    token = re.search(r"/invitation/([^/]+)/", mail.outbox[-1].body).group(1)
    invitation = Invitation.objects.get(email="late@alpha.test")
    owner_client.post(reverse("accounts:revoke_invitation", args=[invitation.pk]))
    assert anon_client.get(reverse("accounts:accept_invitation", args=[token])).status_code == 410


# --- time: every member logs time; staff edit only their own ---------------------------


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_time_edit_is_recorded_for_the_member_who_edits(
    request, who, business, other_business, owner_client
):
    user = request.getfixturevalue(who)
    http = request.getfixturevalue(f"{who}_client")
    client = factories.client(business, name="Bakery Row")
    entry = factories.time_entry(client, user=user, minutes=60)
    data = {"date": entry.date.isoformat(), "duration": "90", "kind": "billable", "user": user.pk}
    response = http.post(reverse("assessments:time_edit", args=[entry.pk]), data)
    assert response.status_code == 302
    _assert_only_in_a(AuditEvent.Kind.TIME_EDITED, business, other_business, user, "Bakery Row")
    _owner_sees_it(owner_client, AuditEvent.Kind.TIME_EDITED, "Bakery Row")


def test_time_edit_by_outsider_records_nothing(outsider_client, business, owner):
    entry = factories.time_entry(factories.client(business), user=owner)
    data = {"date": entry.date.isoformat(), "duration": "90", "kind": "billable"}
    assert (
        outsider_client.post(reverse("assessments:time_edit", args=[entry.pk]), data).status_code
        == 404
    )
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TIME_EDITED).exists()


def test_bad_edit_records_nothing(owner_client, business):
    client = factories.client(business, name="Northwind Traders")
    data = _client_fields("")
    response = owner_client.post(reverse("assessments:client_edit", args=[client.pk]), data)
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CLIENT_EDITED).exists()


def test_portfolio_export_is_recorded(owner_client, staff_client, business, other_business, owner):
    factories.client(business, name="Exported Ltd")
    url = reverse("assessments:portfolio_csv")
    assert staff_client.get(url).status_code == 403
    response = owner_client.get(url)
    b"".join(response.streaming_content)
    _assert_only_in_a(AuditEvent.Kind.EXPORT, business, other_business, owner)


def test_letter_sent_is_a_kind_the_log_can_show():
    # Recorded by the letter delivery (issue 17); the kind and its label live here.
    assert AuditEvent.Kind.LETTER_SENT.label == "Letter sent"


@pytest.mark.parametrize("fmt", ["pdf", "csv"])
def test_log_export_download_is_recorded_for_the_owner_only(
    fmt, owner, owner_client, staff_client, outsider_client, business, other_business
):
    from assessments import tasks
    from assessments.services.log_exports import request_log_export

    client = factories.client(business, name="Evidence Ltd")
    factories.incident(client, by=owner, description="Shouted at the designer.")
    export, _created = request_log_export(client, user=owner)
    assert tasks.build_log_export.run(export.pk) == "ready"
    url = reverse(f"assessments:log_export_{fmt}", args=[export.pk])
    detail = f"incident log of Evidence Ltd ({fmt.upper()}, export {export.pk})"

    assert staff_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()

    response = owner_client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    _assert_only_in_a(AuditEvent.Kind.EXPORT, business, other_business, owner, detail)
    _owner_sees_it(owner_client, AuditEvent.Kind.EXPORT, detail)
    assert staff_client.get(AUDIT).status_code == 403
    assert detail not in outsider_client.get(AUDIT).content.decode()
