"""The web benchmark's report: machine, versions, the summary against the targets, every
run, the writes, and the dated section it adds at the top of bench/RESULTS.md."""

from __future__ import annotations

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
TARGET_RATIO = 0.5  # of the reference page's requests per second, measured beside it
MODES = {"alone": "read alone", "writes": "with writes"}


def _first_line(*cmd: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError:
        return "?"
    return ((done.stdout or done.stderr).strip().splitlines() or ["?"])[0]


def versions(database_url: str) -> str:
    django = _first_line(PY, "-c", "import django; print(django.get_version())")
    requests = _first_line(PY, "-c", "import requests; print(requests.__version__)")
    gunicorn = _first_line(GUNICORN, "--version")
    pg = _first_line("psql", database_url, "-tAc", "SHOW server_version")
    redis = _first_line("redis-server", "--version").split(" sha=")[0]
    wrk = _first_line("wrk", "--version").split(" Copyright")[0].strip()
    return (
        f"Python {platform.python_version()}, Django {django}, {gunicorn}, PostgreSQL {pg}, "
        f"{redis}, {wrk}, requests {requests} (the writer)"
    )


def machine() -> str:
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"`nproc` {_first_line('nproc')}, {model}, {platform.platform()}"


def _ratio(pairs) -> float:
    return statistics.mean(page.rps / ref.rps if ref.rps else 0 for ref, page in pairs)


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def summary(results, counts, targets) -> tuple[list[str], list[str]]:
    """One row per page: the worst p95 and the mean ratio in each mode, and the verdicts."""
    lines = [
        "| Page | Queries | p95 ms alone | p95 ms with writes | Ratio alone "
        "| Ratio with writes | p95 <= 100 ms | Ratio >= 0.5 |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    misses = []
    for name, modes in results.items():
        p95 = {m: max(page.p95 for _ref, page in pairs) for m, pairs in modes.items()}
        ratio = {m: _ratio(pairs) for m, pairs in modes.items()}
        if targets.get(name, True):
            p95_ok = all(v <= TARGET_P95_MS for v in p95.values())
            ratio_ok = all(v >= TARGET_RATIO for v in ratio.values())
            verdicts = ["met" if p95_ok else "**missed**", "met" if ratio_ok else "**missed**"]
            for mode, value in p95.items():
                if value > TARGET_P95_MS:
                    misses.append(
                        f"{name}, {MODES[mode]}: p95 {value:.0f} ms, "
                        f"{value - TARGET_P95_MS:.0f} ms over the 100 ms target"
                    )
            for mode, value in ratio.items():
                if value < TARGET_RATIO:
                    misses.append(
                        f"{name}, {MODES[mode]}: {value:.2f} of the reference, "
                        f"{TARGET_RATIO - value:.2f} short of 0.5"
                    )
        else:
            verdicts = ["not a target", "not a target"]
        lines.append(
            f"| {name} | {counts.get(name, '?')} | {_ms(p95['alone'])} | {_ms(p95['writes'])} "
            f"| {ratio['alone']:.2f} | {ratio['writes']:.2f} | {verdicts[0]} | {verdicts[1]} |"
        )
    return lines, misses


def runs_table(results, counts) -> list[str]:
    lines = [
        "| Page | Mode | Run | Reference req/s | Page req/s | Ratio | p50 ms | p95 ms | p99 ms "
        "| Reference p95 ms | Errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, modes in results.items():
        for mode, pairs in modes.items():
            for i, (ref, page) in enumerate(pairs, start=1):
                ratio = page.rps / ref.rps if ref.rps else 0
                lines.append(
                    f"| {name} | {MODES[mode]} | {i} | {ref.rps:.0f} | {page.rps:.0f} | "
                    f"{ratio:.2f} | {_ms(page.p50)} | {_ms(page.p95)} | {_ms(page.p99)} | "
                    f"{_ms(ref.p95)} | {page.errors + ref.errors} |"
                )
    return lines


def writes_table(writes) -> list[str]:
    lines = [
        "| While measuring | Writes started | Succeeded | Failed | Started > 1 s late "
        "| Never started | Succeeded/s | One write p50 / p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, w in writes.items():
        failed = str(w["failed"])
        if w["failures"]:
            failed += " (" + ", ".join(f"{k}: {v}" for k, v in w["failures"].items()) + ")"
        lines.append(
            f"| {name} | {w['attempts']} | {w['succeeded']} | {failed} | {w['late']} "
            f"| {w['not_started']} | {w['per_second']:.2f} "
            f"| {_ms(w['write_ms_p50'])} / {_ms(w['write_ms_p95'])} |"
        )
    total_ok = sum(w["succeeded"] for w in writes.values())
    total = sum(w["attempts"] for w in writes.values())
    lines += ["", f"Writes in all: {total_ok} of {total} succeeded."]
    return lines


def render(results, writes, counts, targets, args, database_url: str) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = "/".join(f"{x:.1f}" for x in args.load_before)
    load_after = "/".join(f"{x:.1f}" for x in args.load_after)
    summary_lines, misses = summary(results, counts, targets)
    lines = [
        f"## Web pages, {now}",
        "",
        f"- Machine: {machine()}; load average (1/5/15 min) {load} before, {load_after} "
        "after (shared: another engineer's test suites wait while this runs)",
        f"- Versions: {versions(database_url)}",
        f"- Command: `{args.command}`; each run `wrk -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s --latency`, a {args.pause:g} s pause after each",
        f"- Server: gunicorn, {args.workers} sync workers, DEBUG off, no access log, "
        "PostgreSQL `clientreview_bench` (10,000 clients, 200,000 incidents, 100,000 "
        "invoices, 100,000 time entries), Redis db 14; no page or fragment cache",
        "- Reference: `/bench/reference/` in the same server (session, user and membership, "
        "one query of 25 clients, the layout), run before each run of a page, as the "
        "page's visitor. Ratio = page req/s / reference req/s of the same pair.",
        f"- With writes: `bench/web_writer.py` logs {args.rate:g} incidents a second through "
        "the incident form as `load-staff@example.com` (GET the form, POST it with its "
        "tokens and hidden fields, follow the redirect) while the pair runs.",
        "- Queries: one request to each page from Django's test client on the same database "
        f"(reference: {counts.get('reference', '?')}).",
        "",
        *summary_lines,
        "",
        f"Targets: p95 <= {TARGET_P95_MS:.0f} ms and throughput >= {TARGET_RATIO} of the "
        "reference page, in both modes (worst p95 of the runs, mean ratio of the pairs).",
        "",
        *([f"- Missed: {m}" for m in misses] or ["- Every target met."]),
        "",
        "Every run:",
        "",
        *runs_table(results, counts),
        "",
        "The writes:",
        "",
        *writes_table(writes),
        "",
    ]
    return "\n".join(lines)


def append(report: str) -> None:
    """Put the report at the top, under the file's heading: newest first."""
    header = "# Benchmark results\n\nNewest first; older results stay below.\n"
    text = RESULTS.read_text() if RESULTS.exists() else header
    marker = "\n## "
    if marker in text:
        i = text.index(marker)
        text = text[:i] + "\n" + report + text[i:]
    else:
        text = text.rstrip("\n") + "\n\n" + report
    RESULTS.write_text(text)
