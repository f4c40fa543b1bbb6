"""The three actions on a database — take a snapshot, fail over, promote — as plans.

Pure functions: no AWS, no clock of their own. For the selected `Node` (and the
`Fleet` around it) `plan(kind, node, fleet, now=...)` returns either a
`Refusal` (one line saying why the action does not apply) or an `ActionPlan`:
everything a confirmation modal shows, and the exact API call it would send.

A plan with choices (a failover target, a global switchover or failover, a
snapshot name) is finalised with `plan.with_choice(key, value)` /
`plan.with_name(name)`, which return a new plan with new parameters.

Sending a plan is `rdstui.core.action_exec.execute`; following it until it
settles is `rdstui.core.action_tracker.ActionTracker`.

The types, snapshot names and each action's planner live in `rdstui.core.plans`;
this module is where callers import them from.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable

from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.plans.context import (
    INSTANCE_SNAPSHOT_STATES,
    READY_STATES,
    FleetContext,
    refuse,
)
from rdstui.core.plans.failover import plan_failover
from rdstui.core.plans.names import (
    CLUSTER_SNAPSHOT_NAME_MAX,
    SNAPSHOT_NAME_MAX,
    propose_snapshot_name,
    validate_snapshot_name,
)
from rdstui.core.plans.plan import (
    ActionKind,
    ActionPlan,
    Choice,
    InvalidChoice,
    NameField,
    Option,
    Refusal,
    Target,
)
from rdstui.core.plans.promote import plan_promote
from rdstui.core.plans.snapshot import plan_snapshot

__all__ = [
    "ActionKind", "ActionPlan", "Choice", "InvalidChoice", "NameField", "Option", "Refusal", "Target",
    "READY_STATES", "INSTANCE_SNAPSHOT_STATES", "SNAPSHOT_NAME_MAX", "CLUSTER_SNAPSHOT_NAME_MAX",
    "plan", "applies", "plan_snapshot", "plan_failover", "plan_promote",
    "propose_snapshot_name", "validate_snapshot_name",
]


def plan(
    action: ActionKind | str,
    node: Node,
    fleet: Fleet | None = None,
    *,
    now: datetime | None = None,
    snapshots: Iterable[str] = (),
) -> ActionPlan | Refusal:
    """The plan for `action` on `node`, or the one-line reason it does not apply.

    `fleet` gives the context (a cluster's readers, a global database's members,
    region health); `now` (UTC, default the wall clock) names snapshots;
    `snapshots`: names already taken, to avoid.
    """
    action = ActionKind(action)
    refused = _common_refusal(action, node)
    if refused:
        return refused
    ctx = FleetContext(fleet)
    if action is ActionKind.SNAPSHOT:
        return plan_snapshot(node, ctx, now or datetime.now(timezone.utc), snapshots)
    if action is ActionKind.FAILOVER:
        return plan_failover(node, ctx)
    return plan_promote(node, ctx)


def applies(action: ActionKind | str, node: Node, fleet: Fleet | None = None) -> bool:
    """Whether `action` has a plan for `node` (e.g. to offer its key in the footer)."""
    return isinstance(plan(action, node, fleet), ActionPlan)


def _common_refusal(action: ActionKind, node: Node) -> Refusal | None:
    """No action acts on a standby or on a node in a region that is not polled."""
    if node.type is NodeType.STANDBY:
        return refuse(action, node, f"a standby is not a DB instance: select its primary {node.id}")
    if node.type is NodeType.EXTERNAL:
        if node.status == "not polled":
            return refuse(
                action, node, f"{node.id} is in {node.region}, which is not polled: add --region {node.region} to act on it"
            )
        return refuse(action, node, f"{node.id} was not described in {node.region} ({node.status}): nothing to act on")
    return None
