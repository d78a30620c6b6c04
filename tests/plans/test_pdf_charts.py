"""The plan's two charts in the PDF: every bar and label of the web chart, without the
per-bar hover titles (a PDF has no hover; WeasyPrint spent about 5% of a render on them)."""

from __future__ import annotations

import re

import pytest

from assessments import pdf
from tests.plans.test_pdf import make_plan

pytestmark = pytest.mark.django_db


def _count(svg: str, tag: str) -> int:
    return len(re.findall(rf"<{tag}\b", svg))


def test_pdf_charts_keep_bars_labels_title_and_description(business, owner):
    plan = make_plan(business, owner)
    context = pdf.plan_context(plan)
    for name in ("money_chart", "late_chart"):
        svg = context[name]
        assert re.search(r"<svg[^>]*><title id=\"plan-[a-z]+-title\">", svg), name
        assert _count(svg, "desc") == 1, name
        assert _count(svg, "title") == 1, name  # the chart's own, not one per bar
        assert "<rect" in svg and "<text" in svg, name


def test_only_whole_bar_tooltips_are_removed():
    svg = (
        '<svg><title id="c-title">Chart</title><desc id="c-desc">d</desc>'
        '<rect x="1" fill="#000"><title>A &amp; B: 4</title></rect>'
        '<rect x="2" fill="#000"/><text x="3">4</text></svg>'
    )
    out = pdf._without_bar_tooltips(svg)
    assert out == (
        '<svg><title id="c-title">Chart</title><desc id="c-desc">d</desc>'
        '<rect x="1" fill="#000"/><rect x="2" fill="#000"/><text x="3">4</text></svg>'
    )
    assert hasattr(out, "__html__")  # still marked safe for the template
