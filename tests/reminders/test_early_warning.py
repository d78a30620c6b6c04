"""Early warning: the rules over every active client between reviews, the page, the digest.

Each case is a client's record as it would be written (incidents, invoices, a past
review), and what the daily run should say of it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from assessments import evidence
from assessments.evidence.gather import gather_many
from assessments.models import Client, EarlyWarning
from assessments.services.warnings import (
    email_digests,
    find_warnings,
    record_warnings,
    send_warnings,
)
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

PAGE = reverse("assessments:warning_list")
MONDAY = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
TUESDAY = MONDAY + timedelta(days=1)


def ago(days: int):
    return timezone.now() - timedelta(days=days)


# --- records, and what the early warning makes of them ------------------------------


def shouted_at_the_designer(client, owner):
    factories.incident(
        client,
        by=owner,
        category="verbal_abuse",
        severity="high",
        occurred_at=ago(3),
        description="Shouted at our designer and called her incompetent in front of his staff.",
    )
    return "fire", {"verbal_abuse"}


def one_mild_complaint(client, owner):
    factories.incident(client, by=owner, category="complaint", severity="low", occurred_at=ago(8))
    return None, set()


def pays_every_invoice_two_months_late(client, owner):
    for months in range(2, 8):
        issued = timezone.localdate() - timedelta(days=30 * months + 60)
        factories.invoice(
            client,
            issued_on=issued,
            due_on=issued + timedelta(days=30),
            paid_on=issued + timedelta(days=95),
            amount=Decimal("1200.00"),
        )
    return "watch", {"slow_to_pay"}


def abuse_already_reviewed(client, owner):
    factories.incident(
        client, by=owner, category="verbal_abuse", severity="high", occurred_at=ago(20)
    )
    helpers.completed_assessment(
        client, verdict="fire", reasons=[{"flag": "verbal_abuse", "facts": []}]
    )
    return None, set()  # the review saw it; nothing new


def a_threat_after_a_watch_review(client, owner):
    factories.incident(
        client, by=owner, category="verbal_abuse", severity="high", occurred_at=ago(30)
    )
    helpers.completed_assessment(
        client, verdict="watch", reasons=[{"flag": "verbal_abuse", "facts": []}]
    )
    factories.incident(
        client,
        by=owner,
        category="legal_risk",
        severity="critical",
        occurred_at=ago(1),
        description="Asked us to backdate the contract for his tax return.",
    )
    return "fire", {"legal_liability"}


def complains_after_every_delivery_and_ignores_advice(client, owner):
    for i in range(5):
        work = factories.delivery(
            client, delivered_on=timezone.localdate() - timedelta(45 * i + 20)
        )
        factories.incident(
            client, by=owner, category="complaint", occurred_at=ago(45 * i + 17), delivery=work
        )
    for days in (12, 40):
        factories.incident(client, by=owner, category="ignored_advice", occurred_at=ago(days))
    return "watch", {"complains", "ignores_advice"}


CASES = [
    shouted_at_the_designer,
    complains_after_every_delivery_and_ignores_advice,
    one_mild_complaint,
    pays_every_invoice_two_months_late,
    abuse_already_reviewed,
    a_threat_after_a_watch_review,
]


@pytest.mark.parametrize("record", CASES, ids=[c.__name__ for c in CASES])
def test_what_the_daily_run_says_of_a_record(business, owner, record):
    client = factories.client(
        business, name="Kai Client", client_since=timezone.localdate() - timedelta(days=900)
    )
    factories.contact(client, name="Kai")
    verdict, new = record(client, owner)
    found = find_warnings(business)
    if verdict is None:
        assert found == []
        return
    (warning,) = found
    assert (warning.client_id, warning.verdict) == (client.pk, verdict)
    assert new <= set(warning.new_flags)
    assert set(warning.new_flags) <= set(warning.flags)


def test_a_warning_is_recorded_once_and_again_only_for_something_new(business, owner):
    client = factories.client(business, name="Kai Client")
    shouted_at_the_designer(client, owner)
    assert record_warnings(business) == 1
    assert record_warnings(business) == 0  # the same record: nothing new
    factories.incident(
        client, by=owner, category="legal_risk", severity="critical", occurred_at=ago(1)
    )
    assert record_warnings(business) == 1
    latest = EarlyWarning.objects.for_business(business).first()
    assert "legal_liability" in latest.new_flags and "verbal_abuse" not in latest.new_flags


def test_clients_not_active_are_left_alone(business, owner):
    client = factories.client(business, name="Leaving Ltd", status=Client.Status.OFFBOARDING)
    shouted_at_the_designer(client, owner)
    assert find_warnings(business) == []


def test_gather_many_reads_what_gather_reads(business, owner):
    clients = []
    for i, record in enumerate(CASES):
        client = factories.client(business, name=f"Client {i}")
        factories.contact(client, name=f"Contact {i}")
        record(client, owner)
        clients.append(client)
    factories.client(business, name="Quiet Co")
    many = {data.client.id: data for data in gather_many(business, Client.objects.all())}
    assert set(many) == {c.pk for c in Client.objects.for_business(business)}
    for client in Client.objects.for_business(business):
        one = evidence.gather(client)
        assert many[client.pk].incidents == one.incidents
        assert many[client.pk].invoices == one.invoices
        assert many[client.pk].flags == one.flags
        assert many[client.pk].deliveries == one.deliveries
        assert many[client.pk].figures.summary == one.figures.summary
        assert evidence.propose(many[client.pk]) == evidence.propose(one)


def _queries(business) -> int:
    with CaptureQueriesContext(connection) as ctx:
        record_warnings(business)
    return len(ctx.captured_queries)


def test_the_daily_run_costs_the_same_queries_for_3_or_12_clients(owner):
    small, large = factories.business(), factories.business()
    for business, count in ((small, 3), (large, 12)):
        for i in range(count):
            client = factories.client(business, name=f"Client {i}")
            shouted_at_the_designer(client, owner)
            pays_every_invoice_two_months_late(client, owner)
    assert _queries(small) == _queries(large)


def test_another_business_never_sees_the_warnings(business, owner, client):
    theirs = factories.business(name="Other Ltd")
    their_owner = factories.member(theirs, role="owner", email="o@other.test")
    shouted_at_the_designer(factories.client(theirs, name="Secret Client"), their_owner)
    record_warnings(theirs)
    client.force_login(owner)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert "Secret Client" not in page.text


def test_the_page_lists_open_warnings_until_a_review_answers_them(business, owner, owner_client):
    kai = factories.client(business, name="Kai Client")
    shouted_at_the_designer(kai, owner)
    record_warnings(business)
    page = owner_client.get(PAGE)
    assert page.status_code == 200 and "Kai Client" in page.text
    assert "Verbally abusive or harassing" in page.text
    helpers.completed_assessment(kai, verdict="fire").__class__.objects.filter(client=kai).update(
        completed_at=timezone.now()
    )
    assert "Kai Client" not in owner_client.get(PAGE).text


def test_staff_cannot_open_the_page(staff_client):
    assert staff_client.get(PAGE).status_code in (403, 404)


def test_the_owner_chooses_how_often(business, owner, owner_client):
    response = owner_client.post(PAGE, {"warning_digest": "weekly"})
    assert response.status_code == 302
    assert Membership.objects.get(user=owner, business=business).warning_digest == "weekly"
    bad = owner_client.post(PAGE, {"warning_digest": "hourly"})
    assert bad.status_code == 400 and "hourly" in bad.text
    assert Membership.objects.get(user=owner, business=business).warning_digest == "weekly"


def _owner_with(business, digest, email, language=""):
    user = factories.member(business, role="owner", email=email, language=language)
    Membership.objects.filter(user=user, business=business).update(warning_digest=digest)
    return user


def test_each_owner_gets_the_digest_as_chosen_once(business, owner):
    Membership.objects.filter(user=owner, business=business).update(warning_digest="daily")
    _owner_with(business, "weekly", "weekly@alpha.test")
    _owner_with(business, "off", "off@alpha.test")
    _owner_with(business, "daily", "greek@alpha.test", language="el")
    shouted_at_the_designer(factories.client(business, name="Kai Client"), owner)
    record_warnings(business)
    mail.outbox.clear()
    assert email_digests(business, today=TUESDAY) == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"owner@alpha.test", "greek@alpha.test"}
    assert "Kai Client" in sent["owner@alpha.test"].body
    assert "needs a look" in sent["owner@alpha.test"].subject
    assert "needs a look" not in sent["greek@alpha.test"].subject  # in Greek
    assert (
        reverse("assessments:client_detail", args=[Client.objects.get().pk])
        in sent["owner@alpha.test"].body
    )
    mail.outbox.clear()
    assert email_digests(business, today=TUESDAY) == 0  # nothing new
    assert email_digests(business, today=MONDAY) == 1  # the weekly owner's day
    assert [m.to for m in mail.outbox] == [["weekly@alpha.test"]]


def test_send_warnings_twice_sends_nothing_new(business, owner):
    shouted_at_the_designer(factories.client(business, name="Kai Client"), owner)
    mail.outbox.clear()
    assert send_warnings([business]) == 1
    assert send_warnings([business]) == 0
    assert len(mail.outbox) == 1
