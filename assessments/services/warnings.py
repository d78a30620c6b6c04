"""Early warning: the evidence rules run over every active client between reviews.

`record_warnings` (the daily task) gathers every active client's evidence in a fixed
number of queries (`evidence.gather_many`), asks what the rules would propose if the
owner confirmed what they propose, and records an `EarlyWarning` for a client when that
points to Watch or Fire and names a flag that is new since the baseline: the flags
proposed or confirmed at the client's last review, or those of the last warning about
it, whichever is newer. `email_digests` sends each owner, as they chose (daily, weekly
on Mondays, or off), the warnings recorded since their last digest, once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Business, Membership
from assessments import evidence, scoring
from assessments.language import owner_language
from assessments.models import Assessment, AssessmentAnswer, Client, EarlyWarning
from assessments.redflags import RedFlag, get_flag

Verdict = scoring.Verdict
WARNED = {Verdict.WATCH: EarlyWarning.Verdict.WATCH, Verdict.FIRE: EarlyWarning.Verdict.FIRE}


def proposed_decision(data: evidence.EvidenceInput) -> tuple[scoring.Decision, list[str]]:
    """The verdict the record points to: every flag the rules propose, confirmed, weighed
    as the evidence says; the likelihood of change left at "possible" (the owner's call).
    A flag the rules only ask about (a blank in the record) is not counted."""
    proposals = [p for p in evidence.propose(data) if p.meets_threshold and not p.asks]
    keys = list(dict.fromkeys(p.flag_key for p in proposals))
    decision = scoring.decide(
        {key: scoring.Answer.YES for key in keys},
        likelihood=scoring.Likelihood.POSSIBLE,
        weighings={p.flag_key: p.weighing for p in proposals},
    )
    return decision, keys


def _reviewed_flags(business: Business) -> dict[int, tuple[object, set[str]]]:
    """Each client's last completed review: (when, the flags proposed or confirmed)."""
    latest: dict[int, tuple[int, object]] = {}
    for row in (
        Assessment.objects.for_business(business)
        .filter(status=Assessment.Status.COMPLETE)
        .order_by("client_id", "-completed_at", "-id")
        .values("id", "client_id", "completed_at")
    ):
        latest.setdefault(row["client_id"], (row["id"], row["completed_at"]))
    flags: dict[int, set[str]] = {pk: set() for pk, _when in latest.values()}
    answers = AssessmentAnswer.objects.for_business(business).filter(
        Q(answer=scoring.Answer.YES) | Q(proposed=True), assessment_id__in=list(flags)
    )
    for assessment_id, key in answers.values_list("assessment_id", "flag_key"):
        flags[assessment_id].add(key)
    return {client: (when, flags[pk]) for client, (pk, when) in latest.items()}


def _last_warnings(business: Business) -> dict[int, EarlyWarning]:
    last: dict[int, EarlyWarning] = {}
    for warning in EarlyWarning.objects.for_business(business).order_by(
        "client_id", "-created", "-id"
    ):
        last.setdefault(warning.client_id, warning)
    return last


def find_warnings(business: Business, today: date | None = None) -> list[EarlyWarning]:
    """The new warnings for the business's active clients (unsaved): a fixed number of
    queries whatever the number of clients."""
    reviewed = _reviewed_flags(business)
    warned = _last_warnings(business)
    active = Client.objects.for_business(business).filter(status=Client.Status.ACTIVE)
    found = []
    for data in evidence.gather_many(business, active, today=today):
        decision, keys = proposed_decision(data)
        if decision.verdict not in WARNED:
            continue
        client_id = data.client.id
        baseline: set[str] = set()
        review = reviewed.get(client_id)
        warning = warned.get(client_id)
        if warning and (review is None or warning.created > review[0]):
            baseline = set(warning.flags)
        elif review:
            baseline = review[1]
        new = [key for key in keys if key not in baseline]
        if not new:
            continue
        found.append(
            EarlyWarning(
                business=business,
                client_id=client_id,
                verdict=WARNED[decision.verdict],
                flags=keys,
                new_flags=new,
            )
        )
    return found


def record_warnings(business: Business, today: date | None = None) -> int:
    new = find_warnings(business, today)
    EarlyWarning.objects.bulk_create(new)
    return len(new)


def open_warnings(business: Business) -> QuerySet[EarlyWarning]:
    """Each client's latest warning, unless the client was reviewed after it or is no
    longer active: what the page "Clients that need a look" lists."""
    newer = EarlyWarning.objects.filter(client=OuterRef("client"), created__gt=OuterRef("created"))
    reviewed_after = Assessment.objects.filter(
        client=OuterRef("client"),
        status=Assessment.Status.COMPLETE,
        completed_at__gt=OuterRef("created"),
    )
    return (
        EarlyWarning.objects.for_business(business)
        .filter(client__status=Client.Status.ACTIVE)
        .exclude(Exists(newer))
        .exclude(Exists(reviewed_after))
        .select_related("client")
        .order_by("-verdict", "-created", "client__name")
    )


@dataclass(frozen=True)
class WarningLine:
    warning: EarlyWarning
    new: tuple[RedFlag, ...]
    others: tuple[RedFlag, ...]
    link: str


def lines(warnings: Iterable[EarlyWarning]) -> list[WarningLine]:
    out = []
    for w in warnings:
        new = tuple(get_flag(k) for k in w.new_flags)
        others = tuple(get_flag(k) for k in w.flags if k not in w.new_flags)
        link = reverse("assessments:client_detail", args=[w.client_id])
        out.append(WarningLine(w, new, others, link))
    return out


def _digest_due(membership: Membership, today: date) -> bool:
    if membership.warning_digest == Membership.Digest.OFF:
        return False
    if membership.warning_digest == Membership.Digest.WEEKLY:
        return today.weekday() == 0
    return True


def email_digests(business: Business, today: date | None = None) -> int:
    """E-mail each owner who wants it the warnings recorded since their last digest, in
    their language; returns messages sent. Each membership row is locked while its
    digest is sent, so two runs never both send it."""
    now = timezone.now()
    today = today or timezone.localdate(now, business.tzinfo)
    sent = 0
    owners = Membership.objects.for_business(business).filter(
        role=Membership.Role.OWNER, user__is_active=True
    )
    for pk in owners.exclude(user__email="").values_list("pk", flat=True):
        with transaction.atomic():
            membership = (
                Membership.objects.select_for_update(of=("self",)).select_related("user").get(pk=pk)
            )
            if not _digest_due(membership, today):
                continue
            pending = EarlyWarning.objects.for_business(business).select_related("client")
            if membership.warnings_sent_until:
                pending = pending.filter(created__gt=membership.warnings_sent_until)
            pending = list(pending.order_by("-verdict", "client__name"))
            if not pending:
                continue
            language = owner_language(membership.user, business)
            with translation.override(language), timezone.override(business.tzinfo):
                context = {
                    "business": business,
                    "lines": [(line, settings.SITE_URL + line.link) for line in lines(pending)],
                    "page_link": settings.SITE_URL + reverse("assessments:warning_list"),
                }
                subject = " ".join(
                    render_to_string("emails/warnings_subject.txt", context).split()
                )[:200]
                body = render_to_string("emails/warnings.txt", context)
            get_connection().send_messages(
                [EmailMessage(subject, body, to=[membership.user.email])]
            )
            membership.warnings_sent_until = max(w.created for w in pending)
            membership.save(update_fields=["warnings_sent_until"])
            sent += 1
    return sent


def send_warnings(businesses=None) -> int:
    sent = 0
    for business in businesses if businesses is not None else Business.objects.order_by("pk"):
        record_warnings(business)
        sent += email_digests(business)
    return sent
