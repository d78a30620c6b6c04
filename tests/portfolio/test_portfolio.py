"""The owner's portfolio: personas, sorting and filtering across pages, charts, cache."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from assessments.models import AbuseFlag, Assessment, AssessmentAnswer
from tests import factories

pytestmark = pytest.mark.django_db

HOME = "/"


def _names(response) -> list[str]:
    return [row["client"].name for row in response.context["rows"]]


def _money_client(business, name, *, revenue, cost_hours=0, **fields):
    client = factories.client(business, name=name, **fields)
    if revenue:
        factories.invoice(client, amount=Decimal(revenue))
    if cost_hours:
        factories.time_entry(client, minutes=60 * cost_hours, cost_rate=Decimal("50.00"))
    return client


def _review(client, verdict, yes=()):
    done = timezone.now() - timedelta(days=3)
    assessment = Assessment.objects.create(
        business=client.business,
        client=client,
        status=Assessment.Status.COMPLETE,
        verdict=verdict,
        completed_at=done,
        created=done,
    )
    for key in yes:
        AssessmentAnswer.objects.create(
            business=client.business, assessment=assessment, flag_key=key, answer="yes"
        )
    return assessment


def _flag(client):
    contact = factories.contact(client)
    return AbuseFlag.objects.create(business=client.business, contact=contact, reason="Shouted.")


# --- personas -------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(anon_client):
    response = anon_client.get(HOME)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_owner_gets_the_portfolio(owner_client, business):
    _money_client(business, "Acme Ltd", revenue="1200.00", cost_hours=4)
    response = owner_client.get(HOME)
    assert response.status_code == 200
    assert "assessments/portfolio/home.html" in [t.name for t in response.templates]
    assert _names(response) == ["Acme Ltd"]
    row = response.context["rows"][0]["client"]
    assert row.revenue == Decimal("1200.00")
    assert row.cost == Decimal("200.00")
    assert row.profit == Decimal("1000.00")


def test_staff_get_their_own_home_not_the_portfolio(staff_client, business):
    _money_client(business, "Acme Ltd", revenue="1200.00")
    response = staff_client.get(HOME)
    assert response.status_code == 200
    names = [t.name for t in response.templates]
    assert "assessments/portfolio/home.html" not in names
    assert b"1,200" not in response.content and b"1200" not in response.content
    assert reverse("assessments:incident_create").encode() in response.content


def test_outsider_sees_only_their_own_clients(outsider_client, other_business, business):
    _money_client(business, "Alpha Secret Client", revenue="5000.00")
    _money_client(other_business, "Beta Client", revenue="100.00")
    response = outsider_client.get(HOME)
    assert response.status_code == 200
    assert _names(response) == ["Beta Client"]
    assert b"Alpha Secret Client" not in response.content
    csv_text = b"".join(outsider_client.get(reverse("assessments:portfolio_csv")).streaming_content)
    assert b"Beta Client" in csv_text
    assert b"Alpha Secret Client" not in csv_text


def test_empty_business_invites_to_add_clients(owner_client):
    response = owner_client.get(HOME)
    assert response.status_code == 200
    assert b"No clients yet" in response.content
    assert b"<svg" not in response.content


# --- sorting, filtering, paging ------------------------------------------------------------


@pytest.fixture
def many(business):
    """60 clients with distinct revenue and cost, so every money sort has one right order."""
    clients = []
    for i in range(60):
        clients.append(
            _money_client(
                business,
                f"Client {i:02d}",
                revenue=str(100 * ((i * 37) % 60 + 1)),
                cost_hours=(i * 11) % 7,
            )
        )
    return clients


def _all_pages(client, params: str) -> list[str]:
    names, page = [], 1
    while True:
        response = client.get(f"{HOME}?{params}&page={page}")
        assert response.status_code == 200
        names += _names(response)
        if not response.context["page"].has_next():
            return names
        page += 1


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("revenue", lambda c: c.revenue),
        ("cost", lambda c: c.cost),
        ("profit", lambda c: c.revenue - c.cost),
        ("share", lambda c: c.revenue),
        ("name", lambda c: c.name),
    ],
)
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorting_is_right_across_pages(owner_client, business, many, sort, key, order):
    from assessments import figures

    sums = figures.summaries(business)
    facts = []
    for client in many:
        s = sums.get(client.pk)
        client.revenue = s.revenue if s else Decimal(0)
        client.cost = s.cost if s else Decimal(0)
        facts.append(client)
    # Ties (equal cost) fall back to the name, ascending in both directions, as on the page.
    if sort == "name":
        expected = sorted(facts, key=lambda c: c.name, reverse=order == "desc")
    elif order == "asc":
        expected = sorted(facts, key=lambda c: (key(c), c.name))
    else:
        expected = sorted(facts, key=lambda c: (-key(c), c.name))
    got = _all_pages(owner_client, f"sort={sort}&order={order}")
    assert len(got) == 60
    assert got == [c.name for c in expected]


def test_page_two_holds_the_next_fifty(owner_client, many):
    first = _names(owner_client.get(f"{HOME}?sort=profit&order=asc"))
    second = _names(owner_client.get(f"{HOME}?sort=profit&order=asc&page=2"))
    assert len(first) == 50 and len(second) == 10
    assert not set(first) & set(second)


def test_filters(owner_client, business):
    fired = _money_client(business, "Fired Co", revenue="100.00")
    _review(fired, "fire", yes=["verbal_abuse", "slow_to_pay"])
    watched = _money_client(business, "Watched Co", revenue="100.00", status="under_review")
    _review(watched, "keep")  # an older review, superseded by the next one
    later = _review(watched, "watch", yes=["complains"])
    later.completed_at = timezone.now()
    later.save()
    kept = _money_client(business, "Kept Co", revenue="100.00")
    _review(kept, "keep")
    flagged = _money_client(business, "Flagged Co", revenue="100.00")
    _flag(flagged)
    cleared = _money_client(business, "Cleared Co", revenue="100.00")
    _flag(cleared).__class__.objects.filter(contact__client=cleared).update(
        cleared_at=timezone.now()
    )

    def names(params):
        response = owner_client.get(f"{HOME}?{params}")
        assert response.status_code == 200
        return _names(response)

    assert names("verdict=fire") == ["Fired Co"]
    assert names("verdict=watch") == ["Watched Co"]
    assert names("verdict=keep") == ["Kept Co"]
    assert names("verdict=none") == ["Cleared Co", "Flagged Co"]
    assert names("status=under_review") == ["Watched Co"]
    assert names("flagged=on") == ["Flagged Co"]
    assert names("q=co&verdict=none&flagged=on") == ["Flagged Co"]
    assert names("q=KEPT") == ["Kept Co"]
    assert names("q=nobody") == []
    # Worst verdict first, never-reviewed last.
    assert names("sort=verdict&order=desc")[:3] == ["Fired Co", "Watched Co", "Kept Co"]
    # Confirmed flags are those of the latest review only.
    rows = {r["client"].name: r for r in owner_client.get(HOME).context["rows"]}
    assert [f.key for f in rows["Fired Co"]["flags"]] == ["verbal_abuse", "slow_to_pay"]
    assert [f.key for f in rows["Watched Co"]["flags"]] == ["complains"]
    assert rows["Kept Co"]["flags"] == []
    assert rows["Flagged Co"]["client"].has_open_flag
    assert not rows["Cleared Co"]["client"].has_open_flag


@pytest.mark.parametrize(
    "params",
    [
        "sort=bogus&order=sideways",
        "status=nonsense&verdict=maybe",
        "page=abc",
        "page=99999",
        "page=-1",
        "q=" + "x" * 5000,
        "q=%00%27%22<script>",
        "flagged=perhaps",
    ],
)
def test_mangled_links_still_list(owner_client, business, params):
    _money_client(business, "Acme Ltd", revenue="10.00")
    response = owner_client.get(f"{HOME}?{params}")
    assert response.status_code == 200
    assert b"<script>" not in response.content


# --- charts ---------------------------------------------------------------------------


def test_the_four_charts_have_titles_axes_and_text_alternatives(owner_client, business):
    a = _money_client(business, "Acme Ltd", revenue="900.00", cost_hours=2)
    _money_client(business, "Bolt Inc", revenue="300.00", cost_hours=9)
    factories.incident(a, severity="critical")
    factories.invoice(a, amount=Decimal("50.00"), issued_on=timezone.localdate() - timedelta(200))
    content = owner_client.get(HOME).content.decode()
    assert content.count('<svg xmlns="http://www.w3.org/2000/svg" role="img"') == 4
    for title in (
        "Which clients cause the trouble (last 12 months)",
        "Money owed to you, by how late it is",
        "Share of revenue by client (last 12 months)",
        "Revenue against cost to serve, largest 10 clients (last 12 months)",
    ):
        assert f"{title}</title>" in content
    for axis in ("Trouble score", "Days past the due date", "Share of revenue", "Client"):
        assert axis in content
    assert content.count("<desc id=") == 4
    assert "Acme Ltd: trouble 8" in content  # one critical incident weighs 8


def test_concentration_warning_when_one_client_passes_thirty_percent(owner_client, business):
    _money_client(business, "Big Fish", revenue="4000.00")
    for i in range(6):
        _money_client(business, f"Small {i}", revenue="1000.00")
    content = owner_client.get(HOME).content.decode()
    assert "Big Fish brings in 40% of your revenue." in content
    assert "house of cards" in content


def test_no_concentration_warning_below_thirty_percent(owner_client, business):
    for i in range(5):
        _money_client(business, f"Even {i}", revenue="1000.00")
    content = owner_client.get(HOME).content.decode()
    assert "of your revenue." not in content


def test_a_saved_invoice_shows_at_once(owner_client, business, django_capture_on_commit_callbacks):
    acme = _money_client(business, "Acme Ltd", revenue="100.00")
    assert owner_client.get(HOME).context["rows"][0]["client"].revenue == Decimal("100.00")
    with django_capture_on_commit_callbacks(execute=True):
        factories.invoice(acme, amount=Decimal("250.00"))
    fresh = owner_client.get(HOME)
    assert fresh.context["rows"][0]["client"].revenue == Decimal("350.00")


def test_pages_are_cached_per_business(owner_client, outsider_client, business, other_business):
    _money_client(business, "Alpha Client", revenue="100.00")
    _money_client(other_business, "Beta Client", revenue="100.00")
    assert b"Alpha Client" in owner_client.get(HOME).content
    assert b"Beta Client" not in owner_client.get(HOME).content
    assert b"Alpha Client" not in outsider_client.get(HOME).content


def test_works_while_the_cache_is_down(owner_client, business, monkeypatch):
    _money_client(business, "Acme Ltd", revenue="100.00")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    monkeypatch.setattr(cache, "get_many", broken)
    monkeypatch.setattr(cache, "set", broken)
    monkeypatch.setattr(cache, "incr", broken)
    response = owner_client.get(HOME)
    assert response.status_code == 200
    assert _names(response) == ["Acme Ltd"]


# --- queries ---------------------------------------------------------------------------


def _fill(business, count):
    for i in range(count):
        client = _money_client(business, f"Q{i:03d}", revenue="100.00", cost_hours=1)
        factories.invoice(client, amount=Decimal("20.00"), issued_on=timezone.localdate())
        factories.incident(client)
        _review(client, "watch", yes=["complains", "slow_to_pay"])
        if i % 3 == 0:
            _flag(client)


def test_queries_do_not_grow_with_the_data(owner_client, business):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (1, 50):
        _fill(business, size if not counts else size - 1)
        owner_client.get(HOME + "?sort=profit")  # settles the session
        with CaptureQueriesContext(connection) as ctx:
            response = owner_client.get(HOME + "?sort=profit")
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    # Session, user, memberships; the table and its count; the flags; the two chart queries.
    assert counts[0] <= 8


def test_an_import_shows_at_once(owner_client, business, django_capture_on_commit_callbacks):
    """The CSV import writes with bulk_create (no model signals): it drops the cache itself."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile

    _money_client(business, "Acme Ltd", revenue="100.00")
    assert _names(owner_client.get(HOME)) == ["Acme Ltd"]
    today = timezone.localdate()
    text = f"Client,Invoice number,Issue date,Amount\nNew Co,N-1,{today.isoformat()},500\n"
    preview = owner_client.post(
        reverse("assessments:import_upload"),
        {"file": SimpleUploadedFile("i.csv", text.encode(), "text/csv")},
    )
    token = re.search(r'name="rows" value="([^"]+)"', preview.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("assessments:import_confirm"), {"rows": token})
    assert _names(owner_client.get(HOME)) == ["Acme Ltd", "New Co"]


def test_finalising_a_plan_shows_the_new_status_at_once(
    owner_client, business, owner, django_capture_on_commit_callbacks
):
    """Finalising moves the client with QuerySet.update() (no model signal): the plan
    service drops the cache itself."""
    from assessments.models import OffboardingPlan
    from assessments.services.plans import finalise_plan
    from tests.plans.helpers import completed_assessment

    acme = _money_client(business, "Acme Ltd", revenue="100.00")
    assessment = completed_assessment(acme)
    plan = OffboardingPlan.objects.create(
        business=business,
        client=acme,
        assessment=assessment,
        created_by=owner,
        reason_flag="slow_to_pay",
        reason_fact="Paid late.",
        announce_on=timezone.localdate() + timedelta(days=2),
        status=OffboardingPlan.Status.PENDING,
    )
    assert owner_client.get(HOME).context["rows"][0]["client"].status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        finalise_plan(plan)
    assert owner_client.get(HOME).context["rows"][0]["client"].status == "offboarding"
