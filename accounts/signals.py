"""Audit receivers: failed logins and lockouts land in each affected business's log."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.models import AuditEvent, Membership
from accounts.services import record_event, record_event_for_user


def _record_for_email(email: str, kind: str, request, detail: str = "") -> None:
    if not email:
        return
    memberships = Membership.objects.filter(user__email__iexact=email.strip()).select_related(
        "business", "user"
    )
    for membership in memberships:
        record_event(
            membership.business,
            kind,
            actor=membership.user,
            actor_email=membership.user.email,
            request=request,
            detail=detail,
        )


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    _record_for_email(credentials.get("username", ""), AuditEvent.Kind.LOGIN_FAILED, request)


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    _record_for_email(
        username or "", AuditEvent.Kind.LOCKED_OUT, request, detail=f"from {ip_address}"
    )


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    record_event_for_user(user, AuditEvent.Kind.LOGIN, request=request)


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    # `user` is None when the session had already expired: nobody to record.
    if user is not None:
        record_event_for_user(user, AuditEvent.Kind.LOGOUT, request=request)
