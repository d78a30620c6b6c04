"""What the evidence rules read: plain, frozen data, built by `gather` or by hand in tests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from decimal import Decimal

from assessments.evidence.facts import Link
from assessments.figures import RECENT_DAYS, WINDOW_DAYS, ClientFigures
from assessments.models import EvidenceThresholds

# A fact links to at most this many records; the count in its words covers them all.
MAX_LINKS = 10


@dataclass(frozen=True)
class Thresholds:
    """The business's thresholds as plain values (see `EvidenceThresholds` for defaults)."""

    late_average_days: int
    late_severe_days: int
    disputed_share: Decimal
    discounts_count: int
    cost_to_revenue_ratio: Decimal
    major_cost_ratio: Decimal
    major_overdue_share: Decimal
    complaints_90_days: int
    demands_serious_90_days: int
    out_of_hours_90_days: int
    scope_changes_90_days: int
    no_referrals_after_years: int
    concentration_share: Decimal

    @classmethod
    def from_model(cls, row: EvidenceThresholds) -> Thresholds:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @classmethod
    def defaults(cls) -> Thresholds:
        # An unsaved row carries the model's defaults: one place defines them.
        return cls.from_model(EvidenceThresholds())

    def to_json(self) -> dict[str, int | str]:
        return {
            f.name: str(value) if isinstance(value, Decimal) else value
            for f in fields(self)
            for value in [getattr(self, f.name)]
        }


@dataclass(frozen=True)
class ClientInfo:
    """None (or "" for the billing model) means not recorded: never read as "no"."""

    id: int
    name: str
    since: date
    referrals_sent: int | None
    long_standing: bool | None
    billing_model: str
    has_written_contract: bool | None = None


@dataclass(frozen=True)
class IncidentRef:
    id: int
    number: int
    category: str
    severity: str
    occurred_at: datetime
    outside_hours: bool
    contact_name: str = ""
    # The delivery the incident was about, if it says.
    delivery_id: int | None = None

    def link(self) -> Link:
        return Link("incident", self.id, str(self.number))


@dataclass(frozen=True)
class DeliveryRef:
    """A piece of work delivered to the client."""

    id: int
    delivered_on: date


@dataclass(frozen=True)
class FlagRef:
    """An abuse flag on one of the client's contacts, open or cleared."""

    id: int
    contact_id: int
    contact_name: str
    raised_at: datetime
    cleared_at: datetime | None
    # (incident id, incident number) of the incidents that show it, by number.
    incidents: tuple[tuple[int, int], ...] = ()

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


@dataclass(frozen=True)
class InvoiceRef:
    id: int
    number: str
    days_late: int
    disputed: bool = False
    discount: Decimal = Decimal("0")
    open_overdue: bool = False

    def link(self) -> Link:
        return Link("invoice", self.id, self.number)


@dataclass(frozen=True)
class Lateness:
    """Exact counts over the figures' payment scope (last 12 months plus every open invoice)."""

    # Paid, or unpaid and past due: the invoices the average lateness is taken over.
    counted: int = 0
    # Of those, how many were `late_severe_days` or more late.
    severe: int = 0
    open_overdue: int = 0


@dataclass(frozen=True)
class EvidenceInput:
    client: ClientInfo
    currency: str
    figures: ClientFigures
    thresholds: Thresholds
    today: date
    # Incident windows are measured from this moment, as in `figures`.
    now: datetime
    lateness: Lateness = Lateness()
    # The latest incidents that can evidence a flag, newest first (capped by `gather`).
    incidents: tuple[IncidentRef, ...] = ()
    # Disputed, discounted, overdue or severely late invoices, newest first (capped).
    invoices: tuple[InvoiceRef, ...] = ()
    flags: tuple[FlagRef, ...] = ()
    # The latest deliveries of the last 12 months, newest first (capped by `gather`).
    deliveries: tuple[DeliveryRef, ...] = ()

    def count_12m(self, categories: Iterable[str]) -> int:
        return sum(self.figures.incidents_12m.get(c, 0) for c in set(categories))

    def count_90d(self, categories: Iterable[str]) -> int:
        return sum(self.figures.incidents_90d.get(c, 0) for c in set(categories))

    def incidents_within(self, categories: Iterable[str], days: int) -> list[IncidentRef]:
        wanted = set(categories)
        since = self.now - timedelta(days=days)
        return [i for i in self.incidents if i.category in wanted and i.occurred_at > since]

    def out_of_hours_within(self, days: int = RECENT_DAYS) -> list[IncidentRef]:
        since = self.now - timedelta(days=days)
        return [
            i
            for i in self.incidents
            if (i.outside_hours or i.category == "out_of_hours") and i.occurred_at > since
        ]

    @property
    def years_as_client(self) -> int:
        """Whole years from `client.since` to `today` (29 February counts as 28 in other years)."""
        since, today = self.client.since, self.today
        years = today.year - since.year
        if (today.month, today.day) < (since.month, since.day):
            years -= 1
        return max(0, years)


def links(records: Iterable[IncidentRef | InvoiceRef]) -> tuple[Link, ...]:
    return tuple(record.link() for record in list(records)[:MAX_LINKS])


__all__ = [
    "MAX_LINKS",
    "RECENT_DAYS",
    "WINDOW_DAYS",
    "ClientInfo",
    "DeliveryRef",
    "EvidenceInput",
    "FlagRef",
    "IncidentRef",
    "InvoiceRef",
    "Lateness",
    "Thresholds",
    "links",
]
