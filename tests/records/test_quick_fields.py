"""`as_quick_field` writes what crispy's `as_crispy_field` writes, where it matters."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from assessments.forms.incidents import IncidentForm

pytestmark = pytest.mark.django_db

FIELDS = ["client", "category", "description", "files", "occurred_at", "outside_hours", "witnesses"]


def _render(tag: str, load: str, form) -> dict[str, str]:
    out = {}
    for name in FIELDS:
        source = "{% load " + load + " %}{{ f." + name + "|" + tag + " }}"
        out[name] = Template(source).render(Context({"f": form}))
    return out


def _shape(html: str) -> dict:
    """What people, app.js and the tests rely on: ids, classes, labels, messages, attrs."""
    return {
        "ids": sorted(set(re.findall(r'\bid="([^"]+)"', html))),
        "invalid": "is-invalid" in html,
        "aria": sorted(re.findall(r'aria-(?:describedby|invalid)="([^"]+)"', html)),
        "required": bool(re.search(r"<(?:input|select|textarea)[^>]*\brequired\b", html)),
        "asterisk": "asteriskField" in html,
        "control": sorted(set(re.findall(r"\b(form-(?:control|select|check-input))\b", html))),
        "text": re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip(),
    }


@pytest.mark.parametrize("bound", [False, True], ids=["blank form", "with errors"])
def test_same_fields_as_crispy(business, bound):
    data = {"category": "zzz", "description": "", "occurred_at": "yesterday", "witnesses": "x"}
    form = IncidentForm(data if bound else None, business=business)
    if bound:
        assert not form.is_valid()
    quick = _render("as_quick_field", "quick_fields", form)
    crispy = _render("as_crispy_field", "crispy_forms_tags", form)
    for name in FIELDS:
        assert _shape(quick[name]) == _shape(crispy[name]), name


@pytest.mark.parametrize(
    ("data", "checked", "error"),
    [
        (None, "medium", False),
        ({"severity": "high"}, "high", False),
        ({"severity": "x"}, None, True),
    ],
)
def test_severity_buttons(business, data, checked, error):
    form = IncidentForm(data, business=business)
    if data:
        form.is_valid()
    html = Template("{% load quick_fields %}{{ f|as_severity_buttons }}").render(
        Context({"f": form["severity"]})
    )
    radios = re.findall(r"<input [^>]*>", html)
    assert [re.search(r'value="(\w+)"', r).group(1) for r in radios] == [
        "low",
        "medium",
        "high",
        "critical",
    ]
    assert all('class="btn-check"' in r and " required" in r for r in radios)
    assert [r for r in radios if " checked" in r] == (
        [r for r in radios if f'value="{checked}"' in r] if checked else []
    )
    assert 'btn-outline-danger" for="id_severity_3"' in html
    assert 'btn-outline-warning" for="id_severity_2"' in html
    assert ("is-invalid" in html) is error and ("invalid-feedback" in html) is error
    assert "How serious" in html and "asteriskField" in html
