"""Tenant isolation on every URL, by construction.

The walk takes every URL pattern of the project (walk.py), fills its parameters with
business A's ids, and requests it with every method as business B's owner, as A's
staff (owner-only URLs) and anonymously. Each route runs in a savepoint that is
rolled back, with a fresh client, so one route's effects cannot mask another's.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Business
from tests.hardening import form_data, walk
from tests.hardening.html import id_fields, parse
from tests.hardening.support import body_of, client_for, describe, is_html, rolled_back
from tests.hardening.world import DATA_SECRETS, PEOPLE_SECRETS, World, snapshot, snapshot_diff

ROUTES = walk.all_routes()


def test_every_url_is_classified_and_fillable():
    assert len(ROUTES) > 50, "the walk found too few URL patterns: is it still walking?"
    problems = walk.problems_with_routes(ROUTES)
    assert not problems, "\n".join(problems)


def _post_data(route: walk.Route, world: World) -> dict[str, Any]:
    spec = form_data.FORMS.get(route.name)
    return spec.data(world) if spec and route.access != "public" else {}


def _leaks(text: str, secrets: tuple[str, ...]) -> list[str]:
    return [secret for secret in secrets if secret in text]


def _a_urls(world: World) -> set[str]:
    """A's pages; a capability's own URL is not one (its error redirects back to it)."""
    return {
        route.url(world) for route in ROUTES if route.params and route.name not in walk.CAPABILITY
    }


def _check_route(route, persona: str, world: World, expect) -> list[str]:
    """Every method on one route as `persona`; the problems found (empty when all is well)."""
    client = client_for(persona, world)
    before = snapshot(world.business)
    url = route.url(world, query=True)
    # Staff see their own business's name; B sees nothing of A but what a capability shows.
    private = persona == "staff" or route.name in walk.CAPABILITY
    secrets = DATA_SECRETS if private else DATA_SECRETS + PEOPLE_SECRETS
    if route.name in walk.DATA_CAPABILITY:
        secrets = ()
    a_urls = _a_urls(world)
    problems, statuses = [], {}
    for method in walk.METHODS:
        data = _post_data(route, world)
        try:
            response = walk.request(client, method, url, data)
        except Exception as exc:  # noqa: BLE001
            problems.append(f"{route.name} {method.upper()}: {describe(exc)}")
            continue
        statuses[method] = response.status_code
        where = f"{route.name} {method.upper()} as {persona} -> {response.status_code}"
        user = response.wsgi_request.user
        wanted = {"outsider": world.outsider, "staff": world.staff}.get(persona)
        if route.name != "accounts:logout" and wanted is not None and user != wanted:
            problems.append(f"{where}: the request was not made as {persona} (test problem)")
        if response.status_code >= 500:
            problems.append(f"{where}: server error")
        if leaked := _leaks(body_of(response), secrets):
            problems.append(f"{where}: the body shows A's data {leaked}")
        location = response.get("Location", "")
        if location and (location.split("?")[0] in a_urls or _leaks(location, secrets)):
            problems.append(f"{where}: redirects to A's data ({location})")
        problems.extend(f"{where}: {p}" for p in expect(route, method, response))
    if (message := _expect_404_once(route, statuses, persona)) is not None:
        problems.append(message)
    if changed := snapshot_diff(before, snapshot(world.business)):
        problems.append(f"{route.name} as {persona}: changed A's rows in {changed}")
    return problems


def _expect_404_once(route, statuses: dict[str, int], persona: str) -> str | None:
    """A URL that names A's row must be refused as absent (404) at least once, for B."""
    if persona != "outsider" or not route.params or route.name in walk.CAPABILITY:
        return None
    if 404 not in statuses.values():
        return f"{route.name} as outsider: never answered 404 ({statuses})"
    return None


def _walk(world: World, persona: str, routes, expect) -> list[str]:
    problems: list[str] = []
    for route in routes:
        found, exc = rolled_back(lambda route=route: _check_route(route, persona, world, expect))
        problems.extend([f"{route.name}: {describe(exc)}"] if exc is not None else found or [])
    return problems


def _outsider_expect(route, method: str, response) -> list[str]:
    if route.access == "public" or not route.params or route.name in walk.CAPABILITY:
        return []
    if response.status_code in (403, 404, 405) or response.status_code in (301, 302):
        return []
    return ["a URL naming A's row must answer 404 (or 403/405) to business B"]


def test_business_b_gets_nothing_of_business_a(world):
    problems = _walk(world, "outsider", ROUTES, _outsider_expect)
    assert not problems, "\n".join(problems)


def _staff_expect(route, method: str, response) -> list[str]:
    if response.status_code != 403:
        return ["staff must get 403 on an owner-only URL"]
    return []


def test_staff_get_403_on_every_owner_only_url(world):
    owner_only = [route for route in ROUTES if route.access == "owner"]
    assert owner_only
    problems = _walk(world, "staff", owner_only, _staff_expect)
    assert not problems, "\n".join(problems)


def test_anonymous_visitors_are_sent_to_log_in(world, anon_client):
    login = reverse("accounts:login")
    problems = []
    for route in ROUTES:
        if route.access == "public":
            continue
        url = route.url(world)
        for method in walk.METHODS:
            response = walk.request(anon_client, method, url, {})
            location = response.get("Location", "")
            if response.status_code != 302 or not location.startswith(login):
                problems.append(f"{route.name} {method.upper()}: {response.status_code} {location}")
    assert not problems, "\n".join(problems)


def test_django_admin_is_closed_to_owners(owner_client, anon_client):
    for url in ("/admin/", "/admin/assessments/client/", "/admin/accounts/user/"):
        for client in (owner_client, anon_client):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url


# --- Fields that take ids refuse another business's ids ------------------------------------

# (URL name, field) -> B's value for it. A field that takes ids on any page, missing here
# (and not in NOT_IDS), fails test_every_id_field_is_tested.
FOREIGN_IDS: dict[tuple[str, str], Any] = {
    ("assessments:incident_create", "client"): lambda w: str(w.b_client.pk),
    ("assessments:incident_create", "contact"): lambda w: str(w.b_contact.pk),
    ("assessments:incident_amend", "contact"): lambda w: str(w.b_contact.pk),
    ("assessments:incident_create", "about"): lambda w: f"d{w.b_delivery.pk}",
    ("assessments:incident_amend", "about"): lambda w: f"d{w.b_delivery.pk}",
    ("assessments:delivery_create", "invoice"): lambda w: str(w.b_invoice.pk),
    ("assessments:delivery_edit", "invoice"): lambda w: str(w.b_invoice.pk),
    ("assessments:flag_contact", "incidents"): lambda w: [str(w.b_incident.pk)],
    ("assessments:plan_create", "partners"): lambda w: [str(w.b_partner.pk)],
    ("assessments:plan_create", "goodwill_invoice"): lambda w: str(w.b_invoice.pk),
    ("assessments:plan_edit", "partners"): lambda w: [str(w.b_partner.pk)],
    ("assessments:plan_edit", "goodwill_invoice"): lambda w: str(w.b_invoice.pk),
    ("assessments:time_create", "user"): lambda w: str(w.outsider.pk),
    ("assessments:time_edit", "user"): lambda w: str(w.outsider.pk),
    ("accounts:switch_business", "business"): lambda w: str(w.other_business.pk),
}
# Choice fields whose values are digits but not row ids.
NOT_IDS = {("accounts:settings", "contact_days")}


def _pages_forms(world: World, persona: str):
    """(page, action URL name, form) for every POST form on every page `persona` can open."""
    from django.urls import resolve

    client = client_for(persona, world)
    wanted = {"member", "login"} if persona == "staff" else {"member", "login", "owner"}
    for route in ROUTES:
        if route.access not in wanted:
            continue
        page = route.url(world)
        response = client.get(page)
        if response.status_code != 200 or not is_html(response):
            continue
        for form in parse(body_of(response)).forms:
            if form.method != "post":
                continue
            action = (form.action or page).split("?")[0]
            yield route.name, resolve(action).view_name, form


def test_every_id_field_is_tested(world):
    untested = set()
    for persona in ("owner", "staff"):
        for page, action, form in _pages_forms(world, persona):
            for name in id_fields(form):
                if (action, name) not in FOREIGN_IDS and (action, name) not in NOT_IDS:
                    untested.add(f"{action}: field {name!r} (on {page})")
    assert not untested, (
        "These fields take ids; add a case to FOREIGN_IDS in test_tenant_isolation.py:\n"
        + "\n".join(sorted(untested))
    )


@pytest.mark.parametrize("case", sorted(FOREIGN_IDS), ids=lambda c: f"{c[0]}.{c[1]}")
def test_forms_refuse_another_business_ids(world, case):
    name, field = case
    spec = form_data.FORMS[name]
    client = client_for("owner", world)
    data = spec.data(world)
    data[field] = FOREIGN_IDS[case](world)
    before = snapshot(world.business), snapshot(Business.objects.get(pk=world.other_business.pk))
    response = client.post(form_data.form_url(name, spec, world, client), data)
    after = snapshot(world.business), snapshot(Business.objects.get(pk=world.other_business.pk))
    assert before == after, f"{name} saved something with B's {field}"
    if name == "accounts:switch_business":
        assert response.status_code == 404
        assert client.session["business_id"] == world.business.pk
        return
    assert response.status_code == 400, response.status_code
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert "Bravo" not in body_of(response)


@pytest.mark.parametrize(
    "name, query",
    [
        ("assessments:incident_list", lambda w: f"client={w.b_client.pk}"),
        (
            "assessments:incident_create",
            lambda w: f"client={w.b_client.pk}&contact={w.b_contact.pk}",
        ),
        ("assessments:flag_contact", lambda w: f"incident={w.b_incident.pk}"),
    ],
)
def test_ids_in_the_query_string_never_show_another_business(world, name, query):
    client = client_for("owner", world)
    route = next(r for r in ROUTES if r.name == name)
    response = client.get(f"{route.url(world)}?{query(world)}")
    assert response.status_code == 200
    body = body_of(response)
    assert "Bravo" not in body and "Bruno" not in body
