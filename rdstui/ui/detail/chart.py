"""The metric chart: plotext 5 drawn to ANSI, turned into Rich Text.

plotext keeps global state: call `chart_text` on the main thread only (the
widget renders in `render()`, which Textual calls there).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import plotext as plt
from rich.text import Text
from textual.color import Color, ColorParseError

from rdstui.core.catalog import CHART_KEYS
from rdstui.core.format import bytes_, duration

ANSI_NAMES = {
    0: "black",
    1: "red",
    2: "green",
    3: "orange",  # plotext calls ANSI yellow 'orange'
    4: "blue",
    5: "magenta",
    6: "cyan",
    7: "white",
    8: "gray",
    9: "red+",
    10: "green+",
    11: "yellow",
    12: "blue+",
    13: "magenta+",
    14: "cyan+",
    15: "white+",
}


@dataclass(frozen=True)
class ChartMetric:
    key: str  # 'lag', 'cpu', 'connections', 'storage'
    label: str
    unit: str


CHART_METRICS = {
    "lag": ChartMetric("lag", "lag", "s"),
    "cpu": ChartMetric("cpu", "CPU", "%"),
    "connections": ChartMetric("connections", "conns", ""),
    "storage": ChartMetric("storage", "storage", "GiB"),
    "capacity": ChartMetric("capacity", "ACU", "ACU"),
}
ORDER = CHART_KEYS


def plot_colour(value: str | None) -> object:
    """A Textual colour string as plotext wants it: an (r, g, b) tuple or an ANSI name."""
    if not value:
        return "default"
    try:
        colour = Color.parse(value.split()[0])
    except ColorParseError:
        return "default"
    if colour.ansi is not None and colour.ansi >= 0:
        return ANSI_NAMES.get(colour.ansi, "default")
    return (colour.r, colour.g, colour.b)


def latest_label(metric: str, value: float | None) -> str:
    if value is None:
        return "-"
    if metric == "lag":
        return duration(value)
    if metric == "cpu":
        return f"{value:.0f}%"
    if metric == "storage":
        return bytes_(value)
    if metric == "capacity":
        return f"{value:g} ACU"
    return f"{value:.0f}"


def chart_text(
    points: Sequence[tuple[datetime, float]],
    metric: str,
    *,
    width: int,
    height: int,
    now: datetime,
    line_colour: str | None,
    threshold_colour: str | None,
    foreground: str | None = None,
    thresholds: Sequence[float] = (),
) -> Text:
    """The chart as Rich Text, exactly `width` x `height` cells (or a note when too small)."""
    if width < 20 or height < 5:
        return Text("(too small for a chart)")
    # x: minutes before `now`, from each point's own timestamp (gaps stay gaps).
    xs = [(moment - now).total_seconds() / 60 for moment, _ in points]
    ys = [value / 1024**3 if metric == "storage" else value for _, value in points]
    plt.clf()
    plt.plotsize(width, height)
    plt.theme("clear")
    plt.ticks_color(plot_colour(foreground))
    plt.axes_color("default")
    plt.canvas_color("default")
    rows = height - 3  # plotext's canvas: the frame's top and bottom lines and the x labels take 3
    lines = thresholds if metric == "lag" else ()
    marks = [t for t in lines if 0 < t <= max(ys, default=0) * 1.5]  # near enough to show
    axis = _y_axis(*_value_range(metric, ys, marks), rows, _steps(metric), marks)
    plt.ylim(axis.bottom, axis.top)
    plt.yticks(axis.ticks, _y_labels(metric, axis))
    left = min(min(xs, default=-60.0), -1.0)
    plt.xlim(left, 0)
    minutes = _time_ticks(-left, max_labels=max(2, min(7, (width - 8) // 8)))  # "-15m" and room to breathe
    plt.xticks([-m for m in minutes], [f"-{m}m" if m else "now" for m in minutes])
    if xs:
        plt.plot(xs, ys, color=plot_colour(line_colour), marker="braille")
    for threshold in (t for t in lines if t <= axis.top):
        plt.hline(threshold, color=plot_colour(threshold_colour))
    plt.frame(True)
    text = Text.from_ansi(plt.build(), no_wrap=True, end="")
    text.rstrip_end(width)
    return text


def _value_range(metric: str, ys: Sequence[float], marks: Sequence[float]) -> tuple[float, float]:
    """The values the y axis must hold: the data, and the threshold lines it comes near."""
    top = max(ys, default=1.0)
    if metric == "lag":
        return 0.0, max(top, *marks, 1.0)  # sub-second lag is noise: at least 0 to 1 s
    if metric == "cpu":
        return 0.0, 100.0 if top > 50 else max(top, 1.0)
    bottom = min(ys, default=0.0)
    pad = max((top - bottom) * 0.1, abs(top) * 0.01, 0.5)
    return max(0.0, bottom - pad), top + pad


@dataclass(frozen=True)
class YAxis:
    """plotext puts value v on canvas row round((v - bottom) / per_row) when the limits are
    exactly bottom .. bottom + per_row * (rows - 1): so a tick every `every` rows, `step`
    apart, lands on its own row, and so does a threshold that is a multiple of per_row."""

    bottom: float
    step: float  # value between two labels
    every: int  # rows between two labels
    rows: int

    @property
    def per_row(self) -> float:
        return self.step / self.every

    @property
    def top(self) -> float:
        return self.bottom + self.per_row * (self.rows - 1)

    @property
    def ticks(self) -> list[float]:
        return [self.bottom + i * self.step for i in range((self.rows - 1) // self.every + 1)]

    def on_row(self, value: float) -> bool:
        offset = (value - self.bottom) / self.per_row
        return abs(offset - round(offset)) < 1e-6


def _y_axis(low: float, high: float, rows: int, steps: Sequence[float], marks: Sequence[float]) -> YAxis:
    """Of the layouts that hold low .. high, the one with the most thresholds on true rows,
    then the tightest, then the most labels. Labels at least every other row when there is
    room (every row is a wall of numbers), and at least three of them."""
    gaps = max(rows - 1, 1)
    layouts = (_fit(low, step, every, rows) for every in range(2 if gaps >= 4 else 1, max(gaps // 2, 1) + 1)
               for step in steps)
    return min(
        (axis for axis in layouts if axis.top >= high),
        key=lambda axis: (-sum(map(axis.on_row, marks)), round(axis.top - axis.bottom, 9), axis.every),
        default=YAxis(low, max(high - low, 1e-9), gaps, rows),  # values beyond every nice step
    )


def _fit(low: float, step: float, every: int, rows: int) -> YAxis:
    return YAxis(math.floor(low / step) * step, step, every, rows)


def _steps(metric: str) -> list[float]:
    """Nice distances between labels: 1-2-2.5-5 decimals; lag in seconds that read as time."""
    if metric == "lag":
        return [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
                7200, 14400, 21600, 43200, *(86400 * d for d in (1, 2, 5, 10, 20, 50, 100))]
    return [m * 10.0**e for e in range(-3, 13) for m in (1, 2, 2.5, 5)]


def _y_labels(metric: str, axis: YAxis) -> list[str]:
    if metric == "lag":
        # One unit for the whole axis, so labels compare at a glance: 0s 15s 30s, or 0m 5m 10m.
        size, unit = next(((s, u) for s, u in ((3600, "h"), (60, "m"))
                           if axis.step % s == 0 and axis.top >= 3 * s), (1, "s"))
        return [f"{tick / size:g}{unit}" for tick in axis.ticks]
    text = f"{axis.step:g}"
    decimals = len(text.partition(".")[2]) if "e" not in text else 0
    suffix = "%" if metric == "cpu" else ""  # the pane's header names the other units
    return [f"{tick:.{decimals}f}{suffix}" for tick in axis.ticks]


def _time_ticks(span_minutes: float, max_labels: int) -> list[int]:
    """Whole minutes ago, a round step apart, at most `max_labels` of them (they must not touch)."""
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440):
        if span_minutes // step + 1 <= max_labels:
            break
    return sorted({step * i for i in range(int(span_minutes // step) + 1)}, reverse=True)
