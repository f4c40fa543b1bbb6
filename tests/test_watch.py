"""The fleet watch: each region on its own loop, the minimum API calls, nothing shared by mutation.

Through the fault-injecting proxy in front of moto, so a slow or throttled
region is a real slow or throttled HTTP answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from faultproxy import Rule, fault_proxy, slow, throttle  # noqa: F401

from rdstui.cli import main
from rdstui.core.events import merge
from rdstui.core.model import Event
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.core.watch import FleetWatch, Schedule

EAST, WEST = "us-east-1", "eu-west-1"


def seed_instances(aws, region: str, count: int) -> None:
    def create(n: int) -> None:
        aws("rds", region).create_db_instance(
            DBInstanceIdentifier=f"db-{n:03d}", DBInstanceClass="db.t3.micro", Engine="mysql",
            AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password123",
        )

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, range(count)))


def count_calls(factory: SessionFactory) -> Counter[str]:
    """Every API call the factory's clients make, by operation name."""
    calls: Counter[str] = Counter()
    factory.session.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
    return calls


def through(proxy) -> AwsTarget:
    return AwsTarget(endpoint_url=proxy.url, credentials=DEMO_CREDENTIALS)


def add_replica(aws, region: str, source: str) -> str:
    replica = f"{source}-replica"
    aws("rds", region).create_db_instance_read_replica(DBInstanceIdentifier=replica, SourceDBInstanceIdentifier=source)
    return replica


def metrics_asked(factory: SessionFactory) -> list[set[tuple[str, str]]]:
    """The (metric, database) pairs of each GetMetricData call, in order."""
    asked: list[set[tuple[str, str]]] = []

    def record(params, **_) -> None:
        asked.append({
            (q["MetricStat"]["Metric"]["MetricName"], q["MetricStat"]["Metric"]["Dimensions"][0]["Value"])
            for q in params["MetricDataQueries"]
        })

    factory.session.register("provide-client-params.cloudwatch.GetMetricData", record)
    return asked


async def test_one_pass_reads_every_page_and_only_the_lags_of_the_tree(aws, local_target):
    seed_instances(aws, EAST, 170)  # 2 pages of DescribeDBInstances
    replica = add_replica(aws, EAST, "db-007")
    async with SessionFactory(local_target) as factory:
        calls, asked = count_calls(factory), metrics_asked(factory)
        fleet = await FleetWatch(factory, [EAST]).once()
    assert sum(1 for _ in fleet.walk()) == 171
    assert calls == Counter(
        DescribeDBInstances=2, DescribeDBClusters=1, DescribeGlobalClusters=1,
        DescribeBlueGreenDeployments=1, GetMetricData=1, DescribeAlarms=1,
    )
    # Free storage of every instance (the low-storage finding, read every ten minutes), no other gauge.
    storage = {("FreeStorageSpace", node.id) for node in fleet.walk()}
    assert asked == [{("ReplicaLag", replica)} | storage], "no CPU or connections of databases nobody looks at"


async def test_the_node_in_view_has_its_gauges_read_at_once_and_with_each_read(aws, local_target):
    seed_instances(aws, EAST, 3)
    async with SessionFactory(local_target) as factory:
        asked = metrics_asked(factory)
        watch = FleetWatch(factory, [EAST], schedule=Schedule(refresh=600, metrics_refresh=600))
        fleets = watch.fleets()
        fleet = await anext(fleets)

        async def until(test) -> None:
            async for _fleet in fleets:
                if test():
                    return

        await asyncio.wait_for(until(lambda: watch.loops[EAST].snapshot.metrics_at is not None), 5)
        read_at = watch.loops[EAST].snapshot.metrics_at

        gauges = {"CPUUtilization", "DatabaseConnections", "FreeStorageSpace"}
        shown = gauges - {"FreeStorageSpace"}  # every instance's free storage comes with the first read
        watch.show(next(n for n in fleet.walk() if n.id == "db-001"))
        await asyncio.wait_for(until(lambda: len(asked) == 2), 5)
        assert asked == [{("FreeStorageSpace", f"db-{n:03d}") for n in range(3)}, {(m, "db-001") for m in shown}]
        watch.show(next(n for n in fleet.walk() if n.id == "db-001"))  # the same node: nothing new to read
        watch.show(next(n for n in fleet.walk() if n.id == "db-002"))
        await asyncio.wait_for(until(lambda: len(asked) == 3), 5)
        assert asked[2] == {(metric, "db-002") for metric in shown}
        assert watch.loops[EAST].snapshot.metrics_at == read_at, "looking about never postpones the lags"
        watch.refresh()
        await asyncio.wait_for(until(lambda: len(asked) == 4), 5)
        await fleets.aclose()
    # The region's read: the node in view, no other (every instance's free storage waits ten minutes).
    assert asked[3] == {(metric, "db-002") for metric in gauges}


async def test_a_slow_region_never_holds_back_another(aws, fault_proxy):
    """eu-west-1 answers after 3 s; us-east-1 keeps refreshing on its own schedule meanwhile."""
    seed_instances(aws, EAST, 2)
    seed_instances(aws, WEST, 1)
    fault_proxy.add(Rule(slow(3.0), operation="DescribeDBInstances", region=WEST))
    async with SessionFactory(through(fault_proxy)) as factory:
        watch = FleetWatch(factory, [EAST, WEST], schedule=Schedule(refresh=0.3, metrics_refresh=600))
        shown: list[tuple[float, set[str]]] = []
        began = time.monotonic()

        async def watch_for(seconds: float) -> None:
            async for fleet in watch.fleets():
                shown.append((time.monotonic() - began, {n.region for n in fleet.walk()}))
                if time.monotonic() - began > seconds:
                    return

        await asyncio.wait_for(watch_for(2.5), 10)
    east_only = [t for t, regions in shown if regions == {EAST}]
    assert east_only and east_only[0] < 1.0, "us-east-1 is drawn without waiting for eu-west-1"
    assert fault_proxy.count("DescribeDBInstances", region=EAST) >= 4, "it refreshed several times meanwhile"
    assert fault_proxy.count("DescribeDBInstances", region=WEST) == 1  # its one call is still under way


async def test_a_throttled_region_shows_its_error_and_keeps_its_data(aws, fault_proxy):
    seed_instances(aws, EAST, 1)
    seed_instances(aws, WEST, 1)
    async with SessionFactory(through(fault_proxy)) as factory:
        watch = FleetWatch(factory, [EAST, WEST], schedule=Schedule(refresh=0.2, metrics_refresh=600))
        fleets = watch.fleets()
        first = await anext(fleets)
        while not all(r.ok for r in first.regions):
            first = await anext(fleets)
        fault_proxy.add(Rule(throttle(), service="rds", region=WEST))
        fleet = first
        while next(r for r in fleet.regions if r.name == WEST).ok:
            fleet = await anext(fleets)
        await fleets.aclose()
    west = next(r for r in fleet.regions if r.name == WEST)
    assert west.stale and "throttled" in (west.error or "")
    assert {n.id for n in fleet.walk() if n.region == WEST} == {"db-000"}, "its last good data stays"
    assert next(r for r in fleet.regions if r.name == EAST).ok


async def test_refresh_wakes_every_loop_and_hurry_polls_a_region_faster(aws, fault_proxy):
    seed_instances(aws, EAST, 1)
    seed_instances(aws, WEST, 1)
    async with SessionFactory(through(fault_proxy)) as factory:
        watch = FleetWatch(factory, [EAST, WEST], schedule=Schedule(refresh=600, metrics_refresh=600))
        fleets = watch.fleets()

        async def until(test) -> None:
            async for _fleet in fleets:
                if test():
                    return

        await asyncio.wait_for(until(lambda: fault_proxy.count("DescribeDBInstances") == 2), 5)
        watch.refresh()
        await asyncio.wait_for(until(lambda: fault_proxy.count("DescribeDBInstances") == 4), 5)
        watch.hurry({(None, WEST)})  # an action in flight there: every few seconds, the rest as scheduled
        began = fault_proxy.count("DescribeDBInstances", region=WEST)
        await asyncio.wait_for(
            until(lambda: fault_proxy.count("DescribeDBInstances", region=WEST) >= began + 1), 10
        )
        await fleets.aclose()
    assert fault_proxy.count("DescribeDBInstances", region=EAST) == 2


async def test_cloudwatch_is_read_less_often_and_refresh_reads_it_too(aws, fault_proxy):
    seed_instances(aws, EAST, 1)
    add_replica(aws, EAST, "db-000")  # a lag to read
    async with SessionFactory(through(fault_proxy)) as factory:
        watch = FleetWatch(factory, [EAST], schedule=Schedule(refresh=0.05, metrics_refresh=3600))
        fleets = watch.fleets()

        async def until(test) -> None:
            async for _fleet in fleets:
                if test():
                    return

        await asyncio.wait_for(until(lambda: fault_proxy.count("DescribeDBInstances") >= 4), 10)
        assert fault_proxy.count("GetMetricData") == 1  # the first cycle only
        watch.refresh()  # "r": CloudWatch too
        await asyncio.wait_for(until(lambda: fault_proxy.count("GetMetricData") == 2), 5)
        await fleets.aclose()


async def test_every_fleet_handed_out_stays_as_it_was(aws, local_target):
    seed_instances(aws, EAST, 2)
    async with SessionFactory(local_target) as factory:
        watch = FleetWatch(factory, [EAST])
        first = await watch.once()
        roots = first.roots
        aws("rds", EAST).delete_db_instance(DBInstanceIdentifier="db-001", SkipFinalSnapshot=True)
        second = await watch.once()
    assert first.roots is roots and [n.id for n in roots] == ["db-000", "db-001"]
    assert [n.id for n in second.roots] == ["db-000"]
    with pytest.raises(AttributeError):
        first.roots[0].status = "deleted"  # frozen


def test_region_all_polls_every_enabled_region(aws, moto_url, keys_in_env, monkeypatch, capsys):
    seed_instances(aws, "ap-southeast-2", 1)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    code = main(["status", "--json", "--region", "all", "--endpoint-url", moto_url])
    document = json.loads(capsys.readouterr().out)
    names = [r["name"] for r in document["regions"]]
    assert code == 0
    assert len(names) > 10 and {"us-east-1", "ap-southeast-2", "eu-west-1"} <= set(names)
    assert [n["id"] for n in document["nodes"]] == ["db-000"]
    assert document["nodes"][0]["region"] == "ap-southeast-2"


def test_events_merge_without_repeats_newest_first():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    old = Event(now - timedelta(hours=1), EAST, "db", "db-instance", "Backing up DB instance.")
    new = Event(now, EAST, "db", "db-instance", "Finished DB instance backup.")
    assert merge([old], [new, old]) == [new, old]
    assert merge([old], [new], limit=1) == [new]
