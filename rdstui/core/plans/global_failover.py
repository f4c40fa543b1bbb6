"""f on a global database: switch over (no data loss) or fail over with data loss."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, NamedTuple

from rdstui.core.arns import arn_identifier, arn_region
from rdstui.core.format import duration
from rdstui.core.model import Node, NodeType
from rdstui.core.plans.context import (
    READY_STATES,
    FleetContext,
    global_writer_arn,
    not_ready,
    refuse,
    target_of,
)
from rdstui.core.plans.operation import Operation, Progress, Verdict
from rdstui.core.plans.plan import ActionKind, ActionPlan, Choice, Option, Refusal

MODES = (
    Option(
        "switchover",
        "Switch over (no data loss)",
        "SwitchoverGlobalCluster: waits until the target has caught up, then swaps the roles",
    ),
    Option(
        "failover",
        "Fail over with DATA LOSS",
        "FailoverGlobalCluster with AllowDataLoss: for when the primary region is down; "
        "writes not yet replicated to the target are lost",
        data_loss=True,
    ),
)


class _Primary(NamedTuple):
    """The primary cluster the move starts from (the node may not be polled)."""

    arn: str | None
    id: str
    region: str | None
    down: bool  # its region did not answer the last poll


class _Move(NamedTuple):
    """What differs between a switchover and a failover with data loss."""

    operation: str
    params: dict[str, Any]
    title: str
    verb: str
    costs: list[str]
    data_loss: bool
    region: str  # where AWS wants the call sent
    why: str  # ... and why, for the modal


def plan_global_failover(glob: Node, ctx: FleetContext) -> ActionPlan | Refusal:
    action = ActionKind.FAILOVER
    refused = not_ready(action, glob, READY_STATES, "a switchover or failover")
    if refused:
        return refused
    primary = _primary(glob, ctx)
    if primary.region is None:
        return refuse(action, glob, f"no member of {glob.id} is the writer right now: wait until it has a primary")
    secondaries = [
        (m["DBClusterArn"], ctx.nodes.get(m["DBClusterArn"]))
        for m in glob.raw.get("GlobalClusterMembers", [])
        if not m.get("IsWriter")
    ]
    if not secondaries:
        return refuse(action, glob, f"{glob.id} has no secondary cluster to fail over to")
    options, unavailable = _secondary_options(secondaries, ctx)
    if not options:
        return refuse(action, glob, f"no secondary of {glob.id} is available ({', '.join(unavailable)})")

    def build(chosen: dict[str, str]) -> ActionPlan:
        target_arn = chosen.get("target", options[0].value)
        mode = chosen.get("mode", "switchover")
        target_id, target_region = arn_identifier(target_arn), arn_region(target_arn)
        if mode == "switchover":
            move = _switchover(glob, target_arn, target_id, primary)
        else:
            move = _failover(glob, target_arn, target_id, primary, _rpo_text(ctx, ctx.nodes.get(target_arn)))
        return ActionPlan(
            action=action,
            title=move.title,
            verb=move.verb,
            target=target_of(glob),
            send_region=move.region,
            send_region_why=move.why,
            operation=move.operation,
            params=move.params,
            effects=_effects(glob, target_id, target_region, primary),
            costs=tuple(move.costs),
            irreversible=move.data_loss,
            confirm_phrase=glob.id,
            data_loss=move.data_loss,
            choices=(
                Choice("target", "New primary cluster", tuple(options), target_arn),
                Choice("mode", "How", MODES, mode),
            ),
            follow={"primary": target_arn, "from_primary": primary.arn, "mode": mode},
            selected_node=glob.key,
            _rebuild=build,
        )

    return build({})


def _primary(glob: Node, ctx: FleetContext) -> _Primary:
    arn = global_writer_arn(glob)
    node = ctx.nodes.get(arn) if arn else None
    ident = node.id if node else (arn_identifier(arn) if arn else "the primary")
    region = arn_region(arn) if arn else None
    return _Primary(arn, ident, region, region is not None and ctx.region_ok.get(region) is False)


def _rpo_text(ctx: FleetContext, node: Node | None) -> str:
    """AuroraGlobalDBRPOLag: the lag "for user transactions", the writes a failover would lose."""
    rpo = ctx.fleet.rpo_lag(node) if node is not None else None
    return "RPO lag unknown" if rpo is None else f"RPO lag {duration(rpo)}"


def _secondary_options(
    secondaries: list[tuple[str, Node | None]], ctx: FleetContext
) -> tuple[list[Option], list[str]]:
    """The secondaries that can take over, and why the others can't."""
    options: list[Option] = []
    unavailable: list[str] = []
    for arn, node in secondaries:
        ident, region = arn_identifier(arn), arn_region(arn)
        if node is not None and node.status not in READY_STATES:
            unavailable.append(f"{ident} is {node.status}")
            continue
        if node is None or node.type is NodeType.EXTERNAL:
            label = f"{ident} ({region}, not polled: lag unknown)"
        else:
            label = f"{ident} ({region}, {ctx.lag_text(node)}, {_rpo_text(ctx, node)})"
        options.append(Option(value=arn, label=label))
    return options, unavailable


def _effects(glob: Node, target_id: str, target_region: str, primary: _Primary) -> tuple[str, ...]:
    return (
        f"{target_id} ({target_region}) becomes the primary cluster of {glob.id} and takes writes",
        f"{primary.id}{f' ({primary.region})' if primary.region else ''} becomes a read-only secondary",
        "other secondaries replicate from the new primary",
        f"applications must write to {target_id}'s endpoint (or the global writer endpoint)",
    )


def _switchover(glob: Node, target_arn: str, target_id: str, primary: _Primary) -> _Move:
    costs = [
        "no data loss: Aurora waits until every secondary has caught up before swapping roles",
        "writes stop for a short time (typically a minute or two) while both clusters change roles",
    ]
    if primary.down:
        costs.append(
            f"{primary.region} is not answering: a switchover needs the primary; "
            "fail over with data loss if the region is down"
        )
    return _Move(
        operation="SwitchoverGlobalCluster",
        params={"GlobalClusterIdentifier": glob.id, "TargetDbClusterIdentifier": target_arn},
        title=f"Switch over {glob.id} to {target_id}",
        verb="Switch over",
        costs=costs,
        data_loss=False,
        region=primary.region or arn_region(target_arn),
        why="the region of the current primary cluster, where AWS runs a switchover",
    )


def _failover(glob: Node, target_arn: str, target_id: str, primary: _Primary, rpo: str) -> _Move:
    return _Move(
        operation="FailoverGlobalCluster",
        params={"GlobalClusterIdentifier": glob.id, "TargetDbClusterIdentifier": target_arn, "AllowDataLoss": True},
        title=f"Fail over {glob.id} to {target_id} (DATA LOSS)",
        verb="Fail over with data loss",
        costs=[
            f"DATA LOSS: writes to {primary.id} not yet replicated to {target_id} ({rpo}) are lost",
            f"{primary.id} is rebuilt as a secondary from {target_id} once its region answers",
            "writes stop for about a minute while the target is promoted",
        ],
        data_loss=True,
        region=arn_region(target_arn),
        why="the target's region: a failover with data loss must not depend on the primary's region",
    )


# -- the calls ---------------------------------------------------------------


def _started(what: str) -> Callable[[Mapping[str, Any], Mapping[str, Any]], str]:
    def line(params: Mapping[str, Any], response: Mapping[str, Any]) -> str:
        status = response.get("GlobalCluster", {}).get("Status", "")
        target = arn_identifier(params["TargetDbClusterIdentifier"])
        return f"{what} of {params['GlobalClusterIdentifier']} to {target} started{': ' + status if status else ''}"

    return line


def _settled(what: str) -> Callable[[Progress], Verdict]:
    def settled(progress: Progress) -> Verdict:
        wanted = progress.plan.follow.get("primary")
        if not wanted or global_writer_arn(progress.node) != wanted:
            return None
        line = f"{what} done in {progress.took}: {arn_identifier(wanted)} is now primary ({arn_region(wanted)})"
        return True, line

    return settled


OPERATIONS = (
    Operation(
        name="SwitchoverGlobalCluster",
        method="switchover_global_cluster",
        noun="switchover",
        timeout=timedelta(minutes=30),
        started=_started("switchover"),
        settled=_settled("switchover"),
        demo_handler="rdstui.demo.handlers.global_clusters:switchover_global_cluster",
    ),
    Operation(
        name="FailoverGlobalCluster",
        method="failover_global_cluster",
        noun="failover",
        timeout=timedelta(minutes=30),
        started=_started("failover with data loss"),
        settled=_settled("failover"),
        demo_handler="rdstui.demo.handlers.global_clusters:failover_global_cluster",
    ),
)
