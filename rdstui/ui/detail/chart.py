"""The metric chart: plotext 5 drawn to ANSI, turned into Rich Text.

plotext keeps global state: call `chart_text` on the main thread only (the
widget renders in `render()`, which Textual calls there).
"""

from __future__ import annotations

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
    xs = [(moment - now).total_seconds() / 60 for moment, _ in points]
    ys = [value for _, value in points]
    if metric == "storage":
        ys = [value / 1024**3 for value in ys]
    plt.clf()
    plt.plotsize(width, height)
    plt.theme("clear")
    fg = plot_colour(foreground)
    plt.ticks_color(fg)
    plt.axes_color("default")
    plt.canvas_color("default")
    if xs:
        plt.plot(xs, ys, color=plot_colour(line_colour), marker="braille")
        left = min(xs)
        span = -left if left < 0 else 1.0
        plt.xlim(min(left, -1.0), 0)
        top = max(ys)
        if metric == "lag":
            for threshold in thresholds:
                if threshold <= max(top * 1.5, 0):
                    plt.hline(threshold, color=plot_colour(threshold_colour))
            plt.ylim(0, max(top * 1.1, 1.0))
        elif metric == "cpu":
            plt.ylim(0, max(100.0 if top > 50 else top * 1.2, 1.0))
        else:
            bottom = min(ys)
            pad = max((top - bottom) * 0.1, abs(top) * 0.01, 0.5)
            plt.ylim(max(0.0, bottom - pad), top + pad)
        ticks = _time_ticks(span)
        plt.xticks([-t for t in ticks], [f"-{t}m" if t else "now" for t in ticks])
    else:
        plt.xlim(-60, 0)
        plt.ylim(0, 1)
        plt.xticks([-60, -30, 0], ["-60m", "-30m", "now"])
    plt.frame(True)
    built = plt.build()
    text = Text.from_ansi(built, no_wrap=True, end="")
    text.rstrip_end(width)
    return text


def _time_ticks(span_minutes: float) -> list[int]:
    for step in (1, 2, 5, 10, 15, 30, 60):
        if span_minutes / step <= 6:
            break
    count = int(span_minutes // step)
    return sorted({step * i for i in range(count + 1)}, reverse=True)
