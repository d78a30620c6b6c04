"""Demo step: a ready offboarding plan for each demo client whose review ended in Fire.

Runs after the reviews (`assessments.demo_reviews`). Plans go through the same service
as the plan form, so their PDFs are built by the task: in-process when no broker is
set (`make run`), by the worker otherwise. A client whose Fire review already has a
plan is skipped, so `seed_demo` can run again. The demo reviews were completed today,
so the PDFs say DRAFT until the cooling-off period ends, as a real plan would.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Business, User
from assessments.models import Assessment, OffboardingPlan, ReferralPartner
from assessments.plan import check_choices, default_choices
from assessments.services.plans import create_plan, load_situation

DEMO_PARTNERS = (
    ("Fjord & Field Agency", "full-size agency for growing brands", "hello@fjordfield.example"),
    ("Μαρία Κωνσταντίνου", "freelance designer for smaller budgets", "+30 210 555 0101"),
    (
        "스튜디오 하늘 (Studio Haneul)",
        "bilingual Korean and English design",
        "studio@haneul.example",
    ),
)


def demo_partners(business: Business) -> list[ReferralPartner]:
    partners = []
    for name, speciality, contact in DEMO_PARTNERS:
        partner, _created = ReferralPartner.objects.get_or_create(
            business=business, name=name, defaults={"speciality": speciality, "contact": contact}
        )
        partners.append(partner)
    return partners


def plan_demo_fire_clients(business: Business, owner: User) -> list[OffboardingPlan]:
    """A plan, with the form's defaults, for every Fire review that has none yet."""
    partners = demo_partners(business)
    reviews = (
        Assessment.objects.filter(
            business=business, status=Assessment.Status.COMPLETE, verdict=Assessment.Verdict.FIRE
        )
        .exclude(plans__isnull=False)
        .select_related("client", "business")
        .order_by("client__name")
    )
    made = []
    for review in reviews:
        situation = load_situation(review)
        choices = default_choices(situation)
        chosen = []
        if not situation.safety:  # no referral is owed to an abusive client
            chosen = partners[:2]
            choices["partners"] = chosen
        choices["reason_fact"] = choices["reason_fact"] or _(
            "Our work together has not been going the way either of us hoped."
        )
        choices["private_notes"] = _("Demo plan: built with the defaults the plan form proposes.")
        check_choices(situation, choices)  # fills in the goodwill invoice and amount
        made.append(create_plan(assessment=review, choices=choices, partners=chosen, user=owner))
    return made
