"""What needs attention first: findings per node, from one Fleet, against the config's thresholds.

    rules = AttentionRules.from_settings(settings)
    attention = assess(fleet, rules, now)    # node key -> (Finding, ...), worst first
    summary(attention)                       # [("lagging", 2, WARNING), ("no PITR", 1, WARNING)]

Critical: a failed or storage-full status, replication broken, lag at or above
the critical threshold, the node's region failing, a CloudWatch alarm in
ALARM. Warning: lag at or above the warning threshold or rising for the whole
trend window, no point-in-time recovery on a primary, RPO now above its
threshold, free storage below its share, a global member not in sync. Info: a
transitional status, changes waiting for a reboot, a stopped database's
automatic restart. Pure: the fleet and the time in, findings out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from rdstui.core.catalog import lag_series, series_of
from rdstui.core.format import clean, duration
from rdstui.core.metrics import SeriesKey
from rdstui.core.model import Finding, Fleet, Node, NodeType, Role, Series, Severity, walk_with_parents
from rdstui.core.records import is_aurora
from rdstui.core.words import status_kind

CRITICAL, WARNING, INFO = Severity.CRITICAL, Severity.WARNING, Severity.INFO
GIB = 1024**3
RISING_MIN = 1.0  # seconds: a lag that grows by less over the window is not "rising"
TREND_SHARE = 0.10  # a change of less than a tenth of the old value (and under RISING_MIN) is flat


@dataclass(frozen=True)
class AttentionRules:
    lag_warning: float = 30.0
    lag_critical: float = 300.0
    rpo_warning: float = 900.0  # seconds between now and the latest restorable time
    free_storage_warning: float = 10.0  # percent of the allocated storage
    trend_window: float = 300.0  # seconds: what "rising" and the trend arrows compare with

    @classmethod
    def from_settings(cls, settings: Any) -> AttentionRules:
        return cls(
            settings.lag_warning, settings.lag_critical, settings.rpo_warning, settings.free_storage_warning,
            settings.trend_window,
        )


def assess(fleet: Fleet, rules: AttentionRules, now: datetime) -> Mapping[str, tuple[Finding, ...]]:
    """Every node's findings, worst first; nodes without any are left out."""
    found: dict[str, tuple[Finding, ...]] = {}
    for node, parent in walk_with_parents(fleet.roots):
        if node.key in found or node.type in (NodeType.EXTERNAL, NodeType.STANDBY):
            continue  # a placeholder is not described; a standby's primary speaks for it
        findings = node_findings(node, parent, fleet, rules, now)
        if findings:
            found[node.key] = tuple(sorted(findings, key=lambda f: -f.severity))
    return MappingProxyType(found)


def node_findings(node: Node, parent: Node | None, fleet: Fleet, rules: AttentionRules, now: datetime) -> list[Finding]:
    return [
        *_status(node, now),
        *_replication(node, fleet),
        *_lag(node, parent, fleet, rules),
        *_region(node, fleet, now),
        *_alarms(node, fleet, now),
        *_backups(node, rules, now),
        *_storage(node, fleet, rules),
        *_pending(node),
    ]


def worst(findings: tuple[Finding, ...]) -> Severity | None:
    return max((f.severity for f in findings), default=None)


def at_or_above(fleet: Fleet, level: Severity) -> bool:
    """Any finding of the fleet at `level` or worse (`status --fail-on`)."""
    return any(f.severity >= level for findings in fleet.attention.values() for f in findings)


def summary(attention: Mapping[str, tuple[Finding, ...]]) -> list[tuple[str, int, Severity]]:
    """(kind, nodes, worst severity of that kind) for warnings and worse, the worst kinds first."""
    counts: Counter[str] = Counter()
    severity: dict[str, Severity] = {}
    for findings in attention.values():
        for kind in {f.kind for f in findings if f.severity >= WARNING}:
            counts[kind] += 1
        for finding in findings:
            if finding.severity >= WARNING:
                severity[finding.kind] = max(severity.get(finding.kind, finding.severity), finding.severity)
    return sorted(((k, n, severity[k]) for k, n in counts.items()), key=lambda row: (-row[2], -row[1], row[0]))


def trend(series: Series, window: float = 300.0) -> str | None:
    """"rising", "falling" or "flat": the latest point against the one `window` seconds
    before it; None when the series does not reach back that far."""
    old = value_before(series, window)
    if old is None:
        return None
    latest = series[-1][1]
    if old < 0 or latest < 0:
        return None  # -1: not replicating, not a lag
    change = latest - old
    if abs(change) < max(RISING_MIN, TREND_SHARE * abs(old)):
        return "flat"
    return "rising" if change > 0 else "falling"


def value_before(series: Series, window: float) -> float | None:
    """The value `window` seconds before the latest point (the last one at or before then)."""
    if len(series) < 2:
        return None
    horizon = series[-1][0] - timedelta(seconds=window)
    for at, value in reversed(series):  # from the newest: a few steps, not the hour held
        if at <= horizon:
            return value
    return None


def _since(series: Series, horizon: datetime) -> list[float]:
    """The values at or after `horizon`, oldest first (walked from the newest)."""
    recent: list[float] = []
    for at, value in reversed(series):
        if at < horizon:
            break
        recent.append(value)
    recent.reverse()
    return recent


def rising_from(series: Series, window: float) -> float | None:
    """Where the lag started when every point of the last `window` seconds is at or above
    the one before and it rose by RISING_MIN in all; None when it did not rise so."""
    if not series:
        return None
    latest_at = series[-1][0]
    recent = _since(series, latest_at - timedelta(seconds=window))
    if len(recent) < 3 or series[0][0] > latest_at - timedelta(seconds=window * 0.8):
        return None  # too little history to call it steady
    steady = all(b >= a for a, b in zip(recent, recent[1:])) and min(recent) >= 0
    return recent[0] if steady and recent[-1] - recent[0] >= RISING_MIN else None


# -- the checks --------------------------------------------------------------


def _status(node: Node, now: datetime) -> list[Finding]:
    status = node.status.lower()
    kind = status_kind(status)
    if status == "stopped":
        restart = node.raw.get("AutomaticRestartTime")
        if isinstance(restart, datetime):
            left = duration(max(0.0, (restart - now).total_seconds()))
            return [Finding(INFO, "stopped", f"stopped: AWS starts it again at {restart:%Y-%m-%d %H:%M} UTC (in {left})")]
        return [Finding(INFO, "stopped", "stopped")]
    if kind == "bad":
        return [Finding(CRITICAL, "failed", f"status {node.status}")]
    if kind == "busy":  # a transitional status: modifying, rebooting, backing-up...
        return [Finding(INFO, "busy", f"status {node.status}")]
    return []


def _replication(node: Node, fleet: Fleet) -> list[Finding]:
    replication = fleet.replication(node)
    if replication is None or replication.normal:
        return []
    said = clean(f": {replication.message}") if replication.message else ""
    if node.role is Role.SECONDARY and node.type is NodeType.CLUSTER and node.replication is replication:
        return [Finding(WARNING, "out of sync", f"global member {replication.status}{said}")]
    return [Finding(CRITICAL, "broken", f"replication {replication.status}{said}")]


def _lag(node: Node, parent: Node | None, fleet: Fleet, rules: AttentionRules) -> list[Finding]:
    lag = fleet.lag(node)
    if lag is None or lag < 0:  # -1 is broken replication, said by _replication
        return []
    metric = node.lag_metric or "lag"
    if lag >= rules.lag_critical:
        found = [Finding(CRITICAL, "lagging", f"{metric} {duration(lag)}: at or above {duration(rules.lag_critical)}")]
    elif lag >= rules.lag_warning:
        found = [Finding(WARNING, "lagging", f"{metric} {duration(lag)}: at or above {duration(rules.lag_warning)}")]
    else:
        found = []
    key = lag_series(node, parent)
    series = fleet.series.get(key, ()) if isinstance(key, SeriesKey) else ()
    start = rising_from(series, rules.trend_window)
    if start is not None:
        since = duration(rules.trend_window)
        found.append(Finding(WARNING, "lagging", f"{metric} rising for {since}: {duration(start)} → {duration(lag)}"))
    return found


def _region(node: Node, fleet: Fleet, now: datetime) -> list[Finding]:
    region = fleet.region_of(node)
    if region is None or region.ok or region.error is None or region.attempted_at is None:
        return []
    seen = f"data from {duration((now - region.polled_at).total_seconds())} ago" if region.polled_at else "no data"
    return [Finding(CRITICAL, "stale", f"region {node.region} failing ({seen}): {clean(region.error)}")]


def _alarms(node: Node, fleet: Fleet, now: datetime) -> list[Finding]:
    found = []
    for alarm in fleet.alarms_of(node):
        if alarm.state == "ALARM":
            since = f" for {duration((now - alarm.since).total_seconds())}" if alarm.since else ""
            found.append(Finding(CRITICAL, "alarm", clean(f"alarm {alarm.name} in ALARM{since}")))  # its reason: alarms_of
    return found


def _owns_backups(node: Node) -> bool:
    """A database whose backups are its own: a primary instance or a primary cluster."""
    if node.role is not Role.PRIMARY:
        return False
    return node.type is NodeType.CLUSTER or (node.type is NodeType.INSTANCE and not node.is_cluster_member)


def _backups(node: Node, rules: AttentionRules, now: datetime) -> list[Finding]:
    if not _owns_backups(node) or node.status.lower() in ("creating", "stopped", "stopping"):
        return []
    retention = node.raw.get("BackupRetentionPeriod")
    if retention == 0:
        return [Finding(WARNING, "no PITR", "automated backups off (retention 0): no point-in-time recovery")]
    restorable = node.raw.get("LatestRestorableTime")
    if isinstance(restorable, datetime):
        behind = (now - restorable).total_seconds()
        if behind > rules.rpo_warning:
            return [Finding(WARNING, "RPO", f"RPO now {duration(behind)}: latest restorable time {restorable:%H:%M:%S} UTC")]
    return []


def _storage(node: Node, fleet: Fleet, rules: AttentionRules) -> list[Finding]:
    allocated = node.raw.get("AllocatedStorage")
    if node.type is not NodeType.INSTANCE or is_aurora(node.engine) or not isinstance(allocated, int) or allocated <= 0:
        return []
    held = fleet.series.get(series_of(node, "FreeStorageSpace"), ())
    if not held:
        return []
    free = held[-1][1]
    share = 100 * free / (allocated * GIB)
    if share >= rules.free_storage_warning:
        return []
    return [Finding(WARNING, "low storage", f"free storage {share:.1f} % of {allocated} GiB")]


def _pending(node: Node) -> list[Finding]:
    groups = node.raw.get("DBParameterGroups") or []
    waiting = isinstance(groups, list) and any(
        isinstance(g, Mapping) and g.get("ParameterApplyStatus") == "pending-reboot" for g in groups
    )
    return [Finding(INFO, "pending reboot", "parameter changes wait for a reboot (pending-reboot)")] if waiting else []
