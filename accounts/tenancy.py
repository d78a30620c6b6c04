"""Tenant checks: every view reaches its business's rows only through these helpers.

A row of another business answers 404 (it does not exist, as far as this user
can tell); a staff member on an owner-only action gets 403.
"""

from __future__ import annotations

from functools import wraps
from typing import TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from accounts.querysets import TenantQuerySet

M = TypeVar("M", bound=models.Model)

SESSION_KEY = "business_id"


def member_required(view):
    """Logged in and a member of a business (any role)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            return redirect("accounts:no_business")
        return view(request, *args, **kwargs)

    return wrapper


def owner_required(view):
    """Logged in as an owner of the current business; staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.membership is None:
            return redirect("accounts:no_business")
        if not request.membership.is_owner:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def for_business(
    model_or_qs: type[M] | models.QuerySet[M], request: HttpRequest
) -> models.QuerySet[M]:
    """The rows of `model_or_qs` that belong to the request's current business."""
    qs = (
        model_or_qs
        if isinstance(model_or_qs, models.QuerySet)
        else model_or_qs._default_manager.all()
    )
    return TenantQuerySet.for_business(qs, request.business)


def get_for_business_or_404(
    model_or_qs: type[M] | models.QuerySet[M], request: HttpRequest, **lookup
) -> M:
    """One row of the current business, or 404 (also for another business's id)."""
    try:
        return for_business(model_or_qs, request).get(**lookup)
    except (models.ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
