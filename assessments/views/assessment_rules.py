"""How verdicts are decided (every member may read it) and the evidence thresholds
(owners change them for their business)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.tenancy import member_required, owner_required
from assessments import evidence, scoring
from assessments.evidence import Thresholds
from assessments.figures import definitions
from assessments.forms.assessment import THRESHOLD_HELP, ThresholdsForm
from assessments.models import EvidenceThresholds
from assessments.redflags import Tier, flags_in_tier
from assessments.services import assessment as services


def _shown(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        percent = (value * 100).quantize(Decimal(1))
        return f"{value} ({percent}%)"
    return str(value)


def _threshold_rows(row: EvidenceThresholds) -> list[dict]:
    current, default = Thresholds.from_model(row), Thresholds.defaults()
    return [
        {
            "label": EvidenceThresholds._meta.get_field(name).verbose_name,
            "value": _shown(getattr(current, name)),
            "default": _shown(getattr(default, name)),
            "changed": getattr(current, name) != getattr(default, name),
        }
        for name in THRESHOLD_HELP
    ]


@member_required
def rules_help(request: HttpRequest) -> HttpResponse:
    row = EvidenceThresholds.for_business(request.business)
    thresholds = Thresholds.from_model(row)
    tiers = [
        (
            tier,
            [
                {
                    "flag": flag,
                    "rule": evidence.describe(flag.evidence_rule, thresholds)
                    if flag.evidence_rule
                    else "",
                }
                for flag in flags_in_tier(tier)
            ],
        )
        for tier in Tier
    ]
    context = {
        "rules": scoring.RULES,
        "tiers": tiers,
        "threshold_rows": _threshold_rows(row),
        "caution_percent": int((thresholds.concentration_share * 100).to_integral_value()),
        "review_after_days": services.REVIEW_AFTER_DAYS,
        "definitions": definitions.DEFINITIONS,
        "major_cost_ratio": thresholds.major_cost_ratio,
        "major_overdue_percent": int((thresholds.major_overdue_share * 100).to_integral_value()),
    }
    return render(request, "assessments/assessment/rules_help.html", context)


@owner_required
def thresholds_edit(request: HttpRequest) -> HttpResponse:
    row = EvidenceThresholds.for_business(request.business)
    form = ThresholdsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in THRESHOLD_HELP}
        services.save_thresholds(request.business, values, request=request)
        messages.success(
            request,
            _(
                "Thresholds saved. Reviews in progress and new ones use them; completed "
                "reviews keep their own."
            ),
        )
        return redirect("assessments:thresholds")
    return render(
        request,
        "assessments/assessment/thresholds.html",
        {"form": form, "saved": row.pk is not None},
        status=400 if form.is_bound else 200,
    )
