"""The demo's actions over HTTP (boto3): state changes over demo time, as AWS does it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from support import ACCOUNT, START, Clock, arn

from rdstui.demo import DemoFleet, operations


def wait(demo: DemoFleet, clock: Clock, seconds: float, step: float = 5) -> None:
    """Step the demo clock and tick, as the console's simulator loop does."""
    end = clock.now + timedelta(seconds=seconds)
    while clock.now < end:
        clock.now = min(end, clock.now + timedelta(seconds=step))
        demo.tick()


def instance(demo: DemoFleet, region: str, ident: str) -> dict[str, Any]:
    return demo.client("rds", region).describe_db_instances(DBInstanceIdentifier=ident)["DBInstances"][0]


def cluster(demo: DemoFleet, region: str, ident: str) -> dict[str, Any]:
    return demo.client("rds", region).describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]


def global_cluster(demo: DemoFleet) -> dict[str, Any]:
    (found,) = demo.client("rds", "us-east-1").describe_global_clusters()["GlobalClusters"]
    return found


def writers(record: dict[str, Any]) -> list[str]:
    return [m["DBInstanceIdentifier"] for m in record["DBClusterMembers"] if m["IsClusterWriter"]]


def events(demo: DemoFleet, region: str, source: str | None = None) -> list[str]:
    found = demo.client("rds", region).describe_events()["Events"]
    return [e["Message"] for e in found if source is None or e["SourceIdentifier"] == source]


def event_times(demo: DemoFleet, region: str, source: str) -> dict[str, datetime]:
    found = demo.client("rds", region).describe_events()["Events"]
    return {e["Message"]: e["Date"] for e in found if e["SourceIdentifier"] == source}


def error_code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return caught.value.response["Error"]["Code"]


# --------------------------------------------------------------------------- instance failover


def test_reboot_with_failover_swaps_zones_over_seconds(demo, clock):
    east = demo.client("rds", "us-east-1")
    answer = east.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)["DBInstance"]
    assert answer["DBInstanceStatus"] == "rebooting"
    assert (answer["AvailabilityZone"], answer["SecondaryAvailabilityZone"]) == ("us-east-1a", "us-east-1b")
    wait(demo, clock, 10)
    db = instance(demo, "us-east-1", "orders-pg")
    assert db["DBInstanceStatus"] == "rebooting" and db["AvailabilityZone"] == "us-east-1a"
    wait(demo, clock, 10)  # 20 s: the standby has taken over
    db = instance(demo, "us-east-1", "orders-pg")
    assert (db["AvailabilityZone"], db["SecondaryAvailabilityZone"]) == ("us-east-1b", "us-east-1a")
    assert db["DBInstanceStatus"] == "rebooting"
    wait(demo, clock, 10)  # 30 s
    db = instance(demo, "us-east-1", "orders-pg")
    assert db["DBInstanceStatus"] == "available"
    assert (db["AvailabilityZone"], db["SecondaryAvailabilityZone"]) == ("us-east-1b", "us-east-1a")
    times = event_times(demo, "us-east-1", "orders-pg")
    started = times["Multi-AZ instance failover started."]
    assert started == START.replace(microsecond=0)
    assert times["Multi-AZ instance failover completed."] - started == timedelta(seconds=30)
    assert "Multi-AZ failover to standby complete - DNS propagation may take a few minutes." in times
    # Fidelity keeps the swapped zones on later ticks.
    wait(demo, clock, 60, step=30)
    assert instance(demo, "us-east-1", "orders-pg")["AvailabilityZone"] == "us-east-1b"


def test_reboot_refusals_as_aws(demo, clock):
    east = demo.client("rds", "us-east-1")
    with pytest.raises(ClientError) as caught:
        east.reboot_db_instance(DBInstanceIdentifier="orders-pg-ro1", ForceFailover=True)
    assert error_code(caught) == "InvalidParameterCombination"
    assert instance(demo, "us-east-1", "orders-pg-ro1")["DBInstanceStatus"] == "available"
    with pytest.raises(ClientError) as caught:
        east.reboot_db_instance(DBInstanceIdentifier="no-such-db", ForceFailover=True)
    assert error_code(caught) == "DBInstanceNotFound"
    east.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
    with pytest.raises(ClientError) as caught:  # a second one while it reboots
        east.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
    assert error_code(caught) == "InvalidDBInstanceState"
    # A plain reboot: rebooting, then available, zones unchanged.
    euw1 = demo.client("rds", "eu-west-1")
    assert euw1.reboot_db_instance(DBInstanceIdentifier="legacy-reports")["DBInstance"]["DBInstanceStatus"] == "rebooting"
    wait(demo, clock, 15)
    legacy = instance(demo, "eu-west-1", "legacy-reports")
    assert legacy["DBInstanceStatus"] == "available" and legacy["AvailabilityZone"] == "eu-west-1c"


# --------------------------------------------------------------------------- promote


def test_promote_replica_stands_alone_and_source_forgets_it(demo, clock):
    east = demo.client("rds", "us-east-1")
    assert east.promote_read_replica(DBInstanceIdentifier="orders-pg-ro1")["DBInstance"]["DBInstanceStatus"] == "modifying"
    wait(demo, clock, 30)
    ro1 = instance(demo, "us-east-1", "orders-pg-ro1")
    assert ro1["DBInstanceStatus"] == "modifying"
    assert ro1["ReadReplicaSourceDBInstanceIdentifier"] == "orders-pg"
    wait(demo, clock, 15)
    assert instance(demo, "us-east-1", "orders-pg-ro1")["DBInstanceStatus"] == "rebooting"
    wait(demo, clock, 20)  # 65 s
    ro1 = instance(demo, "us-east-1", "orders-pg-ro1")
    assert ro1["DBInstanceStatus"] == "available"
    assert "ReadReplicaSourceDBInstanceIdentifier" not in ro1
    # Its own cascading replica stays with it; its source no longer lists it.
    assert ro1["ReadReplicaDBInstanceIdentifiers"] == ["orders-pg-ro1-cascade"]
    assert instance(demo, "us-east-1", "orders-pg")["ReadReplicaDBInstanceIdentifiers"] == [
        arn("us-west-2", "db", "orders-pg-dr")
    ]
    assert "Promoted Read Replica to a stand-alone database instance." in events(demo, "us-east-1", "orders-pg-ro1")
    with pytest.raises(ClientError) as caught:  # no longer a replica
        east.promote_read_replica(DBInstanceIdentifier="orders-pg-ro1")
    assert error_code(caught) == "InvalidDBInstanceState"


def test_promote_cross_region_replica(demo, clock):
    demo.client("rds", "us-west-2").promote_read_replica(DBInstanceIdentifier="orders-pg-dr", BackupRetentionPeriod=3)
    wait(demo, clock, 65)
    dr = instance(demo, "us-west-2", "orders-pg-dr")
    assert "ReadReplicaSourceDBInstanceIdentifier" not in dr
    assert dr["BackupRetentionPeriod"] == 3
    assert instance(demo, "us-east-1", "orders-pg")["ReadReplicaDBInstanceIdentifiers"] == ["orders-pg-ro1"]


def test_promoted_replica_stops_lagging(demo, clock):
    from moto.backends import get_backend

    def lag_points(ident: str) -> int:
        data = get_backend("cloudwatch")[ACCOUNT]["us-east-1"].metric_data
        return sum(1 for d in data if d.name == "ReplicaLag" and d.dimensions[0].value == ident)

    demo.client("rds", "us-east-1").promote_read_replica(DBInstanceIdentifier="orders-pg-ro1")
    wait(demo, clock, 60, step=60)
    before = lag_points("orders-pg-ro1"), lag_points("orders-pg-ro1-cascade")
    wait(demo, clock, 180, step=60)
    assert lag_points("orders-pg-ro1") == before[0]  # no new points once it stands alone
    assert lag_points("orders-pg-ro1-cascade") == before[1] + 3  # its own replica still lags


def test_promote_cross_region_aurora_replica_cluster(demo, clock):
    euw1 = demo.client("rds", "eu-west-1")
    assert euw1.promote_read_replica_db_cluster(DBClusterIdentifier="search-aurora-euw1")["DBCluster"]["Status"] == "promoting"
    wait(demo, clock, 30)
    assert cluster(demo, "eu-west-1", "search-aurora-euw1")["Status"] == "promoting"
    wait(demo, clock, 20)
    replica = cluster(demo, "eu-west-1", "search-aurora-euw1")
    assert replica["Status"] == "available"
    assert "ReplicationSourceIdentifier" not in replica
    assert writers(replica) == ["search-aurora-euw1-a"]
    assert cluster(demo, "us-east-1", "search-aurora")["ReadReplicaIdentifiers"] == []
    with pytest.raises(ClientError) as caught:
        euw1.promote_read_replica_db_cluster(DBClusterIdentifier="payments-euw1")  # a global secondary
    assert error_code(caught) == "InvalidDBClusterStateFault"


def test_remove_global_secondary_stands_alone(demo, clock):
    euw1 = demo.client("rds", "eu-west-1")
    answer = euw1.remove_from_global_cluster(
        GlobalClusterIdentifier="payments-global", DbClusterIdentifier=arn("eu-west-1", "cluster", "payments-euw1")
    )
    assert answer["GlobalCluster"]["GlobalClusterIdentifier"] == "payments-global"
    assert cluster(demo, "eu-west-1", "payments-euw1")["Status"] == "modifying"
    wait(demo, clock, 35)
    alone = cluster(demo, "eu-west-1", "payments-euw1")
    assert alone["Status"] == "available"
    assert "GlobalClusterIdentifier" not in alone
    assert writers(alone) == ["payments-euw1-a"]
    members = [m["DBClusterArn"] for m in global_cluster(demo)["GlobalClusterMembers"]]
    assert members == [arn("us-east-1", "cluster", "payments-use1"), arn("us-west-2", "cluster", "payments-usw2")]
    with pytest.raises(ClientError) as caught:  # the primary can't leave while it has secondaries
        demo.client("rds", "us-east-1").remove_from_global_cluster(
            GlobalClusterIdentifier="payments-global", DbClusterIdentifier=arn("us-east-1", "cluster", "payments-use1")
        )
    assert error_code(caught) == "InvalidGlobalClusterStateFault"


# --------------------------------------------------------------------------- cluster failover


@pytest.mark.parametrize(
    "cluster_id,target,named",
    [("search-aurora", "search-aurora-b", True), ("inventory-maz", "inventory-maz-instance-2", False)],
    ids=["aurora-named-target", "mysql-multi-az-aws-picks"],
)
def test_cluster_failover_moves_the_writer(demo, clock, cluster_id, target, named):
    east = demo.client("rds", "us-east-1")
    old = writers(cluster(demo, "us-east-1", cluster_id))
    assert old != [target]
    chosen = {"TargetDBInstanceIdentifier": target} if named else {}
    answer = east.failover_db_cluster(DBClusterIdentifier=cluster_id, **chosen)
    assert answer["DBCluster"]["Status"] == "failing-over"
    assert writers(cluster(demo, "us-east-1", cluster_id)) == old  # not yet
    wait(demo, clock, 10)
    assert writers(cluster(demo, "us-east-1", cluster_id)) == [target]
    assert cluster(demo, "us-east-1", cluster_id)["Status"] == "failing-over"
    wait(demo, clock, 5)
    assert cluster(demo, "us-east-1", cluster_id)["Status"] == "available"
    messages = events(demo, "us-east-1", cluster_id)
    assert f"Completed failover to DB instance: {target}." in messages
    assert any(m.startswith(("Started cross AZ failover", "Started same AZ failover")) for m in messages)


def test_cluster_failover_refusals(demo):
    east = demo.client("rds", "us-east-1")
    with pytest.raises(ClientError) as caught:
        east.failover_db_cluster(DBClusterIdentifier="search-aurora", TargetDBInstanceIdentifier="nope")
    assert error_code(caught) == "InvalidParameterValue"
    with pytest.raises(ClientError) as caught:
        demo.client("rds", "us-west-2").failover_db_cluster(DBClusterIdentifier="payments-usw2")
    assert error_code(caught) == "InvalidDBClusterStateFault"
    # "This setting isn't supported for RDS for MySQL Multi-AZ DB clusters."
    with pytest.raises(ClientError) as caught:
        east.failover_db_cluster(DBClusterIdentifier="inventory-maz", TargetDBInstanceIdentifier="inventory-maz-instance-3")
    assert error_code(caught) == "InvalidParameterCombination"
    assert "MySQL Multi-AZ DB clusters" in caught.value.response["Error"]["Message"]


# --------------------------------------------------------------------------- global database


def sync(glob: dict) -> dict[str, str]:
    return {m["DBClusterArn"].split(":")[-1]: m["SynchronizationStatus"] for m in glob["GlobalClusterMembers"]}


def test_global_calls_sent_to_the_wrong_region_are_refused(demo):
    target = arn("us-west-2", "cluster", "payments-usw2")
    with pytest.raises(ClientError) as caught:  # a switchover runs in the primary's region
        demo.client("rds", "us-west-2").switchover_global_cluster(
            GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target
        )
    assert error_code(caught) == "InvalidParameterValue" and "us-east-1" in caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as caught:  # a failover with data loss in the target's
        demo.client("rds", "us-east-1").failover_global_cluster(
            GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target, AllowDataLoss=True
        )
    assert error_code(caught) == "InvalidParameterValue"
    with pytest.raises(ClientError) as caught:  # a member leaves from its own region
        demo.client("rds", "us-east-1").remove_from_global_cluster(
            GlobalClusterIdentifier="payments-global", DbClusterIdentifier=target
        )
    assert error_code(caught) == "InvalidParameterValue"
    assert global_cluster(demo)["Status"] == "available"


def test_global_switchover_moves_the_primary(demo, clock):
    use1 = demo.client("rds", "us-east-1")
    target = arn("us-west-2", "cluster", "payments-usw2")
    assert set(sync(global_cluster(demo)).values()) == {"connected"}
    answer = use1.switchover_global_cluster(GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target)
    glob = answer["GlobalCluster"]
    assert glob["Status"] == "switching-over"
    assert glob["FailoverState"] == {
        "Status": "pending",
        "FromDbClusterArn": arn("us-east-1", "cluster", "payments-use1"),
        "ToDbClusterArn": target,
        "IsDataLossAllowed": False,
    }
    wait(demo, clock, 20)
    glob = global_cluster(demo)
    assert glob["FailoverState"]["Status"] == "switching-over"
    assert not any(m["IsWriter"] for m in glob["GlobalClusterMembers"])  # old primary shut down
    assert sync(glob)["payments-use1"] == "pending-resync"
    assert writers(cluster(demo, "us-east-1", "payments-use1")) == []
    wait(demo, clock, 35)  # 55 s
    glob = global_cluster(demo)
    assert glob["Status"] == "available" and "FailoverState" not in glob
    roles = {m["DBClusterArn"].split(":")[-1]: m["IsWriter"] for m in glob["GlobalClusterMembers"]}
    assert roles == {"payments-use1": False, "payments-usw2": True, "payments-euw1": False}
    assert writers(cluster(demo, "us-west-2", "payments-usw2")) == ["payments-usw2-a"]
    assert writers(cluster(demo, "us-east-1", "payments-use1")) == []
    assert "Global switchover to DB cluster payments-usw2 in Region us-west-2 finished." in events(
        demo, "us-west-2", "payments-usw2"
    )
    assert "Old primary DB cluster payments-use1 in Region us-east-1 successfully shut down." in events(
        demo, "us-east-1", "payments-use1"
    )
    assert sync(glob)["payments-use1"] == "pending-resync"  # still catching up
    # Later ticks keep it so (fidelity treats the old primary as a secondary now), and in sync.
    wait(demo, clock, 120, step=60)
    assert set(sync(global_cluster(demo)).values()) == {"connected"}
    assert writers(cluster(demo, "us-east-1", "payments-use1")) == []
    assert writers(cluster(demo, "us-west-2", "payments-usw2")) == ["payments-usw2-a"]


def test_global_failover_with_data_loss(demo, clock):
    euw1 = demo.client("rds", "eu-west-1")
    target = arn("eu-west-1", "cluster", "payments-euw1")
    with pytest.raises(ClientError) as caught:
        euw1.failover_global_cluster(
            GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target, AllowDataLoss=True, Switchover=True
        )
    assert error_code(caught) == "InvalidParameterCombination"
    glob = euw1.failover_global_cluster(
        GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target, AllowDataLoss=True
    )["GlobalCluster"]
    assert glob["Status"] == "failing-over" and glob["FailoverState"]["IsDataLossAllowed"] is True
    with pytest.raises(ClientError) as caught:  # one at a time
        euw1.switchover_global_cluster(GlobalClusterIdentifier="payments-global", TargetDbClusterIdentifier=target)
    assert error_code(caught) == "InvalidGlobalClusterStateFault"
    wait(demo, clock, 30)
    glob = global_cluster(demo)
    assert glob["Status"] == "available"
    assert [m["DBClusterArn"] for m in glob["GlobalClusterMembers"] if m["IsWriter"]] == [target]
    assert writers(cluster(demo, "eu-west-1", "payments-euw1")) == ["payments-euw1-a"]
    assert "Global failover to DB cluster payments-euw1 in Region eu-west-1 completed." in events(
        demo, "eu-west-1", "payments-euw1"
    )


def test_global_errors(demo):
    usw2 = demo.client("rds", "us-west-2")
    with pytest.raises(ClientError) as caught:
        usw2.switchover_global_cluster(GlobalClusterIdentifier="nope", TargetDbClusterIdentifier="x")
    assert error_code(caught) == "GlobalClusterNotFoundFault"
    with pytest.raises(ClientError) as caught:
        usw2.switchover_global_cluster(
            GlobalClusterIdentifier="payments-global",
            TargetDbClusterIdentifier=arn("us-east-1", "cluster", "payments-use1"),
        )
    assert error_code(caught) == "InvalidParameterValue"  # already the primary


# --------------------------------------------------------------------------- snapshots


def test_instance_snapshot_creating_then_available(demo, clock):
    east = demo.client("rds", "us-east-1")
    snap = east.create_db_snapshot(DBInstanceIdentifier="orders-pg", DBSnapshotIdentifier="orders-pg-now")["DBSnapshot"]
    assert (snap["Status"], snap["PercentProgress"]) == ("creating", 0)
    assert snap["SnapshotCreateTime"] == START.replace(microsecond=0)
    assert instance(demo, "us-east-1", "orders-pg")["DBInstanceStatus"] == "backing-up"
    seen = []
    for _ in range(10):
        wait(demo, clock, 5)
        found = east.describe_db_snapshots(DBSnapshotIdentifier="orders-pg-now")["DBSnapshots"][0]
        seen.append((found["Status"], found["PercentProgress"]))
    assert seen[0][0] == "creating" and seen[-1] == ("available", 100)
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and len(set(progress)) >= 4
    assert instance(demo, "us-east-1", "orders-pg")["DBInstanceStatus"] == "available"
    messages = events(demo, "us-east-1", "orders-pg-now")
    assert messages[-2:] == ["Creating manual snapshot.", "Manual snapshot created."]
    with pytest.raises(ClientError) as caught:
        east.create_db_snapshot(DBInstanceIdentifier="orders-pg", DBSnapshotIdentifier="orders-pg-now")
    assert error_code(caught) == "DBSnapshotAlreadyExists"
    with pytest.raises(ClientError) as caught:  # an Aurora instance: snapshot the cluster
        east.create_db_snapshot(DBInstanceIdentifier="payments-use1-a", DBSnapshotIdentifier="nope")
    assert error_code(caught) == "InvalidParameterValue"


def test_cluster_snapshot_creating_then_available(demo, clock):
    east = demo.client("rds", "us-east-1")
    snap = east.create_db_cluster_snapshot(DBClusterIdentifier="payments-use1", DBClusterSnapshotIdentifier="pay-now")
    assert snap["DBClusterSnapshot"]["Status"] == "creating"
    wait(demo, clock, 15)
    found = east.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="pay-now")["DBClusterSnapshots"][0]
    assert found["Status"] == "creating" and 0 < found["PercentProgress"] < 100
    wait(demo, clock, 15)
    found = east.describe_db_cluster_snapshots(DBClusterSnapshotIdentifier="pay-now")["DBClusterSnapshots"][0]
    assert (found["Status"], found["PercentProgress"]) == ("available", 100)
    assert events(demo, "us-east-1", "pay-now")[-1] == "Manual cluster snapshot created."


# --------------------------------------------------------------------------- lifecycle


def test_steps_wait_for_the_clock_and_stop_with_the_demo(demo, clock):
    demo.client("rds", "us-east-1").reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
    due = [when for when, _ in operations.pending()]
    assert due == sorted(due) and due[0] > START
    demo.tick(START)  # nothing is due yet
    assert instance(demo, "us-east-1", "orders-pg")["AvailabilityZone"] == "us-east-1a"
    demo.stop()
    assert operations.pending() == [] and not operations.TIMELINE.active


async def test_simulator_ticks_faster_while_an_action_plays_out(demo, clock):
    import asyncio

    calls = []
    original = demo.tick
    demo.tick = lambda now=None: calls.append(now) or original(now)  # type: ignore[method-assign]
    try:
        task = asyncio.create_task(demo.run_simulator(interval=10, busy_interval=0.01))
        await asyncio.sleep(0.05)
        assert calls == []  # idle: start() has just ticked, so a long sleep first
        task.cancel()
        demo.client("rds", "us-east-1").reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
        task = asyncio.create_task(demo.run_simulator(interval=10, busy_interval=0.01))
        await asyncio.sleep(0.1)
        task.cancel()
        assert len(calls) >= 4
    finally:
        del demo.tick


# --------------------------------------------------------------------------- AWS's refusals


def test_no_snapshot_of_a_stopped_instance(demo):
    """CreateDBSnapshot: "The source DB instance must be in the available or storage-optimization state"."""
    euw1 = demo.client("rds", "eu-west-1")
    with pytest.raises(ClientError) as caught:
        euw1.create_db_snapshot(DBInstanceIdentifier="reports-pg-staging", DBSnapshotIdentifier="while-stopped")
    assert error_code(caught) == "InvalidDBInstanceState"
    taken = euw1.describe_db_snapshots(DBInstanceIdentifier="reports-pg-staging")["DBSnapshots"]
    assert "while-stopped" not in {s["DBSnapshotIdentifier"] for s in taken}


def test_rds_custom_refuses_reboot_and_promote(demo):
    """RebootDBInstance and PromoteReadReplica "don't apply to RDS Custom" (the API reference).
    moto does not create custom engines, so an instance is made one in its backend."""
    from rdstui.demo.fidelity import rds_backends

    rds_backends()["us-east-1"].databases["orders-pg-ro1"].engine = "custom-oracle-ee"
    east = demo.client("rds", "us-east-1")
    for call in (
        lambda: east.reboot_db_instance(DBInstanceIdentifier="orders-pg-ro1"),
        lambda: east.promote_read_replica(DBInstanceIdentifier="orders-pg-ro1"),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error_code(caught) == "InvalidParameterCombination" and "RDS Custom" in str(caught.value)
    assert instance(demo, "us-east-1", "orders-pg-ro1")["DBInstanceStatus"] == "available"
