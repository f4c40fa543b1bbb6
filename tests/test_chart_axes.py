"""The chart's axes read true (issue #10): x in minutes ago from the points' own times,
y labels evenly spaced, and threshold lines on the rows their values name.

The chart is plain text, so these tests read it as a person would: labels left of the
frame, tick marks on the bottom edge, a threshold line is a row that starts with '├'.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from rdstui.ui.detail.chart import chart_text

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "%": 1.0}


def render(points: list[tuple[datetime, float]], metric: str = "lag", width: int = 60, height: int = 12,
           thresholds: tuple[float, ...] = (30.0, 300.0)) -> list[str]:
    text = chart_text(points, metric, width=width, height=height, now=NOW, line_colour="#00ff00",
                      threshold_colour="#ffff00", thresholds=thresholds if metric == "lag" else ())
    lines = text.plain.split("\n")
    assert len(lines) == height
    return lines


def minutes(values: list[float], span: int = 15) -> list[tuple[datetime, float]]:
    """One point a minute, the last one now."""
    return [(NOW - timedelta(minutes=span - i * span / (len(values) - 1)), v) for i, v in enumerate(values)]


def value(label: str) -> float:
    number, unit = re.fullmatch(r"(-?[\d.]+)(s|m|h|%|)", label).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def plot_rows(lines: list[str]) -> tuple[int, list[str]]:
    """Where the frame starts (the y labels are left of it) and the canvas rows, top first."""
    return lines[0].index("┌"), lines[1:-2]


def y_labels(lines: list[str]) -> list[tuple[int, float]]:
    """(row counted from the bottom, value) of every y label, bottom first."""
    edge, rows = plot_rows(lines)
    found = [(len(rows) - 1 - i, row[:edge].strip()) for i, row in enumerate(rows)]
    return sorted((at, value(label)) for at, label in found if label)


def row_value(lines: list[str], row: int) -> float:
    """The value a row stands for, by the labels' own scale."""
    (row0, v0), (row1, v1) = y_labels(lines)[:2]
    return v0 + (row - row0) * (v1 - v0) / (row1 - row0)


def threshold_rows(lines: list[str]) -> list[int]:
    edge, rows = plot_rows(lines)
    return [len(rows) - 1 - i for i, row in enumerate(rows) if row[edge] == "├"]


def x_ticks(lines: list[str]) -> list[tuple[int, int]]:
    """(column of the tick mark, minutes ago) for every x label, left to right."""
    marks = [i for i, c in enumerate(lines[-2]) if c == "┬"]
    labels = [(m.start() + len(m.group()) / 2, m.group()) for m in re.finditer(r"\S+", lines[-1])]
    assert len(marks) == len(labels), lines[-2:]
    ticks = []
    for mark, (centre, label) in zip(marks, labels):
        assert abs(mark - centre) <= 2, f"{label} is not under its tick"
        assert label == "now" or re.fullmatch(r"-\d+m", label), f"{label} is not minutes ago"
        ticks.append((mark, 0 if label == "now" else -int(label[1:-1])))
    return ticks


# ------------------------------------------------------------------ x: minutes ago


@pytest.mark.parametrize(("span", "width", "expected"), [
    (15, 60, [-15, -10, -5, 0]),
    (60, 60, [-60, -45, -30, -15, 0]),
    (30, 70, [-30, -25, -20, -15, -10, -5, 0]),
    (15, 40, [-15, -10, -5, 0]),
])
def test_x_labels_are_minutes_ago_in_order_ending_now(span: int, width: int, expected: list[int]) -> None:
    lines = render(minutes([5.0 + (i % 4) for i in range(span + 1)], span), width=width)
    ticks = x_ticks(lines)
    assert [ago for _, ago in ticks] == expected
    assert lines[-1].rstrip().endswith("now")
    columns = [column for column, _ in ticks]
    gaps = [b - a for a, b in zip(columns, columns[1:])]
    assert max(gaps) - min(gaps) <= 1, f"ticks a like step apart in time sit unevenly: {columns}"


def test_x_positions_come_from_timestamps_not_point_indexes() -> None:
    # 25 sparse points (one a minute, -30m .. -6m) at 1 s, then 31 dense ones (every 10 s,
    # the last 5 minutes) at 40 s: by time the jump is at -5m; by index it would be mid-chart.
    sparse = [(NOW - timedelta(minutes=30 - i), 1.0) for i in range(25)]
    dense = [(NOW - timedelta(seconds=300 - 10 * i), 40.0) for i in range(31)]
    lines = render(sparse + dense)
    (left, ago), (right, _) = x_ticks(lines)[0], x_ticks(lines)[-1]
    at_minus_5 = right + (left - right) * 5 / -ago  # the -5m column, by the labels' own scale
    edge, rows = plot_rows(lines)
    high = [row for at, row in zip(range(len(rows) - 1, -1, -1), rows) if row_value(lines, at) > 32]
    drawn = [i for row in high for i, c in enumerate(row) if "\u2801" <= c <= "\u28ff"]
    assert drawn, "\n".join(lines)
    assert abs(min(drawn) - at_minus_5) <= 3, "\n".join(lines)


# ------------------------------------------------------------------ y: evenly spaced, true rows


@pytest.mark.parametrize(("metric", "values", "width", "height"), [
    ("lag", [20.0 + i * 1.5 for i in range(16)], 60, 12),
    ("lag", [0.3 + i % 3 for i in range(16)], 60, 12),
    ("lag", [100.0 + i * 40 for i in range(16)], 70, 16),
    ("lag", [20.0 + i * 1.5 for i in range(16)], 78, 20),
    ("lag", [20.0 + i * 1.5 for i in range(16)], 40, 8),
    ("cpu", [35.0 + i for i in range(16)], 40, 10),
    ("cpu", [60.0 + i for i in range(16)], 60, 12),
    ("connections", [350.0 + i for i in range(16)], 40, 10),
    ("storage", [50 * 1024**3 - i * 1e8 for i in range(16)], 60, 12),
    ("capacity", [2.0 + (i % 3) * 0.5 for i in range(16)], 40, 10),
])
def test_y_labels_are_evenly_spaced_in_rows_and_values(metric: str, values: list[float], width: int,
                                                       height: int) -> None:
    lines = render(minutes(values), metric, width=width, height=height)
    labels = y_labels(lines)
    assert len(labels) >= 3, "\n".join(lines)
    row_gaps = {b[0] - a[0] for a, b in zip(labels, labels[1:])}
    value_gaps = {round(b[1] - a[1], 9) for a, b in zip(labels, labels[1:])}
    assert len(row_gaps) == 1 and len(value_gaps) == 1, "\n".join(lines)
    assert labels[0][0] == 0, "the bottom row carries the lowest label"
    top_value = row_value(lines, len(plot_rows(lines)[1]) - 1)
    assert top_value >= max(values) / (1024**3 if metric == "storage" else 1) - 1e-9, "the data fits"


@pytest.mark.parametrize(("width", "height"), [(60, 12), (40, 10), (70, 16), (78, 20), (30, 7)])
def test_the_warning_line_sits_on_the_row_labelled_with_its_value(width: int, height: int) -> None:
    lines = render(minutes([20.0 + i * 1.5 for i in range(16)]), width=width, height=height)
    edge, rows = plot_rows(lines)
    assert threshold_rows(lines) != [], "\n".join(lines)
    (row,) = threshold_rows(lines)
    assert rows[len(rows) - 1 - row][:edge].strip() == "30s", "\n".join(lines)


def test_both_threshold_lines_sit_within_half_a_row_of_their_values() -> None:
    lines = render(minutes([100.0 + i * 40 for i in range(31)], 30), width=70, height=16, thresholds=(30, 300))
    labels = y_labels(lines)
    per_row = (labels[1][1] - labels[0][1]) / (labels[1][0] - labels[0][0])
    drawn = sorted(row_value(lines, row) for row in threshold_rows(lines))
    assert len(drawn) == 2, "\n".join(lines)
    for wanted, got in zip((30, 300), drawn):
        assert abs(got - wanted) <= per_row / 2 + 1e-9, "\n".join(lines)
    assert 300 in {v for _, v in labels}, "300 s is a round value there: its line is on a labelled row"


def test_a_threshold_far_above_the_data_is_not_drawn_and_does_not_squash_it() -> None:
    lines = render(minutes([1.0 + (i % 3) for i in range(16)]))
    assert threshold_rows(lines) == []
    assert y_labels(lines)[-1][1] <= 10
