"""The busy business of the web benchmark: logs incidents through the real incident form.

    python bench/web_writer.py BASE_URL --email load-staff@example.com --clients 12,34,56

Logs in through the login form, then, at `--rate` incidents a second, does what a person
on a phone does: opens the form for a client (`/incidents/new/?client=N`, a client picked
at random from `--clients`), keeps every field the page sends (the CSRF token, the
one-time form token, the hidden "outside hours shown", the suggested time and the
preselected choices), fills in what a person must (a kind of incident and what happened),
posts it as the browser would (multipart, with an empty file field) and follows the
redirect. A write succeeded when it ends on the new incident's page.

The writes arrive on a clock (open loop), as people do: a slow server does not slow the
arrivals down, it makes the writes pile up (up to eight at once). Prints READY once
logged in; on SIGTERM or SIGINT it finishes the writes under way and prints one line,
`WRITES {json}`: attempts, successes, failures (by reason), how many started over a
second late (eight were already under way), how many were still waiting at the end and
never started, and the time per write.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import signal
import statistics
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import requests

PASSWORD = "clientreview-demo"
DETAIL = re.compile(r"/incidents/\d+/$")
CONCURRENT = 8


class FormFields(HTMLParser):
    """The fields of the page's incident form, with the values a browser would submit
    untouched: hidden and text inputs, checked boxes and radios, each select's selected
    (or first) option, textareas' text. Also each select's options, to choose from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_form = False
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.files: list[str] = []
        self._select: str | None = None
        self._selected: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "data-incident-form" in a:
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind == "file":
                self.files.append(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image"):
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._selected = name, None
            self.options[name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            self.options[self._select].append(value)
            if "selected" in a and self._selected is None:
                self._selected = value
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            options = self.options[self._select]
            chosen = self._selected if self._selected is not None else (options or [""])[0]
            self.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False


def log_in(http: requests.Session, base: str, email: str) -> None:
    page = http.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    done = http.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=30,
    )
    if "sessionid" not in http.cookies or "/accounts/login/" in done.url:
        raise SystemExit(f"writer: logging in as {email} failed")


def write_one(http: requests.Session, base: str, client: int, number: int) -> str:
    """Log one incident through the form; "ok", or why it failed."""
    url = f"{base}/incidents/new/?client={client}"
    page = http.get(url, timeout=30)
    if page.status_code != 200:
        return f"form answered {page.status_code}"
    form = FormFields()
    form.feed(page.text)
    data = dict(form.fields)
    if not data.get("form_token") or not data.get("csrfmiddlewaretoken"):
        return "form without its tokens"
    if data.get("client") != str(client):
        return "form without the client chosen"
    kinds = [v for v in form.options.get("category", []) if v]
    data["category"] = kinds[number % len(kinds)]
    data["description"] = f"Benchmark write {number}: raised their voice at the front desk."
    response = http.post(
        url,
        data=data,
        # An empty file part, as a browser sends for a file input left empty.
        files=[(name, ("", b"", "application/octet-stream")) for name in form.files],
        headers={"Referer": url},
        timeout=30,
    )
    if response.status_code != 200:
        return f"answered {response.status_code}"
    if not response.history or not DETAIL.search(response.url):
        return "no redirect to the new incident"
    return "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("base")
    parser.add_argument("--email", required=True)
    parser.add_argument("--clients", required=True, help="client ids, comma-separated")
    parser.add_argument("--rate", type=float, default=2.0, help="incidents per second")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    clients = [int(pk) for pk in args.clients.split(",")]
    rng = random.Random(args.seed)

    stopping = False

    def stop(_signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    http = requests.Session()
    log_in(http, args.base, args.email)
    print("READY", flush=True)

    # Open loop, as people are: a write starts every 1/rate seconds whether or not the
    # last one has finished, on up to CONCURRENT threads, each with its own connection
    # and the same login. One that starts over a second after its time counts as late.
    local = threading.local()
    outcomes: Counter[str] = Counter()
    seconds: list[float] = []
    late = 0
    lock = threading.Lock()

    def one(number: int, due: float, client: int) -> None:
        nonlocal late
        if not hasattr(local, "http"):
            local.http = requests.Session()
            local.http.cookies.update(http.cookies)
        began = time.monotonic()
        try:
            outcome = write_one(local.http, args.base, client, number)
        except requests.RequestException as exc:
            outcome = type(exc).__name__
        with lock:
            late += began - due > 1.0
            seconds.append(time.monotonic() - began)
            outcomes[outcome] += 1

    interval = 1 / args.rate
    started = time.monotonic()
    number = 0
    pool = ThreadPoolExecutor(max_workers=CONCURRENT)
    while not stopping:
        due = started + number * interval
        now = time.monotonic()
        if now < due:
            time.sleep(min(due - now, 0.1))
            continue
        number += 1
        pool.submit(one, number, due, rng.choice(clients))
    # Writes under way finish; those still waiting for a thread never start (they are
    # reported as not started: the measurement they belonged to is over).
    pool.shutdown(wait=True, cancel_futures=True)
    elapsed = time.monotonic() - started
    ok = outcomes.pop("ok", 0)
    ms = sorted(s * 1000 for s in seconds) or [0.0]
    summary = {
        "attempts": ok + sum(outcomes.values()),
        "succeeded": ok,
        "failed": sum(outcomes.values()),
        "failures": dict(outcomes),
        "late": late,
        "not_started": number - ok - sum(outcomes.values()),
        "seconds": round(elapsed, 1),
        "per_second": round(ok / elapsed, 2) if elapsed else 0,
        "write_ms_p50": round(statistics.median(ms), 1),
        "write_ms_p95": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 1),
    }
    print("WRITES " + json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
