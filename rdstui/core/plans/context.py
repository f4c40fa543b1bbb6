"""What every planner looks up around the selected node, and how it refuses."""

from __future__ import annotations

from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.plans.plan import ActionKind, Refusal, Target
from rdstui.core.records import is_aurora, is_multi_az_db_cluster

# The statuses in which AWS accepts each call on its target (the API reference):
# CreateDBSnapshot "available or storage-optimization"; the rest "available".
INSTANCE_SNAPSHOT_STATES = {"available", "storage-optimization"}
READY_STATES = {"available"}

EMPTY_FLEET = Fleet(regions=(), roots=())


class FleetContext:
    """Lookups a plan needs around the node: parents, nodes by key, lag, region health."""

    def __init__(self, fleet: Fleet | None) -> None:
        self.fleet = fleet if fleet is not None else EMPTY_FLEET
        self.nodes = self.fleet.nodes
        self.region_ok = {r.name: r.ok for r in self.fleet.regions}

    def parent(self, node: Node) -> Node | None:
        return self.fleet.parent(node)

    def global_of(self, cluster: Node) -> Node | None:
        parent = self.parent(cluster)
        if parent is not None and parent.type is NodeType.GLOBAL_CLUSTER:
            return parent
        return None

    def lag_text(self, node: Node | None) -> str:
        lag = self.fleet.lag(node) if node is not None else None
        return "lag unknown" if lag is None else f"lag {duration(lag)}"


def refuse(action: ActionKind, node: Node, reason: str) -> Refusal:
    """A refusal shown on `node` (the one the user selected)."""
    return Refusal(action, reason, node.key, node.id)


def not_ready(action: ActionKind, node: Node, allowed: set[str], call: str) -> Refusal | None:
    """AWS's state rule for `call`, in its words, before anything is sent."""
    if node.status in allowed:
        return None
    need = " or ".join(sorted(allowed))
    return refuse(action, node, f"{node.id} is {node.status}: {call} needs it {need}")


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
        account=node.account,
    )


def _cluster_kind(node: Node) -> str:
    if is_multi_az_db_cluster(node.raw):
        return "Multi-AZ DB cluster"
    if is_aurora(node.engine):
        return "Aurora DB cluster"
    return "DB cluster"


def global_writer_arn(glob: Node | None) -> str | None:
    """The ARN of a global database's primary cluster, as its members list says."""
    members = glob.raw.get("GlobalClusterMembers", []) if glob else []
    return next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)


def green_refusal(action: ActionKind, node: Node, what: str) -> Refusal | None:
    """A green member of a blue/green deployment changes only through the deployment."""
    deployment = node.blue_green
    if deployment is None or deployment.role != "green":
        return None
    name = deployment.name or deployment.id
    return refuse(
        action,
        node,
        f"{node.id} is the green side of blue/green deployment {name} ({deployment.status}): "
        f"it can't be {what} on its own; switch over the deployment instead",
    )
