"""Time entries: every member logs time; staff never see a cost and edit only their own."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import TimeEntry
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(business):
    business.staff_cost_rate = Decimal("42.00")
    business.save()
    return factories.client(business, name="Acme")


def time_data(user, **overrides):
    data = {
        "date": timezone.localdate().isoformat(),
        "duration": "1:30",
        "kind": "hand_holding",
        "user": str(user.pk),
        "cost_rate": "",
        "note": "Walked them through the report again",
    }
    data.update(overrides)
    return data


def create_url(client):
    return reverse("assessments:time_create", args=[client.pk])


def test_log_time_personas(anon_client, outsider_client, outsider, acme):
    url = create_url(acme)
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, time_data(outsider)).status_code == 404
    assert not TimeEntry.objects.exists()


def test_staff_logs_time_without_seeing_money(staff_client, staff, acme):
    page = staff_client.get(create_url(acme)).content.decode()
    assert 'name="cost_rate"' not in page
    # A cost rate slipped into the POST is ignored: staff never set money.
    response = staff_client.post(create_url(acme), time_data(staff, cost_rate="1"))
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.kind, entry.user, entry.client) == (
        90,
        "hand_holding",
        staff,
        acme,
    )
    assert entry.cost_rate == Decimal("42.00")  # the business default
    assert entry.business == acme.business
    client_page = staff_client.get(acme.get_absolute_url()).content.decode()
    assert "1 h 30 min" in client_page
    assert "cost 63.00" not in client_page


def test_owner_sets_a_cost_rate_or_gets_the_default(owner_client, owner, staff, acme):
    assert 'name="cost_rate"' in owner_client.get(create_url(acme)).content.decode()
    owner_client.post(create_url(acme), time_data(staff, duration="90", cost_rate="60"))
    owner_client.post(create_url(acme), time_data(owner, duration="45"))
    first, second = TimeEntry.objects.order_by("id")
    assert (first.minutes, first.cost_rate, first.user) == (90, Decimal("60.00"), staff)
    assert (second.minutes, second.cost_rate, second.user) == (45, Decimal("42.00"), owner)
    assert "cost €90" in owner_client.get(acme.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "duration, minutes",
    [("90", 90), ("1:30", 90), ("1h30", 90), ("2h", 120), ("0:05", 5), ("24:00", 1440)],
)
def test_duration_formats(owner_client, owner, acme, duration, minutes):
    assert (
        owner_client.post(create_url(acme), time_data(owner, duration=duration)).status_code == 302
    )
    assert TimeEntry.objects.get().minutes == minutes


@pytest.mark.parametrize(
    "overrides",
    [
        {"duration": ""},
        {"duration": "0"},
        {"duration": "24:01"},
        {"duration": "1.5"},
        {"duration": "-30"},
        {"duration": "99999"},
        {"duration": "abc"},
        {"date": "2026-02-30"},
        {"date": "1000-01-01"},
        {"date": (timezone.localdate() + timedelta(days=2)).isoformat()},
        {"kind": "holiday"},
        {"cost_rate": "-1"},
        {"cost_rate": "1e20"},
        {"note": "n" * 1001},
    ],
)
def test_bad_time_input_saves_nothing(owner_client, owner, acme, overrides):
    response = owner_client.post(create_url(acme), time_data(owner, **overrides))
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_only_members_can_be_chosen(owner_client, outsider, acme):
    response = owner_client.post(create_url(acme), time_data(outsider))
    assert response.status_code == 400
    assert not TimeEntry.objects.exists()


def test_offboarded_client_gets_no_new_time(staff_client, staff, acme):
    acme.status = "offboarded"
    acme.save()
    response = staff_client.post(create_url(acme), time_data(staff), follow=True)
    assert "This client is offboarded: do not re-engage." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_edit_time_personas(
    anon_client, outsider_client, staff_client, owner_client, owner, staff, acme
):
    mine = factories.time_entry(acme, user=staff, minutes=30)
    theirs = factories.time_entry(acme, user=owner, minutes=30)
    url = reverse("assessments:time_edit", args=[mine.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    # Staff edit their own time, not someone else's.
    other_url = reverse("assessments:time_edit", args=[theirs.pk])
    assert staff_client.get(other_url).status_code == 403
    assert staff_client.post(other_url, time_data(staff, duration="5")).status_code == 403
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, time_data(staff, duration="2:00")).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.minutes, theirs.minutes) == (120, 30)
    assert mine.cost_rate == acme.business.staff_cost_rate
    # Owners edit anyone's, cost included; bad input changes nothing.
    assert owner_client.post(other_url, time_data(owner, cost_rate="10")).status_code == 302
    theirs.refresh_from_db()
    assert (theirs.minutes, theirs.cost_rate) == (90, Decimal("10.00"))
    assert owner_client.post(other_url, time_data(owner, duration="nope")).status_code == 400
    theirs.refresh_from_db()
    assert theirs.minutes == 90
