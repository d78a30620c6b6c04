"""Forms of the review walk-through and of the evidence thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from assessments import scoring
from assessments.models import Assessment, AssessmentAnswer, EvidenceThresholds
from assessments.redflags import CATALOGUE, RedFlag, Tier
from assessments.services.assessment import REVIEW_AFTER_DAYS

NOTE_MAX = 2000
STEP_MAX = 300
MAX_EXTRA_STEPS = 10
# A date to look again further off than this is not watching any more.
REVIEW_MAX_DAYS = 3 * 366

# Where a navigation button takes the owner: back, on, or out to the client page.
GO_BACK, GO_NEXT, GO_SAVE = "back", "next", "save"


def go_choice(data: Mapping[str, str]) -> str:
    value = data.get("go", GO_NEXT)
    return value if value in (GO_BACK, GO_NEXT, GO_SAVE) else GO_NEXT


@dataclass(frozen=True)
class ChecklistRow:
    flag: RedFlag
    answer: forms.BoundField
    note: forms.BoundField
    prefilled: bool
    # The evidence for this flag (an `evidence.Proposal`), if the record has any.
    proposal: Any = None


class ChecklistForm(forms.Form):
    """Every flag answered yes, no or not sure, with a note.

    Initial answers come from the saved rows, or else from the evidence: a flag
    it proposes starts as "yes", a flag it cannot settle because something is not
    recorded as "not sure", every other flag as "no"; the owner decides.
    """

    def __init__(
        self,
        *args,
        saved: Mapping[str, AssessmentAnswer] | None = None,
        proposed: set[str] | frozenset[str] = frozenset(),
        asked: set[str] | frozenset[str] = frozenset(),
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        saved = saved or {}
        self.proposed = set(proposed)
        self.prefilled = set(proposed) if not saved else {k for k, r in saved.items() if r.proposed}
        for flag in CATALOGUE:
            row = saved.get(flag.key)
            if row is not None:
                initial_answer, initial_note = row.answer, row.note
            else:
                if flag.key in proposed:
                    initial_answer = scoring.Answer.YES
                elif flag.key in asked:
                    initial_answer = scoring.Answer.UNSURE
                else:
                    initial_answer = scoring.Answer.NO
                initial_note = ""
            self.fields[f"answer_{flag.key}"] = forms.ChoiceField(
                label=flag.question,
                choices=scoring.Answer.choices,
                # Bootstrap's toggle buttons: big, labelled targets on a phone.
                widget=forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"}),
                initial=initial_answer,
                error_messages={"required": _("Answer yes, no or not sure.")},
            )
            self.fields[f"note_{flag.key}"] = forms.CharField(
                label=_("Note on “%(title)s”") % {"title": flag.title},
                required=False,
                max_length=NOTE_MAX,
                initial=initial_note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self, tier: Tier, proposals: Mapping[str, Any]) -> list[ChecklistRow]:
        return [
            ChecklistRow(
                flag=flag,
                answer=self[f"answer_{flag.key}"],
                note=self[f"note_{flag.key}"],
                prefilled=flag.key in self.prefilled,
                proposal=proposals.get(flag.key),
            )
            for flag in CATALOGUE
            if flag.tier == tier
        ]

    def answers(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            flag.key: (data[f"answer_{flag.key}"], data[f"note_{flag.key}"].strip())
            for flag in CATALOGUE
        }


class WeighingForm(forms.ModelForm):
    likelihood_of_change = forms.ChoiceField(
        label=_("How likely is the situation to change?"),
        choices=scoring.Likelihood.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "If change is likely, clients with more than one problem get Watch instead of "
            "Fire: do not give up on them yet. Deal-breakers are Fire whatever you answer."
        ),
    )

    long_standing = forms.NullBooleanField(
        label=_("Is this a long-standing or personal relationship?"),
        required=False,
        widget=forms.RadioSelect(choices=[("true", _("Yes")), ("false", _("No"))]),
        help_text=_(
            "An old client or a friend who suddenly does not fit: ask how likely the "
            "situation is to change before you act (article 003). If yes, the first step "
            "is a conversation, before any letter."
        ),
    )

    class Meta:
        model = Assessment
        fields = ["likelihood_of_change", "long_standing", "weighing_note"]
        widgets = {"weighing_note": forms.Textarea(attrs={"rows": 3})}

    def require_likelihood(self) -> bool:
        """Going on to the verdict needs both answers; going back or leaving does not.
        Nothing is assumed for a question left open."""
        ok = True
        if not self.cleaned_data.get("likelihood_of_change"):
            self.add_error(
                "likelihood_of_change", _("Say how likely the situation is to change to go on.")
            )
            ok = False
        if self.cleaned_data.get("long_standing") is None:
            self.add_error(
                "long_standing", _("Say whether this is a long-standing relationship to go on.")
            )
            ok = False
        return ok


class VerdictForm(forms.Form):
    review_on = forms.DateField(
        label=_("Look again on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    extra_steps = forms.CharField(
        label=_("Your own next steps"),
        required=False,
        max_length=MAX_EXTRA_STEPS * (STEP_MAX + 2),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One step per line, at most 10, added to the steps listed above."),
    )

    def __init__(self, *args, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        default = self.today + timedelta(days=REVIEW_AFTER_DAYS)
        self.fields["review_on"].help_text = _(
            "For a Watch verdict. Left empty: %(date)s, %(days)s days from today."
        ) % {"date": date_format(default, "j F Y"), "days": REVIEW_AFTER_DAYS}

    def clean_review_on(self) -> date | None:
        value = self.cleaned_data.get("review_on")
        if value is None:
            return None
        if value <= self.today:
            raise forms.ValidationError(_("Pick a date after today."))
        if value > self.today + timedelta(days=REVIEW_MAX_DAYS):
            raise forms.ValidationError(_("Pick a date within the next three years."))
        return value

    def clean_extra_steps(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data.get("extra_steps", "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_EXTRA_STEPS:
            raise forms.ValidationError(_("At most 10 steps, one per line."))
        if any(len(line) > STEP_MAX for line in lines):
            raise forms.ValidationError(_("Keep each step under 300 characters."))
        return lines


THRESHOLD_HELP = {
    "late_average_days": _(
        "Default 30. Article 002 names 90 to 120 days late as a payment risk; 30 days late "
        "on average is already a pattern."
    ),
    "late_severe_days": _(
        "Default 90. Any one invoice this late proposes “slow to pay” on its own (002)."
    ),
    "disputed_share": _(
        "Default 0.25, a quarter of invoices: a habit, not a one-off. Write it as a "
        "fraction from 0.01 to 1 (0.25 means 25%)."
    ),
    "discounts_count": _(
        "Default 2. Agreeing a price and then talking it down, twice or more (000 #5)."
    ),
    "cost_to_revenue_ratio": _(
        # xgettext:no-python-format
        "Default 1.00: the cost to serve equals the revenue, so the client earns you "
        "nothing (002). 0.80 proposes the flag when cost reaches 80% of revenue."
    ),
    "major_cost_ratio": _(
        "Default 1.50. At or above this, “not profitable” counts as two serious flags: "
        "its size decides, not just its presence. Must be at least the ratio above."
    ),
    "major_overdue_share": _(
        "Default 0.25. When “slow to pay” is proposed and the money overdue is at least "
        "this share of the client's revenue over 12 months, it counts as two serious flags."
    ),
    "complaints_90_days": _(
        "Default 3. Complaints, requests outside the agreed scope and unreasonable demands "
        "count together, whatever the category they were logged under; extras billed to "
        "the client never count. Article 003 #1: “contacted us after the last five "
        "deliveries to say you were unhappy”."
    ),
    "demands_serious_90_days": _(
        "Default 5. From this many, the same count is a serious flag rather than a "
        "moderate one. Must be at least the number above."
    ),
    "out_of_hours_90_days": _(
        "Default 3. Calls, texts and e-mails outside your agreed contact hours (000 #3)."
    ),
    "scope_changes_90_days": _(
        "Default 3. Never proposed for clients billed by the hour: there, changes add to "
        "the bill (000 #6)."
    ),
    "no_referrals_after_years": _(
        "Default 2. A client of some years who has never sent anyone your way (003 #4)."
    ),
    "concentration_share": _(
        "Default 0.30. Not a flag: a caution to line up replacement revenue before acting, "
        "because a business that depends on one client is a house of cards (002)."
    ),
}


COUNT_FIELDS = (
    "discounts_count",
    "complaints_90_days",
    "demands_serious_90_days",
    "out_of_hours_90_days",
    "scope_changes_90_days",
)
MAX_COUNT = 1000


class ThresholdsForm(forms.ModelForm):
    class Meta:
        model = EvidenceThresholds
        fields = list(THRESHOLD_HELP)
        help_texts = THRESHOLD_HELP

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Zero days late would call every invoice late, paid on time or not.
        for name in ("late_average_days", "late_severe_days"):
            self.fields[name].validators.append(MinValueValidator(1))
            self.fields[name].widget.attrs["min"] = 1
        # The same ceiling on every database (SQLite would store any size of integer).
        for name in COUNT_FIELDS:
            self.fields[name].validators.append(MaxValueValidator(MAX_COUNT))
            self.fields[name].widget.attrs["max"] = MAX_COUNT

    def clean(self):
        data = super().clean()
        average, severe = data.get("late_average_days"), data.get("late_severe_days")
        if average is not None and severe is not None and severe < average:
            self.add_error(
                "late_severe_days",
                _("Severely late must be at least as many days as the average that counts."),
            )
        ratio, major = data.get("cost_to_revenue_ratio"), data.get("major_cost_ratio")
        if ratio is not None and major is not None and major < ratio:
            self.add_error(
                "major_cost_ratio",
                _("The ratio that counts twice must be at least the ratio that counts."),
            )
        low, high = data.get("complaints_90_days"), data.get("demands_serious_90_days")
        if low is not None and high is not None and high < low:
            self.add_error(
                "demands_serious_90_days",
                _("The serious count must be at least the count that proposes the flag."),
            )
        return data


__all__ = [
    "GO_BACK",
    "GO_NEXT",
    "GO_SAVE",
    "ChecklistForm",
    "ThresholdsForm",
    "VerdictForm",
    "WeighingForm",
    "go_choice",
]
