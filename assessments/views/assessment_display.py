"""How a verdict is shown: from a live preview, or from a completed review's snapshot.

Both give the template the same rows (flag, answer, note, facts), so the
verdict page and the completed page read alike. A snapshot is read defensively:
a flag or a rule that a later version no longer knows is skipped or shown as
the text kept at the time, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from assessments import evidence, scoring
from assessments.evidence import EvidenceInput, EvidenceReport, Fact, format_money
from assessments.models import Assessment, AssessmentAnswer
from assessments.redflags import BY_KEY, RedFlag
from assessments.services import assessment as services


@dataclass(frozen=True)
class ReasonRow:
    flag: RedFlag
    answer: str
    note: str
    deciding: bool
    proposed: bool
    facts: tuple[Fact, ...]
    # What the flag weighed ("" when unknown, in an older snapshot) and whether severity,
    # repetition or size moved it off its tier.
    weight: str = ""
    escalated: bool = False

    @property
    def weight_label(self) -> str:
        return (
            str(scoring.Weight(self.weight).label) if self.weight in scoring.Weight.values else ""
        )


def preview_context(
    assessment: Assessment,
    answers: Mapping[str, AssessmentAnswer],
    result: services.Preview,
    report: EvidenceReport,
    data: EvidenceInput,
) -> dict[str, Any]:
    decision = result.decision
    deciding = {flag.key for flag in decision.deciding}
    by_flag = report.by_flag

    def row(flag: RedFlag, answer: str) -> ReasonRow:
        proposal = by_flag.get(flag.key)
        weight = decision.weight_of(flag) if answer == "yes" else None
        return ReasonRow(
            flag=flag,
            answer=answer,
            note=answers[flag.key].note if flag.key in answers else "",
            deciding=flag.key in deciding,
            proposed=flag.key in answers and answers[flag.key].proposed,
            facts=proposal.facts if proposal else (),
            weight=weight.value if weight else "",
            escalated=bool(weight) and weight.value != flag.tier.value,
        )

    today = data.today
    return {
        "verdict": decision.verdict,
        "verdict_label": decision.verdict.label,
        "rule_text": decision.rule_text,
        "reasons": [row(flag, "yes") for flag in decision.confirmed],
        "unsure": [row(flag, "unsure") for flag in decision.unsure],
        "next_steps": [text for _key, text in result.next_steps],
        "caution_text": result.caution_text,
        "concentration": report.concentration,
        "act_not_before": today + timedelta(days=assessment.client.business.cooling_off_days),
        "default_review_on": today + timedelta(days=services.REVIEW_AFTER_DAYS),
        "cooling_off_days": assessment.client.business.cooling_off_days,
    }


def _step_text(step: Mapping[str, Any]) -> str:
    key = step.get("flag")
    if not step.get("custom"):
        if key == services.REVIEW_AGAIN_KEY:
            return str(scoring.REVIEW_AGAIN_STEP)
        if key == services.CONVERSATION_FIRST_KEY:
            return str(scoring.CONVERSATION_FIRST_STEP)
        if key in scoring.ESCALATION_STEPS:
            return str(scoring.ESCALATION_STEPS[key])
        if key in scoring.WATCH_NEXT_STEPS:
            return str(scoring.WATCH_NEXT_STEPS[key])
    return str(step.get("text", ""))


def _snapshot_rows(assessment: Assessment) -> list[ReasonRow]:
    rows = []
    for item in assessment.reasons or []:
        if not isinstance(item, Mapping) or item.get("flag") not in BY_KEY:
            continue
        rows.append(
            ReasonRow(
                flag=BY_KEY[item["flag"]],
                answer=str(item.get("answer", "")),
                note=str(item.get("note", "")),
                deciding=bool(item.get("deciding")),
                proposed=bool(item.get("proposed")),
                facts=tuple(
                    Fact.from_json(f) for f in item.get("facts") or [] if isinstance(f, Mapping)
                ),
                weight=str(item.get("weight") or ""),
                escalated=bool(item.get("escalated")),
            )
        )
    return rows


def snapshot_context(assessment: Assessment) -> dict[str, Any]:
    """A completed review as it was decided, from its JSON snapshot only."""
    rows = _snapshot_rows(assessment)
    saved = evidence.report_from_snapshot(assessment.evidence_snapshot or {})
    confirmed = {row.flag.key for row in rows}
    return {
        "verdict": assessment.verdict,
        "verdict_label": assessment.get_verdict_display(),
        "rule_text": assessment.rule_display,
        "reasons": [row for row in rows if row.answer == "yes"],
        "unsure": [row for row in rows if row.answer == "unsure"],
        "next_steps": [
            _step_text(step) for step in assessment.next_steps or [] if isinstance(step, Mapping)
        ],
        "caution_text": assessment.concentration_caution,
        "concentration": saved.concentration,
        # Evidence the owner answered "no" to: shown so the record of the decision is whole.
        "set_aside": [p for p in saved.proposed if p.flag_key not in confirmed],
        "figures": _figures_shown(assessment.figures_snapshot or {}),
    }


def _figures_shown(saved: Mapping[str, Any]) -> dict[str, Any]:
    """The money of a figures snapshot in the currency it was recorded in."""
    currency = str(saved.get("currency", ""))
    shown: dict[str, Any] = {"share_percent": saved.get("share_percent")}
    for name in ("revenue", "cost", "expenses", "profit"):
        try:
            shown[name] = format_money(Decimal(str(saved[name])), currency)
        except (KeyError, InvalidOperation):
            shown[name] = ""
    return shown


def completed_message(assessment: Assessment) -> str:
    if assessment.verdict == scoring.Verdict.FIRE:
        return _(
            "Review complete: Fire. Take the emotion out first: act no earlier than %(date)s."
        ) % {"date": date_format(assessment.act_not_before, "DATE_FORMAT")}
    if assessment.verdict == scoring.Verdict.WATCH:
        return _("Review complete: Watch. Look again on %(date)s.") % {
            "date": date_format(assessment.review_on, "DATE_FORMAT")
        }
    return _("Review complete: Keep.")
