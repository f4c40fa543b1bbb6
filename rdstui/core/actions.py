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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Callable, Iterable, Mapping

from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, NodeType, Role
from rdstui.core.topology import arn_identifier, arn_region, is_aurora, is_multi_az_db_cluster


class ActionKind(str, Enum):
    SNAPSHOT = "snapshot"
    FAILOVER = "failover"
    PROMOTE = "promote"


# The console's keys for them.
KEYS: dict[str, ActionKind] = {"s": ActionKind.SNAPSHOT, "f": ActionKind.FAILOVER, "p": ActionKind.PROMOTE}

# Every API call an action may send; nothing else can go through `execute`.
OPERATIONS = {
    "CreateDBSnapshot": "create_db_snapshot",
    "CreateDBClusterSnapshot": "create_db_cluster_snapshot",
    "RebootDBInstance": "reboot_db_instance",
    "FailoverDBCluster": "failover_db_cluster",
    "SwitchoverGlobalCluster": "switchover_global_cluster",
    "FailoverGlobalCluster": "failover_global_cluster",
    "PromoteReadReplica": "promote_read_replica",
    "PromoteReadReplicaDBCluster": "promote_read_replica_db_cluster",
    "RemoveFromGlobalCluster": "remove_from_global_cluster",
}

# AWS limits on snapshot identifiers (CreateDBSnapshot / CreateDBClusterSnapshot).
SNAPSHOT_NAME_MAX = 255
CLUSTER_SNAPSHOT_NAME_MAX = 63

# Statuses in which AWS accepts each action on the target.
SNAPSHOT_STATES = {"available", "stopped", "storage-optimization"}
READY_STATES = {"available"}


class InvalidChoice(ValueError):
    """A choice the plan does not offer, or a snapshot name AWS would refuse; str() is the reason."""


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    """Why an action does not apply to a node, in one line. Nothing is sent."""

    action: ActionKind
    reason: str
    node_key: str | None = None
    node_id: str | None = None

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Target:
    """What an action acts on (not always the node selected: an Aurora
    instance's snapshot is its cluster's)."""

    key: str  # the Node key: stable across polls, the tracker's key
    id: str
    kind: str  # "DB instance", "Aurora DB cluster", "Multi-AZ DB cluster", "global database"
    region: str  # where the API call is sent
    engine: str | None = None
    engine_version: str | None = None
    arn: str | None = None

    @property
    def engine_label(self) -> str:
        return " ".join(p for p in (self.engine, self.engine_version) if p) or "unknown engine"

    def describe(self) -> str:
        """orders-pg (DB instance, postgres 16.4, us-east-1)"""
        where = self.region if self.region != "global" else "global"
        return f"{self.id} ({self.kind}, {self.engine_label}, {where})"


@dataclass(frozen=True)
class Option:
    value: str  # what goes into the parameters
    label: str  # one line for the picker
    detail: str = ""
    data_loss: bool = False


@dataclass(frozen=True)
class Choice:
    """A picker in the modal: a failover target, or switchover vs failover."""

    key: str  # "target" or "mode"
    label: str
    options: tuple[Option, ...]
    selected: str

    def option(self, value: str | None = None) -> Option:
        wanted = self.selected if value is None else value
        for option in self.options:
            if option.value == wanted:
                return option
        raise InvalidChoice(f"{wanted!r} is not one of the choices for {self.label.lower()}")


@dataclass(frozen=True)
class NameField:
    """The editable snapshot name, proposed unique and valid."""

    label: str
    value: str
    max_length: int
    cluster: bool

    def problem(self, name: str | None = None) -> str | None:
        return validate_snapshot_name(self.value if name is None else name, cluster=self.cluster)


@dataclass(frozen=True)
class ActionPlan:
    """Everything the confirmation modal shows, and the call it would send."""

    action: ActionKind
    title: str  # "Fail over orders-pg to its standby"
    verb: str  # the confirm button: "Fail over", "Take snapshot", "Promote"
    target: Target
    operation: str  # "RebootDBInstance"
    params: Mapping[str, Any]
    effects: tuple[str, ...]  # what will happen, plain sentences
    costs: tuple[str, ...]  # what it costs (downtime, data loss, money)
    irreversible: bool = False
    confirm_phrase: str | None = None  # typed by the user before confirm enables
    data_loss: bool = False
    choices: tuple[Choice, ...] = ()
    name: NameField | None = None
    # What the tracker follows: e.g. {"from_az": ..., "writer": ..., "snapshot": ...}.
    follow: Mapping[str, Any] = field(default_factory=dict)
    selected_node: str | None = None  # the key of the node the user pressed the key on
    _rebuild: Callable[[dict[str, str]], ActionPlan] | None = field(default=None, repr=False, compare=False)

    # -- what the modal shows ---------------------------------------------

    @property
    def region(self) -> str:
        return self.target.region

    @property
    def method(self) -> str:
        """The boto3 / aiobotocore method name."""
        return OPERATIONS[self.operation]

    @property
    def requires_typing(self) -> bool:
        return self.confirm_phrase is not None

    def api_call(self) -> str:
        """RebootDBInstance(DBInstanceIdentifier='orders-pg', ForceFailover=True)"""
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.operation}({args})"

    def confirmed_by(self, typed: str) -> bool:
        """Whether what the user typed unlocks the confirm button."""
        if self.confirm_phrase is None:
            return True
        return typed.strip() == self.confirm_phrase

    def problem(self) -> str | None:
        """Why this plan can't be sent as it stands (an invalid snapshot name), or None."""
        return self.name.problem() if self.name is not None else None

    def choice(self, key: str) -> Choice:
        for item in self.choices:
            if item.key == key:
                return item
        raise InvalidChoice(f"this action has no {key!r} choice")

    # -- finalising ----------------------------------------------------------

    def selections(self) -> dict[str, str]:
        chosen = {c.key: c.selected for c in self.choices}
        if self.name is not None:
            chosen["name"] = self.name.value
        return chosen

    def with_choice(self, key: str, value: str) -> ActionPlan:
        """A new plan with `key` ("target", "mode" or "name") set to `value`."""
        if key == "name":
            return self.with_name(value)
        self.choice(key).option(value)  # raises InvalidChoice if not offered
        if self._rebuild is None:
            raise InvalidChoice(f"this action has no {key!r} choice")
        return self._rebuild({**self.selections(), key: value})

    def with_name(self, name: str) -> ActionPlan:
        """A new plan with this snapshot name; InvalidChoice(reason) if AWS would refuse it."""
        if self.name is None or self._rebuild is None:
            raise InvalidChoice("this action takes no name")
        name = name.strip()
        problem = validate_snapshot_name(name, cluster=self.name.cluster)
        if problem:
            raise InvalidChoice(problem)
        return self._rebuild({**self.selections(), "name": name})

    def with_choices(self, **chosen: str) -> ActionPlan:
        plan = self
        for key, value in chosen.items():
            plan = plan.with_choice(key, value)
        return plan


# ---------------------------------------------------------------------------
# Snapshot names
# ---------------------------------------------------------------------------

_NAME_CHARS = re.compile(r"^[A-Za-z0-9-]*$")


def validate_snapshot_name(name: str, *, cluster: bool = False) -> str | None:
    """The reason AWS would refuse this snapshot identifier, or None if it is valid.

    DBSnapshotIdentifier: 1-255 letters, digits or hyphens; DBClusterSnapshotIdentifier:
    1-63. Both: first a letter, no trailing hyphen, no two consecutive hyphens.
    """
    limit = CLUSTER_SNAPSHOT_NAME_MAX if cluster else SNAPSHOT_NAME_MAX
    what = "a cluster snapshot name" if cluster else "a snapshot name"
    if not name or not name.strip():
        return f"{what} can't be empty"
    if len(name) > limit:
        return f"{what} has at most {limit} characters; this one has {len(name)}"
    if not _NAME_CHARS.match(name):
        bad = next(c for c in name if not (c.isascii() and (c.isalnum() or c == "-")))
        shown = "a space" if bad == " " else repr(bad)
        return f"{what} has only letters, digits and hyphens: {shown} is not allowed"
    if not (name[0].isascii() and name[0].isalpha()):
        return f"{what} must start with a letter"
    if name.endswith("-"):
        return f"{what} can't end with a hyphen"
    if "--" in name:
        return f"{what} can't contain two consecutive hyphens"
    return None


def propose_snapshot_name(
    identifier: str, now: datetime, *, cluster: bool = False, taken: Iterable[str] = ()
) -> str:
    """identifier + UTC time, e.g. orders-pg-2026-11-24-1042; valid and not in `taken`."""
    limit = CLUSTER_SNAPSHOT_NAME_MAX if cluster else SNAPSHOT_NAME_MAX
    used = {t.lower() for t in taken}
    base = re.sub(r"[^a-z0-9-]", "-", identifier.lower())
    base = re.sub(r"-{2,}", "-", base).strip("-")
    if not base or not base[0].isalpha():
        base = f"snap-{base}".rstrip("-")
    stamps = [f"{now:%Y-%m-%d-%H%M}", f"{now:%Y-%m-%d-%H%M%S}"]
    stamps += [f"{now:%Y-%m-%d-%H%M%S}-{n}" for n in range(2, 100)]
    for stamp in stamps:
        head = base[: max(1, limit - len(stamp) - 1)].rstrip("-")
        name = f"{head}-{stamp}"
        if name not in used and validate_snapshot_name(name, cluster=cluster) is None:
            return name
    raise ValueError(f"no free snapshot name for {identifier}")  # pragma: no cover


# ---------------------------------------------------------------------------
# Fleet context
# ---------------------------------------------------------------------------


class _Context:
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


def _cluster_kind(node: Node) -> str:
    if is_multi_az_db_cluster(node.raw):
        return "Multi-AZ DB cluster"
    if is_aurora(node.engine):
        return "Aurora DB cluster"
    return "DB cluster"


def _target(node: Node) -> Target:
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


def _not_ready(action: ActionKind, node: Node, allowed: set[str]) -> Refusal | None:
    if node.status in allowed:
        return None
    return Refusal(action, f"{node.id} is {node.status}: wait until it is available", node.key, node.id)


def _common_refusal(action: ActionKind, node: Node) -> Refusal | None:
    if node.type is NodeType.STANDBY:
        return Refusal(action, f"a standby is not a DB instance: select its primary {node.id}", node.key, node.id)
    if node.type is NodeType.EXTERNAL:
        return Refusal(
            action,
            f"{node.id} is in {node.region}, which is not polled: add --region {node.region} to act on it",
            node.key,
            node.id,
        )
    return None


def _lag(node: Node | None) -> str:
    if node is None or node.lag_seconds is None:
        return "lag unknown"
    return f"lag {duration(node.lag_seconds)}"


def _member_tiers(cluster: Node) -> dict[str, int]:
    return {
        m["DBInstanceIdentifier"]: int(m.get("PromotionTier", 1) or 0)
        for m in cluster.raw.get("DBClusterMembers", [])
    }


def _endpoint(node: Node) -> str | None:
    endpoint = node.raw.get("Endpoint")
    if isinstance(endpoint, dict):
        return endpoint.get("Address")
    return endpoint if isinstance(endpoint, str) else None


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


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
    ctx = _Context(fleet)
    if action is ActionKind.SNAPSHOT:
        return plan_snapshot(node, ctx, now or datetime.now(timezone.utc), snapshots)
    if action is ActionKind.FAILOVER:
        return plan_failover(node, ctx)
    return plan_promote(node, ctx)


def applies(action: ActionKind | str, node: Node, fleet: Fleet | None = None) -> bool:
    """Whether `action` has a plan for `node` (e.g. to offer its key in the footer)."""
    return isinstance(plan(action, node, fleet), ActionPlan)


# ---------------------------------------------------------------------------
# s: snapshot
# ---------------------------------------------------------------------------


def plan_snapshot(node: Node, ctx: _Context, now: datetime, taken: Iterable[str] = ()) -> ActionPlan | Refusal:
    action = ActionKind.SNAPSHOT
    if node.type is NodeType.GLOBAL_CLUSTER:
        primary = next((c for c in node.children if c.role is Role.PRIMARY), None)
        hint = f": select its primary cluster {primary.id}" if primary else ": select one of its clusters"
        return Refusal(action, f"a global database has no snapshots of its own{hint}", node.key, node.id)
    note: str | None = None
    target_node = node
    if node.type is NodeType.INSTANCE and node.role in (Role.WRITER, Role.READER):
        cluster = ctx.parent(node)
        cluster_id = node.raw.get("DBClusterIdentifier") or (cluster.id if cluster else "its cluster")
        if cluster is None or cluster.type is not NodeType.CLUSTER:
            return Refusal(
                action,
                f"{node.id} is an instance of cluster {cluster_id}: cluster instances can't be snapshotted "
                f"on their own; select {cluster_id}",
                node.key,
                node.id,
            )
        target_node = cluster
        note = (
            f"{node.id} is an instance of {cluster.id}: RDS snapshots the whole cluster, "
            "not one of its instances"
        )
    refused = _not_ready(action, target_node, SNAPSHOT_STATES)
    if refused:
        return refused
    cluster = target_node.type is NodeType.CLUSTER
    taken = list(taken)

    def build(chosen: dict[str, str]) -> ActionPlan:
        name = chosen.get("name") or propose_snapshot_name(target_node.id, now, cluster=cluster, taken=taken)
        target = _target(target_node)
        effects: list[str] = []
        if note:
            effects.append(note)
        if cluster:
            operation = "CreateDBClusterSnapshot"
            params = {"DBClusterIdentifier": target_node.id, "DBClusterSnapshotIdentifier": name}
            effects.append(f"RDS takes a manual snapshot {name} of the cluster volume of {target_node.id}")
            if is_multi_az_db_cluster(target_node.raw):
                costs = ["no downtime: the snapshot is taken from a reader instance"]
            else:
                costs = ["no downtime and no I/O pause: Aurora snapshots its storage volume"]
        else:
            operation = "CreateDBSnapshot"
            params = {"DBInstanceIdentifier": target_node.id, "DBSnapshotIdentifier": name}
            effects.append(f"RDS takes a manual snapshot {name} of {target_node.id}")
            if target_node.multi_az:
                costs = ["no I/O pause: RDS takes the snapshot from the standby"]
            else:
                costs = [
                    f"a brief I/O pause on {target_node.id} (seconds, up to a few minutes) while the "
                    "snapshot starts: it is single-AZ"
                ]
        effects.append("it shows as creating, with its progress, then available")
        costs.append("snapshot storage is billed until you delete it: manual snapshots never expire")
        return ActionPlan(
            action=action,
            title=f"Take a snapshot of {target_node.id}",
            verb="Take snapshot",
            target=target,
            operation=operation,
            params=params,
            effects=tuple(effects),
            costs=tuple(costs),
            name=NameField(
                "Snapshot name",
                name,
                CLUSTER_SNAPSHOT_NAME_MAX if cluster else SNAPSHOT_NAME_MAX,
                cluster,
            ),
            follow={"snapshot": name, "cluster": cluster},
            selected_node=node.key,
            _rebuild=build,
        )

    return build({})


# ---------------------------------------------------------------------------
# f: fail over
# ---------------------------------------------------------------------------


def plan_failover(node: Node, ctx: _Context) -> ActionPlan | Refusal:
    action = ActionKind.FAILOVER
    if node.type is NodeType.GLOBAL_CLUSTER:
        return _plan_global_failover(node, ctx)
    if node.type is NodeType.CLUSTER:
        return _plan_cluster_failover(node, ctx, selected=node)
    # An instance.
    if node.role in (Role.WRITER, Role.READER):
        cluster = ctx.parent(node)
        if cluster is None or cluster.type is not NodeType.CLUSTER:
            cluster_id = node.raw.get("DBClusterIdentifier") or "its cluster"
            return Refusal(
                action, f"{node.id} is an instance of {cluster_id}: select the cluster to fail it over", node.key, node.id
            )
        preferred = node.id if node.role is Role.READER else None
        return _plan_cluster_failover(cluster, ctx, selected=node, preferred=preferred)
    if not node.multi_az:
        return Refusal(action, f"{node.id} is single-AZ: there is no standby to fail over to", node.key, node.id)
    refused = _not_ready(action, node, READY_STATES)
    if refused:
        return refused
    standby_az = node.raw.get("SecondaryAvailabilityZone")
    where = f" in {standby_az}" if standby_az else ""
    endpoint = _endpoint(node)
    effects = [
        f"{node.id} reboots and its standby{where} becomes the primary",
        f"the old primary becomes the standby{f' in {node.az}' if node.az else ''}",
        (f"the endpoint {endpoint} keeps its name" if endpoint else "the endpoint keeps its name")
        + ": DNS moves to the new primary",
    ]
    if node.role is Role.REPLICA:
        effects.append("it stays a read replica of the same source")
    return ActionPlan(
        action=action,
        title=f"Fail over {node.id} to its standby",
        verb="Fail over",
        target=_target(node),
        operation="RebootDBInstance",
        params={"DBInstanceIdentifier": node.id, "ForceFailover": True},
        effects=tuple(effects),
        costs=(
            "about 60 s of downtime while DNS moves to the standby",
            "open connections are dropped: clients must reconnect",
        ),
        irreversible=False,
        confirm_phrase=node.id,
        follow={"from_az": node.az, "to_az": standby_az},
        selected_node=node.key,
    )


def _plan_cluster_failover(
    cluster: Node, ctx: _Context, *, selected: Node, preferred: str | None = None
) -> ActionPlan | Refusal:
    action = ActionKind.FAILOVER
    glob = ctx.global_of(cluster)
    if cluster.role is Role.SECONDARY:
        name = glob.id if glob else "its global database"
        return Refusal(
            action,
            f"{cluster.id} is a secondary cluster of {name}: it has no writer to fail over; "
            f"select {name} to switch over to it",
            selected.key,
            selected.id,
        )
    if glob is not None:
        return Refusal(
            action,
            f"{cluster.id} is the primary cluster of {glob.id}: fail over the global database instead",
            selected.key,
            selected.id,
        )
    refused = _not_ready(action, cluster, READY_STATES)
    if refused:
        return Refusal(action, refused.reason, selected.key, selected.id)
    members = [c for c in cluster.children if c.type is NodeType.INSTANCE]
    writer = next((c for c in members if c.role is Role.WRITER), None)
    tiers = _member_tiers(cluster)
    readers = sorted(
        (c for c in members if c.role is Role.READER),
        key=lambda c: (tiers.get(c.id, 1), c.id),
    )
    ready = [r for r in readers if r.status in READY_STATES]
    if not readers:
        return Refusal(action, f"{cluster.id} has no reader to fail over to", selected.key, selected.id)
    if not ready:
        states = ", ".join(f"{r.id} is {r.status}" for r in readers)
        return Refusal(action, f"no reader of {cluster.id} is available to take over ({states})", selected.key, selected.id)
    options = tuple(
        Option(
            value=r.id,
            label=f"{r.id} ({r.az or 'zone unknown'}, tier {tiers.get(r.id, 1)}, {_lag(r)})",
            detail="same zone as the writer" if writer is not None and r.az == writer.az else "",
        )
        for r in ready
    )
    maz = is_multi_az_db_cluster(cluster.raw)
    default = preferred if preferred in {o.value for o in options} else options[0].value

    def build(chosen: dict[str, str]) -> ActionPlan:
        target_id = chosen.get("target", default)
        reader = next(r for r in ready if r.id == target_id)
        effects = [
            f"{target_id} ({reader.az or 'zone unknown'}) becomes the writer of {cluster.id}",
            (f"the writer {writer.id} restarts as a reader" if writer else "the current writer restarts as a reader"),
            "the cluster endpoint keeps its name and moves to the new writer",
        ]
        downtime = "typically under 35 s" if maz else "typically about 30 s"
        return ActionPlan(
            action=action,
            title=f"Fail over {cluster.id} to {target_id}",
            verb="Fail over",
            target=_target(cluster),
            operation="FailoverDBCluster",
            params={"DBClusterIdentifier": cluster.id, "TargetDBInstanceIdentifier": target_id},
            effects=tuple(effects),
            costs=(
                f"writes stop while {target_id} takes over ({downtime})",
                "open connections are dropped: clients must reconnect",
            ),
            confirm_phrase=cluster.id,
            choices=(Choice("target", "New writer", options, target_id),),
            follow={"writer": target_id, "from_writer": writer.id if writer else None},
            selected_node=selected.key,
            _rebuild=build,
        )

    return build({})


def _plan_global_failover(glob: Node, ctx: _Context) -> ActionPlan | Refusal:
    action = ActionKind.FAILOVER
    refused = _not_ready(action, glob, READY_STATES)
    if refused:
        return refused
    members = glob.raw.get("GlobalClusterMembers", [])
    primary_arn = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
    primary = ctx.nodes.get(primary_arn) if primary_arn else None
    primary_id = primary.id if primary else (arn_identifier(primary_arn) if primary_arn else "the primary")
    primary_region = arn_region(primary_arn) if primary_arn else None
    secondaries: list[tuple[str, Node | None]] = [
        (m["DBClusterArn"], ctx.nodes.get(m["DBClusterArn"])) for m in members if not m.get("IsWriter")
    ]
    if not secondaries:
        return Refusal(action, f"{glob.id} has no secondary cluster to fail over to", glob.key, glob.id)
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
            label = f"{ident} ({region}, {_lag(node)})"
        options.append(Option(value=arn, label=label))
    if not options:
        return Refusal(action, f"no secondary of {glob.id} is available ({', '.join(unavailable)})", glob.key, glob.id)
    modes = (
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
    primary_down = primary_region is not None and ctx.region_ok.get(primary_region) is False

    def build(chosen: dict[str, str]) -> ActionPlan:
        target_arn = chosen.get("target", options[0].value)
        mode = chosen.get("mode", "switchover")
        target_id, target_region = arn_identifier(target_arn), arn_region(target_arn)
        target_node = ctx.nodes.get(target_arn)
        lag = _lag(target_node)
        effects = [
            f"{target_id} ({target_region}) becomes the primary cluster of {glob.id} and takes writes",
            f"{primary_id}{f' ({primary_region})' if primary_region else ''} becomes a read-only secondary",
            "other secondaries replicate from the new primary",
            f"applications must write to {target_id}'s endpoint (or the global writer endpoint)",
        ]
        if mode == "switchover":
            operation = "SwitchoverGlobalCluster"
            params: dict[str, Any] = {"GlobalClusterIdentifier": glob.id, "TargetDbClusterIdentifier": target_arn}
            title = f"Switch over {glob.id} to {target_id}"
            costs = [
                "no data loss: Aurora waits until every secondary has caught up before swapping roles",
                "writes stop for a short time (typically a minute or two) while both clusters change roles",
            ]
            if primary_down:
                costs.append(
                    f"{primary_region} is not answering: a switchover needs the primary; "
                    "fail over with data loss if the region is down"
                )
            verb, data_loss = "Switch over", False
        else:
            operation = "FailoverGlobalCluster"
            params = {
                "GlobalClusterIdentifier": glob.id,
                "TargetDbClusterIdentifier": target_arn,
                "AllowDataLoss": True,
            }
            title = f"Fail over {glob.id} to {target_id} (DATA LOSS)"
            costs = [
                f"DATA LOSS: writes to {primary_id} not yet replicated to {target_id} ({lag}) are lost",
                f"{primary_id} is rebuilt as a secondary from {target_id} once its region answers",
                "writes stop for about a minute while the target is promoted",
            ]
            verb, data_loss = "Fail over with data loss", True
        return ActionPlan(
            action=action,
            title=title,
            verb=verb,
            target=replace(_target(glob), region=target_region),
            operation=operation,
            params=params,
            effects=tuple(effects),
            costs=tuple(costs),
            irreversible=data_loss,
            confirm_phrase=glob.id,
            data_loss=data_loss,
            choices=(
                Choice("target", "New primary cluster", tuple(options), target_arn),
                Choice("mode", "How", modes, mode),
            ),
            follow={"primary": target_arn, "from_primary": primary_arn, "mode": mode},
            selected_node=glob.key,
            _rebuild=build,
        )

    return build({})


# ---------------------------------------------------------------------------
# p: promote
# ---------------------------------------------------------------------------


def plan_promote(node: Node, ctx: _Context) -> ActionPlan | Refusal:
    action = ActionKind.PROMOTE
    if node.type is NodeType.GLOBAL_CLUSTER:
        return Refusal(
            action,
            f"a global database can't be promoted: select one of its secondary clusters to detach it, "
            f"or press f to switch {node.id} over",
            node.key,
            node.id,
        )
    if node.type is NodeType.CLUSTER:
        return _plan_cluster_promote(node, ctx)
    if node.role in (Role.WRITER, Role.READER):
        cluster = ctx.parent(node)
        cluster_id = cluster.id if cluster else node.raw.get("DBClusterIdentifier", "its cluster")
        if node.role is Role.WRITER:
            why = f"{node.id} is already the writer of {cluster_id}"
        else:
            why = (
                f"{node.id} is a reader of {cluster_id}: a cluster instance can't be promoted on its own; "
                f"fail {cluster_id} over to make it the writer"
            )
        return Refusal(action, why, node.key, node.id)
    if node.role is not Role.REPLICA:
        return Refusal(action, f"{node.id} is not a read replica: there is nothing to promote", node.key, node.id)
    refused = _not_ready(action, node, READY_STATES)
    if refused:
        return refused
    source = node.raw.get("ReadReplicaSourceDBInstanceIdentifier") or node.raw.get(
        "ReadReplicaSourceDBClusterIdentifier"
    )
    source_id = arn_identifier(source) if source and source.startswith("arn:") else (source or "its source")
    replicas = node.raw.get("ReadReplicaDBInstanceIdentifiers") or []
    effects = [
        f"replication from {source_id} stops; {node.id} becomes a standalone, writable DB instance",
        f"{source_id} no longer lists it as a replica",
        f"{node.id} reboots once during the promotion (a few minutes in all)",
    ]
    if replicas:
        names = ", ".join(arn_identifier(r) if r.startswith("arn:") else r for r in replicas)
        effects.append(f"its own replicas ({names}) keep replicating from it")
    costs = [
        f"irreversible: {node.id} can never become a replica of {source_id} again",
        f"a short outage for reads on {node.id} while it reboots",
    ]
    retention = node.raw.get("BackupRetentionPeriod")
    if retention == 0:
        costs.append(f"automated backups are off on {node.id} (retention 0 days): turn them on once it stands alone")
    return ActionPlan(
        action=action,
        title=f"Promote {node.id} to a standalone DB instance",
        verb="Promote",
        target=_target(node),
        operation="PromoteReadReplica",
        params={"DBInstanceIdentifier": node.id},
        effects=tuple(effects),
        costs=tuple(costs),
        irreversible=True,
        confirm_phrase=node.id,
        follow={"source": source_id},
        selected_node=node.key,
    )


def _plan_cluster_promote(cluster: Node, ctx: _Context) -> ActionPlan | Refusal:
    action = ActionKind.PROMOTE
    glob = ctx.global_of(cluster)
    if cluster.role is Role.SECONDARY:
        refused = _not_ready(action, cluster, READY_STATES)
        if refused:
            return refused
        glob_id = glob.id if glob else cluster.raw.get("GlobalClusterIdentifier", "its global database")
        if glob_id.startswith("arn:"):
            glob_id = arn_identifier(glob_id)
        members = glob.raw.get("GlobalClusterMembers", []) if glob else []
        primary_arn = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
        primary_id = arn_identifier(primary_arn) if primary_arn else "the primary cluster"
        return ActionPlan(
            action=action,
            title=f"Detach {cluster.id} from {glob_id} (promote it to a standalone cluster)",
            verb="Detach and promote",
            target=_target(cluster),
            operation="RemoveFromGlobalCluster",
            params={"GlobalClusterIdentifier": glob_id, "DbClusterIdentifier": cluster.arn or cluster.key},
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
    if cluster.role is Role.REPLICA:
        refused = _not_ready(action, cluster, READY_STATES)
        if refused:
            return refused
        source = cluster.raw.get("ReplicationSourceIdentifier") or ""
        source_id = arn_identifier(source) if source.startswith("arn:") else (source or "its source")
        return ActionPlan(
            action=action,
            title=f"Promote {cluster.id} to a standalone cluster",
            verb="Promote",
            target=_target(cluster),
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
    if glob is not None:
        return Refusal(
            action,
            f"{cluster.id} is the primary cluster of {glob.id}: nothing to promote; "
            f"to move the primary, fail over {glob.id}",
            cluster.key,
            cluster.id,
        )
    return Refusal(action, f"{cluster.id} is not a read replica: there is nothing to promote", cluster.key, cluster.id)
