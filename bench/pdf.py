"""PDF benchmark: the demo's offboarding plan rendered many times in one process.

Method (/work/shared/bench-method.md): a scratch SQLite database with `seed_demo`; the
demo plan with the most pages; one warm-up render; then N rounds, each timing
  1. a bare WeasyPrint render of the plan's HTML (`HTML(string=...).write_pdf()` with
     the same fetcher, fonts and stylesheets), and
  2. the whole build task (`build_plan_pdf`: database reads, HTML, PDF, storage write,
     status updates), after setting the plan back to pending,
interleaved, so both see the same noise. The ratio task/bare is what the overhead
target is judged on. Memory: peak resident set (VmHWM) and the resident set after 10
and after N rounds.

    make bench-pdf                # or: .venv/bin/python bench/pdf.py [--rounds 500]

Appends a dated section to bench/RESULTS.md (--no-append to only print it).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
# Issue 15: the task within 1.1 times the bare render, peak memory within 150 MB over 500
# renders. Issue 5's absolute targets (p95, PDFs a minute) are still reported against.
TARGETS = {"p95": 0.5, "per_minute": 150, "peak_mb": 150, "ratio": 1.10}


def _setup(var_dir: str) -> None:
    os.environ["CLIENTREVIEW_VAR_DIR"] = var_dir
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["DEBUG"] = "0"
    os.environ["STATIC_MANIFEST"] = "false"
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME"):
        os.environ.pop(name, None)  # SQLite, tasks in-process, files on the local disk
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientreview.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _mb(kb: int) -> float:
    return kb / 1024


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _machine(load_at_start: float) -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} cores (nproc), {cpu}; load average at start {load_at_start:.2f}"


def _versions() -> str:
    import django
    import pydyf
    import weasyprint

    pango = subprocess.run(
        ["sh", "-c", "dpkg-query -W -f '${Version}' libpango-1.0-0 2>/dev/null"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return (
        f"Python {platform.python_version()}, Django {django.__version__}, "
        f"WeasyPrint {weasyprint.__version__}, pydyf {pydyf.__version__}, Pango {pango or '?'}; "
        f"fonts subset with {_subsetter()}"
    )


def _subsetter() -> str:
    """Which library WeasyPrint subsets fonts with here: the Docker image has HarfBuzz's."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0):
        return "HarfBuzz (libharfbuzz-subset0, as in the Docker image)"
    return "fontTools: libharfbuzz-subset0 is missing, unlike in the Docker image"


def run(rounds: int) -> dict:
    from django.core.management import call_command
    from pypdf import PdfReader
    from weasyprint import HTML

    from assessments import pdf
    from assessments.models import OffboardingPlan
    from assessments.tasks import build_plan_pdf

    load_at_start = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    plans = list(OffboardingPlan.objects.select_related("business", "client"))
    if not plans:
        raise SystemExit("seed_demo made no plan: is there a Fire client in the demo?")
    htmls = {plan.pk: pdf.plan_html(plan) for plan in plans}
    plan = max(plans, key=lambda p: len(htmls[p.pk]))
    html = htmls[plan.pk]
    fonts, sheets, fetcher = pdf.resources()

    def bare() -> bytes:
        document = HTML(string=html, base_url=pdf.STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(stylesheets=sheets, font_config=fonts)

    def task() -> str:
        return build_plan_pdf(plan.pk)

    def reset() -> None:
        OffboardingPlan.objects.filter(pk=plan.pk).update(status=OffboardingPlan.Status.PENDING)

    # Warm up once: fonts parsed, templates compiled, the first file written.
    sample = bare()
    reset()
    assert task() == "ready"
    pages = len(PdfReader(BytesIO(sample)).pages)
    bare_times: list[float] = []
    task_times: list[float] = []
    bare_cpu: list[float] = []
    task_cpu: list[float] = []
    rss_after_10 = 0
    started = time.perf_counter()
    for i in range(1, rounds + 1):
        c0, t0 = time.process_time(), time.perf_counter()
        bare()
        c1, t1 = time.process_time(), time.perf_counter()
        reset()
        c2, t2 = time.process_time(), time.perf_counter()
        outcome = task()
        c3, t3 = time.process_time(), time.perf_counter()
        if outcome != "ready":
            raise SystemExit(f"round {i}: the task answered {outcome!r}")
        bare_times.append(t1 - t0)
        task_times.append(t3 - t2)
        bare_cpu.append(c1 - c0)
        task_cpu.append(c3 - c2)
        if i == 10:
            rss_after_10 = _status_kb("VmRSS")
    elapsed = time.perf_counter() - started
    plan.refresh_from_db()
    return {
        "client": plan.client.name,
        "pages": pages,
        "bytes": len(sample),
        "rounds": rounds,
        "elapsed": elapsed,
        "bare": bare_times,
        "task": task_times,
        "bare_cpu": bare_cpu,
        "task_cpu": task_cpu,
        "load_start": load_at_start,
        "load_end": os.getloadavg()[0],
        "rss_10": rss_after_10,
        "rss_end": _status_kb("VmRSS"),
        "peak": _status_kb("VmHWM"),
        "attempts": plan.attempts,
    }


def report(r: dict, command: str) -> str:
    task, bare = r["task"], r["bare"]
    med_task, med_bare = statistics.median(task), statistics.median(bare)
    p95_task, p95_bare = _pct(task, 0.95), _pct(bare, 0.95)
    per_minute = 60 / statistics.mean(task)
    ratio = med_task / med_bare
    growth = _mb(r["rss_end"] - r["rss_10"])

    def verdict(ok: bool) -> str:
        return "met" if ok else "**missed**"

    lines = [
        f"## PDF: the demo offboarding plan, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"- Machine: {_machine(r['load_start'])}",
        f"- Versions: {_versions()}",
        f"- Command: `{command}`",
        f"- Plan: demo client {r['client']!r}, {r['pages']} pages, {r['bytes'] // 1024} KiB; "
        f"{r['rounds']} rounds after one warm-up, in {r['elapsed']:.0f} s",
        "",
        "| measure | bare WeasyPrint render | whole task (`build_plan_pdf`) | target |",
        "|---|---|---|---|",
        f"| median | {med_bare:.3f} s | {med_task:.3f} s | |",
        f"| p95 | {p95_bare:.3f} s | {p95_task:.3f} s | task ≤ {TARGETS['p95']} s: "
        f"{verdict(p95_task <= TARGETS['p95'])} |",
        f"| max | {max(bare):.3f} s | {max(task):.3f} s | |",
        f"| CPU time, median | {statistics.median(r['bare_cpu']):.3f} s | "
        f"{statistics.median(r['task_cpu']):.3f} s | |",
        f"| CPU time, p95 | {_pct(r['bare_cpu'], 0.95):.3f} s | "
        f"{_pct(r['task_cpu'], 0.95):.3f} s | |",
        f"| PDFs per minute, one process | {60 / statistics.mean(bare):.0f} | {per_minute:.0f} | "
        f"≥ {TARGETS['per_minute']}: {verdict(per_minute >= TARGETS['per_minute'])} |",
        f"| task / bare (medians) | | **{ratio:.3f}** | ≤ {TARGETS['ratio']:.2f}: "
        f"{verdict(ratio <= TARGETS['ratio'])} |",
        "",
        "| memory of the process | MB | target |",
        "|---|---|---|",
        f"| peak resident (VmHWM) | {_mb(r['peak']):.1f} | ≤ {TARGETS['peak_mb']}: "
        f"{verdict(_mb(r['peak']) <= TARGETS['peak_mb'])} |",
        f"| resident after 10 rounds | {_mb(r['rss_10']):.1f} | |",
        f"| resident after {r['rounds']} rounds | {_mb(r['rss_end']):.1f} | |",
        f"| growth from round 10 to {r['rounds']} | {growth:+.1f} | no growth: "
        f"{verdict(growth < 5)} (under 5 MB) |",
        "",
        f"Each round renders twice (bare, then the task), so {2 * r['rounds']} PDFs in all; the "
        f"plan's `attempts` counter reached {r['attempts']}. Load average at the end: "
        f"{r['load_end']:.2f}. CPU time is this process's own (time.process_time): on a "
        "machine shared with other work it is the better guide to what one idle core does.",
        "",
    ]
    return "\n".join(lines)


def append(section: str) -> None:
    header = (
        "# Benchmark results\n\nNewest first within each benchmark. How we measure: "
        "/work/shared/bench-method.md. Absolute times depend on the machine and its load; "
        "the ratios measured within one run are what targets are judged on.\n\n"
    )
    old = RESULTS.read_text() if RESULTS.exists() else header
    if not old.startswith("# Benchmark results"):
        old = header + old
    # Newer results go above older ones: right after the header paragraph.
    head, sep, rest = old.partition("\n## ")
    RESULTS.write_text(head.rstrip() + "\n\n" + section + ("\n## " + rest if sep else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=500)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="clientreview-bench-pdf-") as var_dir:
        _setup(var_dir)
        result = run(args.rounds)
    command = "make bench-pdf" if args.rounds == 500 else f"bench/pdf.py --rounds {args.rounds}"
    section = report(result, command)
    print(section)
    if not args.no_append:
        append(section)


if __name__ == "__main__":
    main()
