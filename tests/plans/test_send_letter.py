"""Sending the letter from the app: once the plan is final and cooling-off has passed,
to a chosen contact, with the letter alone as a PDF; recorded on the plan and in the
audit log; never twice; the safety rules still apply."""

from __future__ import annotations

import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.models import OffboardingPlan
from assessments.plan import default_choices
from assessments.services import plans as services
from assessments.services.letters import send_letter
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def kai(business):
    client = factories.client(business, name="Kai Client", has_written_contract=True)
    helpers.paid_invoice(client)
    return client


@pytest.fixture
def contact(kai):
    return factories.contact(kai, name="Kai Lindqvist", email="kai@client.test")


@pytest.fixture
def final_plan(kai, contact, owner):
    assessment = helpers.completed_assessment(kai)
    choices = default_choices(services.load_situation(assessment))
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    return services.finalise_plan(plan)


def _send_url(plan) -> str:
    return reverse("assessments:plan_send", args=[plan.pk])


def test_the_owner_sends_the_letter_once(owner_client, final_plan, contact, owner):
    page = owner_client.get(final_plan.get_absolute_url()).content.decode()
    assert "Send the letter by e-mail" in page and "kai@client.test" in page
    response = owner_client.post(_send_url(final_plan), {"contact": contact.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["kai@client.test"] and "Alpha Studio" in message.subject
    ((name, data, mimetype),) = message.attachments
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "Dear Kai Lindqvist," in text
    assert final_plan.reason_fact.split(":")[0] in " ".join(text.split())
    assert "PRIVATE BRIEFING" not in text and "Revenue" not in text  # the letter only
    plan = OffboardingPlan.objects.get(pk=final_plan.pk)
    assert plan.letter_sent_at and plan.letter_sent_by == owner
    assert (plan.letter_sent_to, plan.letter_sent_to_name) == ("kai@client.test", "Kai Lindqvist")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LETTER_SENT)
    assert event.actor == owner and "kai@client.test" in event.detail
    # A second click, or a second tab, sends nothing more.
    response = owner_client.post(_send_url(final_plan), {"contact": contact.pk}, follow=True)
    assert "already sent" in response.content.decode()
    assert len(mail.outbox) == 1
    assert "The letter was sent on" in owner_client.get(plan.get_absolute_url()).content.decode()


def test_not_before_the_plan_is_final(owner_client, kai, contact, owner):
    assessment = helpers.completed_assessment(kai)
    choices = default_choices(services.load_situation(assessment))
    plan = services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)
    response = owner_client.post(_send_url(plan), {"contact": contact.pk}, follow=True)
    assert "Finalise the plan before you send the letter" in response.content.decode()
    assert mail.outbox == [] and not OffboardingPlan.objects.get(pk=plan.pk).letter_sent_at


def test_not_inside_cooling_off(final_plan, contact, owner):
    final_plan.assessment.act_not_before = timezone.localdate() + timedelta(days=2)
    final_plan.assessment.save(update_fields=["act_not_before"])
    with pytest.raises(services.PlanStateError, match="cooling-off"):
        send_letter(final_plan, contact=contact, user=owner)
    assert mail.outbox == []


@pytest.mark.parametrize("which", ["other_client", "no_email", "nonsense", "missing"])
def test_bad_contact_sends_nothing(owner_client, business, final_plan, which):
    other = factories.client(business, name="Someone else")
    contact_id = {
        "other_client": lambda: factories.contact(other, name="X", email="x@else.test").pk,
        "no_email": lambda: factories.contact(final_plan.client, name="No Mail", email="").pk,
        "nonsense": lambda: "'; drop table",
        "missing": lambda: "",
    }[which]()
    response = owner_client.post(_send_url(final_plan), {"contact": contact_id}, follow=True)
    assert response.status_code == 200
    assert "Choose a contact of this client" in response.content.decode()
    assert mail.outbox == [] and not OffboardingPlan.objects.get(pk=final_plan.pk).letter_sent_at


def test_safety_rules_still_apply(final_plan, contact, owner):
    """Abuse flagged after the plan was made: an in-person plan may not go out as is."""
    OffboardingPlan.objects.filter(pk=final_plan.pk).update(method="in_person")
    helpers.flag_abuse(final_plan.client, contact=contact)
    with pytest.raises(services.PlanStateError, match="no longer passes its rules"):
        send_letter(final_plan, contact=contact, user=owner)
    assert mail.outbox == []


def test_a_mail_server_failure_records_nothing(owner_client, final_plan, contact, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = owner_client.post(_send_url(final_plan), {"contact": contact.pk}, follow=True)
    assert "The mail server did not take the letter" in response.content.decode()
    assert not OffboardingPlan.objects.get(pk=final_plan.pk).letter_sent_at
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.LETTER_SENT).exists()


def test_personas(anon_client, staff_client, outsider_client, final_plan, contact):
    url = _send_url(final_plan)
    response = anon_client.post(url, {"contact": contact.pk})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert staff_client.post(url, {"contact": contact.pk}).status_code == 403
    assert outsider_client.post(url, {"contact": contact.pk}).status_code == 404
    assert anon_client.get(url).status_code in (302, 405)
    assert mail.outbox == []
