from django.urls import path

from assessments.views import flags as flag_views
from assessments.views import incidents as incident_views

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
    path("contacts/<int:pk>/flag/", flag_views.flag_contact_view, name="flag_contact"),
    path("flags/", flag_views.flag_list, name="flag_list"),
    path("flags/<int:pk>/clear/", flag_views.flag_clear, name="flag_clear"),
]
