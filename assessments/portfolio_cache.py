"""The portfolio's cache: drawn charts and rendered pages, kept per business "version".

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

import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from assessments.models import AbuseFlag, Assessment, Client, Incident, Invoice, TimeEntry

logger = logging.getLogger(__name__)
T = TypeVar("T")

TTL = 300  # seconds
WATCHED = (Client, Incident, Invoice, TimeEntry, Assessment, AbuseFlag)


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


def forget_on_commit(business_id: int) -> None:
    """`forget()` once the current transaction commits (at once outside one).

    After the commit: a page computed meanwhile must not cache the old figures anew.
    """
    transaction.on_commit(lambda: forget(business_id))


def _forget_for(sender, instance, **kwargs) -> None:
    business_id = getattr(instance, "business_id", None)
    if business_id is not None:
        forget_on_commit(business_id)


def connect_signals() -> None:
    """Saves and deletes of anything the portfolio shows make it recompute."""
    for model in WATCHED:
        uid = f"portfolio-forget-{model._meta.label_lower}"
        post_save.connect(_forget_for, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(_forget_for, sender=model, dispatch_uid=uid + "-delete")
