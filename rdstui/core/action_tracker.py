"""Actions in flight: one per node and action, followed poll after poll until they settle.

    tracker = ActionTracker(clock)
    refused = tracker.begin(plan)             # a Refusal if one is already in flight
    outcome = await execute(factory, plan)
    line = tracker.sent(plan, outcome)        # a failure line, or None while it runs
    ...
    for done in tracker.observe(fleet):       # after every poll
        show(done.line)                       # "failover done in 34 s: now in us-east-1b"
    await refresh_snapshots(factory, tracker) # snapshots are not in the fleet

Pure apart from `refresh_snapshots`; the clock is injected (UTC datetimes).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from collections.abc import Mapping
from typing import Any, Callable

from rdstui.core import errors
from rdstui.core.actions import ActionKind, ActionPlan, Refusal
from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, NodeType, Role
from rdstui.core.session import SessionFactory
from rdstui.core.arns import arn_identifier, arn_region

# Past these, a tracked action is reported "still in progress" and let go.
TIMEOUTS = {
    "CreateDBSnapshot": timedelta(hours=3),
    "CreateDBClusterSnapshot": timedelta(hours=3),
    "RebootDBInstance": timedelta(minutes=15),
    "FailoverDBCluster": timedelta(minutes=10),
    "SwitchoverGlobalCluster": timedelta(minutes=30),
    "FailoverGlobalCluster": timedelta(minutes=30),
    "PromoteReadReplica": timedelta(hours=1),
    "PromoteReadReplicaDBCluster": timedelta(hours=1),
    "RemoveFromGlobalCluster": timedelta(hours=1),
}

NOUNS = {
    "CreateDBSnapshot": "snapshot",
    "CreateDBClusterSnapshot": "snapshot",
    "RebootDBInstance": "failover",
    "FailoverDBCluster": "failover",
    "SwitchoverGlobalCluster": "switchover",
    "FailoverGlobalCluster": "failover",
    "PromoteReadReplica": "promotion",
    "PromoteReadReplicaDBCluster": "promotion",
    "RemoveFromGlobalCluster": "detach",
}

# Snapshots are not in the fleet: they are followed through `refresh_snapshots`.
SNAPSHOT_OPERATIONS = ("CreateDBSnapshot", "CreateDBClusterSnapshot")

SENDING = "sending"
RUNNING = "running"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _secs(delta: timedelta) -> str:
    # Elapsed time reads in whole seconds: "0s", never "0ms".
    whole = max(0, round(delta.total_seconds()))
    return f"{whole}s" if whole < 60 else duration(float(whole))


@dataclass
class Tracked:
    """One action in flight."""

    plan: ActionPlan
    started: datetime
    state: str = SENDING
    phase: str = "sending"  # the last status seen: "rebooting", "creating 40 %"...
    seen_busy: bool = False  # the target left "available" at least once
    snapshot: dict[str, Any] = field(default_factory=dict)  # the last describe of the snapshot

    @property
    def key(self) -> tuple[str, ActionKind]:
        return (self.plan.target.key, self.plan.action)

    @property
    def noun(self) -> str:
        return NOUNS.get(self.plan.operation, self.plan.action.value)

    def elapsed(self, now: datetime) -> float:
        return max(0.0, (now - self.started).total_seconds())

    def line(self, now: datetime) -> str:
        """For the node's progress display: "failover of orders-pg: rebooting, 12s"."""
        return f"{self.noun} of {self.plan.target.id}: {self.phase}, {_secs(now - self.started)}"


@dataclass(frozen=True)
class Settled:
    """A tracked action that finished (or failed, or is given up on)."""

    plan: ActionPlan
    ok: bool
    line: str
    elapsed_s: float
    timed_out: bool = False


class ActionTracker:
    def __init__(
        self,
        clock: Callable[[], datetime] = _utc_now,
        *,
        timeouts: dict[str, timedelta] | None = None,
    ) -> None:
        self.clock = clock
        self.timeouts = dict(TIMEOUTS, **(timeouts or {}))
        self._items: dict[tuple[str, ActionKind], Tracked] = {}

    # -- in flight -------------------------------------------------------------

    def _now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    def busy(self, plan: ActionPlan | None = None, *, key: str | None = None, action: ActionKind | None = None) -> Refusal | None:
        """A Refusal if this action on this target is already in flight."""
        if plan is not None:
            key, action = plan.target.key, plan.action
        if key is None or action is None:
            raise ValueError("busy() needs a plan, or a key and an action")
        item = self._items.get((key, action))
        if item is None:
            return None
        article = "an" if item.noun[0] in "aeiou" else "a"
        elapsed = _secs(self._now() - item.started)
        return Refusal(
            action,
            f"{article} {item.noun} of {item.plan.target.id} is already in progress ({elapsed})",
            key,
            item.plan.target.id,
        )

    def begin(self, plan: ActionPlan) -> Refusal | Tracked:
        """Record the action as in flight before its call is sent; a Refusal if it already is."""
        refused = self.busy(plan)
        if refused is not None:
            return refused
        item = Tracked(plan=plan, started=self._now())
        self._items[item.key] = item
        return item

    def sent(self, plan: ActionPlan, outcome: Any) -> str | None:
        """Feed the outcome of `execute`: a failure ends tracking (its line is returned)."""
        item = self._items.get((plan.target.key, plan.action))
        if item is None:
            return None
        if not outcome.ok:
            del self._items[item.key]
            return f"{item.noun} of {plan.target.id} failed: {outcome.message}"
        item.state = RUNNING
        item.phase = "started"
        if plan.operation in SNAPSHOT_OPERATIONS:
            record = outcome.response.get("DBSnapshot") or outcome.response.get("DBClusterSnapshot") or {}
            self._snapshot_phase(item, record)
        return None

    def cancel(self, plan: ActionPlan) -> None:
        """Forget an action (e.g. the confirmation was cancelled after `begin`)."""
        self._items.pop((plan.target.key, plan.action), None)

    def in_flight(self, node_key: str | None = None) -> list[Tracked]:
        items = list(self._items.values())
        if node_key is not None:
            items = [i for i in items if node_key in (i.plan.target.key, i.plan.selected_node)]
        return items

    def progress(self, node_key: str) -> str | None:
        """The progress line for a node (the first of its actions in flight), or None."""
        now = self._now()
        items = self.in_flight(node_key)
        return items[0].line(now) if items else None

    # -- following -------------------------------------------------------------

    def observe(self, fleet: Fleet) -> list[Settled]:
        """Check every running action against a new poll; returns those that settled."""
        now = self._now()
        nodes = fleet.nodes
        polled_ok = {r.name for r in fleet.regions if r.ok}
        done: list[Settled] = []
        for item in list(self._items.values()):
            if item.state != RUNNING:
                continue
            result = self._check(item, nodes, polled_ok, now)
            if result is None:
                result = self._timeout(item, now)
            if result is not None:
                del self._items[item.key]
                done.append(result)
        return done

    def observe_snapshot(self, plan: ActionPlan, record: dict[str, Any]) -> Settled | None:
        """Feed a DescribeDBSnapshots / DescribeDBClusterSnapshots record of a tracked snapshot."""
        item = self._items.get((plan.target.key, plan.action))
        if item is None or item.state != RUNNING:
            return None
        self._snapshot_phase(item, record)
        status = (record.get("Status") or "").lower()
        now = self._now()
        name = item.plan.follow.get("snapshot")
        result = None
        if status == "available":
            result = self._settle(item, now, True, f"snapshot {name} available after {_secs(now - item.started)}")
        elif status in ("failed", "error", "deleted", "deleting"):
            result = self._settle(item, now, False, f"snapshot {name} is {status} after {_secs(now - item.started)}")
        if result is not None:
            del self._items[item.key]
        return result

    def snapshots(self) -> list[ActionPlan]:
        """The snapshots being followed (for `refresh_snapshots`)."""
        return [
            i.plan
            for i in self._items.values()
            if i.state == RUNNING and i.plan.operation in SNAPSHOT_OPERATIONS
        ]

    # -- checks ----------------------------------------------------------------

    @staticmethod
    def _snapshot_phase(item: Tracked, record: dict[str, Any]) -> None:
        if not record:
            return
        item.snapshot = dict(record)
        status = record.get("Status") or "creating"
        percent = record.get("PercentProgress")
        item.phase = f"{status} {percent} %" if percent is not None and status == "creating" else status

    def _settle(self, item: Tracked, now: datetime, ok: bool, line: str, timed_out: bool = False) -> Settled:
        return Settled(item.plan, ok, line, item.elapsed(now), timed_out)

    def _timeout(self, item: Tracked, now: datetime) -> Settled | None:
        limit = self.timeouts.get(item.plan.operation)
        if limit is None or now - item.started < limit:
            return None
        line = f"{item.noun} of {item.plan.target.id} still in progress after {_secs(now - item.started)}: check its events"
        return self._settle(item, now, False, line, timed_out=True)

    def _check(self, item: Tracked, nodes: Mapping[str, Node], polled_ok: set[str], now: datetime) -> Settled | None:
        plan = item.plan
        if plan.operation in SNAPSHOT_OPERATIONS:
            return None  # followed through observe_snapshot
        node = nodes.get(plan.target.key)
        if node is None:
            region = plan.target.region if plan.target.kind != "global database" else None
            if region is None or region in polled_ok:
                return self._settle(item, now, False, f"{plan.target.id} is no longer in the fleet")
            return None  # its region did not answer this time: wait
        item.phase = node.status
        if node.status != "available":
            item.seen_busy = True
            return None
        took = _secs(now - item.started)
        op = plan.operation
        if op == "RebootDBInstance":
            before = plan.follow.get("from_az")
            if node.az and node.az != before:
                return self._settle(item, now, True, f"failover done in {took}: now in {node.az}")
            if item.seen_busy:
                return self._settle(
                    item, now, False, f"{node.id} rebooted in {took} but is still in {node.az}: check its events"
                )
            return None
        if op == "FailoverDBCluster":
            wanted = plan.follow.get("writer")  # None: AWS picks (an RDS for MySQL Multi-AZ DB cluster)
            writer = next((c.id for c in node.children if c.role is Role.WRITER), None)
            moved = writer == wanted if wanted else writer not in (None, plan.follow.get("from_writer"))
            if moved:
                return self._settle(item, now, True, f"failover done in {took}: {writer} is now the writer")
            return None
        if op in ("SwitchoverGlobalCluster", "FailoverGlobalCluster"):
            wanted = plan.follow.get("primary")
            members = node.raw.get("GlobalClusterMembers", [])
            writer = next((m["DBClusterArn"] for m in members if m.get("IsWriter")), None)
            if writer == wanted:
                what = "switchover" if op == "SwitchoverGlobalCluster" else "failover"
                return self._settle(
                    item,
                    now,
                    True,
                    f"{what} done in {took}: {arn_identifier(wanted)} is now primary ({arn_region(wanted)})",
                )
            return None
        if op == "PromoteReadReplica":
            if node.role is not Role.REPLICA:
                return self._settle(item, now, True, f"promotion done in {took}: {node.id} stands alone")
            return None
        if op == "PromoteReadReplicaDBCluster":
            if node.role is not Role.REPLICA and not node.raw.get("ReplicationSourceIdentifier"):
                return self._settle(item, now, True, f"promotion done in {took}: {node.id} stands alone")
            return None
        if op == "RemoveFromGlobalCluster":
            in_global = any(
                node in g.children for g in nodes.values() if g.type is NodeType.GLOBAL_CLUSTER
            )
            if not in_global and not node.raw.get("GlobalClusterIdentifier"):
                return self._settle(item, now, True, f"detach done in {took}: {node.id} stands alone")
            return None
        return None  # pragma: no cover


async def refresh_snapshots(factory: SessionFactory, tracker: ActionTracker) -> list[Settled]:
    """Describe every snapshot the tracker follows and feed it; returns those that settled.

    A describe that fails is shown as the action's phase and tried again next time.
    """
    plans = tracker.snapshots()

    async def one(plan: ActionPlan) -> Settled | None:
        rds = await factory.client("rds", plan.region)
        name = plan.follow["snapshot"]
        if plan.operation == "CreateDBClusterSnapshot":
            answer = await rds.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)
            records = answer.get("DBClusterSnapshots", [])
        else:
            answer = await rds.describe_db_snapshots(DBSnapshotIdentifier=name)
            records = answer.get("DBSnapshots", [])
        if not records:
            return None
        return tracker.observe_snapshot(plan, records[0])

    results = await asyncio.gather(*(one(p) for p in plans), return_exceptions=True)
    done: list[Settled] = []
    for plan, result in zip(plans, results):
        if isinstance(result, BaseException):
            for item in tracker.in_flight(plan.target.key):
                if item.plan is plan:
                    item.phase = f"status unknown ({errors.describe(result)})"
        elif result is not None:
            done.append(result)
    return done
