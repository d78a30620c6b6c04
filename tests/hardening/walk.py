"""Every URL pattern of the project, who may open it, and how to fill its parameters.

A URL name that is in none of the access lists, or a parameter the walk cannot
fill, fails `test_every_url_is_classified_and_fillable` with a message saying
what to add here. That is how a new page cannot escape the isolation tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.hardening.world import World

# Namespaces the walk leaves out: Django's admin is for superusers (checked separately).
EXCLUDED_NAMESPACES = {"admin"}
METHODS = ("get", "post", "put", "patch", "delete", "head")

# Anyone, logged in or not.
PUBLIC = {
    "healthz",
    "login",
    "accounts:login",
    "accounts:logout",
    "accounts:signup",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # The language switcher is on the login and sign-up pages too.
    "set_language",
    # The token in the link is the invitation: whoever holds it may see whom it is from.
    "accounts:accept_invitation",
    # The secret token in the address is the owner's calendar feed (revocable).
    "assessments:calendar_feed",
}
# Logged in, with or without a business.
LOGIN_ONLY = {
    "accounts:no_business",
    "accounts:switch_business",
    "accounts:password_change",
    "accounts:password_change_done",
}
# Any member of the business: owners and staff.
MEMBER = {
    "home",
    "assessments:incident_list",
    "assessments:incident_create",
    "assessments:incident_detail",
    "assessments:incident_amend",
    "assessments:evidence_add",
    "assessments:evidence_download",
    "assessments:evidence_preview",
    "assessments:flag_contact",
    "assessments:flag_list",
    "assessments:client_list",
    "assessments:client_detail",
    "assessments:contact_create",
    "assessments:contact_detail",
    "assessments:contact_edit",
    "assessments:time_create",
    "assessments:time_edit",
    "assessments:delivery_list",
    "assessments:delivery_create",
    "assessments:delivery_edit",
    "assessments:rules_help",
}
# Owners only: staff get 403.
OWNER = {
    "accounts:team",
    "accounts:invite",
    "accounts:revoke_invitation",
    "accounts:change_role",
    "accounts:remove_member",
    "accounts:settings",
    "accounts:audit_log",
    "assessments:flag_clear",
    "assessments:client_create",
    "assessments:client_edit",
    "assessments:invoice_create",
    "assessments:invoice_edit",
    "assessments:invoice_mark_paid",
    "assessments:expense_list",
    "assessments:expense_create",
    "assessments:expense_edit",
    "assessments:import_upload",
    "assessments:import_confirm",
    "assessments:partner_list",
    "assessments:partner_create",
    "assessments:partner_edit",
    "assessments:partner_delete",
    "assessments:plan_create",
    "assessments:plan_list",
    "assessments:plan_detail",
    "assessments:plan_edit",
    "assessments:plan_retry",
    "assessments:plan_download",
    "assessments:plan_finalise",
    "assessments:plan_exit",
    "assessments:plan_send",
    "assessments:log_export_create",
    "assessments:log_export_detail",
    "assessments:log_export_pdf",
    "assessments:log_export_csv",
    "assessments:assessment_start",
    "assessments:assessment_detail",
    "assessments:assessment_evidence",
    "assessments:assessment_checklist",
    "assessments:assessment_weighing",
    "assessments:assessment_verdict",
    "assessments:assessment_complete",
    "assessments:thresholds",
    "assessments:portfolio_csv",
    "assessments:reminder_list",
    "assessments:warning_list",
    "assessments:reminder_ics",
    "assessments:calendar_feed_create",
    "assessments:calendar_feed_revoke",
}
# URLs whose parameter is a secret handed to one person (a capability), not a row id:
# the holder may see what it grants, so the "no data of A" check allows the names it shows.
CAPABILITY = {
    "accounts:accept_invitation",
    "accounts:password_reset_confirm",
    "assessments:calendar_feed",
}
# Capabilities whose whole point is to hand A's data to the holder (a calendar app that
# cannot log in): the walk checks they refuse a wrong token, not what a right one shows.
DATA_CAPABILITY = {"assessments:calendar_feed"}

Filler = Callable[[World], Any]

# (URL name, parameter) -> business A's value for it.
PARAMS: dict[tuple[str, str], Filler] = {
    ("accounts:password_reset_confirm", "uidb64"): lambda w: urlsafe_base64_encode(
        force_bytes(w.owner.pk)
    ),
    ("accounts:password_reset_confirm", "token"): lambda w: default_token_generator.make_token(
        w.owner
    ),
    ("accounts:revoke_invitation", "pk"): lambda w: w.invitation.pk,
    ("accounts:change_role", "pk"): lambda w: w.staff_membership.pk,
    ("accounts:remove_member", "pk"): lambda w: w.staff_membership.pk,
    ("accounts:accept_invitation", "token"): lambda w: w.invitation_token,
    ("assessments:calendar_feed", "token"): lambda w: w.calendar_token,
    ("assessments:reminder_ics", "pk"): lambda w: w.reminder.pk,
    ("assessments:incident_detail", "pk"): lambda w: w.incident.pk,
    ("assessments:incident_amend", "pk"): lambda w: w.incident.pk,
    ("assessments:evidence_add", "pk"): lambda w: w.incident.pk,
    ("assessments:evidence_download", "pk"): lambda w: w.evidence.pk,
    ("assessments:evidence_preview", "pk"): lambda w: w.image_evidence.pk,
    ("assessments:flag_contact", "pk"): lambda w: w.contact.pk,
    ("assessments:flag_clear", "pk"): lambda w: w.flag.pk,
    ("assessments:client_detail", "pk"): lambda w: w.client.pk,
    ("assessments:client_edit", "pk"): lambda w: w.client.pk,
    ("assessments:contact_create", "pk"): lambda w: w.client.pk,
    ("assessments:contact_detail", "pk"): lambda w: w.contact.pk,
    ("assessments:contact_edit", "pk"): lambda w: w.contact.pk,
    ("assessments:invoice_create", "pk"): lambda w: w.client.pk,
    ("assessments:invoice_edit", "pk"): lambda w: w.invoice.pk,
    ("assessments:invoice_mark_paid", "pk"): lambda w: w.invoice.pk,
    ("assessments:time_create", "pk"): lambda w: w.client.pk,
    ("assessments:time_edit", "pk"): lambda w: w.time_entry.pk,
    ("assessments:delivery_list", "pk"): lambda w: w.client.pk,
    ("assessments:delivery_create", "pk"): lambda w: w.client.pk,
    ("assessments:delivery_edit", "pk"): lambda w: w.delivery.pk,
    ("assessments:expense_list", "pk"): lambda w: w.client.pk,
    ("assessments:expense_create", "pk"): lambda w: w.client.pk,
    ("assessments:expense_edit", "pk"): lambda w: w.expense.pk,
    ("assessments:partner_edit", "pk"): lambda w: w.partner.pk,
    ("assessments:partner_delete", "pk"): lambda w: w.partner.pk,
    ("assessments:plan_create", "pk"): lambda w: w.fresh_assessment.pk,
    ("assessments:plan_detail", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_edit", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_retry", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_download", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_finalise", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_exit", "pk"): lambda w: w.plan.pk,
    ("assessments:plan_send", "pk"): lambda w: w.plan.pk,
    ("assessments:log_export_create", "pk"): lambda w: w.client.pk,
    ("assessments:log_export_detail", "pk"): lambda w: w.log_export.pk,
    ("assessments:log_export_pdf", "pk"): lambda w: w.log_export.pk,
    ("assessments:log_export_csv", "pk"): lambda w: w.log_export.pk,
    ("assessments:assessment_start", "pk"): lambda w: w.client.pk,
    ("assessments:assessment_detail", "pk"): lambda w: w.assessment.pk,
    ("assessments:assessment_evidence", "pk"): lambda w: w.draft.pk,
    ("assessments:assessment_checklist", "pk"): lambda w: w.draft.pk,
    ("assessments:assessment_weighing", "pk"): lambda w: w.draft.pk,
    ("assessments:assessment_verdict", "pk"): lambda w: w.draft.pk,
    ("assessments:assessment_complete", "pk"): lambda w: w.draft.pk,
}

# Ids that pages take in the query string: filled with A's ids, they must not show A's rows.
QUERY_IDS: dict[str, dict[str, Filler]] = {
    "assessments:incident_list": {"client": lambda w: w.client.pk},
    "assessments:incident_create": {
        "client": lambda w: w.client.pk,
        "contact": lambda w: w.contact.pk,
    },
    "assessments:flag_contact": {"incident": lambda w: w.incident.pk},
}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    params: tuple[str, ...]

    @property
    def access(self) -> str | None:
        for label, names in (
            ("public", PUBLIC),
            ("login", LOGIN_ONLY),
            ("member", MEMBER),
            ("owner", OWNER),
        ):
            if self.name in names:
                return label
        return None

    def missing_params(self) -> list[str]:
        return [p for p in self.params if (self.name, p) not in PARAMS]

    def url(self, world: World, query: bool = False) -> str:
        kwargs = {p: PARAMS[(self.name, p)](world) for p in self.params}
        url = reverse(self.name, kwargs=kwargs)
        if query and self.name in QUERY_IDS:
            pairs = [f"{k}={fill(world)}" for k, fill in QUERY_IDS[self.name].items()]
            url += "?" + "&".join(pairs)
        return url


def _walk(patterns, prefix: str, namespace: str, params: tuple[str, ...]) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if inner.split(":")[0] in EXCLUDED_NAMESPACES:
                continue
            converters = tuple(getattr(entry.pattern, "converters", {}))
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), inner, params + converters
            )
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            converters = tuple(getattr(entry.pattern, "converters", {}))
            yield Route(
                name or f"<unnamed {prefix}{entry.pattern}>",
                prefix + str(entry.pattern),
                params + converters,
            )


def all_routes() -> list[Route]:
    """Every URL pattern of the project, outside the excluded namespaces."""
    routes = list(_walk(get_resolver().url_patterns, "", "", ()))
    return [r for r in routes if not r.route.startswith(("static/", "media/"))]


def problems_with_routes(routes: list[Route]) -> list[str]:
    problems = []
    for route in routes:
        if route.access is None:
            problems.append(
                f"{route.name} ({route.route}) is not classified: add it to PUBLIC, LOGIN_ONLY, "
                "MEMBER or OWNER in tests/hardening/walk.py"
            )
        for param in route.missing_params():
            problems.append(
                f"{route.name}: no way to fill <{param}>: add ({route.name!r}, {param!r}) to "
                "PARAMS in tests/hardening/walk.py (a factory for business A's object)"
            )
    listed = PUBLIC | LOGIN_ONLY | MEMBER | OWNER
    known = {route.name for route in routes}
    problems.extend(f"{name} is listed but no longer exists" for name in sorted(listed - known))
    return problems


def request(client, method: str, url: str, data: dict | None = None):
    """One request with any method; PUT, PATCH and DELETE carry the data url-encoded."""
    from urllib.parse import urlencode

    data = data or {}
    if method in ("get", "head"):
        return getattr(client, method)(url)
    if method == "post":
        return client.post(url, data)
    body = urlencode({k: v for k, v in data.items() if isinstance(v, (str, int))}, doseq=True)
    return getattr(client, method)(url, body, content_type="application/x-www-form-urlencoded")
