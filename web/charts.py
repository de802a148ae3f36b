"""Charts as server-rendered SVG geometry: stacked bars, one bar per x value, one colour per
series. The template draws it (every label escaped by Jinja); colours come from the stylesheet
(classes s0..s7), so there is no inline style and nothing to run in the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reports.relation import Chart

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 64
COLOURS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LegendItem:
    label: str
    css: str


@dataclass(frozen=True)
class ChartView:
    title: str
    x_label: str
    width: int
    height: int
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    legend: list[LegendItem]
    baseline: float
    plot_left: float
    plot_right: float
    # The numbers behind the chart, for a table under it (screen readers, print, copying).
    table_columns: list[str]
    table_rows: list[list[str]]


def _label(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _nice_max(value: int) -> int:
    """The axis' top: four steps of 1, 2 or 5 times a power of ten, at least `value`."""
    needed = max(1, -(-value // 4))
    power = 1
    while True:
        for factor in (1, 2, 5):
            if power * factor >= needed:
                return 4 * power * factor
        power *= 10


def stacked_bars(chart: Chart, max_series: int = COLOURS) -> ChartView | None:
    """None when the chart has no point."""
    if not chart.points:
        return None
    xs = list(dict.fromkeys(_label(x) for x, _, _ in chart.points))
    totals: dict[str, int] = {}
    for _, series, value in chart.points:
        totals[_label(series)] = totals.get(_label(series), 0) + value
    ranked = sorted(totals, key=lambda s: -totals[s])
    kept = ranked[: max_series - 1] if len(ranked) > max_series else ranked
    other = "other" if len(ranked) > max_series else None
    order = [*kept, *([other] if other else [])]
    grid: dict[tuple[str, str], int] = {}
    for x, series, value in chart.points:
        name = _label(series) if _label(series) in kept else other
        grid[(_label(x), name)] = grid.get((_label(x), name), 0) + value
    top = _nice_max(max(sum(grid.get((x, s), 0) for s in order) for x in xs))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / len(xs)
    bar_w = min(80.0, max(2.0, slot * 0.7))
    bars, x_ticks = [], []
    every = max(1, len(xs) // 12)  # at most about a dozen x labels
    for i, x in enumerate(xs):
        left = LEFT + i * slot + (slot - bar_w) / 2
        bottom = TOP + plot_h
        for j, series in enumerate(order):
            value = grid.get((x, series), 0)
            if not value:
                continue
            height = plot_h * value / top
            bottom -= height
            title = f"{x}: {series}: {value:,}" if series != "(none)" else f"{x}: {value:,}"
            bars.append(Bar(left, bottom, bar_w, height, f"s{j % COLOURS}", title))
        if i % every == 0:
            x_ticks.append(Tick(left + bar_w / 2, x))
    y_ticks = [Tick(TOP + plot_h - plot_h * k / 4, f"{top * k // 4:,}") for k in range(5)]
    single = order == ["(none)"]
    legend = [] if single else [LegendItem(s, f"s{j % COLOURS}") for j, s in enumerate(order)]
    columns = [chart.x_label, *(["count"] if single else order), *([] if single else ["total"])]
    rows = [
        [x, *(f"{grid.get((x, s), 0):,}" for s in order)]
        + ([] if single else [f"{sum(grid.get((x, s), 0) for s in order):,}"])
        for x in xs
    ]
    return ChartView(
        chart.title,
        chart.x_label,
        WIDTH,
        HEIGHT,
        bars,
        x_ticks,
        y_ticks,
        legend,
        baseline=TOP + plot_h,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        table_columns=columns,
        table_rows=rows,
    )
