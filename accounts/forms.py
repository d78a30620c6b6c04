from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Business, Membership, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class _PasswordPairMixin(forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password, not only digits."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def _user_for_validation(self) -> User:
        return User(
            email=self.cleaned_data.get("email", ""), name=self.cleaned_data.get("name", "")
        )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            try:
                password_validation.validate_password(p1, self._user_for_validation())
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class SignUpForm(_PasswordPairMixin):
    name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    business_name = forms.CharField(label=_("Business name"), max_length=120)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=Business._meta.get_field("time_zone").choices,
        initial="Europe/London",
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=Business._meta.get_field("currency").choices, initial="EUR"
    )

    field_order = [
        "name",
        "email",
        "password1",
        "password2",
        "business_name",
        "time_zone",
        "currency",
    ]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists. Log in instead.")
            )
        return email


class AcceptInvitationForm(_PasswordPairMixin):
    name = forms.CharField(label=_("Your name"), max_length=150)
    field_order = ["name", "password1", "password2"]

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def _user_for_validation(self) -> User:
        return User(email=self.email, name=self.cleaned_data.get("name", ""))


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class BusinessSettingsForm(forms.ModelForm):
    contact_days = forms.MultipleChoiceField(
        label=_("Contact days"),
        choices=[
            (str(i), label)
            for i, label in enumerate(
                [
                    _("Monday"),
                    _("Tuesday"),
                    _("Wednesday"),
                    _("Thursday"),
                    _("Friday"),
                    _("Saturday"),
                    _("Sunday"),
                ]
            )
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Days on which clients may contact you."),
    )

    class Meta:
        model = Business
        fields = [
            "name",
            "time_zone",
            "currency",
            "contact_hours_start",
            "contact_hours_end",
            "contact_days",
            "notice_period_days",
            "cooling_off_days",
            "payment_terms_days",
            "staff_cost_rate",
        ]
        widgets = {
            "contact_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "contact_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance and self.instance.pk:
            self.initial["contact_days"] = list(self.instance.contact_days)

    def clean_contact_days(self) -> str:
        return "".join(sorted(set(self.cleaned_data["contact_days"])))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("contact_hours_start"), cleaned.get("contact_hours_end")
        if start and end and start >= end:
            self.add_error("contact_hours_end", _("Contact hours must end after they start."))
        return cleaned
