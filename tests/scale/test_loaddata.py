"""`bench/generate_load_data.py`: proportions, a valid incident chain, determinism, run-once."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import Business, Membership
from assessments.models import (
    AbuseFlag,
    Assessment,
    AssessmentAnswer,
    Client,
    Contact,
    Incident,
    IncidentVersion,
    Invoice,
    TimeEntry,
)
from assessments.services.incidents import verify_chain
from bench import loaddata

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 2)
SIZE = loaddata.Size(clients=40, incidents=400, invoices=200, time_entries=200)


def _signature(business: Business) -> dict:
    """The generated content without database ids, to compare two runs."""
    return {
        "clients": list(
            Client.objects.filter(business=business)
            .order_by("name")
            .values_list("name", "status", "client_since", "payment_terms_days")
        ),
        "incidents": list(
            Incident.objects.filter(business=business)
            .order_by("number")
            .values_list("number", "client__name", "category", "severity", "occurred_at")
        ),
        "invoices": list(
            Invoice.objects.filter(business=business)
            .order_by("number")
            .values_list("number", "client__name", "amount", "issued_on", "paid_on")
        ),
        "time": sorted(
            TimeEntry.objects.filter(business=business).values_list(
                "client__name", "date", "minutes", "kind"
            )
        ),
        "versions": list(
            IncidentVersion.objects.filter(business=business)
            .order_by("seq")
            .values_list("seq", "version", "incident__number")
        ),
    }


def _generate(name: str, seed: int = 3, **kw) -> loaddata.Report:
    kw.setdefault("small_businesses", 0)
    return loaddata.generate(business_name=name, size=SIZE, seed=seed, today=TODAY, **kw)


def test_builds_the_asked_sizes_with_a_valid_chain():
    report = _generate("Load A", small_businesses=2)
    business = report.business
    assert Client.objects.filter(business=business).count() == 40
    assert Incident.objects.filter(business=business).count() == 400
    assert Invoice.objects.filter(business=business).count() == 200
    assert TimeEntry.objects.filter(business=business).count() == 200
    assert Contact.objects.filter(business=business).count() == report.counts["contacts"] >= 40
    assert IncidentVersion.objects.filter(business=business).count() > 400  # some amended
    assert AbuseFlag.objects.filter(business=business).count() == report.counts["abuse_flags"]
    assert Assessment.objects.filter(business=business, status="complete").count() >= 2
    answers = AssessmentAnswer.objects.filter(business=business).count()
    assert answers == 19 * report.counts["assessments"]
    assert verify_chain(business) == []
    # Beside it, small businesses with the same proportions and their own valid chains.
    assert [b.name for b in report.small] == ["Load A (small 1)", "Load A (small 2)"]
    for small in report.small:
        assert Client.objects.filter(business=small).count() == loaddata.SMALL_CLIENTS
        assert Incident.objects.filter(business=small).count() == 200
        assert verify_chain(small) == []
    roles = dict(Membership.objects.filter(business=business).values_list("user__email", "role"))
    assert roles == {report.owner_email: "owner", report.staff_email: "staff"}


def test_same_seed_same_data_other_seed_other_data():
    first = _signature(_generate("Load A").business)
    again = _signature(_generate("Load B").business)
    other = _signature(_generate("Load C", seed=4).business)
    assert first == again
    assert first["clients"] != other["clients"]
    assert first["incidents"] != other["incidents"]


def test_refuses_to_run_twice_for_one_name():
    _generate("Load A")
    with pytest.raises(loaddata.LoadDataExists):
        _generate("Load A")


def test_script_prints_the_login_and_refuses_a_second_run(capsys):
    from bench import generate_load_data

    args = ["--clients=5", "--incidents=20", "--invoices=10", "--time-entries=10", "--seed=2"]
    assert generate_load_data.main([*args, "--small-businesses=1"]) == 0
    text = capsys.readouterr().out
    assert "load-owner@example.com / clientreview-demo" in text
    assert "5 clients" in text
    assert generate_load_data.main(args) == 1
    assert "already exists" in capsys.readouterr().err
    call_command("verify_incidents", stdout=StringIO())  # every business's chain is intact
