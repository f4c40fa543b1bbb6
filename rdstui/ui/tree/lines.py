"""One line of the topology tree: id, role, status, place, sparkline, latest lag (pure Rich Text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rich.style import Style
from rich.text import Text

from rdstui.core.format import clean, duration
from rdstui.core.model import AccountState, Node, NodeType, Replication
from rdstui.core.words import lag_level
from rdstui.ui.palette import Palette
from rdstui.ui.text import cut, elide

SPARK_CHARS = "▁▂▃▄▅▆▇█"
# A lag growing is the warning colour whatever its value; shrinking, the good one.
TREND_ARROWS = {"rising": ("▲", "warning"), "falling": ("▼", "ok"), "flat": ("→", None)}


def sparkline(
    values: Sequence[float],
    width: int,
    *,
    warning: float,
    critical: float,
    palette: Palette,
    floor: float = 1.0,
) -> Text:
    """`width` block characters, oldest left; each the worst value of its slice,
    scaled from 0 to max(peak, floor) and coloured by the lag thresholds."""
    text = Text()
    if width <= 0:
        return text
    if not values:
        return Text(" " * width)
    if len(values) > width:
        buckets: list[float] = []
        size = len(values) / width
        for index in range(width):
            chunk = values[int(index * size) : max(int((index + 1) * size), int(index * size) + 1)]
            buckets.append(max(chunk))
    else:
        buckets = list(values)
    top = max(max(buckets), floor)
    text.append(" " * (width - len(buckets)))
    steps = len(SPARK_CHARS) - 1
    for value in buckets:
        level = steps if value < 0 else min(steps, max(0, round(value / top * steps)))
        text.append(SPARK_CHARS[level], palette.lag(lag_level(value, warning, critical)))
    return text


def where(node: Node) -> str:
    if node.type is NodeType.STANDBY:
        return node.az or "?"
    return node.az or node.region


# ---------------------------------------------------------------------------- tree lines


MIN_ID = 4  # cells of an identifier at the least ("pa…b")


@dataclass(frozen=True)
class Columns:
    """Cell widths of one tree line, for a tree of `width` cells."""

    id: int
    role: int = 9
    status: int = 12
    where: int = 10
    spark: int = 6
    lag: int = 6
    trend: int = 2  # " ▲": the lag against five minutes ago

    @classmethod
    def fit(cls, width: int) -> Columns:
        """Widths for a label area of `width` cells (after guides and toggle icon)."""
        # The trend arrow's two cells come out of the sparkline, not the identifier.
        role, status, place, spark, lag, trend = 9, 12, 10, 6, 6, 2
        fixed = role + status + place + spark + lag + trend + 5
        ident = width - fixed
        if ident < 22:  # narrow: a shorter sparkline first, then drop the place
            spark = 5
            ident += 1
        if ident < 18:
            status = 10
            ident += 2
        if ident < 16:
            place = 0
            ident += 11
        if ident < 14:
            spark = 0
            ident += 6
        if ident < 10:  # the trend arrow before the status column
            trend = 0
            ident += 2
        if ident < 8:  # narrower still: the status column gives way, never the lag
            give = min(status, 8 - ident)
            status -= give
            ident += give
        # Wide: give the identifier what it can use, the sparkline the rest.
        if ident > 34:
            extra = ident - 34
            spark += min(extra, 14)
            ident = 34 + max(0, extra - 14)
        return cls(id=max(ident, 8), role=role, status=status, where=place, spark=spark, lag=lag, trend=trend)


def tree_label(
    node: Node,
    *,
    role: str,
    columns: Columns,
    indent: int,
    lag_values: Sequence[float],
    lag: float | None,
    warning: float,
    critical: float,
    palette: Palette,
    stale: bool = False,
    progress: str | None = None,
    replication: Replication | None = None,
    trend: str | None = None,
) -> Text:
    """One aligned tree line: id, `role` (words.role_word), status, place, sparkline, latest lag.

    `indent` is how many cells the tree's guides take before this node, so the
    columns after the identifier line up across depths. `progress` (an action
    in flight: "⟳ 12s failover") takes the place of the sparkline and lag;
    broken `replication` ("broken", "resync") the place of the lag value; `trend`
    (attention.trend: rising, falling, flat) an arrow after it.
    """
    external = node.type is NodeType.EXTERNAL
    # A deep node in a narrow tree: the status column, then the role's, give up what the
    # identifier cannot, so the line never runs past the tree's edge (cutting the lag's unit).
    short = max(0, MIN_ID - (columns.id - indent))
    width = max(MIN_ID, columns.id - indent)
    status_width = max(0, columns.status - short)
    role_width = max(0, columns.role - max(0, short - columns.status))
    ident_style = palette.muted + Style(italic=True) if external else Style(bold=node.is_cluster_like)
    text = Text()
    text.append(elide(node.id, width).ljust(width), ident_style)
    text.append(" ")
    text.append(role.ljust(role_width)[:role_width], palette.muted if external else Style())
    text.append(" ")
    status_style = palette.status(node.status)
    text.append(cut(node.status, status_width).ljust(status_width), status_style)
    if columns.where:
        text.append(" ")
        place_style = palette.busy if stale else palette.muted
        text.append(cut(where(node), columns.where).ljust(columns.where), place_style)
    if progress:
        room = (columns.spark + 1 if columns.spark else 0) + columns.lag + columns.trend + 1
        text.append(" ")
        text.append(cut(progress, max(room - 1, 8)), palette.busy + Style(bold=True))
    elif node.lag_metric:
        if columns.spark:
            text.append(" ")
            text.append(
                sparkline(lag_values, columns.spark, warning=warning, critical=critical, palette=palette)
            )
        text.append(" ")
        if replication is not None and not replication.normal:
            word = "resync" if replication.status == "pending-resync" else "broken"
            text.append(word.rjust(columns.lag)[: columns.lag], palette.bad)
        elif lag is None:
            text.append("—".rjust(columns.lag), palette.muted)
        else:
            level = lag_level(lag, warning, critical)
            text.append(duration(lag).rjust(columns.lag), palette.lag(level))
            if columns.trend and trend in TREND_ARROWS:
                arrow, kind = TREND_ARROWS[trend]
                text.append(" " + arrow, palette.lag(kind))
    if stale:
        text.append(" stale", palette.busy)
    return text


def account_label(node: Node, state: AccountState | None, read_only: bool, width: int, palette: Palette) -> Text:
    """An account's line: its profiles, account id, health, label, RO/WRITE, how many databases.
    `read_only`: the account refuses actions now (the config, or the palette's switch)."""
    health = node.status
    style = palette.ok if health == "ok" else palette.muted if health == "polling" else palette.bad
    text = Text()
    text.append(elide(clean(node.id), max(MIN_ID, width // 3)), Style(bold=True))
    text.append(f"  {node.account or 'account ?'}", palette.muted)
    text.append(f"  {health}", style)
    gap = "  "
    if state is not None and state.label:  # the label's own padding is the gap after it
        text.append(" ")
        text.append(f" {clean(state.label)} ", palette.label())
        gap = " "
    if read_only:
        text.append(f"{gap}RO", palette.busy)
    elif state is not None and state.write_flag:
        text.append(f"{gap}WRITE", palette.label())
    count = sum(1 for child in node.walk() if child.type in (NodeType.INSTANCE, NodeType.CLUSTER)) if node.children else 0
    if node.children:
        text.append(f"  {count} database{'s' if count != 1 else ''}", palette.muted)
    elif state is not None and state.error:
        text.append(f"  {clean(state.error)}", palette.bad)
    text.truncate(width, overflow="ellipsis")
    return text
