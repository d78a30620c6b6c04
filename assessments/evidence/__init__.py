"""The evidence rules: facts the record shows, proposed as red flags.

- `inputs`: the plain data the rules read (`EvidenceInput`, `Thresholds`);
- `rules`: the pure rules, one per catalogue `evidence_rule` key, and `propose`;
- `facts`: facts and links, rendered in the reader's language, kept as JSON;
- `gather`: the database loader, a fixed number of queries;
- `report`: the whole of one client's evidence and its JSON snapshot;
- `descriptions`: the rules in plain words for the help page.
"""

from assessments.evidence.descriptions import describe
from assessments.evidence.facts import Fact, Link, format_money
from assessments.evidence.gather import gather, gather_many
from assessments.evidence.inputs import EvidenceInput, Thresholds
from assessments.evidence.report import (
    EvidenceReport,
    build_report,
    caution_applies,
    concentration,
    report_from_snapshot,
    snapshot,
)
from assessments.evidence.rules import RULES, Proposal, asked_keys, propose, proposed_keys

__all__ = [
    "RULES",
    "EvidenceInput",
    "EvidenceReport",
    "Fact",
    "Link",
    "Proposal",
    "Thresholds",
    "asked_keys",
    "build_report",
    "caution_applies",
    "concentration",
    "describe",
    "format_money",
    "gather",
    "gather_many",
    "propose",
    "proposed_keys",
    "report_from_snapshot",
    "snapshot",
]
