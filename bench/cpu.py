"""CPU per request of one page under load: gunicorn's workers, PostgreSQL and Redis.

Starts gunicorn as `bench/web.py` does (same settings and bench database), logs in,
drives the page with `wrk -t2 -c16` and reads each process's CPU time from
`/proc/<pid>/stat` before and after: milliseconds of CPU per request, which holds
better than latency on a shared machine.

    .venv/bin/python bench/cpu.py "/incidents/new/?q=bakery"
    .venv/bin/python bench/cpu.py / --as load-owner@example.com --duration 20

PostgreSQL's figure counts every backend, including ones other work opens meanwhile.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import web  # bench/ is on sys.path when this runs as a script

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ticks(pids: list[int]) -> dict[int, int]:
    """User and system CPU ticks of each process still running."""
    ticks = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])
    return ticks


def pids(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def spent(before: dict[int, int], after: dict[int, int]) -> int:
    return sum(t - before.get(pid, 0) for pid, t in after.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("path", help="the page, e.g. /clients/")
    parser.add_argument("--as", dest="who", default=web.STAFF, help="who is logged in")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load")
    parser.add_argument("--workers", type=int, default=web.WORKERS)
    args = parser.parse_args()
    web.ensure_data()
    port = web.free_port()
    base = f"http://127.0.0.1:{port}"
    server = web.start_gunicorn(port, args.workers)
    try:
        cookie = web.login(base, args.who)
        for _ in range(2 * args.workers):
            web.fetch(base + args.path, cookie)
        workers = pids(f"gunicorn.*127.0.0.1:{port}")
        workers = [pid for pid in workers if pid != server.pid]
        before = [cpu_ticks(workers), cpu_ticks(pids("postgres")), cpu_ticks(pids("redis-server"))]
        load = argparse.Namespace(threads=2, connections=16, duration=args.duration)
        run = web.wrk(args.path, base + args.path, cookie, load)
        after = [cpu_ticks(workers), cpu_ticks(pids("postgres")), cpu_ticks(pids("redis-server"))]
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = run.rps * args.duration
    pairs = zip(before, after, strict=True)
    gunicorn, postgres, redis = (spent(b, a) * TICK_MS / requests for b, a in pairs)
    print(
        f"{args.path}: {run.rps:.0f} req/s, p95 {run.p95:.1f} ms; CPU per request: "
        f"gunicorn {gunicorn:.2f} ms, PostgreSQL {postgres:.2f} ms, Redis {redis:.2f} ms"
    )


if __name__ == "__main__":
    sys.exit(main())
