"""The name django-axes counts login failures under: the e-mail as the login form reads it.

Without this, "Owner@Example.com" and "owner@example.com" each had their own tries, so a
guesser could go on by changing the case. Called by axes as `AXES_USERNAME_CALLABLE`.
"""

from __future__ import annotations

from django.contrib.auth.base_user import BaseUserManager
from django.http import HttpRequest


def normalise_email(value: object) -> str:
    return BaseUserManager.normalize_email(str(value or "").strip()).lower()


def username_of(request: HttpRequest | None, credentials: dict[str, object] | None) -> str:
    """The normalised e-mail from the credentials, or else from the posted form."""
    value = (credentials or {}).get("username")
    if value is None and request is not None and request.method == "POST":
        value = request.POST.get("username")
    return normalise_email(value)
