"""Abuse flags: any member flags a contact, every owner is e-mailed, only owners clear."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments.forms import flags as flag_forms
from assessments.models import AbuseFlag
from assessments.services.flags import (
    flag_contact,
    flag_history_for_contact,
    open_flags_for_client,
    open_flags_for_contact,
)
from assessments.tasks import notify_owners_of_flag
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme Ltd")


@pytest.fixture
def jane(acme):
    return factories.contact(acme, name="Jane Doe")


@pytest.fixture
def shouting(acme, jane, staff):
    return factories.incident(acme, by=staff, contact=jane, category="verbal_abuse")


def flag_url(contact) -> str:
    return reverse("assessments:flag_contact", args=[contact.pk])


def flag_data(**overrides) -> dict:
    data = {
        "reason": "Screamed at Stan and called him an idiot in front of the team.",
        "review_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return data


# --- Raise a flag ---------------------------------------------------------------------------


def test_flag_form_personas(anon_client, outsider_client, staff_client, owner_client, jane):
    url = flag_url(jane)
    response = anon_client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, flag_data()).status_code == 404
    assert staff_client.get(url).status_code == 200
    assert owner_client.get(url).status_code == 200
    assert not AbuseFlag.objects.exists()


def test_form_ticks_the_abusive_incidents_of_that_contact(staff_client, jane, acme, shouting):
    complaint = factories.incident(acme, contact=jane, category="complaint")
    form = staff_client.get(flag_url(jane)).context["form"]
    assert form.initial["incidents"] == [shouting.pk]
    assert form.initial["review_on"] == timezone.localdate() + timedelta(days=90)
    # Reached from an incident page, that incident is ticked too.
    form = staff_client.get(flag_url(jane), {"incident": complaint.pk}).context["form"]
    assert sorted(form.initial["incidents"]) == sorted([shouting.pk, complaint.pk])


def _listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="incidents" value="(\d+)"', html)]


def _ticked(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="incidents" value="(\d+)"[^>]*checked', html)]


def test_a_busy_client_lists_the_latest_incidents_and_the_contacts_abuse(
    staff_client, staff, jane, acme, monkeypatch
):
    monkeypatch.setattr(flag_forms, "OFFERED", 3)
    days = lambda n: timezone.now() - timedelta(days=n)  # noqa: E731
    old_abuse = [
        factories.incident(acme, contact=jane, category="threat", occurred_at=days(100 + n))
        for n in range(4)
    ]
    oldest = factories.incident(acme, category="complaint", occurred_at=days(400))
    latest = [factories.incident(acme, category="complaint", occurred_at=days(n)) for n in range(5)]
    html = staff_client.get(flag_url(jane)).content.decode()
    # The three latest, then the three latest abusive ones of Jane, newest first.
    assert _listed(html) == [i.pk for i in latest[:3] + old_abuse[:3]]
    assert _ticked(html) == [i.pk for i in old_abuse[:3]]
    assert "Listed: the latest of the 10 incidents with this client" in html
    # Opened from an old incident's page: that one is listed and ticked too.
    html = staff_client.get(flag_url(jane), {"incident": oldest.pk}).content.decode()
    assert _listed(html)[-1] == oldest.pk and oldest.pk in _ticked(html)
    # Sent back with an error, what was ticked stays listed and ticked.
    response = staff_client.post(flag_url(jane), flag_data(reason="", incidents=[oldest.pk]))
    assert response.status_code == 400
    assert oldest.pk in _listed(response.content.decode())
    assert _ticked(response.content.decode()) == [oldest.pk]
    # Any incident of the client is accepted, listed or not.
    response = staff_client.post(flag_url(jane), flag_data(incidents=[old_abuse[3].pk]))
    assert response.status_code == 302
    assert list(AbuseFlag.objects.get().incidents.all()) == [old_abuse[3]]


def test_a_quiet_client_lists_every_incident_without_a_note(staff_client, jane, acme, shouting):
    other = factories.incident(acme, category="complaint")
    html = staff_client.get(flag_url(jane)).content.decode()
    assert sorted(_listed(html)) == sorted([shouting.pk, other.pk])
    assert "Listed: the latest" not in html


def test_staff_flags_a_contact_and_every_owner_is_emailed(
    staff_client,
    staff,
    owner,
    business,
    jane,
    shouting,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    second_owner = factories.member(business, role="owner", email="owner2@alpha.test")
    factories.member(business, role="staff", email="other.staff@alpha.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(flag_url(jane), flag_data(incidents=[shouting.pk]))
    assert response.status_code == 302
    # Back to the contact's page, which now shows the warning.
    assert response["Location"] == reverse("assessments:contact_detail", args=[jane.pk])
    assert any("notify_owners_of_flag" in repr(callback) for callback in callbacks)
    flag = AbuseFlag.objects.get()
    assert flag.contact == jane and flag.raised_by == staff and flag.is_open
    assert list(flag.incidents.all()) == [shouting]
    assert flag.review_on == timezone.localdate() + timedelta(days=90)
    event = AuditEvent.objects.get(kind="flag_raised")
    assert event.actor == staff and "Jane Doe" in event.detail
    assert sorted(m.to[0] for m in mailoutbox) == sorted([owner.email, second_owner.email])
    mail = mailoutbox[0]
    assert mail.subject == "Abuse flag: Jane Doe (Acme Ltd)"
    assert "Stan Staff flagged Jane Doe of Acme Ltd as abusive" in mail.body
    assert "Screamed at Stan" in mail.body
    assert f"#{shouting.number}" in mail.body
    assert reverse("assessments:flag_list") in mail.body


def test_no_email_before_the_flag_is_committed(staff_client, jane, mailoutbox):
    # Without the commit callbacks running, the task is not even queued yet.
    staff_client.post(flag_url(jane), flag_data())
    assert AbuseFlag.objects.exists()
    assert mailoutbox == []


def test_next_url_is_followed_only_within_the_site(staff_client, jane, shouting):
    here = shouting.get_absolute_url()
    response = staff_client.post(flag_url(jane), flag_data(next=here))
    assert response["Location"] == here
    response = staff_client.post(flag_url(jane), flag_data(next="https://evil.test/"))
    assert response["Location"] == reverse("assessments:contact_detail", args=[jane.pk])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "   "}, "reason", "This field is required."),
        ({"reason": "x" * 5001}, "reason", "at most 5000 characters"),
        ({"review_on": "2020-01-01"}, "review_on", "Choose a date after today."),
        ({"review_on": "1000-01-01"}, "review_on", "Choose a date after today."),
        ({"review_on": "9999-12-31"}, "review_on", "within three years"),
        ({"review_on": "not a date"}, "review_on", "Enter a valid date."),
        ({"incidents": ["abc"]}, "incidents", "is not a valid value"),
    ],
)
def test_bad_flag_input_saves_nothing(staff_client, jane, overrides, field, message, mailoutbox):
    response = staff_client.post(flag_url(jane), flag_data(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not AbuseFlag.objects.exists()
    assert not AuditEvent.objects.filter(kind="flag_raised").exists()


def test_incidents_of_another_client_or_business_are_refused(
    staff_client, jane, business, outsider
):
    other_client_incident = factories.incident(factories.client(business))
    foreign = factories.incident(factories.client(outsider.memberships.get().business))
    for incident in (other_client_incident, foreign):
        response = staff_client.post(flag_url(jane), flag_data(incidents=[incident.pk]))
        assert response.status_code == 400
        assert "Select a valid choice" in response.context["form"].errors["incidents"][0]
    assert not AbuseFlag.objects.exists()


def test_service_refuses_incidents_of_another_client(jane, business, staff):
    from django.core.exceptions import ValidationError

    elsewhere = factories.incident(factories.client(business))
    with pytest.raises(ValidationError):
        flag_contact(contact=jane, raised_by=staff, reason="x", incidents=[elsewhere])
    assert not AbuseFlag.objects.exists()


# --- The task -------------------------------------------------------------------------------


def test_task_emails_each_owner_once(jane, staff, owner, business, mailoutbox):
    flag = AbuseFlag.objects.create(
        business=business, contact=jane, reason="Threats", raised_by=staff
    )
    assert notify_owners_of_flag(flag.pk) == 1
    assert notify_owners_of_flag(flag.pk) == 0  # a re-delivered task does not mail again
    assert [m.to for m in mailoutbox] == [[owner.email]]
    assert notify_owners_of_flag(999999) == 0
    # Kept in the flag's row, not in a cache: emptying the cache sends nothing again.
    flag.refresh_from_db()
    assert flag.owners_notified_at is not None
    cache.clear()
    assert notify_owners_of_flag(flag.pk) == 0


def test_a_failed_send_is_not_recorded_as_sent(
    business, owner, staff, jane, mailoutbox, monkeypatch
):
    flag = AbuseFlag.objects.create(
        business=business, contact=jane, reason="Threats", raised_by=staff
    )

    def broken(*args, **kwargs):
        raise ConnectionError("SMTP down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(ConnectionError):
        notify_owners_of_flag(flag.pk)
    flag.refresh_from_db()
    assert flag.owners_notified_at is None  # the retry will send it
    monkeypatch.undo()
    assert notify_owners_of_flag(flag.pk) == 1


def test_email_keeps_markup_as_typed_and_the_subject_on_one_line(
    business, owner, staff, acme, mailoutbox
):
    contact = factories.contact(acme, name="Evil\nBcc: x@y.test")
    flag = AbuseFlag.objects.create(
        business=business, contact=contact, reason="<b>rude</b> & loud", raised_by=staff
    )
    notify_owners_of_flag(flag.pk)
    mail = mailoutbox[0]
    assert "\n" not in mail.subject
    assert "<b>rude</b> & loud" in mail.body


# --- Clear a flag ---------------------------------------------------------------------------


@pytest.fixture
def flag(jane, staff):
    return flag_contact(contact=jane, raised_by=staff, reason="Shouted at Stan.")


def clear_url(flag) -> str:
    return reverse("assessments:flag_clear", args=[flag.pk])


def test_clear_personas(anon_client, outsider_client, staff_client, flag):
    url = clear_url(flag)
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"reason": "x"}).status_code == 404
    assert staff_client.get(url).status_code == 403
    assert staff_client.post(url, {"reason": "Apologised."}).status_code == 403
    flag.refresh_from_db()
    assert flag.is_open


def test_owner_clears_a_flag_and_history_stays(owner_client, owner, flag):
    response = owner_client.post(clear_url(flag), {"reason": "Apologised in writing."})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert not flag.is_open
    assert flag.cleared_by == owner and flag.clear_reason == "Apologised in writing."
    assert AbuseFlag.objects.filter(pk=flag.pk).exists()
    event = AuditEvent.objects.get(kind="flag_cleared")
    assert event.actor == owner and "Apologised in writing." in event.detail
    # Clearing again changes nothing.
    response = owner_client.post(clear_url(flag), {"reason": "Again"})
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.clear_reason == "Apologised in writing."
    assert AuditEvent.objects.filter(kind="flag_cleared").count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 5001])
def test_clear_without_a_good_reason_changes_nothing(owner_client, flag, reason):
    response = owner_client.post(clear_url(flag), {"reason": reason})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    flag.refresh_from_db()
    assert flag.is_open


# --- The list and the includes --------------------------------------------------------------


def test_list_personas_and_order(anon_client, outsider_client, staff_client, jane, staff, owner):
    url = reverse("assessments:flag_list")
    assert anon_client.get(url).status_code == 302
    cleared = flag_contact(contact=jane, raised_by=staff, reason="Old trouble")
    from assessments.services.flags import clear_flag

    clear_flag(cleared, cleared_by=owner, reason="Sorted out")
    overdue = flag_contact(
        contact=jane, raised_by=staff, reason="Overdue one", review_on=timezone.localdate()
    )
    AbuseFlag.objects.filter(pk=overdue.pk).update(
        review_on=timezone.localdate() - timedelta(days=3)
    )
    later = flag_contact(contact=jane, raised_by=staff, reason="Later one")
    page = staff_client.get(url)
    assert [f.pk for f in page.context["page"].object_list] == [overdue.pk, later.pk, cleared.pk]
    html = page.content.decode()
    assert "Review overdue since" in html and "review-overdue" in html
    assert "Sorted out" in html
    assert "Clear…" not in html  # staff cannot clear
    assert "Jane Doe" not in outsider_client.get(url).content.decode()


def test_list_queries_do_not_grow(staff_client, acme, staff, django_assert_num_queries):
    url = reverse("assessments:flag_list")

    def add_flag():
        contact = factories.contact(acme)
        incident = factories.incident(acme, contact=contact)
        flag_contact(contact=contact, raised_by=staff, reason="Rude", incidents=[incident])

    add_flag()
    staff_client.get(url)
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the page computed, not served kept
    with CaptureQueriesContext(connection) as one:
        staff_client.get(url)
    for _ in range(49):
        add_flag()
    cache.clear()
    with django_assert_num_queries(len(one.captured_queries)):
        page = staff_client.get(url)
    assert len(page.context["page"].object_list) == 50


def test_list_pages_per_role_any_page_number_and_a_clear_shows_at_once(
    staff_client, owner_client, jane, staff, owner
):
    url = reverse("assessments:flag_list")
    flag = flag_contact(contact=jane, raised_by=staff, reason="Shouted at reception")
    assert "Clear…" in owner_client.get(url).content.decode()
    html = staff_client.get(url).content.decode()
    assert "Shouted at reception" in html and "Clear…" not in html  # staff cannot clear
    # A page number of any kind is a page: nonsense is the first, past the end the last.
    for page in ("2", "0", "-1", "x" * 30, "99999999999999999999"):
        assert "Shouted at reception" in staff_client.get(url, {"page": page}).content.decode()
    response = owner_client.post(
        reverse("assessments:flag_clear", args=[flag.pk]), {"reason": "Apologised"}, follow=True
    )
    html = response.content.decode()
    assert "is cleared; it stays in their history" in html  # the message, drawn afresh
    assert "Cleared on" in html and "Apologised" in html
    assert "Cleared on" in staff_client.get(url).content.decode()


def test_warning_include(rf, jane, staff, acme, django_assert_num_queries):
    flag_contact(contact=jane, raised_by=staff, reason="<script>x</script> Threatened Stan.")
    with django_assert_num_queries(1):
        html = render_to_string(
            "assessments/flags/_warnings.html", {"flags": open_flags_for_client(acme)}
        )
    today = timezone.localdate()
    assert f"Contact Jane Doe was flagged abusive on {today:%-d %B %Y} by Stan Staff:" in html
    assert "&lt;script&gt;x&lt;/script&gt; Threatened Stan." in html
    review = today + timedelta(days=90)
    assert f"Review on {review:%-d %B %Y}." in html
    assert list(open_flags_for_contact(jane)) == list(open_flags_for_client(acme))


def test_history_include_shows_open_and_cleared(rf, jane, staff, owner):
    from assessments.services.flags import clear_flag

    old = flag_contact(contact=jane, raised_by=staff, reason="First time")
    clear_flag(old, cleared_by=owner, reason="Apologised")
    flag_contact(contact=jane, raised_by=staff, reason="Second time")
    request = rf.get("/contacts/1/")
    html = render_to_string(
        "assessments/flags/_history.html",
        {"flags": flag_history_for_contact(jane), "is_owner": True, "request": request},
    )
    assert html.index("Second time") < html.index("First time")
    assert "Open flag" in html and "Cleared flag" in html
    assert "Cleared on" in html and "Apologised" in html
    assert html.count("Clear this flag") == 1
