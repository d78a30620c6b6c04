"""Which language each part of what the app writes is in.

What the client reads (the letter) is in the client's language, else the business's; what
only the business reads (the private briefing, the rest of the plan, owners' e-mails) is in
the owner's own language, else the business's.
"""

from __future__ import annotations

from django.conf import settings

from accounts.models import Business, User
from assessments.models import Client


def _supported(language: str) -> str:
    """`language` if the app speaks it, else "" (a row saved before a language was dropped)."""
    return language if language in dict(settings.LANGUAGES) else ""


def business_language(business: Business) -> str:
    return _supported(business.language) or settings.LANGUAGE_CODE


def client_language(client: Client) -> str:
    """The language the client's letter is written in."""
    return _supported(client.language) or business_language(client.business)


def owner_language(user: User | None, business: Business) -> str:
    """The language an owner reads the private parts in (and their e-mails)."""
    return (user is not None and _supported(user.language)) or business_language(business)
