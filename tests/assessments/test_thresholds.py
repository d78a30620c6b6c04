"""Owner-editable evidence thresholds, and the help page that shows the rules in force."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from assessments import figures, scoring
from assessments.models import EvidenceThresholds
from assessments.redflags import CATALOGUE
from assessments.services import assessment as services
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("assessments:thresholds")
HELP = reverse("assessments:rules_help")


def values(**changes) -> dict:
    data = {
        "late_average_days": 30,
        "late_severe_days": 90,
        "disputed_share": "0.25",
        "discounts_count": 2,
        "cost_to_revenue_ratio": "1.00",
        "major_cost_ratio": "1.50",
        "major_overdue_share": "0.25",
        "complaints_90_days": 3,
        "demands_serious_90_days": 5,
        "out_of_hours_90_days": 3,
        "scope_changes_90_days": 3,
        "no_referrals_after_years": 2,
        "concentration_share": "0.30",
    }
    data.update(changes)
    if "demands_serious_90_days" not in changes:
        data["demands_serious_90_days"] = max(5, int(data["complaints_90_days"]))
    return data


def test_thresholds_personas(anon_client, staff_client, owner_client, outsider_client, business):
    response = anon_client.get(URL)
    assert response.status_code == 302
    assert "/login" in response["Location"]
    assert anon_client.post(URL, values(complaints_90_days=9)).status_code == 302
    assert staff_client.get(URL).status_code == 403
    assert staff_client.post(URL, values(complaints_90_days=9)).status_code == 403
    assert owner_client.get(URL).status_code == 200
    # There is no row to guess: an outsider only ever edits their own business's thresholds.
    assert outsider_client.post(URL, values(complaints_90_days=9)).status_code == 302
    assert not EvidenceThresholds.objects.filter(business=business).exists()
    assert EvidenceThresholds.objects.get().complaints_90_days == 9


def test_first_save_creates_the_row_then_updates_it(owner_client, business):
    response = owner_client.post(URL, values(complaints_90_days=5, disputed_share="0.5"))
    assert response.status_code == 302
    row = EvidenceThresholds.objects.get(business=business)
    assert (row.complaints_90_days, row.disputed_share) == (5, Decimal("0.50"))
    event = AuditEvent.objects.get(business=business, kind="settings_changed")
    assert event.detail == "evidence thresholds: disputed_share, complaints_90_days"
    owner_client.post(URL, values(complaints_90_days=6))
    assert EvidenceThresholds.objects.get(business=business).complaints_90_days == 6
    assert EvidenceThresholds.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("complaints_90_days", "-1"),
        ("complaints_90_days", "0"),
        ("late_average_days", "0"),
        ("late_severe_days", "0"),
        ("late_severe_days", "20"),  # less than the 30-day average
        ("discounts_count", "0"),
        ("no_referrals_after_years", "0"),
        ("disputed_share", "1.5"),
        ("disputed_share", "0"),
        ("disputed_share", "25"),
        ("concentration_share", "1.01"),
        ("cost_to_revenue_ratio", "-1"),
        ("cost_to_revenue_ratio", "abc"),
        ("out_of_hours_90_days", "99999999"),
        ("concentration_share", "NaN"),
    ],
)
def test_bad_thresholds_save_nothing(owner_client, business, field, value):
    response = owner_client.post(URL, values(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not EvidenceThresholds.objects.exists()
    assert not AuditEvent.objects.filter(kind="settings_changed").exists()


def test_changed_thresholds_change_the_proposals(owner_client, owner, business):
    acme = factories.client(business, name="Acme", referrals_sent=1)
    for days in (1, 2, 3):
        factories.incident(acme, by=owner, occurred_at=timezone.now() - timedelta(days=days))
    draft, _ = services.start_assessment(acme, user=owner)
    evidence_url = reverse("assessments:assessment_evidence", args=[draft.pk])
    report = owner_client.get(evidence_url).context["report"]
    assert [p.flag_key for p in report.proposed] == ["complains"]
    owner_client.post(URL, values(complaints_90_days=4))
    report = owner_client.get(evidence_url).context["report"]
    assert report.proposed == ()
    assert [p.flag_key for p in report.context] == ["complains", "never_refers"]


def test_help_page_personas(anon_client, staff_client, owner_client, outsider_client):
    response = anon_client.get(HELP)
    assert response.status_code == 302
    assert "/login" in response["Location"]
    for member in (staff_client, owner_client, outsider_client):
        assert member.get(HELP).status_code == 200


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_help_page_shows_rules_flags_thresholds_and_definitions(owner_client, staff_client):
    owner_client.post(URL, values(complaints_90_days=7))
    page = _text(staff_client.get(HELP))
    for _key, text in scoring.RULES:
        assert str(text) in page
    for flag in CATALOGUE:
        assert str(flag.question) in page
        assert flag.source in page
    assert "mostly complaints: 7 or more in the last 90 days is a moderate flag" in page
    assert "Only you can judge this one" in page
    # The business's value next to the default.
    assert "Complaints or requests outside the agreement in 90 days 7 3" in page
    assert "A client at 30% or more of your revenue gets a caution" in page
    assert "how likely the situation is to change" in page
    # The figures' definitions, word for word from the module that computes them.
    for item in figures.definitions.DEFINITIONS:
        assert str(item) in page
    # How severity, repetition and size weigh, with the business's own marks.
    assert "Severity, repetition and size" in page
    assert "cost to serve of 1.50 times revenue or more" in page
    assert "tell them once, in writing" in page
    # Staff read the rules but get no link to change them.
    assert URL not in staff_client.get(HELP).content.decode()
    assert URL in owner_client.get(HELP).content.decode()
