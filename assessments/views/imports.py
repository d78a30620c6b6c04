"""Import clients and invoices from CSV or Excel (owners only): upload, preview, confirm.

Nothing is written until every row is valid. Between preview and confirm the
raw rows travel in a signed hidden field (no server-side state to clean up); the
confirm step checks them again against the database before importing.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import owner_required
from assessments.forms import imports as csv_import
from assessments.services.imports import ImportConflict, import_invoices

TEMPLATE = "assessments/imports/upload.html"


@owner_required
def import_upload(request: HttpRequest) -> HttpResponse:
    form = csv_import.UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": form})
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    try:
        read = csv_import.read_upload(
            upload.read(csv_import.MAX_BYTES + 1),
            name=upload.name,
            encoding=form.cleaned_data["encoding"],
        )
    except csv_import.ImportFileError as exc:
        form.add_error("file", str(exc))
        return render(request, TEMPLATE, {"form": form}, status=400)
    return _preview(request, read, file_name=upload.name)


def _preview(
    request: HttpRequest,
    read: csv_import.Upload,
    *,
    file_name: str = "",
    status: int | None = None,
) -> HttpResponse:
    checked = csv_import.check_rows(request.business, read.rows, detected=read.detected)
    context = {
        "checked": checked,
        "file_name": file_name,
        "token": (
            csv_import.sign_rows(request.business, read.rows, read.detected) if checked.ok else ""
        ),
        "form": csv_import.UploadForm(),
        "accept": csv_import.ACCEPT,
    }
    return render(
        request,
        "assessments/imports/preview.html",
        context,
        status=status or (200 if checked.ok else 400),
    )


@owner_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        read = csv_import.unsign_rows(request.business, request.POST.get("rows", ""))
    except csv_import.ImportFileError as exc:
        messages.error(request, str(exc))
        return redirect("assessments:import_upload")
    checked = csv_import.check_rows(request.business, read.rows, detected=read.detected)
    if not checked.ok:
        messages.error(request, _("The data changed since the preview: nothing was imported."))
        return _preview(request, read)
    try:
        result = import_invoices(request.business, checked)
    except ImportConflict:
        messages.error(
            request, _("Another change used one of these invoice numbers: nothing was imported.")
        )
        return _preview(request, read, status=409)
    record_event(
        request.business,
        AuditEvent.Kind.IMPORTED,
        request=request,
        detail=(
            f"{result.invoices} invoices for {result.clients} clients ({result.new_clients} new)"
        ),
    )
    messages.success(
        request,
        ngettext(
            "Imported %(invoices)d invoice for %(clients)d clients (%(new)d of them new).",
            "Imported %(invoices)d invoices for %(clients)d clients (%(new)d of them new).",
            result.invoices,
        )
        % {"invoices": result.invoices, "clients": result.clients, "new": result.new_clients},
    )
    if result.expenses:
        messages.success(
            request,
            ngettext("Imported %(count)d expense.", "Imported %(count)d expenses.", result.expenses)
            % {"count": result.expenses},
        )
    return redirect("assessments:client_list")
