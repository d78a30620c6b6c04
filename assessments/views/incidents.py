"""The incident log: list, log (with files), read with full history, amend, evidence.

There is deliberately no view that deletes an incident or a file of evidence:
a correction is an amendment with a reason, and every version stays readable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import AuditEvent
from accounts.services import record_event
from accounts.tenancy import for_business, get_for_business_or_404, member_required
from assessments.forms.incident_filters import IncidentFilterForm
from assessments.forms.incidents import (
    AmendIncidentForm,
    EvidenceForm,
    FindClientForm,
    IncidentForm,
    clients_on_offer,
)
from assessments.incident_text import LONG_FIELDS, VERSION_FIELDS, Names, record_names
from assessments.incident_text import display_value as _display
from assessments.models import Client, Contact, Evidence, Incident, IncidentVersion
from assessments.queries.clients import find_clients
from assessments.services import submissions as once
from assessments.services.evidence import attach_evidence, record_incident_with_evidence
from assessments.services.flags import open_flags_for_client
from assessments.services.incidents import amend_incident
from clientreview.lib.forms import parse_id
from clientreview.lib.paging import log_page

PAGE_SIZE = 25
SEARCH_RESULTS = 20


def _client_from_query(request: HttpRequest) -> Client | None:
    pk = parse_id(request.GET.get("client"))
    if pk is None:
        return None
    return for_business(Client, request).filter(pk=pk).first()


def _contact_from_query(request: HttpRequest, client: Client | None) -> Contact | None:
    pk = parse_id(request.GET.get("contact"))
    if pk is None:
        return None
    contact = for_business(Contact, request).select_related("client").filter(pk=pk).first()
    if contact is None or (client is not None and contact.client_id != client.pk):
        return None
    return contact


def _evidence_count() -> Coalesce:
    """The number of files of each incident, as a subquery."""
    files = (
        Evidence.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(files), 0)


@member_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET, business=request.business)
    incidents = for_business(Incident, request)
    client = delivery = None
    if form.is_valid():
        # Bad filters (a stale bookmark, another business's id) show their errors above
        # the whole list: the page still answers 200, as a link that lists.
        incidents = form.apply(incidents)
        client = form.cleaned_data.get("client")
        delivery = form.cleaned_data.get("delivery")
    listed = (
        incidents.select_related("client", "contact", "recorded_by")
        # Counted for the page's rows only: a join and GROUP BY would count every file
        # of every incident before the newest 25 are picked (1.5 s at 200,000 incidents).
        .annotate(evidence_count=_evidence_count())
        .order_by("-occurred_at", "-id")
    )
    page = log_page(listed, PAGE_SIZE, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "assessments/incidents/list.html",
        {
            "page": page,
            "client": client,
            "delivery": delivery,
            "form": form,
            "query": query.urlencode(),
        },
    )


@member_required
def incident_create(request: HttpRequest) -> HttpResponse:
    """Log an incident. In a business with many clients, the client is found first."""
    client = _client_from_query(request)
    contact = _contact_from_query(request, client)
    if contact is not None:
        client = contact.client
    initial: dict[str, Any] = {"client": client} if client is not None else {}
    if contact is not None:
        initial["contact"] = contact
    if request.method == "POST":
        form = IncidentForm(
            request.POST,
            request.FILES,
            business=request.business,
            initial=initial,
            client=client,
            offers_invoices=request.membership.is_owner,
        )
        token = once.token_from(request.POST)
        if (earlier := once.earlier_path(request.business, token)) is not None:
            return _already_saved(request, earlier)
        if form.is_valid():
            incident, path = once.submit_once(
                request.business,
                token,
                lambda: record_incident_with_evidence(
                    business=request.business,
                    client=form.cleaned_data["client"],
                    author=request.user,
                    uploads=form.cleaned_data["files"],
                    **form.incident_fields(),
                ),
                lambda incident: incident.get_absolute_url(),
            )
            if incident is None:
                return _already_saved(request, path)
            messages.success(
                request,
                _("Incident #%(number)d recorded for %(client)s.")
                % {"number": incident.number, "client": incident.client.name},
            )
            return redirect(incident)
    else:
        if client is None:
            lists_all, recent = clients_on_offer(request.business)
            if not lists_all:
                return _find_client(request, recent)
        form = IncidentForm(
            business=request.business,
            initial=initial,
            client=client,
            offers_invoices=request.membership.is_owner,
        )
    return render(
        request,
        "assessments/incidents/form.html",
        {
            "form": form,
            "client": client,
            "contact": contact,
            "form_token": once.token_for_page(request.POST),
        },
        status=400 if request.method == "POST" else 200,
    )


def _already_saved(request: HttpRequest, path: str) -> HttpResponse:
    """A second submission of one form: show what the first one saved, save nothing."""
    messages.info(request, _("This form was already saved; here is what it saved."))
    return redirect(path or "assessments:incident_list")


def _find_client(request: HttpRequest, recent: list[tuple[int, str]]) -> HttpResponse:
    """The first step in a business with many clients: search, or pick a recent client."""
    search_form = FindClientForm(request.GET)
    search = search_form.search()
    # Fetched once: slicing the queryset for the page and counting it would search twice.
    matches = list(find_clients(request.business, search, SEARCH_RESULTS + 1)) if search else []
    return render(
        request,
        "assessments/incidents/find_client.html",
        {
            "search_form": search_form,
            "search": search,
            "matches": matches[:SEARCH_RESULTS],
            "more_matches": len(matches) > SEARCH_RESULTS,
            "recent": recent,
        },
    )


def version_history(versions: list[IncidentVersion], names: Names) -> list[dict]:
    """Each version with its full content and what changed since the one before."""
    rows: list[dict] = []
    previous: dict | None = None
    for version in versions:
        content = version.content if isinstance(version.content, dict) else {}
        fields = [
            {
                "name": name,
                "label": label,
                "value": _display(name, content.get(name), names),
                "long": name in LONG_FIELDS,
            }
            for name, label in VERSION_FIELDS
        ]
        changes = []
        if previous is not None:
            changes = [
                {
                    "label": label,
                    "before": _display(name, previous.get(name), names),
                    "after": _display(name, content.get(name), names),
                    "long": name in LONG_FIELDS,
                }
                for name, label in VERSION_FIELDS
                if previous.get(name) != content.get(name)
            ]
        rows.append({"version": version, "fields": fields, "changes": changes})
        previous = content
    return rows


def _detail_context(request: HttpRequest, incident: Incident, **extra: Any) -> dict[str, Any]:
    versions = list(
        IncidentVersion.objects.filter(business=request.business, incident=incident)
        .select_related("author")
        .order_by("version")
    )
    names = record_names(request.business, (v.content for v in versions))
    evidence = (
        Evidence.objects.filter(business=request.business, incident=incident)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )
    return {
        "incident": incident,
        "history": version_history(versions, names),
        "evidence": evidence,
        "flags": open_flags_for_client(incident.client),
        "evidence_form": extra.pop("evidence_form", None) or EvidenceForm(),
        **extra,
    }


def _get_incident(request: HttpRequest, pk: int) -> Incident:
    return get_for_business_or_404(
        Incident.objects.select_related(
            "client", "contact", "recorded_by", "business", "delivery", "invoice"
        ),
        request,
        pk=pk,
    )


@member_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _get_incident(request, pk)
    return render(request, "assessments/incidents/detail.html", _detail_context(request, incident))


@member_required
def incident_amend(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _get_incident(request, pk)
    if request.method == "POST":
        form = AmendIncidentForm(
            request.POST, incident=incident, offers_invoices=request.membership.is_owner
        )
        if form.is_valid():
            amended = amend_incident(
                incident,
                author=request.user,
                reason=form.cleaned_data["reason"],
                **form.changes(),
            )
            messages.success(
                request,
                _("Incident #%(number)d amended: version %(version)d saved, earlier ones kept.")
                % {"number": amended.number, "version": amended.version_count},
            )
            return redirect(amended)
    else:
        form = AmendIncidentForm(incident=incident, offers_invoices=request.membership.is_owner)
    return render(
        request,
        "assessments/incidents/amend.html",
        {"incident": incident, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@member_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _get_incident(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        stored = attach_evidence(
            incident,
            form.cleaned_data["files"],
            uploaded_by=request.user,
            description=form.cleaned_data["description"],
        )
        messages.success(
            request,
            _("%(count)d file(s) added to incident #%(number)d.")
            % {"count": len(stored), "number": incident.number},
        )
        return redirect(incident)
    return render(
        request,
        "assessments/incidents/detail.html",
        _detail_context(request, incident, evidence_form=form),
        status=400,
    )


@member_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = get_for_business_or_404(Evidence.objects.select_related("incident"), request, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    record_event(
        request.business,
        AuditEvent.Kind.EVIDENCE_DOWNLOADED,
        request=request,
        detail=(
            f"incident #{evidence.incident.number}: {evidence.original_name} "
            f"(sha256 {evidence.sha256[:12]})"
        ),
    )
    content_type = evidence.content_type
    if content_type == "text/plain":
        content_type += "; charset=utf-8"  # only UTF-8 text is accepted
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Evidence is private: no shared cache or back-button copy.
    response["Cache-Control"] = "private, no-store"
    return response


# The preview is an image drawn inside the incident page; opened on its own, it may run
# nothing and load nothing.
PREVIEW_CSP = "default-src 'none'; img-src 'self'; sandbox"


@member_required
def evidence_preview(request: HttpRequest, pk: int) -> FileResponse:
    """An image of evidence as stored, or a PDF's first page as PNG, shown inline.

    Same checks as the download; 404 for a file with no preview (text, e-mail, a PDF
    that could not be rendered or is not rendered yet). Not audited: the incident page
    shows it on every visit; the download of the file itself is.
    """
    evidence = get_for_business_or_404(Evidence.objects.all(), request, pk=pk)
    if not evidence.has_preview:
        raise Http404(_("This file has no preview."))
    field, content_type = (
        (evidence.file, evidence.content_type)
        if evidence.is_image
        else (evidence.preview, "image/png")
    )
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is missing from storage.")) from exc
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PREVIEW_CSP
    return response
