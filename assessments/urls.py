from django.urls import path

from assessments.views import assessment as assessment_views
from assessments.views import assessment_rules as rules_views
from assessments.views import clients as client_views
from assessments.views import flags as flag_views
from assessments.views import imports as import_views
from assessments.views import incidents as incident_views
from assessments.views import log_exports as log_export_views
from assessments.views import money as money_views
from assessments.views import partners as partner_views
from assessments.views import plans as plan_views
from assessments.views import portfolio as portfolio_views
from assessments.views import reminders as reminder_views
from assessments.views import warnings as warning_views

app_name = "assessments"

urlpatterns: list = []

# Incident log, evidence and abuse flags (no delete anywhere: the record is append-only).
urlpatterns += [
    path("incidents/", incident_views.incident_list, name="incident_list"),
    path("incidents/new/", incident_views.incident_create, name="incident_create"),
    path("incidents/<int:pk>/", incident_views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/amend/", incident_views.incident_amend, name="incident_amend"),
    path("incidents/<int:pk>/evidence/", incident_views.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", incident_views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/preview/", incident_views.evidence_preview, name="evidence_preview"),
    path("contacts/<int:pk>/flag/", flag_views.flag_contact_view, name="flag_contact"),
    path("flags/", flag_views.flag_list, name="flag_list"),
    path("flags/<int:pk>/clear/", flag_views.flag_clear, name="flag_clear"),
]

# Evidence-grade exports of one client's log (owners only; the files only through download).
urlpatterns += [
    path(
        "clients/<int:pk>/log-exports/new/",
        log_export_views.log_export_create,
        name="log_export_create",
    ),
    path("log-exports/<int:pk>/", log_export_views.log_export_detail, name="log_export_detail"),
    path(
        "log-exports/<int:pk>/log.pdf",
        log_export_views.log_export_download,
        {"fmt": "pdf"},
        name="log_export_pdf",
    ),
    path(
        "log-exports/<int:pk>/log.csv",
        log_export_views.log_export_download,
        {"fmt": "csv"},
        name="log_export_csv",
    ),
]

# Clients, contacts, invoices, time and the CSV import (no delete: a client carries the record).
urlpatterns += [
    path("clients/", client_views.client_list, name="client_list"),
    path("clients/new/", client_views.client_create, name="client_create"),
    path("clients/<int:pk>/", client_views.client_detail, name="client_detail"),
    path("clients/<int:pk>/edit/", client_views.client_edit, name="client_edit"),
    path("clients/<int:pk>/contacts/new/", client_views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", client_views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", client_views.contact_edit, name="contact_edit"),
    path("clients/<int:pk>/invoices/new/", money_views.invoice_create, name="invoice_create"),
    path("invoices/<int:pk>/edit/", money_views.invoice_edit, name="invoice_edit"),
    path("invoices/<int:pk>/paid/", money_views.invoice_mark_paid, name="invoice_mark_paid"),
    path("clients/<int:pk>/time/new/", money_views.time_create, name="time_create"),
    path("time/<int:pk>/edit/", money_views.time_edit, name="time_edit"),
    path("clients/<int:pk>/deliveries/", money_views.delivery_list, name="delivery_list"),
    path("clients/<int:pk>/deliveries/new/", money_views.delivery_create, name="delivery_create"),
    path("deliveries/<int:pk>/edit/", money_views.delivery_edit, name="delivery_edit"),
    path("clients/<int:pk>/expenses/", money_views.expense_list, name="expense_list"),
    path("clients/<int:pk>/expenses/new/", money_views.expense_create, name="expense_create"),
    path("expenses/<int:pk>/edit/", money_views.expense_edit, name="expense_edit"),
    path("import/", import_views.import_upload, name="import_upload"),
    path("import/confirm/", import_views.import_confirm, name="import_confirm"),
]

# Offboarding plans and referral partners (owners only; the PDF only through plan_download).
urlpatterns += [
    path("partners/", partner_views.partner_list, name="partner_list"),
    path("partners/new/", partner_views.partner_create, name="partner_create"),
    path("partners/<int:pk>/edit/", partner_views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/delete/", partner_views.partner_delete, name="partner_delete"),
    path("reviews/<int:pk>/plan/", plan_views.plan_create, name="plan_create"),
    path("plans/", plan_views.plan_list, name="plan_list"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/retry/", plan_views.plan_retry, name="plan_retry"),
    path("plans/<int:pk>/download/", plan_views.plan_download, name="plan_download"),
    path("plans/<int:pk>/finalise/", plan_views.plan_finalise, name="plan_finalise"),
    path("plans/<int:pk>/exit/", plan_views.plan_exit, name="plan_exit"),
    path("plans/<int:pk>/send/", plan_views.plan_send, name="plan_send"),
]

# Reviews: the red-flag walk-through (owners), the verdict rules and the evidence thresholds.
urlpatterns += [
    path(
        "clients/<int:pk>/review/",
        assessment_views.assessment_start,
        name="assessment_start",
    ),
    path("reviews/<int:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path(
        "reviews/<int:pk>/evidence/",
        assessment_views.assessment_evidence,
        name="assessment_evidence",
    ),
    path(
        "reviews/<int:pk>/checklist/",
        assessment_views.assessment_checklist,
        name="assessment_checklist",
    ),
    path(
        "reviews/<int:pk>/weighing/",
        assessment_views.assessment_weighing,
        name="assessment_weighing",
    ),
    path(
        "reviews/<int:pk>/verdict/",
        assessment_views.assessment_verdict,
        name="assessment_verdict",
    ),
    path(
        "reviews/<int:pk>/complete/",
        assessment_views.assessment_complete,
        name="assessment_complete",
    ),
    path("reviews/thresholds/", rules_views.thresholds_edit, name="thresholds"),
    path("help/verdicts/", rules_views.rules_help, name="rules_help"),
]

# The owner's portfolio (the page itself is the owner's home, "/"): its CSV export.
urlpatterns += [
    path("portfolio/export.csv", portfolio_views.portfolio_csv, name="portfolio_csv"),
]

# Between reviews: reminders of dates that fell due, as a list, .ics files and a feed.
urlpatterns += [
    path("reminders/", reminder_views.reminder_list, name="reminder_list"),
    # Early warning: clients the rules newly point to Watch or Fire.
    path("clients/need-a-look/", warning_views.warning_list, name="warning_list"),
    path("reminders/<int:pk>/event.ics", reminder_views.reminder_ics, name="reminder_ics"),
    path(
        "reminders/calendar/new/",
        reminder_views.calendar_feed_create,
        name="calendar_feed_create",
    ),
    path(
        "reminders/calendar/revoke/",
        reminder_views.calendar_feed_revoke,
        name="calendar_feed_revoke",
    ),
    path("calendar/<str:token>.ics", reminder_views.calendar_feed, name="calendar_feed"),
]
