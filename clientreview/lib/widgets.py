"""Django's form renderer, with its simplest widget templates written in Python.

Every widget Django draws goes through a template: `input.html` (and the dozen that only
include it), `textarea.html`, `select.html` with one `select_option.html` per option, each
including `attrs.html`. These are a quarter of the incident form's time (issue 6). This
renderer writes the same markup directly, character for character (a test compares
it with Django's templates for every widget and kind of value), and leaves every other
template, and any of these that a project or app overrides, to Django.

Set as `FORM_RENDERER` in settings, so every form uses it, crispy's included.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

WIDGETS = "django/forms/widgets/"
DJANGO_TEMPLATES = Path(django.forms.__file__).parent / "templates"


def _text(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` under autoescaping: safe text as is, the rest escaped."""
    if isinstance(value, SafeData):
        return str(value)
    return conditional_escape("%s" % (value,))  # noqa: UP031 - the filter's own formatting


def _shown(value: Any) -> str | None:
    """`{{ value }}` for text (a number or a date would be localized: left to the template)."""
    if isinstance(value, (str, Promise)):
        return conditional_escape(value)
    return None


def _attrs(attrs: dict[str, Any]) -> str:
    """`attrs.html`: ` name="value"`, a bare ` name` for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{_text(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_text(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: dict[str, Any]) -> str | None:
    value = widget["value"]
    shown = _shown(value) if value else ""
    if shown is None:
        return None
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{shown}</textarea>"
    )


def _clearable_file_input(widget: dict[str, Any]) -> str | None:
    if widget["is_initial"]:
        return None  # a link to the current file: left to the template
    value = dict(widget, value=None)  # the template never writes a file input's value
    return _input(value)


def _option(option: dict[str, Any]) -> str | None:
    label = _shown(option["label"])
    if label is None or option["template_name"] != WIDGETS + "select_option.html":
        return None
    return f'<option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>'


def _select(widget: dict[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            label = _shown(group_name)
            if label is None:
                return None
            parts.append(f'\n  <optgroup label="{label}">')
        for option in options:
            written = _option(option)
            if written is None:
                return None
            parts.append(f"\n  {written}\n")  # select_option.html ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


# The widget templates written here; `None` from a writer sends that case to the template.
WRITERS: dict[str, Callable[[dict[str, Any]], str | None]] = {
    WIDGETS + name: _input
    for name in (
        "input.html",
        "checkbox.html",
        "color.html",
        "date.html",
        "datetime.html",
        "email.html",
        "file.html",
        "hidden.html",
        "number.html",
        "password.html",
        "search.html",
        "tel.html",
        "text.html",
        "time.html",
        "url.html",
    )
} | {
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "clearable_file_input.html": _clearable_file_input,
    WIDGETS + "select.html": _select,
}
# What each written template includes: all of them must be Django's own.
INCLUDED = ("input.html", "attrs.html", "select_option.html")


class FastWidgetRenderer(DjangoTemplates):
    """`DjangoTemplates`, writing the templates in `WRITERS` in Python while they are
    Django's own (the renderer finds no other copy first)."""

    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        writer = WRITERS.get(template_name)
        if writer is not None and self._stock(template_name):
            written = writer(context["widget"])
            if written is not None:
                return mark_safe(written)  # noqa: S308 - every value escaped above
        return super().render(template_name, context, request)

    @cache  # noqa: B019 - one renderer per process, a handful of template names
    def _stock(self, template_name: str) -> bool:
        names = [template_name, *(WIDGETS + name for name in INCLUDED)]
        return all(
            Path(self.get_template(name).origin.name).is_relative_to(DJANGO_TEMPLATES)
            for name in names
        )
