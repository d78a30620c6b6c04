"""The review walk-through (owners only): evidence, checklist, weighing, verdict.

Each step is its own page. Buttons post the step's form and say where to go
next (back, on, or out to the client page), so answers are kept whichever way
the owner leaves, and "Resume review" brings them back to the step they left.
A completed review only ever shows its snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.tenancy import get_for_business_or_404, owner_required
from assessments import evidence
from assessments.evidence import EvidenceInput, EvidenceReport, format_money
from assessments.forms.assessment import (
    GO_BACK,
    GO_SAVE,
    ChecklistForm,
    VerdictForm,
    WeighingForm,
    go_choice,
)
from assessments.models import Assessment, Client
from assessments.redflags import Tier
from assessments.services import assessment as services
from assessments.views import assessment_display as display

Step = Assessment.Step
STEP_URLS = {
    Step.EVIDENCE: "assessments:assessment_evidence",
    Step.CHECKLIST: "assessments:assessment_checklist",
    Step.WEIGHING: "assessments:assessment_weighing",
    Step.VERDICT: "assessments:assessment_verdict",
}


def _closed(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    if request.method == "POST":
        messages.error(
            request,
            _("This review is complete and never changes. Start a new review to look again."),
        )
    return redirect("assessments:assessment_detail", assessment.pk)


def _draft_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Load the business's draft by pk; a completed one redirects to its verdict page,
    also when it was completed a moment ago in another tab (the services refuse)."""

    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        assessment = get_for_business_or_404(
            Assessment.objects.select_related("client__business__evidence_thresholds"),
            request,
            pk=pk,
        )
        if assessment.is_complete:
            return _closed(request, assessment)
        try:
            return view(request, assessment)
        except PermissionDenied:
            return _closed(request, assessment)

    return wrapper


def _step_url(assessment: Assessment, step: int) -> str:
    return reverse(STEP_URLS[Step(step)], args=[assessment.pk])


def _reachable(assessment: Assessment, answers: dict) -> dict[int, bool]:
    """Steps the owner may open: the weighing needs a saved checklist, the verdict
    also a likelihood of change."""
    return {
        Step.EVIDENCE: True,
        Step.CHECKLIST: True,
        Step.WEIGHING: bool(answers),
        Step.VERDICT: bool(answers)
        and bool(assessment.likelihood_of_change)
        and assessment.long_standing is not None,
    }


def _first_missing(assessment: Assessment, answers: dict, step: int) -> HttpResponse | None:
    reachable = _reachable(assessment, answers)
    if reachable[step]:
        return None
    target = Step.CHECKLIST if not answers else Step.WEIGHING
    return redirect(_step_url(assessment, target))


def _page(
    request: HttpRequest,
    template: str,
    assessment: Assessment,
    step: int,
    answers: dict,
    context: dict,
    status: int = 200,
) -> HttpResponse:
    reachable = _reachable(assessment, answers)
    steps = [
        {
            "number": int(number),
            "label": number.label,
            "url": _step_url(assessment, number) if reachable[number] else "",
            "current": number == step,
        }
        for number in Step
    ]
    context = {"assessment": assessment, "client": assessment.client, "steps": steps, **context}
    return render(request, template, context, status=status)


def _navigate(
    request: HttpRequest, assessment: Assessment, *, here: int, back: int, forward: int
) -> HttpResponse:
    go = go_choice(request.POST)
    if go == GO_SAVE:
        services.go_to_step(assessment, here)
        messages.success(
            request,
            _("Your review is saved as a draft. Resume it from the client page when ready."),
        )
        return redirect(assessment.client)
    target = back if go == GO_BACK else forward
    services.go_to_step(assessment, target)
    return redirect(_step_url(assessment, target))


def _evidence(assessment: Assessment) -> tuple[EvidenceInput, EvidenceReport]:
    data = evidence.gather(assessment.client)
    return data, evidence.build_report(data)


@owner_required
@require_POST
def assessment_start(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client.objects.select_related("business"), request, pk=pk)
    assessment, created = services.start_assessment(client, user=request.user)
    if created:
        messages.success(request, _("Review started. First, the evidence the record shows."))
    else:
        messages.info(request, _("You have a review of this client in progress: here it is."))
    return redirect(_step_url(assessment, assessment.step))


@owner_required
@_draft_view
def assessment_evidence(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    if request.method == "POST":
        return _navigate(
            request, assessment, here=Step.EVIDENCE, back=Step.EVIDENCE, forward=Step.CHECKLIST
        )
    data, report = _evidence(assessment)
    answers = services.answers_of(assessment)
    return _page(
        request,
        "assessments/assessment/evidence.html",
        assessment,
        Step.EVIDENCE,
        answers,
        {"report": report, "data": data},
    )


@owner_required
@_draft_view
def assessment_checklist(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    data, report = _evidence(assessment)
    proposed = evidence.proposed_keys(report.proposals)
    answers = services.answers_of(assessment)
    form = ChecklistForm(
        request.POST if request.method == "POST" else None,
        saved=answers,
        proposed=proposed,
        asked=evidence.asked_keys(report.proposals),
    )
    if request.method == "POST" and form.is_valid():
        services.save_answers(assessment, form.answers(), proposed=proposed)
        return _navigate(
            request, assessment, here=Step.CHECKLIST, back=Step.EVIDENCE, forward=Step.WEIGHING
        )
    tiers = [(tier, form.rows(tier, report.by_flag)) for tier in Tier]
    return _page(
        request,
        "assessments/assessment/checklist.html",
        assessment,
        Step.CHECKLIST,
        answers,
        {"form": form, "tiers": tiers, "proposed": proposed},
        status=400 if form.is_bound else 200,
    )


def _cost_of_ending(data: EvidenceInput) -> dict:
    """What ending it would cost, in words and money (article 002's arithmetic)."""
    summary, currency = data.figures.summary, data.currency
    return {
        "share_percent": data.figures.share_percent,
        "revenue": format_money(summary.revenue, currency),
        "total": format_money(data.figures.business_revenue, currency),
        "cost": format_money(summary.cost, currency),
        "profit": format_money(abs(summary.profit), currency),
        "loses_money": summary.profit < 0,
        "has_revenue": summary.revenue > 0,
        "caution": evidence.caution_applies(data),
    }


@owner_required
@_draft_view
def assessment_weighing(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    answers = services.answers_of(assessment)
    missing = _first_missing(assessment, answers, Step.WEIGHING)
    if missing is not None:
        return missing
    form = WeighingForm(request.POST if request.method == "POST" else None, instance=assessment)
    if request.method == "POST" and form.is_valid():
        going_on = go_choice(request.POST) not in (GO_BACK, GO_SAVE)
        if not going_on or form.require_likelihood():
            services.save_weighing(
                assessment,
                likelihood=form.cleaned_data["likelihood_of_change"],
                long_standing=form.cleaned_data["long_standing"],
                note=form.cleaned_data["weighing_note"],
            )
            return _navigate(
                request, assessment, here=Step.WEIGHING, back=Step.CHECKLIST, forward=Step.VERDICT
            )
    data = evidence.gather(assessment.client)
    return _page(
        request,
        "assessments/assessment/weighing.html",
        assessment,
        Step.WEIGHING,
        answers,
        {"form": form, "cost": _cost_of_ending(data)},
        status=400 if form.is_bound else 200,
    )


def _verdict_page(
    request: HttpRequest, assessment: Assessment, answers: dict, form: VerdictForm
) -> HttpResponse:
    data, report = _evidence(assessment)
    result = services.preview(assessment, answers, data, report)
    return _page(
        request,
        "assessments/assessment/verdict.html",
        assessment,
        Step.VERDICT,
        answers,
        {
            "form": form,
            "preview": result,
            **display.preview_context(assessment, answers, result, report, data),
        },
        status=400 if form.is_bound else 200,
    )


@owner_required
@_draft_view
def assessment_verdict(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    answers = services.answers_of(assessment)
    missing = _first_missing(assessment, answers, Step.VERDICT)
    if missing is not None:
        return missing
    today = services.business_today(assessment.client)
    if request.method == "POST":
        form = VerdictForm(request.POST, today=today)
        if form.is_valid():
            services.save_verdict_draft(
                assessment,
                review_on=form.cleaned_data["review_on"],
                extra_steps=form.cleaned_data["extra_steps"],
            )
            return _navigate(
                request, assessment, here=Step.VERDICT, back=Step.WEIGHING, forward=Step.VERDICT
            )
    else:
        initial = {
            "review_on": assessment.review_on,
            "extra_steps": "\n".join(services.custom_steps(assessment)),
        }
        form = VerdictForm(initial=initial, today=today)
    return _verdict_page(request, assessment, answers, form)


@owner_required
@require_POST
@_draft_view
def assessment_complete(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    answers = services.answers_of(assessment)
    missing = _first_missing(assessment, answers, Step.VERDICT)
    if missing is not None:
        messages.error(request, _("Finish the earlier steps first."))
        return missing
    form = VerdictForm(request.POST, today=services.business_today(assessment.client))
    if not form.is_valid():
        return _verdict_page(request, assessment, answers, form)
    try:
        done = services.complete_assessment(
            assessment,
            review_on=form.cleaned_data["review_on"],
            extra_steps=form.cleaned_data["extra_steps"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_step_url(assessment, assessment.step))
    messages.success(request, display.completed_message(done))
    return redirect("assessments:assessment_detail", done.pk)


@owner_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_for_business_or_404(
        Assessment.objects.select_related("client__business", "created_by"), request, pk=pk
    )
    if not assessment.is_complete:
        return redirect(_step_url(assessment, assessment.step))
    context = {"assessment": assessment, "client": assessment.client}
    context.update(display.snapshot_context(assessment))
    return render(request, "assessments/assessment/detail.html", context)
