"""The plan PDF must not leave native memory behind in a long-lived worker.

WeasyPrint 70 hands any OpenType feature a text asks for (font-variant-*, font-kerning
other than auto, font-feature-settings) to Pango in an attribute list that it never frees
(`weasyprint/text/line_break.py`, `Layout.setup`). Its own browser stylesheet asks for
`tabular-nums` on every list marker, which leaked about 600 bytes per list item: 16 KB per
plan PDF, 17 MB in 1,000 renders (bench/RESULTS.md). static/css/pdf.css resets it; this
checks that no box of a real plan asks for a feature, so the leaking path is never taken.
"""

from __future__ import annotations

import pytest
from weasyprint import HTML
from weasyprint.text.fonts import font_features

from assessments import pdf
from tests.plans.test_pdf import make_plan

pytestmark = pytest.mark.django_db


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _features(style) -> dict:
    # The same call as WeasyPrint's Layout.setup: a non-empty result takes the leaking path.
    return font_features(
        style["font_kerning"],
        style["font_variant_ligatures"],
        style["font_variant_position"],
        style["font_variant_caps"],
        style["font_variant_numeric"],
        style["font_variant_alternates"],
        style["font_variant_east_asian"],
        style["font_feature_settings"],
    )


def test_no_text_in_the_plan_asks_pango_for_font_features(business, owner):
    plan = make_plan(business, owner)
    fonts, sheets, fetcher = pdf.resources()
    document = HTML(
        string=pdf.plan_html(plan), base_url=pdf.STATIC_DIR.as_uri() + "/", url_fetcher=fetcher
    ).render(stylesheets=sheets, font_config=fonts)
    boxes = [box for page in document.pages for box in _boxes(page._page_box)]
    markers = [box for box in boxes if (box.element_tag or "").endswith("::marker")]
    assert markers, "the plan has numbered and bulleted lists: their markers must be checked"
    asking = {box.element_tag: _features(box.style) for box in boxes if _features(box.style)}
    assert asking == {}


def test_without_the_reset_a_list_marker_would_ask_for_tabular_digits():
    # Guards the test above: if WeasyPrint's stylesheet stops asking, the reset can go.
    document = HTML(string="<ol><li>one</li></ol>").render()
    markers = [
        box for box in _boxes(document.pages[0]._page_box) if box.element_tag == "li::marker"
    ]
    assert markers and _features(markers[0].style) == {"tnum": 1}
