"""Clients that need a look (owners only): the early warnings not yet answered by a review,
and how often this owner wants them e-mailed."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.tenancy import owner_required
from assessments.forms.warnings import DigestForm
from assessments.services import warnings as warning_services


@owner_required
@require_http_methods(["GET", "HEAD", "POST"])
def warning_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = DigestForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved: how often we e-mail you clients that need a look."))
        return redirect("assessments:warning_list")
    lines = warning_services.lines(warning_services.open_warnings(request.business))
    return render(
        request,
        "assessments/warnings/list.html",
        {"lines": lines, "form": form},
        status=400 if form.is_bound else 200,
    )
