"""Plan and partner pages: the persona matrix, the happy paths, bad input, and acting on
a plan (finalise after cooling-off, record the exit)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments import tasks
from assessments.models import Client, OffboardingPlan, ReferralPartner
from assessments.plan import default_choices
from assessments.services import plans as services
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

Status = OffboardingPlan.Status


@pytest.fixture
def acme(business):
    client = factories.client(business, name="Ελένη Παπαδοπούλου")
    factories.contact(client, name="Иван Петров")
    helpers.paid_invoice(client)
    return client


@pytest.fixture
def fire(acme):
    return helpers.completed_assessment(acme)


@pytest.fixture
def plan(fire, owner):
    choices = default_choices(services.load_situation(fire))
    choices["provider_kind"] = "a larger agency"
    return services.create_plan(assessment=fire, choices=choices, partners=[], user=owner)


@pytest.fixture
def ready_plan(plan):
    """Ready, with a small stand-in file (the real build is tested in test_task/test_pdf)."""
    name = default_storage.save(services.plan_file_name(plan), ContentFile(b"%PDF-1.7 plan"))
    OffboardingPlan.objects.filter(pk=plan.pk).update(
        status=Status.READY, file=name, built_at=timezone.now(), attempts=1
    )
    plan.refresh_from_db()
    return plan


@pytest.fixture
def partner(business):
    return helpers.partner(business)


# (url name, HTTP method, which object's pk the URL takes)
OWNER_ONLY = [
    ("assessments:partner_list", "get", None),
    ("assessments:partner_create", "get", None),
    ("assessments:partner_create", "post", None),
    ("assessments:partner_edit", "get", "partner"),
    ("assessments:partner_edit", "post", "partner"),
    ("assessments:partner_delete", "post", "partner"),
    ("assessments:plan_list", "get", None),
    ("assessments:plan_create", "get", "fire"),
    ("assessments:plan_create", "post", "fire"),
    ("assessments:plan_detail", "get", "ready_plan"),
    ("assessments:plan_edit", "get", "ready_plan"),
    ("assessments:plan_edit", "post", "ready_plan"),
    ("assessments:plan_retry", "post", "ready_plan"),
    ("assessments:plan_download", "get", "ready_plan"),
    ("assessments:plan_finalise", "post", "ready_plan"),
    ("assessments:plan_exit", "post", "ready_plan"),
]


def _url(request, name, obj):
    if obj is None:
        return reverse(name)
    return reverse(name, args=[request.getfixturevalue(obj).pk])


@pytest.mark.parametrize("name,method,obj", OWNER_ONLY, ids=[f"{n}-{m}" for n, m, _o in OWNER_ONLY])
def test_persona_matrix(
    request, name, method, obj, anon_client, staff_client, outsider_client, owner_client
):
    url = _url(request, name, obj)
    before = (OffboardingPlan.objects.count(), ReferralPartner.objects.count())
    response = getattr(anon_client, method)(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert getattr(staff_client, method)(url).status_code == 403
    if obj is not None:
        assert getattr(outsider_client, method)(url).status_code == 404
    assert (OffboardingPlan.objects.count(), ReferralPartner.objects.count()) == before
    if method == "get":
        assert owner_client.get(url).status_code == 200


def test_outsider_lists_show_nothing_of_business_a(outsider_client, ready_plan, partner):
    assert (
        ready_plan.client.name
        not in outsider_client.get(reverse("assessments:plan_list")).content.decode()
    )
    assert (
        partner.name
        not in outsider_client.get(reverse("assessments:partner_list")).content.decode()
    )


def test_mutations_refuse_get(owner_client, ready_plan, partner):
    for name, pk in [
        ("assessments:plan_retry", ready_plan.pk),
        ("assessments:plan_finalise", ready_plan.pk),
        ("assessments:plan_exit", ready_plan.pk),
        ("assessments:partner_delete", partner.pk),
    ]:
        assert owner_client.get(reverse(name, args=[pk])).status_code == 405


# --- partners -------------------------------------------------------------------------


def test_partner_create_edit_delete(owner_client, business):
    response = owner_client.post(
        reverse("assessments:partner_create"),
        {"name": "Βασίλης Design", "speciality": "branding", "contact": "v@example.test"},
    )
    assert response.status_code == 302
    partner = ReferralPartner.objects.get(business=business)
    assert partner.name == "Βασίλης Design"
    response = owner_client.post(
        reverse("assessments:partner_edit", args=[partner.pk]),
        {"name": "Βασίλης Studio", "speciality": "", "contact": ""},
    )
    partner.refresh_from_db()
    assert response.status_code == 302 and partner.name == "Βασίλης Studio"
    owner_client.post(reverse("assessments:partner_delete", args=[partner.pk]))
    assert not ReferralPartner.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{"name": ""}, {"name": "x" * 201}, {"name": "a\x00b"}, {"name": "ok", "contact": "c" * 301}],
)
def test_partner_bad_input_saves_nothing(owner_client, data):
    response = owner_client.post(reverse("assessments:partner_create"), data)
    assert response.status_code == 400
    assert not ReferralPartner.objects.exists()


def test_a_partner_named_in_a_plan_stays(owner_client, plan, partner):
    plan.partners.add(partner)
    response = owner_client.post(
        reverse("assessments:partner_delete", args=[partner.pk]), follow=True
    )
    assert ReferralPartner.objects.filter(pk=partner.pk).exists()
    assert "stays in the list" in response.content.decode()


def test_partner_list_queries_do_not_grow(owner_client, business, django_assert_num_queries):
    helpers.partner(business)
    url = reverse("assessments:partner_list")
    owner_client.get(url)  # warm up: the first request of a session loads more
    with CaptureQueriesContext(connection) as one:
        owner_client.get(url)
    for i in range(49):
        helpers.partner(business, name=f"Partner {i}")
    with django_assert_num_queries(len(one.captured_queries)):
        owner_client.get(url)


# --- the plan form ----------------------------------------------------------------------


def test_form_shows_the_defaults(owner_client, fire):
    page = owner_client.get(reverse("assessments:plan_create", args=[fire.pk])).content.decode()
    # The fact the letter will say, for the owner to read and edit; not the statistic.
    textarea = re.search(r'<textarea name="reason_fact"[^>]*>(.*?)</textarea>', page, re.S)
    assert (
        textarea.group(1)
        .strip()
        .startswith("Our invoices have often been paid well after the agreed date")
    )
    assert "What the letter would say for each reason" in page
    assert 'value="slow_to_pay"' in page and "checked" in page
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert f'value="{tomorrow}"' in page


def test_owner_saves_a_plan_and_it_is_built(
    owner_client, fire, partner, django_capture_on_commit_callbacks
):
    data = helpers.plan_post(provider_kind="", goodwill="refund_last")
    data["partners"] = [str(partner.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    plan = OffboardingPlan.objects.get(assessment=fire)
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.status == Status.READY and plan.file
    assert list(plan.partners.all()) == [partner]
    assert plan.goodwill == "refund_last" and plan.goodwill_invoice is not None
    assert plan.goodwill_amount == plan.goodwill_invoice.amount
    assert plan.created_by is not None and plan.attempts == 1


def test_the_owner_previews_the_edited_letter_and_nothing_is_saved(owner_client, fire):
    edited = "On 3 March you asked for the fourth redesign in a month."
    data = helpers.plan_post(reason_fact=edited, preview="1")
    response = owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview of the letter" in page and edited in page
    assert "Dear Иван Петров," in page and "I no longer think our services meet your needs" in page
    assert not OffboardingPlan.objects.exists()
    # Saving the same data builds the plan with the edited fact.
    data.pop("preview")
    owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    assert OffboardingPlan.objects.get(assessment=fire).reason_fact == edited


def test_a_preview_of_bad_input_is_a_form_error(owner_client, fire):
    data = helpers.plan_post(reason_fact="", preview="1")
    response = owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    assert response.status_code == 400
    assert "Preview of the letter" not in response.content.decode()
    assert not OffboardingPlan.objects.exists()


def test_the_defaults_alone_save_a_plan(owner_client, fire):
    """What the form shows, posted back unchanged, is a valid plan (no referral typed)."""
    from assessments.plan import default_choices as defaults_of

    d = defaults_of(services.load_situation(fire))
    data = {k: ("on" if v is True else str(v)) for k, v in d.items() if v not in (None, False, [])}
    response = owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    assert OffboardingPlan.objects.get(assessment=fire).goodwill == "none"  # slow to pay


@pytest.mark.parametrize(
    "changes",
    [
        {"reason_fact": ""},
        {"provider_kind": ""},
        {"announce_on": "not a date"},
        {"announce_on": "2026-13-01"},
        {"notice_days": "-3"},
        {"goodwill": "cancel_open"},
        {"goodwill": "waive_fee", "goodwill_amount": "1e400"},
        {"goodwill_amount": "abc"},
        {"private_notes": "n" * 10001},
        {"method": "smoke_signal"},
        {"reason_flag": "<script>alert(1)</script>"},
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(owner_client, fire, changes):
    response = owner_client.post(
        reverse("assessments:plan_create", args=[fire.pk]), helpers.plan_post(**changes)
    )
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not OffboardingPlan.objects.exists()


def test_safety_is_enforced_server_side(owner_client, business, staff):
    client = factories.client(business, name="Angry Ltd")
    assessment = helpers.completed_assessment(client, reasons=[helpers.ABUSE])
    url = reverse("assessments:plan_create", args=[assessment.pk])
    base = helpers.plan_post(reason_flag="verbal_abuse", provider_kind="")
    assert owner_client.post(url, {**base, "method": "in_person"}).status_code == 400
    assert owner_client.post(url, {**base, "method": "phone"}).status_code == 400
    assert not OffboardingPlan.objects.exists()
    response = owner_client.post(url, {**base, "method": "phone", "witness": "Stan Staff"})
    assert response.status_code == 302
    plan = OffboardingPlan.objects.get()
    assert plan.method == "phone" and plan.witness == "Stan Staff"


def test_another_business_partner_is_refused(owner_client, fire, other_business):
    theirs = helpers.partner(other_business, name="Not yours")
    data = helpers.plan_post()
    data["partners"] = [str(theirs.pk)]
    response = owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), data)
    assert response.status_code == 400
    assert not OffboardingPlan.objects.exists()


def test_keep_verdict_and_draft_assessments_get_no_plan(owner_client, business, acme):
    keep = helpers.completed_assessment(acme, verdict="keep", reasons=[])
    response = owner_client.get(reverse("assessments:plan_create", args=[keep.pk]))
    assert response.status_code == 302 and response["Location"] == acme.get_absolute_url()
    draft = helpers.completed_assessment(acme)
    draft.status = "draft"
    draft.save(update_fields=["status"])
    assert owner_client.get(reverse("assessments:plan_create", args=[draft.pk])).status_code == 404


def test_watch_verdict_gets_a_plan(owner_client, acme):
    watch = helpers.completed_assessment(acme, verdict="watch", reasons=[helpers.SLOW])
    response = owner_client.post(
        reverse("assessments:plan_create", args=[watch.pk]), helpers.plan_post()
    )
    assert response.status_code == 302
    assert OffboardingPlan.objects.get().assessment == watch


def test_a_second_plan_for_the_same_review_goes_to_the_first(owner_client, fire, plan):
    response = owner_client.get(reverse("assessments:plan_create", args=[fire.pk]))
    assert response["Location"] == plan.get_absolute_url()
    owner_client.post(reverse("assessments:plan_create", args=[fire.pk]), helpers.plan_post())
    assert OffboardingPlan.objects.count() == 1


def test_edit_changes_the_choices_and_builds_again(
    owner_client, ready_plan, django_capture_on_commit_callbacks
):
    data = helpers.plan_post(reason_flag="complains", reason_fact="Five complaints in a row.")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("assessments:plan_edit", args=[ready_plan.pk]), data)
    assert response.status_code == 302
    ready_plan.refresh_from_db()
    assert ready_plan.reason_flag == "complains" and ready_plan.status == Status.READY
    assert ready_plan.attempts == 2
    response = owner_client.post(
        reverse("assessments:plan_edit", args=[ready_plan.pk]), {**data, "reason_fact": ""}
    )
    assert response.status_code == 400
    ready_plan.refresh_from_db()
    assert ready_plan.reason_fact == "Five complaints in a row."


# --- the plan page, download and retry -----------------------------------------------------


def test_pending_page_refreshes_itself(owner_client, plan):
    page = owner_client.get(plan.get_absolute_url()).content.decode()
    assert 'data-refresh-seconds="3"' in page
    assert "Download PDF" not in page


def test_ready_page_links_the_download_and_stops_refreshing(owner_client, ready_plan):
    page = owner_client.get(ready_plan.get_absolute_url()).content.decode()
    assert "data-refresh-seconds" not in page
    assert reverse("assessments:plan_download", args=[ready_plan.pk]) in page
    assert "/media/" not in page and ready_plan.file.name not in page


def test_failed_page_shows_the_reason_and_retry_builds_again(
    owner_client, plan, django_capture_on_commit_callbacks
):
    OffboardingPlan.objects.filter(pk=plan.pk).update(
        status=Status.FAILED, last_error="The PDF could not be built (ValueError)."
    )
    page = owner_client.get(plan.get_absolute_url()).content.decode()
    assert "The PDF could not be built (ValueError)." in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("assessments:plan_retry", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Status.READY and plan.last_error == ""


def test_download_streams_the_pdf_and_is_audited(owner_client, ready_plan, business):
    response = owner_client.get(reverse("assessments:plan_download", args=[ready_plan.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    event = AuditEvent.objects.get(business=business, kind=AuditEvent.Kind.PLAN_DOWNLOADED)
    assert str(ready_plan.pk) in event.detail


def test_download_of_a_plan_not_ready_is_404(owner_client, plan):
    assert owner_client.get(reverse("assessments:plan_download", args=[plan.pk])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PLAN_DOWNLOADED).exists()


def test_plan_list_queries_do_not_grow(owner_client, business, owner, django_assert_num_queries):
    def add_plan(i):
        client = factories.client(business, name=f"Client {i}")
        assessment = helpers.completed_assessment(client, reasons=[helpers.SLOW])
        choices = default_choices(services.load_situation(assessment))
        choices["provider_kind"] = "x"
        services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)

    add_plan(0)
    url = reverse("assessments:plan_list")
    owner_client.get(url)  # warm up: the first request of a session loads more
    with CaptureQueriesContext(connection) as one:
        owner_client.get(url)
    for i in range(1, 50):
        add_plan(i)
    with django_assert_num_queries(len(one.captured_queries)):
        page = owner_client.get(url)
    assert page.content.decode().count("Client ") >= 50


# --- acting on it ------------------------------------------------------------------------


def test_finalise_is_refused_during_cooling_off(owner_client, business, owner):
    client = factories.client(business, name="Cooling Ltd")
    assessment = helpers.completed_assessment(client, cooling_off=True)
    choices = default_choices(services.load_situation(assessment))
    choices["provider_kind"] = "x"
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    page = owner_client.get(plan.get_absolute_url()).content.decode()
    assert "Finalise the plan" not in page and "Cooling-off until" in page
    response = owner_client.post(reverse("assessments:plan_finalise", args=[plan.pk]), follow=True)
    assert "cooling-off period runs until" in response.content.decode()
    plan.refresh_from_db()
    client.refresh_from_db()
    assert plan.finalised_at is None and client.status == Client.Status.ACTIVE


def test_finalise_then_record_the_exit(owner_client, ready_plan, acme):
    # The exit cannot be recorded before the plan is final.
    owner_client.post(reverse("assessments:plan_exit", args=[ready_plan.pk]))
    ready_plan.refresh_from_db()
    assert ready_plan.exit_recorded_at is None
    owner_client.post(reverse("assessments:plan_finalise", args=[ready_plan.pk]))
    ready_plan.refresh_from_db()
    acme.refresh_from_db()
    assert ready_plan.finalised_at is not None and acme.status == Client.Status.OFFBOARDING
    response = owner_client.post(
        reverse("assessments:plan_exit", args=[ready_plan.pk]), follow=True
    )
    ready_plan.refresh_from_db()
    acme.refresh_from_db()
    assert ready_plan.exit_recorded_at is not None
    assert acme.status == Client.Status.OFFBOARDED
    assert acme.offboarded_on == timezone.localdate()
    assert "Do not re-engage" in response.content.decode()
    # After the exit the plan no longer changes.
    response = owner_client.post(
        reverse("assessments:plan_edit", args=[ready_plan.pk]), helpers.plan_post()
    )
    assert response.status_code == 302
    ready_plan.refresh_from_db()
    assert ready_plan.reason_fact != helpers.plan_post()["reason_fact"]


def test_finalising_a_draft_pdf_builds_it_again_without_the_mark(
    owner_client, business, owner, django_capture_on_commit_callbacks
):
    client = factories.client(business, name="Was Cooling Ltd")
    assessment = helpers.completed_assessment(client, cooling_off=True)
    choices = default_choices(services.load_situation(assessment))
    choices["provider_kind"] = "x"
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    tasks.build_plan_pdf.apply(args=(plan.pk,))
    # Three days later cooling-off is over; the PDF was built (as a draft) before that day.
    assessment.act_not_before = timezone.localdate()
    assessment.save(update_fields=["act_not_before"])
    OffboardingPlan.objects.filter(pk=plan.pk).update(built_at=timezone.now() - timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("assessments:plan_finalise", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.finalised_at is not None and plan.attempts == 2 and plan.status == Status.READY
