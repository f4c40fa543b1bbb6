"""The demo fleet, checked over HTTP with boto3 against what AWS would hold."""

from __future__ import annotations

import asyncio
import statistics
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support import ACCOUNT, START, Clock, arn

from rdstui.core.session import SessionFactory
from rdstui.core.target import ISOLATED_SESSION_VARS, AwsTarget
from rdstui.demo import DemoFleet


@pytest.fixture(scope="module")
def clock() -> Clock:
    """One clock for the module's one fleet."""
    return Clock(START)


@pytest.fixture(scope="module")
def fleet(moto_endpoint: str, clock: Clock):
    """One demo fleet on the session's moto server for the whole module."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()
    demo = DemoFleet(endpoint_url=moto_endpoint, clock=clock).start()
    yield demo
    demo.stop()


@pytest.fixture(scope="module")
def aws(fleet: DemoFleet):
    session = boto3.session.Session(
        botocore_session=botocore.session.Session(session_vars=ISOLATED_SESSION_VARS),
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
    )
    # max_attempts counts retries (1 = two tries); total_max_attempts counts tries.
    config = Config(retries={"mode": "standard", "total_max_attempts": 1}, disable_request_compression=True)
    clients: dict[tuple[str, str], Any] = {}

    def make(service: str, region: str = "us-east-1"):
        if (service, region) not in clients:
            clients[service, region] = session.client(
                service, region_name=region, endpoint_url=fleet.endpoint_url, config=config
            )
        return clients[service, region]

    return make


def instances(aws, region: str) -> dict[str, dict]:
    return {d["DBInstanceIdentifier"]: d for d in aws("rds", region).describe_db_instances()["DBInstances"]}


def clusters(aws, region: str) -> dict[str, dict]:
    return {c["DBClusterIdentifier"]: c for c in aws("rds", region).describe_db_clusters()["DBClusters"]}


def lag_values(aws, region: str, metric: str, dims, ident: str, unit: str, now: datetime, minutes: int = 60) -> list[float]:
    """Oldest first, one per minute. `dims`: a dimension name (its value `ident`) or a tuple of (name, value)."""
    dimensions = [{"Name": dims, "Value": ident}] if isinstance(dims, str) else [{"Name": n, "Value": v} for n, v in dims]
    result = aws("cloudwatch", region).get_metric_data(
        MetricDataQueries=[
            {
                "Id": "q",
                "MetricStat": {
                    "Metric": {"Namespace": "AWS/RDS", "MetricName": metric, "Dimensions": dimensions},
                    "Period": 60,
                    "Stat": "Average",
                    "Unit": unit,
                },
            }
        ],
        StartTime=now - timedelta(minutes=minutes),
        EndTime=now + timedelta(seconds=1),
        ScanBy="TimestampAscending",
    )["MetricDataResults"][0]
    return result["Values"]


# --------------------------------------------------------------------------- topology


GREEN = "billing-mysql-green-"  # moto adds a random suffix, seeded by the demo
EXPECTED_INSTANCES = {
    "us-east-1": {
        "orders-pg", "orders-pg-ro1", "orders-pg-ro1-cascade",
        "payments-use1-a", "payments-use1-b", "payments-use1-c",
        "inventory-maz-instance-1", "inventory-maz-instance-2", "inventory-maz-instance-3",
        "search-aurora-a", "search-aurora-b", "orders-aurora-pg-a", "billing-mysql", GREEN,
    },
    "us-west-2": {
        "orders-pg-dr", "payments-usw2-a", "payments-usw2-b",
        "catalog-mysql", "catalog-mysql-ro-spiky", "catalog-mysql-ro-drift", "catalog-mysql-ro-broken",
        "sessions-sv2-1", "sessions-sv2-2",
    },
    "eu-west-1": {"legacy-reports", "payments-euw1-a", "search-aurora-euw1-a", "reports-pg-staging"},
}
EXPECTED_CLUSTERS = {
    "us-east-1": {"payments-use1", "inventory-maz", "search-aurora", "orders-aurora-pg"},
    "us-west-2": {"payments-usw2", "sessions-sv2"},
    "eu-west-1": {"payments-euw1", "search-aurora-euw1"},
}


def shown(names) -> set[str]:
    """Identifiers with the green's random suffix cut, to compare with EXPECTED_*."""
    return {GREEN if name.startswith(GREEN) else name for name in names}


def test_identifiers_per_region(fleet, aws):
    assert fleet.REGIONS == ("us-east-1", "us-west-2", "eu-west-1")
    for region in fleet.REGIONS:
        assert shown(instances(aws, region)) == EXPECTED_INSTANCES[region]
        assert set(clusters(aws, region)) == EXPECTED_CLUSTERS[region]


def test_every_instance_looks_like_aws(fleet, aws):
    dbi_ids = set()
    for region in fleet.REGIONS:
        for ident, db in instances(aws, region).items():
            assert db["AvailabilityZone"].startswith(region), ident
            assert db["DBInstanceStatus"] == ("stopped" if ident == "reports-pg-staging" else "available")
            assert db["Endpoint"]["Address"].startswith(f"{ident}.") and region in db["Endpoint"]["Address"]
            assert db["DBInstanceClass"].startswith("db.")
            dbi_ids.add(db["DbiResourceId"])
        for ident, cluster in clusters(aws, region).items():
            assert cluster["Status"] == "available", ident
            assert cluster["Endpoint"].startswith(f"{ident}.cluster-")
    assert len(dbi_ids) == sum(len(ids) for ids in EXPECTED_INSTANCES.values())


def test_engine_versions(aws):
    east = instances(aws, "us-east-1")
    assert (east["orders-pg"]["Engine"], east["orders-pg"]["EngineVersion"]) == ("postgres", "16.4")
    assert east["payments-use1-a"]["EngineVersion"] == "15.8"
    assert east["search-aurora-a"]["EngineVersion"] == "8.0.mysql_aurora.3.07.1"
    assert instances(aws, "us-west-2")["catalog-mysql"]["EngineVersion"] == "8.0.39"


def test_multi_az_primary_has_standby_zone(aws):
    db = instances(aws, "us-east-1")["orders-pg"]
    assert db["MultiAZ"] is True
    assert db["AvailabilityZone"] == "us-east-1a"
    assert db["SecondaryAvailabilityZone"] == "us-east-1b"
    # Single-AZ instances have no standby zone.
    assert "SecondaryAvailabilityZone" not in instances(aws, "us-east-1")["orders-pg-ro1"]
    assert instances(aws, "us-east-1")["orders-pg-ro1"]["MultiAZ"] is False


def test_replica_tree(aws):
    east = instances(aws, "us-east-1")
    west = instances(aws, "us-west-2")
    source = east["orders-pg"]
    dr_arn = arn("us-west-2", "db", "orders-pg-dr")
    assert set(source["ReadReplicaDBInstanceIdentifiers"]) == {"orders-pg-ro1", dr_arn}
    assert east["orders-pg-ro1"]["ReadReplicaSourceDBInstanceIdentifier"] == "orders-pg"
    # Cascading replica: its source is the replica.
    assert east["orders-pg-ro1-cascade"]["ReadReplicaSourceDBInstanceIdentifier"] == "orders-pg-ro1"
    assert east["orders-pg-ro1"]["ReadReplicaDBInstanceIdentifiers"] == ["orders-pg-ro1-cascade"]
    # Cross-region replica: in a us-west-2 zone, its source given by ARN.
    dr = west["orders-pg-dr"]
    assert dr["AvailabilityZone"].startswith("us-west-2")
    assert dr["ReadReplicaSourceDBInstanceIdentifier"] == arn("us-east-1", "db", "orders-pg")
    assert set(west["catalog-mysql"]["ReadReplicaDBInstanceIdentifiers"]) == {
        "catalog-mysql-ro-spiky",
        "catalog-mysql-ro-drift",
        "catalog-mysql-ro-broken",
    }
    # Every replica reports its replication; the broken one as AWS reports an error.
    assert west["catalog-mysql-ro-drift"]["StatusInfos"] == [
        {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
    ]
    (broken,) = west["catalog-mysql-ro-broken"]["StatusInfos"]
    assert (broken["Status"], broken["Normal"]) == ("error", False) and "Error 1062" in broken["Message"]
    assert "StatusInfos" not in west["catalog-mysql"]
    # An Aurora PostgreSQL replica cluster of an RDS PostgreSQL instance, listed by its source.
    assert source["ReadReplicaDBClusterIdentifiers"] == ["orders-aurora-pg"]
    aurora = clusters(aws, "us-east-1")["orders-aurora-pg"]
    assert aurora["ReplicationSourceIdentifier"] == arn("us-east-1", "db", "orders-pg")


def test_blue_green_serverless_and_stopped(aws, clock):
    east = aws("rds", "us-east-1")
    (deployment,) = east.describe_blue_green_deployments()["BlueGreenDeployments"]
    assert deployment["BlueGreenDeploymentName"] == "billing-mysql-8-4" and deployment["Status"] == "AVAILABLE"
    assert deployment["Source"] == arn("us-east-1", "db", "billing-mysql")
    green_id = deployment["Target"].split(":")[-1]
    green = instances(aws, "us-east-1")[green_id]
    assert green_id.startswith(GREEN) and green["EngineVersion"] == "8.4.3"
    assert green["ReadReplicaSourceDBInstanceIdentifier"] == "billing-mysql"  # kept in sync from blue
    sv2 = clusters(aws, "us-west-2")["sessions-sv2"]
    assert sv2["ServerlessV2ScalingConfiguration"] == {"MinCapacity": 0.5, "MaxCapacity": 16.0}
    assert {instances(aws, "us-west-2")[m["DBInstanceIdentifier"]]["DBInstanceClass"] for m in sv2["DBClusterMembers"]} == {"db.serverless"}
    stopped = instances(aws, "eu-west-1")["reports-pg-staging"]
    assert stopped["DBInstanceStatus"] == "stopped"
    restart = stopped["AutomaticRestartTime"]
    assert timedelta(days=4) < restart - clock.now < timedelta(days=5), "7 days after it was stopped, 2 days ago"
    # No logs shipped while stopped: the restorable time is where it stopped.
    assert clock.now - stopped["LatestRestorableTime"] > timedelta(days=2)


def test_global_database(aws):
    globals_ = aws("rds", "us-east-1").describe_global_clusters()["GlobalClusters"]
    payments = next(g for g in globals_ if g["GlobalClusterIdentifier"] == "payments-global")
    members = payments["GlobalClusterMembers"]
    assert [m["DBClusterArn"] for m in members] == [
        arn("us-east-1", "cluster", "payments-use1"),
        arn("us-west-2", "cluster", "payments-usw2"),
        arn("eu-west-1", "cluster", "payments-euw1"),
    ]
    assert [m["IsWriter"] for m in members] == [True, False, False]
    primary = clusters(aws, "us-east-1")["payments-use1"]
    writers = [m["DBInstanceIdentifier"] for m in primary["DBClusterMembers"] if m["IsClusterWriter"]]
    assert writers == ["payments-use1-a"]
    assert len(primary["DBClusterMembers"]) == 3
    east = instances(aws, "us-east-1")
    assert len({east[f"payments-use1-{x}"]["AvailabilityZone"] for x in "abc"}) == 3
    for region, cid, count in (("us-west-2", "payments-usw2", 2), ("eu-west-1", "payments-euw1", 1)):
        secondary = clusters(aws, region)[cid]
        assert secondary["GlobalClusterIdentifier"] == "payments-global"
        assert len(secondary["DBClusterMembers"]) == count
        # A secondary cluster has no writer.
        assert not any(m["IsClusterWriter"] for m in secondary["DBClusterMembers"])


def test_multi_az_db_cluster(aws):
    cluster = clusters(aws, "us-east-1")["inventory-maz"]
    assert cluster["Engine"] == "mysql"
    assert cluster["DBClusterInstanceClass"] == "db.m6gd.large"
    members = cluster["DBClusterMembers"]
    assert len(members) == 3
    assert sum(m["IsClusterWriter"] for m in members) == 1
    east = instances(aws, "us-east-1")
    zones = {east[m["DBInstanceIdentifier"]]["AvailabilityZone"] for m in members}
    assert zones == {"us-east-1a", "us-east-1b", "us-east-1c"}


def test_aurora_cross_region_replica_cluster(aws):
    source = clusters(aws, "us-east-1")["search-aurora"]
    replica = clusters(aws, "eu-west-1")["search-aurora-euw1"]
    assert source["ReadReplicaIdentifiers"] == [arn("eu-west-1", "cluster", "search-aurora-euw1")]
    assert replica["ReplicationSourceIdentifier"] == arn("us-east-1", "cluster", "search-aurora")
    assert [m["IsClusterWriter"] for m in source["DBClusterMembers"]] == [True, False]


def test_backups_and_restore_times(fleet, aws, clock):
    legacy = instances(aws, "eu-west-1")["legacy-reports"]
    assert legacy["BackupRetentionPeriod"] == 0
    assert "LatestRestorableTime" not in legacy
    assert legacy["MultiAZ"] is False
    orders = instances(aws, "us-east-1")["orders-pg"]
    assert orders["BackupRetentionPeriod"] == 7
    behind = clock.now - orders["LatestRestorableTime"]
    assert timedelta(minutes=1) < behind < timedelta(minutes=10)
    assert orders["InstanceCreateTime"] < clock.now - timedelta(days=300)
    payments = clusters(aws, "us-east-1")["payments-use1"]
    assert timedelta(minutes=1) < clock.now - payments["LatestRestorableTime"] < timedelta(minutes=10)


def test_snapshots_and_events_are_in_the_past(aws, clock):
    east = aws("rds", "us-east-1")
    manual = east.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]
    assert {"orders-pg-before-pg16-upgrade", "orders-pg-weekly-manual"} <= {s["DBSnapshotIdentifier"] for s in manual}
    cluster_snaps = east.describe_db_cluster_snapshots()["DBClusterSnapshots"]
    assert "payments-use1-pre-migration" in {s["DBClusterSnapshotIdentifier"] for s in cluster_snaps}
    for snap in manual + cluster_snaps:
        assert snap["SnapshotCreateTime"] < clock.now - timedelta(minutes=30)
    # Aurora members have no instance snapshots of their own.
    assert not any(s["DBInstanceIdentifier"].startswith("payments-") for s in east.describe_db_snapshots()["DBSnapshots"])
    events = east.describe_events()["Events"]
    assert events and all(e["Date"] < clock.now for e in events)
    assert any(e["SourceIdentifier"] == "orders-pg" and "failover" in e["EventCategories"] for e in events)


# --------------------------------------------------------------------------- metrics


def by_id(name: str, ident: str):
    return ((name, ident),)


# (region, metric, dimensions, identifier, unit): the dimension sets AWS publishes under.
LAG_SERIES = [
    ("us-east-1", "ReplicaLag", "DBInstanceIdentifier", "orders-pg-ro1", "Seconds"),
    ("us-east-1", "ReplicaLag", "DBInstanceIdentifier", "orders-pg-ro1-cascade", "Seconds"),
    ("us-west-2", "ReplicaLag", "DBInstanceIdentifier", "orders-pg-dr", "Seconds"),
    ("us-west-2", "ReplicaLag", "DBInstanceIdentifier", "catalog-mysql-ro-spiky", "Seconds"),
    ("us-west-2", "ReplicaLag", "DBInstanceIdentifier", "catalog-mysql-ro-drift", "Seconds"),
    ("us-east-1", "ReplicaLag", "DBInstanceIdentifier", "inventory-maz-instance-2", "Seconds"),
    ("us-east-1", "ReplicaLag", "DBInstanceIdentifier", "inventory-maz-instance-3", "Seconds"),
    ("us-east-1", "AuroraReplicaLag", "DBInstanceIdentifier", "payments-use1-b", "Milliseconds"),
    ("us-east-1", "AuroraReplicaLag", "DBInstanceIdentifier", "search-aurora-b", "Milliseconds"),
    ("us-west-2", "AuroraGlobalDBReplicationLag", (("DBClusterIdentifier", "payments-usw2"), ("SourceRegion", "us-east-1")), "payments-usw2", "Milliseconds"),
    ("eu-west-1", "AuroraGlobalDBReplicationLag", (("DBClusterIdentifier", "payments-euw1"), ("SourceRegion", "us-east-1")), "payments-euw1", "Milliseconds"),
    ("us-west-2", "AuroraGlobalDBRPOLag", (("DBClusterIdentifier", "payments-usw2"), ("SourceRegion", "us-east-1")), "payments-usw2", "Milliseconds"),
    ("eu-west-1", "AuroraBinlogReplicaLag", (("DBClusterIdentifier", "search-aurora-euw1"), ("Role", "WRITER")), "search-aurora-euw1", "Seconds"),
    ("us-east-1", "RDSToAuroraPostgreSQLReplicaLag", (("DBClusterIdentifier", "orders-aurora-pg"), ("Role", "WRITER")), "orders-aurora-pg", "Seconds"),
]


@pytest.mark.parametrize("region,metric,dims,ident,unit", LAG_SERIES, ids=[f"{s[1]}-{s[3]}" for s in LAG_SERIES])
def test_lag_series_backfilled(aws, clock, region, metric, dims, ident, unit):
    values = lag_values(aws, region, metric, dims, ident, unit, clock.now)
    assert len(values) >= 60
    assert all(v >= 0 for v in values)
    if metric == "AuroraReplicaLag":
        assert all(5 <= v <= 60 for v in values)
    if metric.startswith("AuroraGlobalDB"):
        assert all(90 <= v <= 1100 for v in values)


def test_a_broken_replica_reports_lag_minus_one(aws, clock):
    values = lag_values(aws, "us-west-2", "ReplicaLag", "DBInstanceIdentifier", "catalog-mysql-ro-broken", "Seconds", clock.now)
    assert len(values) >= 60 and set(values) == {-1.0}


def published(aws, region: str) -> dict[str, set[tuple[tuple[str, str], ...]]]:
    """Metric name -> every dimension set it is published under in `region`."""
    found: dict[str, set[tuple[tuple[str, str], ...]]] = {}
    for page in aws("cloudwatch", region).get_paginator("list_metrics").paginate(Namespace="AWS/RDS"):
        for metric in page["Metrics"]:
            dims = tuple((d["Name"], d["Value"]) for d in metric["Dimensions"])
            found.setdefault(metric["MetricName"], set()).add(dims)
    return found


def test_lag_metrics_only_for_replicas(fleet, aws):
    lagging = set()
    for region in fleet.REGIONS:
        for name, sets in published(aws, region).items():
            if name.endswith("Lag"):
                lagging |= {(region, name, dims) for dims in sets}
    green = next(ident for _, _, dims in lagging for _, ident in dims if ident.startswith(GREEN))

    def as_dims(dims, ident):
        return ((dims, ident),) if isinstance(dims, str) else dims

    expected = {(s[0], s[1], as_dims(s[2], s[3])) for s in LAG_SERIES} | {
        ("us-west-2", "ReplicaLag", by_id("DBInstanceIdentifier", "catalog-mysql-ro-broken")),
        ("us-east-1", "ReplicaLag", by_id("DBInstanceIdentifier", green)),
        ("us-east-1", "AuroraReplicaLag", by_id("DBInstanceIdentifier", "payments-use1-c")),
        ("us-west-2", "AuroraReplicaLag", by_id("DBInstanceIdentifier", "payments-usw2-a")),
        ("us-west-2", "AuroraReplicaLag", by_id("DBInstanceIdentifier", "payments-usw2-b")),
        ("eu-west-1", "AuroraReplicaLag", by_id("DBInstanceIdentifier", "payments-euw1-a")),
        ("us-west-2", "AuroraReplicaLag", by_id("DBInstanceIdentifier", "sessions-sv2-2")),
        # The global lags also under SourceRegion alone; binlog and RDS-to-Aurora lag per cluster too.
        ("us-west-2", "AuroraGlobalDBReplicationLag", by_id("SourceRegion", "us-east-1")),
        ("eu-west-1", "AuroraGlobalDBReplicationLag", by_id("SourceRegion", "us-east-1")),
        ("us-west-2", "AuroraGlobalDBRPOLag", by_id("SourceRegion", "us-east-1")),
        ("eu-west-1", "AuroraGlobalDBRPOLag", by_id("SourceRegion", "us-east-1")),
        ("eu-west-1", "AuroraGlobalDBRPOLag", (("DBClusterIdentifier", "payments-euw1"), ("SourceRegion", "us-east-1"))),
        ("eu-west-1", "AuroraBinlogReplicaLag", by_id("DBClusterIdentifier", "search-aurora-euw1")),
        ("us-east-1", "RDSToAuroraPostgreSQLReplicaLag", by_id("DBClusterIdentifier", "orders-aurora-pg")),
    }
    assert lagging == expected


def test_every_instance_has_the_host_metrics_of_its_engine(fleet, aws, clock):
    for region in fleet.REGIONS:
        names = {name: {dims[0][1] for dims in sets} for name, sets in published(aws, region).items()}
        running = {i for i in EXPECTED_INSTANCES[region] if i != "reports-pg-staging"}  # a stopped one publishes nothing
        for metric in ("CPUUtilization", "DatabaseConnections"):
            assert running <= shown(names[metric]), (region, metric)
        aurora = {i for i in running if i.startswith(("payments-", "search-aurora-", "orders-aurora-pg-", "sessions-sv2-"))}
        serverless = {i for i in running if i.startswith("sessions-sv2-")}
        assert shown(names.get("FreeStorageSpace", ())) == running - aurora, "Aurora does not publish FreeStorageSpace"
        assert shown(names.get("FreeLocalStorage", ())) == aurora - serverless
        assert shown(names.get("ServerlessDatabaseCapacity", ())) == serverless == shown(names.get("ACUUtilization", ()))
    cpu = lag_values(aws, "us-east-1", "CPUUtilization", "DBInstanceIdentifier", "orders-pg", "Percent", clock.now)
    assert len(cpu) >= 60 and all(0 < v <= 100 for v in cpu)


def test_drift_and_spiky_replicas(aws, clock):
    drift = lag_values(aws, "us-west-2", "ReplicaLag", "DBInstanceIdentifier", "catalog-mysql-ro-drift", "Seconds", clock.now)
    assert drift[-1] > 30
    assert drift[-1] > drift[len(drift) // 2] > drift[0]
    spiky = lag_values(aws, "us-west-2", "ReplicaLag", "DBInstanceIdentifier", "catalog-mysql-ro-spiky", "Seconds", clock.now)
    assert statistics.median(spiky) < 5
    assert max(spiky) >= 60


def test_tick_adds_exactly_the_new_minutes(fleet, aws, clock):
    from moto.backends import get_backend

    def stored() -> int:
        cloudwatch = get_backend("cloudwatch")[ACCOUNT]
        return sum(len(cloudwatch[region].metric_data) for region in fleet.REGIONS)

    ident = ("us-west-2", "ReplicaLag", "DBInstanceIdentifier", "orders-pg-dr", "Seconds")
    before_total = stored()
    # One datum a minute per series and dimension set it is published under.
    series = sum(len(state.spec.key.dimension_sets) for state in fleet.simulator.states.values())
    before = lag_values(aws, *ident, clock.now, minutes=120)
    fleet.tick(clock.now)  # nothing new within the same minute
    assert stored() == before_total
    clock.now += timedelta(minutes=5)
    fleet.tick()
    after = lag_values(aws, *ident, clock.now, minutes=120)
    assert len(after) == len(before) + 5
    assert stored() == before_total + 5 * series
    # LatestRestorableTime follows the clock.
    orders = instances(aws, "us-east-1")["orders-pg"]
    assert timedelta(minutes=1) < clock.now - orders["LatestRestorableTime"] < timedelta(minutes=10)


def test_history_is_pruned(fleet, clock):
    from moto.backends import get_backend

    clock.now += timedelta(hours=3)
    fleet.tick()
    oldest = clock.now.replace(tzinfo=None) - timedelta(hours=2, minutes=1)
    for region in fleet.REGIONS:
        points = get_backend("cloudwatch")[ACCOUNT][region].metric_data
        assert points and min(p.timestamp for p in points) >= oldest


async def test_run_simulator_ticks_until_cancelled(fleet, clock):
    calls = []
    original = fleet.tick
    fleet.tick = lambda now=None: calls.append(now)  # type: ignore[method-assign]
    try:
        task = asyncio.create_task(fleet.run_simulator(interval=0.01))
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        del fleet.tick
    assert fleet.tick == original
    assert len(calls) >= 2


async def test_target_works_with_the_session_factory(fleet):
    assert isinstance(fleet.target, AwsTarget)
    assert fleet.target.endpoint_url == fleet.endpoint_url and fleet.target.is_local
    async with SessionFactory(fleet.target) as factory:
        rds = await factory.client("rds", "eu-west-1")
        found = await rds.describe_db_instances(DBInstanceIdentifier="legacy-reports")
        assert found["DBInstances"][0]["BackupRetentionPeriod"] == 0


# --------------------------------------------------------------------------- faults


def test_break_and_heal_region(fleet, aws):
    try:
        fleet.break_region("us-west-2")
        with pytest.raises(ClientError) as caught:
            aws("rds", "us-west-2").describe_db_instances()
        error = caught.value.response
        assert error["Error"]["Code"] == "Throttling"
        assert error["Error"]["Message"] == "Rate exceeded"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        with pytest.raises(ClientError) as caught:
            aws("cloudwatch", "us-west-2").list_metrics(Namespace="AWS/RDS")
        assert caught.value.response["Error"]["Code"] == "Throttling"
        # Other regions carry on.
        assert "orders-pg" in instances(aws, "us-east-1")
        assert aws("cloudwatch", "eu-west-1").list_metrics(Namespace="AWS/RDS")["Metrics"]
        fleet.break_region("eu-west-1", "AccessDenied", "User is not authorized to perform: rds:DescribeDBInstances")
        with pytest.raises(ClientError) as caught:
            aws("rds", "eu-west-1").describe_db_clusters()
        assert caught.value.response["Error"]["Code"] == "AccessDenied"
    finally:
        fleet.heal_region("us-west-2")
        fleet.heal_region("eu-west-1")
    assert "catalog-mysql" in instances(aws, "us-west-2")
    assert "legacy-reports" in instances(aws, "eu-west-1")


# --------------------------------------------------------------------------- state changes


def test_promoted_replica_stops_getting_lag(fleet, aws, clock):
    aws("rds", "us-east-1").promote_read_replica(DBInstanceIdentifier="orders-pg-ro1-cascade")
    clock.now += timedelta(minutes=4)
    fleet.tick()
    lag = ("us-east-1", "ReplicaLag", "DBInstanceIdentifier")
    assert lag_values(aws, *lag, "orders-pg-ro1-cascade", "Seconds", clock.now, minutes=4) == []
    assert len(lag_values(aws, *lag, "orders-pg-ro1", "Seconds", clock.now, minutes=4)) == 4
    # Still an instance: its host metrics go on.
    cpu = lag_values(aws, "us-east-1", "CPUUtilization", "DBInstanceIdentifier", "orders-pg-ro1-cascade", "Percent", clock.now, minutes=4)
    assert len(cpu) == 4


def test_own_server_lifecycle():
    """Last in the module: a fresh server resets moto's process-wide RDS state."""
    frozen = datetime(2025, 1, 6, 9, 30, tzinfo=timezone.utc)
    with DemoFleet(seed=7, clock=lambda: frozen, backfill_minutes=10).start() as demo:
        assert demo.start_seconds is not None and demo.start_seconds < 3.0
        url = demo.endpoint_url
        assert url.startswith("http://127.0.0.1:")
        rds = demo.client("rds", "us-west-2")
        assert len(rds.describe_db_instances()["DBInstances"]) == len(EXPECTED_INSTANCES["us-west-2"])
        drift = demo.simulator.states
        assert all(state.last == frozen.replace(tzinfo=None, second=0) for state in drift.values())
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
    # moto's state is process-wide: a second demo in the same process starts clean.
    with DemoFleet(backfill_minutes=0).start() as again:
        assert again.endpoint_url != url
        assert len(again.client("rds", "eu-west-1").describe_db_instances()["DBInstances"]) == 4
