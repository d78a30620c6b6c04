"""The offboarding plan as a PDF: HTML from `templates/pdf/plan.html`, then WeasyPrint.

WeasyPrint may read only the project's own bundled files: `BundledFilesOnly` serves
`static/` files with a font or stylesheet suffix (as `file://` URLs inside static/ or
`cr-static:<path>`), and refuses everything else: http(s), ftp, `data:` and any file
outside static/, symlinks included. Every user value is autoescaped by the template, so
text a user typed can never become markup; the fetcher is the second wall in case it
ever did.

The parsed stylesheets and the font configuration are built once per process and
reused (parsing the fonts is most of a cold render); see bench/pdf.py.

Native memory: WeasyPrint 70 gives every piece of text that asks for an OpenType feature
(font-variant-*, font-kerning other than auto, font-feature-settings) a Pango attribute
list that it never frees (`weasyprint/text/line_break.py`, `Layout.setup`). Its browser
stylesheet asks for `tabular-nums` on every list marker, so each `<li>` leaked about 600
bytes: 16 KB per plan PDF, the whole growth of a long-lived worker (not font subsetting).
static/css/pdf.css resets that on `::marker`; the PDF stylesheets must ask for no font
feature anywhere (tests/plans/test_pdf_memory.py checks every box of a plan).
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments import charts
from assessments.figures import ClientFigures, client_figures
from assessments.language import client_language, owner_language
from assessments.models import AbuseFlag, Incident, OffboardingPlan
from assessments.plan import InvoiceLine, Partner, PlanSituation, Reason, money
from assessments.plan_text import People, PlanChoices, build_text
from assessments.queries.plans import business_today, decided, load_situation
from assessments.redflags import BY_KEY
from clientreview.lib import l10n

# WeasyPrint logs every rendering step at INFO (some on import): a worker log would be
# nothing else. Hence these imports after the line that quiets it.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

STATIC_DIR = Path(settings.BASE_DIR, "static").resolve()
ALLOWED_SUFFIXES = frozenset({".css", ".ttf", ".otf", ".woff", ".woff2"})
STYLESHEETS = ("css/pdf-fonts.css", "css/pdf.css")
BRIEFING_INCIDENTS = 100  # the latest incidents listed in the private briefing
DAYS_LATE_LIMIT = 90  # article 002: 90-120 days late is a payment risk
# The chart shows the latest invoices only: every SVG node is drawn by WeasyPrint in Python,
# and a year of monthly invoices says what the chart has to say.
LATE_CHART_INVOICES = 12


class RefusedURL(ValueError):
    """The PDF renderer asked for something that is not a bundled static file."""


def bundled_path(url: str) -> Path:
    """The file under static/ that `url` names, or RefusedURL."""
    if url.startswith("cr-static:"):
        relative = unquote(url[len("cr-static:") :].split("?")[0].split("#")[0]).lstrip("/")
        candidate = STATIC_DIR / relative
    else:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"only bundled static files may be loaded, not {url[:80]!r}")
        candidate = Path(url2pathname(unquote(parts.path)))
    try:
        path = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RefusedURL(f"no such bundled file: {url[:80]!r}") from exc
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        raise RefusedURL(f"outside the bundled static files: {url[:80]!r}")
    if path.suffix.lower() not in ALLOWED_SUFFIXES:
        raise RefusedURL(f"not a font or stylesheet: {url[:80]!r}")
    return path


class BundledFilesOnly(URLFetcher):
    """WeasyPrint's URL fetcher, restricted to the project's bundled fonts and CSS."""

    def __init__(self) -> None:
        # No protocol at all for the parent: nothing can reach urllib even by mistake.
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        path = bundled_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


@functools.lru_cache(maxsize=1)
def _resources(stamp: tuple) -> tuple[FontConfiguration, list[CSS], BundledFilesOnly]:
    fetcher = BundledFilesOnly()
    fonts = FontConfiguration()
    sheets = [
        CSS(filename=STATIC_DIR / name, url_fetcher=fetcher, font_config=fonts)
        for name in STYLESHEETS
    ]
    return fonts, sheets, fetcher


def resources() -> tuple[FontConfiguration, list[CSS], BundledFilesOnly]:
    """The parsed stylesheets and fonts, parsed again only when a stylesheet changes."""
    stamp = tuple((STATIC_DIR / name).stat().st_mtime_ns for name in STYLESHEETS)
    return _resources(stamp)


def render_html(html: str, target=None) -> bytes | None:
    """HTML to PDF with the bundled fonts and stylesheets; to `target` (path or file) or bytes."""
    fonts, sheets, fetcher = resources()
    document = HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(target, stylesheets=sheets, font_config=fonts)


def _choices(plan: OffboardingPlan, s: PlanSituation, partners: list[Partner]) -> PlanChoices:
    reason = next((r for r in s.reasons if r.key == plan.reason_flag), None)
    if reason is None:  # the flag left the snapshot: still name it rather than fail
        flag = BY_KEY.get(plan.reason_flag)
        reason = Reason(plan.reason_flag, str(flag.title) if flag else plan.reason_flag, "")
    invoice = s.invoice(plan.goodwill_invoice_id)
    return PlanChoices(
        reason=reason,
        fact=plan.reason_fact,
        goodwill=plan.goodwill,
        goodwill_amount=plan.goodwill_amount,
        goodwill_invoice=invoice,
        apology=plan.apology,
        partners=tuple(partners),
        provider_kind=plan.provider_kind,
        notice_kind=plan.notice_kind,
        notice_days=plan.notice_days,
        work_ends_on=plan.work_ends_on,
        method=plan.method,
        witness=plan.witness,
        announce_on=plan.announce_on,
        private_notes=plan.private_notes,
    )


def _revenue_effect(f: ClientFigures, currency: str) -> str:
    revenue, total = f.summary.revenue, f.business_revenue
    hours = (Decimal(f.summary.total_minutes) / 60).quantize(Decimal("1"))
    if total <= 0:
        return _("No revenue is recorded for the last 12 months.")
    share = f"{(revenue / total * 100).quantize(Decimal('1'))}%"
    if f.summary.profit < 0:
        tail = _("and ends a loss of %(loss)s a year") % {
            "loss": money(-f.summary.profit, currency)
        }
    else:
        tail = _("and %(profit)s of profit a year") % {"profit": money(f.summary.profit, currency)}
    return _(
        "Ending this relationship removes %(share)s of your revenue (%(revenue)s of "
        "%(total)s over the last 12 months) %(tail)s. It frees about %(hours)s hours of work "
        "a year."
    ) % {
        "share": share,
        "revenue": money(revenue, currency),
        "total": money(total, currency),
        "tail": tail,
        "hours": hours,
    }


# A bar's own <title> is its hover tooltip on the web page; a PDF has no hover, and WeasyPrint
# took about 5% of the whole render to handle them (bench/pdf.py). The chart's <title> and
# <desc>, which say what it shows, are children of <svg>, not of a <rect>: they stay.
_BAR_TOOLTIP = re.compile(r"(<rect\b[^>]*)><title>[^<]*</title></rect>")


def _without_bar_tooltips(svg: SafeString) -> SafeString:
    """The chart without its per-bar hover titles (the bars and their labels stay)."""
    # Still safe: this only deletes whole <title> elements whose text charts.py escaped.
    return mark_safe(_BAR_TOOLTIP.sub(r"\1/>", svg))  # noqa: S308


def _charts(f: ClientFigures, currency: str) -> tuple[str, str]:
    months = [l10n.month_label(m) for m in f.months]
    money_chart = charts.grouped_bar_chart(
        months,
        [(_("Revenue"), f.revenue_by_month), (_("Cost to serve"), f.cost_by_month)],
        title=_("Revenue against cost to serve, by month"),
        x_label=_("Month"),
        y_label=currency,
        currency=currency,
        chart_id="plan-money",
    )
    late_chart = charts.bar_chart(
        [(i.number, i.days_late) for i in f.recent_invoices[-LATE_CHART_INVOICES:]],
        title=_("Days late per invoice"),
        x_label=_("Invoice"),
        y_label=_("Days late"),
        highlight_above=DAYS_LATE_LIMIT,
        threshold_label=_("%(days)d days") % {"days": DAYS_LATE_LIMIT},
        chart_id="plan-late",
    )
    return _without_bar_tooltips(money_chart), _without_bar_tooltips(late_chart)


def plan_context(plan: OffboardingPlan) -> dict:
    """Everything the PDF template shows, read from the plan's own client record."""
    plan = OffboardingPlan.objects.select_related(
        "business", "client", "assessment", "created_by"
    ).get(pk=plan.pk)
    business, client = plan.business, plan.client
    today = business_today(business)
    s = load_situation(plan.assessment, today=today)
    partners = [
        Partner(p.pk, p.name, p.speciality, p.contact) for p in plan.partners.order_by("name")
    ]
    choices = _choices(plan, s, partners)
    addressee = client.contacts.order_by("created", "id").values_list("name", flat=True).first()
    owner = plan.created_by
    people = People(
        business=business.name,
        owner=(owner.name or owner.email) if owner else business.name,
        client=client.name,
        addressee=addressee or client.name,
        currency=business.currency,
        client_since=client.client_since,
    )
    figures = client_figures(client, today=today)
    since = timezone.now() - timedelta(days=365)
    incidents = (
        Incident.objects.filter(business=business, client=client, occurred_at__gte=since)
        .select_related("contact")
        .order_by("-occurred_at", "-id")[:BRIEFING_INCIDENTS]
    )
    flags = (
        AbuseFlag.objects.open()
        .filter(business=business, contact__client=client)
        .select_related("contact")
        .order_by("raised_at")
    )
    money_chart, late_chart = _charts(figures, business.currency)
    # --- issue 18: the letter in the client's language (the rest follows the owner's,
    # set by plan_html); the template renders the letter inside {% language %}.
    letter_language = client_language(client)
    with translation.override(letter_language):
        letter_text = build_text(s, choices, people)
    # --- end issue 18 ---
    return {
        "plan": plan,
        "business": business,
        "client": client,
        "assessment": plan.assessment,
        "situation": s,
        "choices": choices,
        "people": people,
        "text": build_text(s, choices, people),
        "letter_language": letter_language,  # issue 18
        "letter_text": letter_text,  # issue 18
        "today": today,
        "draft_until": s.act_not_before if s.cooling_off else None,
        "reasons": s.reasons,
        "figures": figures,
        "aging": [(k, money(v, business.currency)) for k, v in figures.aging.items() if v],
        "open_invoices": [_invoice_row(i, today, business.currency) for i in s.open_invoices],
        "invoices": [
            {
                "number": i.number,
                "issued_on": i.issued_on,
                "due_on": i.due_on,
                "paid_on": i.paid_on,
                "amount": money(i.amount, business.currency),
                "days_late": i.days_late,
                "late": i.days_late > DAYS_LATE_LIMIT,
                "disputed": i.disputed,
            }
            for i in figures.recent_invoices
        ],
        "incidents": list(reversed(list(incidents))),
        "abuse_flags": list(flags),
        "revenue_effect": _revenue_effect(figures, business.currency),
        "money": {
            "revenue": money(figures.summary.revenue, business.currency),
            "cost": money(figures.summary.cost, business.currency),
            "expenses": money(figures.summary.expenses, business.currency),
            "profit": money(figures.summary.profit, business.currency),
            "owed": money(s.money_owed, business.currency),
            "goodwill": money(choices.goodwill_amount, business.currency),
        },
        "money_chart": money_chart,
        "late_chart": late_chart,
        "ends_on": choices.ends_on,
        "decided": decided(plan.assessment, business),
    }


def _invoice_row(i: InvoiceLine, today, currency: str) -> dict:
    return {
        "number": i.number,
        "issued_on": i.issued_on,
        "due_on": i.due_on,
        "paid_on": i.paid_on,
        "amount": money(i.amount, currency),
        "days_late": i.days_late(today),
        "late": i.days_late(today) > DAYS_LATE_LIMIT,
    }


def plan_html(plan: OffboardingPlan) -> str:
    """The plan as HTML, in the business's time zone and the owner's language (a worker has
    no request to set them); the letter inside it is in the client's (plan_context)."""
    tz = plan.business.tzinfo
    language = owner_language(plan.created_by, plan.business)  # issue 18
    with timezone.override(tz), translation.override(language):
        return render_to_string("pdf/plan.html", plan_context(plan))


def render_plan_pdf(plan: OffboardingPlan, target=None) -> bytes | None:
    """The plan's PDF, as bytes or written to `target` (a path or a binary file)."""
    return render_html(plan_html(plan), target)


def letter_context(plan: OffboardingPlan, addressee: str) -> dict:
    """The letter alone, addressed to the contact it is sent to."""
    plan = OffboardingPlan.objects.select_related("business", "client", "created_by").get(
        pk=plan.pk
    )
    business, client = plan.business, plan.client
    today = business_today(business)
    s = load_situation(plan.assessment, today=today)
    partners = [
        Partner(p.pk, p.name, p.speciality, p.contact) for p in plan.partners.order_by("name")
    ]
    owner = plan.created_by
    people = People(
        business=business.name,
        owner=(owner.name or owner.email) if owner else business.name,
        client=client.name,
        addressee=addressee or client.name,
        currency=business.currency,
        client_since=client.client_since,
    )
    return {
        "business": business,
        "client": client,
        "text": build_text(s, _choices(plan, s, partners), people),
        "letter_date": today,
    }


def render_letter_pdf(plan: OffboardingPlan, addressee: str) -> bytes:
    """The letter as a PDF of its own, for the e-mail that sends it: in the client's
    language, whoever sends it."""
    with (
        timezone.override(plan.business.tzinfo),
        translation.override(client_language(plan.client)),
    ):
        html = render_to_string("pdf/letter.html", letter_context(plan, addressee))
    data = render_html(html)
    assert data is not None  # no target: WeasyPrint returns the bytes
    return data


__all__ = [
    "BundledFilesOnly",
    "RefusedURL",
    "bundled_path",
    "plan_context",
    "plan_html",
    "render_html",
    "render_letter_pdf",
    "render_plan_pdf",
]
