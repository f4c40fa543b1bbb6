"""A full poll makes the minimum API calls: pages of 100, metric batches of 500."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from rdstui.cli import main
from rdstui.core.catalog import fleet_series
from rdstui.core.poller import FleetPoller
from rdstui.core.session import SessionFactory


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


async def test_poll_reads_every_page_and_batches_metrics(aws, local_target):
    seed_instances(aws, "us-east-1", 170)  # 2 pages; 170 x 3 gauges = 510 series = 2 batches
    async with SessionFactory(local_target) as factory:
        calls = count_calls(factory)
        poller = FleetPoller(factory, ["us-east-1"])
        fleet = await poller.poll()
        assert len(fleet.roots) == 170
        assert len(fleet_series(fleet)) == 510
        assert calls == Counter(
            DescribeDBInstances=2, DescribeDBClusters=1, DescribeGlobalClusters=1,
            DescribeBlueGreenDeployments=1, GetMetricData=2,
        )
        calls.clear()
        await poller.poll(metrics=False)
        assert "GetMetricData" not in calls and calls["DescribeDBInstances"] == 2


async def test_concurrent_poll_requests_join_the_running_poll(aws, local_target):
    seed_instances(aws, "us-east-1", 3)
    async with SessionFactory(local_target) as factory:
        calls = count_calls(factory)
        poller = FleetPoller(factory, ["us-east-1"])
        first, second = await asyncio.gather(poller.poll(metrics=False), poller.poll(metrics=False))
    assert first is second
    assert calls["DescribeDBInstances"] == 1


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


async def test_each_region_is_published_as_it_answers(aws, local_target):
    """A slow region does not hold back the others: partial fleets arrive first."""
    seed_instances(aws, "us-east-1", 1)
    seed_instances(aws, "eu-west-1", 1)
    partial: list[list[str]] = []
    async with SessionFactory(local_target) as factory:
        slow = await factory.client("rds", "eu-west-1")

        async def delay(**_):
            await asyncio.sleep(0.5)

        slow.meta.events.register("before-call.rds.DescribeDBInstances", delay)
        poller = FleetPoller(factory, ["us-east-1", "eu-west-1"])
        fleet = await poller.poll(
            metrics=False, on_region=lambda f: partial.append([n.region for n in f.roots])
        )
    assert partial == [["us-east-1"]]
    assert sorted(n.region for n in fleet.roots) == ["eu-west-1", "us-east-1"]


def test_events_are_read_once_then_only_the_gap_and_merged_without_repeats():
    from datetime import datetime, timedelta, timezone

    from rdstui.core.events import Event, catch_up_minutes, merge

    now = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert catch_up_minutes(None, now, first=1440) == 1440
    assert catch_up_minutes(now - timedelta(seconds=30), now, first=1440) == 2
    assert catch_up_minutes(now - timedelta(days=3), now, first=1440) == 1440
    old = Event(now - timedelta(hours=1), "us-east-1", "db", "db-instance", "Backing up")
    new = Event(now, "us-east-1", "db", "db-instance", "Finished backup")
    assert merge([old], [new, old]) == [new, old]
    assert merge([old], [new], limit=1) == [new]
