"""Reading row ids from requests and forms safely, whatever was typed or tampered with.

A request can carry any text where an id is expected. Django turns most of it
into a form error, but not everything: SQLite raises OverflowError for a number
beyond 64 bits in an `IN (...)` query (a multiple-choice field), and "²".isdigit()
is True while int("²") fails. These helpers refuse such values before any query.
"""

from __future__ import annotations

from typing import Any

from django import forms

MAX_ID = 2**63 - 1  # the largest primary key any supported database stores


def parse_id(raw: Any) -> int | None:
    """`raw` as a row id (a positive whole number a database key can hold), else None."""
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField whose submitted ids are checked before the database sees them."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                if parse_id(pk) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": str(pk)[:40]},
                    )
        return super()._check_values(value)
