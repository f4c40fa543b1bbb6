"""f: fail over a Multi-AZ DB instance to its standby, or a cluster to one of its readers.

A global database's switchover or failover is in global_failover.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from rdstui.core.model import Node, NodeType, Role
from rdstui.core.plans.context import (
    READY_STATES,
    FleetContext,
    green_refusal,
    not_ready,
    refuse,
    target_of,
)
from rdstui.core.plans.global_failover import plan_global_failover
from rdstui.core.plans.operation import Operation, Progress, Verdict
from rdstui.core.plans.plan import ActionKind, ActionPlan, Choice, Option, Refusal
from rdstui.core.records import is_custom, is_multi_az_db_cluster, is_serverless_v1


def plan_failover(node: Node, ctx: FleetContext) -> ActionPlan | Refusal:
    action = ActionKind.FAILOVER
    refused = green_refusal(action, node, "failed over")
    if refused:
        return refused
    if node.type is NodeType.GLOBAL_CLUSTER:
        return plan_global_failover(node, ctx)
    if node.type is NodeType.CLUSTER:
        return plan_cluster_failover(node, ctx, selected=node)
    if node.is_cluster_member:
        cluster = ctx.parent(node)
        if cluster is None or cluster.type is not NodeType.CLUSTER:
            cluster_id = node.raw.get("DBClusterIdentifier") or "its cluster"
            return refuse(action, node, f"{node.id} is an instance of {cluster_id}: select the cluster to fail it over")
        preferred = node.id if node.role is Role.READER else None
        return plan_cluster_failover(cluster, ctx, selected=node, preferred=preferred)
    return _plan_instance_failover(node)


def _plan_instance_failover(db: Node) -> ActionPlan | Refusal:
    """RebootDBInstance with ForceFailover: the standby of a Multi-AZ instance takes over."""
    action = ActionKind.FAILOVER
    if is_custom(db.engine):
        return refuse(action, db, f"{db.id} is RDS Custom ({db.engine}): RebootDBInstance doesn't apply to RDS Custom")
    if not db.multi_az:
        return refuse(action, db, f"{db.id} is single-AZ: there is no standby to fail over to")
    refused = not_ready(action, db, READY_STATES, "RebootDBInstance with failover")
    if refused:
        return refused
    standby_az = db.raw.get("SecondaryAvailabilityZone")
    where = f" in {standby_az}" if standby_az else ""
    endpoint = _endpoint(db)
    effects = [
        f"{db.id} reboots and its standby{where} becomes the primary",
        f"the old primary becomes the standby{f' in {db.az}' if db.az else ''}",
        (f"the endpoint {endpoint} keeps its name" if endpoint else "the endpoint keeps its name")
        + ": DNS moves to the new primary",
    ]
    if db.role is Role.REPLICA:
        effects.append("it stays a read replica of the same source")
    return ActionPlan(
        action=action,
        title=f"Fail over {db.id} to its standby",
        verb="Fail over",
        target=target_of(db),
        operation="RebootDBInstance",
        params={"DBInstanceIdentifier": db.id, "ForceFailover": True},
        effects=tuple(effects),
        costs=(
            "about 60 s of downtime while DNS moves to the standby",
            "open connections are dropped: clients must reconnect",
        ),
        irreversible=False,
        confirm_phrase=db.id,
        follow={"from_az": db.az, "to_az": standby_az},
        selected_node=db.key,
    )


def plan_cluster_failover(
    cluster: Node, ctx: FleetContext, *, selected: Node, preferred: str | None = None
) -> ActionPlan | Refusal:
    """FailoverDBCluster to a reader; refusals are shown on the node the user `selected`."""
    action = ActionKind.FAILOVER
    refused = _cluster_refusal(cluster, ctx, selected)
    if refused:
        return refused
    members = [c for c in cluster.children if c.type is NodeType.INSTANCE]
    if any(m.role is Role.MEMBER for m in members):
        return refuse(
            action,
            selected,
            f"{cluster.id}'s DBClusterMembers does not say which instance is the writer yet: try after the next poll",
        )
    writer = next((c for c in members if c.role is Role.WRITER), None)
    tiers = _member_tiers(cluster)
    readers = sorted((c for c in members if c.role is Role.READER), key=lambda c: (tiers.get(c.id, 1), c.id))
    ready = [r for r in readers if r.status in READY_STATES]
    if not readers:
        return refuse(action, selected, f"{cluster.id} has no reader to fail over to")
    if not ready:
        states = ", ".join(f"{r.id} is {r.status}" for r in readers)
        return refuse(action, selected, f"no reader of {cluster.id} is available to take over ({states})")
    if _aws_picks_target(cluster):
        return _plan_any_reader(cluster, ctx, selected, writer, ready)
    options = tuple(_reader_option(r, tiers, writer, ctx) for r in ready)
    default = preferred if preferred in {o.value for o in options} else options[0].value

    def build(chosen: dict[str, str]) -> ActionPlan:
        target_id = chosen.get("target", default)
        reader = next(r for r in ready if r.id == target_id)
        return ActionPlan(
            action=action,
            title=f"Fail over {cluster.id} to {target_id}",
            verb="Fail over",
            target=target_of(cluster),
            operation="FailoverDBCluster",
            params={"DBClusterIdentifier": cluster.id, "TargetDBInstanceIdentifier": target_id},
            effects=_cluster_effects(cluster, ctx, f"{reader.id} ({reader.az or 'zone unknown'})", writer),
            costs=_cluster_costs(cluster, target_id),
            confirm_phrase=cluster.id,
            choices=(Choice("target", "New writer", options, target_id),),
            follow={"writer": target_id, "from_writer": writer.id if writer else None},
            selected_node=selected.key,
            _rebuild=build,
        )

    return build({})


def _aws_picks_target(cluster: Node) -> bool:
    """FailoverDBCluster's TargetDBInstanceIdentifier "isn't supported for RDS for
    MySQL Multi-AZ DB clusters" (API reference): AWS picks the readable standby."""
    return is_multi_az_db_cluster(cluster.raw) and cluster.engine == "mysql"


def _plan_any_reader(
    cluster: Node, ctx: FleetContext, selected: Node, writer: Node | None, ready: list[Node]
) -> ActionPlan:
    standbys = ", ".join(f"{r.id} ({r.az or 'zone unknown'}, {ctx.lag_text(r)})" for r in ready)
    effects = (
        "AWS chooses which readable standby becomes the writer: an RDS for MySQL Multi-AZ DB cluster "
        f"takes no target (standbys: {standbys})",
        *_cluster_effects(cluster, ctx, None, writer)[1:],
    )
    return ActionPlan(
        action=ActionKind.FAILOVER,
        title=f"Fail over {cluster.id} to a readable standby",
        verb="Fail over",
        target=target_of(cluster),
        operation="FailoverDBCluster",
        params={"DBClusterIdentifier": cluster.id},
        effects=effects,
        costs=_cluster_costs(cluster, "a readable standby"),
        confirm_phrase=cluster.id,
        follow={"writer": None, "from_writer": writer.id if writer else None},
        selected_node=selected.key,
    )


def _cluster_refusal(cluster: Node, ctx: FleetContext, selected: Node) -> Refusal | None:
    """A global secondary has no writer to fail over; Serverless v1 has no instances."""
    action = ActionKind.FAILOVER
    if cluster.role is Role.SECONDARY:
        glob = ctx.global_of(cluster)
        name = glob.id if glob else "its global database"
        return refuse(
            action,
            selected,
            f"{cluster.id} is a secondary cluster of {name}: it has no writer to fail over; "
            f"select {name} to switch over to it",
        )
    if is_serverless_v1(cluster.raw):
        return refuse(
            action, selected, f"{cluster.id} is Aurora Serverless v1: it has no DB instances to fail over to"
        )
    refused = not_ready(action, cluster, READY_STATES, "FailoverDBCluster")
    return refuse(action, selected, refused.reason) if refused else None


def _reader_option(reader: Node, tiers: dict[str, int], writer: Node | None, ctx: FleetContext) -> Option:
    return Option(
        value=reader.id,
        label=f"{reader.id} ({reader.az or 'zone unknown'}, tier {tiers.get(reader.id, 1)}, {ctx.lag_text(reader)})",
        detail="same zone as the writer" if writer is not None and reader.az == writer.az else "",
    )


def _cluster_effects(cluster: Node, ctx: FleetContext, new_writer: str | None, writer: Node | None) -> tuple[str, ...]:
    effects = [
        f"{new_writer or 'a reader'} becomes the writer of {cluster.id}",
        f"the writer {writer.id} restarts as a reader" if writer else "the current writer restarts as a reader",
        "the cluster endpoint keeps its name and moves to the new writer",
    ]
    glob = ctx.global_of(cluster)
    if glob is not None:
        effects.append(
            f"{glob.id}'s primary stays in {cluster.region}: only the writer instance within {cluster.id} changes"
        )
    return tuple(effects)


def _cluster_costs(cluster: Node, target: str) -> tuple[str, ...]:
    downtime = "typically under 35 s" if is_multi_az_db_cluster(cluster.raw) else "typically about 30 s"
    return (
        f"writes stop while {target} takes over ({downtime})",
        "open connections are dropped: clients must reconnect",
    )


def _member_tiers(cluster: Node) -> dict[str, int]:
    tiers: dict[str, int] = {}
    for member in cluster.raw.get("DBClusterMembers") or []:
        tier = member.get("PromotionTier")
        tiers[member.get("DBInstanceIdentifier", "")] = tier if isinstance(tier, int) else 1
    return tiers


def _endpoint(node: Node) -> str | None:
    endpoint = node.raw.get("Endpoint")
    if isinstance(endpoint, dict):
        return endpoint.get("Address")
    return endpoint if isinstance(endpoint, str) else None


# -- the calls ---------------------------------------------------------------


def _instance_started(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    status = response.get("DBInstance", {}).get("DBInstanceStatus", "rebooting")
    return f"failover of {params['DBInstanceIdentifier']} started: it is {status}"


def _instance_settled(progress: Progress) -> Verdict:
    """The standby has taken over when the primary's zone has moved."""
    node, took = progress.node, progress.took
    if node.az and node.az != progress.plan.follow.get("from_az"):
        return True, f"failover done in {took}: now in {node.az}"
    if progress.seen_busy:
        return False, f"{node.id} rebooted in {took} but is still in {node.az}: check its events"
    return None


def _cluster_started(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
    status = response.get("DBCluster", {}).get("Status", "failing-over")
    to = f" to {params['TargetDBInstanceIdentifier']}" if params.get("TargetDBInstanceIdentifier") else ""
    return f"failover of {params['DBClusterIdentifier']}{to} started: {status}"


def _cluster_settled(progress: Progress) -> Verdict:
    """The chosen reader writes (or, where AWS picks, any other than the old writer)."""
    follow = progress.plan.follow
    writer = next((c.id for c in progress.node.children if c.role is Role.WRITER), None)
    wanted = follow.get("writer")
    moved = writer == wanted if wanted else writer not in (None, follow.get("from_writer"))
    return (True, f"failover done in {progress.took}: {writer} is now the writer") if moved else None


OPERATIONS = (
    Operation(
        name="RebootDBInstance",
        method="reboot_db_instance",
        noun="failover",
        timeout=timedelta(minutes=15),
        started=_instance_started,
        settled=_instance_settled,
        demo_handler="rdstui.demo.handlers.instances:reboot_db_instance",
    ),
    Operation(
        name="FailoverDBCluster",
        method="failover_db_cluster",
        noun="failover",
        timeout=timedelta(minutes=10),
        started=_cluster_started,
        settled=_cluster_settled,
        demo_handler="rdstui.demo.handlers.clusters:failover_db_cluster",
    ),
)
