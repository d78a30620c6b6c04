"""Reminders: what falls due, each recorded and e-mailed once, the list, .ics and the feed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Membership
from assessments.models import AbuseFlag, Assessment, OffboardingPlan, Reminder
from assessments.plan import default_choices
from assessments.services import plans as plan_services
from assessments.services.reminders import due_reminders, send_reminders
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

Kind = Reminder.Kind
LIST = reverse("assessments:reminder_list")


def today():
    return timezone.localdate()


def days(n: int):
    return today() + timedelta(days=n)


# --- the record, as it would be written, and what it should remind of ---------------


def fire_cooling_off_ended(business, owner):
    client = factories.client(business, name="Fire Ltd")
    helpers.completed_assessment(client, act_not_before=days(-1))
    return {Kind.COOLING_OFF_OVER}


def fire_still_cooling_off(business, owner):
    client = factories.client(business, name="Cooling Ltd")
    helpers.completed_assessment(client, act_not_before=days(2))
    return set()


def _plan(client, owner, **changes):
    assessment = helpers.completed_assessment(client, act_not_before=days(-45))
    choices = default_choices(plan_services.load_situation(assessment))
    choices["provider_kind"] = "a larger agency"
    plan = plan_services.create_plan(
        assessment=assessment, choices=choices, partners=[], user=owner
    )
    OffboardingPlan.objects.filter(pk=plan.pk).update(**changes)
    return plan


def fire_plan_already_final(business, owner):
    client = factories.client(business, name="Acted Ltd")
    # Notice told today, 30 days: nothing else due yet.
    _plan(client, owner, finalised_at=timezone.now(), announce_on=today(), notice_days=30)
    return set()


def flag_review_reached(business, owner):
    client = factories.client(business, name="Shouty Ltd")
    contact = factories.contact(client, name="Ivan")
    flag = helpers.flag_abuse(client, contact, by=owner)
    AbuseFlag.objects.filter(pk=flag.pk).update(review_on=today())
    return {Kind.FLAG_REVIEW}


def flag_cleared_before_review(business, owner):
    client = factories.client(business, name="Calmer Ltd")
    flag = helpers.flag_abuse(client, factories.contact(client), by=owner)
    AbuseFlag.objects.filter(pk=flag.pk).update(review_on=days(-3), cleared_at=timezone.now())
    return set()


def watch_review_reached(business, owner):
    client = factories.client(business, name="Wobbly Ltd")
    a = helpers.completed_assessment(client, verdict="watch")
    Assessment.objects.filter(pk=a.pk).update(review_on=days(-1))
    return {Kind.WATCH_REVIEW}


def watch_reviewed_again_since(business, owner):
    client = factories.client(business, name="Reviewed Ltd")
    a = helpers.completed_assessment(client, verdict="watch")
    Assessment.objects.filter(pk=a.pk).update(review_on=days(-1))
    helpers.completed_assessment(client, verdict="keep")
    return set()


def notice_ended_invoices_paid(business, owner):
    client = factories.client(business, name="Leaving Paid Ltd")
    helpers.paid_invoice(client)
    _plan(client, owner, finalised_at=timezone.now(), announce_on=days(-31), notice_days=30)
    return {Kind.NOTICE_ENDS}


def notice_ended_invoice_open(business, owner):
    client = factories.client(business, name="Leaving Owing Ltd")
    helpers.open_invoice(client, due_in_days=-5)
    _plan(client, owner, finalised_at=timezone.now(), announce_on=days(-30), notice_days=30)
    return {Kind.NOTICE_ENDS, Kind.OPEN_INVOICES}


def exit_already_recorded(business, owner):
    client = factories.client(business, name="Gone Ltd")
    helpers.open_invoice(client)
    _plan(
        client,
        owner,
        finalised_at=timezone.now(),
        exit_recorded_at=timezone.now(),
        announce_on=days(-60),
    )
    return set()


CASES = [
    fire_cooling_off_ended,
    fire_still_cooling_off,
    fire_plan_already_final,
    flag_review_reached,
    flag_cleared_before_review,
    watch_review_reached,
    watch_reviewed_again_since,
    notice_ended_invoices_paid,
    notice_ended_invoice_open,
    exit_already_recorded,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_what_falls_due(case, business, owner):
    expected = case(business, owner)
    assert {r.kind for r in due_reminders(business)} == expected


def test_each_reminder_is_e_mailed_once_to_each_owner(business, owner, staff, outsider):
    second_owner = factories.member(business, email="owner2@alpha.test", role="owner")
    for case in CASES:
        case(business, owner)
    fire_cooling_off_ended(outsider.memberships.get().business, outsider)

    assert send_reminders() == 3  # two owners of A, one of B
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owner.email, second_owner.email, outsider.email]
    )
    body = next(m.body for m in mail.outbox if m.to == [owner.email])
    for name in ["Fire Ltd", "Shouty Ltd", "Wobbly Ltd", "Leaving Paid Ltd", "Leaving Owing Ltd"]:
        assert name in body
    for name in ["Cooling Ltd", "Calmer Ltd", "Reviewed Ltd", "Gone Ltd"]:
        assert name not in body
    assert "http://" in body and "/reviews/" in body and "/plans/" in body
    assert staff.email not in [m.to[0] for m in mail.outbox]
    assert Reminder.objects.filter(business=business).count() == 6

    mail.outbox.clear()
    assert send_reminders() == 0 and mail.outbox == []
    assert Reminder.objects.filter(business=business).count() == 6


def test_a_new_due_date_is_a_new_reminder(business, owner):
    flag_review_reached(business, owner)
    send_reminders()
    flag = AbuseFlag.objects.get()
    # Reviewed and kept: the owner sets the next review date, which falls due later.
    AbuseFlag.objects.filter(pk=flag.pk).update(review_on=today())
    Reminder.objects.update(due_on=days(-90), key=f"flag_review:{flag.pk}:{days(-90)}")
    mail.outbox.clear()
    assert send_reminders() == 1


def test_the_command_sends_the_same(business, owner):
    from django.core.management import call_command

    watch_review_reached(business, owner)
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 1


def test_the_task_sends_the_same(business, owner):
    from assessments.tasks import send_daily_reminders

    watch_review_reached(business, owner)
    assert send_daily_reminders() == 1
    assert send_daily_reminders() == 0


# --- pages ---------------------------------------------------------------------------


@pytest.fixture
def reminder(business, owner):
    watch_review_reached(business, owner)
    send_reminders()
    return Reminder.objects.get()


def test_list_personas(anon_client, staff_client, outsider_client, owner_client, reminder):
    assert anon_client.get(LIST).status_code == 302
    assert staff_client.get(LIST).status_code == 403
    assert "Wobbly Ltd" not in outsider_client.get(LIST).content.decode()
    page = owner_client.get(LIST).content.decode()
    assert "Wobbly Ltd" in page and reminder.path in page


def test_ics_per_date_parses(anon_client, staff_client, outsider_client, owner_client, reminder):
    url = reverse("assessments:reminder_ics", args=[reminder.pk])
    assert anon_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    assert outsider_client.get(url).status_code == 404
    response = owner_client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert len(events) == 1
    assert events[0].decoded("dtstart") == reminder.due_on
    assert "Wobbly Ltd" in str(events[0]["summary"])
    assert str(events[0]["url"]).endswith(reminder.path)


def _feed_url(owner_client) -> str:
    response = owner_client.post(reverse("assessments:calendar_feed_create"), follow=True)
    text = response.content.decode()
    start = text.index("http://testserver/calendar/")
    return text[start : text.index(".ics", start) + 4].replace("http://testserver", "")


def test_feed_serves_the_owners_reminders_until_revoked(
    anon_client, owner_client, staff_client, reminder, outsider_client
):
    assert staff_client.post(reverse("assessments:calendar_feed_create")).status_code == 403
    url = _feed_url(owner_client)
    response = anon_client.get(url)
    assert response.status_code == 200
    summaries = [str(e["summary"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]
    assert summaries == [f"Wobbly Ltd: {reminder.get_kind_display()}"]

    # The outsider's own feed holds none of business A's reminders.
    outsider_url = _feed_url(outsider_client)
    assert Calendar.from_ical(anon_client.get(outsider_url).content).walk("VEVENT") == []

    newer = _feed_url(owner_client)
    assert anon_client.get(url).status_code == 404
    assert anon_client.get(newer).status_code == 200
    owner_client.post(reverse("assessments:calendar_feed_revoke"))
    assert anon_client.get(newer).status_code == 404
    assert anon_client.get("/calendar/made-up-token.ics").status_code == 404


def test_feed_stops_when_the_user_is_no_longer_owner(anon_client, owner_client, owner, reminder):
    url = _feed_url(owner_client)
    Membership.objects.filter(user=owner).update(role=Membership.Role.STAFF)
    assert Calendar.from_ical(anon_client.get(url).content).walk("VEVENT") == []


def test_each_owner_reads_the_reminders_in_their_language(business, owner):
    greek = factories.member(business, role="owner", email="eleni@alpha.test", language="el")
    fire_cooling_off_ended(business, owner)
    mail.outbox.clear()
    assert send_reminders([business]) == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert "fell due" in sent[owner.email].subject
    assert "fell due" not in sent[greek.email].subject
    assert "Fire Ltd" in sent[greek.email].body
