"""The web benchmark's report: machine, versions, the table and the verdicts, and the
dated section it adds to bench/RESULTS.md (newest web results above older ones)."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "bench" / "RESULTS.md"
TARGET_P95_MS = 100.0
TARGET_RATIO = {"portfolio": 0.30, "client list": 0.30}


def versions(database_url: str) -> str:
    def out(*cmd: str) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True)
        except OSError:
            return "?"
        return (done.stdout or done.stderr).strip().splitlines()[0]

    django = out(PY, "-c", "import django; print(django.get_version())")
    gunicorn = out(GUNICORN, "--version")
    pg = out("psql", database_url, "-tAc", "SHOW server_version")
    wrk_v = out("wrk", "--version").split(" Copyright")[0].strip()
    return (
        f"Python {platform.python_version()}, Django {django}, {gunicorn}, PostgreSQL {pg}, {wrk_v}"
    )


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} CPUs (nproc), {model}, {platform.platform()}"


def render(results, counts, args, *, database_url: str, cache: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Web pages, {now}",
        "",
        f"- Machine: {machine()}; load average (1/5/15 min) "
        f"{'/'.join(f'{x:.1f}' for x in args.load_before)} before, "
        f"{'/'.join(f'{x:.1f}' for x in args.load_after)} after (a shared machine: other "
        "processes compete for the same two cores)",
        f"- Versions: {versions(database_url)}",
        f"- Command: `make bench-web` (= `.venv/bin/python bench/web.py --duration "
        f"{args.duration} --workers {args.workers}`); wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s --latency, {args.pause:g} s pause between runs",
        f"- Server: gunicorn, {args.workers} sync workers, DEBUG off, PostgreSQL "
        f"(`clientreview_bench`: 10,000 clients, 200,000 incidents, 100,000 invoices, "
        f"100,000 time entries), cache: {cache}",
        "- Queries and single-request time: Django's test client on the same database, one "
        "request at a time, cold (cache emptied first) / warm. The portfolio, client list "
        "and client page are cached per business until anything in it changes; wrk "
        "measures the warm pages.",
        "",
        "| Page | Run | Bare req/s | Page req/s | Ratio | p50 ms | p95 ms | p99 ms | Errors "
        "| Queries cold / warm | One request ms cold / warm |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for name, pairs in results.items():
        measured = counts.get(name, {"queries": ["?", "?"], "ms": ["?", "?"]})
        queries = " / ".join(str(q) for q in measured["queries"])
        times = " / ".join(str(t) for t in measured["ms"])
        for i, (bare, page) in enumerate(pairs, start=1):
            ratio = page.rps / bare.rps if bare.rps else 0
            lines.append(
                f"| {name} | {i} | {bare.rps:.0f} | {page.rps:.1f} | {ratio:.1%} | "
                f"{page.p50:.1f} | {page.p95:.1f} | {page.p99:.1f} | {page.errors} | {queries} "
                f"| {times} |"
            )
        ratio = statistics.mean(p.rps / b.rps if b.rps else 0 for b, p in pairs)
        worst_p95 = max(p.p95 for _b, p in pairs)
        ok_p95 = worst_p95 <= TARGET_P95_MS
        note = f"{name}: p95 {worst_p95:.0f} ms ({'met' if ok_p95 else 'MISSED'})"
        if name in TARGET_RATIO:
            ok = ratio >= TARGET_RATIO[name]
            note += f", throughput {ratio:.1%} of bare ({'met' if ok else 'MISSED'})"
        verdicts.append(note)
    bare_rps = [b.rps for pairs in results.values() for b, _p in pairs]
    lines += [
        "",
        f"Bare view across all runs: {min(bare_rps):.0f}-{max(bare_rps):.0f} req/s (the noise "
        "of this machine). Targets: p95 <= 100 ms on every page; portfolio and client list "
        ">= 30% of the bare view.",
        "",
        *[f"- {v}" for v in verdicts],
        "",
    ]
    return "\n".join(lines)


def append(report: str) -> None:
    header = (
        "# Benchmark results\n\nNewest first within each benchmark; older results stay below.\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else header
    marker = "\n## Web pages,"
    if marker in text:
        i = text.index(marker)
        text = text[:i] + "\n" + report + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + report
    RESULTS.write_text(text)
