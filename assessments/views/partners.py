"""The owner's small directory of referral partners, offered as alternatives in plans."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.tenancy import for_business, get_for_business_or_404, owner_required
from assessments.forms.plans import PartnerForm
from assessments.models import ReferralPartner


@owner_required
def partner_list(request: HttpRequest) -> HttpResponse:
    partners = for_business(ReferralPartner, request).annotate(plans=Count("offboardingplan"))
    return render(request, "assessments/partners/list.html", {"partners": partners})


@owner_required
def partner_create(request: HttpRequest) -> HttpResponse:
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.business = request.business
        partner = form.save()
        messages.success(request, _("%(name)s is in your referral partners.") % {"name": partner})
        return redirect("assessments:partner_list")
    return render(
        request,
        "assessments/partners/form.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


@owner_required
def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_for_business_or_404(ReferralPartner, request, pk=pk)
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved %(name)s.") % {"name": partner})
        return redirect("assessments:partner_list")
    return render(
        request,
        "assessments/partners/form.html",
        {"form": form, "partner": partner},
        status=400 if form.is_bound else 200,
    )


@owner_required
@require_POST
def partner_delete(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_for_business_or_404(ReferralPartner, request, pk=pk)
    # A plan names its partners in the letter: keep every partner a plan refers to.
    if partner.offboardingplan_set.exists():
        messages.error(
            request,
            _("%(name)s is named in an offboarding plan, so it stays in the list.")
            % {"name": partner},
        )
    else:
        name = str(partner)
        partner.delete()
        messages.success(request, _("Removed %(name)s.") % {"name": name})
    return redirect("assessments:partner_list")
