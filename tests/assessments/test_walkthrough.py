"""The review walk-through: personas, every verdict, drafts, immutability, query counts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import AbuseFlag, Assessment, AssessmentAnswer, Client
from assessments.redflags import CATALOGUE
from assessments.services import assessment as services
from tests import factories

pytestmark = pytest.mark.django_db

STEP_VIEWS = [
    "assessment_evidence",
    "assessment_checklist",
    "assessment_weighing",
    "assessment_verdict",
]


@pytest.fixture
def acme(business):
    business.cooling_off_days = 5
    business.save(update_fields=["cooling_off_days"])
    return factories.client(business, name="Acme", billing_model="fixed", referrals_sent=2)


def url(name: str, pk: int) -> str:
    return reverse(f"assessments:{name}", args=[pk])


def today_for(client: Client):
    return timezone.localdate(timezone=client.business.tzinfo)


def checklist(answers: dict[str, str] | None = None, go: str = "next", **notes) -> dict:
    data = {"go": go}
    for flag in CATALOGUE:
        data[f"answer_{flag.key}"] = (answers or {}).get(flag.key, "no")
        data[f"note_{flag.key}"] = notes.get(flag.key, "")
    return data


def start(http, client: Client) -> Assessment:
    response = http.post(url("assessment_start", client.pk))
    assert response.status_code == 302
    return Assessment.objects.filter(client=client).order_by("-id").first()


def walk(
    http,
    client: Client,
    answers: dict[str, str],
    likelihood: str = "unlikely",
    verdict: dict | None = None,
    **notes,
) -> Assessment:
    assessment = start(http, client)
    assert http.post(url("assessment_evidence", assessment.pk), {"go": "next"}).status_code == 302
    response = http.post(url("assessment_checklist", assessment.pk), checklist(answers, **notes))
    assert response.status_code == 302, response.context["form"].errors
    response = http.post(
        url("assessment_weighing", assessment.pk),
        {
            "likelihood_of_change": likelihood,
            "long_standing": "false",
            "weighing_note": "",
            "go": "next",
        },
    )
    assert response["Location"] == url("assessment_verdict", assessment.pk)
    assert http.get(url("assessment_verdict", assessment.pk)).status_code == 200
    response = http.post(url("assessment_complete", assessment.pk), verdict or {})
    assert response["Location"] == url("assessment_detail", assessment.pk)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def draft(acme, owner):
    assessment, _ = services.start_assessment(acme, user=owner)
    return assessment


@pytest.fixture
def complete(acme, owner_client):
    return walk(owner_client, acme, {"complains": "yes"})


# --- Personas -----------------------------------------------------------------------


@pytest.mark.parametrize("name", [*STEP_VIEWS, "assessment_detail"])
def test_step_pages_personas(name, draft, anon_client, staff_client, outsider_client):
    target = url(name, draft.pk)
    response = anon_client.get(target)
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert staff_client.get(target).status_code == 403
    assert staff_client.post(target, checklist()).status_code == 403
    assert outsider_client.get(target).status_code == 404
    assert outsider_client.post(target, checklist()).status_code == 404
    assert not AssessmentAnswer.objects.exists()


def test_start_and_complete_personas(acme, draft, anon_client, staff_client, outsider_client):
    for name, pk in (("assessment_start", acme.pk), ("assessment_complete", draft.pk)):
        response = anon_client.post(url(name, pk))
        assert response.status_code == 302
        assert "/login" in response["Location"]
        assert staff_client.post(url(name, pk)).status_code == 403
        assert outsider_client.post(url(name, pk)).status_code == 404
    assert Assessment.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_start_and_complete_refuse_get(acme, draft, owner_client):
    assert owner_client.get(url("assessment_start", acme.pk)).status_code == 405
    assert owner_client.get(url("assessment_complete", draft.pk)).status_code == 405


def test_client_page_offers_start_then_resume_to_owners_only(acme, owner_client, staff_client):
    page = owner_client.get(url("client_detail", acme.pk)).content.decode()
    assert "Start a review" in page
    assessment = start(owner_client, acme)
    page = owner_client.get(url("client_detail", acme.pk)).content.decode()
    assert "Resume review" in page
    assert url("assessment_detail", assessment.pk) in page
    staff_page = staff_client.get(url("client_detail", acme.pk)).content.decode()
    assert "Resume review" not in staff_page
    assert url("assessment_start", acme.pk) not in staff_page


# --- Starting and resuming ----------------------------------------------------------


def test_start_creates_one_draft_and_then_resumes_it(acme, owner_client, owner):
    acme.long_standing = True
    acme.save(update_fields=["long_standing"])
    response = owner_client.post(url("assessment_start", acme.pk))
    assessment = Assessment.objects.get()
    assert response["Location"] == url("assessment_evidence", assessment.pk)
    assert assessment.status == Assessment.Status.DRAFT
    assert assessment.created_by == owner
    # The weighing is pre-filled from the client.
    assert assessment.long_standing is True
    owner_client.post(url("assessment_evidence", assessment.pk), {"go": "next"})
    owner_client.post(url("assessment_checklist", assessment.pk), checklist(go="save"))
    response = owner_client.post(url("assessment_start", acme.pk))
    assert Assessment.objects.count() == 1
    assert response["Location"] == url("assessment_checklist", assessment.pk)


def test_leaving_a_draft_keeps_answers_and_step(draft, owner_client, acme):
    response = owner_client.post(
        url("assessment_checklist", draft.pk),
        checklist({"slow_to_pay": "yes", "indecisive": "unsure"}, go="save", indecisive="Maybe."),
    )
    assert response["Location"] == url("client_detail", acme.pk)
    draft.refresh_from_db()
    assert draft.step == Assessment.Step.CHECKLIST
    rows = {a.flag_key: a for a in draft.answers.all()}
    assert len(rows) == 19
    assert (rows["slow_to_pay"].answer, rows["indecisive"].answer) == ("yes", "unsure")
    assert rows["indecisive"].note == "Maybe."
    # Coming back shows the saved answers, not the evidence's pre-fill.
    form = owner_client.get(url("assessment_checklist", draft.pk)).context["form"]
    assert form["answer_slow_to_pay"].value() == "yes"
    assert form["answer_indecisive"].value() == "unsure"


def test_back_keeps_answers_and_goes_back(draft, owner_client):
    response = owner_client.post(
        url("assessment_checklist", draft.pk), checklist({"complains": "yes"}, go="back")
    )
    assert response["Location"] == url("assessment_evidence", draft.pk)
    assert draft.answers.get(flag_key="complains").answer == "yes"
    owner_client.post(url("assessment_checklist", draft.pk), checklist({"complains": "yes"}))
    response = owner_client.post(
        url("assessment_weighing", draft.pk), {"likelihood_of_change": "possible", "go": "back"}
    )
    assert response["Location"] == url("assessment_checklist", draft.pk)
    draft.refresh_from_db()
    assert draft.likelihood_of_change == "possible"
    assert draft.step == Assessment.Step.CHECKLIST


def test_later_steps_wait_for_earlier_ones(draft, owner_client):
    response = owner_client.get(url("assessment_weighing", draft.pk))
    assert response["Location"] == url("assessment_checklist", draft.pk)
    owner_client.post(url("assessment_checklist", draft.pk), checklist())
    response = owner_client.get(url("assessment_verdict", draft.pk))
    assert response["Location"] == url("assessment_weighing", draft.pk)
    response = owner_client.post(url("assessment_complete", draft.pk))
    assert response["Location"] == url("assessment_weighing", draft.pk)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT


def test_the_checklist_is_prefilled_from_the_evidence(draft, owner_client, acme, owner):
    for days in (1, 2, 3):
        factories.incident(acme, by=owner, occurred_at=timezone.now() - timedelta(days=days))
    page = owner_client.get(url("assessment_checklist", draft.pk))
    form = page.context["form"]
    assert form["answer_complains"].value() == "yes"
    assert form["answer_slow_to_pay"].value() == "no"
    assert "Proposed by the evidence" in page.content.decode()
    assert "3 complaints in the last 90 days" in page.content.decode()
    data = {name: form[name].value() or "" for name in form.fields}
    owner_client.post(url("assessment_checklist", draft.pk), {**data, "go": "next"})
    proposed = set(draft.answers.filter(proposed=True).values_list("flag_key", flat=True))
    assert proposed == {"complains"}


# --- Bad input ----------------------------------------------------------------------


def test_bad_checklist_input_saves_nothing(draft, owner_client):
    data = checklist()
    data["answer_dishonest"] = "perhaps"
    data["note_complains"] = "x" * 2001
    del data["answer_unethical"]
    response = owner_client.post(url("assessment_checklist", draft.pk), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"answer_dishonest", "note_complains", "answer_unethical"}
    assert not AssessmentAnswer.objects.exists()


def test_going_on_without_a_likelihood_is_refused(draft, owner_client):
    owner_client.post(url("assessment_checklist", draft.pk), checklist())
    response = owner_client.post(
        url("assessment_weighing", draft.pk), {"weighing_note": "Thinking.", "go": "next"}
    )
    assert response.status_code == 400
    assert "likelihood_of_change" in response.context["form"].errors
    response = owner_client.post(
        url("assessment_weighing", draft.pk), {"likelihood_of_change": "someday", "go": "back"}
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.likelihood_of_change, draft.weighing_note) == ("", "")


def test_bad_verdict_input_completes_nothing(draft, owner_client, acme):
    owner_client.post(url("assessment_checklist", draft.pk), checklist({"slow_to_pay": "yes"}))
    owner_client.post(
        url("assessment_weighing", draft.pk),
        {"likelihood_of_change": "possible", "long_standing": "false", "go": "next"},
    )
    today = today_for(acme)
    for bad in (
        {"review_on": today.isoformat()},
        {"review_on": "2026-02-30"},
        {"review_on": (today + timedelta(days=5 * 365)).isoformat()},
        {"extra_steps": "\n".join(f"step {i}" for i in range(11))},
        {"extra_steps": "x" * 301},
    ):
        response = owner_client.post(url("assessment_complete", draft.pk), bad)
        assert response.status_code == 400, bad
        assert response.context["form"].errors
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    assert draft.verdict == ""


# --- Verdicts -----------------------------------------------------------------------


def test_fire_starts_cooling_off_and_puts_the_client_under_review(acme, owner_client, owner):
    shouted = factories.incident(acme, by=owner, category="verbal_abuse", severity="high")
    contact = factories.contact(acme, name="Jane Doe")
    flag = AbuseFlag.objects.create(business=acme.business, contact=contact, reason="Shouted.")
    flag.incidents.add(shouted)
    factories.invoice(acme, amount=Decimal("1200.00"))
    done = walk(
        owner_client,
        acme,
        {"verbal_abuse": "yes", "indecisive": "unsure"},
        likelihood="likely",
        verbal_abuse="Shouted at Sam in the shop.",
    )
    assert done.status == Assessment.Status.COMPLETE
    assert done.completed_at is not None
    assert (done.verdict, done.rule) == ("fire", "deal_breaker")
    assert done.act_not_before == today_for(acme) + timedelta(days=5)
    assert done.review_on is None
    assert done.next_steps == []
    acme.refresh_from_db()
    assert acme.status == Client.Status.UNDER_REVIEW
    reasons = {r["flag"]: r for r in done.reasons}
    assert set(reasons) == {"verbal_abuse", "indecisive"}
    assert reasons["verbal_abuse"]["deciding"] is True
    assert reasons["verbal_abuse"]["note"] == "Shouted at Sam in the shop."
    assert reasons["indecisive"]["answer"] == "unsure"
    fact_texts = [f["text"] for f in reasons["verbal_abuse"]["facts"]]
    assert fact_texts[0] == "1 incident of verbal abuse, harassment or threats on record"
    assert fact_texts[1].startswith("the latest on ")
    assert fact_texts[-1].startswith("contact Jane Doe flagged abusive on ")
    assert done.revenue_share == Decimal("1.0000")
    assert "100% of your revenue" in done.concentration_caution
    assert done.figures_snapshot["revenue"] == "1200.00"
    assert done.evidence_snapshot["thresholds"]["late_average_days"] == 30
    page = owner_client.get(url("assessment_detail", done.pk)).content.decode()
    assert "Act no earlier than" in page
    assert "Shouted at Sam in the shop." in page
    assert "How was this decided?" in page


def test_fire_leaves_a_client_already_offboarding_as_it_is(acme, owner_client):
    acme.status = Client.Status.OFFBOARDING
    acme.save(update_fields=["status"])
    done = walk(owner_client, acme, {"slow_to_pay": "yes", "disputes_invoices": "yes"})
    assert (done.verdict, done.rule) == ("fire", "serious_combination")
    acme.refresh_from_db()
    assert acme.status == Client.Status.OFFBOARDING


def test_watch_when_change_is_likely_with_a_date_and_next_steps(acme, owner_client):
    review_on = today_for(acme) + timedelta(days=30)
    done = walk(
        owner_client,
        acme,
        {"slow_to_pay": "yes", "disputes_invoices": "yes"},
        likelihood="likely",
        verdict={"review_on": review_on.isoformat(), "extra_steps": "Call Ana\n\n  Send terms  "},
    )
    assert (done.verdict, done.rule) == ("watch", "serious_combination_change_likely")
    assert done.review_on == review_on
    assert done.act_not_before is None
    texts = [step["text"] for step in done.next_steps]
    assert texts[0].startswith("Ask for a deposit or move to shorter payment terms")
    assert texts[1].startswith("Put prices and what they include in writing")
    assert texts[2:] == ["Call Ana", "Send terms"]
    acme.refresh_from_db()
    assert acme.status == Client.Status.ACTIVE
    page = owner_client.get(url("assessment_detail", done.pk)).content.decode()
    assert "Ask for a deposit" in page
    assert "Call Ana" in page


def test_watch_defaults_to_ninety_days(acme, owner_client):
    done = walk(owner_client, acme, {"complains": "yes", "indecisive": "yes"})
    assert (done.verdict, done.rule) == ("watch", "one_serious_or_moderates")
    assert done.review_on == today_for(acme) + timedelta(days=90)


def test_keep_with_nothing_confirmed(acme, owner_client):
    done = walk(owner_client, acme, {})
    assert (done.verdict, done.rule) == ("keep", "none")
    assert done.review_on is None and done.act_not_before is None
    assert done.reasons == []


# --- A completed review never changes -----------------------------------------------


def test_a_completed_review_refuses_every_change(complete, owner_client, acme):
    before = list(complete.answers.values_list("flag_key", "answer"))
    posts = {
        "assessment_evidence": {"go": "next"},
        "assessment_checklist": checklist({"physical_abuse": "yes"}),
        "assessment_weighing": {
            "likelihood_of_change": "likely",
            "long_standing": "false",
            "go": "next",
        },
        "assessment_verdict": {"go": "save"},
        "assessment_complete": {},
    }
    for name, data in posts.items():
        response = owner_client.post(url(name, complete.pk), data, follow=True)
        assert response.redirect_chain[0] == (url("assessment_detail", complete.pk), 302)
        assert "never changes" in response.content.decode()
    for name in STEP_VIEWS:
        assert owner_client.get(url(name, complete.pk))["Location"] == url(
            "assessment_detail", complete.pk
        )
    complete.refresh_from_db()
    assert list(complete.answers.values_list("flag_key", "answer")) == before
    assert (complete.verdict, complete.likelihood_of_change) == ("keep", "unlikely")
    with pytest.raises(PermissionDenied):
        services.complete_assessment(complete)
    with pytest.raises(PermissionDenied):
        services.save_weighing(complete, likelihood="likely", long_standing=False, note="")


def test_the_completed_page_reads_the_snapshot_not_the_record(complete, owner_client, acme, owner):
    for days in (1, 2, 3, 4):
        factories.incident(acme, by=owner, occurred_at=timezone.now() - timedelta(days=days))
    page = owner_client.get(url("assessment_detail", complete.pk)).content.decode()
    assert "Constantly complains" in page
    assert "complaints in the last 90 days" not in page
    # The next review is a new record, with the new evidence.
    response = owner_client.post(url("assessment_start", acme.pk))
    assert Assessment.objects.filter(client=acme).count() == 2
    new = Assessment.objects.exclude(pk=complete.pk).get()
    assert response["Location"] == url("assessment_evidence", new.pk)
    page = owner_client.get(url("assessment_evidence", new.pk)).content.decode()
    assert "4 complaints in the last 90 days" in page


def test_a_draft_detail_goes_to_its_step(draft, owner_client):
    assert owner_client.get(url("assessment_detail", draft.pk))["Location"] == url(
        "assessment_evidence", draft.pk
    )


# --- Query counts -------------------------------------------------------------------


def _records(client: Client, owner, count: int) -> None:
    contact = factories.contact(client)
    for i in range(count):
        factories.incident(
            client,
            by=owner,
            contact=contact,
            category=["complaint", "lying", "out_of_hours", "verbal_abuse"][i % 4],
            occurred_at=timezone.now() - timedelta(days=i + 1),
        )
        factories.invoice(client, number=f"{client.pk}-{i}", disputed=i % 2 == 0)
        factories.time_entry(client)
    flag = AbuseFlag.objects.create(business=client.business, contact=contact, reason="Rude.")
    flag.incidents.set(client.incidents.all()[:count])


def _queries(http, target: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert http.get(target).status_code == 200
    return len(queries)


def test_every_page_runs_the_same_queries_whatever_the_record(business, owner, owner_client):
    counts = {}
    for size in (1, 40):
        client = factories.client(business, name=f"Size {size}")
        _records(client, owner, size)
        draft = walk(owner_client, client, {"complains": "yes", "slow_to_pay": "yes"})
        counts.setdefault("detail", []).append(
            _queries(owner_client, url("assessment_detail", draft.pk))
        )
        open_draft = start(owner_client, client)
        owner_client.post(url("assessment_checklist", open_draft.pk), checklist({"lying": "yes"}))
        owner_client.post(
            url("assessment_weighing", open_draft.pk),
            {"likelihood_of_change": "possible", "long_standing": "false"},
        )
        for name in STEP_VIEWS:
            counts.setdefault(name, []).append(_queries(owner_client, url(name, open_draft.pk)))
    for name, (small, big) in counts.items():
        assert small == big, (name, small, big)


# --- The demo -----------------------------------------------------------------------


def test_the_demo_shows_keep_watch_and_fire_with_reasons_once():
    from assessments import demo

    business = demo.seed_demo()
    demo.seed_demo()
    reviews = Assessment.objects.filter(business=business).select_related("client")
    assert reviews.count() == Client.objects.filter(business=business).count() >= 8
    assert all(review.status == Assessment.Status.COMPLETE for review in reviews)
    verdicts = {review.verdict for review in reviews}
    assert verdicts == {"keep", "watch", "fire"}
    for review in reviews:
        if review.verdict != "keep":
            assert review.reasons, review.client.name
            assert any(r["facts"] or r["note"] for r in review.reasons), review.client.name
        if review.verdict == "fire":
            assert review.client.status == Client.Status.UNDER_REVIEW
            assert review.act_not_before is not None
    by_name = {review.client.name: review.verdict for review in reviews}
    assert by_name["Kraken Logistics"] == "fire"
    assert by_name["Greenleaf Bakery"] == "keep"
