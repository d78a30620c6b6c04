"""Web benchmark: gunicorn on PostgreSQL with the generated 10,000-client business, driven by wrk.

Method (/work/shared/bench-method.md): production settings (DEBUG off, manifest static
files, Redis cache when reachable), gunicorn bound to 127.0.0.1, wrk in a second process
with 16 connections for 20 s per run, a logged-in session cookie for pages behind login
(the owner's, or a staff member's for the incident form and staff's home page).
Each page is measured twice, each time right after the bare "ok" view (/healthz, no
database), interleaved bare, page, bare, page, with a pause between runs; a page's
throughput is reported as a ratio of the bare view measured beside it. The SQL queries
per page come from Django's test client against the same database.

    make bench-web                   # or: .venv/bin/python bench/web.py [--duration 20]

Appends a dated section to bench/RESULTS.md (--no-append to only print it).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import web_report  # bench/ is on sys.path when this runs as a script

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
LUA = ROOT / "bench" / "wrk_report.lua"
VAR = ROOT / "var" / "bench"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/clientreview_bench"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
BUSINESS = "Load Test Company"
OWNER, PASSWORD = "load-owner@example.com", "clientreview-demo"
STAFF = "load-staff@example.com"
SEARCH = "bakery"  # part of about 1,100 of the generated client names: a broad search
# Two cores, shared by gunicorn, PostgreSQL and wrk itself. A page spends part of its time
# waiting on PostgreSQL, so one worker per core would leave a core idle during those waits;
# many more only add context switches on a saturated CPU. Three measured best here (see
# bench/README.md); override with --workers.
WORKERS = 3


@dataclass
class Run:
    name: str
    url: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


def log(message: str) -> None:
    print(message, flush=True)


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.update(
        DATABASE_URL=DATABASE_URL,
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-not-for-production",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        CLIENTREVIEW_VAR_DIR=str(VAR),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="clientreview.settings",
    )
    if redis_up():
        # As in production: the cache (and the portfolio's cached charts) lives in Redis,
        # shared by every worker. Nothing is enqueued by the pages measured.
        out["REDIS_URL"] = REDIS_URL
    else:
        out.pop("REDIS_URL", None)
    return out


def redis_up() -> bool:
    parts = urllib.parse.urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def shell(code: str) -> str:
    """The last line `manage.py shell -c` prints (Django 5.2 first lists its auto-imports)."""
    return manage("shell", "--no-imports", "-c", code).stdout.strip().splitlines()[-1]


def manage(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env(), check=check, text=True, capture_output=True
    )


def ensure_data() -> None:
    """The bench database, migrated, with the load data (generated once, ~1 minute)."""
    name = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
    base = DATABASE_URL.rsplit("/", 1)[0]
    listed = subprocess.run(
        ["psql", f"{base}/postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if listed != "1":
        log(f"creating database {name}")
        # psql, not createdb: createdb takes no connection URL before PostgreSQL 17.
        subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    log("migrating")
    manage("migrate", "--noinput")
    found = shell(
        "from accounts.models import Business; "
        f"print(Business.objects.filter(name={BUSINESS!r}).exists())"
    )
    if found != "True":
        log("generating the load data (10,000 clients; about a minute)")
        started = time.monotonic()
        subprocess.run(
            [PY, "bench/generate_load_data.py", "--business-name", BUSINESS],
            cwd=ROOT,
            env=env(),
            check=True,
            text=True,
            capture_output=True,
        )
        log(f"  done in {time.monotonic() - started:.0f} s")
        subprocess.run(["psql", DATABASE_URL, "-qc", "VACUUM ANALYZE"], check=True)
    VAR.mkdir(parents=True, exist_ok=True)
    manage("collectstatic", "--noinput")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            GUNICORN,
            "clientreview.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env(),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def login(base: str, email: str) -> str:
    """Log in through the form, as a person would; return the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if not session:
        raise SystemExit("logging in failed: no session cookie")
    return session


def fetch(url: str, cookie: str | None) -> tuple[int, int]:
    request = urllib.request.Request(
        url, headers={"Cookie": f"sessionid={cookie}"} if cookie else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, len(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, 0


def settle(base: str, timeout: float = 120) -> None:
    """Wait until the server answers the bare view again: a slow page can leave a backlog."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.monotonic()
        with contextlib.suppress(OSError):
            fetch(base + "/healthz", None)
        if time.monotonic() - started < 0.05:
            return
        time.sleep(1)


def wrk(name: str, url: str, cookie: str | None, args: argparse.Namespace) -> Run:
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(LUA),
    ]
    if cookie:
        cmd += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    data = json.loads(out.split("WRK_JSON ", 1)[1].splitlines()[0])
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = sum(v for k, v in data.items() if k.endswith("errors") or k == "timeouts")
    run = Run(
        name=name,
        url=url,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        p50=data["p50_us"] / 1000,
        p95=data["p95_us"] / 1000,
        p99=data["p99_us"] / 1000,
        errors=errors + (int(non2xx.group(1)) if non2xx else 0),
    )
    log(
        f"  {name:<28} {run.rps:8.1f} req/s  p50 {run.p50:7.1f}  p95 {run.p95:7.1f}  "
        f"p99 {run.p99:7.1f} ms  errors {run.errors}"
    )
    return run


QUERY_COUNTER = r"""
import json, sys
import django
django.setup()
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
import time
clients = {}
out = {}
for name, (path, email) in json.loads(sys.argv[1]).items():
    if email not in clients:
        clients[email] = Client()
        if email:
            clients[email].force_login(User.objects.get(email=email),
                                       backend="django.contrib.auth.backends.ModelBackend")
    http = clients[email]
    http.get(path)
    counts, times = [], []
    for cold in (True, False):
        if cold:
            cache.clear()
        else:
            http.get(path)
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            status = http.get(path).status_code
            times.append(round((time.perf_counter() - started) * 1000, 1))
        counts.append(len(ctx.captured_queries) if status == 200 else -status)
    out[name] = {"queries": counts, "ms": times}
print("QUERIES " + json.dumps(out))
"""


def query_counts(paths: dict[str, tuple[str, str | None]]) -> dict[str, dict[str, list]]:
    """Queries and time per page, one request at a time from Django's test client on the
    same database: cold (the cache emptied first) and warm."""
    extra = {"ALLOWED_HOSTS": "testserver,127.0.0.1"}
    done = subprocess.run(
        [PY, "-c", QUERY_COUNTER, json.dumps(paths)],
        cwd=ROOT,
        env={**env(), **extra},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.split("QUERIES ", 1)[1])


def largest_client() -> int:
    script = (
        "from django.db.models import Count; from assessments.models import Client; "
        f"print(Client.objects.filter(business__name={BUSINESS!r}).annotate(n=Count('incidents'))"
        ".order_by('-n', 'pk').values_list('pk', flat=True).first())"
    )
    return int(shell(script))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--pause", type=float, default=5, help="seconds between runs")
    parser.add_argument("--only", action="append", help="measure only this page (repeatable)")
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    ensure_data()
    args.load_before = os.getloadavg()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    client_pk = largest_client()
    # Each page, and who asks for it (None: nobody is logged in).
    pages = {
        "login page": ("/accounts/login/", None),
        "portfolio": ("/", OWNER),
        "client list": ("/clients/", OWNER),
        "client page (largest)": (f"/clients/{client_pk}/", OWNER),
        # Past 200 clients the form starts by finding the client (search or recent).
        "incident form: find the client": ("/incidents/new/", STAFF),
        "incident form: client search": (f"/incidents/new/?q={SEARCH}", STAFF),
        "incident form (largest client)": (f"/incidents/new/?client={client_pk}", STAFF),
        # Staff's home page: what they logged, and the newest open abuse flags.
        "staff home": ("/", STAFF),
    }
    if args.only:
        pages = {k: v for k, v in pages.items() if k in args.only}
    log(
        f"gunicorn: {args.workers} workers on {base}; cache: "
        f"{'Redis' if 'REDIS_URL' in env() else 'per-process memory'}"
    )
    server = start_gunicorn(port, args.workers)
    results: dict[str, list[tuple[Run, Run]]] = {}
    try:
        cookies = {None: None, OWNER: login(base, OWNER), STAFF: login(base, STAFF)}
        for name, (path, who) in pages.items():
            status, size = fetch(base + path, cookies[who])
            log(f"{name}: {path} -> {status}, {size:,} bytes")
            if status != 200:
                raise SystemExit(f"{name} answered {status}: fix it before measuring")
            fetch(base + path, cookies[who])  # warm every worker's first hit
        for name, (path, who) in pages.items():
            log(f"{name} (twice, each beside the bare view):")
            pairs = []
            for _ in range(2):
                settle(base)
                bare = wrk("bare view /healthz", base + "/healthz", None, args)
                time.sleep(args.pause)
                page = wrk(name, base + path, cookies[who], args)
                time.sleep(args.pause)
                pairs.append((bare, page))
            results[name] = pairs
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.load_after = os.getloadavg()
    counts = query_counts(pages)
    cache = "Redis" if "REDIS_URL" in env() else "local memory"
    report = web_report.render(results, counts, args, database_url=DATABASE_URL, cache=cache)
    print("\n" + report)
    if not args.no_append:
        web_report.append(report)
        log(f"appended to {web_report.RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
