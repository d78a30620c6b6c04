"""Exports of one client's incident log (owners only): ask for one, follow it, download it.

Every export and client is reached through the tenancy helpers, so another business's id
answers 404; staff get 403. The files are streamed from storage by `log_export_download`
only, never from a public URL, and each download is in the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import get_for_business_or_404, owner_required
from assessments.models import Client, LogExport
from assessments.services import log_exports as services

REFRESH_SECONDS = 3
FORMATS = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@owner_required
@require_POST
def log_export_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_for_business_or_404(Client.objects.select_related("business"), request, pk=pk)
    export, created = services.request_log_export(client, user=request.user)
    if created:
        messages.success(request, _("The export of the log is being prepared."))
    else:
        messages.info(request, _("An export of this log is already being prepared."))
    return redirect(export)


def _get_export(request: HttpRequest, pk: int) -> LogExport:
    return get_for_business_or_404(
        LogExport.objects.select_related("client", "requested_by"), request, pk=pk
    )


@owner_required
def log_export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    export = _get_export(request, pk)
    pending = export.status == LogExport.Status.PENDING
    return render(
        request,
        "assessments/log_exports/detail.html",
        {
            "export": export,
            "client": export.client,
            "refresh_seconds": REFRESH_SECONDS if pending else None,
            "earlier": services.earlier_exports(export),
        },
    )


@owner_required
def log_export_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    export = _get_export(request, pk)
    if fmt not in FORMATS or not export.is_ready:
        raise Http404
    stored = export.pdf if fmt == "pdf" else export.csv
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    record_event(
        request.business,
        AuditEvent.Kind.EXPORT,
        request=request,
        detail=f"incident log of {export.client.name} ({fmt.upper()}, export {export.pk})",
    )
    stem = slugify(export.client.name, allow_unicode=True) or str(export.client_id)
    stamp = export.requested_at.strftime("%Y-%m-%d")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"incident-log-{stem}-{stamp}.{fmt}",
        content_type=FORMATS[fmt],
    )
    response["X-Content-Type-Options"] = "nosniff"
    # The log is evidence about a person: no shared cache or back-button copy.
    response["Cache-Control"] = "private, no-store"
    return response
