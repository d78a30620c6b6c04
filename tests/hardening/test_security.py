"""Security: the audit log records what an owner must be able to check, every page obeys
the Content-Security-Policy, and production settings keep cookies and transport safe.

`manage.py check --deploy` itself is run by tests/project/test_compose_and_config.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Membership
from tests import factories
from tests.hardening import form_data, walk
from tests.hardening.html import csp_violations
from tests.hardening.support import body_of, client_for, is_html
from tests.hardening.world import World

ROOT = Path(__file__).resolve().parents[2]
ROUTES = walk.all_routes()


def _audit_page(world: World) -> str:
    response = client_for("owner", world).get(reverse("accounts:audit_log"))
    assert response.status_code == 200
    return body_of(response)


def _only_event(world: World, kind: str) -> AuditEvent:
    events = AuditEvent.objects.filter(business=world.business, kind=kind)
    assert events.count() == 1, list(events.values_list("kind", "detail"))
    return events.get()


def _shown(world: World, event: AuditEvent) -> None:
    page = _audit_page(world)
    assert str(event.get_kind_display()) in page
    assert event.actor_email in page


def test_a_failed_login_is_in_the_owners_security_log(world, anon_client):
    response = anon_client.post(
        reverse("accounts:login"), {"username": world.staff.email, "password": "not-it"}
    )
    assert response.status_code == 200
    event = _only_event(world, AuditEvent.Kind.LOGIN_FAILED)
    assert event.actor == world.staff and event.actor_email == world.staff.email
    assert event.ip_address == "127.0.0.1"
    _shown(world, event)
    assert not AuditEvent.objects.filter(business=world.other_business).exists()


def test_a_lockout_is_in_the_security_log(world, anon_client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        anon_client.post(
            reverse("accounts:login"), {"username": world.staff.email, "password": "not-it"}
        )
    response = anon_client.post(
        reverse("accounts:login"), {"username": world.staff.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed logins" in body_of(response)
    # Axes signals the lockout when it happens and again for each attempt while locked.
    event = AuditEvent.objects.filter(business=world.business, kind="locked_out").first()
    assert event is not None and event.actor == world.staff
    _shown(world, event)


def test_a_role_change_is_in_the_security_log(world):
    response = client_for("owner", world).post(
        reverse("accounts:change_role", args=[world.staff_membership.pk]), {"role": "owner"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(pk=world.staff_membership.pk).role == "owner"
    event = _only_event(world, AuditEvent.Kind.ROLE_CHANGED)
    assert event.actor == world.owner and world.staff.email in event.detail
    _shown(world, event)


def test_a_cleared_flag_is_in_the_security_log(world):
    response = client_for("owner", world).post(
        reverse("assessments:flag_clear", args=[world.flag.pk]), {"reason": "Apologised."}
    )
    assert response.status_code == 302
    event = _only_event(world, AuditEvent.Kind.FLAG_CLEARED)
    assert event.actor == world.owner and "Apologised." in event.detail
    _shown(world, event)


def test_an_export_is_in_the_security_log(world):
    response = client_for("owner", world).get(reverse("assessments:portfolio_csv"))
    assert response.status_code == 200
    assert world.client.name in body_of(response)
    event = _only_event(world, AuditEvent.Kind.EXPORT)
    assert event.actor == world.owner
    _shown(world, event)


@pytest.mark.parametrize(
    "url_name, obj, kind",
    [
        ("assessments:plan_download", "plan", AuditEvent.Kind.PLAN_DOWNLOADED),
        ("assessments:evidence_download", "evidence", AuditEvent.Kind.EVIDENCE_DOWNLOADED),
        ("assessments:log_export_pdf", "log_export", AuditEvent.Kind.EXPORT),
        ("assessments:log_export_csv", "log_export", AuditEvent.Kind.EXPORT),
    ],
)
def test_downloads_are_in_the_security_log(world, url_name, obj, kind):
    response = client_for("owner", world).get(reverse(url_name, args=[getattr(world, obj).pk]))
    assert response.status_code == 200
    assert b"ALPHA-SECRET" in b"".join(response.streaming_content)
    assert response["Cache-Control"] == "private, no-store"
    event = _only_event(world, kind)
    assert event.actor == world.owner
    _shown(world, event)


# --- Content-Security-Policy on every page -------------------------------------------------


def _csp_problems(label: str, response) -> list[str]:
    if not is_html(response):
        return []
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if "script-src 'self'" not in csp or "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append(f"{label}: weak or missing Content-Security-Policy {csp!r}")
    problems.extend(f"{label}: {v}" for v in csp_violations(body_of(response)))
    return problems


def test_every_page_obeys_the_content_security_policy(world):
    """Every page each persona can open, every form's error page, and the error pages."""
    problems = []
    visits = [
        ("anon", {"public"}),
        ("staff", {"member", "login"}),
        ("owner", {"member", "login", "owner"}),
    ]
    for persona, levels in visits:
        client = client_for(persona, world)
        for route in ROUTES:
            if route.access in levels:
                response = client.get(route.url(world, query=True))
                problems += _csp_problems(f"GET {route.name} as {persona}", response)
    owner = client_for("owner", world)
    for name, spec in form_data.FORMS.items():
        client = owner if spec.persona != "anon" else client_for("anon", world)
        response = client.post(form_data.form_url(name, spec, world, client), {})
        problems += _csp_problems(f"POST {name} (empty)", response)
    staff = client_for("staff", world)
    problems += _csp_problems("403 page", staff.get(reverse("accounts:team")))
    problems += _csp_problems("404 page", owner.get("/no-such-page/"))
    problems += _csp_problems(
        "404 for another business's row",
        client_for("outsider", world).get(
            reverse("assessments:client_detail", args=[world.client.pk])
        ),
    )
    assert not problems, "\n".join(problems)


# --- Production settings ----------------------------------------------------------------------


def test_production_settings_keep_cookies_and_transport_safe():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "y" * 60 + "-production-like-secret-key",
        "ALLOWED_HOSTS": "clientreview.example.com",
        "DJANGO_SETTINGS_MODULE": "clientreview.settings",
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)  # the production defaults, not the test tier's
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'DEBUG')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SESSION_COOKIE_HTTPONLY"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert values["X_FRAME_OPTIONS"] == "DENY"
