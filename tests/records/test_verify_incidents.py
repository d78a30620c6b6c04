"""`manage.py verify_incidents`: an intact chain passes; any change outside the app is named."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from assessments.models import Incident, IncidentVersion
from assessments.services.incidents import amend_incident, verify_chain
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(business, staff):
    """Three incidents of business A, one amended, and one of business B."""
    acme = factories.client(business, name="Acme Ltd")
    first = factories.incident(acme, by=staff, description="First")
    second = factories.incident(acme, by=staff, description="Second")
    amend_incident(second, author=staff, reason="typo", description="Second, corrected")
    third = factories.incident(acme, by=staff, description="Third")
    other = factories.business(name="Other")
    factories.incident(factories.client(other))
    return first, Incident.objects.get(pk=second.pk), third


def run() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_incidents", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing() -> str:
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_incidents", stdout=StringIO(), stderr=err)
    assert "Incident chain broken" in str(failure.value)
    return err.getvalue()


def test_intact_chain_passes(log):
    out, err = run()
    assert "Incident chain intact for" in out
    assert err == ""


def test_tampered_incident_row_is_named(log):
    first, second, third = log
    Incident.objects.filter(pk=second.pk).update(description="Nothing happened, really.")
    err = run_failing()
    assert f"incident #{second.number} (id {second.pk})" in err
    assert "current record differs from its latest version" in err
    assert f"#{first.number} " not in err and f"#{third.number} " not in err


def test_tampered_severity_or_time_is_named(log):
    first, _second, _third = log
    Incident.objects.filter(pk=first.pk).update(
        severity="low", occurred_at=timezone.now() - timedelta(days=400)
    )
    assert f"incident #{first.number} (id {first.pk})" in run_failing()


def test_tampered_version_content_is_named(log):
    first, _second, _third = log
    version = IncidentVersion.objects.get(incident=first)
    content = {**version.content, "description": "Rewritten history"}
    IncidentVersion.objects.filter(pk=version.pk).update(content=content)
    err = run_failing()
    assert f"incident #{first.number} (id {first.pk})" in err
    assert "version 1 was altered outside the app" in err


def test_tampered_reason_of_an_amendment_is_named(log):
    _first, second, _third = log
    IncidentVersion.objects.filter(incident=second, version=2).update(reason="no reason")
    err = run_failing()
    assert f"incident #{second.number} (id {second.pk})" in err
    assert "version 2 was altered" in err


def test_version_deleted_with_raw_sql_is_detected(log):
    first, second, _third = log
    victim = IncidentVersion.objects.get(incident=second, version=1)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {IncidentVersion._meta.db_table} WHERE id = %s", [victim.pk])
    err = run_failing()
    assert f"chain position {victim.seq} is missing (a version was deleted)" in err


def test_latest_version_deleted_with_raw_sql_is_detected(log):
    _first, second, _third = log
    victim = IncidentVersion.objects.get(incident=second, version=2)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {IncidentVersion._meta.db_table} WHERE id = %s", [victim.pk])
    err = run_failing()
    assert f"incident #{second.number} (id {second.pk})" in err


def test_incident_inserted_without_a_version_is_named(log, business):
    first, _second, _third = log
    sneaky = Incident.objects.create(
        business=business,
        number=99,
        client=first.client,
        category="complaint",
        description="Made up afterwards",
    )
    err = run_failing()
    assert f"incident #99 (id {sneaky.pk})" in err
    assert "has no recorded version (inserted outside the app)" in err


def test_only_the_altered_business_is_reported(log, business):
    first, _second, _third = log
    Incident.objects.filter(pk=first.pk).update(witnesses="Someone new")
    problems = verify_chain(business)
    assert [p.incident_id for p in problems] == [first.pk]
    other = Incident.objects.exclude(business=business).get().business
    assert verify_chain(other) == []
