"""Tools for the fault tests: a TCP proxy that can be cut, a private redis-server, a web
server and Celery workers as subprocesses.

The machine's PostgreSQL and Redis are shared with other test runs, so the fault tests
never stop them: they cut a proxy in front of PostgreSQL, and start their own Redis.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

from tests.integration.conftest import wait_for

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """Terminate a process group we started (SIGTERM, then SIGKILL if it lingers)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        pass


# =============================================================================
# A TCP proxy that can be cut: PostgreSQL "restarting" without touching PostgreSQL.
# =============================================================================


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection.

    Modes of `cut`: "refuse" closes the listening socket, as a stopped PostgreSQL does
    (new connections are refused at once); "silent" keeps accepting but never answers,
    as a host that is rebooting or a network partition does (clients wait for their
    connect timeout). `resume()` listens again on the same port and forwards again.
    """

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self._silent = False

    def start(self) -> TcpProxy:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()
        return self

    def cut(self, mode: str = "refuse") -> None:
        assert mode in {"refuse", "silent"}
        self._silent = mode == "silent"
        if mode == "refuse":
            self._close_listener()
        elif self._listener is None:
            self.start()
        self._drop_all()

    def resume(self) -> None:
        self._silent = False
        self._drop_all()  # connections held silently never reached PostgreSQL
        if self._listener is None:
            self.start()

    def close(self) -> None:
        self._close_listener()
        self._drop_all()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._sockets)

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not,
            # and the kernel would keep accepting connections.
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                downstream, _ = listener.accept()
            except OSError:
                return  # the listener was closed by cut()
            with self._lock:
                self._sockets.append(downstream)
            if self._silent:
                continue  # held open, never answered
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                downstream.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.append(upstream)
            for src, dst in ((downstream, upstream), (upstream, downstream)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


# =============================================================================
# A private redis-server (the machine's Redis on 6379 is shared: never stop it).
# =============================================================================


class RedisServer:
    """`redis-server` on a port of its own, no persistence; stop and start it at will."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        wait_for(self.ping, timeout=10)
        return self

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


# =============================================================================
# The app and its worker as subprocesses.
# =============================================================================


def via_port(url: str, port: int) -> str:
    """The same database URL, reached through 127.0.0.1:<port> (the proxy)."""
    parts = urlsplit(url)
    auth, at, _ = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{auth}{at}127.0.0.1:{port}"))


def child_env(**overrides: str) -> dict[str, str]:
    """The test process's environment (pytest_env's test-only values) plus overrides."""
    env = dict(os.environ)
    env.update(overrides)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start_gunicorn(
    env: dict[str, str], log: Path, workers: int = 1
) -> tuple[subprocess.Popen, str]:
    """Serve the app from a gunicorn subprocess, production-like (DEBUG off); wait for it."""
    port = free_port()
    env = {
        **env,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "STATIC_MANIFEST": "false",
    }
    env.setdefault("SECRET_KEY", "fault-test-secret-key")
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "clientreview.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--threads", "2", "--timeout", "30"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited; see {log}:\n{log.read_text()[-3000:]}")
        try:
            return requests.get(base + "/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, timeout=30)
    return process, base


def start_worker(
    env: dict[str, str], log: Path, *, name: str, ready_timeout: float = 60
) -> subprocess.Popen:
    """A real `celery -A clientreview worker` (prefork, one child), in its own process group
    so a test can SIGKILL all of it; loads the test-only hooks. Waits until it is ready.

    Not conftest.py's `Worker` (solo pool, the shared Redis): these tests need a pool
    process that can die on its own, the hooks of fault_hooks.py, and a Redis of their own.
    """
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(VENV_BIN / "celery"), "-A", "clientreview", "worker", "--pool=prefork",
             "--concurrency=1", "--loglevel=INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", f"--hostname={name}@%h",
             "--include=tests.integration.fault_hooks"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the worker exited; see {log}:\n{log.read_text()[-3000:]}")
        return f"{name}@" in log.read_text() and " ready." in log.read_text()

    wait_for(ready, timeout=ready_timeout)
    return process


def run_manage(env: dict[str, str], *args: str) -> str:
    """Run a management command as cron or an operator would; returns its output."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout
