"""The demo business, "Demo Studio": built by `manage.py seed_demo`, idempotently.

Dates are relative to today so the demo never goes stale. Each demo client is one
function that tells its story; between them they show every red flag of the
domain brief. A client that already exists (by name) is skipped whole, so running
the command twice adds nothing. Incidents go through `record_incident`, so the
hash chain of the demo business verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Business, Membership, User
from assessments.demo.plans import plan_demo_fire_clients
from assessments.demo.reviews import review_demo_clients
from assessments.models import (
    AbuseFlag,
    Client,
    Contact,
    Delivery,
    Incident,
    Invoice,
    TimeEntry,
)
from assessments.services.incidents import record_incident

DEMO_BUSINESS = "Demo Studio"
DEMO_PASSWORD = "clientreview-demo"  # noqa: S105 - published demo credentials
DEMO_OWNER = "owner@example.com"
DEMO_STAFF = "staff@example.com"

C = Incident.Category
S = Incident.Severity
CH = Incident.Channel
K = TimeEntry.Kind


def _user(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@dataclass(frozen=True)
class Demo:
    business: Business
    owner: User
    staff: User
    today: date

    def at(self, days_ago: int, hour: int, minute: int = 0) -> datetime:
        """An aware moment `days_ago` days back, at a local time of the business."""
        day = self.today - timedelta(days=days_ago)
        return datetime.combine(day, time(hour, minute), tzinfo=self.business.tzinfo)

    def new_client(self, name: str, **fields) -> Client | None:
        """The client, or None when it exists already (then its story is not told again)."""
        if Client.objects.filter(business=self.business, name=name).exists():
            return None
        return Client.objects.create(business=self.business, name=name, **fields)

    def contact(self, client: Client, name: str, role: str, email: str, phone: str) -> Contact:
        return Contact.objects.create(
            business=self.business, client=client, name=name, role=role, email=email, phone=phone
        )

    def incident(
        self,
        client: Client,
        days_ago: int,
        hour: int,
        category: str,
        description: str,
        *,
        severity: str = S.MEDIUM,
        channel: str = CH.PHONE,
        contact: Contact | None = None,
        by: User | None = None,
        witnesses: str = "",
        minute: int = 0,
        delivery: Delivery | None = None,
    ) -> Incident:
        occurred = self.at(days_ago, hour, minute)
        return record_incident(
            business=self.business,
            client=client,
            author=by or self.owner,
            contact=contact,
            category=category,
            severity=severity,
            occurred_at=occurred,
            channel=channel,
            outside_hours=not self.business.is_within_contact_hours(occurred),
            description=description,
            witnesses=witnesses,
            delivery=delivery,
        )

    def delivery(self, client: Client, days_ago: int, title: str) -> Delivery:
        return Delivery.objects.create(
            business=self.business,
            client=client,
            delivered_on=self.today - timedelta(days=days_ago),
            title=title,
            recorded_by=self.staff,
        )

    def monthly_invoices(
        self,
        client: Client,
        prefix: str,
        amount: str,
        *,
        months: int = 12,
        late: list[int | None] | int = 0,
        disputed: dict[int, str] | None = None,
        discounts: dict[int, str] | None = None,
    ) -> None:
        """One invoice a month, oldest first. `late[i]`: days after due it was paid; None: open."""
        rows = []
        for i in range(months):
            issued = _month_start(self.today, months - 1 - i)
            due = issued + timedelta(days=client.payment_terms_days)
            days_late = late[i] if isinstance(late, list) else late
            paid = None if days_late is None else due + timedelta(days=days_late)
            note = (disputed or {}).get(i, "")
            rows.append(
                Invoice(
                    business=self.business,
                    client=client,
                    number=f"{prefix}-{i + 1:03d}",
                    issued_on=issued,
                    due_on=due,
                    amount=Decimal(amount),
                    paid_on=paid if paid and paid <= self.today else None,
                    disputed=bool(note),
                    dispute_note=note,
                    discount_pushed=Decimal((discounts or {}).get(i, "0")),
                )
            )
        Invoice.objects.bulk_create(rows)

    def time_entries(
        self, client: Client, entries: list[tuple[int, int, str, str]], *, who: User | None = None
    ) -> None:
        """Time entries as (days ago, minutes, kind, note)."""
        TimeEntry.objects.bulk_create(
            TimeEntry(
                business=self.business,
                client=client,
                date=self.today - timedelta(days=days),
                minutes=minutes,
                kind=kind,
                user=who or self.staff,
                cost_rate=self.business.staff_cost_rate,
                note=note,
            )
            for days, minutes, kind, note in entries
        )

    def monthly_time(self, client: Client, per_month: list[tuple[int, str, str]]) -> None:
        """The same pattern of work every month for a year: (minutes, kind, note) per entry."""
        entries = []
        for month in range(12):
            for n, (minutes, kind, note) in enumerate(per_month):
                entries.append((month * 30 + 2 + n * 3, minutes, kind, note))
        self.time_entries(client, entries)


def _month_start(today: date, months_back: int) -> date:
    """The first day of the month `months_back` months before today's."""
    month = today.month - 1 - months_back
    return date(today.year + month // 12, month % 12 + 1, 1)


def kraken_logistics(demo: Demo) -> None:
    """Verbally and physically abusive; the operations director is flagged by staff."""
    client = demo.new_client(
        "Kraken Logistics",
        client_since=demo.today - timedelta(days=700),
        status=Client.Status.UNDER_REVIEW,
        billing_model=Client.BillingModel.RETAINER,
        has_written_contract=True,
        contract_terms="Monthly retainer: 30 hours of design work.",
    )
    if client is None:
        return
    viktor = demo.contact(
        client,
        "Виктор Петров (Viktor Petrov)",
        "Operations director",
        "viktor.petrov@kraken.example",
        "+44 20 7946 0101",
    )
    demo.contact(client, "Anna Berg", "Accounts", "accounts@kraken.example", "+44 20 7946 0102")
    shouted = demo.incident(
        client,
        75,
        11,
        C.VERBAL_ABUSE,
        severity=S.HIGH,
        contact=viktor,
        by=demo.staff,
        description="Viktor shouted at Sam for ten minutes about a late proof, called him "
        "'useless' and 'an idiot', and hung up.",
    )
    belittled = demo.incident(
        client,
        40,
        15,
        C.HARASSMENT,
        severity=S.HIGH,
        contact=viktor,
        channel=CH.IN_PERSON,
        description="In the review meeting he mocked Maria's accent and commented on her "
        "appearance in front of his team.",
        witnesses="Sam Staff",
    )
    thrown = demo.incident(
        client,
        20,
        10,
        C.PHYSICAL_ABUSE,
        severity=S.CRITICAL,
        contact=viktor,
        by=demo.staff,
        channel=CH.IN_PERSON,
        witnesses="Maria Costa",
        description="At the site meeting he threw the printed plans across the table and "
        "stepped towards Sam with a raised fist. Sam left the room.",
    )
    threat = demo.incident(
        client,
        12,
        21,
        C.THREAT,
        severity=S.CRITICAL,
        contact=viktor,
        minute=40,
        description="Phoned at 21:40: said he would 'make sure we never work in this town "
        "again' and that Sam 'should watch himself'.",
    )
    demo.incident(
        client,
        8,
        14,
        C.REPUTATION_THREAT,
        severity=S.HIGH,
        contact=viktor,
        channel=CH.EMAIL,
        description="E-mailed that he will post one-star reviews everywhere and call the "
        "local paper unless we redo the campaign for free.",
    )
    flag = AbuseFlag.objects.create(
        business=demo.business,
        contact=viktor,
        raised_by=demo.staff,
        raised_at=demo.at(12, 22),
        review_on=demo.today + timedelta(days=78),
        reason="Shouts, insults and threatens staff; threw the plans at the site meeting. "
        "Nobody meets him alone.",
    )
    flag.incidents.set([shouted, belittled, thrown, threat])
    demo.monthly_invoices(client, "KRK", "1800.00", late=4)
    demo.monthly_time(client, [(600, K.BILLABLE, "Campaign design"), (240, K.MEETING, "")])


def omega_real_estate(demo: Demo) -> None:
    """Pays 90 to 120 days late, despite clear 30-day terms; says the money was sent."""
    client = demo.new_client(
        "Ωμέγα Ακίνητα (Omega Real Estate)",
        client_since=demo.today - timedelta(days=1100),
        has_written_contract=True,
        contract_terms="Payment within 30 days of invoice.",
    )
    if client is None:
        return
    giorgos = demo.contact(
        client,
        "Γιώργος Παπαδόπουλος",
        "Managing director",
        "g.papadopoulos@omega.example",
        "+30 21 0000 1234",
    )
    demo.monthly_invoices(
        client, "OMG", "2400.00", late=[112, 98, 118, 105, 95, 101, 109, 97, None, None, None, None]
    )
    demo.monthly_time(client, [(480, K.BILLABLE, "Listings and brochures"), (60, K.MEETING, "")])
    for days in (80, 33):
        demo.incident(
            client,
            days,
            10,
            C.LYING,
            contact=giorgos,
            channel=CH.PHONE,
            description="Said the overdue invoices were paid last week; the bank shows nothing "
            "and no remittance ever arrived.",
        )
    demo.incident(
        client,
        15,
        12,
        C.PAYMENT_DISPUTE,
        contact=giorgos,
        channel=CH.EMAIL,
        description="Asked for another 60 days on four invoices already 90 days overdue.",
    )


def brightline_fitness(demo: Demo) -> None:
    """Pays about 1,000 a month and costs about 2,000 a month to serve."""
    client = demo.new_client(
        "Brightline Fitness",
        client_since=demo.today - timedelta(days=1500),
        billing_model=Client.BillingModel.RETAINER,
        has_written_contract=True,
        contract_terms="Retainer of 1,000 a month for social media posts: 8 posts a month.",
        notes="Treats the retainer as unlimited and asks for 'small favours' every week. "
        "Budget fixed for years: no potential for more work.",
    )
    if client is None:
        return
    demo.contact(client, "Chris Doyle", "Owner", "chris@brightline.example", "+44 161 496 0000")
    demo.monthly_invoices(client, "BRL", "1000.00", late=2)
    demo.monthly_time(
        client,
        [
            (600, K.BILLABLE, "Posts"),
            (600, K.HAND_HOLDING, "Walking Chris through the scheduler again"),
            (600, K.UNBILLED_SUPPORT, "Extra edits asked as favours"),
            (600, K.MEETING, "Weekly call that overruns"),
        ],
    )
    for days, text in (
        (70, "Asked for a full website redesign 'within the retainer'."),
        (45, "Wanted three extra videos this month at no charge and got angry when refused."),
        (10, "Asked us to manage their paid ads too, for the same fee."),
    ):
        demo.incident(client, days, 11, C.OUT_OF_SCOPE, description=text, channel=CH.EMAIL)
    demo.incident(
        client,
        25,
        16,
        C.UNREASONABLE_DEMAND,
        channel=CH.PHONE,
        description="Demanded same-day turnaround on a post they sent at 16:00 for 17:00.",
    )


def hanbit_design(demo: Demo) -> None:
    """Agrees up front, then disputes invoices, haggles and waves competitors' quotes."""
    client = demo.new_client(
        "한빛 디자인 (Hanbit Design)",
        client_since=demo.today - timedelta(days=600),
        billing_model=Client.BillingModel.FIXED,
        has_written_contract=True,
        contract_terms="Fixed price per project, agreed in writing before work starts.",
    )
    if client is None:
        return
    minjun = demo.contact(
        client,
        "김민준 (Kim Min-jun)",
        "Purchasing lead",
        "minjun.kim@hanbit.example",
        "+82 2 0000 5678",
    )
    demo.monthly_invoices(
        client,
        "HNB",
        "1500.00",
        months=10,
        late=[3, 20, 5, 31, 4, 26, 2, 18, 0, None],
        disputed={
            1: "Said the banner set was 'simpler than quoted' after approving it.",
            3: "Disputed the agreed rate for revisions.",
            5: "Refused to pay for the second round they asked for.",
            7: "Claimed the fixed price included printing.",
        },
        discounts={1: "200.00", 5: "300.00", 7: "250.00"},
    )
    demo.monthly_time(client, [(900, K.BILLABLE, "Packaging design")])
    for days, text in (
        (60, "Asked for 15% off the invoice after signing off the work."),
        (30, "Refused to pay until we cut 300 from an agreed fixed price."),
        (9, "Disputed the revision fee written in the contract."),
    ):
        demo.incident(
            client, days, 14, C.PAYMENT_DISPUTE, contact=minjun, description=text, channel=CH.EMAIL
        )
    demo.incident(
        client,
        40,
        10,
        C.COMPETITOR_PRESSURE,
        contact=minjun,
        channel=CH.PHONE,
        description="Halfway through the project, sent a rival's quote 30% lower and asked "
        "us to match it.",
    )
    demo.incident(
        client,
        14,
        11,
        C.COMPETITOR_PRESSURE,
        contact=minjun,
        channel=CH.EMAIL,
        description="Said another studio would do it in half the time; wants our deadline "
        "moved up without extra fee.",
    )


def lastochka_studio(demo: Demo) -> None:
    """Keeps changing their mind; "that's not quite it"; ignored advice, then blamed us."""
    client = demo.new_client(
        "Студия Ласточка (Lastochka Studio)",
        client_since=demo.today - timedelta(days=400),
        billing_model=Client.BillingModel.FIXED,
        referrals_sent=1,
        notes="Feedback is only ever 'that's not quite it'; no decision without three rounds.",
    )
    if client is None:
        return
    olga = demo.contact(
        client, "Ольга Смирнова", "Creative director", "olga@lastochka.example", "+7 495 000 0000"
    )
    demo.monthly_invoices(client, "LST", "750.00", late=6)
    for days, text in (
        (80, "Changed the brand colours after the logo was approved."),
        (55, "Wants the brochure in landscape now; it was approved in portrait."),
        (35, "Dropped the agreed typeface for a new one after the proofs."),
        (12, "Asked to go back to the first concept after three rounds."),
    ):
        demo.incident(
            client, days, 12, C.CHANGED_MIND, contact=olga, description=text, channel=CH.EMAIL
        )
    # A complaint after each of the last five deliveries (article 003's own example).
    for delivered, title, days, text in (
        (150, "Logo, final files", 146, "Said the final logo 'lacks energy'; no detail."),
        (112, "Brand guidelines", 109, "Unhappy with the guidelines she had approved in draft."),
        (73, "Brochure, fourth draft", 70, "'That's not quite it' on the fourth draft, no detail."),
        (42, "Brochure, print files", 40, "Unhappy with the delivery again; could not say why."),
        (20, "Product photos", 18, "Said the photos were 'not quite it', having chosen them."),
    ):
        demo.incident(
            client,
            days,
            15,
            C.COMPLAINT,
            contact=olga,
            description=text,
            severity=S.LOW,
            channel=CH.EMAIL,
            delivery=demo.delivery(client, delivered, title),
        )
    demo.incident(
        client,
        50,
        11,
        C.IGNORED_ADVICE,
        contact=olga,
        channel=CH.PHONE,
        description="Skipped the print proof we advised, then blamed us for the colour "
        "mismatch and asked for a free reprint.",
    )
    demo.time_entries(
        client,
        [(d, 240, K.REWORK, "Another round of changes") for d in (78, 53, 33, 11)]
        + [(d, 300, K.BILLABLE, "Design") for d in (90, 60, 30)],
    )


def nightowl_media(demo: Demo) -> None:
    """Calls and messages outside agreed hours; decides late, expects on time."""
    client = demo.new_client(
        "Nightowl Media",
        client_since=demo.today - timedelta(days=500),
        referrals_sent=2,
    )
    if client is None:
        return
    jamie = demo.contact(
        client, "Jamie Lee", "Founder", "jamie@nightowl.example", "+1 212 555 0100"
    )
    demo.monthly_invoices(client, "NGT", "1200.00", late=3)
    demo.monthly_time(client, [(720, K.BILLABLE, "Video edits"), (120, K.UNBILLED_SUPPORT, "")])
    for days, hour, channel, text in (
        (80, 23, CH.PHONE, "Called at 23:10 about a caption."),
        (62, 6, CH.MESSAGE, "Series of messages from 06:15 asking for changes 'before nine'."),
        (41, 22, CH.PHONE, "Phoned at 22:30 on a Friday about Monday's edit."),
        (27, 21, CH.MESSAGE, "Messages through the evening, angry at no reply within the hour."),
        (6, 23, CH.PHONE, "Called twice after 23:00 about the launch video."),
    ):
        demo.incident(
            client,
            days,
            hour,
            C.OUT_OF_HOURS,
            contact=jamie,
            channel=channel,
            description=text,
            by=demo.staff,
        )
    demo.incident(
        client,
        20,
        18,
        C.UNREASONABLE_DEMAND,
        contact=jamie,
        channel=CH.EMAIL,
        description="Chose the launch colours the evening before launch and expected the "
        "finished video by the next morning.",
    )


def greenleaf_bakery(demo: Demo) -> None:
    """The long-standing good client: pays early, refers friends, a pleasure to work with."""
    client = demo.new_client(
        "Greenleaf Bakery",
        client_since=demo.today - timedelta(days=4000),
        long_standing=True,
        referrals_sent=6,
        has_written_contract=True,
        billing_model=Client.BillingModel.RETAINER,
        contract_terms="Yearly agreement: packaging, menus and the website.",
        notes="Our first client. Sends us a new customer most years.",
    )
    if client is None:
        return
    demo.contact(client, "Mary O'Brien", "Owner", "mary@greenleaf.example", "+353 1 555 0199")
    demo.monthly_invoices(client, "GRN", "3500.00", late=0)
    demo.monthly_time(client, [(1500, K.BILLABLE, "Menus and packaging"), (60, K.MEETING, "")])


def fjordlight_architects(demo: Demo) -> None:
    """Simply fine: pays on time, clear briefs, nothing to report."""
    client = demo.new_client(
        "Fjordlight Architects",
        client_since=demo.today - timedelta(days=900),
        referrals_sent=1,
        has_written_contract=True,
    )
    if client is None:
        return
    demo.contact(
        client, "Sigríður Jónsdóttir", "Partner", "sigga@fjordlight.example", "+354 555 0000"
    )
    demo.monthly_invoices(client, "FJD", "900.00", late=0)
    demo.monthly_time(client, [(420, K.BILLABLE, "Project boards")])


def apex_property(demo: Demo) -> None:
    """Dishonest and asks for the unethical: a legal liability that no longer fits our values."""
    client = demo.new_client(
        "Apex Property Partners",
        client_since=demo.today - timedelta(days=300),
        status=Client.Status.UNDER_REVIEW,
        notes="Their way of doing business no longer fits our values.",
    )
    if client is None:
        return
    dimitris = demo.contact(
        client, "Δημήτρης Κωνσταντίνου", "Director", "d.k@apex.example", "+30 231 000 0000"
    )
    demo.monthly_invoices(client, "APX", "800.00", months=8, late=12)
    demo.monthly_time(client, [(420, K.BILLABLE, "Sales brochures")])
    demo.incident(
        client,
        85,
        10,
        C.LYING,
        contact=dimitris,
        channel=CH.EMAIL,
        description="Claims the signed proposal included translation into three languages; "
        "it does not.",
    )
    demo.incident(
        client,
        45,
        16,
        C.LYING,
        contact=dimitris,
        channel=CH.PHONE,
        description="Told his board we had agreed to a discount we never discussed.",
    )
    demo.incident(
        client,
        30,
        11,
        C.UNETHICAL_REQUEST,
        contact=dimitris,
        severity=S.HIGH,
        description="Asked us to backdate invoices into last tax year.",
    )
    demo.incident(
        client,
        16,
        14,
        C.LEGAL_RISK,
        contact=dimitris,
        severity=S.HIGH,
        channel=CH.EMAIL,
        description="Wants brochure photos of buildings they do not own and have no licence "
        "for, and floor areas we know to be wrong.",
    )


# Add a demo client: write its function above and list it here.
DEMO_CLIENTS = (
    kraken_logistics,
    omega_real_estate,
    brightline_fitness,
    hanbit_design,
    lastochka_studio,
    nightowl_media,
    greenleaf_bakery,
    fjordlight_architects,
    apex_property,
)


@transaction.atomic
def seed_demo() -> Business:
    business, _ = Business.objects.get_or_create(
        name=DEMO_BUSINESS,
        defaults={"time_zone": "Europe/London", "currency": "EUR"},
    )
    owner = _user(DEMO_OWNER, "Olivia Owner")
    staff = _user(DEMO_STAFF, "Sam Staff")
    Membership.objects.update_or_create(
        user=owner, business=business, defaults={"role": Membership.Role.OWNER}
    )
    Membership.objects.update_or_create(
        user=staff, business=business, defaults={"role": Membership.Role.STAFF}
    )
    demo = Demo(
        business=business,
        owner=owner,
        staff=staff,
        today=timezone.localdate(timezone=business.tzinfo),
    )
    for tell_story in DEMO_CLIENTS:
        tell_story(demo)

    # --- Later steps of the demo go here (each idempotent, after the clients exist): ---
    # complete an assessment for each demo client; build a ready plan for the Fire client.
    review_demo_clients(business, owner)
    plan_demo_fire_clients(business, owner)
    return business
