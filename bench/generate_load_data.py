"""Build a large business (and a few small ones) for measuring pages at scale.

    python bench/generate_load_data.py [--clients N] [--seed N] ...

Uses the project's settings (DATABASE_URL), like manage.py. Refuses to run twice for the
same business name.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a whole number of 0 or more")
    return number


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientreview.settings")
    import django

    django.setup()
    from bench import loaddata

    default = loaddata.Size()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=_positive, default=default.clients)
    parser.add_argument("--incidents", type=_positive, default=default.incidents)
    parser.add_argument("--invoices", type=_positive, default=default.invoices)
    parser.add_argument("--time-entries", type=_positive, default=default.time_entries)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--business-name", default=loaddata.DEFAULT_BUSINESS)
    parser.add_argument(
        "--small-businesses",
        type=_positive,
        default=loaddata.SMALL_BUSINESSES,
        help="How many small businesses (20 clients each) to build beside the large one.",
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="Date the history ends on (YYYY-MM-DD); default today. Same seed and "
        "same date give the same data.",
    )
    options = parser.parse_args(argv)
    size = loaddata.Size(
        clients=options.clients,
        incidents=options.incidents,
        invoices=options.invoices,
        time_entries=options.time_entries,
    )
    started = time.monotonic()
    try:
        report = loaddata.generate(
            business_name=options.business_name,
            size=size,
            seed=options.seed,
            today=options.today,
            small_businesses=options.small_businesses,
            progress=print,
        )
    except loaddata.LoadDataExists as exc:
        print(
            f"A business named {exc} already exists: load data is generated once per "
            "business name. Pick another --business-name, or start from an empty database.",
            file=sys.stderr,
        )
        return 1
    elapsed = time.monotonic() - started
    counts = ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.counts.items())
    print(f"Built '{report.business.name}' (id {report.business.pk}) in {elapsed:.0f} s: {counts}")
    print(f"  owner: {report.owner_email} / {loaddata.PASSWORD}")
    print(f"  staff: {report.staff_email} / {loaddata.PASSWORD}")
    for small in report.small:
        print(f"  also: '{small.name}' (id {small.pk})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
