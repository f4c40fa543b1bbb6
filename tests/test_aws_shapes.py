"""Contract tests: the core fed with responses recorded from real AWS accounts.

Every file comes from tests/aws_shapes/ (sources in its INDEX.md); files under
model/ are built from the botocore service model where no recording exists.
Each test says what AWS would do with what was recorded: who is whose parent,
which metric is queried with which dimensions, which call goes where, what is
refused and why.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest
from recorded import described, entries, manifest, response

from rdstui.core.actions import ActionKind, ActionPlan, Refusal, plan
from rdstui.core.catalog import gauges, node_series
from rdstui.core.model import Fleet, Node, NodeType, RegionState, Role, walk_with_parents
from rdstui.core.operations import operation
from rdstui.core.topology import build_topology

CC, CLI, MODEL = "recorded/cloud-custodian/", "recorded/aws-cli/", "model/"
NOW = datetime(2026, 11, 24, 10, 42, tzinfo=timezone.utc)
S, F, P = ActionKind.SNAPSHOT, ActionKind.FAILOVER, ActionKind.PROMOTE


def fleet_of(*names: str, polled: list[str] | None = None) -> Fleet:
    data = described(*names)
    topology = build_topology(data, polled=polled)
    regions = tuple(RegionState(d.region, ok=True) for d in data)
    return Fleet(regions=regions, roots=topology.roots, notices=topology.notices)


def find(fleet: Fleet, ident: str, kind: NodeType | None = None) -> Node:
    for node in fleet.walk():
        if node.id == ident and (kind is None or node.type is kind) and (kind or node.type is not NodeType.STANDBY):
            return node
    raise LookupError(ident)


def children(node: Node) -> list[tuple[str, str, str]]:
    return [(c.id, c.type.value, c.role.value) for c in node.children]


def test_there_are_enough_recordings_and_every_describe_builds_whole():
    recorded = [e for e in manifest() if not e.get("synthetic")]
    assert len(recorded) >= 25
    built = 0
    for api in ("DescribeDBInstances", "DescribeDBClusters", "DescribeGlobalClusters"):
        for entry in entries(api, recorded_only=False):
            topology = build_topology(described(entry["file"]))
            assert not [n for n in topology.notices if n.startswith("skipped")], entry["file"]
            built += 1
    assert built >= 20


# --------------------------------------------------------------------------- topology


def test_replicas_hang_under_their_source_and_report_their_replication():
    fleet = fleet_of(CC + "test_rds_retention__rds.DescribeDBInstances_1.json")
    source = find(fleet, "sbbdev")
    assert source in fleet.roots and source.status == "failed"
    assert children(source) == [("sbbdev", "standby", "standby"), ("sbbdevslave", "instance", "replica")]
    assert find(fleet, "sbbdev", NodeType.STANDBY).az == "us-east-1b"  # SecondaryAvailabilityZone
    replica = find(fleet, "sbbdevslave")
    assert replica.lag_metric == "ReplicaLag"
    assert (replica.replication.status, replica.replication.normal) == ("replicating", True)
    assert fleet.replication(replica) == replica.replication


def test_a_source_missing_from_a_polled_region_is_not_found_not_unpolled():
    fleet = fleet_of(CC + "test_rds_retention__rds.DescribeDBInstances_1.json")
    placeholder = fleet.parent(find(fleet, "qapipfitread"))
    assert (placeholder.type, placeholder.id, placeholder.region, placeholder.status) == (
        NodeType.EXTERNAL, "qapipfit", "us-west-2", "not found"
    )
    assert placeholder.raw["Kind"] == "DB instance"
    assert placeholder.notes == ("source not found in us-west-2: it may have been deleted or renamed",)


def test_replicas_listed_by_a_source_in_an_unpolled_region_are_placeholders_saying_where():
    name = CC + "test_rdscluster_pending_maintenance__rds.DescribeDBClusters_1.json"
    fleet = fleet_of(name)
    apip = find(fleet, "apip-prd-auroracluster-vtmn1quuo8mc")
    (replica,) = [c for c in apip.children if c.type is NodeType.EXTERNAL]
    assert (replica.id, replica.region, replica.status) == ("apip-prd-auroraclusterdr-1v5y6ofar9zry", "us-east-2", "not polled")
    assert replica.raw["Kind"] == "DB cluster"  # from the ARN's :cluster:
    assert replica.notes == ("in us-east-2, which is not polled: add --region us-east-2 to see it",)
    # Polled but not answering: it says so instead.
    waiting = fleet_of(name, polled=["us-west-2", "us-east-2"])
    assert find(waiting, "apip-prd-auroraclusterdr-1v5y6ofar9zry").status == "no data"


def test_a_cross_region_replica_listed_by_arn_and_a_cascade():
    fleet = fleet_of(MODEL + "rds.DescribeDBInstances.gaps.json", MODEL + "rds.DescribeDBClusters.gaps.json")
    source = find(fleet, "pg-src")
    assert children(source) == [
        ("pg-src", "standby", "standby"),
        ("apg-replica-cluster", "cluster", "replica"),
        ("pg-rep1", "instance", "replica"),
        ("pg-rep-west", "external", "external"),
    ]
    assert find(fleet, "pg-rep-west").status == "not polled"
    assert children(find(fleet, "pg-rep1")) == [("pg-rep1-cascade", "instance", "replica")]
    # An Aurora PostgreSQL replica cluster of an RDS PostgreSQL instance.
    assert find(fleet, "apg-replica-cluster").lag_metric == "RDSToAuroraPostgreSQLReplicaLag"
    assert find(fleet, "am-replica-west").lag_metric == "AuroraBinlogReplicaLag"


def test_broken_replication_is_said_in_aws_words():
    fleet = fleet_of(MODEL + "rds.DescribeDBInstances.gaps.json")
    cascade = find(fleet, "pg-rep1-cascade")
    assert (cascade.replication.status, cascade.replication.normal) == ("error", False)
    assert cascade.replication.message == "Replication has stopped due to an error."
    mounted = find(fleet, "ora-mounted")
    assert mounted.replication.status == "stopped" and "mounted replica: not open for reads" in mounted.notes
    # ReplicaLag -1: replication is not running, whatever StatusInfos last said.
    lagging = replace(fleet, lags={find(fleet, "pg-rep1").key: -1.0})
    said = lagging.replication(find(lagging, "pg-rep1"))
    assert (said.status, said.normal) == ("not replicating", False) and "-1" in said.message


def test_stopped_instances_say_when_aws_starts_them_and_rds_custom_its_automation():
    fleet = fleet_of(MODEL + "rds.DescribeDBInstances.gaps.json")
    assert "stopped: AWS starts it again at 2024-01-08 12:00 UTC (7 days after it was stopped)" in find(
        fleet, "mysql-stopped"
    ).notes
    assert "RDS Custom, automation all-paused" in find(fleet, "mssql-custom").notes
    recorded = fleet_of(CC + "test_rds_start__rds.DescribeDBInstances_1.json")
    stopped = next(n for n in recorded.walk() if n.status == "stopped")
    assert not any("starts it again" in note for note in stopped.notes)  # a 2017 record: no AutomaticRestartTime


def test_aurora_members_sit_under_their_cluster_writer_first():
    fleet = fleet_of(
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBInstances_1.json",
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBClusters_1.json",
    )
    cluster = find(fleet, "database-3")
    assert children(cluster) == [("database-3-instance-1", "instance", "writer")]
    assert find(fleet, "database-3-instance-1") not in fleet.roots
    assert "cluster parameter group changes wait for a reboot" in find(fleet, "database-3-instance-1").notes


def test_members_are_found_from_either_side_when_db_cluster_members_is_empty():
    fleet = fleet_of(MODEL + "rds.DescribeDBClusters.gaps.json", MODEL + "rds.DescribeDBInstances.serverless-v2.json")
    sv2 = find(fleet, "sv2")
    assert children(sv2) == [("sv2-instance-1", "instance", "member"), ("sv2-instance-2", "instance", "member")]
    assert "DBClusterMembers is empty: members found from their DBClusterIdentifier" in sv2.notes
    member = find(fleet, "sv2-instance-1")
    assert member.lag_metric == "AuroraReplicaLag" and member not in fleet.roots
    # Neither an instance snapshot nor a failover to an unknown writer is offered.
    assert plan(S, member, fleet, now=NOW).operation == "CreateDBClusterSnapshot"
    assert "does not say which instance is the writer" in plan(F, sv2, fleet).reason


def test_instances_of_a_cluster_that_was_not_described_hang_under_a_placeholder():
    fleet = fleet_of(CC + "test_security_hub_rds__rds.DescribeDBInstances_1.json")
    (root,) = fleet.roots
    assert (root.type, root.id, root.status, root.raw["Kind"]) == (NodeType.EXTERNAL, "test", "not found", "DB cluster")
    assert {c.role for c in root.children} == {Role.MEMBER} and len(root.children) == 3


def test_neptune_and_documentdb_are_left_out_and_said_once():
    fleet = fleet_of(CC + "test_rdscluster_config__rds.DescribeDBClusters_1.json")
    assert "test-rds-cluster-param-group" not in {n.id for n in fleet.walk()}
    (notice,) = [n for n in fleet.notices if n.startswith("left out")]
    assert notice.startswith("left out 1 Neptune cluster (test-rds-cluster-param-group)")
    docdb = fleet_of(CLI + "docdb.describe-db-clusters.ex1.json", CLI + "docdb.describe-db-instances.ex1.json")
    assert docdb.roots == () and any("DocumentDB" in n for n in docdb.notices)


def test_serverless_v1_is_a_cluster_with_no_instances():
    fleet = fleet_of(CC + "test_rdscluster_config__rds.DescribeDBClusters_1.json")
    v1 = find(fleet, "database-1")
    assert v1.children == () and v1.notes[0].startswith("Aurora Serverless v1: no DB instances")
    assert plan(F, v1, fleet).reason == "database-1 is Aurora Serverless v1: it has no DB instances to fail over to"
    assert plan(S, v1, fleet, now=NOW).operation == "CreateDBClusterSnapshot"


def test_old_records_without_arns_and_odd_records_cost_only_themselves():
    fleet = fleet_of(CC + "test_rds_aws_managed_kms_keys__rds.DescribeDBInstances_1.json")
    nodes = [n for n in fleet.walk() if n.type is NodeType.INSTANCE]
    assert nodes and all("its record has no DBInstanceArn: ARN assumed" in n.notes for n in nodes)
    good = described(CC + "test_rds_retention__rds.DescribeDBInstances_1.json")
    good[0].instances += [{"Engine": "mysql"}, {"DBInstanceIdentifier": "odd", "DBInstanceArn": "not-an-arn"}, "junk"]
    topology = build_topology(good)
    assert [n for n in topology.notices if n.startswith("skipped")] == [
        "skipped the DBInstance record (no identifier) in us-west-2: it has no DBInstanceIdentifier",
        "skipped the DBInstance record (no identifier) in us-west-2: a str, not a record",
    ]
    odd = next(n for root in topology.roots for n in root.walk() if n.id == "odd")
    assert odd.key == "arn:aws:rds:us-west-2::db:odd" and "malformed DBInstanceArn" in odd.notes[0]
    assert "sbbdev" in {n.id for root in topology.roots for n in root.walk()}


def test_a_member_listed_twice_is_drawn_once():
    fleet = fleet_of(CLI + "rds.describe-db-clusters.ex1.json")
    assert len(fleet.nodes) == len(list(fleet.walk()))


def test_a_global_database_mid_switchover_says_so():
    record = response(CLI + "rds.switchover-global-cluster.ex1.json")["GlobalCluster"]
    topology = build_topology(described_globals(record), polled=["us-east-1", "us-east-2"])
    (glob,) = topology.roots
    assert glob.region == "us-east-1" and glob.status == "switching-over"
    assert glob.notes == ("switchover from primary-cluster (us-east-1) to secondary-cluster (us-east-2): pending",)
    lossy = response(CLI + "rds.failover-global-cluster.ex1.json")["GlobalCluster"]
    (glob,) = build_topology(described_globals(lossy)).roots
    assert glob.notes[0].startswith("failover with data loss from primary-cluster")
    secondary = glob.children[1]
    assert secondary.id == "secondary-cluster" and secondary.type is NodeType.EXTERNAL


def described_globals(record):
    from rdstui.core.topology import Described

    return [Described("us-east-1", global_clusters=[record])]


def test_global_members_synchronization_status():
    record = response(CLI + "rds.switchover-global-cluster.ex1.json")["GlobalCluster"]
    clusters = [
        {"DBClusterIdentifier": name, "DBClusterArn": f"arn:aws:rds:{region}:123456789012:cluster:{name}",
         "Engine": "aurora-postgresql", "Status": "available", "DBClusterMembers": []}
        for name, region in (("primary-cluster", "us-east-1"), ("secondary-cluster", "us-east-2"))
    ]
    record["GlobalClusterMembers"][1]["SynchronizationStatus"] = "pending-resync"  # as after a failover
    from rdstui.core.topology import Described

    data = [Described("us-east-1", clusters=clusters[:1], global_clusters=[record]), Described("us-east-2", clusters=clusters[1:])]
    (glob,) = build_topology(data).roots
    primary, secondary = glob.children
    assert (primary.role, secondary.role) == (Role.PRIMARY, Role.SECONDARY)
    assert primary.replication is None
    assert (secondary.replication.status, secondary.replication.normal) == ("pending-resync", False)
    assert secondary.lag_metric == "AuroraGlobalDBReplicationLag"


def test_blue_green_members_are_marked_and_green_ones_refuse_promote_and_failover():
    deployment = response(CLI + "rds.describe-blue-green-deployments.ex1.json")
    arns = {d["SourceMember"]: d["TargetMember"] for d in deployment["BlueGreenDeployments"][0]["SwitchoverDetails"]}
    # The instances themselves (not in the CLI example): the green of each blue, replicating from it.
    instances = []
    for blue, green in arns.items():
        for arn, source in ((blue, None), (green, blue)):
            instances.append({
                "DBInstanceIdentifier": arn.split(":")[-1], "DBInstanceArn": arn, "Engine": "mysql",
                "DBInstanceStatus": "available", "MultiAZ": True,
                **({"ReadReplicaSourceDBInstanceIdentifier": source.split(":")[-1]} if source else {}),
            })
    from rdstui.core.topology import Described

    data = [Described("us-east-1", instances=instances, blue_green=deployment["BlueGreenDeployments"])]
    topology = build_topology(data)
    fleet = Fleet(regions=(RegionState("us-east-1", ok=True),), roots=topology.roots)
    blue, green = find(fleet, "my-db-instance"), find(fleet, "my-db-instance-green-rkfbpe")
    assert (blue.blue_green.role, green.blue_green.role) == ("blue", "green")
    assert blue.blue_green.id == green.blue_green.id == "bgd-v53303651eexfake"
    assert green.blue_green.status == "AVAILABLE" and green.blue_green.partner == blue.arn
    assert find(fleet, "my-db-instance-replica-2-green-ejv4ao").blue_green.role == "green"
    for action in (F, P):
        assert plan(action, green, fleet).reason.endswith("switch over the deployment instead")
    assert isinstance(plan(F, blue, fleet), ActionPlan)  # the blue side is production: still yours


# --------------------------------------------------------------------------- metrics


def every_series(fleet: Fleet) -> list:
    """Each node's series, as read while it is in view."""
    return [key for node, parent in walk_with_parents(fleet.roots) for key in node_series(node, parent)]


def _queries(fleet: Fleet) -> dict[tuple[str, str], list[list[tuple[str, str]]]]:
    return {
        (key.identifier, key.metric): [[(d["Name"], d["Value"]) for d in v] for v in key.variants()]
        for key in every_series(fleet)
    }


def test_metrics_asked_for_per_engine_with_their_dimensions():
    fleet = fleet_of(
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBInstances_1.json",
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBClusters_1.json",
    )
    asked = _queries(fleet)
    aurora = "database-3-instance-1"
    # Aurora publishes FreeLocalStorage, not FreeStorageSpace; the writer has no lag.
    assert (aurora, "FreeLocalStorage") in asked and (aurora, "FreeStorageSpace") not in asked
    assert (aurora, "AuroraReplicaLag") not in asked
    assert asked[(aurora, "CPUUtilization")] == [[("DBInstanceIdentifier", aurora)]]
    rds = next(n.id for n in fleet.walk() if n.type is NodeType.INSTANCE and not n.engine.startswith("aurora"))
    assert (rds, "FreeStorageSpace") in asked and (rds, "FreeLocalStorage") not in asked
    chart = {g.key: g for g in gauges(find(fleet, aurora), fleet.parent(find(fleet, aurora)))}
    assert chart["storage"].label == "free local storage" and chart["capacity"].series is None
    assert chart["capacity"].why_not == "capacity in ACUs is published for Aurora Serverless v2 only"


def test_serverless_v2_instances_chart_capacity_and_no_storage():
    fleet = fleet_of(MODEL + "rds.DescribeDBClusters.gaps.json", MODEL + "rds.DescribeDBInstances.serverless-v2.json")
    asked = _queries(fleet)
    assert ("sv2-instance-1", "ServerlessDatabaseCapacity") in asked and ("sv2-instance-1", "ACUUtilization") in asked
    assert not any(metric in ("FreeLocalStorage", "FreeStorageSpace") for ident, metric in asked if ident == "sv2-instance-1")
    chart = {g.key: g for g in gauges(find(fleet, "sv2-instance-1"), fleet.parent(find(fleet, "sv2-instance-1")))}
    assert chart["storage"].series is None and "Serverless v2" in chart["storage"].why_not


def test_binlog_and_global_lag_queries():
    fleet = fleet_of(MODEL + "rds.DescribeDBClusters.gaps.json")
    asked = _queries(fleet)
    assert asked[("am-replica-west", "AuroraBinlogReplicaLag")] == [
        [("DBClusterIdentifier", "am-replica-west"), ("Role", "WRITER")],
        [("DBClusterIdentifier", "am-replica-west")],
    ]
    record = response(CLI + "rds.switchover-global-cluster.ex1.json")["GlobalCluster"]
    from rdstui.core.topology import Described

    secondary = {"DBClusterIdentifier": "secondary-cluster", "Engine": "aurora-postgresql", "Status": "available",
                 "DBClusterArn": "arn:aws:rds:us-east-2:123456789012:cluster:secondary-cluster", "DBClusterMembers": []}
    primary = {**secondary, "DBClusterIdentifier": "primary-cluster",
               "DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:primary-cluster"}
    data = [Described("us-east-1", clusters=[primary], global_clusters=[record]), Described("us-east-2", clusters=[secondary])]
    topology = build_topology(data)
    fleet = Fleet(regions=(), roots=topology.roots)
    asked = _queries(fleet)
    for metric in ("AuroraGlobalDBReplicationLag", "AuroraGlobalDBRPOLag"):
        # Every candidate dimension set, the source region being the primary's.
        assert asked[("secondary-cluster", metric)] == [
            [("DBClusterIdentifier", "secondary-cluster")],
            [("DBClusterIdentifier", "secondary-cluster"), ("SourceRegion", "us-east-1")],
            [("SourceRegion", "us-east-1")],
        ]
    assert ("primary-cluster", "AuroraGlobalDBReplicationLag") not in asked
    assert next(k for k in every_series(fleet) if k.metric == "AuroraGlobalDBRPOLag").region == "us-east-2"


# --------------------------------------------------------------------------- plans


def test_global_calls_go_where_aws_runs_them():
    record = response(CLI + "rds.describe-global-clusters.ex1.json")["GlobalClusters"][0]
    members = [
        {"DBClusterArn": "arn:aws:rds:us-east-1:123456789012:cluster:east", "IsWriter": True},
        {"DBClusterArn": "arn:aws:rds:eu-west-1:123456789012:cluster:west", "IsWriter": False},
    ]
    record = {**record, "GlobalClusterMembers": members}
    from rdstui.core.topology import Described

    def cluster(name, region):
        return {"DBClusterIdentifier": name, "DBClusterArn": f"arn:aws:rds:{region}:123456789012:cluster:{name}",
                "Engine": "aurora-mysql", "Status": "available",
                "DBClusterMembers": [{"DBInstanceIdentifier": f"{name}-1", "IsClusterWriter": True}]}

    data = [Described("us-east-1", clusters=[cluster("east", "us-east-1")], global_clusters=[record]),
            Described("eu-west-1", clusters=[cluster("west", "eu-west-1")])]
    topology = build_topology(data)
    fleet = Fleet(regions=(RegionState("us-east-1", ok=True), RegionState("eu-west-1", ok=True)), roots=topology.roots)
    glob = find(fleet, "myglobalcluster")
    switchover = plan(F, glob, fleet)
    assert switchover.operation == "SwitchoverGlobalCluster" and switchover.region == "us-east-1"
    assert switchover.params["TargetDbClusterIdentifier"] == members[1]["DBClusterArn"]  # an ARN, as AWS asks
    failover = switchover.with_choice("mode", "failover")
    assert failover.operation == "FailoverGlobalCluster" and failover.region == "eu-west-1"
    detach = plan(P, find(fleet, "west"), fleet)
    assert detach.operation == "RemoveFromGlobalCluster" and detach.region == "eu-west-1"
    assert detach.params["DbClusterIdentifier"] == members[1]["DBClusterArn"]
    in_region = plan(F, find(fleet, "east"), fleet)
    assert isinstance(in_region, Refusal) and in_region.reason == "east has no reader to fail over to"


def test_refusals_and_calls_on_recorded_instances():
    fleet = fleet_of(CC + "test_rds_start__rds.DescribeDBInstances_1.json")
    stopped = next(n for n in fleet.walk() if n.status == "stopped")
    assert plan(S, stopped, fleet, now=NOW).reason == (
        f"{stopped.id} is stopped: CreateDBSnapshot needs it available or storage-optimization"
    )
    maz = fleet_of(CC + "test_rds_minor_upgrade_do__rds.DescribeDBInstances_1.json")
    multi = next(n for n in maz.walk() if n.multi_az and n.type is NodeType.INSTANCE)
    result = plan(F, multi, maz)
    if multi.status == "available":
        assert result.params == {"DBInstanceIdentifier": multi.id, "ForceFailover": True}
    else:
        assert result.reason == f"{multi.id} is {multi.status}: RebootDBInstance with failover needs it available"
    custom = fleet_of(MODEL + "rds.DescribeDBInstances.gaps.json")
    assert plan(F, find(custom, "mssql-custom"), custom).reason.endswith("RebootDBInstance doesn't apply to RDS Custom")


# --------------------------------------------------------------------------- responses of the calls


@pytest.mark.parametrize(
    "name,operation_name,params,line",
    [
        (CC + "test_rds_snapshot__rds.CreateDBSnapshot_1.json", "CreateDBSnapshot", None, "started: creating"),
        (CC + "test_rdscluster_snapshot__rds.CreateDBClusterSnapshot_1.json", "CreateDBClusterSnapshot", None, "started: creating"),
        (CC + "test_rds_restore__rds.RebootDBInstance_1.json", "RebootDBInstance", None, "started"),
        (CLI + "rds.switchover-global-cluster.ex1.json", "SwitchoverGlobalCluster", None, "started: switching-over"),
        (CLI + "rds.failover-global-cluster.ex1.json", "FailoverGlobalCluster", None, "started: failing-over"),
    ],
)
def test_the_success_line_reads_the_recorded_response(name, operation_name, params, line):
    name_of = operation_name
    answer = response(name)
    record = next(iter(answer.values()))
    params = {
        "CreateDBSnapshot": lambda: {"DBInstanceIdentifier": record["DBInstanceIdentifier"], "DBSnapshotIdentifier": record["DBSnapshotIdentifier"]},
        "CreateDBClusterSnapshot": lambda: {"DBClusterIdentifier": record["DBClusterIdentifier"], "DBClusterSnapshotIdentifier": record["DBClusterSnapshotIdentifier"]},
        "RebootDBInstance": lambda: {"DBInstanceIdentifier": record["DBInstanceIdentifier"], "ForceFailover": True},
        "SwitchoverGlobalCluster": lambda: {"GlobalClusterIdentifier": record["GlobalClusterIdentifier"], "TargetDbClusterIdentifier": record["FailoverState"]["ToDbClusterArn"]},
        "FailoverGlobalCluster": lambda: {"GlobalClusterIdentifier": record["GlobalClusterIdentifier"], "TargetDbClusterIdentifier": record["FailoverState"]["ToDbClusterArn"], "AllowDataLoss": True},
    }[operation_name]()
    said = operation(name_of).started(params, answer)
    assert line in said and "\n" not in said
