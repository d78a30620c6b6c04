"""Issue 7: the main journeys in headless Chromium.

Owner: sign up, add a client and a contact, log incidents and invoices, review to a Fire
verdict, choose the plan, wait for it, download the PDF and read it.
Staff, on a 375-pixel phone: log in, log an incident in under a minute, flag the contact;
the owner sees the warning and the e-mail is in the outbox.

Tasks run in-process in this tier (tests/conftest.py), after the live server's commit.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from assessments.models import AbuseFlag, Assessment, Client, Incident, Invoice, OffboardingPlan
from tests import factories
from tests.browser.conftest import SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
# What a person needs on a phone, generously: a tap or a choice in a list takes about two
# seconds, and thumbs type about three characters a second.
SECONDS_PER_TAP = 2.0
CHARACTERS_PER_SECOND = 3.0


@dataclass
class Effort:
    """Counts what a person does on the page, to estimate how long it takes them."""

    page: Page
    taps: int = 0
    characters: int = 0

    def tap(self, locator) -> None:
        self.taps += 1
        locator.click()

    def choose(self, locator, label: str) -> None:
        self.taps += 2  # open the list, pick one
        locator.select_option(label=label)

    def type(self, locator, text: str) -> None:
        self.taps += 1  # into the field
        self.characters += len(text)
        locator.fill(text)

    @property
    def seconds(self) -> float:
        return self.taps * SECONDS_PER_TAP + self.characters / CHARACTERS_PER_SECOND


def _fits_the_width(page: Page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


def _log_in(page: Page, email: str, password: str, effort: Effort | None = None) -> None:
    page.goto("/")
    fill = effort.type if effort else (lambda loc, text: loc.fill(text))
    click = effort.tap if effort else (lambda loc: loc.click())
    fill(page.get_by_label("E-mail address"), email)
    fill(page.locator("#id_password"), password)
    click(page.get_by_role("button", name="Log in"))
    page.wait_for_url(re.compile(r"/$"))


def test_staff_logs_an_incident_on_a_phone_and_flags_the_contact(new_page, shot, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    business = factories.business(name="Kovač Joinery", time_zone="Europe/Zagreb")
    owner = factories.member(business, role="owner", email="ivana@kovac.test", name="Ivana Kovač")
    factories.member(business, role="staff", email="luka@kovac.test", name="Luka Babić")
    client = factories.client(business, name="Horvat Logistics d.o.o.")
    factories.client(business, name="Anić Bakery")
    contact = factories.contact(client, name="Marko Horvat", role="Site manager")

    phone = new_page(**PHONE)
    effort = Effort(phone)
    _log_in(phone, "luka@kovac.test", factories.PASSWORD, effort)
    expect(phone.get_by_role("link", name="Log an incident")).to_be_visible()
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-01-home-375")
    login_effort = effort.seconds

    # The incident, from the home page's big button.
    effort.tap(phone.get_by_role("link", name="Log an incident"))
    form = phone.locator("form.incident-form")
    expect(form).to_be_visible()
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-02-incident-form-375")
    effort.choose(phone.get_by_label("Client"), "Horvat Logistics d.o.o.")
    effort.choose(
        phone.get_by_label("What kind of incident"), "Verbal abuse, shouting or name-calling"
    )
    effort.tap(form.get_by_text("High", exact=True))
    effort.type(
        phone.get_by_label("What happened"),
        "Shouted at me on site and called me useless in front of the crew.",
    )
    effort.tap(phone.locator("details.more-details summary"))
    effort.choose(phone.get_by_label("Contact person"), "Marko Horvat (Horvat Logistics d.o.o.)")
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-03-incident-filled-375")
    effort.tap(phone.get_by_role("button", name="Save incident"))
    expect(phone.get_by_text("recorded for Horvat Logistics d.o.o.")).to_be_visible()
    shot(phone, "staff-04-incident-saved-375")

    incident = Incident.objects.get(business=business)
    assert incident.client == client and incident.contact == contact
    assert incident.category == "verbal_abuse" and incident.severity == "high"
    assert incident.recorded_by.email == "luka@kovac.test"
    # Under a minute of a person's taps and typing, from the home page to the saved record.
    incident_effort = effort.seconds - login_effort
    assert incident_effort < 60, f"{effort.taps} taps, {effort.characters} characters"
    assert _fits_the_width(phone, 375)

    # Flag the contact from the incident.
    effort.tap(phone.get_by_role("link", name="Flag Marko Horvat as abusive"))
    expect(phone.get_by_role("heading", name="Flag Marko Horvat as abusive")).to_be_visible()
    assert _fits_the_width(phone, 375)
    effort.type(
        phone.get_by_label("What did they do?"),
        "Verbal abuse on site in front of the crew; see the incident.",
    )
    shot(phone, "staff-05-flag-form-375")
    effort.tap(phone.get_by_role("button", name="Flag as abusive"))
    expect(phone.get_by_text("Marko Horvat is flagged as abusive.")).to_be_visible()
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-06-flagged-375")

    phone.get_by_role("button", name="Menu").click()
    expect(phone.locator("#nav")).to_have_class(re.compile(r"\bshow\b"))  # fully open
    expect(phone.get_by_role("link", name="Abuse flags")).to_be_visible()
    assert _fits_the_width(phone, 375)
    shot(phone, "staff-07-menu-375")

    flag = AbuseFlag.objects.get(contact=contact)
    assert flag.is_open and list(flag.incidents.all()) == [incident]
    assert flag.raised_by.email == "luka@kovac.test"

    # The owner, on a desktop browser, sees the warning on the client's page.
    desk = new_page(viewport={"width": 1280, "height": 900})
    _log_in(desk, owner.email, factories.PASSWORD)
    desk.goto(client.get_absolute_url())
    warning = desk.locator(".abuse-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Marko Horvat")
    expect(warning).to_contain_text("Verbal abuse on site")
    shot(desk, "staff-08-owner-sees-warning")

    # ...and has had the e-mail, sent by the task once the flag was committed.
    sent = [m for m in mail.outbox if owner.email in m.to]
    assert len(sent) == 1
    assert "Marko Horvat" in sent[0].subject + sent[0].body
    assert "Verbal abuse on site" in sent[0].body
    assert not any("luka@kovac.test" in m.to for m in mail.outbox)  # staff are not e-mailed
    assert phone.csp_errors == [] and desk.csp_errors == []


# =============================================================================
# The owner: from sign-up to the offboarding plan's PDF.
# =============================================================================

CLIENT = "Παπαδόπουλος Κατασκευές"  # Greek: the PDF must carry it with an embedded font
PDF_SECTIONS = [
    "Cover",
    "Before you act",
    "The conversation",
    "The letter",
    "Private briefing",
    "After",
]


def _iso(days_ago: int) -> str:
    return (timezone.localdate() - timedelta(days=days_ago)).isoformat()


def _log_incident(page: Page, client_url: str, kind: str, text: str, *, days_ago: int) -> None:
    page.goto(client_url)
    page.get_by_role("link", name="Log incident").click()
    page.get_by_label("What kind of incident").select_option(label=kind)
    page.locator("form.incident-form").get_by_text("High", exact=True).click()
    page.get_by_label("What happened").fill(text)
    page.locator("details.more-details summary").click()
    when = timezone.localtime() - timedelta(days=days_ago)
    page.get_by_label("When it happened").fill(when.strftime("%Y-%m-%dT10:30"))
    page.get_by_label("Contact person").select_option(index=1)
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text(f"recorded for {CLIENT}")).to_be_visible()


def _add_invoice(page: Page, client_url: str, number: str, amount: str, **dates: int) -> None:
    page.goto(client_url)
    page.get_by_role("link", name="Add invoice").click()
    page.get_by_label("Invoice number").fill(number)
    page.get_by_label("Issued on").fill(_iso(dates["issued"]))
    page.get_by_label("Amount (EUR)").fill(amount)
    if "paid" in dates:
        page.get_by_label("Paid on").fill(_iso(dates["paid"]))
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_role("heading", name=CLIENT)).to_be_visible()


def _record_delivery(page: Page, client_url: str, title: str, *, days_ago: int) -> None:
    page.goto(client_url)
    page.get_by_role("link", name="Record delivery").click()
    page.get_by_label("Delivered on").fill(_iso(days_ago))
    page.get_by_label("What was delivered").fill(title)
    page.get_by_role("button", name="Record delivery").click()
    expect(page.get_by_text(f"Delivery recorded for {CLIENT}")).to_be_visible()


def _complain_about(page: Page, client_url: str, delivery: str, text: str, days_ago: int) -> None:
    """A complaint tied to a delivery: one tap on the delivery in the incident form."""
    page.goto(client_url)
    page.get_by_role("link", name="Log incident").click()
    page.get_by_label("What kind of incident").select_option(label="Complaint")
    page.locator("[data-about]").get_by_text(delivery).click()
    page.get_by_label("What happened").fill(text)
    page.locator("details.more-details summary").click()
    when = timezone.localtime() - timedelta(days=days_ago)
    page.get_by_label("When it happened").fill(when.strftime("%Y-%m-%dT16:00"))
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text(f"recorded for {CLIENT}")).to_be_visible()


def test_owner_signs_up_reviews_a_client_to_fire_and_downloads_the_plan(new_page, shot):
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto("/accounts/signup/")
    page.get_by_label("Your name").fill("Dora Dimitriou")
    page.get_by_label("E-mail address").fill("dora@dimitriou.test")
    page.locator("#id_password1").fill("a-long-enough-secret")
    page.locator("#id_password2").fill("a-long-enough-secret")
    page.get_by_label("Business name").fill("Dimitriou Interiors")
    page.get_by_label("Time zone").select_option("Europe/Athens")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.get_by_text("Welcome!")).to_be_visible()
    shot(page, "owner-01-home-after-signup")

    # A client, then a contact.
    page.get_by_role("link", name="Clients", exact=True).first.click()
    page.get_by_role("link", name="Add a client").click()
    page.locator("#id_name").fill(CLIENT)
    page.get_by_label("Client since").fill(_iso(700))
    shot(page, "owner-02-client-form")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("heading", name=CLIENT)).to_be_visible()
    client = Client.objects.get(name=CLIENT)
    client_url = page.url

    page.get_by_role("link", name="Add contact").click()
    page.locator("#id_name").fill("Nikos Papadopoulos")
    page.get_by_label("Role").fill("Owner")
    page.get_by_label("E-mail").fill("nikos@dimitriou.test")
    page.get_by_role("button", name=re.compile("Save|Add")).click()
    expect(page.get_by_text("Nikos Papadopoulos").first).to_be_visible()
    assert client.contacts.filter(name="Nikos Papadopoulos").exists()

    # The record: incidents and invoices.
    _log_incident(
        page, client_url, "Verbal abuse, shouting or name-calling",
        "Shouted at our designer and called her incompetent in front of his staff.",
        days_ago=20,
    )  # fmt: skip
    shot(page, "owner-03-incident")
    _log_incident(
        page, client_url, "Threat",
        "Said on the phone that he would 'make sure we never work in this town again'.",
        days_ago=5,
    )  # fmt: skip
    _add_invoice(page, client_url, "DI-2025-031", "2400.00", issued=200, paid=60)
    _add_invoice(page, client_url, "DI-2025-044", "1850.00", issued=150)
    # Deliveries, and a complaint after each (one tap ties it to the delivery).
    _record_delivery(page, client_url, "Living room, colour scheme", days_ago=60)
    _record_delivery(page, client_url, "Kitchen, final drawings", days_ago=25)
    shot(page, "owner-04a-deliveries")
    _complain_about(
        page, client_url, "Living room, colour scheme",
        "Unhappy with the colours he had chosen himself.", days_ago=57,
    )  # fmt: skip
    _complain_about(
        page, client_url, "Kitchen, final drawings",
        "Said the drawings were not what he asked for; could not say what to change.",
        days_ago=23,
    )  # fmt: skip
    shot(page, "owner-04b-complaint-about-a-delivery")
    assert Incident.objects.filter(client=client, delivery__isnull=False).count() == 2
    page.goto(client_url)
    shot(page, "owner-04-client-page")
    assert Incident.objects.filter(client=client).count() == 4
    assert Invoice.objects.filter(client=client).count() == 2

    # The review, step by step, to a Fire verdict.
    page.get_by_role("button", name="Start a review").click()
    expect(page.get_by_text("Review started")).to_be_visible()
    expect(page.get_by_text("complained after each of the last 2 deliveries")).to_be_visible()
    shot(page, "owner-05-review-evidence")
    page.get_by_role("button", name=re.compile("Continue to the checklist")).click()
    abusive = page.locator("#flag-verbal_abuse")
    expect(abusive).to_be_visible()
    abusive.get_by_text("Yes", exact=True).click()
    shot(page, "owner-06-review-checklist")
    page.get_by_role("button", name=re.compile("Continue to the weighing")).click()
    page.get_by_label("Unlikely").check()
    page.get_by_role("group", name=re.compile("long-standing")).get_by_label("No").check()
    shot(page, "owner-07-review-weighing")
    page.get_by_role("button", name=re.compile("See the verdict")).click()
    shot(page, "owner-08-review-verdict")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Complete the review").click()
    expect(page.get_by_role("link", name="Prepare the offboarding plan")).to_be_visible()
    shot(page, "owner-09-review-complete")
    assert asked and "never changes" in asked[0]
    assessment = Assessment.objects.get(client=client)
    assert assessment.status == "complete" and assessment.verdict == "fire"

    # The plan: the defaults the page proposes, then the PDF built by the task.
    page.get_by_role("link", name="Prepare the offboarding plan").click()
    expect(page.get_by_role("heading", name="Prepare the offboarding plan")).to_be_visible()
    shot(page, "owner-10-plan-form")
    # The letter's fact is written for the client; the owner previews, edits, previews.
    fact = page.locator("#id_reason_fact")
    assert re.match(r"On \d", fact.input_value()), fact.input_value()
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator("#letter-preview")).to_be_visible()
    edited = "On the phone last week you said you would make sure we never work here again."
    page.locator("#id_reason_fact").fill(edited)
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator("#letter-preview")).to_contain_text(edited)
    shot(page, "owner-10b-letter-preview")
    page.get_by_role("button", name="Save and build the PDF").click()
    download_link = page.get_by_role("link", name="Download PDF")
    for _attempt in range(5):  # the page refreshes itself; a reload is what a person does
        if download_link.is_visible():
            break
        page.reload()
        expect(page.locator(".plan-status")).to_be_visible()
    expect(download_link).to_be_visible()
    shot(page, "owner-11-plan-ready")
    plan = OffboardingPlan.objects.get(client=client)
    assert plan.status == "ready"

    with page.expect_download() as info:
        download_link.click()
    pdf = SCREENSHOTS.parent / "owner-plan.pdf"  # kept with the screenshots, to look at
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert CLIENT in text
    assert "Dimitriou Interiors" in text
    for title in PDF_SECTIONS:  # some titles are set in capitals by the stylesheet
        assert title.casefold() in text.casefold(), title
    assert "Shouted at our designer" in text  # the private briefing lists the facts
    assert OffboardingPlan.objects.get(client=client).reason_fact == edited

    # Cooling-off passes; the owner finalises the plan and sends the letter from the app.
    Assessment.objects.filter(pk=assessment.pk).update(
        act_not_before=timezone.localdate() - timedelta(days=1)
    )
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finalise the plan").click()
    expect(page.get_by_role("button", name="Send the letter by e-mail")).to_be_visible()
    page.get_by_label("Send the letter to").select_option(
        label="Nikos Papadopoulos <nikos@dimitriou.test>"
    )
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Send the letter by e-mail").click()
    expect(page.locator(".letter-sent")).to_be_visible()
    shot(page, "owner-11b-letter-sent")
    sent = [m for m in mail.outbox if m.to == ["nikos@dimitriou.test"]]
    assert len(sent) == 1 and sent[0].attachments[0][2] == "application/pdf"
    assert OffboardingPlan.objects.get(client=client).letter_sent_at is not None

    # Home: the portfolio now shows the client with its verdict.
    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("link", name=CLIENT)).to_be_visible()
    shot(page, "owner-12-portfolio")
    assert page.csp_errors == []
