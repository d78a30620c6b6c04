"""Sign-up, team management (invitations, roles), business settings, switching, audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from accounts import services
from accounts.forms import (
    AcceptInvitationForm,
    BusinessSettingsForm,
    InvitationForm,
    RoleForm,
    SignUpForm,
)
from accounts.models import AuditEvent, Invitation, Membership
from accounts.tenancy import SESSION_KEY, for_business, get_for_business_or_404, owner_required
from clientreview.lib.forms import parse_id


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's `set_language` (the cookie, then back to `next`); a logged-in user's choice
    is also kept on their profile, so it follows them to other browsers and their e-mails."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        # Django's view takes any language it has a catalogue of ("de"), not only ours.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    if request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


class AuditedPasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_event_for_user(
            form.user, AuditEvent.Kind.PASSWORD_CHANGED, request=self.request
        )
        return response


class AuditedPasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link is recorded for the account asked about, if there is one."""

    def form_valid(self, form):
        for user in form.get_users(form.cleaned_data["email"]):
            services.record_event_for_user(
                user, AuditEvent.Kind.PASSWORD_RESET_REQUESTED, request=self.request
            )
        return super().form_valid(form)


class AuditedPasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_event_for_user(
            form.user, AuditEvent.Kind.PASSWORD_RESET, request=self.request
        )
        return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.sign_up(
            email=data["email"],
            password=data["password1"],
            name=data["name"],
            business_name=data["business_name"],
            time_zone=data["time_zone"],
            currency=data["currency"],
            # The language the sign-up page was read in: the browser's or the one switched to.
            language=request.LANGUAGE_CODE,
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Welcome! Your business is set up. Invite your staff from Team.")
        )
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
def no_business(request: HttpRequest) -> HttpResponse:
    if request.membership is not None:
        return redirect("home")
    return render(request, "accounts/no_business.html")


@owner_required
def team(request: HttpRequest) -> HttpResponse:
    members = (
        Membership.objects.filter(business=request.business)
        .select_related("user")
        .order_by("role", "user__email")
    )
    invitations = (
        Invitation.objects.pending().filter(business=request.business).select_related("invited_by")
    )
    return render(
        request,
        "accounts/team.html",
        {
            "members": members,
            "invitations": invitations,
            "form": InvitationForm(),
            "role_choices": Membership.Role.choices,
        },
    )


@owner_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invite_member(
                business=request.business,
                email=form.cleaned_data["email"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works for 7 days.") % form.cleaned_data,
            )
            return redirect("accounts:team")
    members = Membership.objects.filter(business=request.business).select_related("user")
    invitations = Invitation.objects.pending().filter(business=request.business)
    return render(
        request,
        "accounts/team.html",
        {
            "members": members,
            "invitations": invitations,
            "form": form,
            "role_choices": Membership.Role.choices,
        },
        status=400,
    )


@owner_required
@require_POST
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_for_business_or_404(Invitation.objects.pending(), request, pk=pk)
    services.revoke_invitation(invitation, request=request)
    messages.success(
        request, _("Invitation for %(email)s withdrawn.") % {"email": invitation.email}
    )
    return redirect("accounts:team")


@owner_required
@require_POST
def change_role(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_business_or_404(Membership, request, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
        return redirect("accounts:team")
    try:
        services.change_role(membership, form.cleaned_data["role"], request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Role updated."))
    return redirect("accounts:team")


@owner_required
@require_POST
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_for_business_or_404(Membership, request, pk=pk)
    try:
        services.remove_member(membership, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed."))
    return redirect("accounts:team")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token)
    if invitation is None or not invitation.is_pending:
        return render(
            request, "accounts/invitation_invalid.html", status=404 if invitation is None else 410
        )
    existing = request.user if request.user.is_authenticated else None
    form = None if existing else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (existing is not None or form.is_valid()):
        try:
            user = services.accept_invitation(
                invitation,
                user=existing,
                password=form.cleaned_data["password1"] if form else "",
                name=form.cleaned_data["name"] if form else "",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("accounts:accept_invitation", token=token)
        if existing is None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[SESSION_KEY] = invitation.business_id
        messages.success(
            request, _("You have joined %(business)s.") % {"business": invitation.business.name}
        )
        return redirect("home")
    return render(
        request,
        "accounts/accept_invitation.html",
        {"invitation": invitation, "form": form, "existing": existing},
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@require_POST
def switch_business(request: HttpRequest) -> HttpResponse:
    membership = get_object_or_404(
        Membership, user=request.user, business_id=parse_id(request.POST.get("business")) or 0
    )
    request.session[SESSION_KEY] = membership.business_id
    messages.info(
        request, _("Now working in %(business)s.") % {"business": membership.business.name}
    )
    return redirect("home")


@owner_required
def business_settings(request: HttpRequest) -> HttpResponse:
    form = BusinessSettingsForm(request.POST or None, instance=request.business)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.record_event(
            request.business,
            AuditEvent.Kind.SETTINGS_CHANGED,
            request=request,
            detail=", ".join(form.changed_data),
        )
        messages.success(request, _("Settings saved."))
        return redirect("accounts:settings")
    return render(
        request, "accounts/settings.html", {"form": form}, status=400 if form.is_bound else 200
    )


@owner_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = for_business(AuditEvent, request).select_related("actor")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit_log.html", {"page": page})
