"""Model helpers shared by the apps."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str


@cache
def _labels(field: models.Field) -> dict[Any, Any]:
    # Keys are the stored values; labels stay lazy, so each call shows the active language.
    return dict(field.flatchoices)


class QuickChoiceLabels(models.Model):
    """`get_FOO_display()` without rebuilding the choices on every call.

    Django's version hashes every (value, label) pair of the field each time, and hashing
    a lazy label translates it: on a client page with 50 timeline entries that was about
    a quarter of the page's time (issue 6). Same result: the label of the stored value,
    in the active language, or the value itself when it is not a choice.
    """

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> str:  # noqa: N802 - Django's name
        value = getattr(self, field.attname)
        try:
            label = _labels(field).get(value, value)
        except TypeError:  # an unhashable value: leave it to Django
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
