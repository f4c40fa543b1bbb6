"""p: promote a read replica (instance or cluster), or detach a global secondary."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from rdstui.core.arns import arn_identifier
from rdstui.core.model import Node, NodeType, Role
from rdstui.core.plans.context import (
    READY_STATES,
    FleetContext,
    global_writer_arn,
    green_refusal,
    not_ready,
    refuse,
    target_of,
)
from rdstui.core.plans.operation import Operation, Progress, Verdict
from rdstui.core.plans.plan import ActionKind, ActionPlan, Refusal
from rdstui.core.records import is_custom

_NOTHING = "is not a read replica: there is nothing to promote"


def plan_promote(node: Node, ctx: FleetContext) -> ActionPlan | Refusal:
    action = ActionKind.PROMOTE
    refused = green_refusal(action, node, "promoted")
    if refused:
        return refused
    if node.type is NodeType.GLOBAL_CLUSTER:
        return refuse(
            action,
            node,
            f"a global database can't be promoted: select one of its secondary clusters to detach it, "
            f"or press f to switch {node.id} over",
        )
    if node.type is NodeType.CLUSTER:
        return _plan_cluster_promote(node, ctx)
    if node.is_cluster_member:
        return refuse(action, node, _cluster_member_reason(node, ctx))
    if node.role is not Role.REPLICA:
        return refuse(action, node, f"{node.id} {_NOTHING}")
    if is_custom(node.engine):
        return refuse(action, node, f"{node.id} is RDS Custom ({node.engine}): PromoteReadReplica doesn't apply to RDS Custom")
    return not_ready(action, node, READY_STATES, "PromoteReadReplica") or _plan_replica_promote(node)


def _cluster_member_reason(node: Node, ctx: FleetContext) -> str:
    cluster = ctx.parent(node)
    cluster_id = cluster.id if cluster else node.raw.get("DBClusterIdentifier", "its cluster")
    if node.role is Role.WRITER:
        return f"{node.id} is already the writer of {cluster_id}"
    if node.role is Role.MEMBER:
        return f"{node.id} is an instance of {cluster_id}: a cluster instance can't be promoted on its own"
    return (
        f"{node.id} is a reader of {cluster_id}: a cluster instance can't be promoted on its own; "
        f"fail {cluster_id} over to make it the writer"
    )


def _plan_replica_promote(db: Node) -> ActionPlan:
    """PromoteReadReplica: the instance stops replicating and takes writes."""
    source = db.raw.get("ReadReplicaSourceDBInstanceIdentifier") or db.raw.get("ReadReplicaSourceDBClusterIdentifier")
    source_id = _short(source) if source else "its source"
    replicas = db.raw.get("ReadReplicaDBInstanceIdentifiers") or []
    effects = [
        f"replication from {source_id} stops; {db.id} becomes a standalone, writable DB instance",
        f"{source_id} no longer lists it as a replica",
        f"{db.id} reboots once during the promotion (a few minutes in all)",
    ]
    if replicas:
        effects.append(f"its own replicas ({', '.join(_short(r) for r in replicas)}) keep replicating from it")
    costs = [
        f"irreversible: {db.id} can never become a replica of {source_id} again",
        f"a short outage for reads on {db.id} while it reboots",
    ]
    if db.raw.get("BackupRetentionPeriod") == 0:
        costs.append(f"automated backups are off on {db.id} (retention 0 days): turn them on once it stands alone")
    return ActionPlan(
        action=ActionKind.PROMOTE,
        title=f"Promote {db.id} to a standalone DB instance",
        verb="Promote",
        target=target_of(db),
        operation="PromoteReadReplica",
        params={"DBInstanceIdentifier": db.id},
        effects=tuple(effects),
        costs=tuple(costs),
        irreversible=True,
        confirm_phrase=db.id,
        follow={"source": source_id},
        selected_node=db.key,
    )


def _plan_cluster_promote(cluster: Node, ctx: FleetContext) -> ActionPlan | Refusal:
    action = ActionKind.PROMOTE
    glob = ctx.global_of(cluster)
    if cluster.role is Role.SECONDARY:
        return not_ready(action, cluster, READY_STATES, "RemoveFromGlobalCluster") or _plan_detach(cluster, glob)
    if cluster.role is Role.REPLICA:
        refused = not_ready(action, cluster, READY_STATES, "PromoteReadReplicaDBCluster")
        return refused or _plan_replica_cluster_promote(cluster)
    if glob is not None:
        return refuse(
            action,
            cluster,
            f"{cluster.id} is the primary cluster of {glob.id}: nothing to promote; "
            f"to move the primary, fail over {glob.id}",
        )
    return refuse(action, cluster, f"{cluster.id} {_NOTHING}")


def _plan_detach(cluster: Node, glob: Node | None) -> ActionPlan:
    """RemoveFromGlobalCluster: a global secondary leaves and stands alone."""
    glob_id = _short(glob.id if glob else cluster.raw.get("GlobalClusterIdentifier", "its global database"))
    primary_arn = global_writer_arn(glob)
    primary_id = arn_identifier(primary_arn) if primary_arn else "the primary cluster"
    return ActionPlan(
        action=ActionKind.PROMOTE,
        title=f"Detach {cluster.id} from {glob_id} (promote it to a standalone cluster)",
        verb="Detach and promote",
        target=target_of(cluster),
        operation="RemoveFromGlobalCluster",
        params={"GlobalClusterIdentifier": glob_id, "DbClusterIdentifier": cluster.arn or cluster.key},
        send_region=cluster.region,
        send_region_why="the region of the member that leaves",
        effects=(
            f"{cluster.id} leaves {glob_id}: replication from {primary_id} stops",
            f"{cluster.id} becomes a standalone, writable cluster; its first instance becomes the writer",
            f"{glob_id} keeps running without {cluster.region}",
        ),
        costs=(
            f"irreversible: {cluster.id} can't rejoin {glob_id}; add a new secondary region instead",
            f"writes made to {primary_id} after the detach never reach {cluster.id}",
        ),
        irreversible=True,
        confirm_phrase=cluster.id,
        follow={"global": glob.key if glob else None, "source": primary_id},
        selected_node=cluster.key,
    )


def _plan_replica_cluster_promote(cluster: Node) -> ActionPlan:
    """PromoteReadReplicaDBCluster: a cross-region replica cluster stops replicating."""
    source = cluster.raw.get("ReplicationSourceIdentifier")
    source_id = _short(source) if source else "its source"
    return ActionPlan(
        action=ActionKind.PROMOTE,
        title=f"Promote {cluster.id} to a standalone cluster",
        verb="Promote",
        target=target_of(cluster),
        operation="PromoteReadReplicaDBCluster",
        params={"DBClusterIdentifier": cluster.id},
        effects=(
            f"replication from {source_id} stops; {cluster.id} becomes a standalone, writable cluster",
            f"{source_id} no longer lists it as a read replica",
        ),
        costs=(
            f"irreversible: {cluster.id} can never replicate from {source_id} again",
            "a short interruption on its instances while they restart as a writable cluster",
        ),
        irreversible=True,
        confirm_phrase=cluster.id,
        follow={"source": source_id},
        selected_node=cluster.key,
    )


def _short(ref: str) -> str:
    """An identifier from a reference that may be an ARN."""
    return arn_identifier(ref) if ref.startswith("arn:") else ref


# -- the calls ---------------------------------------------------------------


def _instance_started(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    status = response.get("DBInstance", {}).get("DBInstanceStatus", "modifying")
    return f"promotion of {params['DBInstanceIdentifier']} started: it is {status}"


def _instance_settled(progress: Progress) -> Verdict:
    node = progress.node
    if node.role is Role.REPLICA:
        return None
    return True, f"promotion done in {progress.took}: {node.id} stands alone"


def _cluster_started(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    status = response.get("DBCluster", {}).get("Status", "promoting")
    return f"promotion of {params['DBClusterIdentifier']} started: it is {status}"


def _cluster_settled(progress: Progress) -> Verdict:
    node = progress.node
    if node.role is Role.REPLICA or node.raw.get("ReplicationSourceIdentifier"):
        return None
    return True, f"promotion done in {progress.took}: {node.id} stands alone"


def _detach_started(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    member = arn_identifier(str(params["DbClusterIdentifier"]))
    return f"{member} is leaving {params['GlobalClusterIdentifier']} to stand alone"


def _detach_settled(progress: Progress) -> Verdict:
    node, parent = progress.node, progress.fleet.parent(progress.node)
    if (parent is not None and parent.type is NodeType.GLOBAL_CLUSTER) or node.raw.get("GlobalClusterIdentifier"):
        return None
    return True, f"detach done in {progress.took}: {node.id} stands alone"


OPERATIONS = (
    Operation(
        name="PromoteReadReplica",
        method="promote_read_replica",
        noun="promotion",
        timeout=timedelta(hours=1),
        started=_instance_started,
        settled=_instance_settled,
        demo_handler="rdstui.demo.handlers.instances:promote_read_replica",
    ),
    Operation(
        name="PromoteReadReplicaDBCluster",
        method="promote_read_replica_db_cluster",
        noun="promotion",
        timeout=timedelta(hours=1),
        started=_cluster_started,
        settled=_cluster_settled,
        demo_handler="rdstui.demo.handlers.clusters:promote_read_replica_db_cluster",
    ),
    Operation(
        name="RemoveFromGlobalCluster",
        method="remove_from_global_cluster",
        noun="detach",
        timeout=timedelta(hours=1),
        started=_detach_started,
        settled=_detach_settled,
        demo_handler="rdstui.demo.handlers.global_clusters:remove_from_global_cluster",
    ),
)
