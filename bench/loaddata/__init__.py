"""A large, realistic data set for measuring pages at scale (`python bench/generate_load_data.py`).

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
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from accounts.models import Business, Membership, User
from assessments.models import (
    Client,
    Contact,
    Delivery,
    Incident,
    IncidentVersion,
    Invoice,
    TimeEntry,
)
from bench.loaddata import history
from bench.loaddata.history import Progress
from bench.loaddata.size import Size

PASSWORD = "clientreview-demo"  # noqa: S105 - published load-test credentials
DEFAULT_BUSINESS = "Load Test Company"
SMALL_BUSINESSES = 3
SMALL_CLIENTS = 20


class LoadDataExists(Exception):
    """The named business already exists: the data is generated once per name."""


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
    trouble_cum = history.cumulative(history.skewed_weights(rng, len(clients), 1.2))
    money_cum = history.cumulative(history.skewed_weights(rng, len(clients), 1.5))
    rows = history.incidents(rng, business, clients, contacts, trouble_cum, size, today, people)
    delivered = history.bulk(
        Delivery, history.deliveries(business, clients, today), progress, "deliveries"
    )
    tied = history.tie_complaints(rows, delivered, business.tzinfo)
    incidents = history.bulk(Incident, rows, progress, "incidents")
    versions = history.versions(rng, business, incidents)
    history.bulk(IncidentVersion, versions, progress, "incident versions")
    rows = history.invoices(rng, business, clients, money_cum, size, today)
    invoices = history.bulk(Invoice, rows, progress, "invoices")
    rows = history.time_entries(rng, business, clients, trouble_cum, size, today, people)
    entries = history.bulk(TimeEntry, rows, progress, "time entries")
    flags = history.flags(rng, business, contacts, incidents, people, today, progress)
    assessed = history.assessments(rng, business, clients, today, people[0], progress)
    return {
        "clients": len(clients),
        "contacts": sum(len(group) for group in contacts.values()),
        "deliveries": len(delivered),
        "complaints_about_a_delivery": tied,
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
    return history.bulk(Client, rows, progress, "clients")


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
    for contact in history.bulk(Contact, rows, progress, "contacts"):
        by_client.setdefault(contact.client_id, []).append(contact)
    return by_client
