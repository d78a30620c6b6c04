"""The issue's own cases, entered as a new user would: records through the forms, the
review walked through its pages with the evidence's proposals accepted as they stand
(the checklist posted back with the answers it starts with)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Client
from assessments.redflags import CATALOGUE
from tests import factories

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"assessments:{name}", args=args)


def new_client(http, name: str, **fields) -> Client:
    data = {
        "name": name,
        "client_since": (timezone.localdate() - timedelta(days=3 * 366)).isoformat(),
        "status": "active",
        "billing_model": "fixed",
        "payment_terms_days": "30",
        "has_written_contract": "true",
        "contract_terms": "",
        "referrals_sent": "2",
        "long_standing": "false",
        "notes": "",
        **fields,
    }
    response = http.post(url("client_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    return Client.objects.get(name=name)


def log_incident(http, client: Client, category: str, *, days: int = 5, **fields) -> None:
    when = timezone.localtime() - timedelta(days=days)
    data = {
        "client": client.pk,
        "category": category,
        "severity": "medium",
        "description": "What happened, in their words.",
        "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
        "channel": "phone",
        "outside_hours_shown": "False",
        "witnesses": "",
        **fields,
    }
    response = http.post(url("incident_create"), data)
    assert response.status_code == 302, response.context["form"].errors


def invoice(http, client: Client, number: str, amount: str, *, days: int = 40) -> None:
    issued = timezone.localdate() - timedelta(days=days)
    data = {
        "number": number,
        "issued_on": issued.isoformat(),
        "amount": amount,
        "paid_on": (issued + timedelta(days=20)).isoformat(),
        "discount_pushed": "",
        "dispute_note": "",
    }
    assert http.post(url("invoice_create", client.pk), data).status_code == 302


def log_time(http, client: Client, owner, minutes: int, *, days: int = 10) -> None:
    data = {
        "date": (timezone.localdate() - timedelta(days=days)).isoformat(),
        "duration": str(minutes),
        "kind": "unbilled_support",
        "user": str(owner.pk),
        "cost_rate": "50.00",
        "note": "",
    }
    assert http.post(url("time_create", client.pk), data).status_code == 302


def walk(http, client: Client, likelihood: str = "unlikely") -> Assessment:
    http.post(url("assessment_start", client.pk))
    draft = Assessment.objects.filter(client=client).order_by("-id").first()
    http.post(url("assessment_evidence", draft.pk), {"go": "next"})
    form = http.get(url("assessment_checklist", draft.pk)).context["form"]
    answers = {"go": "next"}
    for flag in CATALOGUE:
        answers[f"answer_{flag.key}"] = form[f"answer_{flag.key}"].initial
        answers[f"note_{flag.key}"] = ""
    assert http.post(url("assessment_checklist", draft.pk), answers).status_code == 302
    weighing = {"likelihood_of_change": likelihood, "long_standing": "false", "go": "next"}
    assert http.post(url("assessment_weighing", draft.pk), weighing).status_code == 302
    verdict_page = http.get(url("assessment_verdict", draft.pk))
    assert verdict_page.status_code == 200
    assert http.post(url("assessment_complete", draft.pk), {}).status_code == 302
    draft.refresh_from_db()
    draft.verdict_page = verdict_page.content.decode()
    return draft


def test_costs_twice_and_keeps_calling_about_work_outside_the_contract_is_fire(owner_client, owner):
    acme = new_client(owner_client, "Calls a Lot Ltd")
    for month in range(6):
        invoice(owner_client, acme, f"CL-{month}", "500.00", days=20 + 30 * month)
    for day in range(13):
        log_time(owner_client, acme, owner, 480, days=3 + day * 10)  # 104 h = 5,200
    for n in range(5):
        log_incident(owner_client, acme, "out_of_scope", days=3 + n * 10)
    done = walk(owner_client, acme, likelihood="likely")
    assert (done.verdict, done.rule) == ("fire", "too_many_for_leniency")
    # The verdict page states the size that crossed the owner's mark.
    page = done.verdict_page.lower()
    assert "cost to serve is 1.73 times revenue, at or above your mark of 1.50" in page
    assert "weighs as:</span> serious, counts as two" in page


@pytest.mark.parametrize("category", ["complaint", "out_of_scope", "unreasonable_demand"])
def test_a_demanding_client_who_pays_for_every_extra_is_keep(owner_client, owner, category):
    acme = new_client(owner_client, f"Pays for Extras {category}")
    for month in range(6):
        invoice(owner_client, acme, f"PX-{category}-{month}", "3000.00", days=20 + 30 * month)
    for n in range(6):
        log_incident(owner_client, acme, category, days=3 + n * 7, billed_as_extra="on")
    done = walk(owner_client, acme)
    assert (done.verdict, done.rule) == ("keep", "none")


def test_a_first_belittling_remark_is_watch_and_a_second_after_that_is_fire(owner_client, owner):
    acme = new_client(owner_client, "Rude Once Ltd")
    invoice(owner_client, acme, "RO-1", "2000.00")
    log_incident(owner_client, acme, "harassment", severity="low", days=20)
    first = walk(owner_client, acme, likelihood="likely")
    assert (first.verdict, first.rule) == ("watch", "one_serious_or_moderates")
    assert "Tell them once, in writing" in first.next_steps[0]["text"]
    log_incident(owner_client, acme, "harassment", severity="low", days=1)
    second = walk(owner_client, acme, likelihood="likely")
    assert (second.verdict, second.rule) == ("fire", "deal_breaker")


def test_physical_abuse_fourteen_months_ago_still_proposes_the_deal_breaker(owner_client):
    acme = new_client(owner_client, "Threw a Chair Ltd")
    invoice(owner_client, acme, "TC-1", "2000.00")
    log_incident(owner_client, acme, "physical_abuse", days=14 * 31)
    done = walk(owner_client, acme, likelihood="likely")
    assert (done.verdict, done.rule) == ("fire", "deal_breaker")
    assert "14 months ago: it does not expire" in done.verdict_page.lower()


@pytest.mark.parametrize(
    ("fields", "changes_mind", "never_refers"),
    [
        ({"billing_model": "fixed", "referrals_sent": "0"}, "yes", "yes"),
        ({"billing_model": "", "referrals_sent": ""}, "unsure", "unsure"),
        ({"billing_model": "hourly", "referrals_sent": "3"}, "no", "no"),
    ],
)
def test_blank_billing_model_or_referrals_never_propose_or_suppress(
    owner_client, fields, changes_mind, never_refers
):
    acme = new_client(owner_client, f"Blank {fields['billing_model'] or 'none'}", **fields)
    invoice(owner_client, acme, f"BL-{acme.pk}", "2000.00")
    for n in range(4):
        log_incident(owner_client, acme, "changed_mind", days=3 + n * 5)
    owner_client.post(url("assessment_start", acme.pk))
    draft = Assessment.objects.get(client=acme)
    form = owner_client.get(url("assessment_checklist", draft.pk)).context["form"]
    assert form["answer_changes_mind"].initial == changes_mind
    assert form["answer_never_refers"].initial == never_refers


def test_staff_mark_an_incident_billed_as_extra(staff_client, business):
    acme = factories.client(business, name="Staff Logged")
    log_incident(staff_client, acme, "out_of_scope", billed_as_extra="on")
    assert acme.incidents.get().billed_as_extra is True
