"""The incident log: logging (phone form), reading with history, amending, listing."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from django.utils import timezone

from assessments.models import Evidence, Incident, IncidentVersion
from tests import factories

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def acme(business):
    return factories.client(business, name="Acme Ltd")


@pytest.fixture
def jane(acme):
    return factories.contact(acme, name="Jane Doe")


def form_data(client_obj, **overrides) -> dict:
    data = {
        "client": client_obj.pk,
        "category": "verbal_abuse",
        "severity": "high",
        "description": "Shouted at Stan on the phone and called him useless.",
        "occurred_at": "2025-03-12T10:30",  # a Wednesday morning, in London time
        "channel": "phone",
        "outside_hours_shown": "False",
        "witnesses": "",
    }
    data.update(overrides)
    return data


# --- Log an incident ------------------------------------------------------------------


def test_log_form_personas(anon_client, staff_client, owner_client, outsider_client, acme):
    url = reverse("assessments:incident_create")
    response = anon_client.get(url)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert staff_client.get(url).status_code == 200
    assert owner_client.get(url).status_code == 200
    # The outsider's own form never offers business A's client, even when asked for it.
    page = outsider_client.get(url, {"client": acme.pk}).content.decode()
    assert "Acme Ltd" not in page


def test_client_is_preselected_from_the_client_page(staff_client, acme):
    factories.client(acme.business, name="Other Co")
    page = staff_client.get(reverse("assessments:incident_create"), {"client": acme.pk})
    assert page.context["form"].initial["client"] == acme
    assert f'<option value="{acme.pk}" selected>' in page.content.decode()


def test_contact_is_preselected_from_the_contact_page(staff_client, acme, jane, business):
    url = reverse("assessments:incident_create")
    form = staff_client.get(url, {"client": acme.pk, "contact": jane.pk}).context["form"]
    assert form.initial["client"] == acme and form.initial["contact"] == jane
    # The contact alone is enough: its client comes with it.
    form = staff_client.get(url, {"contact": jane.pk}).context["form"]
    assert form.initial["client"] == acme
    # A contact that does not belong to the client given is ignored.
    other = factories.client(business)
    form = staff_client.get(url, {"client": other.pk, "contact": jane.pk}).context["form"]
    assert form.initial["client"] == other and "contact" not in form.initial


def test_staff_logs_an_incident(staff_client, staff, acme, jane):
    response = staff_client.post(
        reverse("assessments:incident_create"), form_data(acme, contact=jane.pk, witnesses="Ann")
    )
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == incident.get_absolute_url()
    assert incident.number == 1
    assert incident.contact == jane
    assert incident.recorded_by == staff
    assert incident.occurred_at == datetime(2025, 3, 12, 10, 30, tzinfo=LONDON)
    assert incident.witnesses == "Ann"
    assert incident.outside_hours is False
    version = IncidentVersion.objects.get()
    assert version.version == 1 and version.content["description"].startswith("Shouted")
    follow = staff_client.get(response["Location"])
    assert "Incident #1 recorded for Acme Ltd." in follow.content.decode()


def test_incident_with_photos_in_one_go(staff_client, acme):
    photo = SimpleUploadedFile("IMG_0001.png", PNG, content_type="image/png")
    note = SimpleUploadedFile("call-notes.txt", "Ελληνικά, 한국어 ✓".encode(), "text/plain")
    response = staff_client.post(
        reverse("assessments:incident_create"), form_data(acme, files=[photo, note])
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    names = sorted(incident.evidence.values_list("original_name", "content_type"))
    assert names == [("IMG_0001.png", "image/png"), ("call-notes.txt", "text/plain")]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"description": ""}, "description", "This field is required."),
        ({"description": "bad\x00byte"}, "description", "Null characters are not allowed."),
        ({"category": "made_up"}, "category", "Select a valid choice"),
        ({"severity": "apocalyptic"}, "severity", "Select a valid choice"),
        ({"occurred_at": "1000-01-01T10:00"}, "occurred_at", "Check the year"),
        ({"occurred_at": "2999-01-01T10:00"}, "occurred_at", "in the future"),
        ({"occurred_at": "2025-02-30T10:00"}, "occurred_at", "Enter a valid date/time."),
        ({"occurred_at": "99999-01-01T10:00"}, "occurred_at", "Enter a valid date/time."),
        # Clocks go forward in London: 01:30 on 30 March 2025 never happened.
        ({"occurred_at": "2025-03-30T01:30"}, "occurred_at", "couldn’t be interpreted"),
        ({"witnesses": "x" * 501}, "witnesses", "at most 500 characters"),
        ({"description": "x" * 20001}, "description", "at most 20000 characters"),
    ],
)
def test_bad_input_saves_nothing(staff_client, acme, overrides, field, message):
    response = staff_client.post(
        reverse("assessments:incident_create"), form_data(acme, **overrides)
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Incident.objects.exists()


def test_time_a_few_minutes_ahead_is_accepted(staff_client, acme):
    # A phone clock a minute or two fast must not block the form.
    soon = timezone.localtime(timezone.now() + timedelta(minutes=2), LONDON)
    response = staff_client.post(
        reverse("assessments:incident_create"),
        form_data(acme, occurred_at=soon.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 302
    later = timezone.localtime(timezone.now() + timedelta(minutes=30), LONDON)
    response = staff_client.post(
        reverse("assessments:incident_create"),
        form_data(acme, occurred_at=later.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 400
    assert Incident.objects.count() == 1


def test_contact_of_another_client_or_business_is_refused(staff_client, acme, outsider):
    other_client_contact = factories.contact(factories.client(acme.business), name="Bob Other")
    foreign = factories.contact(factories.client(outsider.memberships.get().business))
    url = reverse("assessments:incident_create")
    response = staff_client.post(url, form_data(acme, contact=other_client_contact.pk))
    assert response.status_code == 400
    assert "Bob Other is not a contact of Acme Ltd." in response.context["form"].errors["contact"]
    response = staff_client.post(url, form_data(acme, contact=foreign.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["contact"][0]
    assert not Incident.objects.exists()


def test_client_of_another_business_is_refused(outsider_client, acme):
    response = outsider_client.post(reverse("assessments:incident_create"), form_data(acme))
    assert response.status_code == 400
    assert "client" in response.context["form"].errors
    assert not Incident.objects.exists()


def test_a_bad_file_saves_neither_incident_nor_files(staff_client, acme):
    good = SimpleUploadedFile("ok.png", PNG, "image/png")
    bad = SimpleUploadedFile("run.exe", b"MZ" + b"\x00" * 100, "application/octet-stream")
    response = staff_client.post(
        reverse("assessments:incident_create"), form_data(acme, files=[good, bad])
    )
    assert response.status_code == 400
    assert "run.exe" in " ".join(response.context["form"].errors["files"])
    assert not Incident.objects.exists()
    assert not Evidence.objects.exists()


# --- Out of hours, in the business's time zone -------------------------------------------


@pytest.mark.parametrize(
    ("when", "box", "shown", "expected"),
    [
        ("2025-03-12T10:30", None, "False", False),  # Wednesday in hours, left as suggested
        ("2025-03-12T22:15", None, "False", True),  # time changed, box untouched: follows hours
        ("2025-03-08T10:30", None, "False", True),  # Saturday
        ("2025-03-12T08:59", None, "False", True),  # a minute before opening
        ("2025-03-12T17:30", None, "False", True),  # closing time is already outside
        ("2025-03-12T22:15", "on", "True", True),  # suggested and kept
        ("2025-03-12T22:15", None, "True", False),  # suggested, but the person unticked it
        ("2025-03-12T10:30", "on", "False", True),  # the person ticked it themselves
    ],
)
def test_outside_hours_follows_the_hours_unless_changed(
    staff_client, acme, when, box, shown, expected
):
    data = form_data(acme, occurred_at=when, outside_hours_shown=shown)
    if box:
        data["outside_hours"] = box
    assert staff_client.post(reverse("assessments:incident_create"), data).status_code == 302
    assert Incident.objects.get().outside_hours is expected


def test_times_are_read_and_judged_in_the_business_time_zone(staff_client, business, acme):
    business.time_zone = "America/New_York"
    business.save()
    # 16:00 in New York is 21:00 in London: inside New York's hours, and stored as such.
    data = form_data(acme, occurred_at="2025-03-12T16:00")
    assert staff_client.post(reverse("assessments:incident_create"), data).status_code == 302
    incident = Incident.objects.get()
    assert incident.occurred_at == datetime(2025, 3, 12, 20, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert incident.outside_hours is False
    page = staff_client.get(incident.get_absolute_url()).content.decode()
    assert "12 March 2025, 16:00" in page


def test_form_suggests_outside_hours_for_now(staff_client, business, acme):
    business.contact_days = ""  # no contact days at all: any time now is outside
    business.save()
    form = staff_client.get(reverse("assessments:incident_create")).context["form"]
    assert form.initial["outside_hours"] is True
    assert form.initial["outside_hours_shown"] is True
    business.contact_days = "0123456"
    business.contact_hours_start = datetime.min.time()
    business.contact_hours_end = datetime.max.time()
    business.save()
    form = staff_client.get(reverse("assessments:incident_create")).context["form"]
    assert form.initial["outside_hours"] is False


# --- The incident page and its history ----------------------------------------------------


def test_incident_page_personas(anon_client, staff_client, outsider_client, acme, staff):
    incident = factories.incident(acme, by=staff, description="Threw a chair.")
    url = incident.get_absolute_url()
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    page = staff_client.get(url)
    assert page.status_code == 200
    assert "Threw a chair." in page.content.decode()
    assert (
        staff_client.get(reverse("assessments:incident_detail", args=[999999])).status_code == 404
    )


def test_markup_is_shown_as_text(staff_client, acme):
    incident = factories.incident(acme, description='<script>alert(1)</script>"><img onerror=x>')
    page = staff_client.get(incident.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_incident_page_queries_do_not_grow(staff_client, acme, staff, django_assert_num_queries):
    small = factories.incident(acme, by=staff, contact=factories.contact(acme))
    big = factories.incident(acme, by=staff, contact=factories.contact(acme))
    from assessments.services.evidence import add_evidence
    from assessments.services.incidents import amend_incident

    for n in range(10):
        amend_incident(
            big,
            author=staff,
            reason=f"fix {n}",
            description=f"v{n}",
            contact=factories.contact(acme),
        )
        add_evidence(big, SimpleUploadedFile(f"p{n}.png", PNG), uploaded_by=staff)
    staff_client.get(small.get_absolute_url())  # warm the session
    with django_assert_num_queries(_count(staff_client, small.get_absolute_url())):
        staff_client.get(big.get_absolute_url())


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


# --- Amend ------------------------------------------------------------------------------


def test_amend_personas(anon_client, outsider_client, staff_client, acme):
    incident = factories.incident(acme)
    url = reverse("assessments:incident_amend", args=[incident.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    response = outsider_client.post(url, {"reason": "x", "description": "hacked"})
    assert response.status_code == 404
    assert staff_client.get(url).status_code == 200
    incident.refresh_from_db()
    assert incident.version_count == 1


def amend_data(incident, **overrides) -> dict:
    local = timezone.localtime(incident.occurred_at, LONDON)
    data = {
        "reason": "Got the details wrong.",
        "category": incident.category,
        "severity": incident.severity,
        "description": incident.description,
        "occurred_at": local.strftime("%Y-%m-%dT%H:%M"),
        "channel": incident.channel,
        "contact": incident.contact_id or "",
        "witnesses": incident.witnesses,
        "outside_hours_shown": str(incident.outside_hours),
    }
    if incident.outside_hours:
        data["outside_hours"] = "on"
    data.update(overrides)
    return data


def test_amend_keeps_the_original_readable(owner_client, owner, acme):
    incident = factories.incident(
        acme, description="Called me an idiot.", occurred_at=timezone.now() - timedelta(hours=5)
    )
    seconds = incident.occurred_at
    url = reverse("assessments:incident_amend", args=[incident.pk])
    response = owner_client.post(
        url, amend_data(incident, description="Called me an idiot, twice.", severity="high")
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.version_count == 2
    assert incident.description == "Called me an idiot, twice."
    assert incident.occurred_at == seconds  # an untouched time keeps its seconds
    latest = incident.versions.order_by("version").last()
    assert latest.reason == "Got the details wrong." and latest.author == owner
    page = owner_client.get(incident.get_absolute_url()).content.decode()
    assert "Original record" in page
    assert "Called me an idiot.</del>" in page
    assert "Called me an idiot, twice.</ins>" in page
    assert "Got the details wrong." in page
    assert "Olga Owner" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({}, "__all__", "Nothing was changed"),
        ({"description": ""}, "description", "This field is required."),
        ({"occurred_at": "1000-01-01T00:00"}, "occurred_at", "Check the year"),
    ],
)
def test_bad_amendment_changes_nothing(staff_client, acme, overrides, field, message):
    incident = factories.incident(acme, description="Original")
    if "reason" in overrides or "occurred_at" in overrides:
        overrides.setdefault("description", "Changed")
    url = reverse("assessments:incident_amend", args=[incident.pk])
    response = staff_client.post(url, amend_data(incident, **overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    incident.refresh_from_db()
    assert incident.version_count == 1 and incident.description == "Original"
    assert IncidentVersion.objects.count() == 1


def test_amend_refuses_a_contact_of_another_client(staff_client, acme):
    incident = factories.incident(acme)
    elsewhere = factories.contact(factories.client(acme.business))
    url = reverse("assessments:incident_amend", args=[incident.pk])
    response = staff_client.post(url, amend_data(incident, contact=elsewhere.pk))
    assert response.status_code == 400
    incident.refresh_from_db()
    assert incident.contact_id is None


def test_moving_the_time_recomputes_outside_hours_only_if_left_alone(staff_client, acme):
    incident = factories.incident(
        acme, occurred_at=datetime(2025, 3, 12, 10, 0, tzinfo=LONDON), outside_hours=True
    )
    url = reverse("assessments:incident_amend", args=[incident.pk])
    # Only the description changes: a manual "outside hours" stays as it was.
    assert staff_client.post(url, amend_data(incident, description="More")).status_code == 302
    incident.refresh_from_db()
    assert incident.outside_hours is True
    # The time moves to Saturday and the box is left as shown: it follows the hours.
    data = amend_data(incident, occurred_at="2025-03-08T11:00")
    assert staff_client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.outside_hours is True
    data = amend_data(incident, occurred_at="2025-03-11T11:00", outside_hours_shown="True")
    assert staff_client.post(url, data).status_code == 302
    incident.refresh_from_db()
    assert incident.outside_hours is False


# --- The list -----------------------------------------------------------------------------


def test_list_personas_and_tenancy(anon_client, staff_client, outsider_client, acme):
    factories.incident(acme, description="Acme secret")
    url = reverse("assessments:incident_list")
    assert anon_client.get(url).status_code == 302
    assert "Acme Ltd" in staff_client.get(url).content.decode()
    assert "Acme Ltd" not in outsider_client.get(url).content.decode()
    # Filtering by another business's client shows nothing of it.
    assert "Acme Ltd" not in outsider_client.get(url, {"client": acme.pk}).content.decode()


def test_list_queries_do_not_grow(staff_client, acme, staff, django_assert_num_queries):
    url = reverse("assessments:incident_list")
    factories.incident(acme, by=staff, contact=factories.contact(acme))
    staff_client.get(url)  # the first request after login also writes the session
    cache.clear()  # both measured with the total counted afresh
    one = _count(staff_client, url)
    for _ in range(49):
        factories.incident(acme, by=staff, contact=factories.contact(acme))
    cache.clear()
    with django_assert_num_queries(one):
        page = staff_client.get(url)
    assert len(page.context["page"].object_list) == 25


def test_list_counts_files_and_pages(staff_client, acme, staff):
    from assessments.services.evidence import add_evidence

    url = reverse("assessments:incident_list")
    with_files = factories.incident(acme, by=staff, occurred_at=timezone.now() - timedelta(days=30))
    for name in ("a.png", "b.png"):
        add_evidence(with_files, SimpleUploadedFile(name, PNG), uploaded_by=staff)
    for _ in range(25):
        factories.incident(acme, by=staff)
    response = staff_client.get(url)
    first = response.context["page"]
    assert len(first.object_list) == 25 and first.has_next and not first.has_previous
    assert "Page 1" in response.content.decode() and "Older" in response.content.decode()
    second = staff_client.get(url, {"page": 2}).context["page"]
    assert [(i.pk, i.evidence_count) for i in second.object_list] == [(with_files.pk, 2)]
    assert second.has_previous and not second.has_next
    assert all(i.evidence_count == 0 for i in first.object_list)
    factories.incident(acme, by=staff)
    assert len(staff_client.get(url, {"page": 2}).context["page"].object_list) == 2


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("", 1),
        ("abc", 1),
        ("0", 1),
        ("-2", 1),
        ("2", 2),
        ("3", 2),
        ("99999999999999999999", 2),
        ("9" * 5000, 2),
        ("٣", 1),
    ],
)
def test_list_page_numbers_a_user_can_type(staff_client, acme, staff, asked, shown):
    """A page past the end shows the last page, as Paginator.get_page does; junk shows
    the first."""
    for _ in range(30):
        factories.incident(acme, by=staff)
    response = staff_client.get(reverse("assessments:incident_list"), {"page": asked})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == shown
    assert len(page.object_list) == (25 if shown == 1 else 5)


def test_list_does_not_count_the_whole_log(staff_client, acme, staff):
    """The newest page reads one row more than it shows instead of counting every
    incident of the business (a COUNT(*) over 200,000 rows costs more than the page)."""
    factories.incident(acme, by=staff)
    with CaptureQueriesContext(connection) as queries:
        staff_client.get(reverse("assessments:incident_list"))
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]


# --- Never deleted ------------------------------------------------------------------------


def test_incidents_cannot_be_deleted(acme):
    incident = factories.incident(acme)
    with pytest.raises(PermissionDenied):
        incident.delete()
    with pytest.raises(PermissionDenied):
        Incident.objects.all().delete()
    with pytest.raises(PermissionDenied):
        IncidentVersion.objects.all().delete()
    assert Incident.objects.count() == 1


def test_no_url_deletes_incidents_or_evidence():
    names = [
        name
        for name in get_resolver().reverse_dict
        if isinstance(name, str) and "delete" in name.lower()
    ]
    names += [
        pattern.name
        for pattern in get_resolver("assessments.urls").url_patterns
        if pattern.name and "delete" in pattern.name.lower()
    ]
    offending = [n for n in names if any(w in n for w in ("incident", "evidence", "version"))]
    assert offending == []


def test_admin_is_read_only_for_the_record(rf, acme):
    superuser = factories.user(is_staff=True, is_superuser=True)
    request = rf.get("/admin/")
    request.user = superuser
    for model in (Incident, IncidentVersion, Evidence):
        model_admin = admin_site._registry[model]
        assert model_admin.has_delete_permission(request) is False
        assert model_admin.has_change_permission(request) is False
        assert model_admin.has_add_permission(request) is False
        assert model_admin.get_actions(request) == {}


def test_admin_delete_page_is_refused(client, acme):
    incident = factories.incident(acme)
    superuser = factories.user(is_staff=True, is_superuser=True)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:assessments_incident_delete", args=[incident.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Incident.objects.filter(pk=incident.pk).exists()
    assert (
        client.get(reverse("admin:assessments_incident_change", args=[incident.pk])).status_code
        == 200
    )
