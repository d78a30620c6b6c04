"""Create a record at most once per form: the one-time token each create form carries.

A form page gets a fresh token (`new_token`) in a hidden field. On submit the view calls
`submit_once(business, token, create, path_of)`: the token is claimed (a unique row) in
the same transaction as the record, so of two submissions with one token exactly one
creates; the other gets back the path of the record the first one made. A new form
has a new token, so a genuinely identical second record is still possible.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

from accounts.models import Business
from assessments.models.submissions import Submission

FIELD = "form_token"
_VALID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

T = TypeVar("T")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_from(data) -> str:
    """The submitted token, or "" when it is missing or not one we could have issued."""
    value = data.get(FIELD, "") if data is not None else ""
    return value if isinstance(value, str) and _VALID.match(value) else ""


def token_for_page(data) -> str:
    """The token to render: the submitted one again (form re-shown with errors), or a new one."""
    return token_from(data) or new_token()


def earlier_path(business: Business, token: str) -> str | None:
    """Where the record made with `token` is, if a submission already used it."""
    if not token:
        return None
    found = Submission.objects.for_business(business).filter(token=token).first()
    return found.path if found is not None else None


def submit_once(
    business: Business,
    token: str,
    create: Callable[[], T | None],
    path_of: Callable[[T], str],
) -> tuple[T | None, str]:
    """Run `create` unless `token` was used; returns (new record or None, its path).

    `create` may return None when it found nothing to save; the claim is then undone.

    Without a valid token (an old page, a script) the record is created as before.
    """
    if not token:
        record = create()
        return record, path_of(record) if record is not None else ""
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Waits on a concurrent claim of the same token until that one commits.
                claim = Submission.objects.create(business=business, token=token)
        except IntegrityError:
            return None, earlier_path(business, token) or ""
        record = create()
        if record is None:
            # Nothing was created (the form turned out invalid): the token stays unused.
            transaction.set_rollback(True)
            return None, ""
        claim.path = path_of(record)[:200]
        claim.save(update_fields=["path"])
    return record, claim.path
