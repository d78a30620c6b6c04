"""Account writes that touch several models or send mail: called by views and commands."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import AuditEvent, Business, Invitation, Membership, User


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_event(
    business: Business,
    kind: str,
    *,
    actor: User | None = None,
    actor_email: str = "",
    request=None,
    detail: str = "",
) -> AuditEvent:
    """Append one security event to the business's audit log."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent.objects.create(
        business=business,
        kind=kind,
        actor=actor,
        actor_email=actor_email or (actor.email if actor else ""),
        ip_address=client_ip(request),
        detail=detail[:500],
    )


def record_event_for_user(user: User, kind: str, *, request=None, detail: str = "") -> None:
    """Record an event about a person (logout, password) in every business they belong to."""
    for membership in Membership.objects.filter(user=user).select_related("business"):
        record_event(membership.business, kind, actor=user, request=request, detail=detail)


def revoke_invitation(invitation: Invitation, *, request=None) -> Invitation:
    """Withdraw a pending invitation; its link stops working at once."""
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_event(
        invitation.business,
        AuditEvent.Kind.INVITATION_REVOKED,
        request=request,
        detail=invitation.email,
    )
    return invitation


@transaction.atomic
def sign_up(*, email: str, password: str, name: str, business_name: str, **business_fields) -> User:
    """Create a user, their business, and make them its owner."""
    user = User.objects.create_user(email=email, password=password, name=name)
    business = Business.objects.create(name=business_name, **business_fields)
    Membership.objects.create(user=user, business=business, role=Membership.Role.OWNER)
    return user


def invite_member(*, business: Business, email: str, invited_by: User, request=None) -> Invitation:
    """Create a single-use invitation and e-mail its link (after the transaction commits)."""
    email = email.strip().lower()
    if Membership.objects.filter(business=business, user__email__iexact=email).exists():
        raise ValidationError(
            _("%(email)s is already a member of this business.") % {"email": email}
        )
    token, token_hash = Invitation.new_token()
    with transaction.atomic():
        # A newer invitation replaces any older one still open for the same address.
        Invitation.objects.pending().filter(business=business, email__iexact=email).update(
            revoked_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            business=business,
            email=email,
            token_hash=token_hash,
            invited_by=invited_by,
            expires_at=Invitation.default_expiry(),
        )
        record_event(
            business,
            AuditEvent.Kind.MEMBER_INVITED,
            actor=invited_by,
            request=request,
            detail=email,
        )
        link = settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])
        context = {
            "business": business,
            "invited_by": invited_by,
            "link": link,
            "invitation": invitation,
        }
        # Someone who already has an account reads it in their own language; a newcomer
        # in the language the owner is using.
        known = User.objects.filter(email__iexact=email).exclude(language="").first()
        with translation.override(known.language if known else translation.get_language()):
            subject = _("You are invited to join %(business)s on ClientReview") % {
                "business": business.name
            }
            body = render_to_string("emails/invitation.txt", context)
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def find_invitation(token: str) -> Invitation | None:
    return Invitation.objects.by_token(token).select_related("business", "invited_by").first()


@transaction.atomic
def accept_invitation(
    invitation: Invitation, *, user: User | None = None, password: str = "", name: str = ""
) -> User:
    """Join the invitation's business, creating the user if they are new.

    The invitation row is locked so that a link used twice at once still makes one member.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise ValidationError(_("This invitation has expired or has already been used."))
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail exists: log in to accept."))
        user = User.objects.create_user(email=invitation.email, password=password, name=name)
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    if Membership.objects.filter(user=user, business=invitation.business).exists():
        raise ValidationError(_("You are already a member of this business."))
    Membership.objects.create(user=user, business=invitation.business, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record_event(invitation.business, AuditEvent.Kind.MEMBER_JOINED, actor=user)
    return user


def _ensure_another_owner(membership: Membership) -> None:
    others = Membership.objects.filter(
        business=membership.business, role=Membership.Role.OWNER
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise ValidationError(
            _("A business needs at least one owner: make someone else an owner first.")
        )


@transaction.atomic
def change_role(membership: Membership, role: str, *, request=None) -> Membership:
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.OWNER:
        # Lock every owner row so two demotions at once cannot leave the business ownerless.
        list(
            Membership.objects.select_for_update().filter(
                business=membership.business_id, role=Membership.Role.OWNER
            )
        )
        _ensure_another_owner(membership)
    old = membership.get_role_display()
    membership.role = role
    membership.save(update_fields=["role"])
    record_event(
        membership.business,
        AuditEvent.Kind.ROLE_CHANGED,
        request=request,
        detail=f"{membership.user.email}: {old} -> {membership.get_role_display()}",
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, request=None) -> None:
    membership = (
        Membership.objects.select_for_update()
        .select_related("user", "business")
        .get(pk=membership.pk)
    )
    if membership.role == Membership.Role.OWNER:
        list(
            Membership.objects.select_for_update().filter(
                business=membership.business_id, role=Membership.Role.OWNER
            )
        )
        _ensure_another_owner(membership)
    record_event(
        membership.business,
        AuditEvent.Kind.MEMBER_REMOVED,
        request=request,
        detail=membership.user.email,
    )
    membership.delete()
