"""A large, realistic data set for measuring pages at scale (`manage.py generate_load_data`).

Everything comes from one `random.Random(seed)`, so the same seed and the same `today`
give the same rows. Dates are placed relative to `today` so the 12-month windows the
pages read are full. Rows are written with `bulk_create` in batches; incidents get a
real version chain (hashes computed here, in chain order), so `verify_incidents`
passes on the generated data exactly as on data typed through the app.

The shape follows the domain: trouble and revenue are both skewed (a few clients
cause most incidents, article 004), some clients pay late by habit, a few contacts
are flagged abusive, and some clients already have a completed review.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.db import transaction

from accounts.models import Business, Membership, User
from assessments import redflags, scoring
from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Client,
    Contact,
    Incident,
    IncidentVersion,
    Invoice,
    TimeEntry,
)
from assessments.models.incidents import GENESIS_HASH, compute_version_hash

PASSWORD = "clientreview-demo"  # noqa: S105 - published load-test credentials
BATCH = 5000
DEFAULT_BUSINESS = "Load Test Company"
SMALL_BUSINESSES = 3
SMALL_CLIENTS = 20
AMEND_SHARE = 0.02  # incidents with a second version
FLAG_SHARE = 0.01  # contacts flagged abusive
ASSESSED_SHARE = 0.05  # clients with a completed review
HISTORY_DAYS = 730

Progress = Callable[[str], None]


class LoadDataExists(Exception):
    """The named business already exists: the data is generated once per name."""


@dataclass(frozen=True)
class Size:
    clients: int = 10_000
    incidents: int = 200_000
    invoices: int = 100_000
    time_entries: int = 100_000

    def scaled(self, clients: int) -> Size:
        """The same proportions for a smaller business."""
        ratio = clients / self.clients if self.clients else 0
        return Size(
            clients=clients,
            incidents=round(self.incidents * ratio),
            invoices=round(self.invoices * ratio),
            time_entries=round(self.time_entries * ratio),
        )


@dataclass
class Report:
    business: Business
    owner_email: str
    staff_email: str
    counts: dict[str, int] = field(default_factory=dict)
    small: list[Business] = field(default_factory=list)


# --- names --------------------------------------------------------------------------

_SYLLABLES = ("ka", "lo", "mi", "ra", "te", "no", "vi", "sa", "du", "pe", "lin", "mar", "tor")
_KINDS = ("Studio", "Ltd", "Group", "& Co", "Partners", "Bakery", "Builders", "Clinic", "Labs")
_LOCAL = (
    "Παπαδόπουλος",
    "Οικονόμου",
    "Иванов",
    "Смирнова",
    "김민준",
    "이서연",
    "Jónsdóttir",
    "Kovačić",
)
_FIRST = ("Ana", "Ivan", "Eleni", "Min-jun", "Sigrún", "Marko", "Olga", "Sam", "Priya", "Tom")
_LAST = ("Petrov", "Papadaki", "Park", "Jónsson", "Horvat", "Smith", "Novak", "Lee", "Garcia")
_ROLES = ("Director", "Finance", "Project lead", "Office manager", "Owner")


def _company(rng: random.Random, index: int) -> str:
    if rng.random() < 0.1:
        base = rng.choice(_LOCAL)
    else:
        base = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).title()
    # The index keeps names unique, which makes sorting by name deterministic.
    return f"{base} {rng.choice(_KINDS)} {index:05d}"


# --- helpers ------------------------------------------------------------------------


def _batched(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk(model, rows: list, progress: Progress, label: str) -> list:
    done = []
    for chunk in _batched(rows):
        done.extend(model.objects.bulk_create(chunk, batch_size=BATCH))
    progress(f"  {label}: {len(done):,}")
    return done


def _skewed_weights(rng: random.Random, count: int, alpha: float) -> list[float]:
    """Pareto-distributed weights: a few large ones, a long tail of small ones."""
    return [rng.paretovariate(alpha) for _ in range(count)]


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _moment(rng: random.Random, today: date, days_back: int, tz) -> datetime:
    day = today - timedelta(days=rng.randint(0, days_back))
    seconds = rng.randint(7 * 3600, 21 * 3600)
    local = datetime.combine(day, time(0), tzinfo=tz) + timedelta(seconds=seconds)
    return local.astimezone(dt_timezone.utc)


def _user(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created or not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


# --- the generator ------------------------------------------------------------------


def generate(
    *,
    business_name: str = DEFAULT_BUSINESS,
    size: Size | None = None,
    seed: int = 1,
    today: date | None = None,
    small_businesses: int = SMALL_BUSINESSES,
    owner_email: str = "load-owner@example.com",
    staff_email: str = "load-staff@example.com",
    progress: Progress = lambda _msg: None,
) -> Report:
    """Build the large business and a few small ones beside it; refuses an existing name."""
    size = size or Size()
    if Business.objects.filter(name=business_name).exists():
        raise LoadDataExists(business_name)
    rng = random.Random(seed)
    today = today or date.today()
    owner = _user(owner_email, "Load Owner")
    staff = _user(staff_email, "Load Staff")
    with transaction.atomic():
        business = Business.objects.create(
            name=business_name, time_zone="Europe/London", currency="EUR"
        )
        Membership.objects.create(user=owner, business=business, role=Membership.Role.OWNER)
        Membership.objects.create(user=staff, business=business, role=Membership.Role.STAFF)
        progress(f"{business_name}: {size.clients:,} clients")
        counts = _populate(rng, business, size, today, [owner, staff], progress)
    report = Report(business, owner_email, staff_email, counts)
    for n in range(1, small_businesses + 1):
        name = f"{business_name} (small {n})"
        if Business.objects.filter(name=name).exists():
            continue
        small_owner = _user(f"load-small-{n}@example.com", f"Small Owner {n}")
        with transaction.atomic():
            small = Business.objects.create(name=name, time_zone="Europe/Athens", currency="EUR")
            Membership.objects.create(user=small_owner, business=small, role=Membership.Role.OWNER)
            progress(f"{name}: {SMALL_CLIENTS} clients")
            _populate(rng, small, size.scaled(SMALL_CLIENTS), today, [small_owner], progress)
        report.small.append(small)
    return report


def _populate(
    rng: random.Random,
    business: Business,
    size: Size,
    today: date,
    people: list[User],
    progress: Progress,
) -> dict[str, int]:
    clients = _clients(rng, business, size, today, progress)
    if not clients:
        return {"clients": 0}
    contacts = _contacts(rng, business, clients, progress)
    # A few clients cause most of the trouble, a few bring most of the money.
    trouble_cum = _cumulative(_skewed_weights(rng, len(clients), 1.2))
    money_cum = _cumulative(_skewed_weights(rng, len(clients), 1.5))
    incidents = _incidents(rng, business, clients, contacts, trouble_cum, size, today, people)
    incidents = _bulk(Incident, incidents, progress, "incidents")
    versions = _versions(rng, business, incidents)
    _bulk(IncidentVersion, versions, progress, "incident versions")
    invoices = _bulk(
        Invoice, _invoices(rng, business, clients, money_cum, size, today), progress, "invoices"
    )
    entries = _bulk(
        TimeEntry,
        _time_entries(rng, business, clients, trouble_cum, size, today, people),
        progress,
        "time entries",
    )
    flags = _flags(rng, business, contacts, incidents, people, today, progress)
    assessed = _assessments(rng, business, clients, today, people[0], progress)
    return {
        "clients": len(clients),
        "contacts": sum(len(group) for group in contacts.values()),
        "incidents": len(incidents),
        "incident_versions": len(versions),
        "invoices": len(invoices),
        "time_entries": len(entries),
        "abuse_flags": flags,
        "assessments": assessed,
    }


def _clients(
    rng: random.Random, business: Business, size: Size, today: date, progress: Progress
) -> list[Client]:
    statuses = [Client.Status.ACTIVE] * 90 + [Client.Status.OFFBOARDED] * 6
    statuses += [Client.Status.OFFBOARDING] * 2 + [Client.Status.UNDER_REVIEW] * 2
    rows = []
    for i in range(1, size.clients + 1):
        status = rng.choice(statuses)
        since = today - timedelta(days=rng.randint(30, 3650))
        rows.append(
            Client(
                business=business,
                name=_company(rng, i),
                client_since=since,
                status=status,
                billing_model=rng.choice(Client.BillingModel.values),
                payment_terms_days=rng.choice((14, 30, 30, 30, 45, 60)),
                has_written_contract=rng.random() < 0.7,
                referrals_sent=rng.choice((0, 0, 0, 1, 2, 5)),
                long_standing=rng.random() < 0.15,
                offboarded_on=(
                    today - timedelta(days=rng.randint(1, 300))
                    if status == Client.Status.OFFBOARDED
                    else None
                ),
            )
        )
    return _bulk(Client, rows, progress, "clients")


def _contacts(
    rng: random.Random, business: Business, clients: list[Client], progress: Progress
) -> dict[int, list[Contact]]:
    rows = []
    for client in clients:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            rows.append(
                Contact(
                    business=business,
                    client=client,
                    name=f"{first} {last}",
                    role=rng.choice(_ROLES),
                    email=f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.test",
                )
            )
    by_client: dict[int, list[Contact]] = {}
    for contact in _bulk(Contact, rows, progress, "contacts"):
        by_client.setdefault(contact.client_id, []).append(contact)
    return by_client


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


def _incidents(
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
    moments = sorted(_moment(rng, today, HISTORY_DAYS, tz) for _ in range(size.incidents))
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


def _versions(
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


def _invoices(
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


def _time_entries(
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


def _flags(
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
    made = _bulk(AbuseFlag, rows, progress, "abuse flags")
    links = [
        AbuseFlag.incidents.through(abuseflag_id=flag.pk, incident_id=abusive[flag.contact_id].pk)
        for flag in made
    ]
    AbuseFlag.incidents.through.objects.bulk_create(links, batch_size=BATCH)
    return len(made)


def _assessments(
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
    made = _bulk(Assessment, rows, progress, "assessments")
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
    _bulk(AssessmentAnswer, answers, progress, "assessment answers")
    return len(made)
