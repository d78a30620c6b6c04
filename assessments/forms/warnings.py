from __future__ import annotations

from django import forms

from accounts.models import Membership


class DigestForm(forms.ModelForm):
    """How often an owner gets the early-warning digest."""

    class Meta:
        model = Membership
        fields = ["warning_digest"]
        widgets = {"warning_digest": forms.RadioSelect}
