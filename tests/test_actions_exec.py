"""Sending plans to the demo fleet over HTTP: read-only, AWS errors in plain words,
the tracker following each action until AWS holds the result."""

from __future__ import annotations

import re
import socket
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from support import ACCOUNT, Clock, arn, find_node

from rdstui.core.action_exec import (
    Outcome,
    ReadOnlyError,
    ReadOnlyGuard,
    execute,
    explain,
)
from rdstui.core.action_history import Settled
from rdstui.core.action_tracker import ActionTracker, Tracked
from rdstui.core.actions import ActionKind, ActionPlan, Refusal, Target, plan
from rdstui.core.audit import AuditLog
from rdstui.core.desk import ActionDesk
from rdstui.core.model import Fleet, Node, Role
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.core.watch import FleetWatch
from rdstui.demo import DemoFleet

S, F, P = ActionKind.SNAPSHOT, ActionKind.FAILOVER, ActionKind.PROMOTE


@pytest.fixture
async def factory(demo: DemoFleet):
    async with SessionFactory(demo.target) as made:
        yield made


@pytest.fixture
def rds_calls(monkeypatch) -> list[str]:
    """Every RDS action the moto server receives (server side, in this process)."""
    from moto.rds.responses import RDSResponse

    seen: list[str] = []
    original = RDSResponse.call_action

    def counting(self: Any) -> Any:
        seen.append(self._get_action())
        return original(self)

    monkeypatch.setattr(RDSResponse, "call_action", counting)
    return seen


def modifying(calls: list[str]) -> list[str]:
    return [c for c in calls if not c.startswith(("Describe", "List"))]


async def poll(factory: SessionFactory, clock: Clock, regions: list[str] | None = None) -> Fleet:
    return await FleetWatch(factory, regions or DemoFleet.REGIONS, clock=clock).once(metrics=False)


def node(fleet: Fleet, ident: str) -> Node:
    found = find_node(fleet, ident)
    assert found is not None, ident
    return found


async def make_plan(factory, clock, action: ActionKind, ident: str, **choices: str) -> ActionPlan:
    fleet = await poll(factory, clock)
    result = plan(action, node(fleet, ident), fleet, now=clock())
    assert isinstance(result, ActionPlan), result
    return result.with_choices(**choices) if choices else result


EAST = ["us-east-1"]


async def follow(
    demo, factory, clock, tracker: ActionTracker, *, step: int = 10, limit: int = 20, regions: list[str] | None = None
) -> list[Settled]:
    """The console's loop: the simulator ticks, a poll, the tracker looks at it.

    `regions`: poll only these (faster) when the action stays in them."""
    done: list[Settled] = []
    for _ in range(limit):
        clock.now += timedelta(seconds=step)
        demo.tick()
        done += tracker.observe(await poll(factory, clock, regions))
        done += await tracker.probe(lambda _plan: factory)
        if not tracker.in_flight():
            break
    return done


# --------------------------------------------------------------------------- read-only


async def test_read_only_sends_nothing(demo, factory, clock, rds_calls, tmp_path):
    p = await make_plan(factory, clock, F, "orders-pg")
    audit = AuditLog(tmp_path / "actions.jsonl", profile="demo", account=ACCOUNT)
    rds_calls.clear()
    outcome = await execute(factory, p, read_only=True)
    assert not outcome.ok and not outcome.sent
    assert outcome.error_code == "ReadOnly"
    assert outcome.message == "the console is read-only: RebootDBInstance was not sent"
    assert rds_calls == []
    # Read-only switched on from the palette: refused (audited), then off again: sent once.
    desk = ActionDesk(factory, audit, read_only=True, clock=clock)
    fleet = await poll(factory, clock)
    refused = desk.plan(F, node(fleet, "orders-pg"), fleet)
    assert isinstance(refused, Refusal)
    assert refused.reason.startswith("the console is read-only (turned on from the command palette)")
    assert audit.entries()[-1]["outcome"] == "refused" and modifying(rds_calls) == []
    assert desk.set_read_only(False)
    assert desk.begin(p) is None
    sent = await desk.send(p)
    assert sent.outcome.ok, sent.line
    assert modifying(rds_calls) == ["RebootDBInstance"]
    assert [e["outcome"] for e in audit.entries()[-2:]] == ["sent", "succeeded"]


async def test_read_only_from_the_command_line_cannot_be_switched_off(demo, factory, clock, rds_calls, tmp_path):
    audit = AuditLog(tmp_path / "actions.jsonl", profile="demo", account=ACCOUNT)
    desk = ActionDesk(factory, audit, read_only_source="--read-only", clock=clock)
    fleet = await poll(factory, clock)
    refused = desk.plan(F, node(fleet, "orders-pg"), fleet)
    assert isinstance(refused, Refusal) and refused.reason.startswith("the console is read-only (--read-only)")
    assert not desk.set_read_only(False) and desk.read_only
    rds_calls.clear()
    client = await factory.action_client("rds", "us-east-1")
    with pytest.raises(ReadOnlyError):  # even a call made around the desk
        await client.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
    assert modifying(rds_calls) == []


async def test_read_only_guard_blocks_any_modifying_call(demo, factory, clock, rds_calls):
    east = await factory.client("rds", "us-east-1")  # a client made before the guard
    guard = ReadOnlyGuard().install(factory)
    west = await factory.client("rds", "us-west-2")  # and one after
    rds_calls.clear()
    for client, ident in ((east, "orders-pg"), (west, "orders-pg-dr")):
        with pytest.raises(ReadOnlyError):
            await client.reboot_db_instance(DBInstanceIdentifier=ident, ForceFailover=True)
        with pytest.raises(ReadOnlyError):
            await client.promote_read_replica(DBInstanceIdentifier=ident)
        await client.describe_db_instances(DBInstanceIdentifier=ident)  # reads still work
    assert modifying(rds_calls) == []
    assert guard.blocked == ["RebootDBInstance", "PromoteReadReplica"] * 2
    # execute() without its own read_only flag is still stopped by the guard, before sending.
    p = await make_plan(factory, clock, P, "orders-pg-ro1")
    outcome = await execute(factory, p)
    assert (outcome.ok, outcome.error_code, outcome.sent) == (False, "ReadOnly", False)
    assert modifying(rds_calls) == []
    guard.enabled = False  # a runtime toggle
    assert (await execute(factory, p)).ok
    assert modifying(rds_calls) == ["PromoteReadReplica"]


async def test_invalid_plans_are_refused_before_any_io(demo, factory, clock, rds_calls):
    p = await make_plan(factory, clock, S, "orders-pg")
    bad = replace(p, name=replace(p.name, value="bad--name"), params={**p.params, "DBSnapshotIdentifier": "bad--name"})
    rds_calls.clear()
    outcome = await execute(factory, bad)
    assert (outcome.ok, outcome.error_code, outcome.sent) == (False, "InvalidPlan", False)
    assert "two consecutive hyphens" in outcome.message
    foreign = replace(p, operation="DeleteDBInstance")
    assert (await execute(factory, foreign)).error_code == "InvalidPlan"
    assert rds_calls == []


# --------------------------------------------------------------------------- AWS holds the result


async def test_instance_failover_end_to_end(demo, factory, clock, rds_calls):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, F, "orders-pg")
    assert isinstance(tracker.begin(p), Tracked)
    rds_calls.clear()
    outcome = await execute(factory, p)
    assert outcome.ok and outcome.message == "failover of orders-pg started: it is rebooting"
    assert outcome.response["DBInstance"]["DBInstanceStatus"] == "rebooting"
    assert modifying(rds_calls) == ["RebootDBInstance"]
    assert tracker.sent(p, outcome) is None
    # A second press while it runs is refused, and sends nothing.
    clock.now += timedelta(seconds=12)
    again = tracker.begin(p)
    assert isinstance(again, Refusal)
    assert again.reason == "a failover of orders-pg is already in progress (12s)"
    assert tracker.progress(p.target.key) == "failover of orders-pg: started, 12s"
    clock.now -= timedelta(seconds=12)
    (done,) = await follow(demo, factory, clock, tracker, regions=EAST)
    assert done.ok and done.line == "failover done in 30s: now in us-east-1b"
    db = demo.client("rds", "us-east-1").describe_db_instances(DBInstanceIdentifier="orders-pg")["DBInstances"][0]
    assert (db["AvailabilityZone"], db["SecondaryAvailabilityZone"], db["DBInstanceStatus"]) == (
        "us-east-1b",
        "us-east-1a",
        "available",
    )
    assert modifying(rds_calls) == ["RebootDBInstance"]  # exactly one call in all
    assert tracker.in_flight() == [] and tracker.busy(p.target.key, p.action) is None


async def test_promote_end_to_end_and_the_source_forgets_it(demo, factory, clock):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, P, "orders-pg-ro1")
    tracker.begin(p)
    outcome = await execute(factory, p)
    assert outcome.message == "promotion of orders-pg-ro1 started: it is modifying"
    tracker.sent(p, outcome)
    (done,) = await follow(demo, factory, clock, tracker, regions=EAST)
    assert done.line == "promotion done in 1m00s: orders-pg-ro1 stands alone"
    fleet = await poll(factory, clock)
    ro1 = node(fleet, "orders-pg-ro1")
    assert ro1.role is Role.PRIMARY and ro1 in fleet.roots
    assert "ReadReplicaSourceDBInstanceIdentifier" not in ro1.raw
    assert ro1 not in node(fleet, "orders-pg").children
    assert "orders-pg-ro1" not in node(fleet, "orders-pg").raw["ReadReplicaDBInstanceIdentifiers"]
    # The stale plan sent again: AWS says why, in plain words.
    outcome = await execute(factory, p)
    assert not outcome.ok and outcome.error_code == "InvalidDBInstanceState"
    assert outcome.message.startswith("orders-pg-ro1 is not in a state that allows this right now (AWS: ")
    assert "not a read replica" in outcome.message


async def test_cross_region_promote(demo, factory, clock):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, P, "orders-pg-dr")
    assert p.region == "us-west-2"
    tracker.begin(p)
    tracker.sent(p, await execute(factory, p))
    (done,) = await follow(demo, factory, clock, tracker)
    assert done.line == "promotion done in 1m00s: orders-pg-dr stands alone"
    source = demo.client("rds", "us-east-1").describe_db_instances(DBInstanceIdentifier="orders-pg")["DBInstances"][0]
    assert source["ReadReplicaDBInstanceIdentifiers"] == ["orders-pg-ro1"]


@pytest.mark.parametrize(
    "ident,action,choices,line",
    [
        ("search-aurora", F, {}, "failover done in 20s: search-aurora-b is now the writer"),
        # RDS for MySQL Multi-AZ DB cluster: no target; AWS picks the readable standby.
        ("inventory-maz", F, {}, "failover done in 20s: inventory-maz-instance-2 is now the writer"),
        ("payments-global", F, {}, "switchover done in 50s: payments-usw2 is now primary (us-west-2)"),
        (
            "payments-global",
            F,
            {"target": arn("eu-west-1", "cluster", "payments-euw1"), "mode": "failover"},
            "failover done in 30s: payments-euw1 is now primary (eu-west-1)",
        ),
        ("payments-euw1", P, {}, "detach done in 30s: payments-euw1 stands alone"),
        ("search-aurora-euw1", P, {}, "promotion done in 50s: search-aurora-euw1 stands alone"),
    ],
    ids=["aurora-failover", "multi-az-cluster-failover", "global-switchover", "global-failover", "detach", "promote-cluster"],
)
async def test_cluster_actions_end_to_end(demo, factory, clock, rds_calls, ident, action, choices, line):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, action, ident, **choices)
    tracker.begin(p)
    rds_calls.clear()
    outcome = await execute(factory, p)
    assert outcome.ok, outcome.message
    assert modifying(rds_calls) == [p.operation]
    tracker.sent(p, outcome)
    regions = EAST if ident in ("search-aurora", "inventory-maz") else None
    (done,) = await follow(demo, factory, clock, tracker, regions=regions)
    assert done.ok and done.line == line
    fleet = await poll(factory, clock)
    if p.operation in ("FailoverDBCluster",):
        writer = next(c for c in node(fleet, ident).children if c.role is Role.WRITER)
        assert writer.id == p.params.get("TargetDBInstanceIdentifier", "inventory-maz-instance-2")
    elif p.operation in ("SwitchoverGlobalCluster", "FailoverGlobalCluster"):
        glob = node(fleet, "payments-global")
        primary = next(c for c in glob.children if c.role is Role.PRIMARY)
        assert primary.arn == p.params["TargetDbClusterIdentifier"]
        old = node(fleet, "payments-use1")
        assert old.role is Role.SECONDARY and all(c.role is Role.READER for c in old.children)
        assert glob.region == primary.region
    else:
        alone = node(fleet, ident)
        assert alone.role is Role.PRIMARY and alone in fleet.roots
        assert any(c.role is Role.WRITER for c in alone.children)
    assert modifying(rds_calls) == [p.operation]


@pytest.mark.parametrize(
    "ident,name,after",
    [("orders-pg", "orders-pg-2025-06-02-1200", "40s"), ("payments-use1", "payments-use1-2025-06-02-1200", "30s")],
)
async def test_snapshot_end_to_end(demo, factory, clock, ident, name, after):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, S, ident)
    assert p.name.value == name
    tracker.begin(p)
    outcome = await execute(factory, p)
    assert outcome.message == f"snapshot {name} of {ident} started: creating"
    tracker.sent(p, outcome)
    assert tracker.in_flight()[0].phase == "creating 0 %"
    clock.now += timedelta(seconds=10)
    demo.tick()
    assert await tracker.probe(lambda _plan: factory) == []
    assert re.fullmatch(rf"snapshot of {ident}: creating \d+ %, 10s", tracker.progress(p.target.key))
    (done,) = await follow(demo, factory, clock, tracker, regions=EAST)
    assert done.line == f"snapshot {name} available after {after}"
    east = demo.client("rds", "us-east-1")
    if p.operation == "CreateDBSnapshot":
        snap = east.describe_db_snapshots(DBSnapshotIdentifier=name)["DBSnapshots"][0]
    else:
        snap = east.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier=name)["DBClusterSnapshots"][0]
    assert snap["Status"] == "available"


# --------------------------------------------------------------------------- AWS errors in plain words


async def test_access_denied_and_throttling(demo, factory, clock):
    p = await make_plan(factory, clock, F, "orders-pg")
    demo.break_region("us-east-1", "AccessDenied", "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: rds:RebootDBInstance")
    try:
        outcome = await execute(factory, p)
        assert not outcome.ok and outcome.error_code == "AccessDenied"
        assert outcome.message.startswith("access denied: these credentials may not call rds:RebootDBInstance on orders-pg")
        demo.break_region("us-east-1")  # Throttling
        outcome = await execute(factory, p)
        assert outcome.error_code == "Throttling"
        assert outcome.message == (
            "AWS is throttling requests in us-east-1 (Throttling): nothing was changed; try again in a moment"
        )
    finally:
        demo.heal_region("us-east-1")
    db = demo.client("rds", "us-east-1").describe_db_instances(DBInstanceIdentifier="orders-pg")["DBInstances"][0]
    assert db["DBInstanceStatus"] == "available"


async def test_failure_ends_tracking_with_a_line(demo, factory, clock):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, S, "orders-pg")
    taken = p.with_name("orders-pg-weekly-manual")
    tracker.begin(taken)
    outcome = await execute(factory, taken)
    assert outcome.error_code == "DBSnapshotAlreadyExists"
    assert outcome.message == "a snapshot named orders-pg-weekly-manual already exists: choose another name"
    assert tracker.sent(taken, outcome) == f"snapshot of orders-pg failed: {outcome.message}"
    assert tracker.in_flight() == [] and isinstance(tracker.begin(p), Tracked)


async def test_unreachable_endpoint(demo, factory, clock):
    p = await make_plan(factory, clock, F, "orders-pg")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with SessionFactory(AwsTarget(endpoint_url=f"http://127.0.0.1:{port}", credentials=DEMO_CREDENTIALS)) as dead:
        outcome = await execute(dead, p)
    assert not outcome.ok and outcome.error_code == "EndpointConnectionError" and not outcome.sent
    assert outcome.message.startswith("could not reach RDS in us-east-1: nothing was sent")


def test_explain_never_raises_and_speaks_plainly():
    from botocore.exceptions import ClientError, ReadTimeoutError

    p = ActionPlan(
        action=F,
        title="t",
        verb="Fail over",
        target=Target("k", "orders-pg", "DB instance", "us-east-1"),
        operation="RebootDBInstance",
        params={"DBInstanceIdentifier": "orders-pg", "ForceFailover": True},
        effects=(),
        costs=(),
    )

    def client_error(code: str, message: str = "", retries: int = 0) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"RetryAttempts": retries}},
            "RebootDBInstance",
        )

    assert explain(client_error("DBInstanceNotFound", "DBInstance orders-pg not found."), p) == (
        "DBInstanceNotFound",
        "orders-pg was not found in us-east-1: it may have been deleted or renamed (AWS: DBInstance orders-pg not found.)",
    )
    code, line = explain(client_error("InvalidDBInstanceState", "busy", retries=2), p)
    assert "the first try may have gone through" in line
    assert explain(client_error("SnapshotQuotaExceeded"), p)[1].startswith("the account's manual snapshot quota is reached")
    assert explain(client_error("InvalidParameterCombination", "nope"), p)[1] == (
        "AWS refused the parameters of RebootDBInstance: nope"
    )
    assert explain(client_error("KMSKeyNotAccessibleFault", "kms"), p)[1] == "RebootDBInstance failed (KMSKeyNotAccessibleFault): kms"
    assert explain(ReadTimeoutError(endpoint_url="https://rds"), p)[1].startswith("no answer from AWS in us-east-1 in time")
    assert explain(RuntimeError("boom"), p) == ("RuntimeError", "RebootDBInstance failed unexpectedly: RuntimeError: boom")


# --------------------------------------------------------------------------- tracker edges


async def test_tracker_gives_up_after_its_timeout(demo, factory, clock):
    tracker = ActionTracker(clock, timeouts={"RebootDBInstance": timedelta(seconds=20)})
    p = await make_plan(factory, clock, F, "orders-pg")
    tracker.begin(p)
    tracker.sent(p, Outcome(True, "sent"))  # pretend: nothing really happens in AWS
    clock.now += timedelta(seconds=10)
    assert tracker.observe(await poll(factory, clock, EAST)) == []
    clock.now += timedelta(seconds=15)
    (done,) = tracker.observe(await poll(factory, clock, EAST))
    assert done.timed_out and not done.ok
    assert done.line == "failover of orders-pg still in progress after 25s: check its events"
    assert tracker.in_flight() == []


async def test_tracker_notices_a_vanished_target(demo, factory, clock):
    tracker = ActionTracker(clock)
    p = await make_plan(factory, clock, P, "orders-pg-ro1")
    tracker.begin(p)
    tracker.sent(p, Outcome(True, "sent"))
    fleet = await poll(factory, clock)
    gone = node(fleet, "orders-pg-ro1").key

    def without(found: Node) -> Node:  # as if it had been deleted
        return replace(found, children=tuple(without(c) for c in found.children if c.key != gone))

    (done,) = tracker.observe(replace(fleet, roots=tuple(without(r) for r in fleet.roots)))
    assert done.line == "orders-pg-ro1 is no longer in the fleet" and not done.ok


def test_tracker_cancel_and_busy_by_key(clock):
    target = Target("arn:x", "orders-pg", "DB instance", "us-east-1")
    p = ActionPlan(F, "t", "Fail over", target, "RebootDBInstance", {"DBInstanceIdentifier": "orders-pg"}, (), ())
    tracker = ActionTracker(clock)
    tracker.begin(p)
    assert tracker.busy("arn:x", F) is not None
    assert tracker.busy("arn:x", S) is None  # another action on the node is AWS's call
    tracker.cancel(p)
    assert tracker.busy(p.target.key, p.action) is None
