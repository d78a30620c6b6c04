"""Asking for an export of one client's incident log (the worker builds it).

One export per client is pending at a time: asking again while it is being prepared
answers with the same export (a double click, or Back and submit, makes no second one),
and publishes its task again if nobody has picked it up for a minute (the broker was down).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import User
from assessments.language import owner_language
from assessments.models import Client, LogExport
from assessments.tasks import enqueue_log_export

Status = LogExport.Status
REPUBLISH_AFTER = timedelta(seconds=60)
EARLIER = 10  # the client's earlier exports listed on an export's page


def _pending(client: Client) -> LogExport | None:
    return LogExport.objects.filter(
        business=client.business_id, client=client, status=Status.PENDING
    ).first()


@transaction.atomic
def request_log_export(client: Client, *, user: User) -> tuple[LogExport, bool]:
    """The client's pending export, or a new one queued for the worker; and whether it is new.

    The export is written in `user`'s language (else the business's), as it is now.
    """
    # Lock the client: two requests at once see each other's pending export.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    pending = _pending(client)
    if pending is None:
        try:
            with transaction.atomic():
                export = LogExport.objects.create(
                    business=client.business,
                    client=client,
                    requested_by=user,
                    language=owner_language(user, client.business),
                )
        except IntegrityError:  # a request that did not wait for the lock (SQLite)
            pending = _pending(client)
            if pending is None:
                raise
        else:
            enqueue_log_export(export.pk)
            return export, True
    if pending.requested_at < timezone.now() - REPUBLISH_AFTER:
        enqueue_log_export(pending.pk)  # harmless if it is queued: the task runs once
    return pending, False


def with_latest_export(clients: QuerySet[Client]) -> QuerySet[Client]:
    """`clients` annotated with their latest export, so the client page needs no query of
    its own for it (that page is held to ten queries: tests/scale/test_query_counts.py)."""
    latest = LogExport.objects.filter(client=OuterRef("pk")).order_by("-requested_at", "-id")
    return clients.annotate(
        **{
            f"log_export_{name}": Subquery(latest.values(name)[:1])
            for name in ("id", "status", "chain_ok", "requested_at")
        }
    )


def latest_export(client: Client) -> LogExport | None:
    """The export `with_latest_export` annotated `client` with (no query), or None."""
    pk = getattr(client, "log_export_id", None)
    if pk is None:
        return None
    return LogExport(
        pk=pk,
        business_id=client.business_id,
        client=client,
        status=getattr(client, "log_export_status", ""),
        chain_ok=getattr(client, "log_export_chain_ok", None),
        requested_at=getattr(client, "log_export_requested_at", None),
    )


def earlier_exports(export: LogExport) -> list[LogExport]:
    """The same client's other exports, newest first (one query)."""
    return list(
        LogExport.objects.filter(business=export.business_id, client=export.client_id)
        .exclude(pk=export.pk)
        .only("pk", "status", "chain_ok", "requested_at")[:EARLIER]
    )
