"""The integration tier: real PostgreSQL, Redis and Celery worker processes on this machine.

Tests that need those services take the `real_services` fixture (the worker fixtures do),
which SKIPS them when PostgreSQL or Redis is unreachable or not configured, unless
CLIENTREVIEW_REQUIRE_SERVICES=1 (as in CI), which makes that a FAILURE. Tests of this
folder that need no service (moto's S3 runs in-process) are not affected.

`make test-services` sets DATABASE_URL, CELERY_BROKER_URL and REDIS_URL. A worker started
here is a real `celery -A clientreview worker` subprocess with the test process's broker,
the test database (pytest-django's `test_<name>`, visible to it because these tests use
`django_db(transaction=True)`) and the test's media folder. It listens on a queue of its
own, so that another test run on the same Redis cannot take its tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.services_up import reachable

ROOT = Path(__file__).resolve().parent.parent.parent
CELERY = str(Path(sys.executable).with_name("celery"))
REQUIRED = os.environ.get("CLIENTREVIEW_REQUIRE_SERVICES") == "1"
QUEUE = f"clientreview-test-{uuid.uuid4().hex[:10]}"


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} and CLIENTREVIEW_REQUIRE_SERVICES=1")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def real_services():
    """PostgreSQL as the test database and Redis as the broker, both answering."""
    from django.conf import settings
    from django.db import connection

    broker = settings.CELERY_BROKER_URL or ""
    if connection.vendor != "postgresql":
        _unavailable("the test database is not PostgreSQL (set DATABASE_URL)")
    db = connection.settings_dict
    if not reachable(f"postgres://{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}", 5432):
        _unavailable("PostgreSQL is unreachable")
    if not broker.startswith("redis"):
        _unavailable("no Redis broker configured (set CELERY_BROKER_URL)")
    if not reachable(broker, 6379):
        _unavailable("Redis is unreachable")
    return broker


def use_broker(url: str, *, queue: str = QUEUE) -> None:
    """Point this process's Celery app at `url`, publishing to `queue`.

    Celery caches its connection pools and routes on first use; they are dropped so the
    next publish connects afresh with these settings.
    """
    from clientreview.celery import app

    app.conf.broker_url = url
    app.conf.task_default_queue = queue
    app.conf.task_default_routing_key = queue
    app.conf.task_always_eager = False
    amqp = app.amqp
    for cached in ("router", "queues", "default_queue"):
        amqp.__dict__.pop(cached, None)
    amqp._rtable = None
    # Dropped, not closed: kombu keeps one pool per broker URL and hands it out again.
    app._pool = None
    amqp._producer_pool = None


@pytest.fixture(scope="session")
def _forget_the_queue(real_services):
    """At the end of the session, drop this session's queue from Redis."""
    yield
    import redis

    redis.Redis.from_url(real_services, socket_connect_timeout=2).delete(QUEUE)


@pytest.fixture
def redis_broker(real_services, _forget_the_queue):
    """This test publishes to the real Redis, on this session's own queue."""
    from clientreview.celery import app

    saved = (app.conf.broker_url, app.conf.task_default_queue, app.conf.task_default_routing_key)
    use_broker(real_services)
    yield real_services
    use_broker(saved[0], queue=saved[1])
    app.conf.task_default_routing_key = saved[2]


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A `celery worker` subprocess; `start()` again after `kill()` is a restart."""

    def __init__(self, broker_url: str, media_root: Path, log: Path):
        self.broker_url = broker_url
        self.media_root = media_root
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": self.broker_url,
            "REDIS_URL": self.broker_url,
            "MEDIA_ROOT": str(self.media_root),
            "DB_CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
        }
        env.pop("AWS_STORAGE_BUCKET_NAME", None)
        name = f"{QUEUE}-{uuid.uuid4().hex[:6]}@%h"
        handle = self.log.open("a")
        self.process = subprocess.Popen(
            [CELERY, "-A", "clientreview", "worker", "--pool=solo", "-Q", QUEUE, "-n", name,
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while "ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start:\n" + self.log.read_text())
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, no chance to clean up."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker(redis_broker, transactional_db, settings, tmp_path):
    """A running worker; stopped before the test database is flushed."""
    worker = Worker(redis_broker, Path(settings.MEDIA_ROOT), tmp_path / "worker.log")
    worker.start()
    yield worker
    worker.stop()


def wait_for(condition, *, timeout: float = 60, every: float = 0.1):
    """Poll `condition` until it is true; fail after `timeout` seconds (a deadline, not a
    measured duration)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s")
        time.sleep(every)
