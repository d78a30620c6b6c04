"""Every form of the project, by URL name, with valid data for business A.

The bad-input corpus starts from this data and changes one field at a time; the
isolation walk posts it as business B's owner and as A's staff. A form field
missing from the data fails `test_every_form_field_has_base_data`, and a URL that
takes a POST but is in neither FORMS nor ACTIONS fails `test_every_post_url_is_known`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts import forms as account_forms
from assessments.forms import assessment as assessment_forms
from assessments.forms import clients as client_forms
from assessments.forms import flags as flag_forms
from assessments.forms import imports as import_forms
from assessments.forms import incidents as incident_forms
from assessments.forms import money as money_forms
from assessments.forms import plans as plan_forms
from assessments.forms import warnings as warning_forms
from assessments.redflags import CATALOGUE
from tests import factories
from tests.hardening import valid_data as v
from tests.hardening.world import World


@dataclass
class FormSpec:
    persona: str  # "owner", "staff" or "anon"
    data: Callable[[World], dict[str, Any]]
    # The form classes whose fields the page posts, with their prefix.
    form_classes: tuple[tuple[type[forms.BaseForm], str], ...] = ()
    # Fields a form adds in __init__ (not in base_fields): name -> max_length or None.
    extra_fields: dict[str, int | None] = field(default_factory=dict)
    # For a URL that needs a step before the form (the password reset link).
    url: Callable[[World, Any], str] | None = None
    file_fields: tuple[str, ...] = ()
    # What a good submission answers: a redirect, or a page (the CSV preview).
    success: int = 302


NOTE_FIELDS = {f"note_{flag.key}": assessment_forms.NOTE_MAX for flag in CATALOGUE}
ANSWER_FIELDS = {f"answer_{flag.key}": None for flag in CATALOGUE}

FORMS: dict[str, FormSpec] = {
    "set_language": FormSpec(
        "owner", lambda w: {"language": "el", "next": "/"}, ((account_forms.LanguageForm, ""),)
    ),
    "accounts:signup": FormSpec("anon", v.signup, ((account_forms.SignUpForm, ""),)),
    "accounts:login": FormSpec(
        "anon",
        lambda w: {"username": w.owner.email, "password": factories.PASSWORD},
        ((account_forms.EmailAuthenticationForm, ""),),
    ),
    "accounts:password_reset": FormSpec(
        "anon", lambda w: {"email": w.owner.email}, ((auth_forms.PasswordResetForm, ""),)
    ),
    "accounts:password_reset_confirm": FormSpec(
        "anon",
        lambda w: {"new_password1": v.GOOD_PASSWORD, "new_password2": v.GOOD_PASSWORD},
        ((auth_forms.SetPasswordForm, ""),),
        url=v.reset_link,
    ),
    "accounts:password_change": FormSpec(
        "owner",
        lambda w: {
            "old_password": factories.PASSWORD,
            "new_password1": v.GOOD_PASSWORD,
            "new_password2": v.GOOD_PASSWORD,
        },
        ((auth_forms.PasswordChangeForm, ""),),
    ),
    "accounts:accept_invitation": FormSpec(
        "anon",
        lambda w: {
            "name": "Ivy Invitee",
            "password1": v.GOOD_PASSWORD,
            "password2": v.GOOD_PASSWORD,
        },
        ((account_forms.AcceptInvitationForm, ""),),
    ),
    "accounts:invite": FormSpec(
        "owner",
        lambda w: {"email": f"new{v.n()}@alpha.test"},
        ((account_forms.InvitationForm, ""),),
    ),
    "accounts:change_role": FormSpec(
        "owner", lambda w: {"role": "owner"}, ((account_forms.RoleForm, ""),)
    ),
    "accounts:settings": FormSpec("owner", v.settings, ((account_forms.BusinessSettingsForm, ""),)),
    "assessments:warning_list": FormSpec(
        "owner", lambda w: {"warning_digest": "weekly"}, ((warning_forms.DigestForm, ""),)
    ),
    "accounts:switch_business": FormSpec("owner", lambda w: {"business": str(w.business.pk)}),
    "assessments:client_create": FormSpec(
        "owner",
        lambda w: {
            **v.client_fields(f"New Client {v.n()}"),
            "contact-name": "Carla Contact",
            "contact-role": "Director",
            "contact-email": "carla@new.test",
            "contact-phone": "+30 210 123 4567",
        },
        ((client_forms.ClientForm, ""), (client_forms.FirstContactForm, "contact")),
    ),
    "assessments:client_edit": FormSpec(
        "owner", lambda w: v.client_fields(w.client.name), ((client_forms.ClientForm, ""),)
    ),
    "assessments:contact_create": FormSpec(
        "staff",
        lambda w: {"name": "Dora Deputy", "role": "CFO", "email": "dora@zq.test", "phone": "0123"},
        ((client_forms.ContactForm, ""),),
    ),
    "assessments:contact_edit": FormSpec(
        "staff",
        lambda w: {"name": w.contact.name, "role": "CEO", "email": "t@zq.test", "phone": ""},
        ((client_forms.ContactForm, ""),),
    ),
    "assessments:incident_create": FormSpec(
        "staff",
        lambda w: {
            **v.incident_fields(w),
            "client": str(w.client.pk),
            "about": f"d{w.delivery.pk}",
        },
        ((incident_forms.IncidentForm, ""),),
        file_fields=("files",),
    ),
    "assessments:incident_amend": FormSpec(
        "staff",
        lambda w: {**v.incident_fields(w), "reason": "The time was wrong.", "about": ""},
        ((incident_forms.AmendIncidentForm, ""),),
    ),
    "assessments:evidence_add": FormSpec(
        "staff",
        lambda w: {"files": v.text_file(), "description": "The e-mail they sent."},
        ((incident_forms.EvidenceForm, ""),),
        file_fields=("files",),
    ),
    "assessments:flag_contact": FormSpec(
        "staff",
        lambda w: {
            "reason": "Threatened Stan again.",
            "incidents": [str(w.incident.pk)],
            "review_on": v.day(30),
            "next": "",
        },
        ((flag_forms.FlagContactForm, ""),),
        extra_fields={"next": None},
    ),
    "assessments:flag_clear": FormSpec(
        "owner",
        lambda w: {"reason": "Apologised in writing.", "next": ""},
        ((flag_forms.ClearFlagForm, ""),),
        extra_fields={"next": None},
    ),
    "assessments:invoice_create": FormSpec(
        "owner", lambda w: v.invoice_fields(), ((money_forms.InvoiceForm, ""),)
    ),
    "assessments:invoice_edit": FormSpec(
        "owner",
        lambda w: {**v.invoice_fields(), "number": w.invoice.number},
        ((money_forms.InvoiceForm, ""),),
    ),
    "assessments:invoice_mark_paid": FormSpec(
        "owner", lambda w: {"paid_on": v.day(-1)}, ((money_forms.MarkPaidForm, ""),)
    ),
    "assessments:expense_create": FormSpec(
        "owner",
        lambda w: {"date": v.day(-1), "amount": "12.50", "category": "travel", "note": "Taxi"},
        ((money_forms.ExpenseForm, ""),),
    ),
    "assessments:expense_edit": FormSpec(
        "owner",
        lambda w: {"date": v.day(-2), "amount": "13.00", "category": "", "note": "Taxi back"},
        ((money_forms.ExpenseForm, ""),),
    ),
    "assessments:delivery_create": FormSpec(
        "owner",
        lambda w: {
            "delivered_on": v.day(-1),
            "title": "Signage, second batch",
            "invoice": str(w.invoice.pk),
            "note": "Handed over on site.",
        },
        ((money_forms.DeliveryForm, ""),),
    ),
    "assessments:delivery_edit": FormSpec(
        "owner",
        lambda w: {
            "delivered_on": v.day(-3),
            "title": "Signage, final files",
            "invoice": "",
            "note": "",
        },
        ((money_forms.DeliveryForm, ""),),
    ),
    "assessments:time_create": FormSpec(
        "owner",
        lambda w: {
            "date": v.day(-1),
            "duration": "1:30",
            "kind": "rework",
            "user": str(w.staff.pk),
            "cost_rate": "45.00",
            "note": "Redid the header.",
        },
        ((money_forms.TimeEntryForm, ""),),
        extra_fields={"user": None},
    ),
    "assessments:time_edit": FormSpec(
        "owner",
        lambda w: {
            "date": v.day(-2),
            "duration": "45",
            "kind": "meeting",
            "user": str(w.staff.pk),
            "cost_rate": "",
            "note": "Call about the invoice.",
        },
        ((money_forms.TimeEntryForm, ""),),
        extra_fields={"user": None},
    ),
    "assessments:import_upload": FormSpec(
        "owner",
        lambda w: {"file": v.csv_file(), "encoding": ""},
        ((import_forms.UploadForm, ""),),
        file_fields=("file",),
        success=200,
    ),
    "assessments:import_confirm": FormSpec("owner", v.import_rows),
    "assessments:partner_create": FormSpec(
        "owner",
        lambda w: {"name": f"Partner {v.n()}", "speciality": "tax law", "contact": "+30 210 1"},
        ((plan_forms.PartnerForm, ""),),
    ),
    "assessments:partner_edit": FormSpec(
        "owner",
        lambda w: {"name": w.partner.name, "speciality": "agency", "contact": "hi@m.test"},
        ((plan_forms.PartnerForm, ""),),
    ),
    "assessments:plan_create": FormSpec(
        "owner", lambda w: v.plan_fields(w, new=True), ((plan_forms.PlanForm, ""),)
    ),
    "assessments:plan_edit": FormSpec("owner", v.plan_fields, ((plan_forms.PlanForm, ""),)),
    # The plan is not final in the world: a good post answers with a message, no mail.
    "assessments:plan_send": FormSpec(
        "owner",
        lambda w: {"contact": str(w.plan.client.contacts.order_by("pk").first().pk)},
        ((plan_forms.SendLetterForm, ""),),
    ),
    "assessments:assessment_evidence": FormSpec("owner", lambda w: {"go": "next"}),
    "assessments:assessment_checklist": FormSpec(
        "owner",
        v.checklist,
        ((assessment_forms.ChecklistForm, ""),),
        extra_fields={"go": None, **ANSWER_FIELDS, **NOTE_FIELDS},
    ),
    "assessments:assessment_weighing": FormSpec(
        "owner",
        lambda w: {
            "likelihood_of_change": "unlikely",
            "long_standing": "false",
            "weighing_note": "They will not change.",
            "go": "next",
        },
        ((assessment_forms.WeighingForm, ""),),
        extra_fields={"go": None},
    ),
    "assessments:assessment_verdict": FormSpec(
        "owner",
        lambda w: {"review_on": v.day(60), "extra_steps": "Call the accountant", "go": "next"},
        ((assessment_forms.VerdictForm, ""),),
        extra_fields={"go": None},
    ),
    "assessments:assessment_complete": FormSpec(
        "owner",
        lambda w: {"review_on": v.day(60), "extra_steps": "Call the accountant"},
        ((assessment_forms.VerdictForm, ""),),
    ),
    "assessments:thresholds": FormSpec(
        "owner", v.thresholds, ((assessment_forms.ThresholdsForm, ""),)
    ),
}

# URLs that take a POST with no input of the user's (buttons), and what they do.
ACTIONS = {
    "accounts:logout": "log out",
    "accounts:revoke_invitation": "withdraw an invitation",
    "accounts:remove_member": "remove a member",
    "assessments:partner_delete": "remove a referral partner",
    "assessments:plan_retry": "build the PDF again",
    "assessments:plan_finalise": "finalise the plan",
    "assessments:plan_exit": "record the exit",
    "assessments:log_export_create": "export the client's incident log",
    "assessments:assessment_start": "start a review",
    "assessments:calendar_feed_create": "make a new calendar feed address",
    "assessments:calendar_feed_revoke": "revoke the calendar feed address",
}

# Pages that read the query string: each parameter gets the corpus too.
GET_PARAMS: dict[str, tuple[str, ...]] = {
    "home": ("q", "status", "verdict", "flagged", "sort", "order", "page"),
    "assessments:portfolio_csv": ("q", "status", "verdict", "flagged", "sort", "order"),
    "assessments:client_list": ("q", "status", "sort", "page"),
    "assessments:client_detail": ("timeline",),
    "assessments:incident_list": (
        "client",
        "delivery",
        "contact",
        "category",
        "severity",
        "date_from",
        "date_to",
        "recorded_by",
        "evidence",
        "page",
    ),
    "assessments:reminder_list": ("page",),
    "assessments:incident_create": ("client", "contact", "q"),
    "assessments:flag_list": ("page",),
    "assessments:flag_contact": ("incident", "next"),
    "assessments:flag_clear": ("next",),
    "accounts:audit_log": ("page",),
    "accounts:login": ("next",),
}


def field_limits(spec: FormSpec) -> dict[str, int | None]:
    """Every field the form has (with prefix) and its max_length, from the form classes."""
    limits: dict[str, int | None] = {}
    for form_class, prefix in spec.form_classes:
        for name, form_field in form_class.base_fields.items():
            key = f"{prefix}-{name}" if prefix else name
            limits[key] = getattr(form_field, "max_length", None)
    limits.update(spec.extra_fields)
    return limits


def form_url(name: str, spec: FormSpec, world: World, client) -> str:
    return spec.url(world, client) if spec.url else v.reverse_for(name, world)
