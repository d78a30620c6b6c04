"""Every tenant-owned model's default manager reaches a business's rows by
`for_business(business)`, and the view helpers are built on it."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from accounts.models import Business
from accounts.querysets import TenantQuerySet
from tests import factories

TENANT_APPS = ("accounts", "assessments")


def _tenant_models() -> list[type[models.Model]]:
    found = []
    for label in TENANT_APPS:
        for model in apps.get_app_config(label).get_models():
            field = next((f for f in model._meta.fields if f.name == "business"), None)
            if field is not None and field.related_model is Business:
                found.append(model)
    return found


def test_there_are_tenant_models_to_check():
    names = {m.__name__ for m in _tenant_models()}
    assert {"Client", "Contact", "Incident", "Invoice", "TimeEntry", "Membership"} <= names


@pytest.mark.parametrize("model", _tenant_models(), ids=lambda m: m._meta.label)
def test_the_default_manager_scopes_by_business(model):
    qs = model._default_manager.all()
    assert isinstance(qs, TenantQuerySet), model
    assert not model._meta.get_field("business").null, model
    assert model._default_manager.for_business(None).query.is_empty()
    where = str(model._default_manager.for_business(Business(pk=7)).query)
    assert f'"{model._meta.db_table}"."business_id" = 7' in where


@pytest.mark.django_db
def test_for_business_returns_only_that_business_rows():
    mine, theirs = factories.business(), factories.business()
    own = factories.client(mine, name="Mine")
    factories.client(theirs, name="Theirs")
    from assessments.models import Client

    assert list(Client.objects.for_business(mine)) == [own]
