"""Everything decided reaches the document: the concentration caution, the owner's own
next steps, for Watch the Watch steps with the business's contact hours, what is owed
and the final invoice; and the PDF's contents numbered as its headings."""

from __future__ import annotations

import re
import subprocess
from datetime import time

import pytest

from assessments import pdf, scoring
from assessments.models import Assessment
from assessments.plan import default_choices
from assessments.services import plans as services
from tests import factories
from tests.plans import helpers

pytestmark = pytest.mark.django_db

CAUTION = (
    "This client brings in 41% of your revenue, at or above your caution level of 30%. Line "
    "up replacement revenue before you act: a business that depends on one client is a "
    "house of cards."
)
OWN_STEP = "Ask Dana to take over the monthly reports before we tell them."
WATCH_STEP = "State your contact hours in writing and in your e-mail signature."


def _plan(business, owner, *, verdict: str):
    business.contact_hours_start, business.contact_hours_end = time(8, 30), time(16, 0)
    business.contact_days = "0123"
    business.save(update_fields=["contact_hours_start", "contact_hours_end", "contact_days"])
    client = factories.client(business, name="Kai Client", has_written_contract=True)
    factories.contact(client, name="Kai")
    helpers.paid_invoice(client)
    helpers.open_invoice(client, amount="800.00", due_in_days=20)
    assessment = helpers.completed_assessment(client, verdict=verdict)
    steps = [{"custom": True, "text": OWN_STEP}]
    if verdict == "watch":
        steps.insert(0, {"flag": "unreasonable_demands", "text": WATCH_STEP})
    Assessment.objects.filter(pk=assessment.pk).update(
        concentration_caution=CAUTION, next_steps=steps
    )
    assessment.refresh_from_db()
    choices = default_choices(services.load_situation(assessment))
    return services.create_plan(assessment=assessment, choices=choices, partners=[], user=owner)


def _pdf_text(plan) -> str:
    data = pdf.render_plan_pdf(plan)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(out.split())


@pytest.mark.parametrize("verdict", ["fire", "watch"])
def test_the_plan_page_and_pdf_carry_what_was_decided(owner_client, business, owner, verdict):
    plan = _plan(business, owner, verdict=verdict)
    page = " ".join(owner_client.get(plan.get_absolute_url()).content.decode().split())
    text = _pdf_text(plan)
    hours = "Monday, Tuesday, Wednesday and Thursday, 08:30 to 16:00"
    for where in (page, text):
        assert "Line up replacement revenue before you act" in where
        assert OWN_STEP in where
        assert "€800 is open on 1 invoice" in where
        assert "Send the final invoice for the work done up to" in where
        if verdict == "watch":
            assert WATCH_STEP in where
            assert f"Your contact hours: {hours}." in where
        else:
            assert WATCH_STEP not in where and "Your contact hours" not in where


def test_the_contents_are_numbered_as_the_headings(business, owner):
    html = pdf.plan_html(_plan(business, owner, verdict="fire"))
    contents = re.search(r'<ol class="contents">(.*?)</ol>', html, re.S).group(1)
    listed = [
        re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>.*?</li>", contents)
    ]
    headings = re.findall(r"<h1>(\d+)\. ([^<]+)</h1>", html)
    assert [f"{n}. {title.strip()}" for n, title in headings] == [
        f"{i}. {title}" for i, title in enumerate(listed, start=1)
    ]


def test_the_pdf_states_the_deciding_rule_in_the_owners_language(business, owner):
    """The rule's text is recorded in the language the review was completed in (English
    here); a Greek owner's PDF states the rule in Greek, as the verdict page does."""
    from django.utils import translation

    owner.language = "el"
    owner.save(update_fields=["language"])
    text = _pdf_text(_plan(business, owner, verdict="fire"))
    with translation.override("el"):
        greek = str(scoring.Rule("serious_combination").label)
    assert " ".join(greek.split()) in text
    assert "Two or more serious flags" not in text
