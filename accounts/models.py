"""Users, businesses (the tenant), memberships, staff invitations and the audit log."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.querysets import TenantQuerySet

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)
TIME_ZONE_CHOICES.append(("UTC", "UTC"))

CURRENCY_CHOICES = [
    ("EUR", _("Euro (EUR)")),
    ("USD", _("US dollar (USD)")),
    ("GBP", _("Pound sterling (GBP)")),
    ("KRW", _("Korean won (KRW)")),
    ("ISK", _("Icelandic króna (ISK)")),
    ("RUB", _("Russian rouble (RUB)")),
    ("CHF", _("Swiss franc (CHF)")),
    ("CAD", _("Canadian dollar (CAD)")),
    ("AUD", _("Australian dollar (AUD)")),
    ("SEK", _("Swedish krona (SEK)")),
    ("NOK", _("Norwegian krone (NOK)")),
    ("DKK", _("Danish krone (DKK)")),
    ("PLN", _("Polish złoty (PLN)")),
    ("JPY", _("Japanese yen (JPY)")),
]

WEEKDAY_CHOICES = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


class User(AbstractUser):
    """A person who logs in with their e-mail address."""

    username = None
    first_name = None
    last_name = None
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages and e-mails in this language; blank follows the browser."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name or self.email


class Business(models.Model):
    """The tenant: everything a business records belongs to exactly one of these."""

    name = models.CharField(_("business name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/London"
    )
    currency = models.CharField(
        _("currency"), max_length=3, choices=CURRENCY_CHOICES, default="EUR"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "Your clients' letters are written in this language unless a client has their "
            "own; e-mails to owners who chose no language use it too."
        ),
    )
    contact_hours_start = models.TimeField(_("contact hours start"), default=time(9, 0))
    contact_hours_end = models.TimeField(_("contact hours end"), default=time(17, 30))
    contact_days = models.CharField(
        _("contact days"),
        max_length=7,
        default="01234",
        validators=[RegexValidator(r"^[0-6]{0,7}$")],
        help_text=_("Weekdays on which clients may contact you (Monday is 0)."),
    )
    notice_period_days = models.PositiveSmallIntegerField(
        _("default notice period (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    cooling_off_days = models.PositiveSmallIntegerField(
        _("cooling-off period (days)"),
        default=3,
        validators=[MaxValueValidator(60)],
        help_text=_("Days to wait after a Fire verdict before acting on it."),
    )
    # New clients start with these terms; an invoice without a due date uses its client's.
    payment_terms_days = models.PositiveSmallIntegerField(
        _("default payment terms (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
        help_text=_("Days a new client has to pay an invoice, unless you set their own."),
    )
    staff_cost_rate = models.DecimalField(
        _("default staff cost per hour"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("50.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def contact_weekdays(self) -> set[int]:
        return {int(d) for d in self.contact_days}

    def is_within_contact_hours(self, moment) -> bool:
        """True when `moment` falls inside the agreed contact days and hours."""
        local = timezone.localtime(moment, self.tzinfo)
        if local.weekday() not in self.contact_weekdays():
            return False
        return self.contact_hours_start <= local.time() < self.contact_hours_end


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")

    class Digest(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly, on Mondays")
        OFF = "off", _("Off")

    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created = models.DateTimeField(auto_now_add=True)
    # The early-warning digest (owners): how often, and up to when it has been sent.
    warning_digest = models.CharField(
        _("e-mail me clients that need a look"),
        max_length=10,
        choices=Digest.choices,
        default=Digest.DAILY,
    )
    warnings_sent_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "business"], name="unique_membership")
        ]
        ordering = ["business__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.business}"

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(TenantQuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )

    def by_token(self, token: str):
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    """A single-use link that lets someone join a business as staff.

    Only the token's hash is stored, so a database leak cannot be replayed.
    """

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.STAFF
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.business}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(models.Model):
    """Security-relevant events an owner can read: who did what, when, from where."""

    class Kind(models.TextChoices):
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKED_OUT = "locked_out", _("Locked out")
        LOGIN = "login", _("Logged in")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MEMBER_REMOVED = "member_removed", _("Member removed")
        MEMBER_INVITED = "member_invited", _("Member invited")
        MEMBER_JOINED = "member_joined", _("Member joined")
        FLAG_RAISED = "flag_raised", _("Abuse flag raised")
        FLAG_CLEARED = "flag_cleared", _("Abuse flag cleared")
        EXPORT = "export", _("Data exported")
        PLAN_DOWNLOADED = "plan_downloaded", _("Offboarding plan downloaded")
        EVIDENCE_DOWNLOADED = "evidence_downloaded", _("Evidence downloaded")
        SETTINGS_CHANGED = "settings_changed", _("Settings changed")
        LOGOUT = "logout", _("Logged out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET_REQUESTED = "password_reset_requested", _("Password reset requested")
        PASSWORD_RESET = "password_reset", _("Password reset")
        INVITATION_REVOKED = "invitation_revoked", _("Invitation withdrawn")
        IMPORTED = "imported", _("Invoices imported")
        CLIENT_EDITED = "client_edited", _("Client edited")
        INVOICE_EDITED = "invoice_edited", _("Invoice edited")
        TIME_EDITED = "time_edited", _("Time entry edited")
        PLAN_FINALISED = "plan_finalised", _("Offboarding plan finalised")
        LETTER_SENT = "letter_sent", _("Letter sent")

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="audit_events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["business", "-created"], name="audit_business_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor_email} at {self.created:%Y-%m-%d %H:%M}"
