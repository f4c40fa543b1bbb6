"""Which CloudWatch metrics a node has, by engine and kind — and which it does not.

AWS publishes different metrics for different databases (the RDS and Aurora
user guides' metric tables): FreeStorageSpace for RDS instances but not for
Aurora, whose instances have FreeLocalStorage (except Serverless v2); ACU
metrics only for Aurora Serverless v2; lag metrics by how a node replicates.
`gauges(node, parent)` says, for each chart the console offers, the series to
read or why there is none (`parent`: the node's parent in the tree, which
names a global secondary's source region).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdstui.core.metrics import SeriesKey
from rdstui.core.model import Node, NodeType, Role, walk_with_parents
from rdstui.core.records import is_aurora

SERVERLESS_V2_CLASS = "db.serverless"


@dataclass(frozen=True)
class Gauge:
    """One chart of a node: its series, or why AWS publishes none for it."""

    key: str  # "lag", "cpu", "connections", "storage", "capacity"
    label: str  # what the chart is called for this node
    series: SeriesKey | None
    why_not: str | None = None


CHART_KEYS = ("lag", "cpu", "connections", "storage", "capacity")


def is_serverless_v2(node: Node) -> bool:
    return node.type is NodeType.INSTANCE and node.raw.get("DBInstanceClass") == SERVERLESS_V2_CLASS


def source_region(node: Node, parent: Node | None) -> str:
    """The region a global secondary replicates from (its global database's primary)."""
    if node.role is Role.SECONDARY and parent is not None and parent.type is NodeType.GLOBAL_CLUSTER:
        return parent.region if parent.region != "global" else ""
    return ""


ACCOUNT_CHARTS = "an account: select one of its databases to chart it"


def series_of(node: Node, metric: str, source: str = "") -> SeriesKey:
    """The node's series of `metric`, in its own region and account."""
    return SeriesKey(node.region, metric, node.id, source, node.account or "")


def lag_series(node: Node, parent: Node | None) -> SeriesKey | None:
    if not node.lag_metric:
        return None
    return series_of(node, node.lag_metric, source_region(node, parent))


def rpo_series(node: Node, parent: Node | None) -> SeriesKey | None:
    """AuroraGlobalDBRPOLag, for global secondaries only."""
    if node.role is not Role.SECONDARY:
        return None
    return series_of(node, "AuroraGlobalDBRPOLag", source_region(node, parent))


def gauges(node: Node, parent: Node | None = None) -> list[Gauge]:
    """Every chart in CHART_KEYS order, each with its series or the reason there is none."""
    lag = lag_series(node, parent)
    no_lag = ACCOUNT_CHARTS if node.type is NodeType.ACCOUNT else f"{node.id} does not replicate from anything: no lag"
    found = [Gauge("lag", "replication lag", lag, None if lag else no_lag)]
    if node.type is not NodeType.INSTANCE:
        why = _not_an_instance(node)
        found += [Gauge(key, label, None, why) for key, label in _INSTANCE_CHARTS]
        return found
    series = {name: series_of(node, name) for name in _INSTANCE_NAMES}
    found.append(Gauge("cpu", "CPU", series["CPUUtilization"]))
    found.append(Gauge("connections", "connections", series["DatabaseConnections"]))
    serverless = is_serverless_v2(node)
    if not is_aurora(node.engine):
        found.append(Gauge("storage", "free storage", series["FreeStorageSpace"]))
    elif serverless:
        found.append(Gauge("storage", "free storage", None, "Aurora Serverless v2 publishes no storage metric per instance"))
    else:
        found.append(Gauge("storage", "free local storage", series["FreeLocalStorage"]))
    if serverless:
        found.append(Gauge("capacity", "capacity (ACU)", series["ServerlessDatabaseCapacity"]))
    else:
        found.append(Gauge("capacity", "capacity (ACU)", None, "capacity in ACUs is published for Aurora Serverless v2 only"))
    return found


def extra_series(node: Node) -> list[SeriesKey]:
    """Series read for the detail pane but not charted (ACUUtilization)."""
    if is_serverless_v2(node):
        return [series_of(node, "ACUUtilization")]
    return []


def gauge(node: Node, key: str, parent: Node | None = None) -> Gauge:
    return next(g for g in gauges(node, parent) if g.key == key)


def tree_series(roots: Iterable[Node]) -> list[SeriesKey]:
    """The series every poll reads for the whole tree: each node's lag, and the RPO lag of
    global secondaries (the rows show them)."""
    keys: list[SeriesKey] = []
    for node, parent in walk_with_parents(roots):
        keys.extend(key for key in (lag_series(node, parent), rpo_series(node, parent)) if key is not None)
    return list(dict.fromkeys(keys))


def storage_series(roots: Iterable[Node]) -> list[SeriesKey]:
    """FreeStorageSpace of every RDS (not Aurora) instance: the low-storage finding's gauge."""
    keys = (
        series_of(node, "FreeStorageSpace")
        for node, _ in walk_with_parents(roots)
        if node.type is NodeType.INSTANCE and not is_aurora(node.engine)
    )
    return list(dict.fromkeys(keys))


def node_series(node: Node, parent: Node | None) -> list[SeriesKey]:
    """Every series one node's charts and detail show: read only while it is in view.
    GetMetricData is billed per metric requested and is outside the free tier: three gauges
    of a thousand databases every minute would be 3,000 metrics a minute, for charts that
    are looked at one at a time."""
    if node.type is NodeType.EXTERNAL or node.type is NodeType.STANDBY:
        return []
    keys = [g.series for g in gauges(node, parent) if g.series is not None]
    rpo = rpo_series(node, parent)
    return list(dict.fromkeys([*keys, *([rpo] if rpo else []), *extra_series(node)]))


_INSTANCE_CHARTS = (("cpu", "CPU"), ("connections", "connections"), ("storage", "free storage"), ("capacity", "capacity (ACU)"))
_INSTANCE_NAMES = (
    "CPUUtilization",
    "DatabaseConnections",
    "FreeStorageSpace",
    "FreeLocalStorage",
    "ServerlessDatabaseCapacity",
)


def _not_an_instance(node: Node) -> str:
    if node.type is NodeType.STANDBY:
        return "a standby publishes no metrics of its own: select its primary"
    if node.type is NodeType.EXTERNAL:
        return "not described: no metrics"
    if node.type is NodeType.ACCOUNT:
        return ACCOUNT_CHARTS
    return "published per DB instance: select one of its instances"
