"""What every planner looks up around the selected node, and how it refuses."""

from __future__ import annotations

from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.plans.plan import ActionKind, Refusal, Target
from rdstui.core.topology import is_aurora, is_multi_az_db_cluster

# Statuses in which AWS accepts each action on the target.
SNAPSHOT_STATES = {"available", "stopped", "storage-optimization"}
READY_STATES = {"available"}


class FleetContext:
    """Lookups a plan needs around the node: parents, nodes by key, region health."""

    def __init__(self, fleet: Fleet | None) -> None:
        self.fleet = fleet
        self.parents: dict[str, Node] = {}
        self.nodes: dict[str, Node] = {}
        self.region_ok: dict[str, bool] = {}
        if fleet is not None:
            for node in fleet.walk():
                self.nodes.setdefault(node.key, node)
                for child in node.children:
                    self.parents.setdefault(child.key, node)
            self.region_ok = {r.name: r.ok for r in fleet.regions}

    def parent(self, node: Node) -> Node | None:
        return self.parents.get(node.key)

    def global_of(self, cluster: Node) -> Node | None:
        parent = self.parent(cluster)
        if parent is not None and parent.type is NodeType.GLOBAL_CLUSTER:
            return parent
        return None


def refuse(action: ActionKind, node: Node, reason: str) -> Refusal:
    """A refusal shown on `node` (the one the user selected)."""
    return Refusal(action, reason, node.key, node.id)


def not_ready(action: ActionKind, node: Node, allowed: set[str]) -> Refusal | None:
    if node.status in allowed:
        return None
    return refuse(action, node, f"{node.id} is {node.status}: wait until it is available")


def target_of(node: Node) -> Target:
    if node.type is NodeType.GLOBAL_CLUSTER:
        kind = "global database"
    elif node.type is NodeType.CLUSTER:
        kind = _cluster_kind(node)
    else:
        kind = "DB instance"
    return Target(
        key=node.key,
        id=node.id,
        kind=kind,
        region=node.region,
        engine=node.engine,
        engine_version=node.engine_version,
        arn=node.arn,
    )


def _cluster_kind(node: Node) -> str:
    if is_multi_az_db_cluster(node.raw):
        return "Multi-AZ DB cluster"
    if is_aurora(node.engine):
        return "Aurora DB cluster"
    return "DB cluster"


def lag_text(node: Node | None) -> str:
    if node is None or node.lag_seconds is None:
        return "lag unknown"
    return f"lag {duration(node.lag_seconds)}"


def global_writer_arn(glob: Node | None) -> str | None:
    """The ARN of a global database's primary cluster, as its members list says."""
    members = glob.raw.get("GlobalClusterMembers", []) if glob else []
    return next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
