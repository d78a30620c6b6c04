"""The portfolio's filters and sort: a GET form, so a link to a view can be shared."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.models import Client
from assessments.queries import portfolio

SORT_CHOICES = [
    ("name", _("Name")),
    ("status", _("Status")),
    ("verdict", _("Latest verdict")),
    ("flags", _("Confirmed flags")),
    ("revenue", _("Revenue")),
    ("cost", _("Cost to serve")),
    ("profit", _("Profit")),
    ("days_late", _("Average days late")),
    ("open_balance", _("Open balance")),
    ("share", _("Share of revenue")),
]
assert {key for key, _label in SORT_CHOICES} == set(portfolio.SORTS)


@dataclass(frozen=True)
class Query:
    search: str = ""
    status: str = ""
    verdict: str = ""
    open_flag: bool = False
    sort: str = portfolio.DEFAULT_SORT
    descending: bool = False

    def table_kwargs(self) -> dict:
        return {
            "search": self.search,
            "status": self.status,
            "verdict": self.verdict,
            "open_flag": self.open_flag,
            "sort": self.sort,
            "descending": self.descending,
        }

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.status or self.verdict or self.open_flag)


class PortfolioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Client.Status.choices]
    )
    verdict = forms.ChoiceField(
        label=_("Latest verdict"),
        required=False,
        choices=[
            ("", _("Any verdict")),
            *scoring.Verdict.choices,
            (portfolio.NO_VERDICT, _("Not reviewed")),
        ],
    )
    flagged = forms.BooleanField(label=_("Only clients with an open abuse flag"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("asc", _("Ascending")), ("desc", _("Descending"))],
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("status", "verdict", "sort", "order"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control", "type": "search", "autocomplete": "off"}
        )
        self.fields["flagged"].widget.attrs["class"] = "form-check-input"

    def query(self) -> Query:
        """The query asked for, with anything invalid ignored: a mangled link still lists."""
        self.is_valid()
        data = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        return Query(
            search=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            verdict=data.get("verdict") or "",
            open_flag=bool(data.get("flagged")),
            sort=data.get("sort") or portfolio.DEFAULT_SORT,
            descending=data.get("order") == "desc",
        )
