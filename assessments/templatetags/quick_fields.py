"""`{{ form.field|as_quick_field }}`: a form field in Bootstrap 5 markup, written in Python.

The same markup as crispy-forms' bootstrap5 `as_crispy_field` (label, widget, errors,
help; the same ids and classes, so app.js, the CSS and the tests read it alike), for the
form staff open most, often on a phone: crispy draws each field through about six nested
templates, a third of the incident form's time at 10,000 clients (issue 6). Other forms
keep crispy.
"""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
ASTERISK = mark_safe('<span class="asteriskField">*</span>')  # noqa: S308 - constant markup
NOTHING = mark_safe("")  # noqa: S308 - empty


def _widget_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxInput):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


def _errors(field: BoundField) -> SafeString:
    if not field.errors:
        return NOTHING
    items = format_html_join(
        "",
        '<p id="error_{}_{}"><strong>{}</strong></p>',
        ((n, field.auto_id, error) for n, error in enumerate(field.errors, start=1)),
    )
    return format_html('<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id, items)


def _help(field: BoundField) -> SafeString:
    if not field.help_text:
        return NOTHING
    return format_html(
        '<div id="{}_helptext" class="form-text">{}</div>', field.auto_id, field.help_text
    )


@register.filter
def as_quick_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if widget.is_hidden:
        return field.as_widget()
    classes = [_widget_class(widget)]
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        classes.append("is-invalid")
        described.append(f"{field.auto_id}_error")
    attrs = {"class": " ".join(classes)}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    control = field.as_widget(attrs=attrs)
    if isinstance(widget, forms.CheckboxInput):
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}'
            '<label for="{}" class="form-check-label">{}</label>{}{}</div></div>',
            field.auto_id,
            control,
            field.id_for_label,
            field.label,
            _errors(field),
            _help(field),
        )
    required = field.field.required
    return format_html(
        '<div id="div_{}" class="mb-3"><label for="{}" class="form-label{}">{}{}</label>'
        "{}{}{}</div>",
        field.auto_id,
        field.id_for_label,
        " requiredField" if required else "",
        field.label,
        ASTERISK if required else NOTHING,
        control,
        _errors(field),
        _help(field),
    )


SEVERITY_STYLE = {"critical": "danger", "high": "warning"}


@register.filter
def as_severity_buttons(field: BoundField) -> SafeString:
    """The severity radios as one row of Bootstrap toggle buttons, red for critical and
    amber for high; each radio written here rather than through a template of its own."""
    radios = []
    for radio in field.subwidgets:
        attrs = dict(radio.data["attrs"])
        if radio.data["selected"]:
            attrs["checked"] = True
        style = SEVERITY_STYLE.get(str(radio.data["value"]), "secondary")
        radios.append(
            format_html(
                '<input type="radio" name="{}" value="{}"{}>'
                '<label class="btn btn-outline-{}" for="{}">{}</label>',
                radio.data["name"],
                radio.data["value"],
                flatatt(attrs),
                style,
                radio.id_for_label,
                radio.choice_label,
            )
        )
    errors = format_html_join(
        "", '<div class="invalid-feedback d-block">{}</div>', ((e,) for e in field.errors)
    )
    return format_html(
        '<fieldset class="mb-3"><legend class="form-label fs-6 mb-1">{}{}</legend>'
        '<div class="btn-group w-100 severity-choices{}" role="group">{}</div>{}</fieldset>',
        field.label,
        ASTERISK if field.field.required else NOTHING,
        " is-invalid" if field.errors else "",
        mark_safe("".join(radios)),  # noqa: S308 - each part built with format_html
        errors,
    )
