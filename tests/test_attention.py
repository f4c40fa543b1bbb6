"""Findings from the core, judged on recorded AWS records and made-up metrics (no server needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from recorded import described, response

from rdstui.core.alarms import alarms_from
from rdstui.core.attention import AttentionRules, assess, at_or_above, summary, trend
from rdstui.core.config import ConfigError, load_config
from rdstui.core.metrics import SeriesKey
from rdstui.core.model import Fleet, RegionState, Severity
from rdstui.core.topology import build_topology

RULES = AttentionRules()
RETENTION = "recorded/cloud-custodian/test_rds_retention__rds.DescribeDBInstances_1.json"
STOPPED = "recorded/cloud-custodian/test_rds_start__rds.DescribeDBInstances_1.json"
GAPS = "model/rds.DescribeDBInstances.gaps.json"


def fleet_of(*names: str, **extra) -> Fleet:
    regions = described(*names)
    topology = build_topology(regions)
    states = tuple(RegionState(r.region, ok=True) for r in regions)
    return Fleet(regions=states, roots=topology.roots, **extra)


def findings(fleet: Fleet, now: datetime, rules: AttentionRules = RULES) -> dict[str, list[tuple[str, str]]]:
    judged = assess(fleet, rules, now)
    return {
        node.id: [(f.severity.word, f.kind) for f in judged.get(node.key, ())]
        for node in fleet.walk() if node.key in judged
    }


def test_recorded_failed_status_and_an_old_restorable_time():
    fleet = fleet_of(RETENTION)
    now = datetime(2016, 6, 14, 1, 20, tzinfo=timezone.utc)  # 5 min after sbbdev's LatestRestorableTime
    found = findings(fleet, now)
    assert found["sbbdev"] == [("critical", "failed")]
    # oneness's latest restorable time is five weeks old: the RPO now is far past 15 minutes.
    assert found["oneness"] == [("warning", "RPO")]
    # Replicas with retention 0 (qapipfitread) are not primaries: no PITR finding for them.
    assert "qapipfitread" not in found and "sbbdevslave" not in found


def test_recorded_stopped_and_stopping_are_info_never_problems():
    fleet = fleet_of(STOPPED)
    found = findings(fleet, datetime(2017, 6, 1, 21, 12, tzinfo=timezone.utc))
    assert found == {"rds-test-instance-1": [("info", "busy")], "rds-test-instance-2": [("info", "stopped")]}
    assert summary(assess(fleet, RULES, datetime(2017, 6, 1, 21, 12, tzinfo=timezone.utc))) == []


def test_broken_replication_from_status_infos_is_critical_and_restart_time_is_said():
    fleet = fleet_of(GAPS)
    now = datetime(2024, 1, 2, 12, 0, tzinfo=timezone.utc)
    judged = assess(fleet, RULES, now)
    by_id = {node.id: judged.get(node.key, ()) for node in fleet.walk()}
    assert [(f.severity, f.kind) for f in by_id["pg-rep1-cascade"]] == [(Severity.CRITICAL, "broken")]
    assert "Replication has stopped due to an error." in by_id["pg-rep1-cascade"][0].reason
    stopped = by_id["mysql-stopped"]
    assert stopped[0].severity is Severity.INFO and "2024-01-08 12:00 UTC (in 6d00h)" in stopped[0].reason


def test_lag_thresholds_and_a_steady_rise():
    fleet = fleet_of(GAPS)
    replica = next(n for n in fleet.walk() if n.id == "pg-rep1")
    now = datetime(2024, 1, 1, 12, 10, tzinfo=timezone.utc)
    rising = tuple((now - timedelta(minutes=6 - i), 10.0 + 4 * i) for i in range(7))  # 10 s → 34 s
    key = SeriesKey(replica.region, "ReplicaLag", replica.id)
    lagging = replace(fleet, series={key: rising}, lags={replica.key: 34.0})
    kinds = [(f.severity.word, f.reason) for f in assess(lagging, RULES, now)[replica.key]]
    assert kinds == [("warning", "ReplicaLag 34s: at or above 30s"), ("warning", "ReplicaLag rising for 5m00s: 14s → 34s")]
    critical = replace(lagging, lags={replica.key: 301.0})
    assert assess(critical, RULES, now)[replica.key][0].severity is Severity.CRITICAL
    assert at_or_above(replace(critical, attention=assess(critical, RULES, now)), Severity.CRITICAL)
    flat = replace(fleet, series={key: tuple((t, 12.0) for t, _ in rising)}, lags={replica.key: 12.0})
    assert replica.key not in assess(flat, RULES, now)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10, 10, 10, 10, 10, 10, 20], "rising"),
        ([20, 20, 20, 20, 20, 20, 10], "falling"),
        ([10, 10, 10, 10, 10, 10, 10.5], "flat"),  # under a second and a tenth: no arrow up
        ([0.029, 0.03, 0.028, 0.03, 0.03, 0.03, 0.035], "flat"),  # milliseconds never flap
        ([10, 20], None),  # two minutes of history: nothing to compare five minutes back with
    ],
)
def test_trend_compares_with_five_minutes_ago(values, expected):
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    series = tuple((now - timedelta(minutes=len(values) - 1 - i), float(v)) for i, v in enumerate(values))
    assert trend(series, 300) == expected


def test_alarms_map_to_databases_by_their_dimensions_only_in_alarm_is_a_finding():
    records = response("model/monitoring.DescribeAlarms.rds.json")["MetricAlarms"]
    records[0]["StateUpdatedTimestamp"] = datetime(2024, 1, 1, 12, 10, tzinfo=timezone.utc)
    alarms = tuple(a for record in records for a in alarms_from("us-east-1", record))
    assert [(a.name, a.dimension, a.identifier) for a in alarms] == [
        ("pg-rep1-replica-lag", "DBInstanceIdentifier", "pg-rep1"),
        ("sv2-cpu", "DBClusterIdentifier", "sv2"),  # with Role=WRITER: still the cluster's
    ]
    assert alarms[1].since is None  # a field botocore would have parsed, left a string: unknown
    fleet = fleet_of(GAPS, alarms=alarms)
    replica = next(n for n in fleet.walk() if n.id == "pg-rep1")
    assert fleet.alarms_of(replica) == (alarms[0],)
    [finding] = assess(fleet, RULES, datetime(2024, 1, 1, 12, 40, tzinfo=timezone.utc))[replica.key]
    assert finding.severity is Severity.CRITICAL and finding.kind == "alarm"
    assert finding.reason == "alarm pg-rep1-replica-lag in ALARM for 30m00s"
    assert fleet.alarms_of(replica)[0].reason.startswith("Threshold Crossed: 1 datapoint [120.0]")


def test_since_is_when_the_state_changed_not_the_last_evaluation_update():
    changed = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    record = {
        "AlarmName": "a", "StateValue": "ALARM", "MetricName": "ReplicaLag",
        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "db"}],
        "StateTransitionedTimestamp": changed, "StateUpdatedTimestamp": changed + timedelta(minutes=9),
    }
    assert alarms_from("us-east-1", record)[0].since == changed
    del record["StateTransitionedTimestamp"]
    assert alarms_from("us-east-1", record)[0].since == changed + timedelta(minutes=9)


def test_a_metric_math_alarm_is_listed_under_every_database_it_reads():
    record = {
        "AlarmName": "lag-sum", "StateValue": "ALARM", "StateReason": "r",
        "Metrics": [
            {"Id": "e1", "Expression": "m1+m2"},
            {"Id": "m1", "MetricStat": {"Metric": {"MetricName": "ReplicaLag", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "a"}]}}},
            {"Id": "m2", "MetricStat": {"Metric": {"MetricName": "ReplicaLag", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "b"}]}}},
            {"Id": "m3", "MetricStat": {"Metric": {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "InstanceId", "Value": "i-1"}]}}},
        ],
    }
    alarms = alarms_from("eu-west-1", record)
    assert [(a.identifier, a.metric) for a in alarms] == [("a", "ReplicaLag, CPUUtilization"), ("b", "ReplicaLag, CPUUtilization")]


def test_a_failing_region_is_critical_on_each_of_its_databases():
    fleet = fleet_of(GAPS)
    now = datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
    failing = RegionState("us-east-1", ok=False, error="Throttling: Rate exceeded", polled_at=now - timedelta(minutes=3),
                          attempted_at=now)
    judged = assess(replace(fleet, regions=(failing,)), RULES, now)
    source = next(n for n in fleet.walk() if n.id == "pg-src")
    [stale] = [f for f in judged[source.key] if f.kind == "stale"]
    assert stale.severity is Severity.CRITICAL and stale.reason == (
        "region us-east-1 failing (data from 3m00s ago): Throttling: Rate exceeded"
    )


def test_summary_counts_databases_by_kind_worst_first():
    fleet = fleet_of(RETENTION)
    now = datetime(2016, 6, 14, 1, 20, tzinfo=timezone.utc)
    assert summary(assess(fleet, RULES, now)) == [("failed", 1, Severity.CRITICAL), ("RPO", 1, Severity.WARNING)]


def test_attention_config_keys_are_read_and_checked(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text(
        '[attention]\nrpo_warning = 600\nfree_storage_warning = 20\ntrend_window = 600\nalarms = false\n'
        '[profiles.prod]\nlabel = "PRODUCTION"\n'
    )
    settings = load_config(path).settings({"profile": "prod"})
    rules = AttentionRules.from_settings(settings)
    assert (rules.rpo_warning, rules.free_storage_warning, rules.trend_window) == (600, 20, 600)
    assert settings.alarms is False and settings.label == "PRODUCTION"
    for line, why in (
        ("free_storage_warning = 100", "'attention.free_storage_warning' must be from 0.1 to 99 (got 100)"),
        ("trend_window = 60", "'attention.trend_window' must be from 120 to 3600 (got 60)"),
        ("lag = 3", "unknown key 'attention.lag'"),
    ):
        path.write_text(f"[attention]\n{line}\n")
        with pytest.raises(ConfigError) as raised:
            load_config(path)
        assert f"{path}:2: {why}" in str(raised.value)
    path.write_text('[profiles.prod]\nlabel = ""\n')
    with pytest.raises(ConfigError, match="label' must be 1 to 24 printable characters"):
        load_config(path)
