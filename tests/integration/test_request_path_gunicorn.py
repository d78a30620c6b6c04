"""Issue 15, probed as it was found: gunicorn with three workers, PostgreSQL, a Redis of
this test's own (cache and broker). Who is logged in comes from the database on every
request, so each finding is gone in every worker at once:

- a session row deleted in the database logs out at once;
- a user deactivated with `QuerySet.update()` is logged out at once;
- a logout while Redis is unreachable stays done when Redis returns;
- a Redis that hangs (does not answer) does not hold a page;
- every logged-in page says `Cache-Control: private, no-store`;
- the lockout counts every spelling of the e-mail together, whichever worker answers.
"""

from __future__ import annotations

import re
import time

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from tests import factories
from tests.integration.conftest import _database_url
from tests.integration.fault_tools import (
    RedisServer,
    TcpProxy,
    child_env,
    start_gunicorn,
    stop_process,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKERS = 3
TRIES = 9  # several requests per check, so that every worker answers some


@pytest.fixture
def redis_proxy(real_services):
    server = RedisServer().start()
    proxy = TcpProxy("127.0.0.1", server.port).start()
    yield server, proxy
    proxy.close()
    server.stop()


@pytest.fixture
def app(redis_proxy, tmp_path):
    _server, proxy = redis_proxy
    url = f"redis://127.0.0.1:{proxy.port}/0"
    env = child_env(
        DATABASE_URL=_database_url(), REDIS_URL=url, CELERY_BROKER_URL=url, MEDIA_ROOT=str(tmp_path)
    )
    process, base = start_gunicorn(env, tmp_path / "gunicorn.log", workers=WORKERS)
    yield base
    stop_process(process)


def _log_in(base: str, email: str, password: str = factories.PASSWORD) -> requests.Session:
    browser = requests.Session()
    page = browser.get(base + "/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    browser.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": email, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    return browser


def _logged_in_everywhere(browser: requests.Session, base: str) -> list[bool]:
    answers = []
    for _ in range(TRIES):
        response = browser.get(base + "/clients/", allow_redirects=False, timeout=10)
        answers.append(response.status_code == 200)
    return answers


def test_every_session_finding_is_gone_on_three_workers(app, redis_proxy, business, owner):
    _server, proxy = redis_proxy
    base = app
    factories.client(business, name="Alpha Client")

    # No page of a logged-in user is kept by a browser or a proxy.
    browser = _log_in(base, owner.email)
    for _ in range(TRIES):
        page = browser.get(base + "/clients/", timeout=10)
        assert page.status_code == 200 and "Alpha Client" in page.text
        assert {"private", "no-store"} <= set(
            part.strip() for part in page.headers["Cache-Control"].split(",")
        )

    # A session row deleted in the database: logged out at once, in every worker.
    Session.objects.all().delete()
    assert _logged_in_everywhere(browser, base) == [False] * TRIES

    # A user deactivated with update(): logged out at once.
    browser = _log_in(base, owner.email)
    assert all(_logged_in_everywhere(browser, base))
    get_user_model().objects.filter(pk=owner.pk).update(is_active=False)
    assert _logged_in_everywhere(browser, base) == [False] * TRIES
    get_user_model().objects.filter(pk=owner.pk).update(is_active=True)

    # A logout while Redis is unreachable stays done when Redis comes back.
    browser = _log_in(base, owner.email)
    proxy.cut("refuse")
    home = browser.get(base + "/clients/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', home.text).group(1)
    out = browser.post(
        base + "/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert out.status_code == 302
    proxy.resume()
    assert _logged_in_everywhere(browser, base) == [False] * TRIES

    # A Redis that hangs holds no page: the request path does not wait on it.
    browser = _log_in(base, owner.email)
    proxy.cut("silent")
    for _ in range(TRIES):
        started = time.monotonic()
        page = browser.get(base + "/clients/", timeout=20)
        assert page.status_code == 200
        assert time.monotonic() - started < 2
    proxy.resume()


def test_the_lockout_counts_every_spelling_on_every_worker(app, business, owner):
    base = app
    spellings = [owner.email.upper(), owner.email.title(), f"  {owner.email}  ", owner.email]
    for attempt in range(5):
        _log_in(base, spellings[attempt % len(spellings)], password="wrong-password")
    # Locked now: even the right password, in any spelling, on any worker, is refused.
    for spelling in spellings:
        browser = _log_in(base, spelling)
        assert _logged_in_everywhere(browser, base) == [False] * TRIES
