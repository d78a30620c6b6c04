"""The README's quick start on a pristine clone: `make run` alone migrates, loads the demo
business and serves it, with nothing made beforehand (no var/, no database).

The clone reuses this checkout's virtualenv (its lock files are dated back so `make`
sees it as installed): what is tested is everything after the install.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"
# What the test tiers set for themselves; a newcomer's shell has none of it.
NOT_A_NEWCOMERS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CLIENTREVIEW_VAR_DIR",
    "SECRET_KEY",
    "DJANGO_SETTINGS_MODULE",
    "SECURE_SSL_REDIRECT",
    "SECURE_COOKIES",
    "STATIC_MANIFEST",
)

pytestmark = pytest.mark.skipif(
    not (ROOT / ".git").exists() or not (VENV / ".installed").exists(),
    reason="needs a git checkout installed with `make install`",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clone(tmp_path: Path) -> Path:
    clone = tmp_path / "clientreview"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    (clone / ".venv").symlink_to(VENV)
    for name in ("requirements-dev.lock", "pyproject.toml"):
        os.utime(clone / name, (0, 0))  # older than the virtualenv's stamp: installed
    return clone


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in NOT_A_NEWCOMERS}


def test_make_run_alone_on_a_pristine_clone_serves_the_demo(tmp_path):
    clone = _clone(tmp_path)
    assert not (clone / "var").exists()
    port = _free_port()
    log = (tmp_path / "make-run.log").open("w+")
    server = subprocess.Popen(
        ["make", "run", f"PORT={port}"],
        cwd=clone,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        page = ""
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as r:
                    page = r.read().decode()
                    break
            except OSError:
                time.sleep(1)
        log.seek(0)
        output = log.read()
        assert "Log in" in page, output
        assert "owner@example.com / clientreview-demo" in output
        assert "staff@example.com / clientreview-demo" in output
        assert (clone / "var" / "db.sqlite3").exists()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    # seed_demo is idempotent: a second `make seed` changes nothing and does not fail.
    again = subprocess.run(
        ["make", "seed"], cwd=clone, env=_env(), capture_output=True, text=True, timeout=240
    )
    assert again.returncode == 0, again.stdout + again.stderr
