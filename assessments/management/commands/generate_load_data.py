"""Build a large business (and a few small ones) for measuring pages at scale."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from assessments import loaddata


def _positive(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Generate a large business (default 10,000 clients, 200,000 incidents, 100,000 "
        "invoices, 100,000 time entries) beside a few small ones, deterministically from "
        "--seed. Refuses to run twice for the same business name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default = loaddata.Size()
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

    def handle(self, *args, **options) -> None:
        size = loaddata.Size(
            clients=options["clients"],
            incidents=options["incidents"],
            invoices=options["invoices"],
            time_entries=options["time_entries"],
        )
        started = time.monotonic()
        try:
            report = loaddata.generate(
                business_name=options["business_name"],
                size=size,
                seed=options["seed"],
                today=options["today"],
                small_businesses=options["small_businesses"],
                progress=self.stdout.write,
            )
        except loaddata.LoadDataExists as exc:
            raise CommandError(
                f"A business named {exc} already exists: load data is generated once per "
                "business name. Pick another --business-name, or start from an empty database."
            ) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Built '{report.business.name}' (id {report.business.pk}) in {elapsed:.0f} s: "
                + ", ".join(f"{n:,} {name.replace('_', ' ')}" for name, n in report.counts.items())
            )
        )
        self.stdout.write(f"  owner: {report.owner_email} / {loaddata.PASSWORD}")
        self.stdout.write(f"  staff: {report.staff_email} / {loaddata.PASSWORD}")
        for small in report.small:
            self.stdout.write(f"  also: '{small.name}' (id {small.pk})")
