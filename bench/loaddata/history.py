"""The history of the generated clients: incidents with their version chain, invoices,
time, abuse flags and completed reviews (see `bench.loaddata`).

Each builder takes the generator's `random.Random`, so the order of the calls in
`bench.loaddata._populate` is part of what makes a seed reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from accounts.models import Business, User
from assessments import redflags, scoring
from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Client,
    Contact,
    Delivery,
    Incident,
    IncidentVersion,
    Invoice,
    TimeEntry,
)
from assessments.models.incidents import GENESIS_HASH, compute_version_hash
from bench.loaddata.size import Size

BATCH = 5000
AMEND_SHARE = 0.02  # incidents with a second version
FLAG_SHARE = 0.01  # contacts flagged abusive
ASSESSED_SHARE = 0.05  # clients with a completed review
HISTORY_DAYS = 730

Progress = Callable[[str], None]


def _batched(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk(model, rows: list, progress: Progress, label: str) -> list:
    done = []
    for chunk in _batched(rows):
        done.extend(model.objects.bulk_create(chunk, batch_size=BATCH))
    progress(f"  {label}: {len(done):,}")
    return done


def skewed_weights(rng: random.Random, count: int, alpha: float) -> list[float]:
    """Pareto-distributed weights: a few large ones, a long tail of small ones."""
    return [rng.paretovariate(alpha) for _ in range(count)]


def cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def moment(rng: random.Random, today: date, days_back: int, tz) -> datetime:
    day = today - timedelta(days=rng.randint(0, days_back))
    seconds = rng.randint(7 * 3600, 21 * 3600)
    local = datetime.combine(day, time(0), tzinfo=tz) + timedelta(seconds=seconds)
    return local.astimezone(dt_timezone.utc)


_CATEGORY_WEIGHTS = {
    "complaint": 20,
    "unreasonable_demand": 14,
    "out_of_hours": 14,
    "changed_mind": 12,
    "out_of_scope": 10,
    "payment_dispute": 8,
    "ignored_advice": 6,
    "verbal_abuse": 3,
    "lying": 3,
    "competitor_pressure": 3,
    "harassment": 1,
    "threat": 1,
    "reputation_threat": 1,
    "unethical_request": 1,
    "legal_risk": 1,
    "physical_abuse": 0.3,
    "other": 2,
}
_SEVERITY_WEIGHTS = {"low": 40, "medium": 40, "high": 15, "critical": 5}


def incidents(
    rng: random.Random,
    business: Business,
    clients: list[Client],
    contacts: dict[int, list[Contact]],
    trouble_cum: list[float],
    size: Size,
    today: date,
    people: list[User],
) -> list[Incident]:
    tz = business.tzinfo
    categories, cat_w = list(_CATEGORY_WEIGHTS), list(_CATEGORY_WEIGHTS.values())
    severities, sev_w = list(_SEVERITY_WEIGHTS), list(_SEVERITY_WEIGHTS.values())
    picks = rng.choices(clients, cum_weights=trouble_cum, k=size.incidents)
    moments = sorted(moment(rng, today, HISTORY_DAYS, tz) for _ in range(size.incidents))
    rows = []
    for number, (client, occurred) in enumerate(zip(picks, moments, strict=True), start=1):
        category = rng.choices(categories, cat_w)[0]
        who = rng.choice(contacts.get(client.pk) or [None])
        recorded = occurred + timedelta(minutes=rng.randint(1, 600))
        rows.append(
            Incident(
                business=business,
                number=number,
                client=client,
                contact=who,
                category=category,
                severity=rng.choices(severities, sev_w)[0],
                occurred_at=occurred,
                channel=rng.choice(Incident.Channel.values),
                outside_hours=category == "out_of_hours" or rng.random() < 0.05,
                description=f"Generated incident {number}: {category.replace('_', ' ')}.",
                recorded_by=rng.choice(people),
                recorded_at=recorded,
            )
        )
    return rows


# Deliveries per client, from a generator of their own (seeded by the business) so that
# adding them left every other row of a seed as it was.
_DELIVERIES_PER_CLIENT = (0, 0, 1, 2, 3, 6, 10)
_DELIVERY_TITLES = ("Design round", "Monthly report", "Site visit", "Artwork batch", "Release")
# A complaint this many days or fewer after a delivery is about it.
COMPLAINT_AFTER_DAYS = 21


def deliveries(business: Business, clients: list[Client], today: date) -> list[Delivery]:
    rng = random.Random(f"deliveries-{business.name}")
    rows = []
    for client in clients:
        for n in range(rng.choice(_DELIVERIES_PER_CLIENT)):
            rows.append(
                Delivery(
                    business=business,
                    client=client,
                    delivered_on=today - timedelta(days=rng.randint(1, HISTORY_DAYS)),
                    title=f"{rng.choice(_DELIVERY_TITLES)} {n + 1}",
                )
            )
    return rows


def tie_complaints(rows: list[Incident], delivered: list[Delivery], tz) -> int:
    """Each complaint about the client's latest delivery before it, when it was recent."""
    by_client: dict[int, list[Delivery]] = {}
    for delivery in sorted(delivered, key=lambda d: d.delivered_on):
        by_client.setdefault(delivery.client_id, []).append(delivery)
    tied = 0
    for incident in rows:
        if incident.category != "complaint" or incident.client_id not in by_client:
            continue
        day = incident.occurred_at.astimezone(tz).date()
        before = [d for d in by_client[incident.client_id] if d.delivered_on <= day]
        if before and (day - before[-1].delivered_on).days <= COMPLAINT_AFTER_DAYS:
            incident.delivery = before[-1]
            tied += 1
    return tied


def versions(
    rng: random.Random, business: Business, incidents: list[Incident]
) -> list[IncidentVersion]:
    """Version 1 of every incident in recording order, then the amendments, chained.

    An amended incident's row already holds its latest content; version 1 records
    what was first written (a lower severity), as `amend_incident` would have left it.
    """
    amended = [i for i in incidents if rng.random() < AMEND_SHARE]
    originals = {}
    for incident in amended:
        originals[incident.pk] = {**incident.content(), "severity": "low"}
        incident.version_count = 2
    if amended:
        Incident.objects.bulk_update(amended, ["version_count"], batch_size=BATCH)
    versions, prev = [], GENESIS_HASH
    entries = [(i, 1, originals.get(i.pk) or i.content(), "") for i in incidents]
    entries.sort(key=lambda e: (e[0].recorded_at, e[0].number))
    entries += [
        (i, 2, i.content(), "Severity corrected after talking to the team.") for i in amended
    ]
    for seq, (incident, version, content, reason) in enumerate(entries, start=1):
        created = incident.recorded_at + timedelta(days=1 if version == 2 else 0)
        author = incident.recorded_by
        email = author.email if author else ""
        digest = compute_version_hash(
            prev_hash=prev,
            business_id=business.pk,
            incident_id=incident.pk,
            seq=seq,
            version=version,
            content=content,
            reason=reason,
            author_email=email,
            created=created,
        )
        versions.append(
            IncidentVersion(
                business=business,
                incident=incident,
                seq=seq,
                version=version,
                content=content,
                reason=reason,
                author=author,
                author_email=email,
                created=created,
                prev_hash=prev,
                hash=digest,
            )
        )
        prev = digest
    return versions


def invoices(
    rng: random.Random,
    business: Business,
    clients: list[Client],
    money_cum: list[float],
    size: Size,
    today: date,
) -> list[Invoice]:
    # Each client pays in its own habitual way: most on time, some 30-120 days late.
    habit = {c.pk: rng.choices((0, 5, 20, 45, 100), (55, 20, 12, 8, 5))[0] for c in clients}
    picks = rng.choices(clients, cum_weights=money_cum, k=size.invoices)
    rows = []
    for n, client in enumerate(picks, start=1):
        issued = today - timedelta(days=rng.randint(0, HISTORY_DAYS))
        due = issued + timedelta(days=client.payment_terms_days)
        paid = due + timedelta(days=max(-10, int(rng.gauss(habit[client.pk], 10))))
        if paid > today or rng.random() < 0.01:
            paid = None
        amount = Decimal(round(rng.lognormvariate(7.3, 0.8), 2)).quantize(Decimal("0.01"))
        disputed = rng.random() < 0.03
        rows.append(
            Invoice(
                business=business,
                client=client,
                number=f"L-{n:07d}",
                issued_on=issued,
                due_on=due,
                amount=max(amount, Decimal("10.00")),
                paid_on=paid,
                disputed=disputed,
                dispute_note="Disputed the hours." if disputed else "",
                discount_pushed=(
                    (amount * Decimal("0.1")).quantize(Decimal("0.01"))
                    if rng.random() < 0.04
                    else Decimal("0")
                ),
            )
        )
    return rows


def time_entries(
    rng: random.Random,
    business: Business,
    clients: list[Client],
    trouble_cum: list[float],
    size: Size,
    today: date,
    people: list[User],
) -> list[TimeEntry]:
    kinds = TimeEntry.Kind.values
    # Troublesome clients also eat unbilled time: half the entries follow the trouble.
    half = size.time_entries // 2
    picks = rng.choices(clients, cum_weights=trouble_cum, k=half)
    picks += rng.choices(clients, k=size.time_entries - half)
    rate = business.staff_cost_rate
    return [
        TimeEntry(
            business=business,
            client=client,
            date=today - timedelta(days=rng.randint(0, HISTORY_DAYS)),
            minutes=rng.choice((15, 30, 45, 60, 90, 120, 240, 480)),
            kind=rng.choices(kinds, (60, 15, 10, 10, 5))[0],
            user=rng.choice(people),
            cost_rate=rate if rng.random() < 0.8 else rate * Decimal("1.5"),
        )
        for client in picks
    ]


def flags(
    rng: random.Random,
    business: Business,
    contacts: dict[int, list[Contact]],
    incidents: list[Incident],
    people: list[User],
    today: date,
    progress: Progress,
) -> int:
    abusive = {
        i.contact_id: i
        for i in incidents
        if i.contact_id and i.category in ("verbal_abuse", "harassment", "threat")
    }
    every = [c for group in contacts.values() for c in group if c.pk in abusive]
    wanted = max(1, int(sum(len(g) for g in contacts.values()) * FLAG_SHARE)) if every else 0
    chosen = rng.sample(every, min(wanted, len(every)))
    rows = []
    for contact in chosen:
        raised = abusive[contact.pk].recorded_at + timedelta(hours=1)
        cleared = rng.random() < 0.2
        rows.append(
            AbuseFlag(
                business=business,
                contact=contact,
                reason="Shouted at our staff and called them names.",
                raised_by=rng.choice(people),
                raised_at=raised,
                review_on=raised.date() + timedelta(days=90),
                cleared_at=raised + timedelta(days=60) if cleared else None,
                cleared_by=people[0] if cleared else None,
                clear_reason="Apologised in writing; new contact person." if cleared else "",
            )
        )
    made = bulk(AbuseFlag, rows, progress, "abuse flags")
    links = [
        AbuseFlag.incidents.through(abuseflag_id=flag.pk, incident_id=abusive[flag.contact_id].pk)
        for flag in made
    ]
    AbuseFlag.incidents.through.objects.bulk_create(links, batch_size=BATCH)
    return len(made)


def assessments(
    rng: random.Random,
    business: Business,
    clients: list[Client],
    today: date,
    owner: User,
    progress: Progress,
) -> int:
    """Completed reviews for some clients (a few with an older one too), with answers."""
    chosen = rng.sample(clients, max(1, int(len(clients) * ASSESSED_SHARE)))
    keys = [flag.key for flag in redflags.CATALOGUE]
    rows, answer_sets = [], []
    for client in chosen:
        for older in (True, False) if rng.random() < 0.2 else (False,):
            days_ago = rng.randint(200, 400) if older else rng.randint(1, 150)
            done = datetime.combine(today - timedelta(days=days_ago), time(10), dt_timezone.utc)
            yes = set(rng.sample(keys, rng.choice((0, 0, 1, 2, 2, 3))))
            if rng.random() < 0.1:
                yes.add(rng.choice(sorted(redflags.SAFETY_FLAG_KEYS)))
            likelihood = rng.choice(scoring.Likelihood.values)
            decision = scoring.decide(
                {k: "yes" if k in yes else "no" for k in keys}, likelihood=likelihood
            )
            rows.append(
                Assessment(
                    business=business,
                    client=client,
                    status=Assessment.Status.COMPLETE,
                    step=Assessment.Step.VERDICT,
                    created_by=owner,
                    created=done - timedelta(hours=1),
                    completed_at=done,
                    likelihood_of_change=likelihood,
                    verdict=decision.verdict,
                    rule=decision.rule,
                    rule_text=str(decision.rule_text),
                    reasons=[{"flag": f.key, "title": str(f.title)} for f in decision.confirmed],
                )
            )
            answer_sets.append(yes)
    made = bulk(Assessment, rows, progress, "assessments")
    answers = [
        AssessmentAnswer(
            business=business,
            assessment=assessment,
            flag_key=key,
            answer=scoring.Answer.YES if key in yes else scoring.Answer.NO,
            proposed=key in yes,
        )
        for assessment, yes in zip(made, answer_sets, strict=True)
        for key in keys
    ]
    bulk(AssessmentAnswer, answers, progress, "assessment answers")
    return len(made)
