"""What the detail pane says about one node (pure: Rich Text out)."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

from rdstui.core.arns import arn_identifier, arn_region
from rdstui.core.attention import trend, value_before
from rdstui.core.backups import BackupPosture
from rdstui.core.catalog import gauge, lag_series, series_of
from rdstui.core.facts import facts
from rdstui.core.format import age, bytes_, clean, duration, whole_seconds
from rdstui.core.model import Fleet, Node, NodeType, RegionState, Role, Severity
from rdstui.core.words import lag_level, role_word
from rdstui.ui.palette import Palette

KEY_WIDTH = 11
_CONSOLE = Console(width=200, file=io.StringIO(), color_system=None)  # only for Text.wrap
TWO_COLUMNS_FROM = 72  # cells: below this every field gets its own line


@dataclass(frozen=True)
class PostureView:
    """The backup posture as the pane knows it right now."""

    state: str = "none"  # none | loading | ok | error
    owner: Node | None = None  # whose posture it is (the cluster of a member)
    posture: BackupPosture | None = None
    error: str | None = None
    fetched_at: datetime | None = None


@dataclass(frozen=True)
class DetailContext:
    node: Node
    fleet: Fleet
    region: RegionState | None
    posture: PostureView
    now: datetime
    warning: float
    critical: float
    palette: Palette
    width: int
    rpo_warning: float = 900.0
    trend_window: float = 300.0
    read_only_why: str | None = None  # why the node's account refuses actions now (None: it does not)

    @property
    def parent(self) -> Node | None:
        return self.fleet.parent(self.node)


def short_time(moment: datetime, now: datetime) -> str:
    """'09:23:20 UTC' today, '2025-03-12 09:23 UTC' another day."""
    moment, now = moment.astimezone(timezone.utc), now.astimezone(timezone.utc)
    if moment.date() == now.date():
        return moment.strftime("%H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def utc(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def ref(value: str | None, home_region: str) -> str:
    """An identifier or ARN as 'name' or 'name (other-region)'."""
    if not value:
        return "-"
    if value.startswith("arn:"):
        region = arn_region(value)
        name = arn_identifier(value)
        return name if region == home_region else f"{name} ({region})"
    return value


_FACT_STYLE: dict[str, Callable[[Palette], Style]] = {
    "ok": lambda palette: palette.ok,
    "info": lambda palette: Style(),
    "warning": lambda palette: palette.busy,
    "bad": lambda palette: palette.bad,
}


def latest(fleet: Fleet, node: Node, metric: str) -> float | None:
    held = fleet.series.get(series_of(node, metric))
    return held[-1][1] if held else None


class Lines:
    """Key/value fields laid out in one or two columns to fit a width."""

    def __init__(self, width: int, palette: Palette) -> None:
        self.width = max(30, width)
        self.palette = palette
        self.items: list[tuple[str, Text, bool]] = []

    def add(self, key: str, value: str | Text | None, wide: bool = False) -> None:
        if value is None or value == "":
            return
        self.items.append((key, value if isinstance(value, Text) else Text(clean(value)), wide))

    def _cell(self, key: str, value: Text, width: int) -> Text:
        line = Text(key.ljust(KEY_WIDTH)[:KEY_WIDTH], self.palette.muted)
        room = width - KEY_WIDTH
        shown = value.copy()
        if shown.cell_len > room:
            shown.truncate(max(1, room - 1))
            shown.append("…")
        line.append_text(shown)
        return line

    def render(self) -> Text:
        out = Text()
        two = self.width >= TWO_COLUMNS_FROM
        half = (self.width - 2) // 2
        pending: tuple[str, Text] | None = None
        rows: list[Text] = []

        def flush() -> None:
            nonlocal pending
            if pending is not None:
                rows.append(self._cell(pending[0], pending[1], self.width))
                pending = None

        for key, value, wide in self.items:
            fits_half = value.cell_len <= half - KEY_WIDTH
            if not two or wide or not fits_half:
                flush()
                room = self.width - KEY_WIDTH
                if value.cell_len > room and " " not in value.plain and value.cell_len <= self.width - 2:
                    # One long token (an endpoint): whole on the next line, so it copies in one piece.
                    rows.append(Text(key, self.palette.muted))
                    rows.append(Text("  ") + value)
                elif value.cell_len > room:
                    # A long value wraps under itself (an endpoint folds, never cut: it gets copied).
                    for index, part in enumerate(value.wrap(_CONSOLE, room, overflow="fold")):
                        label = key if index == 0 else ""
                        row = Text(label.ljust(KEY_WIDTH)[:KEY_WIDTH], self.palette.muted)
                        part.rstrip()
                        row.append_text(part)
                        rows.append(row)
                else:
                    rows.append(self._cell(key, value, self.width))
            elif pending is None:
                pending = (key, value)
            else:
                left = self._cell(pending[0], pending[1], half)
                left.pad_right(half - left.cell_len + 2)
                left.append_text(self._cell(key, value, half))
                rows.append(left)
                pending = None
        flush()
        out = Text("\n").join(rows)
        return out


def title(ctx: DetailContext) -> Text:
    node, palette = ctx.node, ctx.palette
    text = Text()
    text.append(clean(node.id), Style(bold=True))
    text.append("  ")
    text.append(role_word(ctx.fleet.node(node.key) or node, ctx.parent), palette.muted)
    text.append(" · ")
    text.append(clean(node.status), palette.status(node.status))
    if ctx.region is not None and not ctx.region.ok and node.type is not NodeType.EXTERNAL:
        when = age(ctx.region.polled_at, ctx.now) if ctx.region.polled_at else "never"
        text.append(f"  ⚠ {node.region} failed; data from {when}", palette.busy)
    return text


def _lag_text(ctx: DetailContext, node: Node) -> Text | None:
    if not node.lag_metric:
        return None
    lag = ctx.fleet.lag(node)
    if lag is None:
        return Text(f"no data yet ({node.lag_metric})", ctx.palette.muted)
    if lag < 0:
        return Text(f"not replicating ({node.lag_metric} -1)", ctx.palette.bad)
    level = lag_level(lag, ctx.warning, ctx.critical)
    text = Text(duration(lag), ctx.palette.lag(level))
    key = lag_series(node, ctx.fleet.parent(node))
    held = ctx.fleet.series.get(key, ()) if key is not None else ()
    way, old = trend(held, ctx.trend_window), value_before(held, ctx.trend_window)
    if way is not None and old is not None:
        words = TREND_WORDS[way].format(then=f"{duration(old)} {duration(ctx.trend_window)} ago")
        text.append(f" {words}", ctx.palette.lag("warning" if way == "rising" else None))
    text.append(f" ({node.lag_metric})", ctx.palette.muted)
    return text


# Flat: a change under a second and under a tenth (attention.trend), whatever the two values read.
TREND_WORDS = {"rising": "▲ up from {then}", "falling": "▼ down from {then}", "flat": "→ steady (was {then})"}


def _engine(node: Node) -> str:
    return " ".join(part for part in (node.engine, node.engine_version) if part) or "-"


def _endpoint(value: Any, port: Any = None) -> str | None:
    if isinstance(value, dict):
        address, port = value.get("Address"), value.get("Port", port)
    else:
        address = value
    if not address:
        return None
    return f"{address}:{port}" if port else str(address)


def _instance(ctx: DetailContext, lines: Lines) -> None:
    node, raw = ctx.node, ctx.node.raw
    lines.add("Engine", _engine(node))
    lines.add("Class", raw.get("DBInstanceClass"))
    lines.add("Region/AZ", f"{node.region} / {node.az or '-'}")
    if raw.get("MultiAZ"):
        lines.add("Multi-AZ", f"Yes, standby {raw.get('SecondaryAvailabilityZone') or 'AZ unknown'}")
    else:
        lines.add("Multi-AZ", "No")
    lines.add("Endpoint", _endpoint(raw.get("Endpoint"), raw.get("DbInstancePort")), wide=True)
    cluster = raw.get("DBClusterIdentifier")
    if cluster:
        lines.add("Cluster", f"{cluster} ({node.role.value})")
    source = raw.get("ReadReplicaSourceDBInstanceIdentifier") or raw.get("ReadReplicaSourceDBClusterIdentifier")
    if source:
        lines.add("Source", ref(source, node.region))
    replicas = raw.get("ReadReplicaDBInstanceIdentifiers") or []
    if replicas:
        lines.add("Replicas", ", ".join(ref(r, node.region) for r in replicas), wide=True)
    lines.add("Lag", _lag_text(ctx, node))


def _instance_load(ctx: DetailContext, lines: Lines) -> None:
    node = ctx.node
    storage = gauge(node, "storage", ctx.parent)
    free = latest(ctx.fleet, node, storage.series.metric) if storage.series else None
    if free is not None:
        lines.add("Free", f"{bytes_(free)} {storage.label.removeprefix('free ')} ({storage.series.metric})")  # type: ignore[union-attr]
    load = []
    cpu = latest(ctx.fleet, node, "CPUUtilization")
    conns = latest(ctx.fleet, node, "DatabaseConnections")
    acu = latest(ctx.fleet, node, "ServerlessDatabaseCapacity")
    share = latest(ctx.fleet, node, "ACUUtilization")
    if cpu is not None:
        load.append(f"CPU {cpu:.0f}%")
    if conns is not None:
        load.append(f"{conns:.0f} connections")
    if acu is not None:
        load.append(f"{acu:g} ACU" + (f" ({share:.0f}% of max)" if share is not None else ""))
    if load:
        lines.add("Load", ", ".join(load))


def _cluster(ctx: DetailContext, lines: Lines) -> None:
    node, raw = ctx.node, ctx.node.raw
    lines.add("Engine", _engine(node))
    members = [child for child in node.children if child.type is NodeType.INSTANCE]
    classes = sorted({str(m.raw["DBInstanceClass"]) for m in members if m.raw.get("DBInstanceClass")})
    lines.add("Class", raw.get("DBClusterInstanceClass") or ", ".join(classes) or "-")
    zones = raw.get("AvailabilityZones") or []
    lines.add("Region", node.region)
    if raw.get("DBClusterInstanceClass") and raw.get("Engine") in ("mysql", "postgres"):
        lines.add("Multi-AZ", f"DB cluster, {len(zones) or 3} zones")
    else:
        lines.add("Multi-AZ", "Yes" if raw.get("MultiAZ") else "No")
    lines.add("Writer", _endpoint(raw.get("Endpoint"), raw.get("Port")), wide=True)
    lines.add("Reader", _endpoint(raw.get("ReaderEndpoint"), raw.get("Port")), wide=True)
    writers = [m.id for m in members if m.role is Role.WRITER]
    readers = [m.id for m in members if m.role is Role.READER]
    if members:
        text = Text()
        if writers:
            text.append("writer ", ctx.palette.muted)
            text.append(", ".join(writers))
        if readers:
            if writers:
                text.append("  ")
            text.append("readers ", ctx.palette.muted)
            text.append(", ".join(readers))
        lines.add("Members", text, wide=True)
    if raw.get("GlobalClusterIdentifier"):
        lines.add("Global", f"{raw['GlobalClusterIdentifier']} ({node.role.value})")
    if raw.get("ReplicationSourceIdentifier"):
        lines.add("Source", ref(raw["ReplicationSourceIdentifier"], node.region))
    replicas = raw.get("ReadReplicaIdentifiers") or []
    if replicas:
        lines.add("Replicas", ", ".join(ref(r, node.region) for r in replicas), wide=True)
    lines.add("Lag", _lag_text(ctx, node))


def _global(ctx: DetailContext, lines: Lines) -> None:
    node = ctx.node
    lines.add("Engine", _engine(node))
    lines.add("Primary in", node.region)
    for child in node.children:
        text = Text(f"{child.id} ({child.region})")
        if child.type is NodeType.EXTERNAL:
            text.append("  not polled", ctx.palette.muted)
        elif child.lag_metric:
            text.append("  lag ", ctx.palette.muted)
            lag = ctx.fleet.lag(child)
            if lag is None:
                text.append("no data", ctx.palette.muted)
            else:
                level = lag_level(lag, ctx.warning, ctx.critical)
                text.append(duration(lag), ctx.palette.lag(level))
        role = "Primary" if child.role is Role.PRIMARY else "Secondary"
        lines.add(role, text, wide=True)


def _standby(ctx: DetailContext, lines: Lines) -> None:
    node = ctx.node
    primary_az = node.raw.get("PrimaryAvailabilityZone") or (ctx.parent.az if ctx.parent else None)
    lines.add("Standby of", node.id)
    lines.add("Standby AZ", node.az or "not reported")
    lines.add("Primary AZ", primary_az or "-")
    lines.add("Engine", _engine(node))
    lines.add(
        "Note",
        Text("Synchronous standby: not readable; takes over on a failover (reboot with failover).", ctx.palette.muted),
        wide=True,
    )


def _account(ctx: DetailContext, lines: Lines) -> None:
    """An account among several: who reaches it, how its regions are, whether it may be changed."""
    state, palette = ctx.fleet.account_of(ctx.node), ctx.palette
    if state is None:
        return
    lines.add("Account", state.account or "unknown (its profile did not get as far as STS)")
    names = ", ".join(state.profiles)
    lines.add("Profiles" if len(state.profiles) > 1 else "Profile", Text(clean(names)))
    if len(state.profiles) > 1:
        lines.add("Polled with", Text(clean(f"profile {state.profiles[0]}: polled once, its credentials act"), palette.muted))
    if state.label:
        lines.add("Label", Text(clean(state.label), palette.label()))
    if ctx.read_only_why:
        lines.add("Read-only", Text(clean(ctx.read_only_why), palette.busy), wide=True)
    elif state.write_flag:
        lines.add("Writable", Text("--write lifted the config file's read_only for this session", palette.label()), wide=True)
    if state.error:
        lines.add("Failed", Text(clean(state.error), palette.bad), wide=True)
    for region in ctx.fleet.regions:
        if region.account != state.account or state.error:
            continue
        if region.ok:
            lines.add("Region", Text.assemble((region.name, Style()), (" ✓", palette.ok)))
        elif region.error:
            lines.add("Region", Text(clean(f"{region.name} ✗ {region.error}"), palette.bad), wide=True)
        else:
            lines.add("Region", Text(f"{region.name} …", palette.muted))


def _external(ctx: DetailContext, lines: Lines) -> None:
    node = ctx.node
    lines.add("Kind", f"{node.raw.get('Kind', 'database')} in {node.region}")
    lines.add("Why shown", f"the {node.raw.get('Relation', 'reference')} of a database that is polled")


def _posture(ctx: DetailContext, lines: Lines) -> None:
    view, palette = ctx.posture, ctx.palette
    if view.state == "none":
        return
    owner = view.owner
    note = ""
    if owner is not None and owner.key != ctx.node.key:
        note = f" (of {'cluster ' if owner.type is NodeType.CLUSTER else ''}{owner.id})"
    if view.state == "loading":
        lines.add("Backups", Text(f"reading backup posture{note}…", palette.muted), wide=True)
        return
    if view.state == "error" or view.posture is None:
        lines.add("Backups", Text(clean(f"backup posture unavailable: {view.error}"), palette.busy), wide=True)
        return
    posture = view.posture
    backups = Text()
    if posture.point_in_time_recovery:
        backups.append(f"{posture.retention_days} days")
        if posture.latest_restorable is not None:
            backups.append(", restorable to ", palette.muted)
            backups.append(short_time(posture.latest_restorable, ctx.now))
            backups.append(", RPO now ", palette.muted)
            rpo = max(0.0, (ctx.now - posture.latest_restorable).total_seconds())  # ticks between reads
            backups.append(whole_seconds(timedelta(seconds=rpo)), palette.bad if rpo > ctx.rpo_warning else palette.ok)
        else:
            backups.append(", no restorable time reported yet", palette.busy)
    else:
        backups.append("retention 0: no point-in-time recovery", palette.bad)
        source = _replica_source(ctx)
        if source is not None and source.raw.get("BackupRetentionPeriod"):
            backups.append(f" (source {source.id}: {source.raw['BackupRetentionPeriod']} days)", palette.muted)
    backups.append(note, palette.muted)
    lines.add("Backups", backups, wide=True)
    if posture.newest_snapshot:
        snap = Text(posture.newest_snapshot)
        snap.append(f"  {duration(posture.snapshot_age_seconds)} ago", palette.muted)
        snap.append(f"  ({posture.snapshot_count} in all)", palette.muted)
        lines.add("Snapshot", snap, wide=True)
    elif _replica_source(ctx) is not None:
        lines.add("Snapshot", Text("none (a replica: its source's backups count)", palette.muted), wide=True)
    else:
        lines.add("Snapshot", Text("none", palette.bad), wide=True)


def _replica_source(ctx: DetailContext) -> Node | None:
    parent = ctx.parent
    if ctx.node.role is Role.REPLICA and parent is not None and parent.type is NodeType.INSTANCE:
        return parent
    return None


SEVERITY_MARKS = {Severity.CRITICAL: "✗", Severity.WARNING: "⚠", Severity.INFO: "·"}


def _findings(ctx: DetailContext) -> list[Text]:
    """One line per finding, worst first, each in its severity's colour (never cut: wrapped)."""
    found = []
    for finding in ctx.fleet.findings(ctx.node):
        line = Text(f"{SEVERITY_MARKS[finding.severity]} ", ctx.palette.severity(finding.severity))
        line.append(clean(finding.reason), ctx.palette.severity(finding.severity) if finding.severity > Severity.INFO else Style())
        found.append(line)
    return found


def _alarms(ctx: DetailContext, lines: Lines) -> None:
    """The CloudWatch alarms on this database: state, since when, and CloudWatch's reason."""
    palette = ctx.palette
    for alarm in ctx.fleet.alarms_of(ctx.node):
        style = palette.bad if alarm.state == "ALARM" else palette.ok if alarm.state == "OK" else palette.muted
        text = Text(clean(alarm.name), Style(bold=True))
        text.append(f" {alarm.state}", style)
        if alarm.since is not None:
            text.append(f" since {short_time(alarm.since, ctx.now)} ({age(alarm.since, ctx.now)})", palette.muted)
        if alarm.reason and alarm.state != "OK":  # why it is not OK; an OK alarm's reason is noise
            text.append(f": {clean(alarm.reason)}", palette.muted)
        lines.add("Alarm", text, wide=True)
    region = ctx.fleet.region_of(ctx.node)
    error = region.alarms_error if region is not None else None
    if error and ctx.node.type in (NodeType.INSTANCE, NodeType.CLUSTER):
        lines.add("Alarms", Text(clean(f"unavailable: {error}"), palette.busy), wide=True)


def detail_text(ctx: DetailContext) -> Text:
    lines = Lines(ctx.width, ctx.palette)
    kind = ctx.node.type
    if kind is NodeType.INSTANCE:
        _instance(ctx, lines)
    elif kind is NodeType.CLUSTER:
        _cluster(ctx, lines)
    elif kind is NodeType.GLOBAL_CLUSTER:
        _global(ctx, lines)
    elif kind is NodeType.STANDBY:
        _standby(ctx, lines)
    elif kind is NodeType.ACCOUNT:
        _account(ctx, lines)
    else:
        _external(ctx, lines)
    for fact in facts(ctx.node, ctx.fleet):
        lines.add(fact.label, Text(clean(fact.text), _FACT_STYLE[fact.level](ctx.palette)), wide=True)
    _alarms(ctx, lines)
    for note in ctx.node.notes if kind is not NodeType.ACCOUNT else ():  # an account's note is its error: Failed
        lines.add("Note", Text(clean(note), ctx.palette.busy), wide=True)
    region = ctx.region
    if region is not None and not region.ok and region.error and kind is not NodeType.EXTERNAL:
        lines.add("Region", Text(clean(f"{region.name} failed: {region.error}"), ctx.palette.busy), wide=True)
    _posture(ctx, lines)
    if kind is NodeType.INSTANCE:
        _instance_load(ctx, lines)
    if ctx.node.arn:
        lines.add("ARN", Text(ctx.node.arn, ctx.palette.muted), wide=True)
    text = title(ctx)
    for finding in _findings(ctx):
        text.append("\n")
        text.append_text(finding)
    text.append("\n")
    text.append_text(lines.render())
    return text
