"""Business A with one of everything, business B with a few rows of its own.

Every row of A carries a distinctive string (`World.secrets`), so a test can say
"none of A's data is in this response" by looking for those strings, and
`snapshot()` reads every row of A so a test can say "nothing of A changed".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from accounts.models import AuditEvent, Business, Invitation, Membership, User
from assessments import models as domain
from assessments.services import assessment as assessment_services
from assessments.services.evidence import add_evidence
from assessments.services.flags import flag_contact
from tests import factories

CLIENT_NAME = "Zephyrine Quarry Holdings"
CONTACT_NAME = "Thaddeus Vellacott"
INCIDENT_TEXT = "ALPHA-SECRET-INCIDENT shouted about the quarry invoice"
INVOICE_NUMBER = "INV-ZQ-4471"
PARTNER_NAME = "Marrowgate Referral Partners"
FLAG_REASON = "ALPHA-SECRET-FLAG threatened our designer"
PLAN_FACT = "ALPHA-SECRET-FACT nine invoices paid late"
TIME_NOTE = "ALPHA-SECRET-TIME rework of the quarry site"
DELIVERY_TITLE = "ALPHA-SECRET-DELIVERY quarry signage, final files"
EVIDENCE_NAME = "alpha-secret-evidence.txt"
PREVIEW_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
EVIDENCE_BYTES = b"ALPHA-SECRET-EVIDENCE what Thaddeus wrote\n"
PLAN_PDF_BYTES = b"%PDF-1.4\n% ALPHA-SECRET-PDF\n%%EOF\n"
LOG_PDF_BYTES = b"%PDF-1.4\n% ALPHA-SECRET-LOG\n%%EOF\n"
LOG_CSV_BYTES = "\ufeffIncident log,ALPHA-SECRET-LOG\n".encode()
INVITEE_EMAIL = "invitee@alpha.test"

# What may never reach anyone outside business A.
DATA_SECRETS = (
    CLIENT_NAME,
    CONTACT_NAME,
    "ALPHA-SECRET",
    INVOICE_NUMBER,
    PARTNER_NAME,
    EVIDENCE_NAME,
)
PEOPLE_SECRETS = ("Alpha Studio", "owner@alpha.test", "staff@alpha.test", "Stan Staff")


@dataclass
class World:
    business: Business
    owner: User
    staff: User
    other_business: Business
    outsider: User
    objects: dict[str, Any] = field(default_factory=dict)
    invitation_token: str = ""
    calendar_token: str = ""

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def secrets(self) -> tuple[str, ...]:
        return DATA_SECRETS + PEOPLE_SECRETS


def _reason(flag: str, title: str, tier: str, fact: str) -> dict:
    return {"flag": flag, "title": title, "tier": tier, "facts": [{"text": fact, "links": []}]}


FIRE_REASONS = [
    _reason("slow_to_pay", "Consistently slow to pay", "Serious", "Paid 6 invoices late."),
    _reason("not_profitable", "Not profitable", "Serious", "Costs twice what it pays."),
    _reason("complains", "Constantly complains", "Moderate", "5 complaints in 90 days."),
]


def _completed_fire_review(client) -> domain.Assessment:
    """A completed Fire review, as the assessment service leaves it, past its cooling-off."""
    assessment = domain.Assessment.objects.create(
        business=client.business,
        client=client,
        status=domain.Assessment.Status.COMPLETE,
        step=domain.Assessment.Step.VERDICT,
        verdict="fire",
        rule="serious_combination",
        rule_text="Two or more serious flags means Fire.",
        reasons=FIRE_REASONS,
        completed_at=timezone.now() - timedelta(days=4),
        act_not_before=timezone.localdate() - timedelta(days=1),
        likelihood_of_change="unlikely",
    )
    for reason in FIRE_REASONS:
        domain.AssessmentAnswer.objects.create(
            business=client.business, assessment=assessment, flag_key=reason["flag"], answer="yes"
        )
    return assessment


def _paid_invoice(client, number: str) -> domain.Invoice:
    issued = timezone.localdate() - timedelta(days=70)
    return factories.invoice(
        client,
        number=number,
        issued_on=issued,
        due_on=issued + timedelta(days=30),
        paid_on=issued + timedelta(days=35),
    )


def _partner(business, name: str) -> domain.ReferralPartner:
    return domain.ReferralPartner.objects.create(
        business=business, name=name, speciality="full-size agency", contact="hello@p.test"
    )


def build_world(business, owner, staff, other_business, outsider) -> World:
    world = World(business, owner, staff, other_business, outsider)
    o = world.objects
    o["client"] = factories.client(business, name=CLIENT_NAME, notes="ALPHA-SECRET-NOTES")
    o["client2"] = factories.client(business, name="Second Alpha Client")
    o["contact"] = factories.contact(o["client"], name=CONTACT_NAME, email="thaddeus@zq.test")
    o["incident"] = factories.incident(
        o["client"], by=staff, contact=o["contact"], description=INCIDENT_TEXT
    )
    o["evidence"] = add_evidence(
        o["incident"],
        SimpleUploadedFile(EVIDENCE_NAME, EVIDENCE_BYTES, content_type="text/plain"),
        uploaded_by=staff,
    )
    # An image, so the preview URL answers 200 to members (text has no preview).
    o["image_evidence"] = add_evidence(
        o["incident"],
        SimpleUploadedFile("alpha-photo.png", PREVIEW_PNG, content_type="image/png"),
        uploaded_by=staff,
    )
    today = timezone.localdate()
    o["invoice"] = factories.invoice(
        o["client"], number=INVOICE_NUMBER, issued_on=today - timedelta(days=40)
    )
    o["paid_invoice"] = _paid_invoice(o["client"], "INV-ZQ-4470")
    o["time_entry"] = factories.time_entry(o["client"], user=staff, note=TIME_NOTE)
    o["expense"] = domain.Expense.objects.create(
        business=business, client=o["client"], date=today, amount="42.00", note="Train fare"
    )
    o["delivery"] = factories.delivery(
        o["client"], title=DELIVERY_TITLE, invoice=o["invoice"], recorded_by=staff
    )
    o["flag"] = flag_contact(contact=o["contact"], raised_by=staff, reason=FLAG_REASON)
    o["partner"] = _partner(business, PARTNER_NAME)
    # A completed Fire review with its plan (PDF ready), and one still without a plan.
    o["assessment"] = _completed_fire_review(o["client"])
    o["plan"] = _ready_plan(world, o["assessment"])
    o["log_export"] = _ready_log_export(world)
    o["paid_invoice2"] = _paid_invoice(o["client2"], "INV-ZQ-4469")
    o["fresh_assessment"] = _completed_fire_review(o["client2"])
    o["draft"] = _draft_at_verdict(o["client2"], owner)
    o["staff_membership"] = Membership.objects.get(business=business, user=staff)
    o["invitation"], world.invitation_token = _invitation(business, owner)
    o["thresholds"] = domain.EvidenceThresholds.objects.create(business=business)
    o["reminder"] = domain.Reminder.objects.create(
        business=business,
        client=o["client"],
        kind=domain.Reminder.Kind.COOLING_OFF_OVER,
        key=f"cooling_off_over:{o['assessment'].pk}",
        due_on=today,
        path=o["assessment"].get_absolute_url(),
    )
    world.calendar_token, token_hash = domain.CalendarFeed.new_token()
    domain.CalendarFeed.objects.create(user=owner, token_hash=token_hash)
    # Business B has rows too, so a filter that forgets the business shows B's data to A
    # (and A's to B) on list pages, and forms can be offered B's ids.
    o["b_client"] = factories.client(other_business, name="Bravo Lighthouse Ltd")
    o["b_contact"] = factories.contact(o["b_client"], name="Bruno Bravo")
    o["b_incident"] = factories.incident(o["b_client"], by=outsider, contact=o["b_contact"])
    o["b_invoice"] = factories.invoice(o["b_client"], number="INV-BRAVO-1")
    o["b_partner"] = _partner(other_business, "Bravo Partners")
    o["b_time_entry"] = factories.time_entry(o["b_client"], user=outsider)
    o["b_delivery"] = factories.delivery(o["b_client"], title="Bravo beacon, final files")
    return world


def _ready_plan(world: World, assessment) -> domain.OffboardingPlan:
    plan = domain.OffboardingPlan.objects.create(
        business=world.business,
        client=assessment.client,
        assessment=assessment,
        created_by=world.owner,
        reason_flag="slow_to_pay",
        reason_fact=PLAN_FACT,
        announce_on=timezone.localdate() + timedelta(days=5),
        status=domain.OffboardingPlan.Status.READY,
        built_at=timezone.now(),
        goodwill_invoice=world.objects["paid_invoice"],
        goodwill=domain.OffboardingPlan.Goodwill.REFUND_LAST,
        provider_kind="a larger agency",
    )
    plan.file.save(f"plan-{plan.pk}.pdf", ContentFile(PLAN_PDF_BYTES), save=True)
    plan.partners.set([world.objects["partner"]])
    return plan


def _ready_log_export(world: World) -> domain.LogExport:
    export = domain.LogExport.objects.create(
        business=world.business,
        client=world.objects["client"],
        requested_by=world.owner,
        language="en",
        status=domain.LogExport.Status.READY,
        chain_ok=True,
        version_count=1,
        finished_at=timezone.now(),
    )
    export.pdf.save(f"log-{export.pk}.pdf", ContentFile(LOG_PDF_BYTES), save=False)
    export.csv.save(f"log-{export.pk}.csv", ContentFile(LOG_CSV_BYTES), save=True)
    return export


def _draft_at_verdict(client, owner) -> domain.Assessment:
    """A draft whose every step can be opened: checklist answered, likelihood given."""
    from assessments.redflags import CATALOGUE

    draft, _created = assessment_services.start_assessment(client, user=owner)
    answers = {flag.key: ("no", "") for flag in CATALOGUE}
    answers["slow_to_pay"] = ("yes", "ALPHA-SECRET-NOTE late again")
    assessment_services.save_answers(draft, answers, proposed=[])
    assessment_services.save_weighing(draft, likelihood="unlikely", long_standing=False, note="")
    assessment_services.go_to_step(draft, domain.Assessment.Step.VERDICT)
    draft.refresh_from_db()
    return draft


def _invitation(business, owner) -> tuple[Invitation, str]:
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        business=business,
        email=INVITEE_EMAIL,
        token_hash=token_hash,
        invited_by=owner,
        expires_at=Invitation.default_expiry(),
    )
    return invitation, token


# --- Snapshot of everything business A owns ----------------------------------------------

TENANT_MODELS: tuple[type[models.Model], ...] = (
    domain.Client,
    domain.Contact,
    domain.Incident,
    domain.IncidentVersion,
    domain.Evidence,
    domain.Invoice,
    domain.TimeEntry,
    domain.Delivery,
    domain.AbuseFlag,
    domain.Assessment,
    domain.AssessmentAnswer,
    domain.EvidenceThresholds,
    domain.OffboardingPlan,
    domain.LogExport,
    domain.ReferralPartner,
    domain.Reminder,
    Membership,
    Invitation,
    AuditEvent,
)


def snapshot(business: Business) -> dict[str, list]:
    """Every row business A owns (and its people's credentials), in a comparable form."""
    rows: dict[str, list] = {}
    for model in TENANT_MODELS:
        rows[model.__name__] = list(
            model.objects.filter(business=business).order_by("pk").values_list()
        )
    rows["Business"] = list(Business.objects.filter(pk=business.pk).values_list())
    rows["User"] = list(
        User.objects.filter(memberships__business=business)
        .order_by("pk")
        .values_list("pk", "email", "name", "password", "is_active")
    )
    rows["flag incidents"] = list(
        domain.AbuseFlag.incidents.through.objects.filter(abuseflag__business=business)
        .order_by("pk")
        .values_list()
    )
    rows["plan partners"] = list(
        domain.OffboardingPlan.partners.through.objects.filter(offboardingplan__business=business)
        .order_by("pk")
        .values_list()
    )
    return rows


def snapshot_diff(before: dict[str, list], after: dict[str, list]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]
