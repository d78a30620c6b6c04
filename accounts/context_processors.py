from __future__ import annotations

from django.utils.translation import get_language

from accounts.forms import LanguageForm


def tenancy(request) -> dict:
    membership = getattr(request, "membership", None)
    return {
        "current_business": getattr(request, "business", None),
        "current_membership": membership,
        "all_memberships": getattr(request, "memberships", []),
        "is_owner": bool(membership and membership.is_owner),
    }


def language(request) -> dict:
    """The navbar's language switcher, coming back to the page it was used on (its path:
    the query string is not echoed into every page)."""
    return {
        "language_form": LanguageForm(initial={"language": get_language(), "next": request.path})
    }
