"""What the client reads is in the client's language; the private briefing in the owner's."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts.models import Business, User
from assessments import pdf, plan_text
from assessments.language import business_language, client_language, owner_language
from assessments.models import Client
from assessments.plan import default_choices
from assessments.services import plans as services
from assessments.services.letters import send_letter
from tests import factories
from tests.plans import helpers
from tests.plans.test_pdf import make_plan

pytestmark = pytest.mark.django_db


def _day(value, language: str) -> str:
    with translation.override(language):
        return date_format(value, "DATE_FORMAT")


def _section(html: str, name: str) -> str:
    return re.search(rf'<section id="{name}".*?</section>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("business_lang", "client_lang", "owner_lang", "letter", "private"),
    [
        ("el", "hr", "", "hr", "el"),  # a Croatian client of a Greek business
        ("el", "", "", "el", "el"),  # no language of their own: the business's
        ("en", "ko", "ru", "ko", "ru"),  # the owner reads Russian, the client Korean
        ("is", "xx", "", "is", "is"),  # a language no longer offered falls back
    ],
)
def test_which_language_each_reader_gets(business_lang, client_lang, owner_lang, letter, private):
    business = Business(language=business_lang)
    assert client_language(Client(business=business, language=client_lang)) == letter
    assert owner_language(User(language=owner_lang), business) == private


def test_a_business_with_an_unknown_language_falls_back_to_english():
    assert business_language(Business(language="de")) == "en"
    assert owner_language(None, Business(language="de")) == "en"


def test_croatian_client_of_a_greek_owner_letter_in_hr_briefing_in_el(business, owner, monkeypatch):
    business.language = "el"
    business.save(update_fields=["language"])
    seen: list[str] = []
    real = plan_text.build_text

    def spy(*args, **kwargs):
        seen.append(translation.get_language())
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "build_text", spy)
    plan = make_plan(business, owner)
    Client.objects.filter(pk=plan.client_id).update(language="hr")
    html = pdf.plan_html(plan)

    assert sorted(seen) == ["el", "hr"]  # the plan's text in Greek, the letter's in Croatian
    assert '<html lang="el">' in html
    letter, briefing = _section(html, "letter"), _section(html, "briefing")
    assert 'class="letter" lang="hr"' in letter
    # Django's own month names tell which language each part was rendered in.
    croatian = _day(plan.announce_on, "hr")
    assert croatian != _day(plan.announce_on, "en") and croatian in letter
    incident = plan.client.incidents.get()
    occurred = timezone.localtime(incident.occurred_at, business.tzinfo)
    assert _day(occurred, "el") in briefing
    assert _day(occurred, "hr") not in briefing

    # The PDF itself carries both.
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"],
        input=pdf.render_plan_pdf(plan),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert croatian in " ".join(text.split())


def test_the_owners_own_language_beats_the_business_for_the_briefing(business, owner):
    business.language = "el"
    business.save(update_fields=["language"])
    owner.language = "ru"
    owner.save(update_fields=["language"])
    plan = make_plan(business, owner)
    html = pdf.plan_html(plan)
    assert '<html lang="ru">' in html
    assert 'class="letter" lang="el"' in _section(html, "letter")


# --- forms ------------------------------------------------------------------------------


def _client_data(**overrides) -> dict:
    data = {
        "name": "Đurđa Horvat d.o.o.",
        "client_since": "2024-03-01",
        "status": "active",
        "billing_model": "hourly",
        "payment_terms_days": "30",
        "has_written_contract": "unknown",
        "long_standing": "unknown",
        "referrals_sent": "0",
        "language": "hr",
        "notes": "",
        "contract_terms": "",
    }
    data.update(overrides)
    return data


def test_the_client_form_offers_the_business_language_and_saves_the_choice(owner_client, business):
    business.language = "el"
    business.save(update_fields=["language"])
    page = owner_client.get(reverse("assessments:client_create")).content.decode()
    assert 'name="language"' in page
    assert 'value="" selected' in page  # new clients follow the business by default
    response = owner_client.post(reverse("assessments:client_create"), _client_data())
    assert response.status_code == 302
    assert Client.objects.get(business=business).language == "hr"


def test_a_bad_client_language_saves_nothing(owner_client, business):
    response = owner_client.post(reverse("assessments:client_create"), _client_data(language="de"))
    assert response.status_code in (200, 400)
    assert "language" in response.context["form"].errors
    assert not Client.objects.filter(business=business).exists()


def test_business_language_is_editable_in_settings(owner_client, business):
    page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert 'name="language"' in page
    data = {
        "name": business.name,
        "time_zone": business.time_zone,
        "currency": business.currency,
        "language": "ko",
        "contact_hours_start": "09:00",
        "contact_hours_end": "17:30",
        "contact_days": ["0", "1", "2", "3", "4"],
        "notice_period_days": "30",
        "payment_terms_days": "30",
        "cooling_off_days": "3",
        "staff_cost_rate": "50.00",
    }
    assert owner_client.post(reverse("accounts:settings"), data).status_code == 302
    business.refresh_from_db()
    assert business.language == "ko"
    data["language"] = "xx"
    assert owner_client.post(reverse("accounts:settings"), data).status_code == 400
    business.refresh_from_db()
    assert business.language == "ko"


def test_signing_up_from_a_greek_browser_makes_a_greek_business(anon_client):
    from tests.hardening import valid_data

    response = anon_client.post(
        reverse("accounts:signup"), valid_data.signup(None), HTTP_ACCEPT_LANGUAGE="el"
    )
    assert response.status_code == 302
    assert Business.objects.get().language == "el"


def test_personas_on_the_client_form(anon_client, staff_client, outsider_client, business):
    acme = factories.client(business, name="Acme")
    url = reverse("assessments:client_edit", args=[acme.pk])
    assert anon_client.get(url).status_code == 302
    assert outsider_client.get(url).status_code == 404
    assert staff_client.get(url).status_code == 403


def test_a_greek_owner_proposes_previews_and_sends_a_croatian_clients_letter_in_croatian(
    owner_client, business, owner
):
    """What the app itself puts before the client (the proposed fact, the preview, the
    e-mail and its PDF) is in the client's language, although the owner reads Greek."""
    owner.language = "el"
    owner.save(update_fields=["language"])
    client = factories.client(business, name="Horvat d.o.o.", language="hr")
    contact = factories.contact(client, name="Marko Horvat", email="marko@horvat.test")
    complained = timezone.now() - timedelta(days=6)
    factories.incident(client, by=owner, category="complaint", occurred_at=complained)
    assessment = helpers.completed_assessment(
        client, reasons=[helpers.reason("complains", "Constantly complains", "Moderate")]
    )
    croatian_day = _day(timezone.localtime(complained, business.tzinfo).date(), "hr")

    page = owner_client.get(reverse("assessments:plan_create", args=[assessment.pk]))
    html = page.content.decode()
    assert '<html lang="el">' in html  # the page is the owner's
    fact = unescape(re.search(r'<textarea name="reason_fact"[^>]*>([^<]*)<', html).group(1))
    assert croatian_day in fact and "niste zadovoljni" in fact, fact
    assert 'class="letter-fact" lang="hr"' in html

    with translation.override("hr"):
        defaults = default_choices(services.load_situation(assessment))
    plan = services.finalise_plan(
        services.create_plan(assessment=assessment, choices=defaults, partners=[], user=owner)
    )
    with translation.override("el"):  # sent from the Greek owner's request
        send_letter(plan, contact=contact, user=owner)
    (message,) = mail.outbox
    with translation.override("hr"):
        assert message.subject == gettext("A letter from %(business)s") % {
            "business": business.name
        }
        body = gettext(
            "Dear %(name)s,\n\nPlease find our letter attached.\n\nKind regards,\n%(business)s"
        )
        assert message.body == body % {"name": contact.name, "business": business.name}
    assert message.subject != f"A letter from {business.name}"
    ((_name, data, _type),) = message.attachments
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    assert croatian_day in text and "niste zadovoljni" in text
    assert "Thank you" not in text
    # "since October 2022" with the month in the genitive, and one full stop after the year.
    with translation.override("hr"):
        month = date_format(client.client_since, "E Y.")
    assert f"Hvala Vam što od {month} surađujete s tvrtkom {business.name}." in text
    assert ".." not in text
