"""Admin for the review domain.

The incident log, its evidence and abuse flags are read-only here: incidents and
evidence are never deleted by anyone, and writes go through the services so the
hash chain and the audit log stay whole.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from assessments.models import AbuseFlag, Evidence, Incident, IncidentVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    """Look, never touch: no add, change or delete, and no bulk delete action."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        return {}


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["number", "business", "client", "category", "severity", "occurred_at"]
    list_filter = ["category", "severity"]
    list_select_related = ["business", "client"]
    search_fields = ["description"]


@admin.register(IncidentVersion)
class IncidentVersionAdmin(ReadOnlyAdmin):
    list_display = ["business", "seq", "incident", "version", "author_email", "created"]
    list_select_related = ["business", "incident"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "business", "incident", "content_type", "size", "uploaded_at"]
    list_select_related = ["business", "incident"]
    # The file itself is served only by the app's view, which checks the business.
    exclude = ["file"]
    readonly_fields = ["stored_as"]

    @admin.display(description="stored as")
    def stored_as(self, obj: Evidence) -> str:
        return obj.file.name


@admin.register(AbuseFlag)
class AbuseFlagAdmin(ReadOnlyAdmin):
    list_display = ["contact", "business", "raised_at", "review_on", "cleared_at"]
    list_select_related = ["business", "contact"]
