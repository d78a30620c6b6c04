"""Offboarding plans (owners only): choose, follow the PDF being built, download, act on it.

Every plan, assessment, invoice and partner is reached through the tenancy helpers,
so another business's id answers 404. The PDF is streamed from storage by
`plan_download` only: there is no public URL to the file.
"""

from __future__ import annotations

from smtplib import SMTPException

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import for_business, get_for_business_or_404, owner_required
from assessments.forms.plans import PlanForm, SendLetterForm
from assessments.language import client_language
from assessments.models import Assessment, Invoice, OffboardingPlan, ReferralPartner
from assessments.plan import Partner, PlanSituation, default_choices, money
from assessments.plan_facts import letter_fact
from assessments.plan_text import People, PlanText, build_text, resolve_choices
from assessments.queries.plans import decided
from assessments.services import letters
from assessments.services import plans as services

Status = OffboardingPlan.Status
REFRESH_SECONDS = 3


def _plan_form(
    request: HttpRequest, s: PlanSituation, assessment: Assessment, **kwargs
) -> PlanForm:
    form = PlanForm(
        request.POST or None,
        situation=s,
        invoices=for_business(Invoice, request).filter(client=assessment.client_id),
        partners=for_business(ReferralPartner, request),
        currency=request.business.currency,
        **kwargs,
    )
    # The fact is a sentence of the letter: written, spell-checked and read in its language.
    form.fields["reason_fact"].widget.attrs["lang"] = client_language(assessment.client)
    return form


def _people(request: HttpRequest, client) -> People:
    addressee = client.contacts.order_by("created", "id").values_list("name", flat=True).first()
    user = request.user
    return People(
        business=request.business.name,
        owner=user.name or user.email,
        client=client.name,
        addressee=addressee or client.name,
        currency=request.business.currency,
        client_since=client.client_since,
    )


def _preview(request: HttpRequest, form: PlanForm, s: PlanSituation, client) -> PlanText:
    partners = tuple(
        Partner(p.pk, p.name, p.speciality, p.contact)
        for p in form.cleaned_data.get("partners") or ()
    )
    choices = resolve_choices(s, form.cleaned_data, partners)
    # The letter as the client will read it: in the client's language, as in the PDF.
    with translation.override(client_language(client)):
        return build_text(s, choices, _people(request, client))


def _letter_facts(s: PlanSituation, client) -> list[tuple[str, str]]:
    with translation.override(client_language(client)):
        facts = [letter_fact(r.key, s) for r in s.reasons]
    return [(r.title, fact) for r, fact in zip(s.reasons, facts, strict=True)]


def _proposed(s: PlanSituation, client) -> dict:
    """The plan's defaults; the letter's fact sentence in the language of the letter."""
    with translation.override(client_language(client)):
        return default_choices(s)


def _wants_preview(request: HttpRequest) -> bool:
    return request.method == "POST" and "preview" in request.POST


def _form_page(request, form, s, assessment, plan=None, preview=None) -> HttpResponse:
    return render(
        request,
        "assessments/plans/form.html",
        {
            "form": form,
            "situation": s,
            "assessment": assessment,
            "client": assessment.client,
            "plan": plan,
            "owed": money(s.money_owed, request.business.currency),
            "preview": preview,
            "notice_warning": s.notice_warning(
                form.cleaned_data.get("notice_days"), form.cleaned_data.get("notice_kind")
            )
            if form.is_bound and hasattr(form, "cleaned_data")
            else "",
            # What the letter would say for each confirmed reason, to copy from: in the
            # language the letter is written in (the client's).
            "letter_facts": _letter_facts(s, assessment.client),
            "letter_language": client_language(assessment.client),
        },
        status=400 if form.is_bound and preview is None else 200,
    )


@owner_required
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_for_business_or_404(
        Assessment.objects.select_related("client", "business"),
        request,
        pk=pk,
        status=Assessment.Status.COMPLETE,
    )
    if assessment.verdict not in services.PLANNABLE_VERDICTS:
        messages.info(request, _("The verdict was Keep: there is nothing to offboard."))
        return redirect(assessment.client)
    existing = assessment.plans.order_by("-created").first()
    if existing is not None:
        messages.info(request, _("This review already has an offboarding plan."))
        return redirect(existing)
    s = services.load_situation(assessment)
    form = _plan_form(request, s, assessment, initial=_proposed(s, assessment.client))
    if _wants_preview(request) and form.is_valid():
        preview = _preview(request, form, s, assessment.client)
        return _form_page(request, form, s, assessment, preview=preview)
    if request.method == "POST" and form.is_valid():
        plan = services.create_plan(
            assessment=assessment,
            choices=form.cleaned_data,
            partners=form.cleaned_data.get("partners") or [],
            user=request.user,
        )
        messages.success(request, _("Plan saved. The PDF is being built."))
        return redirect(plan)
    return _form_page(request, form, s, assessment)


def _get_plan(request: HttpRequest, pk: int) -> OffboardingPlan:
    return get_for_business_or_404(
        OffboardingPlan.objects.select_related("client", "assessment", "goodwill_invoice"),
        request,
        pk=pk,
    )


@owner_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    if plan.exit_recorded_at:
        messages.error(request, _("The exit is recorded: this plan no longer changes."))
        return redirect(plan)
    s = services.load_situation(plan.assessment)
    initial = {name: getattr(plan, name) for name in services.CHOICE_FIELDS}
    initial["goodwill_invoice"] = plan.goodwill_invoice_id
    initial["partners"] = list(plan.partners.values_list("pk", flat=True))
    form = _plan_form(request, s, plan.assessment, initial=initial)
    if _wants_preview(request) and form.is_valid():
        preview = _preview(request, form, s, plan.client)
        return _form_page(request, form, s, plan.assessment, plan, preview=preview)
    if request.method == "POST" and form.is_valid():
        services.update_plan(
            plan, choices=form.cleaned_data, partners=form.cleaned_data.get("partners") or []
        )
        messages.success(request, _("Plan changed. The PDF is being built again."))
        return redirect(plan)
    return _form_page(request, form, s, plan.assessment, plan)


@owner_required
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = for_business(OffboardingPlan, request).select_related("client", "assessment")
    return render(request, "assessments/plans/list.html", {"plans": plans[:200]})


@owner_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    s = services.load_situation(plan.assessment, with_incidents=False)
    building = plan.status in (Status.PENDING, Status.PROCESSING)
    return render(
        request,
        "assessments/plans/detail.html",
        {
            "plan": plan,
            "client": plan.client,
            "assessment": plan.assessment,
            "situation": s,
            "reason": next((r for r in s.reasons if r.key == plan.reason_flag), None),
            "partners": plan.partners.order_by("name"),
            "building": building,
            "refresh_seconds": REFRESH_SECONDS if building else None,
            "goodwill_amount": money(plan.goodwill_amount, request.business.currency),
            "notice_warning": s.notice_warning(plan.notice_days, plan.notice_kind),
            "decided": decided(plan.assessment, request.business),
            "owed": money(s.money_owed, request.business.currency),
            "send_form": SendLetterForm(contacts=letters.sendable_contacts(plan))
            if plan.finalised_at and not plan.letter_sent_at and not plan.exit_recorded_at
            else None,
        },
    )


@owner_required
@require_POST
def plan_retry(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    if plan.status == Status.PROCESSING:
        messages.info(request, _("The PDF is being built right now."))
    else:
        services.request_rebuild(plan)
        messages.success(request, _("The PDF is being built again."))
    return redirect(plan)


@owner_required
def plan_download(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    if plan.status != Status.READY or not plan.file:
        raise Http404
    try:
        handle = plan.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    record_event(
        request.business,
        AuditEvent.Kind.PLAN_DOWNLOADED,
        request=request,
        detail=f"plan {plan.pk} for {plan.client.name}",
    )
    name = f"offboarding-plan-{slugify(plan.client.name, allow_unicode=True) or plan.pk}.pdf"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Content-Type"] = "application/pdf"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@owner_required
@require_POST
def plan_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    try:
        services.finalise_plan(plan)
    except services.PlanStateError as exc:
        messages.error(request, str(exc))
    else:
        record_event(
            request.business,
            AuditEvent.Kind.PLAN_FINALISED,
            request=request,
            detail=f"{plan.client.name} (plan {plan.pk})",
        )
        messages.success(
            request,
            _(
                "The plan is final and %(client)s is now offboarding. Record the exit once the "
                "relationship has ended."
            )
            % {"client": plan.client.name},
        )
    return redirect(plan)


@owner_required
@require_POST
def plan_exit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    try:
        services.record_exit(plan)
    except services.PlanStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Exit recorded: %(client)s is offboarded. Do not re-engage.")
            % {"client": plan.client.name},
        )
    return redirect(plan)


@owner_required
@require_POST
def plan_send(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request, pk)
    form = SendLetterForm(request.POST, contacts=letters.sendable_contacts(plan))
    if not form.is_valid():
        messages.error(request, _("Choose a contact of this client with an e-mail address."))
        return redirect(plan)
    contact = form.cleaned_data["contact"]
    try:
        letters.send_letter(plan, contact=contact, user=request.user)
    except services.PlanStateError as exc:
        messages.error(request, str(exc))
    except (SMTPException, OSError):
        messages.error(request, _("The mail server did not take the letter. Try again later."))
    else:
        messages.success(
            request, _("The letter was sent to %(name)s.") % {"name": f"{contact.name}"}
        )
    return redirect(plan)
