"""Pure rendering helpers: tree lines, sparklines, colours by status and lag.

Rich `Text` in, Rich `Text` out; nothing here touches a widget, so all of it
can be tested without running the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from rich.style import Style
from rich.text import Text
from textual.color import Color, ColorParseError

from rdstui.core.format import duration
from rdstui.core.model import Node, NodeType, Replication, Role

SPARK_CHARS = "▁▂▃▄▅▆▇█"
ELLIPSIS = "…"

OK_STATUSES = {"available", "replicating", "in-sync", "active"}
BUSY_STATUSES = {
    "creating",
    "modifying",
    "rebooting",
    "backing-up",
    "upgrading",
    "renaming",
    "promoting",
    "starting",
    "stopping",
    "maintenance",
    "resetting-master-credentials",
    "storage-optimization",
    "moving-to-vpc",
    "converting-to-vpc",
    "failing-over",
    "deleting",
    "migrating",
    "preparing-data-migration",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "storage-config-upgrade",
    "switching-over",
    "replication degraded",
    "backtracking",
    "update-iam-db-auth",
    "cloning-failed",  # a clone failed but the source is fine
}
BAD_STATUSES = {
    "failed",
    "stopped",
    "storage-full",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "restore-error",
    "insufficient-capacity",
    "error",
    "terminated",
    "inaccessible",
}


def status_kind(status: str | None) -> str:
    """ok / busy / bad / muted / other: how a status is coloured."""
    value = (status or "").strip().lower()
    if value in OK_STATUSES:
        return "ok"
    if value in BAD_STATUSES or value.startswith("incompatible-"):
        return "bad"
    if value in BUSY_STATUSES or value.startswith(("configuring-", "upgrading")):
        return "busy"
    if value == "not polled":
        return "muted"
    return "other"


def lag_level(seconds: float | None, warning: float, critical: float) -> str | None:
    if seconds is None:
        return None
    if seconds < 0 or seconds >= critical:  # ReplicaLag -1: replication is not running
        return "critical"
    if seconds >= warning:
        return "warning"
    return "ok"


@dataclass(frozen=True)
class Palette:
    """Rich styles for the current theme's rdstui colours."""

    ok: Style
    busy: Style
    bad: Style
    muted: Style
    lag_ok: Style
    lag_warning: Style
    lag_critical: Style
    accent: Style
    badge: Style
    chart_line: str  # a Textual colour string, for plotext conversion
    chart_threshold: str
    ansi: bool = False

    def status(self, status: str | None) -> Style:
        kind = status_kind(status)
        return {"ok": self.ok, "busy": self.busy, "bad": self.bad, "muted": self.muted}.get(kind, Style())

    def lag(self, level: str | None) -> Style:
        if level is None:
            return self.muted
        return {"ok": self.lag_ok, "warning": self.lag_warning, "critical": self.lag_critical}[level]

    @classmethod
    def from_variables(cls, variables: dict[str, str], ansi: bool = False) -> Palette:
        background = _colour(variables.get("background"), None)

        def style(name: str, **extra: bool) -> Style:
            colour = _colour(variables.get(name), background)
            return Style(color=colour.rich_color if colour else None, **extra)

        def badge() -> Style:
            colour = _colour(variables.get("badge-read-only"), background)
            return Style(
                bgcolor=colour.rich_color if colour else "red",
                color="bright_white" if ansi else "#ffffff",
                bold=True,
            )

        return cls(
            ok=style("status-ok"),
            busy=style("status-busy"),
            bad=style("status-bad", bold=True),
            muted=style("status-muted"),
            lag_ok=style("lag-ok"),
            lag_warning=style("lag-warning", bold=True),
            lag_critical=style("lag-critical", bold=True),
            accent=style("event-highlight", bold=True),
            badge=badge(),
            chart_line=variables.get("chart-line", "ansi_cyan"),
            chart_threshold=variables.get("chart-threshold", "ansi_yellow"),
            ansi=ansi,
        )


def _colour(value: str | None, background: Color | None) -> Color | None:
    """A theme value ('#rrggbbaa', 'ansi_red', 'red 50%') as an opaque Color."""
    if not value or value == "ansi_default":
        return None
    parts = value.split()
    try:
        colour = Color.parse(parts[0])
    except ColorParseError:
        return None
    if len(parts) > 1 and parts[1].endswith("%"):
        try:
            colour = colour.multiply_alpha(float(parts[1][:-1]) / 100)
        except ValueError:
            pass
    if colour.a < 1 and colour.ansi is None:
        base = background if background is not None and background.ansi is None else Color(0, 0, 0)
        colour = base + colour
    return colour


# ---------------------------------------------------------------------------- text helpers


def elide(text: str, width: int) -> str:
    """Fit `text` in `width` cells, cutting the middle: identifiers differ at both ends."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    if width <= 3:
        return text[:width]
    head = (width - 1) // 2 + (width - 1) % 2
    tail = width - 1 - head
    return text[:head] + ELLIPSIS + (text[-tail:] if tail else "")


def cut(text: str, width: int) -> str:
    """Fit `text` in `width` cells, cutting the end."""
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS


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


def display_role(node: Node) -> str:
    """The role word the AWS console would use, short enough for a column."""
    if node.blue_green is not None:
        return node.blue_green.role  # "blue" (production) or "green" (the copy being readied)
    if node.raw.get("ReplicaMode") == "mounted":
        return "mounted"  # a replica that takes no connections
    if node.type is NodeType.INSTANCE and node.role is Role.PRIMARY:
        has_replicas = any(child.type is not NodeType.STANDBY for child in node.children)
        return "primary" if has_replicas else "instance"
    if node.type is NodeType.CLUSTER and node.role is Role.PRIMARY:
        in_global = node.raw.get("GlobalClusterIdentifier")
        has_replicas = any(child.type is NodeType.CLUSTER for child in node.children)
        return "primary" if in_global or has_replicas else "cluster"
    return node.role.value


def where(node: Node) -> str:
    if node.type is NodeType.STANDBY:
        return node.az or "?"
    return node.az or node.region


# ---------------------------------------------------------------------------- tree lines


@dataclass(frozen=True)
class Columns:
    """Cell widths of one tree line, for a tree of `width` cells."""

    id: int
    role: int = 9
    status: int = 12
    where: int = 10
    spark: int = 8
    lag: int = 6

    @classmethod
    def fit(cls, width: int) -> Columns:
        """Widths for a label area of `width` cells (after guides and toggle icon)."""
        role, status, place, spark, lag = 9, 12, 10, 8, 6
        fixed = role + status + place + spark + lag + 5
        ident = width - fixed
        if ident < 22:  # narrow: a shorter sparkline first, then drop the place
            spark = 5
            ident += 3
        if ident < 18:
            status = 10
            ident += 2
        if ident < 16:
            place = 0
            ident += 11
        if ident < 14:
            spark = 0
            ident += 6
        # Wide: give the identifier what it can use, the sparkline the rest.
        if ident > 34:
            extra = ident - 34
            spark += min(extra, 14)
            ident = 34 + max(0, extra - 14)
        return cls(id=max(ident, 8), role=role, status=status, where=place, spark=spark, lag=lag)


def tree_label(
    node: Node,
    *,
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
) -> Text:
    """One aligned tree line: id, role, status, place, sparkline, latest lag.

    `indent` is how many cells the tree's guides take before this node, so the
    columns after the identifier line up across depths. `progress` (an action
    in flight: "⟳ 12s failover") takes the place of the sparkline and lag;
    broken `replication` ("broken", "resync") the place of the lag value.
    """
    external = node.type is NodeType.EXTERNAL
    width = max(4, columns.id - indent)
    ident_style = palette.muted + Style(italic=True) if external else Style(bold=node.is_cluster_like)
    text = Text()
    text.append(elide(node.id, width).ljust(width), ident_style)
    text.append(" ")
    text.append(display_role(node).ljust(columns.role)[: columns.role], palette.muted if external else Style())
    text.append(" ")
    status_style = palette.status(node.status)
    text.append(cut(node.status, columns.status).ljust(columns.status), status_style)
    if columns.where:
        text.append(" ")
        place_style = palette.busy if stale else palette.muted
        text.append(cut(where(node), columns.where).ljust(columns.where), place_style)
    if progress:
        room = (columns.spark + 1 if columns.spark else 0) + columns.lag + 1
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
    if stale:
        text.append(" stale", palette.busy)
    return text


def clock_time(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    from datetime import timezone

    return moment.astimezone(timezone.utc).strftime("%H:%M:%S")
