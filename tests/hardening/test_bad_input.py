"""Every form, and every page that reads its query string, against the bad-input corpus.

Each form starts from valid data (form_data.FORMS) and gets one field changed at a
time. Every answer is a form error or a correct save, never a server error: a
saved row never holds a NUL or more than its column allows, and markup typed in
comes back as text, on the form and on the page the form leads to.
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.db import models
from django.urls import resolve, reverse

from accounts.models import Business, User
from tests.hardening import corpus, form_data, walk
from tests.hardening.html import parse
from tests.hardening.support import body_of, client_for, describe, is_html, rolled_back
from tests.hardening.world import TENANT_MODELS, World

ROUTES = walk.all_routes()
OK_STATUSES = {200, 302, 400, 404, 409, 429}
# How many flags of the checklist get the corpus (the other 17 are the same field twice).
CHECKLIST_SAMPLE = ("go", "answer_slow_to_pay", "note_slow_to_pay")


def _post_targets(world: World) -> dict[str, str]:
    """URL name -> where it was found, for every URL a page's form posts to, and every
    URL that answers GET with 405 (POST only)."""
    targets: dict[str, str] = {}
    for persona in ("anon", "staff", "owner"):
        client = client_for(persona, world)
        for route in ROUTES:
            url = route.url(world)
            response = client.get(url)
            if response.status_code == 405:
                targets.setdefault(route.name, "POST only")
            if response.status_code != 200 or not is_html(response):
                continue
            for form in parse(body_of(response)).forms:
                if form.method == "post":
                    action = resolve((form.action or url).split("?")[0])
                    targets.setdefault(action.view_name, f"a form on {route.name}")
    return targets


def test_every_post_url_is_known(world):
    """A URL that takes a POST is a form (FORMS) or a button (ACTIONS): no third kind."""
    known = set(form_data.FORMS) | set(form_data.ACTIONS)
    unknown = [
        f"{name} ({found})" for name, found in _post_targets(world).items() if name not in known
    ]
    assert not unknown, (
        "Add these to FORMS (with valid data) or ACTIONS in tests/hardening/form_data.py:\n"
        + "\n".join(sorted(unknown))
    )


@pytest.mark.parametrize("name", sorted(form_data.FORMS))
def test_every_form_field_has_base_data(world, name):
    spec = form_data.FORMS[name]
    data = spec.data(world)
    missing = set(form_data.field_limits(spec)) - set(data) - set(spec.file_fields)
    assert not missing, f"{name}: add {sorted(missing)} to its data in form_data.py"


@pytest.mark.parametrize("name", sorted(form_data.FORMS))
def test_the_base_data_is_valid(world, name):
    """The corpus changes one field of valid data: the data itself must save."""
    spec = form_data.FORMS[name]

    def post():
        client = client_for(spec.persona, world)
        url = form_data.form_url(name, spec, world, client)
        return client.post(url, spec.data(world))

    response, exc = rolled_back(post)
    assert exc is None, describe(exc)
    errors = (
        response.context["form"].errors if response.context and "form" in response.context else ""
    )
    assert response.status_code == spec.success, f"{response.status_code} {errors}"
    assert "error" not in response.get("Location", ""), response["Location"]


def _form_fields(spec: form_data.FormSpec) -> dict[str, forms.Field | None]:
    found: dict[str, forms.Field | None] = {}
    for form_class, prefix in spec.form_classes:
        for field_name, form_field in form_class.base_fields.items():
            found[f"{prefix}-{field_name}" if prefix else field_name] = form_field
    for field_name, limit in spec.extra_fields.items():
        found.setdefault(field_name, forms.CharField(max_length=limit) if limit else None)
    return found


def _varied_fields(name: str, spec: form_data.FormSpec, data: dict) -> dict[str, Any]:
    fields = {**{k: None for k in data}, **_form_fields(spec)}
    for file_field in spec.file_fields:
        fields.pop(file_field, None)
    if name == "assessments:assessment_checklist":
        fields = {k: v for k, v in fields.items() if k in CHECKLIST_SAMPLE}
    return fields


def _stored_text_problems(business: Business) -> list[str]:
    """A NUL, or text longer than its column, anywhere in business A's rows."""
    problems = []
    people = User.objects.filter(memberships__business=business)
    for model, rows in [(m, m.objects.filter(business=business)) for m in TENANT_MODELS] + [
        (Business, Business.objects.all()),
        (User, people),
    ]:
        columns = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
        ]
        if not columns:
            continue
        for values in rows.values_list(*[f.attname for f in columns]):
            for column, value in zip(columns, values, strict=True):
                if not isinstance(value, str):
                    continue
                if "\x00" in value:
                    problems.append(f"{model.__name__}.{column.name} holds a NUL")
                if column.max_length and len(value) > column.max_length:
                    problems.append(f"{model.__name__}.{column.name} is over {column.max_length}")
    return problems


def _markup_problems(response) -> list[str]:
    if not is_html(response):
        return []
    body = body_of(response)
    return [f"shows live markup {m!r}" for m in corpus.LIVE_MARKUP if m in body]


def _try(name: str, spec, world: World, field: str, label: str, value: str, limit) -> list[str]:
    client = client_for(spec.persona, world)
    url = form_data.form_url(name, spec, world, client)
    data = spec.data(world)
    data[field] = value
    response = client.post(url, data)
    where = f"{name} {field}={label} -> {response.status_code}"
    problems = [f"{where}: {p}" for p in _markup_problems(response)]
    if response.status_code not in OK_STATUSES:
        problems.append(f"{where}: unexpected status")
    if response.status_code == 302:
        if response["Location"].startswith(("//", "http:", "https:")):
            problems.append(f"{where}: redirects off the site to {response['Location']}")
        if label == "over_max" and limit:
            problems.append(f"{where}: saved a value longer than {limit}")
        problems.extend(f"{where}: {p}" for p in _stored_text_problems(world.business))
        location = response["Location"]
        if location.startswith("/") and resolve(location.split("?")[0]).url_name != "logout":
            page = client.get(location)
            if page.status_code >= 500:
                problems.append(f"{where}: the page after it fails ({page.status_code})")
            problems.extend(f"{where} then {location}: {p}" for p in _markup_problems(page))
    return problems


@pytest.mark.parametrize("name", sorted(form_data.FORMS))
def test_form_survives_the_corpus(world, name):
    spec = form_data.FORMS[name]
    problems: list[str] = []
    for field, form_field in _varied_fields(name, spec, spec.data(world)).items():
        limit = getattr(form_field, "max_length", None)
        for label, value in corpus.values_for(form_field).items():
            found, exc = rolled_back(
                lambda f=field, lb=label, v=value: _try(name, spec, world, f, lb, v, limit)
            )
            if exc is not None:
                problems.append(f"{name} {field}={label}: {describe(exc)}")
            else:
                problems.extend(found or [])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(form_data.GET_PARAMS))
def test_query_strings_survive_the_corpus(world, name):
    from urllib.parse import urlencode

    route = next(r for r in ROUTES if r.name == name)
    persona = "anon" if route.access == "public" else "owner"
    problems = []
    for param in form_data.GET_PARAMS[name]:
        for label, value in {**corpus.UNIVERSAL, **corpus.TEXT, **corpus.IDS}.items():

            def get(param=param, value=value):
                client = client_for(persona, world)
                return client.get(f"{route.url(world)}?{urlencode({param: value})}")

            response, exc = rolled_back(get)
            where = f"{name}?{param}={label}"
            if exc is not None:
                problems.append(f"{where}: {describe(exc)}")
                continue
            if response.status_code not in OK_STATUSES:
                problems.append(f"{where}: {response.status_code}")
            problems.extend(f"{where}: {p}" for p in _markup_problems(response))
    assert not problems, "\n".join(problems)


# --- Markup is text: saved through the forms, shown on the pages ---------------------------


def test_markup_typed_into_a_client_and_an_incident_is_shown_as_text(world):
    owner = client_for("owner", world)
    data = form_data.FORMS["assessments:client_create"].data(world)
    data.update({"name": corpus.SCRIPT, "notes": corpus.IMG, "contact-name": corpus.IMG})
    response = owner.post(reverse("assessments:client_create"), data)
    assert response.status_code == 302
    client_page = owner.get(response["Location"])
    incident_data = form_data.FORMS["assessments:incident_create"].data(world)
    client_pk = resolve(response["Location"]).kwargs["pk"]
    incident_data.update(
        {"client": client_pk, "contact": "", "about": "", "description": corpus.SCRIPT}
    )
    response = owner.post(reverse("assessments:incident_create"), incident_data)
    assert response.status_code == 302
    incident_page = owner.get(response["Location"])
    pages = {
        "client page": client_page,
        "incident page": incident_page,
        "client list": owner.get(reverse("assessments:client_list")),
        "incident list": owner.get(reverse("assessments:incident_list")),
        "portfolio": owner.get(reverse("home")),
    }
    for label, page in pages.items():
        body = body_of(page)
        assert page.status_code == 200, label
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, label
        assert not _markup_problems(page), label
    assert "&lt;img src=x onerror=alert(1)&gt;" in body_of(client_page)
