"""Unknown is not no: a blank billing model, referral count, contract or long-standing
answer never proposes or suppresses a flag; the checklist asks instead."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from assessments import evidence
from assessments.forms.assessment import ChecklistForm
from assessments.models import Assessment, Client
from tests import factories

pytestmark = pytest.mark.django_db


def _changes(client_obj, owner, count=3):
    for n in range(count):
        factories.incident(
            client_obj,
            by=owner,
            category="changed_mind",
            occurred_at=timezone.now() - timedelta(days=n + 2),
            description="Wanted the layout redone again.",
        )


def _report(client_obj):
    return evidence.build_report(evidence.gather(client_obj))


@pytest.mark.parametrize(
    ("billing", "proposed", "asked"),
    [
        ("fixed", True, False),
        ("retainer", True, False),
        # Hourly: changes add to the bill, not a problem (000 #6).
        ("hourly", False, False),
        # Not recorded: neither proposed nor set aside; the checklist asks.
        ("", False, True),
    ],
)
def test_changes_of_mind_by_billing_model(business, owner, billing, proposed, asked):
    acme = factories.client(business, billing_model=billing, referrals_sent=3)
    _changes(acme, owner)
    report = _report(acme)
    assert ("changes_mind" in evidence.proposed_keys(report.proposals)) is proposed
    assert ("changes_mind" in evidence.asked_keys(report.proposals)) is asked
    form = ChecklistForm(
        proposed=evidence.proposed_keys(report.proposals),
        asked=evidence.asked_keys(report.proposals),
    )
    expected = "yes" if proposed else "unsure" if asked else "no"
    assert form["answer_changes_mind"].initial == expected


@pytest.mark.parametrize(
    ("referrals", "years", "proposed", "asked"),
    [
        (0, 3, True, False),
        (None, 3, False, True),
        # Not recorded, but too new for the rule: nothing to ask.
        (None, 1, False, False),
        (2, 5, False, False),
    ],
)
def test_referrals_not_recorded_are_asked_not_assumed(business, referrals, years, proposed, asked):
    acme = factories.client(
        business,
        referrals_sent=referrals,
        billing_model="fixed",
        client_since=timezone.localdate() - timedelta(days=366 * years),
    )
    proposals = _report(acme).proposals
    assert ("never_refers" in evidence.proposed_keys(proposals)) is proposed
    assert ("never_refers" in evidence.asked_keys(proposals)) is asked


def test_evidence_page_lists_the_questions(business, owner, owner_client):
    acme = factories.client(
        business, client_since=timezone.localdate() - timedelta(days=3 * 366), billing_model=""
    )
    _changes(acme, owner)
    response = owner_client.post(reverse("assessments:assessment_start", args=[acme.pk]))
    draft = Assessment.objects.get(client=acme)
    assert response.status_code == 302
    page = owner_client.get(reverse("assessments:assessment_evidence", args=[draft.pk]))
    text = page.content.decode().lower()
    assert "questions for you: not recorded" in text
    assert "the billing model is not recorded" in text
    assert "referrals are not recorded, after 3 years as a client" in text


def test_client_form_keeps_blanks_as_not_recorded(owner_client, business):
    data = {
        "name": "Blank Ltd",
        "client_since": "2020-05-01",
        "status": "active",
        "billing_model": "",
        "payment_terms_days": "30",
        "has_written_contract": "unknown",
        "contract_terms": "",
        "referrals_sent": "",
        "long_standing": "unknown",
        "notes": "",
    }
    response = owner_client.post(reverse("assessments:client_create"), data)
    assert response.status_code == 302
    saved = Client.objects.get(name="Blank Ltd")
    assert (saved.billing_model, saved.referrals_sent) == ("", None)
    assert (saved.has_written_contract, saved.long_standing) == (None, None)
    page = owner_client.get(saved.get_absolute_url()).content.decode()
    assert "billing model not recorded" in page
    assert page.count("Not recorded") >= 3

    data.update(name="Zero Ltd", referrals_sent="0", has_written_contract="false")
    owner_client.post(reverse("assessments:client_create"), data)
    zero = Client.objects.get(name="Zero Ltd")
    assert (zero.referrals_sent, zero.has_written_contract) == (0, False)


def test_weighing_asks_long_standing_and_saves_nothing_without_it(business, owner_client):
    acme = factories.client(business, billing_model="fixed", referrals_sent=1)
    owner_client.post(reverse("assessments:assessment_start", args=[acme.pk]))
    draft = Assessment.objects.get(client=acme)
    assert draft.long_standing is None
    answers = {"go": "next"}
    from assessments.redflags import CATALOGUE

    for flag in CATALOGUE:
        answers[f"answer_{flag.key}"] = "no"
        answers[f"note_{flag.key}"] = ""
    owner_client.post(reverse("assessments:assessment_checklist", args=[draft.pk]), answers)
    weighing = reverse("assessments:assessment_weighing", args=[draft.pk])
    response = owner_client.post(weighing, {"likelihood_of_change": "unlikely", "go": "next"})
    assert response.status_code == 400
    assert "long-standing relationship to go on" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.likelihood_of_change, draft.long_standing) == ("", None)
    verdict = reverse("assessments:assessment_verdict", args=[draft.pk])
    assert owner_client.get(verdict).status_code == 302
    response = owner_client.post(
        weighing, {"likelihood_of_change": "unlikely", "long_standing": "true", "go": "next"}
    )
    assert response["Location"] == verdict
    draft.refresh_from_db()
    assert draft.long_standing is True


def test_data_migration_maps_old_defaults_to_not_recorded(business, owner):
    migration = importlib.import_module("assessments.migrations.0005_client_facts_unknown_data")
    chosen = factories.client(
        business,
        billing_model="retainer",
        referrals_sent=4,
        has_written_contract=True,
        long_standing=True,
    )
    defaulted = factories.client(
        business,
        billing_model="hourly",
        referrals_sent=0,
        has_written_contract=False,
        long_standing=False,
    )
    draft = Assessment.objects.create(business=business, client=defaulted, long_standing=False)
    done = Assessment.objects.create(
        business=business, client=chosen, long_standing=False, status="complete"
    )
    migration.forwards(apps, None)
    for row in (chosen, defaulted, draft, done):
        row.refresh_from_db()
    assert (chosen.billing_model, chosen.referrals_sent) == ("retainer", 4)
    assert (chosen.has_written_contract, chosen.long_standing) == (True, True)
    assert (defaulted.billing_model, defaulted.referrals_sent) == ("", None)
    assert (defaulted.has_written_contract, defaulted.long_standing) == (None, None)
    assert draft.long_standing is None
    # A completed review never changes.
    assert done.long_standing is False
    migration.backwards(apps, None)
    defaulted.refresh_from_db()
    assert (defaulted.billing_model, defaulted.referrals_sent) == ("hourly", 0)
    assert (defaulted.has_written_contract, defaulted.long_standing) == (False, False)


def test_long_standing_fire_puts_a_conversation_first_and_keeps_it(business, owner, owner_client):
    from decimal import Decimal

    acme = factories.client(business, billing_model="fixed", referrals_sent=1, long_standing=True)
    factories.invoice(acme, amount=Decimal("1000.00"))
    owner_client.post(reverse("assessments:assessment_start", args=[acme.pk]))
    draft = Assessment.objects.get(client=acme)
    answers = {"go": "next"}
    from assessments.redflags import CATALOGUE

    for flag in CATALOGUE:
        yes = flag.key in ("slow_to_pay", "disputes_invoices")
        answers[f"answer_{flag.key}"] = "yes" if yes else "no"
        answers[f"note_{flag.key}"] = ""
    owner_client.post(reverse("assessments:assessment_checklist", args=[draft.pk]), answers)
    # The weighing starts from what the client record says.
    weighing = owner_client.get(reverse("assessments:assessment_weighing", args=[draft.pk]))
    assert weighing.context["form"]["long_standing"].value() is True
    owner_client.post(
        reverse("assessments:assessment_weighing", args=[draft.pk]),
        {"likelihood_of_change": "unlikely", "long_standing": "true", "go": "next"},
    )
    page = owner_client.get(reverse("assessments:assessment_verdict", args=[draft.pk]))
    assert "A conversation comes before any letter." in page.content.decode()
    owner_client.post(reverse("assessments:assessment_complete", args=[draft.pk]), {})
    draft.refresh_from_db()
    assert draft.verdict == "fire"
    assert [s.get("flag") for s in draft.next_steps] == ["conversation_first"]
    detail = owner_client.get(reverse("assessments:assessment_detail", args=[draft.pk]))
    assert "A conversation comes before any letter." in detail.content.decode()
