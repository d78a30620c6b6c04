"""The demo business: idempotent, a valid incident chain, and every red flag backed."""

import pytest
from django.core.management import call_command

from assessments import demo, figures
from assessments.models import AbuseFlag, Client, Contact, Incident, Invoice, TimeEntry
from assessments.services.incidents import verify_chain

pytestmark = pytest.mark.django_db

MODELS = (Client, Contact, Incident, Invoice, TimeEntry, AbuseFlag)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_twice_gives_the_same_data_and_an_intact_chain(capsys):
    business = demo.seed_demo()
    first = counts()
    assert first["Client"] >= 8
    call_command("seed_demo")
    assert counts() == first
    assert verify_chain(business) == []
    call_command("verify_incidents")
    assert "intact" in capsys.readouterr().out


def test_demo_histories_show_the_red_flags():
    business = demo.seed_demo()
    clients = {c.name: c for c in Client.objects.filter(business=business)}
    numbers = figures.summaries(business)
    categories = set(Incident.objects.filter(business=business).values_list("category", flat=True))
    # Every incident-backed red flag has at least one incident behind it.
    assert {
        "physical_abuse",
        "verbal_abuse",
        "harassment",
        "threat",
        "lying",
        "unethical_request",
        "legal_risk",
        "unreasonable_demand",
        "out_of_hours",
        "payment_dispute",
        "competitor_pressure",
        "reputation_threat",
        "changed_mind",
        "ignored_advice",
        "complaint",
    } <= categories
    # One abusive client with a flagged contact, linked to the incidents that show it.
    flag = AbuseFlag.objects.get(business=business)
    assert flag.is_open and flag.incidents.count() >= 3
    # One paying 90 to 120 days late.
    omega = numbers[clients["Ωμέγα Ακίνητα (Omega Real Estate)"].pk]
    assert 90 <= omega.worst_days_late <= 120
    # One paying about 1,000 a month that costs about 2,000 a month to serve.
    brightline = numbers[clients["Brightline Fitness"].pk]
    assert brightline.revenue / 12 == 1000 and 1800 <= brightline.cost / 12 <= 2200
    # One who disputes and haggles.
    hanbit = numbers[clients["한빛 디자인 (Hanbit Design)"].pk]
    assert hanbit.disputed_invoices >= 3 and hanbit.discounts >= 2
    # A long-standing good client and one that is simply fine: no incidents, paid on time.
    for name in ("Greenleaf Bakery", "Fjordlight Architects"):
        summary = numbers[clients[name].pk]
        assert summary.incidents_12m == 0 and summary.worst_days_late == 0
    assert clients["Greenleaf Bakery"].long_standing
    # Out-of-hours contact is marked as such from the business's hours.
    assert Incident.objects.filter(business=business, outside_hours=True).count() >= 5
