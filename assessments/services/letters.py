"""Sending the offboarding letter from the app: once, to a chosen contact, on record.

The letter goes by Django's mail (the SMTP server of EMAIL_URL; the compose mail
catcher in development), with the letter alone as a PDF: never the private
briefing. The plan row is locked while the mail is sent, and `letter_sent_at`
refuses a second send, so a double click or two tabs send one letter.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, User
from accounts.services import record_event
from assessments.language import client_language
from assessments.models import Contact, OffboardingPlan
from assessments.plan import check_choices, day
from assessments.queries.plans import business_today, load_situation
from assessments.services.plans import PlanStateError


def sendable_contacts(plan: OffboardingPlan):
    """The client's own contacts with an e-mail address."""
    return Contact.objects.filter(business=plan.business_id, client=plan.client_id).exclude(
        email=""
    )


def _saved_choices(plan: OffboardingPlan) -> dict:
    return {
        "reason_flag": plan.reason_flag,
        "reason_fact": plan.reason_fact,
        "goodwill": plan.goodwill,
        "goodwill_invoice": plan.goodwill_invoice_id,
        "goodwill_amount": plan.goodwill_amount,
        "partners": list(plan.partners.all()),
        "provider_kind": plan.provider_kind,
        "notice_kind": plan.notice_kind,
        "notice_days": plan.notice_days,
        "work_ends_on": plan.work_ends_on,
        "method": plan.method,
        "witness": plan.witness,
        "announce_on": None,  # the day to tell them is the day it is sent
    }


@transaction.atomic
def send_letter(plan: OffboardingPlan, *, contact: Contact, user: User) -> OffboardingPlan:
    """E-mail the letter to `contact` and record when, by whom and to whom.

    Refused unless the plan is final and the cooling-off period is over, when the
    letter was already sent or the exit recorded, for a contact of another client or
    without an e-mail address, and when the plan's choices no longer pass the safety
    rules (abuse recorded since the plan was made).
    """
    from assessments.pdf import render_letter_pdf  # WeasyPrint only where it renders

    plan = (
        OffboardingPlan.objects.select_for_update()
        .select_related("business", "client", "assessment")
        .get(pk=plan.pk)
    )
    if plan.letter_sent_at:
        raise PlanStateError(
            _("The letter was already sent on %(date)s.")
            % {"date": day(timezone.localdate(plan.letter_sent_at, plan.business.tzinfo))}
        )
    if plan.exit_recorded_at:
        raise PlanStateError(_("The exit is recorded: this plan no longer changes."))
    if not plan.finalised_at:
        raise PlanStateError(_("Finalise the plan before you send the letter."))
    today = business_today(plan.business)
    until = plan.assessment.act_not_before
    if until and today < until:
        raise PlanStateError(
            _("The cooling-off period runs until %(date)s.") % {"date": day(until)}
        )
    if contact.client_id != plan.client_id or not contact.email:
        raise PlanStateError(_("Choose a contact of this client with an e-mail address."))
    s = load_situation(plan.assessment, today=today)
    errors = check_choices(s, _saved_choices(plan))
    errors.pop("announce_on", None)
    if errors:
        raise PlanStateError(
            _("The plan no longer passes its rules: %(problems)s Change the plan first.")
            % {"problems": " ".join(m for messages in errors.values() for m in messages)}
        )
    business = plan.business
    data = render_letter_pdf(plan, contact.name)
    # The e-mail goes to the client: in the client's language, as the letter is.
    with translation.override(client_language(plan.client)):
        subject = _("A letter from %(business)s") % {"business": business.name}
        body = _(
            "Dear %(name)s,\n\nPlease find our letter attached.\n\nKind regards,\n%(business)s"
        ) % {"name": contact.name, "business": business.name}
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[contact.email],
        reply_to=[user.email] if user.email else None,
    )
    name = f"letter-{slugify(business.name) or business.pk}.pdf"
    message.attach(name, data, "application/pdf")
    message.send(fail_silently=False)  # an SMTP error rolls back: not recorded as sent
    plan.letter_sent_at = timezone.now()
    plan.letter_sent_by = user
    plan.letter_sent_to = contact.email
    plan.letter_sent_to_name = contact.name
    plan.save(
        update_fields=[
            "letter_sent_at",
            "letter_sent_by",
            "letter_sent_to",
            "letter_sent_to_name",
            "updated",
        ]
    )
    record_event(
        business,
        AuditEvent.Kind.LETTER_SENT,
        actor=user,
        detail=f"plan {plan.pk}: letter to {contact.name} <{contact.email}>",
    )
    return plan
