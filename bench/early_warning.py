"""Early-warning benchmark: the daily run over the generated business (10,000 clients).

Method (/work/shared/bench-method.md): the web benchmark's PostgreSQL database and load
data (`bench.web.ensure_data`: 10,000 clients, 200,000 incidents, 100,000 invoices,
100,000 time entries); in one process, `find_warnings` (gather every active client's
evidence, run the rules, compare with the last review and warning) for that business,
N times: the SQL queries it runs (the target: a fixed number, whatever the number of
clients), the wall time and CPU of each run, and the peak resident memory. The same
with 1,000 of the clients, to show that the queries do not grow with the clients.
Nothing is written: the warnings found are counted, not saved.

    .venv/bin/python bench/early_warning.py [--rounds 3]

Appends a dated section to bench/RESULTS.md (--no-append to only print it).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import web  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _measure(business, clients, rounds: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.evidence import gather_many
    from assessments.services import warnings

    walls, cpus, found, queries = [], [], 0, 0
    for _ in range(rounds):
        started, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as ctx:
            count = 0
            for data in gather_many(business, clients):
                decision, _keys = warnings.proposed_decision(data)
                count += decision.verdict != "keep"
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        queries, found = len(ctx.captured_queries), count
    with CaptureQueriesContext(connection) as ctx:
        warnings.find_warnings(business)
    return {
        "clients": clients.count(),
        "queries": queries,
        "find_queries": len(ctx.captured_queries),
        "pointing": found,
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    web.ensure_data()
    os.environ.update(web.env())
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    from accounts.models import Business
    from assessments.models import Client

    business = Business.objects.get(name=web.BUSINESS)
    active = Client.objects.for_business(business).filter(status=Client.Status.ACTIVE)
    first_thousand = Client.objects.filter(pk__in=active.order_by("pk").values("pk")[:1000])
    small = _measure(business, first_thousand, args.rounds)
    large = _measure(business, active, args.rounds)
    peak = _peak_mb()
    import django as dj

    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    rows = "\n".join(
        f"| {m['clients']:,} | {m['queries']} | {m['find_queries']} | {m['pointing']:,} | "
        f"{m['wall']:.1f} | {m['cpu']:.1f} | {m['clients'] / m['wall']:,.0f} |"
        for m in (small, large)
    )
    versions = f"Python {platform.python_version()}, Django {dj.__version__}"
    met = small["find_queries"] == large["find_queries"]
    command = f".venv/bin/python bench/early_warning.py --rounds {args.rounds}"
    report = "\n".join(
        [
            f"## Early warning: the daily run at 10,000 clients ({when})",
            "",
            f"Machine: {os.cpu_count()} cores (nproc), {cpu}. {versions}, PostgreSQL (the web",
            "benchmark's database and load data).",
            f"Command: `{command}` (median of {args.rounds} runs; nothing written).",
            "",
            "| active clients | queries (gather + rules) | queries (`find_warnings`) "
            "| pointing to Watch or Fire | wall s | CPU s | clients/s |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            rows,
            "",
            f"Peak resident memory of the process: {peak:.0f} MB. Target, a fixed number of "
            f"queries per business whatever its size: {'met' if met else 'NOT met'} "
            f"({small['find_queries']} at {small['clients']:,} clients, "
            f"{large['find_queries']} at {large['clients']:,}).",
            "",
        ]
    )
    print(report)
    if not args.no_append:
        text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
        head, sep, rest = text.partition("\n## ")
        RESULTS.write_text(
            f"{head}\n{report}\n{sep.lstrip()}{rest}" if sep else f"{text}\n{report}"
        )


if __name__ == "__main__":
    main()
