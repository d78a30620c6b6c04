"""Web benchmark: gunicorn on PostgreSQL with the generated 10,000-client business, driven by wrk.

Method (/work/shared/bench-method.md): production settings (DEBUG off, manifest static
files, PostgreSQL, Redis), gunicorn bound to 127.0.0.1, wrk in a second process with 16
connections for 20 s per run and the session cookie of the owner (or of a staff member
for staff's pages). The ceiling is the reference page (/bench/reference/, bench/reference.py,
mounted because the server runs with CLIENTREVIEW_BENCH=1): the session, the user and
membership, 25 clients, the layout. Each page is measured interleaved with it, reference,
page, reference, page, and its throughput is reported as a ratio of the reference's
measured beside it. Every page is measured twice that way: read alone, and while
bench/web_writer.py logs two incidents a second through the real form as a staff member
(its successes and failures are reported). The bare view /healthz is recorded too, as
the machine's ceiling, but is not a target. The SQL queries per page come from Django's
test client against the same database.

    make bench-web                   # or: .venv/bin/python bench/web.py [--only portfolio]

Adds a dated section at the top of bench/RESULTS.md (--no-append to only print it).
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import random
import re
import shlex
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
REFERENCE = "/bench/reference/"
BARE = "bare view /healthz"
# Two cores, shared by gunicorn, PostgreSQL and wrk itself: see bench/README.md for the
# sweep behind this; override with --workers.
WORKERS = 3
WRITES_PER_SECOND = 2.0
WRITER_CLIENTS = 200  # the writer logs incidents for a random one of this many clients


@dataclass
class Run:
    name: str
    url: str
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int


@dataclass
class Page:
    path: str
    who: str | None
    target: bool = True


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
        CLIENTREVIEW_BENCH="1",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="clientreview.settings",
    )
    if redis_up():
        # As in production: Redis is the cache and Celery's broker (nothing on the pages
        # measured uses either; a task a write enqueues waits in the bench's own db).
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
        f"    {name:<32} {run.rps:8.1f} req/s  p50 {run.p50:7.1f}  p95 {run.p95:7.1f}  "
        f"p99 {run.p99:7.1f} ms  errors {run.errors}"
    )
    return run


class Writer:
    """bench/web_writer.py in its own process: two incidents a second through the form."""

    def __init__(self, base: str, clients: list[int], rate: float) -> None:
        self.proc = subprocess.Popen(
            [
                PY,
                str(ROOT / "bench" / "web_writer.py"),
                base,
                "--email",
                STAFF,
                "--clients",
                ",".join(map(str, clients)),
                "--rate",
                str(rate),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        if line != "READY":
            self.proc.kill()
            raise SystemExit(f"the writer did not start: {line!r}")

    def stop(self) -> dict:
        self.proc.terminate()
        out, _err = self.proc.communicate(timeout=60)
        return json.loads(out.split("WRITES ", 1)[1].splitlines()[0])


QUERY_COUNTER = r"""
import json, sys
import django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from accounts.models import User
clients = {}
out = {}
for name, (path, email) in json.loads(sys.argv[1]).items():
    if email not in clients:
        clients[email] = Client()
        if email:
            clients[email].force_login(User.objects.get(email=email),
                                       backend="django.contrib.auth.backends.ModelBackend")
    http = clients[email]
    http.get(path)  # a session's first page also saves the business chosen
    with CaptureQueriesContext(connection) as ctx:
        status = http.get(path).status_code
    out[name] = len(ctx.captured_queries) if status == 200 else -status
print("QUERIES " + json.dumps(out))
"""


def query_counts(pages: dict[str, Page]) -> dict[str, int]:
    """SQL queries of one request to each page (after the session's first), from Django's
    test client on the same database and settings."""
    paths = {name: (page.path, page.who) for name, page in pages.items()}
    done = subprocess.run(
        [PY, "-c", QUERY_COUNTER, json.dumps(paths)],
        cwd=ROOT,
        env={**env(), "ALLOWED_HOSTS": "testserver,127.0.0.1"},
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


def writer_clients(count: int) -> list[int]:
    script = (
        "import json; from assessments.models import Client; "
        f"print(json.dumps(list(Client.objects.filter(business__name={BUSINESS!r})"
        ".order_by('pk').values_list('pk', flat=True))))"
    )
    pks = json.loads(shell(script))
    return sorted(random.Random(1).sample(pks, min(count, len(pks))))


def pages_to_measure(client_pk: int) -> dict[str, Page]:
    """Each page, and who asks for it (None: nobody is logged in)."""
    return {
        BARE: Page("/healthz", None, target=False),
        "portfolio": Page("/", OWNER),
        "client list": Page("/clients/", OWNER),
        "client page (largest)": Page(f"/clients/{client_pk}/", OWNER),
        # Past 200 clients the form starts by finding the client (search or recent).
        "incident form: find the client": Page("/incidents/new/", STAFF),
        "incident form: client search": Page(f"/incidents/new/?q={SEARCH}", STAFF),
        "incident form (largest client)": Page(f"/incidents/new/?client={client_pk}", STAFF),
        # Staff's home page: what they logged (the writer logs as them), open abuse flags.
        "staff home": Page("/", STAFF),
    }


# Measured only when named with --only: a full run of the pages above already takes
# about 23 minutes.
EXTRA_PAGES = {
    "incident list": Page("/incidents/", OWNER),
    "login page": Page("/accounts/login/", None),
}


def measure(name: str, page: Page, cookies: dict, base: str, args, pairs: int) -> list:
    """`pairs` times: the reference page, then this page (as the same person), each run
    followed by a pause."""
    # The reference as the page's visitor (the owner for anonymous pages and the bare view).
    reference_cookie = cookies[page.who or OWNER]
    out = []
    for _ in range(pairs):
        settle(base)
        ref = wrk("reference", base + REFERENCE, reference_cookie, args)
        time.sleep(args.pause)
        run = wrk(name, base + page.path, cookies[page.who], args)
        time.sleep(args.pause)
        out.append((ref, run))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds per run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--pause", type=float, default=2, help="seconds after each run")
    parser.add_argument("--rate", type=float, default=WRITES_PER_SECOND, help="writes/s")
    parser.add_argument("--only", action="append", help="measure only this page (repeatable)")
    parser.add_argument("--no-append", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    args.command = shlex.join([".venv/bin/python", "bench/web.py", *sys.argv[1:]])
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    ensure_data()
    client_pk = largest_client()
    pages = pages_to_measure(client_pk)
    if args.only:
        known = {**pages, **EXTRA_PAGES}
        unknown = [name for name in args.only if name not in known]
        if unknown:
            raise SystemExit(f"unknown page(s) {unknown}; known: {list(known)}")
        pages = {name: known[name] for name in args.only}
    counts = query_counts({"reference": Page(REFERENCE, OWNER), **pages})
    log(f"queries per page: {counts}")
    clients = writer_clients(WRITER_CLIENTS)
    args.load_before = os.getloadavg()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log(f"gunicorn: {args.workers} workers on {base}")
    server = start_gunicorn(port, args.workers)
    results: dict[str, dict[str, list]] = {}
    writes: dict[str, dict] = {}
    try:
        cookies = {None: None, OWNER: login(base, OWNER), STAFF: login(base, STAFF)}
        for name, page in {"reference": Page(REFERENCE, OWNER), **pages}.items():
            for who in {page.who, STAFF} if name == "reference" else {page.who}:
                status, size = fetch(base + page.path, cookies[who])
                log(f"{name} as {who}: {page.path} -> {status}, {size:,} bytes")
                if status != 200:
                    raise SystemExit(f"{name} answered {status}: fix it before measuring")
                for _ in range(args.workers):
                    fetch(base + page.path, cookies[who])  # each worker's first hit
        for name, page in pages.items():
            pairs = 2 if page.target else 1
            log(f"{name}: read alone")
            alone = measure(name, page, cookies, base, args, pairs)
            log(f"{name}: while {args.rate:g} incidents a second are logged")
            writer = Writer(base, clients, args.rate)
            try:
                busy = measure(name, page, cookies, base, args, pairs)
            finally:
                writes[name] = writer.stop()
            log(f"    writes: {writes[name]}")
            results[name] = {"alone": alone, "writes": busy}
    finally:
        server.terminate()
        server.wait(timeout=30)
    args.load_after = os.getloadavg()
    report = web_report.render(
        results, writes, counts, {n: p.target for n, p in pages.items()}, args, DATABASE_URL
    )
    print("\n" + report)
    if not args.no_append:
        web_report.append(report)
        log(f"added to the top of {web_report.RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
