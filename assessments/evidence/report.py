"""The evidence for one client as a whole: proposals, the revenue-share fact, JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.evidence.facts import Fact, Link, money_param
from assessments.evidence.inputs import EvidenceInput
from assessments.evidence.rules import Proposal, propose


def concentration(data: EvidenceInput) -> Fact | None:
    """ "This client is 42% of your revenue": not a flag, it supports the caution."""
    figures = data.figures
    if figures.share is None or not figures.summary.revenue:
        return None
    return Fact(
        "money.share",
        {
            "percent": figures.share_percent,
            "revenue_money": money_param(figures.summary.revenue),
            "total_money": money_param(figures.business_revenue),
            "currency": data.currency,
        },
        (Link("client", data.client.id),),
    )


def caution_applies(data: EvidenceInput) -> bool:
    """At or above the business's concentration share (default 30%, article 002)."""
    share = data.figures.share
    return share is not None and share >= data.thresholds.concentration_share


@dataclass(frozen=True)
class EvidenceReport:
    proposals: tuple[Proposal, ...]
    concentration: Fact | None
    caution: bool

    @property
    def by_flag(self) -> dict[str, Proposal]:
        return {p.flag_key: p for p in self.proposals}

    @property
    def proposed(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if p.meets_threshold)

    @property
    def context(self) -> tuple[Proposal, ...]:
        return tuple(p for p in self.proposals if not p.meets_threshold and not p.asks)

    @property
    def asked(self) -> tuple[Proposal, ...]:
        """Flags the record cannot settle because something is not recorded."""
        return tuple(p for p in self.proposals if p.asks and not p.meets_threshold)


def build_report(data: EvidenceInput) -> EvidenceReport:
    return EvidenceReport(
        proposals=tuple(propose(data)),
        concentration=concentration(data),
        caution=caution_applies(data),
    )


def snapshot(data: EvidenceInput, report: EvidenceReport) -> dict[str, Any]:
    """The evidence as plain JSON (Decimals as strings, dates ISO) for a completed review."""
    return {
        "gathered_on": data.today.isoformat(),
        "currency": data.currency,
        "thresholds": data.thresholds.to_json(),
        "proposals": [p.to_json() for p in report.proposals],
        "concentration": report.concentration.to_json() if report.concentration else None,
        "caution": report.caution,
    }


def report_from_snapshot(saved: Mapping[str, Any]) -> EvidenceReport:
    """Read a snapshot back; unknown or damaged entries are skipped, never fatal."""
    proposals = []
    for item in saved.get("proposals") or []:
        try:
            proposal = Proposal.from_json(item)
            proposal.flag  # noqa: B018 - raises KeyError for a flag no longer in the catalogue
        except (KeyError, TypeError, ValueError):
            continue
        proposals.append(proposal)
    found = saved.get("concentration")
    return EvidenceReport(
        proposals=tuple(proposals),
        concentration=Fact.from_json(found) if isinstance(found, Mapping) else None,
        caution=bool(saved.get("caution")),
    )
