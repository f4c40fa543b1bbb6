"""s: a manual snapshot of a DB instance, or of the cluster an instance belongs to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from rdstui.core.model import Node, NodeType, Role
from rdstui.core.plans.context import (
    INSTANCE_SNAPSHOT_STATES,
    READY_STATES,
    FleetContext,
    not_ready,
    refuse,
    target_of,
)
from rdstui.core.plans.names import name_limit, propose_snapshot_name
from rdstui.core.plans.operation import Operation, Verdict
from rdstui.core.plans.plan import ActionKind, ActionPlan, NameField, Refusal
from rdstui.core.records import is_multi_az_db_cluster

# (operation, params, what happens, what it costs)
_Call = tuple[str, dict[str, str], str, str]


def plan_snapshot(node: Node, ctx: FleetContext, now: datetime, taken: Iterable[str] = ()) -> ActionPlan | Refusal:
    action = ActionKind.SNAPSHOT
    if node.type is NodeType.GLOBAL_CLUSTER:
        primary = next((c for c in node.children if c.role is Role.PRIMARY), None)
        hint = f": select its primary cluster {primary.id}" if primary else ": select one of its clusters"
        return refuse(action, node, f"a global database has no snapshots of its own{hint}")
    target_node, note = node, None
    if node.type is NodeType.INSTANCE and node.is_cluster_member:
        # RDS snapshots an Aurora or Multi-AZ DB cluster whole, never one of its instances.
        cluster = ctx.parent(node)
        if cluster is None or cluster.type is not NodeType.CLUSTER:
            cluster_id = node.raw.get("DBClusterIdentifier") or (cluster.id if cluster else "its cluster")
            return refuse(
                action,
                node,
                f"{node.id} is an instance of cluster {cluster_id}: cluster instances can't be snapshotted "
                f"on their own; select {cluster_id}",
            )
        target_node = cluster
        note = f"{node.id} is an instance of {cluster.id}: RDS snapshots the whole cluster, not one of its instances"
    if target_node.type is NodeType.CLUSTER:
        refused = not_ready(action, target_node, READY_STATES, "CreateDBClusterSnapshot")
    else:
        refused = not_ready(action, target_node, INSTANCE_SNAPSHOT_STATES, "CreateDBSnapshot")
    if refused:
        return refused
    return _build(node, target_node, note, now, list(taken))


def _build(node: Node, target_node: Node, note: str | None, now: datetime, taken: list[str]) -> ActionPlan:
    cluster = target_node.type is NodeType.CLUSTER

    def build(chosen: dict[str, str]) -> ActionPlan:
        # Only a first plan proposes one: a name typed (even empty) is the name.
        name = chosen["name"] if "name" in chosen else propose_snapshot_name(target_node.id, now, cluster=cluster, taken=taken)
        call = _cluster_snapshot if cluster else _instance_snapshot
        operation, params, effect, cost = call(target_node, name)
        effects = ([note] if note else []) + [effect, "it shows as creating, with its progress, then available"]
        return ActionPlan(
            action=ActionKind.SNAPSHOT,
            title=f"Take a snapshot of {target_node.id}",
            verb="Take snapshot",
            target=target_of(target_node),
            operation=operation,
            params=params,
            effects=tuple(effects),
            costs=(cost, "snapshot storage is billed until you delete it: manual snapshots never expire"),
            name=NameField("Snapshot name", name, name_limit(cluster), cluster),
            follow={"snapshot": name, "cluster": cluster},
            selected_node=node.key,
            _rebuild=build,
        )

    return build({})


def _cluster_snapshot(cluster: Node, name: str) -> _Call:
    params = {"DBClusterIdentifier": cluster.id, "DBClusterSnapshotIdentifier": name}
    effect = f"RDS takes a manual snapshot {name} of the cluster volume of {cluster.id}"
    if is_multi_az_db_cluster(cluster.raw):
        return "CreateDBClusterSnapshot", params, effect, "no downtime: the snapshot is taken from a reader instance"
    return "CreateDBClusterSnapshot", params, effect, "no downtime and no I/O pause: Aurora snapshots its storage volume"


def _instance_snapshot(db: Node, name: str) -> _Call:
    params = {"DBInstanceIdentifier": db.id, "DBSnapshotIdentifier": name}
    effect = f"RDS takes a manual snapshot {name} of {db.id}"
    if db.multi_az:
        return "CreateDBSnapshot", params, effect, "no I/O pause: RDS takes the snapshot from the standby"
    cost = f"a brief I/O pause on {db.id} (seconds, up to a few minutes) while the snapshot starts: it is single-AZ"
    return "CreateDBSnapshot", params, effect, cost


# -- the calls ---------------------------------------------------------------


def _started(kind: str, owner: str, name: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], str]:
    def line(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
        status = response.get(kind, {}).get("Status", "creating")
        return f"snapshot {params[name]} of {params[owner]} started: {status}"

    return line


def _probe(describe: str, filter_name: str, key: str) -> Callable[[Any, ActionPlan], Awaitable[Mapping[str, Any] | None]]:
    async def probe(factory: Any, plan: ActionPlan) -> Mapping[str, Any] | None:
        rds = await factory.client("rds", plan.region)
        answer = await getattr(rds, describe)(**{filter_name: plan.follow["snapshot"]})
        records = answer.get(key, [])
        return records[0] if records else None

    return probe


def _settled(plan: ActionPlan, record: Mapping[str, Any], took: str) -> Verdict:
    status = str(record.get("Status") or "").lower()
    name = plan.follow.get("snapshot")
    if status == "available":
        return True, f"snapshot {name} available after {took}"
    if status in ("failed", "error", "deleted", "deleting"):
        return False, f"snapshot {name} is {status} after {took}"
    return None


OPERATIONS = (
    Operation(
        name="CreateDBSnapshot",
        method="create_db_snapshot",
        noun="snapshot",
        timeout=timedelta(hours=3),
        started=_started("DBSnapshot", "DBInstanceIdentifier", "DBSnapshotIdentifier"),
        probe=_probe("describe_db_snapshots", "DBSnapshotIdentifier", "DBSnapshots"),
        settled_by=_settled,
        demo_handler="rdstui.demo.handlers.snapshots:create_db_snapshot",
    ),
    Operation(
        name="CreateDBClusterSnapshot",
        method="create_db_cluster_snapshot",
        noun="snapshot",
        timeout=timedelta(hours=3),
        started=_started("DBClusterSnapshot", "DBClusterIdentifier", "DBClusterSnapshotIdentifier"),
        probe=_probe("describe_db_cluster_snapshots", "DBClusterSnapshotIdentifier", "DBClusterSnapshots"),
        settled_by=_settled,
        demo_handler="rdstui.demo.handlers.snapshots:create_db_cluster_snapshot",
    ),
)
