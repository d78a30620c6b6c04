"""Demo step: a completed review of each demo client, so the demo shows Keep, Watch and Fire.

Each review goes through the same services as the walk-through: the checklist
starts from what the evidence proposes, then the owner's judgement is added
where the story needs it (what the record cannot show: goodwill, fit,
indecision; or a proposal the owner doubts). A client that already has a
completed review is skipped, so `seed_demo` can run again.

Verdicts this gives (see each story): Fire for Kraken (abuse), Apex (dishonest,
unethical, legal risk) and Brightline (demands and unprofitable); Watch for
Omega (slow to pay), Hanbit (disputes and competitors, change likely),
Lastochka (moderate flags) and Nightowl (out of hours); Keep for Greenleaf and
Fjordlight.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Business, User
from assessments import evidence, scoring
from assessments.models import Assessment, Client
from assessments.redflags import CATALOGUE
from assessments.services import assessment as services

YES, NO, UNSURE = scoring.Answer.YES, scoring.Answer.NO, scoring.Answer.UNSURE
L = scoring.Likelihood


@dataclass(frozen=True)
class Judgement:
    """The owner's answers on top of the evidence: {flag key: (answer, note)}."""

    answers: dict[str, tuple[str, str]] = field(default_factory=dict)
    likelihood: str = L.POSSIBLE
    note: str = ""
    steps: tuple[str, ...] = ()


STORIES: dict[str, Judgement] = {
    "Kraken Logistics": Judgement(
        answers={"reputation_threat": (YES, "Threatened to 'tell everyone at the expo'.")},
        likelihood=L.UNLIKELY,
        note="Staff do not want to meet him again. Safety first.",
    ),
    "Ωμέγα Ακίνητα (Omega Real Estate)": Judgement(
        answers={
            "dishonest": (
                UNSURE,
                "'The money was sent' twice; could be their accounts department's muddle.",
            )
        },
        likelihood=L.POSSIBLE,
        note="A good brief and a big share of our work; the payments are the problem.",
        steps=("Ask for the three open invoices to be paid before the next job starts.",),
    ),
    "Brightline Fitness": Judgement(
        answers={
            "takes_advantage": (YES, "Treats the retainer as unlimited: 'small favours' weekly."),
        },
        likelihood=L.UNLIKELY,
        note="Two talks about the retainer changed nothing.",
    ),
    "한빛 디자인 (Hanbit Design)": Judgement(
        likelihood=L.LIKELY,
        note="Their new finance lead agreed fixed prices in writing from next quarter.",
        steps=("Send the fixed-price addendum for signature.",),
    ),
    "Студия Ласточка (Lastochka Studio)": Judgement(
        answers={
            "indecisive": (YES, "Feedback is only ever 'that's not quite it'."),
            "ignores_advice": (UNSURE, "Once so far, over the launch date."),
        },
        likelihood=L.POSSIBLE,
    ),
    "Nightowl Media": Judgement(
        likelihood=L.POSSIBLE,
        note="Billed by the hour, so the extra work is paid; the late calls are not.",
    ),
    "Greenleaf Bakery": Judgement(likelihood=L.LIKELY, note="Our first client."),
    "Fjordlight Architects": Judgement(likelihood=L.LIKELY),
    "Apex Property Partners": Judgement(
        answers={"no_longer_fits": (YES, "Backdating invoices is not who we are.")},
        likelihood=L.UNLIKELY,
    ),
}


def review_client(client: Client, owner: User, judgement: Judgement) -> Assessment:
    """Walk one client through the review, as an owner would, and complete it."""
    assessment, _created = services.start_assessment(client, user=owner)
    proposals = evidence.propose(evidence.gather(client))
    proposed, asked = evidence.proposed_keys(proposals), evidence.asked_keys(proposals)
    answers = {
        flag.key: (YES if flag.key in proposed else UNSURE if flag.key in asked else NO, "")
        for flag in CATALOGUE
    }
    answers.update(judgement.answers)
    services.save_answers(assessment, answers, proposed=proposed)
    services.save_weighing(
        assessment,
        likelihood=judgement.likelihood,
        # The demo owner answers the question; not recorded on the client means "no".
        long_standing=bool(client.long_standing),
        note=judgement.note,
    )
    return services.complete_assessment(assessment, extra_steps=judgement.steps)


def review_demo_clients(business: Business, owner: User) -> None:
    """A completed review for every client of the demo business that has none yet."""
    done = set(
        Assessment.objects.filter(business=business, status=Assessment.Status.COMPLETE).values_list(
            "client_id", flat=True
        )
    )
    for client in Client.objects.filter(business=business).select_related("business"):
        if client.pk not in done:
            review_client(client, owner, STORIES.get(client.name, Judgement()))
