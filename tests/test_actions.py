"""Action plans on every node kind of the demo fleet, and snapshot names (no AWS calls)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timezone

import pytest
from support import START, arn

from rdstui.core.actions import (
    CLUSTER_SNAPSHOT_NAME_MAX,
    ActionKind,
    ActionPlan,
    InvalidChoice,
    Refusal,
    applies,
    plan,
    propose_snapshot_name,
    validate_snapshot_name,
)
from rdstui.core.model import Fleet, Node, NodeType
from rdstui.core.operations import OPERATIONS
from rdstui.core.session import SessionFactory
from rdstui.core.watch import FleetWatch
from rdstui.demo import DemoFleet

NOW = datetime(2026, 11, 24, 10, 42, 7, tzinfo=timezone.utc)
S, F, P = ActionKind.SNAPSHOT, ActionKind.FAILOVER, ActionKind.PROMOTE


async def _poll(demo: DemoFleet) -> Fleet:
    async with SessionFactory(demo.target) as factory:
        return await FleetWatch(factory, DemoFleet.REGIONS, clock=lambda: START).once()


@pytest.fixture(scope="module")
def fleet(moto_endpoint: str) -> Fleet:
    """One poll of the demo fleet, with lag metrics: plans are pure, so one is enough."""
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")).read()
    demo = DemoFleet(endpoint_url=moto_endpoint, clock=lambda: START, backfill_minutes=5).start()
    try:
        return asyncio.run(_poll(demo))
    finally:
        demo.stop()


def node(fleet: Fleet, ident: str, kind: NodeType | None = None) -> Node:
    for found in fleet.walk():
        if found.id == ident and (kind is None or found.type is kind) and (kind or found.type is not NodeType.STANDBY):
            return found
    raise LookupError(ident)


def planned(fleet: Fleet, action: ActionKind, ident: str, kind: NodeType | None = None) -> ActionPlan:
    result = plan(action, node(fleet, ident, kind), fleet, now=NOW)
    assert isinstance(result, ActionPlan), result
    return result


def refused(fleet: Fleet, action: ActionKind, ident: str, kind: NodeType | None = None) -> str:
    result = plan(action, node(fleet, ident, kind), fleet, now=NOW)
    assert isinstance(result, Refusal), result
    assert "\n" not in result.reason
    return result.reason


# --------------------------------------------------------------------------- snapshot names


@pytest.mark.parametrize(
    "name,why",
    [
        ("", "can't be empty"),
        ("   ", "can't be empty"),
        ("1orders", "must start with a letter"),
        ("-orders", "must start with a letter"),
        ("orders-", "can't end with a hyphen"),
        ("orders--pg", "two consecutive hyphens"),
        ("orders_pg", "'_' is not allowed"),
        ("orders pg", "a space is not allowed"),
        ("orders.pg", "'.' is not allowed"),
        ("ordérs", "'é' is not allowed"),
        ("bad_name!", "'_' and '!' are not allowed"),
        ("a_b.c d", "'_', '.' and a space are not allowed"),
        ("a_b.c d!e@f#", "'_', '.', a space, '!', '@' and 1 more are not allowed"),
        ("a" * 256, "at most 255 characters"),
    ],
)
def test_invalid_snapshot_names(name, why):
    reason = validate_snapshot_name(name)
    assert reason is not None and why in reason


def test_valid_snapshot_names_and_the_cluster_limit():
    assert validate_snapshot_name("a") is None
    assert validate_snapshot_name("Orders-PG-2026-11-24-1042") is None
    assert validate_snapshot_name("a" * 255) is None
    assert validate_snapshot_name("a" * 63, cluster=True) is None
    assert "at most 63 characters" in validate_snapshot_name("a" * 64, cluster=True)


def test_proposed_names_are_valid_unique_and_fit():
    assert propose_snapshot_name("orders-pg", NOW) == "orders-pg-2026-11-24-1042"
    assert propose_snapshot_name("orders-pg", NOW, taken=["orders-pg-2026-11-24-1042"]) == "orders-pg-2026-11-24-104207"
    taken = ["orders-pg-2026-11-24-1042", "orders-pg-2026-11-24-104207"]
    assert propose_snapshot_name("orders-pg", NOW, taken=taken) == "orders-pg-2026-11-24-104207-2"
    long = "a" + "-b" * 40  # 81 characters
    name = propose_snapshot_name(long, NOW, cluster=True)
    assert len(name) <= CLUSTER_SNAPSHOT_NAME_MAX and validate_snapshot_name(name, cluster=True) is None
    assert name.endswith("-2026-11-24-1042")
    assert validate_snapshot_name(propose_snapshot_name("9lives", NOW)) is None


# --------------------------------------------------------------------------- s: snapshot


def test_snapshot_of_an_instance(fleet):
    p = planned(fleet, S, "orders-pg")
    assert p.operation == "CreateDBSnapshot"
    assert p.params == {"DBInstanceIdentifier": "orders-pg", "DBSnapshotIdentifier": "orders-pg-2026-11-24-1042"}
    assert (p.target.id, p.target.region, p.target.engine_label) == ("orders-pg", "us-east-1", "postgres 16.4")
    assert p.target.describe() == "orders-pg (DB instance, postgres 16.4, us-east-1)"
    assert not p.irreversible and p.confirm_phrase is None and p.confirmed_by("")
    assert any("from the standby" in c for c in p.costs)  # Multi-AZ: no I/O pause
    assert p.name is not None and p.name.value == "orders-pg-2026-11-24-1042" and not p.name.cluster
    single = planned(fleet, S, "legacy-reports")
    assert single.region == "eu-west-1"
    assert any("I/O pause" in c and "single-AZ" in c for c in single.costs)
    replica = planned(fleet, S, "orders-pg-dr")
    assert replica.region == "us-west-2" and replica.params["DBInstanceIdentifier"] == "orders-pg-dr"


def test_snapshot_name_is_editable_and_checked(fleet):
    p = planned(fleet, S, "orders-pg")
    named = p.with_name("  before-the-upgrade ")
    assert named.params["DBSnapshotIdentifier"] == "before-the-upgrade"
    assert named.follow["snapshot"] == "before-the-upgrade"
    assert (named.operation, dict(named.params)) == (
        "CreateDBSnapshot",
        {"DBInstanceIdentifier": "orders-pg", "DBSnapshotIdentifier": "before-the-upgrade"},
    )
    with pytest.raises(InvalidChoice, match="two consecutive hyphens"):
        p.with_name("before--upgrade")
    assert p.name.problem("bad_name") is not None
    assert p.with_choice("name", "x1").params["DBSnapshotIdentifier"] == "x1"
    assert p.problem() is None


def test_snapshot_of_clusters(fleet):
    aurora = planned(fleet, S, "payments-use1")
    assert aurora.operation == "CreateDBClusterSnapshot"
    assert aurora.params == {
        "DBClusterIdentifier": "payments-use1",
        "DBClusterSnapshotIdentifier": "payments-use1-2026-11-24-1042",
    }
    assert aurora.target.kind == "Aurora DB cluster" and aurora.name.cluster
    maz = planned(fleet, S, "inventory-maz")
    assert maz.operation == "CreateDBClusterSnapshot" and maz.target.kind == "Multi-AZ DB cluster"
    with pytest.raises(InvalidChoice, match="at most 63"):
        aurora.with_name("a" * 64)
    secondary = planned(fleet, S, "payments-usw2")
    assert secondary.region == "us-west-2"


@pytest.mark.parametrize("member,cluster", [("payments-use1-b", "payments-use1"), ("inventory-maz-instance-1", "inventory-maz")])
def test_snapshot_of_a_cluster_instance_is_the_clusters(fleet, member, cluster):
    p = planned(fleet, S, member)
    assert p.operation == "CreateDBClusterSnapshot" and p.params["DBClusterIdentifier"] == cluster
    assert p.target.id == cluster and p.selected_node == node(fleet, member).key
    assert any(f"{member} is an instance of {cluster}" in e for e in p.effects)


def test_snapshot_refusals(fleet):
    assert refused(fleet, S, "payments-global") == (
        "a global database has no snapshots of its own: select its primary cluster payments-use1"
    )
    assert refused(fleet, S, "orders-pg", NodeType.STANDBY) == "a standby is not a DB instance: select its primary orders-pg"


# --------------------------------------------------------------------------- f: fail over


def test_failover_of_a_multi_az_instance(fleet):
    p = planned(fleet, F, "orders-pg")
    assert p.operation == "RebootDBInstance"
    assert p.params == {"DBInstanceIdentifier": "orders-pg", "ForceFailover": True}
    assert p.confirm_phrase == "orders-pg" and not p.confirmed_by("orders") and p.confirmed_by("orders-pg")
    assert "about 60 s of downtime while DNS moves to the standby" in p.costs
    assert any("standby in us-east-1b becomes the primary" in e for e in p.effects)
    assert p.follow == {"from_az": "us-east-1a", "to_az": "us-east-1b"}


def test_failover_refusals(fleet):
    assert refused(fleet, F, "orders-pg-ro1") == "orders-pg-ro1 is single-AZ: there is no standby to fail over to"
    assert refused(fleet, F, "legacy-reports") == "legacy-reports is single-AZ: there is no standby to fail over to"
    assert refused(fleet, F, "orders-pg", NodeType.STANDBY) == "a standby is not a DB instance: select its primary orders-pg"
    assert refused(fleet, F, "payments-usw2").startswith("payments-usw2 is a secondary cluster of payments-global")
    assert refused(fleet, F, "payments-usw2-a").startswith("payments-usw2 is a secondary cluster of payments-global")
    assert refused(fleet, F, "search-aurora-euw1") == "search-aurora-euw1 has no reader to fail over to"


def test_failover_of_an_aurora_cluster_picks_a_reader(fleet):
    p = planned(fleet, F, "search-aurora")
    assert p.operation == "FailoverDBCluster"
    assert p.params == {"DBClusterIdentifier": "search-aurora", "TargetDBInstanceIdentifier": "search-aurora-b"}
    (choice,) = p.choices
    assert choice.key == "target" and [o.value for o in choice.options] == ["search-aurora-b"]
    assert "us-east-1c" in choice.options[0].label
    assert p.confirm_phrase == "search-aurora" and p.follow["writer"] == "search-aurora-b"
    # Pressing f on the reader proposes that reader.
    from_reader = planned(fleet, F, "search-aurora-b")
    assert from_reader.params == p.params and from_reader.target.id == "search-aurora"


def test_failover_of_the_primary_cluster_of_a_global_database_stays_in_its_region(fleet):
    """The Aurora guide: the primary cluster fails over "the same as for a singular, nonglobal DB cluster"."""
    p = planned(fleet, F, "payments-use1")
    assert p.operation == "FailoverDBCluster" and p.region == "us-east-1"
    assert p.params["TargetDBInstanceIdentifier"] in ("payments-use1-b", "payments-use1-c")
    assert any("payments-global's primary stays in us-east-1" in e for e in p.effects)
    assert planned(fleet, F, "payments-use1-b").params["TargetDBInstanceIdentifier"] == "payments-use1-b"


def test_failover_of_a_mysql_multi_az_db_cluster_lets_aws_choose(fleet):
    """TargetDBInstanceIdentifier "isn't supported for RDS for MySQL Multi-AZ DB clusters"."""
    p = planned(fleet, F, "inventory-maz")
    assert p.operation == "FailoverDBCluster" and p.params == {"DBClusterIdentifier": "inventory-maz"}
    assert p.choices == () and p.confirm_phrase == "inventory-maz"
    assert "AWS chooses which readable standby becomes the writer" in p.effects[0]
    assert "inventory-maz-instance-2" in p.effects[0] and "inventory-maz-instance-1 " not in p.effects[0]
    assert "under 35 s" in p.costs[0]
    assert p.follow == {"writer": None, "from_writer": "inventory-maz-instance-1"}
    from_reader = planned(fleet, F, "inventory-maz-instance-2")
    assert from_reader.params == {"DBClusterIdentifier": "inventory-maz"}
    with pytest.raises(InvalidChoice):
        p.with_choice("target", "inventory-maz-instance-2")


def test_failover_of_a_postgres_multi_az_db_cluster_takes_a_target(fleet):
    from dataclasses import replace

    maz = node(fleet, "inventory-maz")
    postgres = replace(maz, engine="postgres", raw={**maz.raw, "Engine": "postgres"})
    result = plan(F, postgres, replace(fleet, roots=tuple(postgres if r is maz else r for r in fleet.roots)))
    assert isinstance(result, ActionPlan) and "TargetDBInstanceIdentifier" in result.params


def test_failover_of_a_global_database(fleet):
    p = planned(fleet, F, "payments-global")
    usw2, euw1 = arn("us-west-2", "cluster", "payments-usw2"), arn("eu-west-1", "cluster", "payments-euw1")
    assert p.operation == "SwitchoverGlobalCluster"
    assert p.params == {"GlobalClusterIdentifier": "payments-global", "TargetDbClusterIdentifier": usw2}
    # A switchover runs in the region of the current primary (the Aurora guide's --region).
    assert p.target.kind == "global database" and p.region == "us-east-1"
    assert "primary" in p.send_region_why
    assert not p.data_loss and p.confirm_phrase == "payments-global"
    target, mode = p.choices
    assert [o.value for o in target.options] == [usw2, euw1]
    # Each secondary shows its lags (AuroraGlobalDBReplicationLag and AuroraGlobalDBRPOLag, in ms).
    assert re.fullmatch(r"payments-usw2 \(us-west-2, lag \d+ms, RPO lag \d+ms\)", target.options[0].label)
    assert re.fullmatch(r"payments-euw1 \(eu-west-1, lag \d+ms, RPO lag \d+ms\)", target.options[1].label)
    assert [o.value for o in mode.options] == ["switchover", "failover"] and mode.selected == "switchover"
    assert mode.option("failover").data_loss and not mode.option("switchover").data_loss
    assert any("no data loss" in c for c in p.costs)

    lossy = p.with_choices(target=euw1, mode="failover")
    assert lossy.operation == "FailoverGlobalCluster"
    assert lossy.params == {
        "GlobalClusterIdentifier": "payments-global",
        "TargetDbClusterIdentifier": euw1,
        "AllowDataLoss": True,
    }
    assert lossy.data_loss and lossy.irreversible and "DATA LOSS" in lossy.title
    # The data lost is the RPO lag ("for user transactions"), not the replication lag.
    rpo = fleet.rpo_lag(node(fleet, "payments-euw1"))
    assert rpo is not None and rpo != fleet.lag(node(fleet, "payments-euw1"))
    assert re.match(r"DATA LOSS: writes to payments-use1 not yet replicated to payments-euw1 \(RPO lag \d+ms\)", lossy.costs[0])
    # A failover with data loss runs in the target's region.
    assert lossy.region == "eu-west-1" and lossy.follow["primary"] == euw1
    back = lossy.with_choice("mode", "switchover")
    assert back.operation == "SwitchoverGlobalCluster" and back.params["TargetDbClusterIdentifier"] == euw1
    with pytest.raises(InvalidChoice):
        p.with_choice("mode", "yolo")
    with pytest.raises(InvalidChoice):
        p.with_choice("target", arn("us-east-1", "cluster", "payments-use1"))  # the primary itself


# --------------------------------------------------------------------------- p: promote


def test_promote_instance_replicas(fleet):
    p = planned(fleet, P, "orders-pg-ro1")
    assert p.operation == "PromoteReadReplica" and p.params == {"DBInstanceIdentifier": "orders-pg-ro1"}
    assert p.irreversible and p.confirm_phrase == "orders-pg-ro1"
    assert any("irreversible" in c for c in p.costs)
    assert any("replication from orders-pg stops" in e for e in p.effects)
    assert any("orders-pg-ro1-cascade" in e for e in p.effects)  # its own replica stays with it
    dr = planned(fleet, P, "orders-pg-dr")
    assert dr.region == "us-west-2" and any("replication from orders-pg stops" in e for e in dr.effects)
    cascade = planned(fleet, P, "orders-pg-ro1-cascade")
    assert any("replication from orders-pg-ro1 stops" in e for e in cascade.effects)


def test_promote_clusters(fleet):
    replica = planned(fleet, P, "search-aurora-euw1")
    assert replica.operation == "PromoteReadReplicaDBCluster"
    assert replica.params == {"DBClusterIdentifier": "search-aurora-euw1"} and replica.region == "eu-west-1"
    assert replica.irreversible and replica.confirm_phrase == "search-aurora-euw1"
    secondary = planned(fleet, P, "payments-euw1")
    assert secondary.operation == "RemoveFromGlobalCluster"
    assert secondary.params == {
        "GlobalClusterIdentifier": "payments-global",
        "DbClusterIdentifier": arn("eu-west-1", "cluster", "payments-euw1"),
    }
    assert secondary.region == "eu-west-1" and secondary.irreversible
    assert any("replication from payments-use1 stops" in e for e in secondary.effects)


def test_promote_refusals(fleet):
    assert refused(fleet, P, "orders-pg") == "orders-pg is not a read replica: there is nothing to promote"
    assert refused(fleet, P, "legacy-reports") == "legacy-reports is not a read replica: there is nothing to promote"
    assert refused(fleet, P, "search-aurora") == "search-aurora is not a read replica: there is nothing to promote"
    assert refused(fleet, P, "payments-use1").startswith("payments-use1 is the primary cluster of payments-global")
    assert refused(fleet, P, "payments-global").startswith("a global database can't be promoted")
    assert refused(fleet, P, "payments-use1-b").startswith("payments-use1-b is a reader of payments-use1")
    assert refused(fleet, P, "payments-use1-a") == "payments-use1-a is already the writer of payments-use1"
    assert refused(fleet, P, "orders-pg", NodeType.STANDBY) == "a standby is not a DB instance: select its primary orders-pg"


def test_every_node_gets_a_plan_or_a_reason(fleet):
    """No node kind makes planning raise; every refusal is one line naming the node."""
    for found in fleet.walk():
        for action in ActionKind:
            result = plan(action, found, fleet, now=NOW)
            if isinstance(result, Refusal):
                assert result.reason and "\n" not in result.reason
                assert result.node_id == found.id or found.id in result.reason
            else:
                assert result.operation in OPERATIONS and result.params
                assert result.region in DemoFleet.REGIONS


def test_busy_and_external_nodes_are_refused(fleet):
    from dataclasses import replace

    rebooting = replace(node(fleet, "orders-pg"), status="rebooting")
    result = plan(F, rebooting, fleet)
    assert isinstance(result, Refusal)
    assert result.reason == "orders-pg is rebooting: RebootDBInstance with failover needs it available"
    external = Node(
        key="external:x", id="orders-pg", type=NodeType.EXTERNAL, role=node(fleet, "orders-pg").role,
        region="ap-south-1", status="not polled",
    )
    result = plan(P, external, fleet)
    assert isinstance(result, Refusal)
    assert result.reason == "orders-pg is in ap-south-1, which is not polled: add --region ap-south-1 to act on it"
    gone = replace(external, region="us-east-1", status="not found")
    assert plan(P, gone, fleet).reason == "orders-pg was not described in us-east-1 (not found): nothing to act on"
    # Without `now`, a snapshot is named after the wall clock (UTC).
    named = plan(S, node(fleet, "orders-pg"), fleet)
    assert re.fullmatch(r"orders-pg-\d{4}-\d\d-\d\d-\d{4}", named.params["DBSnapshotIdentifier"])


def test_snapshots_need_the_state_aws_needs(fleet):
    """CreateDBSnapshot: "available or storage-optimization"; CreateDBClusterSnapshot: available."""
    from dataclasses import replace

    assert refused(fleet, S, "reports-pg-staging") == (
        "reports-pg-staging is stopped: CreateDBSnapshot needs it available or storage-optimization"
    )
    optimizing = replace(node(fleet, "legacy-reports"), status="storage-optimization")
    assert isinstance(plan(S, optimizing, fleet, now=NOW), ActionPlan)
    stopped_cluster = replace(node(fleet, "search-aurora"), status="stopped")
    result = plan(S, stopped_cluster, fleet, now=NOW)
    assert isinstance(result, Refusal) and result.reason == "search-aurora is stopped: CreateDBClusterSnapshot needs it available"


def test_rds_custom_gets_no_reboot_with_failover_and_no_promote(fleet):
    from dataclasses import replace

    custom = replace(node(fleet, "orders-pg"), engine="custom-oracle-ee")
    assert plan(F, custom, fleet).reason == (
        "orders-pg is RDS Custom (custom-oracle-ee): RebootDBInstance doesn't apply to RDS Custom"
    )
    replica = replace(node(fleet, "orders-pg-ro1"), engine="custom-sqlserver-ee")
    assert plan(P, replica, fleet).reason == (
        "orders-pg-ro1 is RDS Custom (custom-sqlserver-ee): PromoteReadReplica doesn't apply to RDS Custom"
    )
    assert isinstance(plan(S, custom, fleet, now=NOW), ActionPlan)  # snapshots work as for RDS


def test_a_green_member_changes_only_through_its_deployment(fleet):
    green = next(n for n in fleet.walk() if n.id.startswith("billing-mysql-green-"))
    for action in (F, P):
        reason = plan(action, green, fleet).reason
        assert reason.startswith(f"{green.id} is the green side of blue/green deployment billing-mysql-8-4 (AVAILABLE)")
        assert reason.endswith("switch over the deployment instead")
    assert isinstance(plan(S, green, fleet, now=NOW), ActionPlan)
    blue = node(fleet, "billing-mysql")
    assert plan(P, blue, fleet).reason == "billing-mysql is not a read replica: there is nothing to promote"


def test_applies_matches_plan(fleet):
    assert applies(F, node(fleet, "orders-pg"), fleet) and not applies(F, node(fleet, "orders-pg-ro1"), fleet)
    assert applies(P, node(fleet, "payments-euw1"), fleet) and not applies(P, node(fleet, "payments-use1"), fleet)
    assert applies("snapshot", node(fleet, "payments-use1-a"), fleet)
