"""`rdstui status`: the JSON contract, the text tree and exit codes, over the demo fleet."""

from __future__ import annotations

import json

import pytest
from faultproxy import Rule, error, fault_proxy  # noqa: F401

from rdstui.cli import main
from rdstui.core.session import SessionFactory
from rdstui.core.watch import FleetWatch
from rdstui.demo import DemoFleet

NODE_KEYS = {
    "profile", "account", "id", "type", "role", "region", "az", "status", "engine", "engine_version",
    "multi_az", "arn", "lag_seconds", "lag_metric", "replication", "blue_green", "notes", "attention", "alarms",
    "children",
}
REGION_KEYS = {
    "profile", "account", "name", "ok", "error", "polled_at", "notes", "metrics_error", "events_error", "alarms_error",
}


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node["children"])


@pytest.fixture
def demo(moto_url):
    fleet = DemoFleet(endpoint_url=moto_url).start()
    yield fleet
    fleet.heal_region("eu-west-1")
    fleet.stop()


@pytest.fixture
def demo_env(demo, keys_in_env):
    """A user pointing the CLI at the demo's endpoint with keys in the environment."""
    return ["--endpoint-url", demo.endpoint_url, "--region", ",".join(DemoFleet.REGIONS)]


def test_json_contract_and_every_node_shape(demo_env, capsys):
    code = main(["status", "--json", *demo_env])
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(document) == {"accounts", "regions", "nodes", "notices"}
    assert document["accounts"] == [
        {"profile": "default", "account": "123456789012", "ok": True, "error": None, "read_only": False}
    ]
    assert {(r["profile"], r["account"]) for r in document["regions"]} == {("default", "123456789012")}
    assert [r["name"] for r in document["regions"]] == list(DemoFleet.REGIONS)
    for region in document["regions"]:
        assert set(region) == REGION_KEYS and region["ok"] and region["error"] is None
        assert region["polled_at"].endswith("+00:00")
    nodes = list(walk(document["nodes"]))
    for node in nodes:
        assert set(node) == NODE_KEYS
        assert (node["profile"], node["account"]) == ("default", "123456789012")
    shapes = {(n["type"], n["role"]) for n in nodes}
    assert shapes >= {
        ("global-cluster", "global"), ("cluster", "primary"), ("cluster", "secondary"),
        ("instance", "primary"), ("instance", "replica"), ("instance", "writer"),
        ("instance", "reader"), ("standby", "standby"),
    }
    clusters = [n for n in nodes if n["type"] in ("cluster", "global-cluster")]
    assert all(n["az"] is None for n in clusters)
    standby = next(n for n in nodes if n["type"] == "standby")
    assert standby["id"] == "orders-pg" and standby["az"] != "us-east-1a"


def test_json_lag_in_seconds_for_every_lagging_node(demo_env, capsys):
    main(["status", "--json", *demo_env])
    nodes = {n["id"]: n for n in walk(json.loads(capsys.readouterr().out)["nodes"]) if n["type"] != "standby"}
    assert nodes["catalog-mysql-ro-drift"]["lag_metric"] == "ReplicaLag"
    assert nodes["catalog-mysql-ro-drift"]["lag_seconds"] > 30
    # Aurora metrics are published in milliseconds: tens of ms must read as fractions of a second.
    assert 0 < nodes["payments-use1-b"]["lag_seconds"] < 1
    assert nodes["payments-usw2"]["lag_metric"] == "AuroraGlobalDBReplicationLag"
    assert 0 < nodes["payments-usw2"]["lag_seconds"] < 5
    assert nodes["orders-pg"]["lag_seconds"] is None and nodes["orders-pg"]["lag_metric"] is None
    dr = nodes["orders-pg-dr"]
    assert dr["region"] == "us-west-2" and dr["lag_seconds"] is not None


def test_json_attention_on_every_node_and_the_alarm_that_fires(demo_env, capsys):
    main(["status", "--json", *demo_env])
    nodes = {n["id"]: n for n in walk(json.loads(capsys.readouterr().out)["nodes"]) if n["type"] != "standby"}
    assert all(isinstance(n["attention"], list) for n in nodes.values())
    drift = nodes["catalog-mysql-ro-drift"]
    assert drift["attention"][0]["severity"] == "critical"  # worst first: its ReplicaLag alarm is in ALARM
    assert "catalog-mysql-ro-drift-replica-lag" in drift["attention"][0]["reason"]
    assert {"severity": "warning", "reason": drift["attention"][1]["reason"]} in drift["attention"]
    assert "at or above 30s" in drift["attention"][1]["reason"]
    [alarm] = drift["alarms"]
    assert alarm["state"] == "ALARM" and alarm["metric"] == "ReplicaLag" and alarm["since"].endswith("+00:00")
    assert nodes["legacy-reports"]["attention"] == [
        {"severity": "warning", "reason": "automated backups off (retention 0): no point-in-time recovery"}
    ]
    assert nodes["reports-pg-staging"]["attention"][0]["severity"] == "info"
    assert nodes["orders-pg"]["attention"] == [] and nodes["orders-pg"]["alarms"][0]["state"] == "OK"
    broken = nodes["catalog-mysql-ro-broken"]["attention"]
    assert broken[0]["severity"] == "critical" and "Duplicate entry" in broken[0]["reason"]


def test_fail_on_exits_3_at_or_above_the_level_asked(demo, demo_env, capsys):
    assert main(["status", *demo_env]) == 0  # without --fail-on findings change nothing
    assert main(["status", "--fail-on", "critical", *demo_env]) == 3  # the broken replica, the alarm
    fixed = demo.client("rds", "us-west-2")
    for replica in ("catalog-mysql-ro-broken", "catalog-mysql-ro-drift"):
        fixed.modify_db_instance(DBInstanceIdentifier=replica, DeletionProtection=False, ApplyImmediately=True)
        fixed.delete_db_instance(DBInstanceIdentifier=replica, SkipFinalSnapshot=True)
    assert main(["status", "--fail-on", "critical", *demo_env]) == 0
    assert main(["status", "--fail-on", "warning", *demo_env]) == 3  # legacy-reports has no PITR
    out = capsys.readouterr().out
    assert "attention: 1 no PITR" in out
    with pytest.raises(SystemExit) as usage:
        main(["status", "--fail-on", "info", *demo_env])
    assert usage.value.code == 2


def test_alarms_that_cannot_be_read_are_said_and_lags_still_come(demo, keys_in_env, fault_proxy, capsys):
    denied = "User: arn:aws:iam::123456789012:user/ro is not authorized to perform: cloudwatch:DescribeAlarms"
    fault_proxy.add(Rule(error("AccessDenied", denied, 403), operation="DescribeAlarms", region="us-west-2"))
    where = ["--endpoint-url", fault_proxy.url, "--region", ",".join(DemoFleet.REGIONS)]
    assert main(["status", "--json", *where]) == 0
    document = json.loads(capsys.readouterr().out)
    regions = {r["name"]: r for r in document["regions"]}
    assert "cloudwatch:DescribeAlarms" in regions["us-west-2"]["alarms_error"]
    assert regions["us-west-2"]["metrics_error"] is None and regions["us-east-1"]["alarms_error"] is None
    nodes = {n["id"]: n for n in walk(document["nodes"]) if n["type"] != "standby"}
    assert nodes["catalog-mysql-ro-drift"]["lag_seconds"] > 30 and nodes["catalog-mysql-ro-drift"]["alarms"] == []
    assert nodes["orders-pg"]["alarms"]  # another region's alarms are still read


def test_text_tree_one_node_a_line(demo_env, capsys):
    code = main(["status", *demo_env])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    cascade = next(line for line in lines if "orders-pg-ro1-cascade" in line)
    assert cascade.startswith("│  └─ orders-pg-ro1-cascade") or "└─ orders-pg-ro1-cascade" in cascade
    assert "replica" in cascade and "postgres 16.4" in cascade and "lag " in cascade
    standby = next(line for line in lines if line.lstrip("├└─│ ").startswith("orders-pg ") and "standby" in line)
    assert "us-east-1b" in standby or "us-east-1c" in standby
    # The console's words for roles (its tree column), not the JSON's model roles.
    words: dict[str, str] = {}
    for line in lines:
        cells = line.lstrip("├└─│ ").split()
        if "  " in line:
            words.setdefault(cells[0], cells[1])  # a standby after its primary, of the same identifier
    assert words["inventory-maz"] == "cluster" and words["legacy-reports"] == "instance"
    assert words["orders-pg"] == "primary" and words["payments-use1"] == "primary"


def test_a_failing_region_is_reported_and_the_rest_still_shown(demo, demo_env, capsys):
    demo.break_region("eu-west-1", "AccessDenied", "not authorized to perform rds:DescribeDBInstances")
    code = main(["status", "--json", *demo_env])
    document = json.loads(capsys.readouterr().out)
    assert code == 1
    regions = {r["name"]: r for r in document["regions"]}
    assert regions["eu-west-1"]["ok"] is False and "access denied" in regions["eu-west-1"]["error"]
    assert regions["us-east-1"]["ok"] and regions["us-west-2"]["ok"]
    ids = {n["id"] for n in walk(document["nodes"])}
    assert "orders-pg" in ids and "catalog-mysql" in ids and "legacy-reports" not in ids
    # The global secondary in the failed region is a placeholder, not lost.
    members = next(n for n in document["nodes"] if n["id"] == "payments-global")["children"]
    assert [(m["id"], m["type"]) for m in members][-1] == ("payments-euw1", "external")


def test_a_cloudwatch_failure_is_said_per_region_not_just_null_lags(demo, keys_in_env, fault_proxy, capsys):
    denied = "User: arn:aws:iam::123456789012:user/ro is not authorized to perform: cloudwatch:GetMetricData"
    fault_proxy.add(Rule(error("AccessDenied", denied, 403), operation="GetMetricData", region="us-west-2"))
    where = ["--endpoint-url", fault_proxy.url, "--region", ",".join(DemoFleet.REGIONS)]
    assert main(["status", "--json", *where]) == 0  # the describes worked everywhere
    regions = {r["name"]: r for r in json.loads(capsys.readouterr().out)["regions"]}
    assert "cloudwatch:GetMetricData" in regions["us-west-2"]["metrics_error"]
    assert regions["us-east-1"]["metrics_error"] is None and regions["eu-west-1"]["metrics_error"] is None
    main(["status", *where])
    text = capsys.readouterr().out
    line = next(line for line in text.splitlines() if line.startswith("region us-west-2"))
    assert line.startswith("region us-west-2: ok; CloudWatch failed:") and "GetMetricData" in line


async def test_failed_region_keeps_its_last_good_data_marked_stale(demo):
    async with SessionFactory(demo.target) as factory:
        watch = FleetWatch(factory, DemoFleet.REGIONS)
        first = await watch.once()
        before = first.regions[2].polled_at
        demo.break_region("eu-west-1", "Throttling", "Rate exceeded")
        fleet = await watch.once()
    euw1 = fleet.regions[2]
    assert (euw1.name, euw1.ok, euw1.stale, euw1.polled_at) == ("eu-west-1", False, True, before)
    assert "throttled" in euw1.error
    assert any(node.id == "legacy-reports" for node in fleet.walk()), "last good data is kept"
    assert all(state.ok for state in fleet.regions[:2])


def test_demo_flag_runs_the_same_path(capsys):
    code = main(["status", "--demo", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and len(document["regions"]) == 3
    assert any(n["id"] == "payments-global" for n in document["nodes"])


def test_json_says_broken_replication_blue_green_and_stopped(capsys):
    """The shapes AWS reports that need saying: what `status --demo --json` shows of them."""
    assert main(["status", "--demo", "--json"]) == 0
    nodes = {n["id"]: n for n in walk(json.loads(capsys.readouterr().out)["nodes"]) if n["type"] != "standby"}
    broken = nodes["catalog-mysql-ro-broken"]
    assert broken["replication"]["normal"] is False and broken["replication"]["status"] in ("error", "not replicating")
    assert "Error 1062" in broken["replication"]["message"] or "-1" in broken["replication"]["message"]
    assert broken["lag_seconds"] == -1
    assert nodes["catalog-mysql-ro-drift"]["replication"] == {"status": "replicating", "normal": True, "message": None}
    assert nodes["orders-pg"]["replication"] is None
    blue, green = nodes["billing-mysql"]["blue_green"], next(
        n["blue_green"] for n in nodes.values() if n["id"].startswith("billing-mysql-green-")
    )
    assert blue["role"] == "blue" and green["role"] == "green" and blue["id"] == green["id"].strip()
    assert blue["status"] == green["status"] == "AVAILABLE"
    stopped = nodes["reports-pg-staging"]
    assert stopped["status"] == "stopped" and any("starts it again" in note for note in stopped["notes"])
    assert nodes["payments-usw2"]["replication"]["status"] == "connected"
