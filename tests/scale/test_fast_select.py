"""The incident form's selects write their options directly (thousands of clients render in
milliseconds); they must say exactly what Django's Select says."""

from __future__ import annotations

import re

import pytest
from django import forms

from assessments.forms.incidents import FastSelect, IncidentForm
from tests import factories

pytestmark = pytest.mark.django_db


def _options(html: str) -> list[tuple[str, bool, str]]:
    found = re.findall(r'<option value="([^"]*)"([^>]*)>([^<]*)</option>', html)
    return [(value, "selected" in rest, label) for value, rest, label in found]


@pytest.mark.parametrize("value", [None, "", "b", 2])
def test_same_options_as_django(value):
    choices = [("", "— choose —"), ("a", "A & <b>"), ("b", 'Say "hi"'), (2, "Two")]
    fast = FastSelect(choices=choices).render("x", value, attrs={"id": "id_x", "required": True})
    slow = forms.Select(choices=choices).render("x", value, attrs={"id": "id_x", "required": True})
    assert _options(fast) == _options(slow)
    assert 'name="x"' in fast and 'id="id_x"' in fast and "required" in fast
    assert "<b>" not in fast


def test_incident_form_marks_the_chosen_client_and_each_contacts_client(business):
    acme = factories.client(business, name="Acme & Sons")
    other = factories.client(business, name="Other")
    jane = factories.contact(acme, name="Jane <Doe>")
    factories.contact(other, name="Bob")
    html = IncidentForm(business=business, initial={"client": acme}).as_p()
    assert f'<option value="{acme.pk}" selected>Acme &amp; Sons</option>' in html
    assert (
        f'<option value="{jane.pk}" data-client="{acme.pk}">Jane &lt;Doe&gt; (Acme &amp; Sons)'
        in html
    )
