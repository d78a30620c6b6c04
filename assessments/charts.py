"""Charts drawn as SVG markup on the server, for the web pages and the PDF alike.

Why by hand: the site's Content-Security-Policy allows no inline script or style and
WeasyPrint runs no JavaScript, so a chart is plain SVG with presentation attributes
(never ``style=``). Every label that may come from a user is escaped here, which is
why the result can be ``mark_safe``. The same input always gives the same string,
so tests compare output. Strings are translated at call time, never at import.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clientreview.lib import l10n

Number = Decimal | int | float
Legend = Sequence[tuple[str, str, str]]  # (kind: "bar" | "line" | "dashed", colour, label)

FONT_FAMILY = "Noto Sans, Noto Sans KR Hangul, sans-serif"
WIDTH = 720
PLOT_HEIGHT = 220
PARETO_BARS = 20
SHARE_BARS = 10
DESC_ITEMS = 10  # items spelled out in <desc> before "and N more"

# Okabe-Ito colours, told apart with the common colour-vision deficiencies.
BLUE, SKY, VERMILLION, GREEN = "#0072B2", "#56B4E9", "#D55E00", "#009E73"
SERIES = (BLUE, VERMILLION, GREEN, "#CC79A7", SKY, "#E69F00", "#000000")
TEXT, MUTED, GRID, AXIS = "#1A1A1A", "#555555", "#DDDDDD", "#333333"
OTHERS, WARN = "#8C8C8C", "#A63A00"  # WARN is a darker vermillion: 6.5:1 on white for text
DASH = "6 4"
ZERO = Decimal(0)

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# --- numbers ------------------------------------------------------------------------


def _dec(value: Number) -> Decimal:
    # repr() is the shortest float that round-trips, so 0.1 stays 0.1, not 0.1000000000000000055.
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not d.is_finite():
        raise ValueError(f"chart values must be finite, got {value!r}")
    return d


def _places(value: Decimal, most: int = 2) -> int:
    """Decimal places needed to show ``value`` rounded to ``most`` places."""
    exponent = value.quantize(Decimal(1).scaleb(-most), ROUND_HALF_UP).normalize().as_tuple()[2]
    return max(0, -int(exponent))


def _fmt(value: Decimal, places: int, currency: str = "") -> str:
    q = value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if re.fullmatch("[A-Z]{3}", currency):  # a currency code: placed as the language writes it
        return l10n.format_money(q, currency)
    text = number_format(abs(q), places, use_l10n=True, force_grouping=True)
    if currency:
        text = f"{currency}{text}" if len(currency) == 1 else f"{currency} {text}"
    return f"-{text}" if q < 0 else text


def _amount(value: Decimal, *, money: bool = False, currency: str = "") -> str:
    if money:  # whole amounts without cents, anything else with exactly two places
        return _fmt(value, 0 if value == value.to_integral_value() else 2, _clean(currency))
    return _fmt(value, _places(value))


def _pct(fraction: Decimal) -> str:
    pct = fraction * 100
    return "<1%" if 0 < pct < Decimal("0.5") else f"{_fmt(pct, 0)}%"


def _nice(x: Decimal, *, round_: bool) -> Decimal:
    exp = x.adjusted()
    f = x.scaleb(-exp)
    if round_:
        step = 1 if f < Decimal("1.5") else 2 if f < 3 else 5 if f < 7 else 10
    else:
        step = 1 if f <= 1 else 2 if f <= 2 else 5 if f <= 5 else 10
    return Decimal(step).scaleb(exp)


def _ticks(lo: Decimal, hi: Decimal, n: int = 5) -> list[Decimal]:
    lo, hi = min(lo, hi), max(lo, hi)
    if lo == hi:  # stretch to zero so a single value still gets an axis
        lo, hi = (ZERO, hi) if hi > 0 else (lo, ZERO) if lo < 0 else (ZERO, Decimal(1))
    step = _nice(_nice(hi - lo, round_=False) / max(n - 1, 1), round_=True)
    first = (lo / step).to_integral_value(ROUND_FLOOR)
    last = (hi / step).to_integral_value(ROUND_CEILING)
    unit = Decimal(1).scaleb(min(0, int(step.as_tuple()[2])))  # 20, not 2E+1
    return [((first + i) * step).quantize(unit) for i in range(int(last - first) + 1)]


def nice_ticks(lo: Number, hi: Number, n: int = 5) -> list[Decimal | float]:
    """Round axis ticks covering ``lo..hi``, about ``n`` of them (Heckbert's method).

    Floats in give floats out; ints and Decimals give Decimals.
    """
    ticks = _ticks(_dec(lo), _dec(hi), n)
    if isinstance(lo, float) or isinstance(hi, float):
        return [float(t) for t in ticks]
    return list(ticks)


# --- text and markup ----------------------------------------------------------------


def _clean(label: object) -> str:
    """Text that XML 1.0 accepts, on one line (escaping happens when it is written)."""
    return " ".join(_NOT_XML.sub("", str(label)).split())


def _width(text: str, size: float = 11) -> float:
    """Rough rendered width in Noto Sans (measured advances); errs wide rather than clip."""
    em = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if unicodedata.east_asian_width(ch) in "WF":
            em += 1.0
        elif ch in " il.,:;!'()[]-ftjrIJ":
            em += 0.32
        elif ch in "mwMW%@&":
            em += 0.92
        else:
            em += 0.7 if ch.isupper() else 0.58
    return em * size


def _fit(text: str, room: float, size: float = 11) -> str:
    if _width(text, size) <= room:
        return text
    kept, budget = "", room - _width("…", size)
    for ch in text:
        if _width(kept + ch, size) > budget:
            break
        kept += ch
    return kept.rstrip() + "…"


def _n(x: float) -> str:
    s = f"{x:.1f}".removesuffix(".0")
    return "0" if s == "-0" else s


def _attrs(**attrs: object) -> str:
    """Escaped attributes; ``font_size`` becomes ``font-size``, ``None`` is left out."""
    return "".join(
        f' {key.replace("_", "-")}="{escape(v if isinstance(v, str) else _n(v))}"'  # type: ignore[arg-type]
        for key, v in attrs.items()
        if v is not None
    )


def _el(tag: str, content: str | None = None, **attrs: object) -> str:
    """One SVG element, its text content escaped."""
    if content is None:
        return f"<{tag}{_attrs(**attrs)}/>"
    return f"<{tag}{_attrs(**attrs)}>{escape(content)}</{tag}>"


def _text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str | None = None,
    bold: bool = False,
    size: float | None = None,
    fill: str | None = None,
    rotate: int | None = None,
) -> str:
    transform = f"rotate({rotate} {_n(x)} {_n(y)})" if rotate else None
    weight = "bold" if bold else None
    return _el(
        "text",
        content,
        x=x,
        y=y,
        font_size=size,
        font_weight=weight,
        fill=fill,
        text_anchor=anchor,
        transform=transform,
    )


def _line(x1: float, y1: float, x2: float, y2: float, colour: str, **attrs: object) -> str:
    return _el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=colour, **attrs)


def _bar(x: float, y0: float, y1: float, w: float, fill: str, hover: str, **attrs: object) -> str:
    """A rect between two pixel positions; its <title> keeps the full label for hover."""
    rect = _attrs(x=x, y=min(y0, y1), width=w, height=abs(y1 - y0), fill=fill, **attrs)
    return f"<rect{rect}>{_el('title', hover)}</rect>"


def _marker(kind: str, x: float, y: float, colour: str) -> str:
    if kind == "dashed":  # squares on the dashed line, circles on the solid one
        return _el("rect", x=x - 3.5, y=y - 3.5, width=7, height=7, fill=colour)
    return _el("circle", cx=x, cy=y, r=3.5, fill=colour)


def _listing(parts: list[str]) -> str:
    text = "; ".join(parts[:DESC_ITEMS])
    if (more := len(parts) - DESC_ITEMS) > 0:
        text += "; " + ngettext("and %(count)d more", "and %(count)d more", more) % {"count": more}
    return text + "."


def _chart_id(kind: str, chart_id: str | None, data: object) -> str:
    if chart_id:
        safe = re.sub(r"[^A-Za-z0-9_-]", "-", chart_id)
        return safe if safe[:1].isalpha() else f"chart-{safe}"
    # A hash of the input, not a counter, so the same chart is the same string every time.
    digest = hashlib.blake2s(repr((kind, data)).encode(), digest_size=5).hexdigest()
    return f"chart-{kind}-{digest}"


def _svg(cid: str, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    svg = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        role="img",
        viewBox=f"0 0 {WIDTH} {_n(height)}",
        aria_labelledby=f"{cid}-title {cid}-desc",
        font_family=FONT_FAMILY,
        font_size=11,
        fill=TEXT,
    )
    inner = _el("title", title, id=f"{cid}-title") + _el("desc", desc, id=f"{cid}-desc")
    # Safe to mark: every piece of text and every attribute went through escape().
    return mark_safe(f"<svg{svg}>{inner}{''.join(body)}</svg>")  # noqa: S308


# --- layout shared by the charts ----------------------------------------------------


@dataclass(frozen=True)
class _Scale:
    lo: Decimal
    hi: Decimal
    start: float
    end: float

    def __call__(self, value: Decimal) -> float:
        value = min(max(value, self.lo), self.hi)
        return self.start + float((value - self.lo) / (self.hi - self.lo)) * (self.end - self.start)


def _header(title: str, legend: Legend, notes: Sequence[str] = ()) -> tuple[list[str], float]:
    """Title, warning notes and a wrapping legend; returns the markup and the y below it."""
    out = [_text(12, 22, _fit(title, WIDTH - 24, 16), size=15, bold=True)]
    y = 22.0
    for note in notes:
        y += 19
        out.append(_text(12, y, _fit(note, WIDTH - 24, 14), size=13, bold=True, fill=WARN))
    x, y = 12.0, y + (22 if legend else 0)
    for kind, colour, label in legend:
        label = _fit(label, 240)
        step = 30 + _width(label)
        if x + step > WIDTH - 12 and x > 12:
            x, y = 12.0, y + 18
        if kind == "bar":
            stroke = BLUE if colour == SKY else None
            out.append(_el("rect", x=x, y=y - 9, width=12, height=12, fill=colour, stroke=stroke))
        else:
            dash = DASH if kind == "dashed" else None
            out.append(
                _line(x, y - 3, x + 20, y - 3, colour, stroke_width=2, stroke_dasharray=dash)
            )
            out.append(_marker(kind, x + 10, y - 3, colour))
        out.append(_text(x + (16 if kind == "bar" else 24), y + 1, label))
        x += step
    return out, y


def _axis_titles(
    x_label: str, y_label: str, left: float, right: float, top: float, bottom: float, x_y: float
) -> list[str]:
    mid_y = (top + bottom) / 2
    return [
        _text((left + right) / 2, x_y, _fit(x_label, right - left), anchor="middle", bold=True),
        _text(18, mid_y, _fit(y_label, bottom - top + 40), anchor="middle", bold=True, rotate=-90),
    ]


def _empty(cid: str, title: str, x_label: str, y_label: str) -> SafeString:
    body, top = _header(title, ())
    top, bottom = top + 20, top + 20 + PLOT_HEIGHT
    body += [
        _el("rect", x=60, y=top, width=WIDTH - 80, height=PLOT_HEIGHT, fill="none", stroke=GRID),
        _text(
            WIDTH / 2 + 20,
            top + PLOT_HEIGHT / 2,
            _("No data yet"),
            anchor="middle",
            size=14,
            fill=MUTED,
        ),
        *_axis_titles(x_label, y_label, 60, WIDTH - 20, top, bottom, bottom + 30),
    ]
    return _svg(cid, bottom + 42, title, _("No data yet."), body)


def _columns(
    *,
    cid: str,
    title: str,
    desc: str,
    legend: Legend,
    x_label: str,
    y_label: str,
    labels: list[str],
    ticks: list[Decimal],
    tick_text: Callable[[Decimal], str],
    marks: Callable[[_Scale, float, float], list[str]],
    right: tuple[str, list[tuple[Decimal, str]]] | None = None,
    right_room: float = 0,
) -> SafeString:
    """A chart with one column slot per category; ``marks(y_scale, left, slot)`` draws the data.

    ``right`` is a second axis (title, [(fraction, label)]); ``right_room`` reserves space
    right of the plot for a label drawn by ``marks``.
    """
    body, top = _header(title, legend)
    top += 16
    bottom = top + PLOT_HEIGHT
    tick_labels = [tick_text(t) for t in ticks]
    left = 38 + max(_width(s) for s in tick_labels)
    right_x = WIDTH - 16 - (30 + max(_width(s) for _v, s in right[1]) if right else right_room)
    slot = (right_x - left) / len(labels)
    rotated = max(_width(s) for s in labels) > slot - 6 and slot < 80
    if rotated:  # they hang down-left from their column: keep the first ones inside the frame
        shown = [_fit(s, min(130, (left + slot * (i + 0.5)) / 0.71)) for i, s in enumerate(labels)]
    else:
        shown = [_fit(s, slot - 6) for s in labels]
    y = _Scale(ticks[0], ticks[-1], bottom, top)
    for t, s in zip(ticks, tick_labels, strict=True):
        body += [_line(left, y(t), right_x, y(t), GRID), _text(left - 6, y(t) + 4, s, anchor="end")]
    if right:
        pct = _Scale(ZERO, Decimal(1), bottom, top)
        body += [_text(right_x + 6, pct(v) + 4, s) for v, s in right[1]]
        mid = (top + bottom) / 2
        body.append(_text(WIDTH - 14, mid, right[0], anchor="middle", bold=True, rotate=90))
        body.append(_line(right_x, top, right_x, bottom, AXIS))
    body += marks(y, left, slot)
    body.append(_line(left, y(ZERO), right_x, y(ZERO), AXIS, stroke_width=1.5))
    body.append(_line(left, top, left, bottom, AXIS))
    for i, s in enumerate(shown):
        cx = left + slot * (i + 0.5)
        if rotated:
            body.append(_text(cx + 4, bottom + 12, s, anchor="end", rotate=-45))
        else:
            body.append(_text(cx, bottom + 15, s, anchor="middle"))
    height = bottom + 50 + (max(_width(s) for s in shown) * 0.68 - 8 if rotated else 0)
    body += _axis_titles(x_label, y_label, left, right_x, top, bottom, height - 10)
    return _svg(cid, height, title, desc, body)


def _tick_text(ticks: list[Decimal], currency: str = "") -> Callable[[Decimal], str]:
    places = max(_places(t, 6) for t in ticks)  # one precision for the whole axis
    return lambda t: _fmt(t, places, _clean(currency))


# --- the charts ---------------------------------------------------------------------


def bar_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    money: bool = False,
    currency: str = "",
    chart_id: str | None = None,
    highlight_above: Number | None = None,
    threshold_label: str | None = None,
) -> SafeString:
    """Vertical bars in the given order (age buckets, invoices). Bars above
    ``highlight_above`` stand out against a dashed threshold line labelled with
    ``threshold_label`` (default: the threshold's value)."""
    rows = [(_clean(label), _dec(v)) for label, v in items]
    title, x_label, y_label = _clean(title), _clean(x_label), _clean(y_label)
    cid = _chart_id("bar", chart_id, (title, rows, highlight_above))
    if not rows:
        return _empty(cid, title, x_label, y_label)
    limit = None if highlight_above is None else _dec(highlight_above)

    def show(v: Decimal) -> str:
        return _amount(v, money=money, currency=currency)

    values = [v for _l, v in rows] + ([limit] if limit is not None else [])
    ticks = _ticks(min(*values, ZERO), max(*values, ZERO))
    legend: list[tuple[str, str, str]] = []
    line_label = ""
    desc = _listing([f"{label}: {show(v)}" for label, v in rows])
    if limit is not None:
        line_label = _fit(_clean(threshold_label or show(limit)), 150)
        legend = [
            ("bar", BLUE, _("At or below %(value)s") % {"value": show(limit)}),
            ("bar", VERMILLION, _("Above %(value)s") % {"value": show(limit)}),
        ]
        over = sum(1 for _l, v in rows if v > limit)
        args = {"over": over, "count": len(rows), "value": show(limit)}
        desc += " " + _("%(over)d of %(count)d above %(value)s.") % args

    def marks(y: _Scale, left: float, slot: float) -> list[str]:
        out, w = [], min(slot * 0.7, 64)
        for i, (label, v) in enumerate(rows):
            x, hot = left + slot * i + (slot - w) / 2, limit is not None and v > limit
            fill = VERMILLION if hot else BLUE
            out.append(_bar(x, y(ZERO), y(v), w, fill, f"{label}: {show(v)}"))
            if _width(show(v), 10) <= slot - 2:  # values only where they fit; desc has them all
                ty = y(v) - 4 if v >= 0 else y(v) + 12
                out.append(_text(x + w / 2, ty, show(v), anchor="middle", size=10, bold=hot))
        if limit is not None:
            ly, right_x = y(limit), left + slot * len(rows)
            out.append(_line(left, ly, right_x, ly, AXIS, stroke_width=1.5, stroke_dasharray=DASH))
            out.append(_text(right_x + 6, ly + 4, line_label, bold=True))
        return out

    return _columns(
        cid=cid,
        title=title,
        desc=desc,
        legend=legend,
        x_label=x_label,
        y_label=y_label,
        labels=[label for label, _v in rows],
        ticks=ticks,
        tick_text=_tick_text(ticks, currency if money else ""),
        marks=marks,
        right_room=_width(line_label, 12) + 4 if line_label else 0,
    )


def grouped_bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    money: bool = True,
    currency: str = "",
    chart_id: str | None = None,
) -> SafeString:
    """Side-by-side bars per category, one colour per series, with a legend (revenue
    against cost to serve, per month or per client). Every series needs one value
    per category."""
    cats = [_clean(c) for c in categories]
    data = [(_clean(name), [_dec(v) for v in values]) for name, values in series]
    title, x_label, y_label = _clean(title), _clean(x_label), _clean(y_label)
    for name, values in data:
        if len(values) != len(cats):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(cats)} categories")
    cid = _chart_id("grouped", chart_id, (title, cats, data))
    if not cats or not data:
        return _empty(cid, title, x_label, y_label)
    every = [v for _name, values in data for v in values]
    ticks = _ticks(min(*every, ZERO), max(*every, ZERO))
    colours = [SERIES[i % len(SERIES)] for i in range(len(data))]

    def show(v: Decimal) -> str:
        return _amount(v, money=money, currency=currency)

    desc = _listing(
        [
            f"{cat}: " + ", ".join(f"{name} {show(values[i])}" for name, values in data)
            for i, cat in enumerate(cats)
        ]
    )

    def marks(y: _Scale, left: float, slot: float) -> list[str]:
        out, group = [], min(slot * 0.8, 30 * len(data))
        w = group / len(data)
        for i, cat in enumerate(cats):
            x0 = left + slot * i + (slot - group) / 2
            for j, (name, values) in enumerate(data):
                hover = f"{cat}, {name}: {show(values[i])}"
                gap = 1 if w > 4 else 0  # a hairline between neighbours while bars are wide
                out.append(_bar(x0 + j * w, y(ZERO), y(values[i]), w - gap, colours[j], hover))
        return out

    legend = [("bar", colour, name) for colour, (name, _v) in zip(colours, data, strict=True)]
    return _columns(
        cid=cid,
        title=title,
        desc=desc,
        legend=legend,
        x_label=x_label,
        y_label=y_label,
        labels=cats,
        ticks=ticks,
        tick_text=_tick_text(ticks, currency if money else ""),
        marks=marks,
    )


def _pareto_summary(rows: list[tuple[str, Decimal, Decimal]]) -> str:
    """The sentence for <desc>: what the top fifth of clients (at least one) accounts for."""
    count = len(rows)
    top = (count + 4) // 5
    trouble, revenue = sum(r[1] for r in rows), sum(r[2] for r in rows)
    args = {
        "top": top,
        "count": count,
        "top_share": _pct(Decimal(top) / count),
        "trouble": _pct(sum(r[1] for r in rows[:top]) / trouble) if trouble else "",
        "revenue": _pct(sum(r[2] for r in rows[:top]) / revenue) if revenue > 0 else "",
    }
    if not trouble:
        return (
            ngettext(
                "No trouble is recorded for the %(count)d client.",
                "No trouble is recorded for any of the %(count)d clients.",
                count,
            )
            % args
        )
    if revenue > 0:
        return (
            ngettext(
                "The top %(top)d of %(count)d client (%(top_share)s) causes %(trouble)s of the "
                "trouble and brings %(revenue)s of revenue.",
                "The top %(top)d of %(count)d clients (%(top_share)s) cause %(trouble)s of the "
                "trouble and bring %(revenue)s of revenue.",
                count,
            )
            % args
        )
    return (
        ngettext(
            "The top %(top)d of %(count)d client (%(top_share)s) causes %(trouble)s "
            "of the trouble.",
            "The top %(top)d of %(count)d clients (%(top_share)s) cause %(trouble)s "
            "of the trouble.",
            count,
        )
        % args
    )


def pareto_chart(
    items: Sequence[tuple[str, Number, Number]], *, title: str, chart_id: str | None = None
) -> SafeString:
    """Clients by trouble score, most first, with the cumulative share of trouble (solid)
    and of revenue (dashed) on a 0-100% right axis. Past 20 clients the rest become one
    "Others (k)" bar. Negative trouble counts as none."""
    rows = [(_clean(label), max(_dec(t), ZERO), _dec(r)) for label, t, r in items]
    rows.sort(key=lambda row: -row[1])  # stable: ties keep the caller's order
    title = _clean(title)
    x_label, y_label = _("Clients, most trouble first"), _("Trouble score")
    cid = _chart_id("pareto", chart_id, (title, rows))
    if not rows:
        return _empty(cid, title, x_label, y_label)
    summary = _pareto_summary(rows)
    trouble, revenue = sum(r[1] for r in rows), sum(r[2] for r in rows)
    if len(rows) > PARETO_BARS + 1:
        rest = rows[PARETO_BARS:]
        others = _("Others (%(count)d)") % {"count": len(rest)}
        rows = [*rows[:PARETO_BARS], (others, sum(r[1] for r in rest), sum(r[2] for r in rest))]

    def share(part: Decimal, whole: Decimal) -> Decimal:
        return part / whole if whole > 0 else ZERO

    hover = [
        _("%(label)s: trouble %(trouble)s, %(revenue)s of revenue")
        % {"label": label, "trouble": _amount(t), "revenue": _pct(share(r, revenue))}
        for label, t, r in rows
    ]
    # xgettext:no-python-format
    lines = [("line", VERMILLION, _("Cumulative % of trouble"))] if trouble else []
    if trouble and revenue > 0:
        # xgettext:no-python-format
        lines.append(("dashed", AXIS, _("Cumulative % of revenue")))
    ticks = _ticks(ZERO, max(r[1] for r in rows))

    def marks(y: _Scale, left: float, slot: float) -> list[str]:
        w = min(slot * 0.75, 48)
        out = [
            _bar(left + slot * i + (slot - w) / 2, y(ZERO), y(r[1]), w, SKY, hover[i], stroke=BLUE)
            for i, r in enumerate(rows)
        ]
        pct = _Scale(ZERO, Decimal(1), y.start, y.end)
        for kind, colour, _label in lines:
            col, whole = (1, trouble) if kind == "line" else (2, revenue)
            running, points = ZERO, []
            for i, row in enumerate(rows):
                running += row[col]
                # Refunds can push cumulative revenue outside 0-100%; the scale clamps it.
                points.append((left + slot * (i + 0.5), pct(share(running, whole))))
            dash = DASH if kind == "dashed" else None
            coords = " ".join(f"{_n(px)},{_n(py)}" for px, py in points)
            out.append(
                _el(
                    "polyline",
                    points=coords,
                    fill="none",
                    stroke=colour,
                    stroke_width=2,
                    stroke_dasharray=dash,
                )
            )
            out += [_marker(kind, px, py, colour) for px, py in points]
        return out

    right = (_("Cumulative share"), [(Decimal(p) / 100, f"{p}%") for p in range(0, 101, 20)])
    return _columns(
        cid=cid,
        title=title,
        desc=summary + " " + _listing(hover),
        legend=[("bar", SKY, y_label), *lines],
        x_label=x_label,
        y_label=y_label,
        labels=[r[0] for r in rows],
        ticks=ticks,
        tick_text=_tick_text(ticks),
        marks=marks,
        right=right,
    )


def share_chart(
    items: Sequence[tuple[str, Number]],
    *,
    title: str,
    warn_at: Number = 0.30,
    chart_id: str | None = None,
) -> SafeString:
    """Horizontal bars of each client's share of revenue (fractions 0..1), largest first,
    top 10 plus "Others", a dashed line at ``warn_at`` and a visible warning naming
    every client at or past it."""
    rows = sorted(((_clean(label), _dec(v)) for label, v in items), key=lambda row: -row[1])
    title, warn = _clean(title), _dec(warn_at)
    x_label, y_label = _("Share of revenue"), _("Client")
    cid = _chart_id("share", chart_id, (title, rows, warn))
    if not rows:
        return _empty(cid, title, x_label, y_label)
    notes = [
        _("%(name)s is %(share)s of revenue") % {"name": label, "share": _pct(v)}
        for label, v in rows
        if v >= warn
    ]
    others = None  # index of the aggregated bar: no single client, so never a warning
    if len(rows) > SHARE_BARS + 1:
        rest, others = rows[SHARE_BARS:], SHARE_BARS
        aggregate = (_("Others (%(count)d)") % {"count": len(rest)}, sum(v for _l, v in rest))
        rows = [*rows[:SHARE_BARS], aggregate]
    desc = "".join(f"{note}. " for note in notes)
    desc += _listing([f"{label}: {_pct(v)}" for label, v in rows])
    body, top = _header(title, (), notes)
    top += 34  # room for the threshold's label above the plot
    labels = [_fit(label, 170) for label, _v in rows]
    left, right = 38 + max(_width(s) for s in labels), WIDTH - 52
    bottom = top + 26 * len(rows)
    x = _Scale(ZERO, _ticks(ZERO, max(warn, rows[0][1], ZERO))[-1], left, right)
    for t in _ticks(x.lo, x.hi):
        body.append(_line(x(t), top, x(t), bottom, GRID))
        body.append(_text(x(t), bottom + 16, _pct(t), anchor="middle"))
    for i, (label, v) in enumerate(rows):
        cy, hot = top + 26 * i + 13, v >= warn and i != others
        fill = OTHERS if i == others else VERMILLION if hot else BLUE
        end = x(max(v, ZERO))
        body.append(_bar(left, cy - 8, cy + 8, end - left, fill, f"{label}: {_pct(v)}"))
        body.append(_text(left - 8, cy + 4, labels[i], anchor="end"))
        body.append(_text(end + 5, cy + 4, _pct(v), bold=hot))
    wx = x(warn)
    body.append(_line(wx, top - 12, wx, bottom, AXIS, stroke_width=1.5, stroke_dasharray=DASH))
    body.append(_text(wx, top - 16, _pct(warn), anchor="middle", bold=True))
    body.append(_line(left, top, left, bottom, AXIS))
    height = bottom + 48
    body += _axis_titles(x_label, y_label, left, right, top, bottom, height - 10)
    return _svg(cid, height, title, desc, body)
