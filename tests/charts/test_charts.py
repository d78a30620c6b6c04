"""The SVG charts: valid, accessible, CSP-safe, escaped and deterministic.

No database. Under `pytest -p no:django` (while the project settings cannot load yet)
the module configures bare settings itself; under pytest-django they are already set.
"""

import xml.etree.ElementTree as ET
from decimal import Decimal

import django
import pytest
from django.conf import settings

if not settings.configured:
    settings.configure(USE_I18N=True, LANGUAGE_CODE="en", INSTALLED_APPS=[])
    django.setup()

from django.utils.safestring import SafeString  # noqa: E402

from assessments.charts import (  # noqa: E402
    bar_chart,
    grouped_bar_chart,
    nice_ticks,
    pareto_chart,
    share_chart,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = ["<script>alert(1)</script>", '"><img onerror=x>']


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{NS}text")]


def bars(root: ET.Element) -> list[ET.Element]:
    """Data bars: the rects that carry a hover <title>."""
    return [r for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]


def desc(root: ET.Element) -> str:
    return root.find(f"{NS}desc").text


def sample_pareto(**kw):
    clients = [
        ("Acme", 40, 10),
        ("Beta", 35, 20),
        (HOSTILE[0], 10, 5),
        (HOSTILE[1], 5, 15),
        ("Echo", 4, 10),
        ("Foxtrot", 2, 10),
        ("Golf", 2, 10),
        ("Hotel", 1, 10),
        ("India", 1, 5),
        ("Juliet", 0, 5),
    ]
    return pareto_chart(clients, title="Trouble against revenue", **kw)


def sample_bar(**kw):
    items = [
        ("0-30 days", Decimal("12500.00")),
        ("31-60 days", Decimal("4200.5")),
        (HOSTILE[0], 900),
        (HOSTILE[1], Decimal("15300")),
    ]
    return bar_chart(
        items,
        title="Receivables by age",
        x_label="Age bucket",
        y_label="Outstanding",
        money=True,
        currency="€",
        **kw,
    )


def sample_share(**kw):
    items = [("Acme", 0.42), ("Beta", 0.2), (HOSTILE[0], 0.1), (HOSTILE[1], 0.08)]
    return share_chart(items, title="Revenue concentration", **kw)


def sample_grouped(**kw):
    return grouped_bar_chart(
        ["Jan", HOSTILE[0], HOSTILE[1]],
        [("Revenue", [1000, 1200, Decimal("900.50")]), ("Cost to serve", [400, 700, 300])],
        title="Revenue against cost to serve",
        x_label="Month",
        y_label="Amount",
        currency="€",
        **kw,
    )


SAMPLES = {
    "pareto": (sample_pareto, ["Trouble score", "Clients, most trouble first", "Cumulative share"]),
    "bar": (sample_bar, ["Age bucket", "Outstanding"]),
    "share": (sample_share, ["Share of revenue", "Client"]),
    "grouped": (sample_grouped, ["Month", "Amount"]),
}
EMPTY = {
    "pareto": lambda: pareto_chart([], title="T"),
    "bar": lambda: bar_chart([], title="T", x_label="X axis", y_label="Y axis"),
    "share": lambda: share_chart([], title="T"),
    "grouped": lambda: grouped_bar_chart([], [], title="T", x_label="X axis", y_label="Y axis"),
}


@pytest.fixture(params=[*SAMPLES, *(f"empty-{k}" for k in EMPTY)])
def chart(request) -> str:
    name = request.param
    return EMPTY[name[6:]]() if name.startswith("empty-") else SAMPLES[name][0]()


def test_every_chart_is_accessible_xml(chart):
    root = parse(chart)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox").startswith("0 0 720 ")
    assert "Noto Sans" in root.get("font-family")
    title_id, desc_id = root.get("aria-labelledby").split()
    title, description = root.find(f"{NS}title"), root.find(f"{NS}desc")
    assert (title.get("id"), description.get("id")) == (title_id, desc_id)
    assert title.text and description.text
    assert title.text in texts(root)  # the title is visible too


def test_no_inline_styles_or_scripts(chart):
    root = parse(chart)
    for el in root.iter():
        assert "style" not in el.attrib, el.tag
        assert el.tag.removeprefix(NS) not in {"style", "script", "img", "foreignObject"}
        assert not any(key.startswith("on") for key in el.attrib)


def test_result_is_safe_string(chart):
    assert isinstance(chart, SafeString)


@pytest.mark.parametrize("name", SAMPLES)
def test_axis_titles_and_ticks_are_visible(name):
    make, labels = SAMPLES[name]
    shown = texts(parse(make()))
    for label in labels:
        assert label in shown
    assert "0" in shown or "€0" in shown or "0%" in shown  # a tick at zero


@pytest.mark.parametrize("name", SAMPLES)
def test_hostile_labels_come_out_as_text(name):
    svg = SAMPLES[name][0]()
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    root = parse(svg)
    visible = texts(root) + [t.text for t in root.iter(f"{NS}title")] + [desc(root)]
    assert any(HOSTILE[0] in t for t in visible)
    assert any(HOSTILE[1] in t for t in visible)


def test_control_characters_in_labels_still_parse():
    svg = bar_chart([("A\x00B\x0b\nC", 1)], title="T\x07", x_label="X", y_label="Y")
    assert "AB C" in texts(parse(svg))


@pytest.mark.parametrize("name", EMPTY)
def test_empty_data_draws_a_frame_with_a_message(name):
    root = parse(EMPTY[name]())
    assert "No data yet" in texts(root)
    assert desc(root) == "No data yet."
    assert bars(root) == []


def test_negative_values_hang_below_the_zero_line():
    svg = bar_chart(
        [("Acme", Decimal("-1200.50")), ("Beta", 3400)],
        title="Profit",
        x_label="Client",
        y_label="Profit",
        money=True,
        currency="EUR",
    )
    root = parse(svg)
    zero = next(line for line in root.iter(f"{NS}line") if line.get("stroke-width") == "1.5")
    acme, beta = bars(root)
    assert acme.get("y") == zero.get("y1") and float(acme.get("height")) > 0
    assert float(beta.get("y")) + float(beta.get("height")) == float(zero.get("y1"))
    shown = texts(root)
    # A currency code is written as the language writes it (here English: "-€1,200.50").
    assert "-€1,200.50" in shown and "€3,400" in shown
    assert any(t.startswith("-€") for t in shown)  # a negative tick


def test_all_zero_data():
    root = parse(bar_chart([("A", 0), ("B", 0)], title="T", x_label="X", y_label="Y"))
    assert [b.get("height") for b in bars(root)] == ["0", "0"]
    root = parse(pareto_chart([("A", 0, 0), ("B", 0, 0)], title="T"))
    assert desc(root).startswith("No trouble is recorded for any of the 2 clients.")
    assert root.find(f"{NS}polyline") is None
    root = parse(share_chart([("A", 0), ("B", 0)], title="T"))
    assert not any(" is " in t for t in texts(root))


def test_single_item():
    root = parse(pareto_chart([("Solo", 5, 100)], title="T"))
    assert desc(root).startswith(
        "The top 1 of 1 client (100%) causes 100% of the trouble and brings 100% of revenue."
    )
    assert len(bars(root)) == 1
    assert len(bars(parse(bar_chart([("A", 7)], title="T", x_label="X", y_label="Y")))) == 1
    assert len(bars(parse(share_chart([("A", 1)], title="T")))) == 1
    grouped = grouped_bar_chart(["Jan"], [("Revenue", [5])], title="T", x_label="X", y_label="Y")
    assert len(bars(parse(grouped))) == 1


def test_pareto_summary_hand_computed():
    # Trouble 40+35 of 100 and revenue 10+20 of 100 for the top 2 (20%) of 10 clients.
    assert desc(parse(sample_pareto())).startswith(
        "The top 2 of 10 clients (20%) cause 75% of the trouble and bring 30% of revenue. "
        "Acme: trouble 40, 10% of revenue; Beta: trouble 35, 20% of revenue;"
    )


def test_pareto_sorts_by_trouble_and_draws_both_cumulative_lines():
    root = parse(pareto_chart([("Low", 1, 50), ("High", 9, 50)], title="T"))
    assert [b.find(f"{NS}title").text.split(":")[0] for b in bars(root)] == ["High", "Low"]
    solid, dashed = root.iter(f"{NS}polyline")
    assert solid.get("stroke-dasharray") is None and dashed.get("stroke-dasharray")
    assert "100%" in texts(root)


def test_pareto_without_revenue_leaves_out_the_revenue_line():
    root = parse(pareto_chart([("A", 3, 0), ("B", 1, 0)], title="T"))
    assert desc(root).startswith("The top 1 of 2 clients (50%) cause 75% of the trouble.")
    assert len(list(root.iter(f"{NS}polyline"))) == 1


def test_pareto_aggregates_past_twenty_clients():
    items = [(f"Client {i}", 100 - i, 10) for i in range(30)]
    root = parse(pareto_chart(items, title="T"))
    assert len(bars(root)) == 21
    assert "Others (10)" in texts(root)
    assert desc(root).startswith("The top 6 of 30 clients (20%)")
    # 21 clients need no "Others (1)" bar.
    assert len(bars(parse(pareto_chart(items[:21], title="T")))) == 21


def test_share_chart_aggregates_past_ten_clients():
    items = [(f"Client {i}", Decimal("0.05")) for i in range(15)] + [("Big", Decimal("0.25"))]
    root = parse(share_chart(items, title="T"))
    assert len(bars(root)) == 11
    assert "Others (6)" in texts(root)  # Big and 9 others shown, 6 aggregated
    assert bars(root)[0].find(f"{NS}title").text == "Big: 25%"


def test_share_warning_present_at_or_past_the_threshold():
    root = parse(share_chart([("Acme", 0.42), ("Beta", 0.30), ("Gamma", 0.28)], title="T"))
    shown = texts(root)
    assert "Acme is 42% of revenue" in shown and "Beta is 30% of revenue" in shown
    assert not any(t.startswith("Gamma is") for t in shown)
    assert "30%" in shown  # the threshold line's label
    assert desc(root).startswith("Acme is 42% of revenue. Beta is 30% of revenue. Acme: 42%;")
    hot = [b for b in bars(root) if b.get("fill") == "#D55E00"]
    assert len(hot) == 2


def test_share_warning_absent_below_the_threshold():
    root = parse(share_chart([("Acme", 0.25), ("Beta", 0.2)], title="T"))
    assert not any("of revenue" in t and " is " in t for t in texts(root))
    root = parse(share_chart([("Acme", 0.25)], title="T", warn_at=Decimal("0.2")))
    assert "Acme is 25% of revenue" in texts(root)


def test_share_others_is_never_warned_about():
    items = [(f"Client {i}", Decimal("0.04")) for i in range(25)]  # Others (15) = 60%
    root = parse(share_chart(items, title="T"))
    assert not any(" is " in t for t in texts(root))


def test_bar_chart_highlights_above_threshold():
    items = [("INV-1", 30), ("INV-2", 95), ("INV-3", 90), ("INV-4", 200)]
    root = parse(
        bar_chart(
            items,
            title="Days late",
            x_label="Invoice",
            y_label="Days late",
            highlight_above=90,
            threshold_label="90 days late",
        )
    )
    fills = [b.get("fill") for b in bars(root)]
    assert fills == ["#0072B2", "#D55E00", "#0072B2", "#D55E00"]
    assert "90 days late" in texts(root)
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{NS}line"))
    assert desc(root).endswith("2 of 4 above 90.")


def test_money_and_number_formatting_has_no_float_artefacts():
    root = parse(
        bar_chart(
            [("a", 0.1 + 0.2), ("b", 1234567), ("c", Decimal("4200.5"))],
            title="T",
            x_label="X",
            y_label="Y",
        )
    )
    assert desc(root) == "a: 0.3; b: 1,234,567; c: 4,200.5."
    root = parse(sample_bar())
    assert "€4,200.50" in texts(root) and "€12,500" in texts(root)
    assert "€15,000" in texts(root)  # a tick


def test_long_labels_are_truncated_but_kept_whole_in_the_hover_title():
    long = "Very Long Client Name " * 10
    root = parse(bar_chart([(long, 1), ("B", 2), ("C", 3)], title="T", x_label="X", y_label="Y"))
    shown = [t for t in texts(root) if t.startswith("Very Long")]
    assert len(shown) == 1 and shown[0].endswith("…") and len(shown[0]) < 40
    assert bars(root)[0].find(f"{NS}title").text == f"{long.strip()}: 1"


def test_desc_lists_at_most_ten_items():
    items = [(f"Bucket {i}", i) for i in range(14)]
    text = desc(parse(bar_chart(items, title="T", x_label="X", y_label="Y")))
    assert text.endswith("Bucket 9: 9; and 4 more.")


def test_grouped_bar_chart_has_a_legend_and_one_bar_per_value():
    root = parse(sample_grouped())
    assert len(bars(root)) == 6
    assert {"Revenue", "Cost to serve"} <= set(texts(root))
    assert desc(root).startswith("Jan: Revenue €1,000, Cost to serve €400;")
    assert "€900.50" in desc(root)


def test_grouped_bar_chart_rejects_ragged_series():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        grouped_bar_chart(["a", "b", "c"], [("R", [1, 2])], title="T", x_label="X", y_label="Y")


def test_output_is_deterministic_and_ids_differ_per_chart():
    assert sample_pareto() == sample_pareto()
    assert sample_share() == sample_share()
    ids = {parse(make()).get("aria-labelledby") for make, _labels in SAMPLES.values()}
    assert len(ids) == len(SAMPLES)


def test_chart_id_is_used_and_sanitised():
    root = parse(sample_bar(chart_id='age"><x'))
    assert root.get("aria-labelledby") == "age---x-title age---x-desc"
    assert root.find(f"{NS}title").get("id") == "age---x-title"


@pytest.mark.parametrize(
    ("lo", "hi", "expected"),
    [
        (0, 100, [0, 20, 40, 60, 80, 100]),
        (0, 42, [0, 10, 20, 30, 40, 50]),
        (-35, 120, [-50, 0, 50, 100, 150]),
        (120, -35, [-50, 0, 50, 100, 150]),
        (0, 0, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        (5, 5, [0, 1, 2, 3, 4, 5]),
        (-7, -7, [-8, -6, -4, -2, 0]),
        (Decimal("0"), Decimal("0.042"), ["0", "0.01", "0.02", "0.03", "0.04", "0.05"]),
        (0, 1_250_000, [0, 500_000, 1_000_000, 1_500_000]),
    ],
)
def test_nice_ticks(lo, hi, expected):
    ticks = nice_ticks(lo, hi)
    assert ticks == [Decimal(str(e)) for e in expected]
    assert all(isinstance(t, Decimal) for t in ticks)
    assert ticks[0] <= min(lo, hi) and ticks[-1] >= max(lo, hi)


def test_nice_ticks_floats_give_clean_floats():
    assert nice_ticks(0.0, 0.42) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert nice_ticks(0.1, 0.3, n=3) == [0.1, 0.2, 0.3]
    assert nice_ticks(0.0, 0.7) == [0.0, 0.2, 0.4, 0.6, 0.8]


def test_nice_ticks_respects_n_roughly():
    assert len(nice_ticks(0, 1000, n=10)) == 11
    assert len(nice_ticks(0, 1000, n=2)) == 2
