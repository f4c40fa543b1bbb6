"""The fault trial, in the suite: the demo fleet behind the fault-injecting proxy.

Each fault is a real HTTP answer (or a dropped connection) in the protocol the
client speaks; what is asserted is what the user sees, what the audit log holds
and how many calls reached moto.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from faultproxy import Rule, down, drop, error, fault_proxy, throttle  # noqa: F401
from support import find_node

from rdstui.core.actions import ActionKind, ActionPlan
from rdstui.core.audit import AuditLog
from rdstui.core.desk import ActionDesk
from rdstui.core.model import Fleet
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.core.watch import FleetWatch, Schedule
from rdstui.demo import DemoFleet

REGIONS = list(DemoFleet.REGIONS)
WEST = "us-west-2"
DENIED = "User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: {action}"


@pytest.fixture
def target(demo: DemoFleet, fault_proxy) -> AwsTarget:
    """The demo fleet (on the moto server) as seen through the proxy."""
    return AwsTarget(endpoint_url=fault_proxy.url, credentials=DEMO_CREDENTIALS)


def region(fleet: Fleet, name: str) -> Any:
    return next(state for state in fleet.regions if state.name == name)


async def test_transient_throttling_is_absorbed_by_the_retries(demo, fault_proxy, keys_in_env, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")  # the user's retries (a local endpoint otherwise gets one try)
    fault_proxy.add(Rule(throttle(), operation="DescribeDBInstances", region=WEST, times=2))
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        fleet = await FleetWatch(factory, REGIONS).once(metrics=False)
    assert all(state.ok for state in fleet.regions)
    assert fault_proxy.count("DescribeDBInstances", region=WEST) == 3
    assert find_node(fleet, "catalog-mysql") is not None


async def test_sustained_throttling_of_one_region_leaves_the_others_refreshing(target, fault_proxy):
    fault_proxy.add(Rule(throttle(), service="rds", region=WEST))
    async with SessionFactory(target) as factory:
        watch = FleetWatch(factory, REGIONS, schedule=Schedule(refresh=0.2, metrics_refresh=600))
        polled: dict[str, set[Any]] = {name: set() for name in REGIONS}

        async def watch_a_while() -> Fleet:
            async for fleet in watch.fleets():
                for state in fleet.regions:
                    polled[state.name].add(state.polled_at)
                if all(len(polled[name]) >= 4 for name in REGIONS if name != WEST):
                    return fleet
            raise AssertionError("the watch ended")

        fleet = await asyncio.wait_for(watch_a_while(), 20)
    west = region(fleet, WEST)
    assert not west.ok and "throttl" in (west.error or "").lower()
    assert polled[WEST] == {None}, "never polled successfully"
    assert all(region(fleet, name).ok for name in REGIONS if name != WEST)


async def test_one_regions_dropped_connections_leave_the_others(target, fault_proxy):
    fault_proxy.add(Rule(drop(), region=WEST))
    async with SessionFactory(target) as factory:
        fleet = await FleetWatch(factory, REGIONS).once(metrics=False)
    west = region(fleet, WEST)
    assert not west.ok and west.error and "\n" not in west.error
    assert "Traceback" not in west.error
    assert region(fleet, "us-east-1").ok and region(fleet, "eu-west-1").ok
    assert find_node(fleet, "orders-pg") is not None


async def test_the_endpoint_gone_and_back_recovers_without_the_user(target, fault_proxy):
    async with SessionFactory(target) as factory:
        watch = FleetWatch(factory, REGIONS, schedule=Schedule(refresh=0.2, metrics_refresh=600))
        phase, gone = "up", Rule(down())

        async def through_the_outage() -> Fleet:
            nonlocal phase
            async for fleet in watch.fleets():
                states = [state.ok for state in fleet.regions]
                if phase == "up" and all(states):
                    phase = "gone"
                    fault_proxy.add(gone)
                elif phase == "gone" and not any(states):
                    phase = "back"
                    fault_proxy.remove(gone)  # nobody touches the console meanwhile
                elif phase == "back" and all(states):
                    return fleet
            raise AssertionError("the watch ended")

        back = await asyncio.wait_for(through_the_outage(), 20)
    assert all(state.ok and not state.stale for state in back.regions)
    assert find_node(back, "orders-pg") is not None


@pytest.mark.parametrize(
    "operation, action, where",
    [
        ("DescribeDBInstances", "rds:DescribeDBInstances", "region"),
        ("GetMetricData", "cloudwatch:GetMetricData", "metrics"),
        ("DescribeEvents", "rds:DescribeEvents", "events"),
    ],
)
async def test_access_denied_on_a_read_is_said_where_it_happened(target, fault_proxy, operation, action, where):
    fault_proxy.add(Rule(error("AccessDenied", DENIED.format(action=action), 403), operation=operation, region=WEST))
    async with SessionFactory(target) as factory:
        watch = FleetWatch(factory, REGIONS, schedule=Schedule(refresh=600, metrics_refresh=600))

        def done(snapshot: Any) -> bool:  # describes failed, or CloudWatch read (or failed) after them
            state = snapshot.state
            return bool(state.attempted_at and (not state.ok or snapshot.metrics_at or state.metrics_error))

        async def first_full_read() -> Fleet:  # describes, events and CloudWatch, every region
            async for fleet in watch.fleets():
                if all(done(loop.snapshot) for loop in watch.loops.values()):
                    return fleet
            raise AssertionError("the watch ended")

        fleet = await asyncio.wait_for(first_full_read(), 20)
    said = {
        "region": region(fleet, WEST).error,
        "metrics": fleet.region(WEST).metrics_error,
        "events": fleet.region(WEST).events_error,
    }
    assert said[where] is not None and "(AccessDenied)" in said[where] and action in said[where], said
    assert [key for key, line in said.items() if line] == [where], "only that part failed"
    assert all(region(fleet, name).ok for name in REGIONS if name != WEST)


async def test_blue_green_denied_leaves_the_regions_databases_and_says_so(target, fault_proxy):
    action = "rds:DescribeBlueGreenDeployments"
    fault_proxy.add(Rule(error("AccessDenied", DENIED.format(action=action), 403), operation="DescribeBlueGreenDeployments"))
    async with SessionFactory(target) as factory:
        watch = FleetWatch(factory, REGIONS, schedule=Schedule(refresh=600, metrics_refresh=600))

        async def described() -> Fleet:
            async for fleet in watch.fleets():
                if all(state.polled_at for state in fleet.regions):
                    return fleet
            raise AssertionError("the watch ended")

        fleet = await asyncio.wait_for(described(), 20)
    east = region(fleet, "us-east-1")
    assert east.ok and east.error is None
    (note,) = east.notes
    assert note.startswith("blue/green deployments not read: ") and "(AccessDenied)" in note and action in note
    blue, green = find_node(fleet, "billing-mysql"), find_node(fleet, "billing-mysql-green-vqszsp")
    assert blue is not None and green is not None  # both databases, without their blue/green roles
    assert blue.blue_green is None and green.blue_green is None


ACTIONS = [
    (ActionKind.FAILOVER, "orders-pg", {}, "RebootDBInstance"),
    (ActionKind.FAILOVER, "payments-use1", {}, "FailoverDBCluster"),
    (ActionKind.FAILOVER, "payments-global", {}, "SwitchoverGlobalCluster"),
    (ActionKind.PROMOTE, "orders-pg-ro1", {}, "PromoteReadReplica"),
    (ActionKind.PROMOTE, "search-aurora-euw1", {}, "PromoteReadReplicaDBCluster"),
    (ActionKind.SNAPSHOT, "orders-pg", {}, "CreateDBSnapshot"),
    (ActionKind.SNAPSHOT, "payments-use1", {}, "CreateDBClusterSnapshot"),
]


@pytest.mark.parametrize("kind, ident, choices, operation", ACTIONS, ids=[a[3] for a in ACTIONS])
async def test_access_denied_on_each_modifying_call(target, fault_proxy, tmp_path, kind, ident, choices, operation):
    """Plain words, audited as sent and then failed, exactly one call on the wire."""
    fault_proxy.add(Rule(error("AccessDenied", DENIED.format(action=f"rds:{operation}"), 403), operation=operation))
    audit = AuditLog(tmp_path / "actions.jsonl", profile="demo", account="123456789012")
    async with SessionFactory(target) as factory:
        fleet = await FleetWatch(factory, REGIONS).once(metrics=False)
        desk = ActionDesk(factory, audit)
        node = find_node(fleet, ident)
        assert node is not None
        plan = desk.plan(kind, node, fleet)
        assert isinstance(plan, ActionPlan), plan
        assert plan.operation == operation
        desk.tracker.begin(plan)
        sent = await desk.send(plan)
    assert not sent.outcome.ok and sent.outcome.error_code == "AccessDenied"
    assert "access denied" in sent.line and f"rds:{operation}" in sent.line and "\n" not in sent.line
    assert fault_proxy.count(operation) == 1
    outcomes = [entry["outcome"] for entry in audit.entries()]
    assert outcomes[0] == "sent" and len(outcomes) == 2 and outcomes[1] not in ("sent", "ok")
    assert audit.entries()[1]["error_code"] == "AccessDenied"
