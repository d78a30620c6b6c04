"""`FastWidgetRenderer` writes exactly what Django's widget templates write."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from assessments.forms.incidents import IncidentForm, MultipleFileInput
from clientreview.lib import widgets
from clientreview.lib.widgets import FastWidgetRenderer

STOCK, FAST = DjangoTemplates(), FastWidgetRenderer()

TRICKY = 'Tom & "Jerry" <b>'
ATTRS = {"class": "form-control", "required": True, "disabled": False, "data-x": TRICKY, "n": 3}
CHOICES = [
    ("", "— choose —"),
    ("a", TRICKY),
    (1, gettext_lazy("Lazy & translated")),
    ("Group <1>", [("g1", "In a group"), ("g2", mark_safe("<i>safe</i>"))]),  # noqa: S308
]

WIDGETS = [
    (forms.TextInput(ATTRS), "text"),
    (forms.TextInput(), TRICKY),
    (forms.TextInput(), mark_safe("<b>already safe</b>")),  # noqa: S308
    (forms.TextInput(), None),
    (forms.TextInput(), ""),
    (forms.NumberInput(), 1234567),
    (forms.NumberInput(), 3.5),
    (forms.EmailInput(), "a@example.com"),
    (forms.URLInput(), "https://example.com/?a=1&b=2"),
    (forms.PasswordInput(render_value=False), "secret"),
    (forms.PasswordInput(render_value=True), "se<cret"),
    (forms.HiddenInput(), True),
    (forms.DateInput(), datetime.date(2026, 11, 25)),
    (forms.DateTimeInput(format="%Y-%m-%dT%H:%M"), datetime.datetime(2026, 11, 25, 9, 5)),
    (forms.DateTimeInput(attrs={"type": "datetime-local", "max": "2026-11-25T10:00"}), None),
    (forms.TimeInput(), datetime.time(9, 30)),
    (forms.CheckboxInput(), True),
    (forms.CheckboxInput({"data-start": "09:00"}), False),
    (forms.CheckboxInput(), "on"),
    (forms.Textarea({"rows": 4}), "line one\nline <two> & three"),
    (forms.Textarea(), ""),
    (forms.Textarea(), None),
    (forms.Textarea(), 42),  # localized by the template: the writer steps aside
    (MultipleFileInput({"accept": ".pdf,image/*", "multiple": True}), None),
    (forms.ClearableFileInput(), None),
    (forms.ClearableFileInput(), SimpleUploadedFile("x.txt", b"x")),
    (forms.Select(choices=CHOICES), "a"),
    (forms.Select(choices=CHOICES, attrs=ATTRS), "g2"),
    (forms.Select(choices=CHOICES), None),
    (forms.Select(choices=[(1, 1000), (2, 2000)]), 1),  # number labels: the template's
    (forms.SelectMultiple(choices=CHOICES), ["a", "g1"]),
    (forms.NullBooleanSelect(), None),
    (forms.RadioSelect(choices=CHOICES), "a"),  # not written here: Django's template
    (forms.SelectDateWidget(), datetime.date(2026, 11, 25)),
]


@pytest.mark.parametrize(("widget", "value"), WIDGETS, ids=lambda p: repr(p)[:40])
@pytest.mark.parametrize("thousands", [False, True], ids=["plain", "thousand-separators"])
def test_same_markup_as_djangos_templates(widget, value, thousands):
    with override_settings(USE_THOUSAND_SEPARATOR=thousands):
        expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=STOCK)
        written = widget.render("field", value, attrs={"id": "id_field"}, renderer=FAST)
    assert written == expected


def test_a_whole_form_is_unchanged(business):
    form = IncidentForm(business=business)
    stock = IncidentForm(business=business, renderer=STOCK)
    stock.initial = form.initial
    for name in form.fields:
        assert str(form[name]) == str(stock[name]), name


def test_the_writers_are_used(monkeypatch):
    """Guards against the fast path silently never running (the tests above would pass)."""
    monkeypatch.setattr(DjangoTemplates, "render", lambda *a, **k: pytest.fail("template used"))
    FAST.render("django/forms/widgets/text.html", {"widget": _context(forms.TextInput())})
    FAST.render("django/forms/widgets/select.html", {"widget": _context(forms.Select())})


def test_an_overridden_template_is_left_to_the_renderer(tmp_path):
    """A project's own copy of a widget template wins over the Python version."""
    own = tmp_path / "django/forms/widgets/attrs.html"
    own.parent.mkdir(parents=True)
    own.write_text(" data-own-attrs")

    class Overridden(FastWidgetRenderer):
        @cached_property
        def engine(self):
            return self.backend(
                {"APP_DIRS": False, "DIRS": [tmp_path, widgets.DJANGO_TEMPLATES], "NAME": "t"}
                | {"OPTIONS": {}}
            )

    written = forms.TextInput().render("field", "x", renderer=Overridden())
    assert written == '<input type="text" name="field" value="x" data-own-attrs>'


def test_it_is_the_projects_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "clientreview.lib.widgets.FastWidgetRenderer"
    assert isinstance(get_default_renderer(), FastWidgetRenderer)


def _context(widget: forms.Widget) -> dict:
    return widget.get_context("field", None, {"id": "id_field"})["widget"]
