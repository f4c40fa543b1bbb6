"""The contract tests on recorded AWS responses, through the public command: `status --replay`.

The responses of tests/aws_shapes/ (see test_aws_shapes.py) are written as a recording,
a region's describes each under the region of its records' ARNs, and `rdstui status
--replay FILE --json` is asked what it shows: the same facts test_aws_shapes.py asserts
on the topology, as a user reads them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from recorded import described, entries, response
from support import json_nodes

from rdstui.cli import main
from rdstui.core.recording import iso, jsonable
from rdstui.core.topology import Described

CC, CLI, MODEL = "recorded/cloud-custodian/", "recorded/aws-cli/", "model/"
T = datetime(2026, 11, 24, 10, 42, tzinfo=timezone.utc)  # when every recorded call was sent
ACCOUNT = "123456789012"
DESCRIBES = (("DescribeDBInstances", "DBInstances", "instances"), ("DescribeDBClusters", "DBClusters", "clusters"),
             ("DescribeGlobalClusters", "GlobalClusters", "global_clusters"),
             ("DescribeBlueGreenDeployments", "BlueGreenDeployments", "blue_green"))


def wire(value: Any, key: str = "") -> Any:
    """A botocore value as a recording holds it: datetimes as ISO strings; a datetime the
    placebo recorder scrubbed to {} left out, as AWS would not have sent it."""
    if isinstance(value, dict):
        return {k: wire(v, k) for k, v in value.items() if not (v == {} and k.endswith(("Time", "Date")))}
    if isinstance(value, list):
        return [wire(v, key) for v in value]
    return jsonable(value)


def call(service: str, region: str, operation: str, response: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"t": iso(T), "service": service, "region": region, "operation": operation,
            "response": wire(response), **more}


def record(path: Path, data: list[Described], *, regions: list[str] | None = None, calls: tuple = ()) -> Path:
    """A recording of one poll of `data` (what each region answered), then `calls`.
    `regions` (default: those of `data`) are the ones polled; a region of them missing
    from `data` has nothing recorded."""
    regions = regions or [d.region for d in data]
    lines = [{"rdstui_recording": 1, "started": iso(T), "profile": None, "account": ACCOUNT, "regions": regions},
             call("sts", regions[0], "GetCallerIdentity", {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root"})]
    for region in data:
        lines += [call("rds", region.region, operation, {key: getattr(region, field)})
                  for operation, key, field in DESCRIBES]
        lines += [call("cloudwatch", region.region, "GetMetricData", {"MetricDataResults": []}),
                  call("cloudwatch", region.region, "DescribeAlarms", {"MetricAlarms": []})]
    path.write_text("".join(json.dumps(line) + "\n" for line in [*lines, *calls]), encoding="utf-8")
    return path


@pytest.fixture
def status(tmp_path, capsys):
    """status(data, exit_code=0, regions=..., calls=...): what `status --replay --json` prints."""

    def run(data: list[Described], *, exit_code: int = 0, **recording: Any) -> dict[str, Any]:
        path = record(tmp_path / f"replay{len(list(tmp_path.glob('*.jsonl')))}.jsonl", data, **recording)
        rc = main(["status", "--replay", str(path), "--json"])
        out = capsys.readouterr()
        assert rc == exit_code, out.err or out.out
        return json.loads(out.out)

    return run


def walk(nodes: list[dict[str, Any]]):
    return (node for _, node in json_nodes(nodes))


def find(shown: dict[str, Any], ident: str, kind: str | None = None) -> dict[str, Any]:
    """The node `ident` (not its Multi-AZ standby unless `kind` asks for it)."""
    for node in walk(shown["nodes"]):
        if node["id"] == ident and (node["type"] == kind if kind else node["type"] != "standby"):
            return node
    raise LookupError(ident)


def parent(shown: dict[str, Any], ident: str) -> dict[str, Any]:
    return next(node for node in walk(shown["nodes"]) if any(c["id"] == ident for c in node["children"]))


def children(node: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(c["id"], c["type"], c["role"]) for c in node["children"]]


def replication(node: dict[str, Any]) -> tuple[str, bool]:
    return node["replication"]["status"], node["replication"]["normal"]


def test_every_recorded_describe_replays_whole(status):
    replayed = 0
    for api in ("DescribeDBInstances", "DescribeDBClusters", "DescribeGlobalClusters"):
        for entry in entries(api, recorded_only=False):
            shown = status(described(entry["file"]) or [Described("us-east-1")])  # a --query projection: nothing
            assert shown["regions"] and all(r["ok"] for r in shown["regions"]), entry["file"]
            assert not [n for n in shown["notices"] if n.startswith("skipped")], entry["file"]
            replayed += 1
    assert replayed >= 20


# --------------------------------------------------------------------------- replicas


def test_replicas_hang_under_their_source_and_report_their_replication(status):
    shown = status(described(CC + "test_rds_retention__rds.DescribeDBInstances_1.json"))
    source = find(shown, "sbbdev")
    assert source in shown["nodes"] and source["status"] == "failed"
    assert children(source) == [("sbbdev", "standby", "standby"), ("sbbdevslave", "instance", "replica")]
    assert find(shown, "sbbdev", "standby")["az"] == "us-east-1b"  # SecondaryAvailabilityZone
    replica = find(shown, "sbbdevslave")
    assert replica["lag_metric"] == "ReplicaLag" and replication(replica) == ("replicating", True)


def test_a_source_missing_from_a_polled_region_is_not_found(status):
    shown = status(described(CC + "test_rds_retention__rds.DescribeDBInstances_1.json"))
    placeholder = parent(shown, "qapipfitread")
    assert (placeholder["type"], placeholder["id"], placeholder["region"], placeholder["status"]) == (
        "external", "qapipfit", "us-west-2", "not found"
    )
    assert placeholder["notes"] == ["source not found in us-west-2: it may have been deleted or renamed"]


def test_replicas_in_an_unpolled_region_are_placeholders_saying_where(status):
    data = described(CC + "test_rdscluster_pending_maintenance__rds.DescribeDBClusters_1.json")
    shown = status(data)
    (replica,) = [c for c in find(shown, "apip-prd-auroracluster-vtmn1quuo8mc")["children"] if c["type"] == "external"]
    assert (replica["id"], replica["region"], replica["status"]) == (
        "apip-prd-auroraclusterdr-1v5y6ofar9zry", "us-east-2", "not polled"
    )
    assert replica["notes"] == ["in us-east-2, which is not polled: add --region us-east-2 to see it"]
    # Polled, but nothing recorded there: the region fails and the placeholder says it has no data.
    waiting = status(data, regions=["us-west-2", "us-east-2"], exit_code=1)
    assert [(r["name"], r["ok"]) for r in waiting["regions"]] == [("us-west-2", True), ("us-east-2", False)]
    assert "NotRecorded" in waiting["regions"][1]["error"]
    assert find(waiting, "apip-prd-auroraclusterdr-1v5y6ofar9zry")["status"] == "no data"


def test_a_cross_region_replica_listed_by_arn_and_a_cascade(status):
    shown = status(described(MODEL + "rds.DescribeDBInstances.gaps.json", MODEL + "rds.DescribeDBClusters.gaps.json"))
    assert children(find(shown, "pg-src")) == [
        ("pg-src", "standby", "standby"),
        ("apg-replica-cluster", "cluster", "replica"),
        ("pg-rep1", "instance", "replica"),
        ("pg-rep-west", "external", "external"),
    ]
    assert find(shown, "pg-rep-west")["status"] == "not polled"
    assert children(find(shown, "pg-rep1")) == [("pg-rep1-cascade", "instance", "replica")]
    assert find(shown, "apg-replica-cluster")["lag_metric"] == "RDSToAuroraPostgreSQLReplicaLag"
    assert find(shown, "am-replica-west")["lag_metric"] == "AuroraBinlogReplicaLag"


def test_broken_replication_is_said_in_aws_words(status):
    lag = {"Id": "m0", "MetricStat": {"Metric": {"Namespace": "AWS/RDS", "MetricName": "ReplicaLag", "Dimensions": [
        {"Name": "DBInstanceIdentifier", "Value": "pg-rep1"}]}, "Period": 60, "Stat": "Maximum"}}
    minus_one = call("cloudwatch", "us-east-1", "GetMetricData", params={"MetricDataQueries": [lag]},
                     response={"MetricDataResults": [{"Id": "m0", "Timestamps": [iso(T - timedelta(minutes=1))],
                                                      "Values": [-1.0], "StatusCode": "Complete"}]})
    shown = status(described(MODEL + "rds.DescribeDBInstances.gaps.json"), calls=(minus_one,))
    cascade = find(shown, "pg-rep1-cascade")
    assert replication(cascade) == ("error", False)
    assert cascade["replication"]["message"] == "Replication has stopped due to an error."
    mounted = find(shown, "ora-mounted")
    assert mounted["replication"]["status"] == "stopped" and "mounted replica: not open for reads" in mounted["notes"]
    # ReplicaLag -1, as CloudWatch recorded it: replication is not running, whatever StatusInfos said.
    rep1 = find(shown, "pg-rep1")
    assert rep1["lag_seconds"] == -1 and replication(rep1) == ("not replicating", False)
    assert "-1" in rep1["replication"]["message"]


# --------------------------------------------------------------------------- instances and clusters


def test_stopped_instances_say_when_aws_starts_them_and_rds_custom_its_automation(status):
    shown = status(described(MODEL + "rds.DescribeDBInstances.gaps.json"))
    assert "stopped: AWS starts it again at 2024-01-08 12:00 UTC (7 days after it was stopped)" in find(
        shown, "mysql-stopped"
    )["notes"]
    assert "RDS Custom, automation all-paused" in find(shown, "mssql-custom")["notes"]
    recorded = status(described(CC + "test_rds_start__rds.DescribeDBInstances_1.json"))
    (stopped,) = [n for n in walk(recorded["nodes"]) if n["status"] == "stopped"]
    assert not any("starts it again" in note for note in stopped["notes"])  # a 2017 record: no AutomaticRestartTime


def test_aurora_members_sit_under_their_cluster_writer_first(status):
    shown = status(described(
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBInstances_1.json",
        CC + "test_rdssubnetgroup_unused__rds.DescribeDBClusters_1.json",
    ))
    assert children(find(shown, "database-3")) == [("database-3-instance-1", "instance", "writer")]
    member = find(shown, "database-3-instance-1")
    assert member not in shown["nodes"]
    assert "cluster parameter group changes wait for a reboot" in member["notes"]


def test_members_are_found_from_either_side_when_db_cluster_members_is_empty(status):
    shown = status(described(MODEL + "rds.DescribeDBClusters.gaps.json",
                             MODEL + "rds.DescribeDBInstances.serverless-v2.json"))
    sv2 = find(shown, "sv2")
    assert children(sv2) == [("sv2-instance-1", "instance", "member"), ("sv2-instance-2", "instance", "member")]
    assert "DBClusterMembers is empty: members found from their DBClusterIdentifier" in sv2["notes"]
    assert find(shown, "sv2-instance-1")["lag_metric"] == "AuroraReplicaLag"


def test_instances_of_a_cluster_that_was_not_described_hang_under_a_placeholder(status):
    shown = status(described(CC + "test_security_hub_rds__rds.DescribeDBInstances_1.json"))
    (root,) = shown["nodes"]
    assert (root["type"], root["id"], root["status"]) == ("external", "test", "not found")
    assert [c["role"] for c in root["children"]] == ["member"] * 3


def test_neptune_and_documentdb_are_left_out_and_said_once(status):
    shown = status(described(CC + "test_rdscluster_config__rds.DescribeDBClusters_1.json"))
    assert "test-rds-cluster-param-group" not in {n["id"] for n in walk(shown["nodes"])}
    (notice,) = [n for n in shown["notices"] if n.startswith("left out")]
    assert notice.startswith("left out 1 Neptune cluster (test-rds-cluster-param-group)")
    docdb = status(described(CLI + "docdb.describe-db-clusters.ex1.json", CLI + "docdb.describe-db-instances.ex1.json"))
    assert docdb["nodes"] == [] and any("DocumentDB" in n for n in docdb["notices"])


def test_serverless_v1_is_a_cluster_with_no_instances(status):
    v1 = find(status(described(CC + "test_rdscluster_config__rds.DescribeDBClusters_1.json")), "database-1")
    assert v1["children"] == [] and v1["notes"][0].startswith("Aurora Serverless v1: no DB instances")


def test_old_records_without_arns_and_odd_records_cost_only_themselves(status):
    shown = status(described(CC + "test_rds_aws_managed_kms_keys__rds.DescribeDBInstances_1.json"))
    instances = [n for n in walk(shown["nodes"]) if n["type"] == "instance"]
    assert instances and all("its record has no DBInstanceArn: ARN assumed" in n["notes"] for n in instances)
    good = described(CC + "test_rds_retention__rds.DescribeDBInstances_1.json")
    good[0].instances += [{"Engine": "mysql"}, {"DBInstanceIdentifier": "odd", "DBInstanceArn": "not-an-arn"}, "junk"]
    shown = status(good)
    assert [n for n in shown["notices"] if n.startswith("skipped")] == [
        "skipped the DBInstance record (no identifier) in us-west-2: it has no DBInstanceIdentifier",
        "skipped the DBInstance record (no identifier) in us-west-2: a str, not a record",
    ]
    assert "malformed DBInstanceArn" in find(shown, "odd")["notes"][0] and find(shown, "sbbdev")


def test_a_member_listed_twice_is_drawn_once(status):
    ids = [n["id"] for n in walk(status(described(CLI + "rds.describe-db-clusters.ex1.json"))["nodes"])]
    assert ids and len(ids) == len(set(ids))


# --------------------------------------------------------------------------- global databases, blue/green


def test_a_global_database_mid_switchover_says_so(status):
    switching = response(CLI + "rds.switchover-global-cluster.ex1.json")["GlobalCluster"]
    shown = status([Described("us-east-1", global_clusters=[switching]), Described("us-east-2")])
    (glob,) = shown["nodes"]
    assert glob["region"] == "us-east-1" and glob["status"] == "switching-over"
    assert glob["notes"] == ["switchover from primary-cluster (us-east-1) to secondary-cluster (us-east-2): pending"]
    lossy = response(CLI + "rds.failover-global-cluster.ex1.json")["GlobalCluster"]
    (glob,) = status([Described("us-east-1", global_clusters=[lossy])])["nodes"]
    assert glob["notes"][0].startswith("failover with data loss from primary-cluster")
    assert (glob["children"][1]["id"], glob["children"][1]["type"]) == ("secondary-cluster", "external")


def test_global_members_say_their_synchronization(status):
    switching = response(CLI + "rds.switchover-global-cluster.ex1.json")["GlobalCluster"]
    switching["GlobalClusterMembers"][1]["SynchronizationStatus"] = "pending-resync"  # as after a failover
    primary, secondary = (
        {"DBClusterIdentifier": name, "DBClusterArn": f"arn:aws:rds:{region}:123456789012:cluster:{name}",
         "Engine": "aurora-postgresql", "Status": "available", "DBClusterMembers": []}
        for name, region in (("primary-cluster", "us-east-1"), ("secondary-cluster", "us-east-2"))
    )
    shown = status([Described("us-east-1", clusters=[primary], global_clusters=[switching]),
                    Described("us-east-2", clusters=[secondary])])
    (glob,) = shown["nodes"]
    assert children(glob) == [("primary-cluster", "cluster", "primary"), ("secondary-cluster", "cluster", "secondary")]
    first, second = glob["children"]
    assert first["replication"] is None and second["lag_metric"] == "AuroraGlobalDBReplicationLag"
    assert replication(second) == ("pending-resync", False)


def test_blue_green_members_are_marked(status):
    deployments = response(CLI + "rds.describe-blue-green-deployments.ex1.json")["BlueGreenDeployments"]
    instances = []  # the instances themselves (not in the CLI example): each green replicating from its blue
    for switchover in deployments[0]["SwitchoverDetails"]:
        blue, green = switchover["SourceMember"], switchover["TargetMember"]
        for arn, source in ((blue, None), (green, blue)):
            instances.append({
                "DBInstanceIdentifier": arn.split(":")[-1], "DBInstanceArn": arn, "Engine": "mysql",
                "DBInstanceStatus": "available", "MultiAZ": True,
                **({"ReadReplicaSourceDBInstanceIdentifier": source.split(":")[-1]} if source else {}),
            })
    shown = status([Described("us-east-1", instances=instances, blue_green=deployments)])
    blue, green = find(shown, "my-db-instance"), find(shown, "my-db-instance-green-rkfbpe")
    assert blue["blue_green"] == {"id": "bgd-v53303651eexfake", "role": "blue", "status": "AVAILABLE"}
    assert green["blue_green"] == {"id": "bgd-v53303651eexfake", "role": "green", "status": "AVAILABLE"}
    assert find(shown, "my-db-instance-replica-2-green-ejv4ao")["blue_green"]["role"] == "green"


# --------------------------------------------------------------------------- a recorded AWS error


def test_a_recorded_access_denied_fails_its_region_in_aws_words_and_the_others_are_shown(status):
    data = described(CC + "test_rds_retention__rds.DescribeDBInstances_1.json",
                     CC + "test_rdssubnetgroup_unused__rds.DescribeDBInstances_1.json",
                     CC + "test_rdssubnetgroup_unused__rds.DescribeDBClusters_1.json")
    message = "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: rds:DescribeDBInstances"
    denied = {"t": iso(T + timedelta(seconds=30)), "service": "rds", "region": "us-west-2",
              "operation": "DescribeDBInstances", "params": {"MaxRecords": 100},
              "error": {"Code": "AccessDenied", "Message": message}, "http_status": 403}
    shown = status(data, calls=(denied,), exit_code=1)
    regions = {r["name"]: r for r in shown["regions"]}
    assert regions["us-east-1"]["ok"] and not regions["us-west-2"]["ok"]
    assert regions["us-west-2"]["error"] == f"access denied (AccessDenied): {message}"
    ids = {n["id"] for n in walk(shown["nodes"])}
    assert {"database-3", "database-3-instance-1"} <= ids and "sbbdev" not in ids
