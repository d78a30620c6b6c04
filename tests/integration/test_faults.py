"""Faults survived (issue 7): a worker killed mid-PDF, Redis stopped, PostgreSQL restarted.

Real services of this machine: PostgreSQL on 5432, Redis, Celery workers and gunicorn as
subprocesses. None of these tests stops a shared service: PostgreSQL's restart is a
proxy cut in front of it, and Redis's stop is a private redis-server of this test.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments.models import OffboardingPlan
from tests import factories
from tests.integration.conftest import _database_url, _unavailable, wait_for
from tests.integration.fault_tools import (
    RedisServer,
    TcpProxy,
    child_env,
    run_manage,
    start_gunicorn,
    start_worker,
    stop_process,
    via_port,
)
from tests.plans import helpers

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTAGE_TEXT = "We can't reach our database right now"
Status = OffboardingPlan.Status
# The sweep takes a PROCESSING plan for abandoned once it is older than a task may run.
ABANDONED_AFTER = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


@pytest.fixture
def services(real_services, transactional_db):
    """PostgreSQL and Redis reachable (skip, or fail in CI: tests/integration/conftest.py)."""
    return real_services


# =============================================================================
# PostgreSQL restarted while the app runs.
# =============================================================================


@pytest.fixture
def pg_proxy(services):
    proxy = TcpProxy(
        connection.settings_dict.get("HOST") or "127.0.0.1",
        int(connection.settings_dict.get("PORT") or 5432),
    ).start()
    yield proxy
    proxy.close()


@pytest.fixture
def app_behind_proxy(pg_proxy, tmp_path):
    """gunicorn serving the app, its database reached only through the proxy."""
    env = child_env(
        DATABASE_URL=via_port(_database_url(), pg_proxy.port),
        DB_CONNECT_TIMEOUT="3",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    env.pop("CELERY_BROKER_URL", None)
    env.pop("REDIS_URL", None)  # the cache and broker are not what this test is about
    process, base = start_gunicorn(env, tmp_path / "gunicorn.log")
    yield base
    stop_process(process)


def _timed_get(base: str, path: str, session_id: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(
        base + path, cookies={"sessionid": session_id}, allow_redirects=False, timeout=20
    )
    return response, time.monotonic() - started


def test_postgresql_restart_gives_a_clear_503_then_the_app_serves_again(
    app_behind_proxy, pg_proxy, owner_client
):
    """PostgreSQL goes away under a running gunicorn and comes back; nobody restarts the app.

    Simulated with a proxy between the app and PostgreSQL, because the machine's cluster
    is shared with other test runs: cutting the proxy does to the app what a restart does
    (every open connection is dropped, new ones fail) without touching anyone else.
    """
    session_id = owner_client.cookies["sessionid"].value
    page = "/clients/"

    before, _ = _timed_get(app_behind_proxy, page, session_id)
    assert before.status_code == 200
    assert "Alpha Studio" in before.text
    assert pg_proxy.open_connections > 0  # the app holds a persistent connection

    # PostgreSQL stopped: the port refuses connections, the open one is dropped.
    pg_proxy.cut("refuse")
    down, took = _timed_get(app_behind_proxy, page, session_id)
    assert down.status_code == 503, down.text[:500]
    assert OUTAGE_TEXT in down.text
    assert down.headers["Retry-After"] == "10"
    assert took < 3

    # PostgreSQL starting up (or the network partitioned): connections hang unanswered.
    # DB_CONNECT_TIMEOUT (3 s) bounds the wait instead of a web worker hanging.
    pg_proxy.cut("silent")
    hung, took = _timed_get(app_behind_proxy, page, session_id)
    assert hung.status_code == 503
    assert OUTAGE_TEXT in hung.text
    assert took < 3 + 2  # one connection attempt, not one per middleware that asks
    assert pg_proxy.open_connections > 0  # the app did reach the silent "server"

    # Back: the same gunicorn process serves the page again, logged in as before.
    pg_proxy.resume()
    after, _ = _timed_get(app_behind_proxy, page, session_id)
    assert after.status_code == 200
    assert "Alpha Studio" in after.text
    again, _ = _timed_get(app_behind_proxy, "/", session_id)
    assert again.status_code == 200


# =============================================================================
# Celery: a worker killed mid-PDF, and Redis stopped. Both use a redis-server of their own:
# a killed worker leaves its message unacknowledged in Redis for an hour, which must not
# reach the workers of later tests through the machine's shared Redis.
# =============================================================================


@pytest.fixture
def broker(services):
    if not shutil.which("redis-server"):
        _unavailable("redis-server is not installed (apt-get install redis-server)")
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def stack(broker, tmp_path):
    """The environment of every process of the deployment: web, worker, cron."""
    return child_env(
        DATABASE_URL=_database_url(),
        CELERY_BROKER_URL=broker.url,
        REDIS_URL=broker.url,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        DEBUG="0",
    )


@pytest.fixture
def processes():
    """Start processes through this list; whatever is still running is stopped at the end."""
    started: list = []
    yield started
    for process in started:
        stop_process(process)


@pytest.fixture
def fire_review(business, owner):
    client = factories.client(business, name="Horvat Logistics d.o.o.")
    helpers.paid_invoice(client)
    return helpers.completed_assessment(client)


def _ask_for_plan(
    base: str, session_id: str, assessment
) -> tuple[requests.Response, float, requests.Session]:
    """What the owner's browser does: open the plan form, send it (its cookies kept)."""
    url = base + reverse("assessments:plan_create", args=[assessment.pk])
    http = requests.Session()
    http.cookies.set("sessionid", session_id)
    form = http.get(url, timeout=10)
    assert form.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    started = time.monotonic()
    response = http.post(
        url,
        data={**helpers.plan_post(), "csrfmiddlewaretoken": token},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=20,
    )
    return response, time.monotonic() - started, http


def _status(plan: OffboardingPlan) -> str:
    plan.refresh_from_db()
    return plan.status


def _rendering(gate: Path, plan: OffboardingPlan) -> bool:
    """The worker is in the middle of the PDF: the plan is PROCESSING, the render paused."""
    return (gate / "rendering").exists() and _status(plan) == Status.PROCESSING


def _pdfs(business) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "plans" / str(business.pk)
    return sorted(folder.glob("*")) if folder.exists() else []


def test_worker_killed_mid_pdf_then_exactly_one_ready_pdf(
    broker, stack, processes, fire_review, owner_client, business, tmp_path
):
    """SIGKILL to the whole worker (as when its machine dies) while it renders a plan.

    The message was not acknowledged (acks_late), so it is not lost: it waits in Redis's
    unacknowledged set. What builds the plan again is the sweep (`manage.py requeue_plans`
    from cron, or Celery beat's `requeue_pending_plans` every minute): a plan PROCESSING for
    longer than the hard time limit + 60 s has lost its worker and is published again.
    An hour later (the visibility timeout) Redis gives back the original message too; the
    task finds the plan ready and builds nothing, so there is still one PDF.
    """
    gate = tmp_path / "gate"
    gate.mkdir()
    process, web = start_gunicorn(stack, tmp_path / "web.log")
    processes.append(process)
    doomed = start_worker(
        {**stack, "CLIENTREVIEW_FAULT_GATE": str(gate)}, tmp_path / "w1.log", name="doomed"
    )
    processes.append(doomed)

    response, _, _ = _ask_for_plan(web, owner_client.cookies["sessionid"].value, fire_review)
    assert response.status_code == 302
    plan = OffboardingPlan.objects.get(assessment=fire_review)
    wait_for(lambda: _rendering(gate, plan), timeout=60)
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)

    plan.refresh_from_db()
    assert (plan.status, plan.attempts, plan.file.name or "") == (Status.PROCESSING, 1, "")
    assert _pdfs(business) == []
    queue = redis.Redis.from_url(broker.url)
    assert queue.hlen("unacked") == 1  # not lost: waiting for its visibility timeout

    # A worker runs again, configured as in production (the message stays hidden an hour).
    processes.append(start_worker(stack, tmp_path / "w2.log", name="second"))
    # Rather than wait 150 s, the plan's clock is moved back past the hard time limit.
    OffboardingPlan.objects.filter(pk=plan.pk).update(updated=timezone.now() - ABANDONED_AFTER)
    assert "Queued 1 plan(s) again." in run_manage(stack, "requeue_plans")
    wait_for(lambda: _status(plan) == Status.READY, timeout=60)
    plan.refresh_from_db()
    assert plan.attempts == 2
    built_at = plan.built_at
    assert [p.name for p in _pdfs(business)] == [f"plan-{plan.pk}.pdf"]
    assert _pdfs(business)[0].read_bytes().startswith(b"%PDF")
    stop_process(processes.pop())

    # "An hour later": a worker with a one-second visibility timeout gets the killed
    # worker's message back from Redis and runs it.
    log = tmp_path / "w3.log"
    processes.append(
        start_worker({**stack, "CLIENTREVIEW_FAULT_VISIBILITY_TIMEOUT": "1"}, log, name="late")
    )
    wait_for(lambda: "'already ready'" in log.read_text(), timeout=30)
    wait_for(lambda: queue.hlen("unacked") == 0, timeout=10)
    plan.refresh_from_db()
    assert (plan.status, plan.attempts, plan.built_at) == (Status.READY, 2, built_at)
    assert [p.name for p in _pdfs(business)] == [f"plan-{plan.pk}.pdf"]


def test_pool_process_killed_mid_pdf_is_retried_by_the_same_worker(
    broker, stack, processes, fire_review, owner_client, business, tmp_path
):
    """Only the pool process dies (the OOM killer, a segfault in the renderer): the worker
    itself sees it (WorkerLostError) and, with reject_on_worker_lost, puts the message back
    at once; it builds the plan with no sweep needed."""
    gate = tmp_path / "gate"
    gate.mkdir()
    process, web = start_gunicorn(stack, tmp_path / "web.log")
    processes.append(process)
    log = tmp_path / "worker.log"
    processes.append(
        start_worker({**stack, "CLIENTREVIEW_FAULT_GATE": str(gate)}, log, name="survivor")
    )
    response, _, _ = _ask_for_plan(web, owner_client.cookies["sessionid"].value, fire_review)
    assert response.status_code == 302
    plan = OffboardingPlan.objects.get(assessment=fire_review)
    wait_for(lambda: _rendering(gate, plan), timeout=60)
    os.kill(int((gate / "rendering").read_text()), signal.SIGKILL)

    wait_for(lambda: _status(plan) == Status.READY, timeout=60)
    assert "WorkerLostError" in log.read_text()
    plan.refresh_from_db()
    assert plan.attempts == 2
    assert [p.name for p in _pdfs(business)] == [f"plan-{plan.pk}.pdf"]


def test_redis_stopped_plan_stays_pending_then_the_sweep_builds_it(
    broker, stack, processes, fire_review, owner_client, business, tmp_path
):
    """Redis stops under a running web and worker. Asking for a plan still answers within
    3 s and keeps the plan PENDING; once Redis is back, the sweep publishes it again and
    the worker, which reconnected by itself, builds it."""
    process, web = start_gunicorn(stack, tmp_path / "web.log")
    processes.append(process)
    processes.append(start_worker(stack, tmp_path / "worker.log", name="steady"))
    session_id = owner_client.cookies["sessionid"].value
    broker.stop()
    response, took, browser = _ask_for_plan(web, session_id, fire_review)
    assert response.status_code == 302
    assert took < 3
    plan = OffboardingPlan.objects.get(assessment=fire_review)
    assert plan.status == Status.PENDING and plan.enqueued_at is not None
    started = time.monotonic()
    page = browser.get(web + response.headers["Location"], timeout=10)
    assert time.monotonic() - started < 3
    assert page.status_code == 200
    assert "Plan saved" in page.text and "Queue it again" in page.text

    broker.start()  # same port, empty: the message never reached it
    assert _status(plan) == Status.PENDING
    # The sweep waits a minute before publishing a pending plan again; move its clock back.
    OffboardingPlan.objects.filter(pk=plan.pk).update(
        enqueued_at=timezone.now() - timedelta(minutes=2)
    )
    assert "Queued 1 plan(s) again." in run_manage(stack, "requeue_plans")
    wait_for(lambda: _status(plan) == Status.READY, timeout=60)
    assert [p.name for p in _pdfs(business)] == [f"plan-{plan.pk}.pdf"]
