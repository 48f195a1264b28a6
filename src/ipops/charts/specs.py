"""Chart specifications: pure functions from plain numbers and labels to Vega-Lite dicts (via Altair).

No I/O and no rendering here; numbers arrive as floats (money is converted by the caller, for drawing).
Every label is data or a title, so it is escaped by the renderer, never pasted into markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt

from ipops.charts.theme import ACCENT, NEUTRAL, PALETTE, config

Spec = dict[str, Any]
AXIS_NUMBER = "~s"  # 12.5M, 800k: short axis labels in any language


def _finish(chart: alt.TopLevelMixin, *, width: int, height: int, title: str) -> Spec:
    spec: Spec = chart.properties(width=width, height=height, title=title or "").to_dict()
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}  # `width` is the whole picture, as before
    spec["config"] = config()
    spec.pop("$schema", None)  # a URL in the page; the browser side is told the mode instead
    return spec


def histogram(
    bins: Sequence[tuple[float, float, int]],
    *,
    markers: Sequence[tuple[str, float]] = (),
    title: str = "",
    width: int = 560,
    height: int = 220,
) -> Spec:
    """Bars over [low, high) with a count each, and labelled vertical rules (e.g. P10/P50/P90)."""
    rows = [
        {"low": lo, "high": hi, "count": n, "tip": f"{_short(lo)} – {_short(hi)}: {n:,}"}
        for lo, hi, n in bins
    ]
    bars = (
        alt.Chart(_data(rows))
        .mark_bar(color=PALETTE[0], binSpacing=1)
        .encode(
            x=alt.X("low:Q", title=None, axis=alt.Axis(format=AXIS_NUMBER), scale=alt.Scale(zero=False)),
            x2="high:Q",
            y=alt.Y("count:Q", title=None, axis=alt.Axis(format=AXIS_NUMBER)),
            y2=alt.datum(0),
            tooltip=alt.Tooltip("tip:N"),
        )
    )
    layers: list[alt.Chart] = [bars]
    if markers:
        marks = [
            {"label": label, "value": value, "tip": f"{label}: {_short(value)}"} for label, value in markers
        ]
        base = alt.Chart(_data(marks))
        layers.append(
            base.mark_rule(color=ACCENT, strokeDash=[4, 2]).encode(x="value:Q", tooltip=alt.Tooltip("tip:N"))
        )
        layers.append(
            base.mark_text(color=ACCENT, dy=-6, baseline="bottom", fontSize=10).encode(
                x="value:Q", y=alt.value(0), text="label:N"
            )
        )
    return _finish(alt.layer(*layers), width=width, height=height, title=title)


def range_bars(
    rows: Sequence[tuple[str, float, float]],
    *,
    base: float,
    title: str = "",
    width: int = 560,
    bar_height: int = 22,
) -> Spec:
    """A tornado: one horizontal bar per input from its low to its high value, widest on top, a base rule."""
    ordered = sorted(rows, key=lambda r: (-abs(r[2] - r[1]), r[0]))
    data = [
        {
            "name": name,
            "low": min(lo, hi),
            "high": max(lo, hi),
            "swing": _short(abs(hi - lo)),
            "tip": f"{name}: {_short(lo)} … {_short(hi)}",
        }
        for name, lo, hi in ordered
    ]
    order = [str(d["name"]) for d in data]
    chart = alt.Chart(_data(data))
    y = alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
    bars = chart.mark_bar(color="#e59866", height=max(bar_height - 6, 4)).encode(
        y=y, x=alt.X("low:Q", title=None, axis=alt.Axis(format=AXIS_NUMBER), scale=alt.Scale(zero=False)),
        x2="high:Q", tooltip=alt.Tooltip("tip:N"),
    )  # fmt: skip
    swings = chart.mark_text(align="left", dx=4, fontSize=10, color=NEUTRAL).encode(
        y=y, x="high:Q", text="swing:N"
    )
    rule = (
        alt.Chart(_data([{"base": base, "tip": _short(base)}]))
        .mark_rule(color=NEUTRAL)
        .encode(x="base:Q", tooltip=alt.Tooltip("tip:N"))
    )
    height = bar_height * max(len(rows), 1)
    return _finish(alt.layer(bars, swings, rule), width=width, height=height, title=title)


def lines(
    series: Mapping[str, Sequence[tuple[dt.date, float]]],
    *,
    title: str = "",
    width: int = 680,
    height: int = 280,
) -> Spec:
    """One line per named series over dates, with a legend."""
    rows = [
        {
            "series": name,
            "date": day.isoformat(),
            "value": value,
            "tip": f"{name} · {day:%Y-%m}: {_short(value)}",
        }
        for name, points in series.items()
        for day, value in points
    ]
    names = list(series)
    chart = (
        alt.Chart(_data(rows))
        .mark_line(strokeWidth=2, point=alt.OverlayMarkDef(size=12, opacity=0))
        .encode(
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y-%m", labelAngle=0, tickCount=6)),
            y=alt.Y("value:Q", title=None, axis=alt.Axis(format=AXIS_NUMBER)),
            color=alt.Color("series:N", title=None, sort=names, scale=alt.Scale(domain=names, range=PALETTE)),
            tooltip=alt.Tooltip("tip:N"),
        )
    )
    return _finish(chart, width=width, height=height, title=title)


def grouped_bars(
    groups: Sequence[tuple[str, Mapping[str, float]]],
    *,
    members: Sequence[str],
    title: str = "",
    width: int = 680,
    bar_height: int = 9,
    as_percent: bool = True,
) -> Spec:
    """Horizontal bars: for each group (a scenario), one bar per member (a tranche), shares in percent."""
    rows = [
        {
            "group": group,
            "member": member,
            "value": values.get(member, 0.0),
            "tip": f"{group} · {member}: {values.get(member, 0.0) * 100:.2f}%"
            if as_percent
            else f"{group} · {member}: {_short(values.get(member, 0.0))}",
        }
        for group, values in groups
        for member in members
    ]
    order = [group for group, _ in groups]
    chart = (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("group:N", sort=order, title=None, axis=alt.Axis(labelLimit=170)),
            yOffset=alt.YOffset("member:N", sort=list(members)),
            x=alt.X(
                "value:Q", title=None, axis=alt.Axis(format=".0%" if as_percent else AXIS_NUMBER),
                scale=alt.Scale(domain=[0, 1]) if as_percent else alt.Undefined,
            ),
            color=alt.Color("member:N", title=None, sort=list(members),
                            scale=alt.Scale(domain=list(members), range=PALETTE)),
            tooltip=alt.Tooltip("tip:N"),
        )
    )  # fmt: skip
    height = max(len(groups), 1) * (bar_height * max(len(members), 1) + 8)
    return _finish(chart, width=width, height=height, title=title)


def _data(rows: list[dict[str, Any]]) -> Any:
    """Inline data (no pandas, no files): the rows travel inside the specification."""
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _short(value: float) -> str:
    """12.50M, 800.00k, 950.00 (tooltips and value labels)."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.2f}{suffix}"
    return f"{value:.2f}"


def count_bars(rows: Sequence[tuple[str, float]], *, title: str = "", width: int = 480) -> Spec:
    """Horizontal bars of counts per label (a portfolio by type, loans by status), largest first."""
    data = [{"label": label, "value": value, "tip": f"{label}: {value:,.0f}"} for label, value in rows]
    order = [label for label, _ in sorted(rows, key=lambda row: -row[1])]
    chart = (
        alt.Chart(_data(data))
        .mark_bar(color=ACCENT)
        .encode(
            y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
            x=alt.X("value:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
            tooltip=alt.Tooltip("tip:N"),
        )
    )
    return _finish(chart, width=width, height=max(len(rows), 1) * 26, title=title)
