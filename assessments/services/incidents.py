"""Recording and amending incidents: the only way incident rows are written.

Every write appends an `IncidentVersion` whose hash covers its content and the
hash of the business's previous version, so any change made outside the app
(an UPDATE in a database shell, a deleted row) breaks the chain visibly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Business, User
from assessments.models import Client, Incident, IncidentVersion
from assessments.models.incidents import GENESIS_HASH

CONTENT_FIELDS = (
    "contact",
    "category",
    "severity",
    "occurred_at",
    "channel",
    "outside_hours",
    "billed_as_extra",
    "description",
    "witnesses",
    "delivery",
    "invoice",
)


def _lock_chain(business: Business) -> tuple[int, str]:
    """Lock the business row and return the chain's last position and hash.

    Locking the business serialises writers per business, so two incidents
    recorded at once still form one unbroken chain.
    """
    Business.objects.select_for_update().filter(pk=business.pk).first()
    last = (
        IncidentVersion.objects.filter(business=business)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    if last is None:
        return 0, GENESIS_HASH
    return last["seq"], last["hash"]


def _append_version(
    incident: Incident, *, author: User | None, reason: str, version: int
) -> IncidentVersion:
    seq, prev_hash = _lock_chain(incident.business)
    entry = IncidentVersion(
        business=incident.business,
        incident=incident,
        seq=seq + 1,
        version=version,
        content=incident.content(),
        reason=reason,
        author=author,
        author_email=author.email if author else "",
        created=timezone.now(),
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    return entry


@transaction.atomic
def record_incident(
    *, business: Business, client: Client, author: User | None, **fields
) -> Incident:
    """Record a new incident (version 1) at the end of the business's chain."""
    if client.business_id != business.pk:
        raise ValueError("client belongs to another business")
    _lock_chain(business)
    number = (Incident.objects.filter(business=business).aggregate(n=Max("number"))["n"] or 0) + 1
    incident = Incident.objects.create(
        business=business,
        client=client,
        number=number,
        recorded_by=author,
        recorded_at=timezone.now(),
        **fields,
    )
    _append_version(incident, author=author, reason="", version=1)
    return incident


@transaction.atomic
def amend_incident(incident: Incident, *, author: User | None, reason: str, **changes) -> Incident:
    """Correct an incident: the current row changes, every earlier version stays readable."""
    if not reason.strip():
        raise ValueError("an amendment needs a reason")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    for name, value in changes.items():
        if name not in CONTENT_FIELDS:
            raise ValueError(f"{name} cannot be amended")
        setattr(incident, name, value)
    incident.version_count += 1
    incident.save(update_fields=[*changes.keys(), "version_count"])
    _append_version(incident, author=author, reason=reason.strip(), version=incident.version_count)
    return incident


@dataclass(frozen=True)
class ChainProblem:
    business_id: int
    incident_id: int | None
    incident_number: int | None
    seq: int | None
    problem: str
    # What went wrong, for readers other than the command line (the log export words it
    # in the owner's language): "missing", "link", "altered", "unversioned" or "differs".
    kind: str = ""

    def __str__(self) -> str:
        where = f"business {self.business_id}"
        if self.incident_number is not None:
            where += f", incident #{self.incident_number} (id {self.incident_id})"
        if self.seq is not None:
            where += f", chain position {self.seq}"
        return f"{where}: {self.problem}"


def verify_chain(business: Business) -> list[ChainProblem]:
    """Recompute the business's chain; an empty list means it is intact.

    Reads versions in batches so a long chain does not load into memory at once.
    """
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    latest: dict[int, IncidentVersion] = {}
    numbers = dict(Incident.objects.filter(business=business).values_list("pk", "number"))
    for entry in (
        IncidentVersion.objects.filter(business=business).order_by("seq").iterator(chunk_size=2000)
    ):
        number = numbers.get(entry.incident_id)
        if entry.seq != expected_seq:
            problems.append(
                ChainProblem(
                    business.pk,
                    entry.incident_id,
                    number,
                    entry.seq,
                    f"chain position {expected_seq} is missing (a version was deleted)",
                    kind="missing",
                )
            )
        if entry.prev_hash != prev_hash:
            problems.append(
                ChainProblem(
                    business.pk,
                    entry.incident_id,
                    number,
                    entry.seq,
                    "does not follow the previous version (chain broken)",
                    kind="link",
                )
            )
        if entry.compute_hash() != entry.hash:
            problems.append(
                ChainProblem(
                    business.pk,
                    entry.incident_id,
                    number,
                    entry.seq,
                    f"version {entry.version} was altered outside the app",
                    kind="altered",
                )
            )
        prev_hash = entry.hash
        expected_seq = entry.seq + 1
        latest[entry.incident_id] = entry
    for incident in Incident.objects.filter(business=business).iterator(chunk_size=2000):
        entry = latest.get(incident.pk)
        if entry is None:
            problems.append(
                ChainProblem(
                    business.pk,
                    incident.pk,
                    incident.number,
                    None,
                    "has no recorded version (inserted outside the app)",
                    kind="unversioned",
                )
            )
        elif entry.content != incident.content() or entry.version != incident.version_count:
            problems.append(
                ChainProblem(
                    business.pk,
                    incident.pk,
                    incident.number,
                    entry.seq,
                    "current record differs from its latest version (altered outside the app)",
                    kind="differs",
                )
            )
    return problems
