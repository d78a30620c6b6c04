"""The portfolio's cache: drawn charts and rendered pages, kept per business "version".

Also used for the other pages that are costly at 10,000 clients: the client list, a
client page, staff's home page and the abuse flag list. The first three are cached twice:
their body once per business (and role), shared by everyone who may see it (`fragment`),
and the whole page, layout included, once per visitor (`whole_page`, which puts each
visitor's CSRF token back in); staff's home page, which shows their own incidents, and
the flag list only whole. A warm page runs no template at all.

Any save or delete of a client, incident, invoice, time entry, review or abuse flag
bumps its business's version once the transaction commits (`connect_signals`, called
from `AssessmentsConfig.ready`), so the next page is computed afresh; every entry
also expires after `TTL`, which bounds how long a write that skips model signals
(`bulk_create`, `QuerySet.update`) stays unseen. Call `forget(business_id)` after
such a write to show it at once.

The cache only saves work: while it is unreachable everything is computed on
every request, and no write ever fails because of it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from accounts import visitor
from accounts.models import Business
from assessments.models import (
    AbuseFlag,
    Assessment,
    Client,
    Contact,
    Incident,
    Invoice,
    TimeEntry,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

TTL = 300  # seconds
WATCHED = (Client, Contact, Incident, Invoice, TimeEntry, Assessment, AbuseFlag)


def _version_key(business_id: int) -> str:
    return f"portfolio:version:{business_id}"


def forget(business_id: int) -> None:
    """Make the business's cached charts and pages stale."""
    key = _version_key(business_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no version yet
            cache.set(key, 1, None)
    except Exception:  # noqa: BLE001 - a cache outage must never fail a write
        logger.warning("could not drop the cached portfolio", exc_info=True)


def remember(business_id: int, parts: Iterable[object], build: Callable[[], T]) -> T:
    """`build()`'s result, cached under `parts` for the business's current version.

    One round trip on a hit: the entry and the version are read together, and an entry
    built under an older version is built again.
    """
    version_key = _version_key(business_id)
    key = ":".join(["portfolio", str(business_id), *map(str, parts)])
    try:
        found = cache.get_many([version_key, key])
    except Exception:  # noqa: BLE001
        logger.warning("cache unreachable: computing the portfolio", exc_info=True)
        return build()
    version = found.get(version_key, 0)
    entry = found.get(key)
    if isinstance(entry, tuple) and len(entry) == 2 and entry[0] == version:
        return entry[1]
    value = build()
    try:
        cache.set(key, (version, value), TTL)
    except Exception:  # noqa: BLE001
        logger.warning("could not cache the portfolio", exc_info=True)
    return value


def remember_page(request: HttpRequest, parts: Iterable[object], build: Callable[[], T]) -> T:
    """`remember()` for a fragment of a page: also keyed by today's date, the language,
    the static files' release and the query string as sent (sorted, hashed), so every
    variant of the page has its own entry. The fragment must hold nothing personal (no
    CSRF token, no messages, nothing that depends on who asks beyond what `parts` names)."""
    asked = urlencode(sorted((k, v) for k, values in request.GET.lists() for v in values))
    key = [
        *parts,
        timezone.localdate().isoformat(),
        translation.get_language() or "",
        getattr(staticfiles_storage, "manifest_hash", ""),
        hashlib.sha256(asked.encode()).hexdigest(),
    ]
    return remember(request.business.pk, key, build)


def fragment(
    request: HttpRequest,
    parts: Iterable[object],
    template_name: str,
    context: Callable[[], dict[str, Any]],
) -> SafeString:
    """`template_name` rendered with `context()`, cached by `remember_page`; on a hit
    neither runs. Its forms hold a placeholder for the CSRF token: serve it inside
    `whole_page`, which puts each visitor's own token in."""

    return remember_page(request, parts, lambda: _render(request, template_name, context))


def whole_page(
    request: HttpRequest,
    parts: Iterable[object],
    template_name: str,
    context: Callable[[], dict[str, Any]],
) -> HttpResponse:
    """The whole page, layout included, cached for this visitor (`remember_page` under
    `parts`, the user and what the layout shows of them: name, role, businesses); on a
    hit neither `context()` nor any template runs. A page with messages to show is
    rendered afresh and not kept. Every form gets this request's CSRF token."""
    parts = [*parts, "as", *visitor.shown(request)]

    def build() -> SafeString:
        return _render(request, template_name, context)

    html = build() if len(messages.get_messages(request)) else remember_page(request, parts, build)
    return HttpResponse(visitor.with_csrf_token(request, html))


def _render(
    request: HttpRequest, template_name: str, context: Callable[[], dict[str, Any]]
) -> SafeString:
    """The template with a placeholder where each form's CSRF token goes."""
    values = {**context(), "csrf_token": visitor.CSRF_PLACEHOLDER}
    return mark_safe(render_to_string(template_name, values, request))  # noqa: S308 - autoescaped template output


def forget_on_commit(business_id: int) -> None:
    """`forget()` once the current transaction commits (at once outside one).

    After the commit: a page computed meanwhile must not cache the old figures anew.
    """
    transaction.on_commit(lambda: forget(business_id))


def _forget_for(sender, instance, **kwargs) -> None:
    business_id = getattr(instance, "business_id", None)
    if business_id is not None:
        forget_on_commit(business_id)


def _forget_business(sender, instance: Business, **kwargs) -> None:
    # Its settings (currency, thresholds, time zone) show on the cached pages too.
    forget_on_commit(instance.pk)


def connect_signals() -> None:
    """Saves and deletes of anything the cached pages show make them recompute."""
    for model in WATCHED:
        uid = f"portfolio-forget-{model._meta.label_lower}"
        post_save.connect(_forget_for, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_forget_for, sender=model, dispatch_uid=uid + "-delete")
    post_save.connect(_forget_business, sender=Business, dispatch_uid="portfolio-forget-business")
