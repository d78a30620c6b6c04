"""Personas and shared fixtures.

`owner` and `staff` belong to business A; `outsider` owns business B. Every view
test proves: anonymous -> login, outsider -> 404, staff on owner-only -> 403.
"""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests import factories


@pytest.fixture(autouse=True)
def _tasks_in_process(request, settings):
    """Outside the integration tier, Celery tasks run in-process even if a broker is set."""
    from clientreview.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    old = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = old


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through the test client leaves
    its user's language active in the thread (LocaleMiddleware never deactivates), which
    would leak into the next test's text on the same worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def business(db):
    return factories.business(name="Alpha Studio")


@pytest.fixture
def owner(business):
    return factories.member(business, email="owner@alpha.test", role="owner", name="Olga Owner")


@pytest.fixture
def staff(business):
    return factories.member(business, email="staff@alpha.test", role="staff", name="Stan Staff")


@pytest.fixture
def other_business(db):
    return factories.business(name="Beta Builders")


@pytest.fixture
def outsider(other_business):
    return factories.member(
        other_business, email="owner@beta.test", role="owner", name="Otto Outsider"
    )


def _logged_in(user) -> HttpClient:
    client = HttpClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def owner_client(owner):
    return _logged_in(owner)


@pytest.fixture
def staff_client(staff):
    return _logged_in(staff)


@pytest.fixture
def outsider_client(outsider):
    return _logged_in(outsider)


@pytest.fixture
def anon_client():
    return HttpClient()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request, settings):
    """Passwords hash with MD5 in tests, as Django's docs advise: PBKDF2's million rounds
    cost about 0.15 s a user here, most of the unit tier's time. Not in the integration
    tier, whose gunicorn and Celery processes run with the production hashers and must
    verify what the test wrote."""
    if request.node.get_closest_marker("integration"):
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(business, owner, staff, other_business, outsider):
    """Business A with one of everything, and business B (tests/hardening/world.py)."""
    from tests.hardening.world import build_world

    return build_world(business, owner, staff, other_business, outsider)
