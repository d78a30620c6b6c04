"""`QuickChoiceLabels` gives exactly what Django's own `get_FOO_display()` gives."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from assessments.models import Assessment, Client, Incident, OffboardingPlan, TimeEntry
from clientreview.lib.models import QuickChoiceLabels

MODELS = [Assessment, Client, Incident, OffboardingPlan, TimeEntry]


def _choice_fields(model):
    return [f for f in model._meta.concrete_fields if f.choices]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("language", ["en", "el"])
def test_same_labels_as_django(model, language):
    assert issubclass(model, QuickChoiceLabels)
    fields = _choice_fields(model)
    assert fields, f"{model.__name__} has no choice field: the mixin is not needed"
    with translation.override(language):
        for field in fields:
            for value in [*(v for v, _label in field.flatchoices), "not-a-choice", None]:
                obj = model(**{field.attname: value})
                ours = getattr(obj, f"get_{field.name}_display")()
                django = models.Model._get_FIELD_display(obj, field)
                assert ours == django and type(ours) is type(django), (field, value)


def test_a_label_is_a_plain_string():
    label = Incident(category="verbal_abuse").get_category_display()
    assert type(label) is str and label == str(Incident.Category.VERBAL_ABUSE.label)
