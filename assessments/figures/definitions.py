"""The money definitions, each written once.

Figures, the client list, the portfolio, its charts and the evidence rules all
build their queries from these, so "revenue", "counted late", "days late" and
"cost to serve" cannot mean different things on different pages.

- the window: the last 12 months, `today` excluded from the start (`window_start`);
- revenue: invoiced amounts issued in the window;
- payment scope: invoices issued in the window, and every invoice still open;
- counted late: of those, the paid ones and the unpaid ones already past due;
- days late: due date to payment, or to today while unpaid; never negative;
- cost of a time entry: minutes at its cost rate, rounded half up to the cent,
  computed in whole cents by the database so that SQLite's integer division and
  its floating-point decimals cannot change it;
- cost to serve: the cost of every time entry in the window, billable or not, plus
  every expense dated in the window;
- trouble: incidents, except extra work billed to the client (never against them).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    BigIntegerField,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Round
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MONEY = DecimalField(max_digits=18, decimal_places=2)
WINDOW_DAYS = 365
RECENT_DAYS = 90

# The definitions in the owner's words, shown on the help page ("What the figures mean").
DEFINITIONS: tuple[Promise, ...] = (
    _("revenue: invoiced amounts issued in the last 12 months;"),
    _(
        "cost to serve: every minute logged for the client in the last 12 months at its "
        "cost rate, billable or not, rounded to the cent per entry, plus the expenses "
        "dated in the last 12 months; profit: revenue minus cost to serve;"
    ),
    _("days late: due date to payment, or to today while unpaid; never negative;"),
    _(
        "payment figures cover invoices issued in the last 12 months and every invoice "
        "still open, however old; an invoice counts towards lateness once it is paid or "
        "past its due date."
    ),
)


class DaysBetween(Func):
    """Whole days from `start` to `end` (two dates), on PostgreSQL and SQLite alike."""

    output_field = IntegerField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra,
        )


class CentsToMoney(Func):
    """Whole cents (an integer expression) as money. Dividing by a decimal literal keeps
    PostgreSQL exact (numeric); SQLite's float result is exact once quantized to cents."""

    template = "(%(expressions)s / 100.0)"
    output_field = MONEY


def money(value) -> Decimal:
    """A database sum (Decimal, float, int, text or None) as exact money."""
    if value in (None, ""):
        return ZERO
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def money_from_cents(cents) -> Decimal:
    return ZERO if cents in (None, "") else (Decimal(int(cents)) / 100).quantize(CENT)


def window_start(today: date) -> date:
    return today - timedelta(days=WINDOW_DAYS)


def today_value(today: date) -> Value:
    return Value(today, output_field=DateField())


# Invoices ---------------------------------------------------------------------------


def issued_in_window(today: date) -> Q:
    """Invoices whose amount counts as revenue."""
    return Q(issued_on__gt=window_start(today))


def payment_scope(today: date) -> Q:
    """Invoices the payment figures cover: issued in the window, or still open."""
    return issued_in_window(today) | Q(paid_on__isnull=True)


def counted_late(today: date) -> Q:
    """Invoices lateness is averaged over: in scope, and paid or already past due."""
    return payment_scope(today) & (Q(paid_on__isnull=False) | Q(due_on__lt=today))


def overdue(today: date) -> Q:
    """Unpaid invoices past their due date."""
    return Q(paid_on__isnull=True, due_on__lt=today)


def days_late(today: date) -> Greatest:
    """Days from the due date to payment, or to today while unpaid; never negative."""
    return Greatest(DaysBetween(Coalesce("paid_on", today_value(today)), "due_on"), Value(0))


def days_late_of(due_on: date, paid_on: date | None, today: date) -> int:
    """`days_late` for one invoice in Python (the same definition)."""
    return max(0, ((paid_on or today) - due_on).days)


# Incidents --------------------------------------------------------------------------

# Categories whose incidents are deal-breakers: they can never be billed away.
DEAL_BREAKER_CATEGORIES = frozenset(
    {
        "physical_abuse",
        "verbal_abuse",
        "harassment",
        "threat",
        "lying",
        "unethical_request",
        "legal_risk",
    }
)


def counts_against_client() -> Q:
    """Incidents that count as trouble: all but extra work billed to the client (abuse,
    lies and the like count whatever was ticked)."""
    return Q(billed_as_extra=False) | Q(category__in=DEAL_BREAKER_CATEGORIES)


# Time --------------------------------------------------------------------------------


def time_in_window(today: date) -> Q:
    return Q(date__gt=window_start(today))


def time_cost_cents() -> ExpressionWrapper:
    """One time entry's cost in whole cents, rounded half up: integer arithmetic only.

    (minutes x rate in cents + 30) // 60 is exact on every database; the rate is turned
    into cents first by rounding, which SQLite's float storage of decimals cannot spoil.
    """
    rate_cents = Cast(Round(F("cost_rate") * Value(100)), BigIntegerField())
    return ExpressionWrapper(
        (F("minutes") * rate_cents + Value(30)) / Value(60), output_field=BigIntegerField()
    )


def time_cost(minutes: int, rate: Decimal) -> Decimal:
    """`time_cost_cents` for one entry in Python (the same definition)."""
    rate_cents = int((Decimal(rate) * 100).to_integral_value(rounding=ROUND_HALF_UP))
    return money_from_cents((minutes * rate_cents + 30) // 60)


# Expenses ------------------------------------------------------------------------------


def expense_in_window(today: date) -> Q:
    return Q(date__gt=window_start(today))


def expense_cents() -> ExpressionWrapper:
    """An expense in whole cents (exact on SQLite, where decimals may be stored as floats)."""
    return ExpressionWrapper(
        Cast(Round(F("amount") * Value(100)), BigIntegerField()), output_field=BigIntegerField()
    )
