"""The plan's PDF in storage: one name per plan, moved into place, marked READY.

Used by the build task; it imports no task, so the task module can depend on it.
"""

from __future__ import annotations

import os
from datetime import datetime

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from assessments.models import OffboardingPlan

Status = OffboardingPlan.Status


def plan_file_name(plan: OffboardingPlan) -> str:
    """One name per plan, so that building it twice replaces the file instead of adding one."""
    return f"plans/{plan.business_id}/plan-{plan.pk}.pdf"


class _MovableFile(File):
    # FileSystemStorage moves a file that has a temporary path instead of copying it;
    # other storages (S3) upload it like any file.
    def temporary_file_path(self) -> str:
        return self.file.name


def store_plan_file(plan_id: int, path: str, *, enqueued_at: datetime | None = None) -> str | None:
    """Move the rendered PDF at `path` into storage under the plan's name; mark it READY.

    Two builds of the same plan racing each other still leave exactly one file: the
    later one finds the plan ready and removes whatever it saved under another name.
    `enqueued_at` is the plan's value when this build began: if the plan was queued
    again since (its choices changed mid-build), it stays pending for the newer build
    and None is returned; otherwise the stored file's name.
    """
    plan = OffboardingPlan.objects.get(pk=plan_id)
    name = plan_file_name(plan)
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(path, "rb") as handle:
        saved = default_storage.save(name, _MovableFile(handle, name=os.path.basename(name)))
    with transaction.atomic():
        plan = OffboardingPlan.objects.select_for_update().get(pk=plan_id)
        if plan.status == Status.READY and plan.file and plan.file.name != saved:
            default_storage.delete(saved)
            return plan.file.name
        if enqueued_at is not None and plan.enqueued_at != enqueued_at:
            return None  # superseded: the build queued after this one writes the same name
        previous = plan.file.name if plan.file else ""
        plan.file.name = saved
        plan.status = Status.READY
        plan.built_at = timezone.now()
        plan.last_error = ""
        plan.save(update_fields=["file", "status", "built_at", "last_error", "updated"])
    if previous and previous != saved and default_storage.exists(previous):
        default_storage.delete(previous)
    return saved
