"""CloudWatch metrics: the store, and fetch_metrics against a real moto server."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from support import free_port

from rdstui.core.metrics import (
    INSTANCE_METRICS,
    LAG_METRICS,
    LATE_DATA,
    MAX_QUERIES,
    MetricStore,
    SeriesKey,
    align_down,
    align_up,
    fetch_metrics,
    plan_calls,
)
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget

UTC = timezone.utc
MINUTE = timedelta(minutes=1)


def minute_now() -> datetime:
    """Now, a few seconds into the current minute (moto accepts past timestamps)."""
    return align_down(datetime.now(UTC), 60) + timedelta(seconds=5)


def put(aws, region: str, metric: str, dimension: str, ident: str, points, unit: str = "None") -> None:
    """Put (time, value) points for one series, in modest bodies."""
    client = aws("cloudwatch", region)
    data = [
        {
            "MetricName": metric,
            "Dimensions": [{"Name": dimension, "Value": ident}],
            "Timestamp": moment,
            "Value": value,
            "Unit": unit,
        }
        for moment, value in points
    ]
    for first in range(0, len(data), 100):
        client.put_metric_data(Namespace="AWS/RDS", MetricData=data[first : first + 100])


def spy_get_metric_data(client) -> list[dict[str, Any]]:
    """Record the parameters of every GetMetricData call the client makes."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        seen.append(dict(params))

    client.meta.events.register("provide-client-params.cloudwatch.GetMetricData", record)
    return seen


@pytest.fixture
def recording(factory):
    """Every GetMetricData request the client puts on the wire, as {"region", "body"}.

    Counted at parameter build, once per HTTP request: local clients make one try
    per call, so calls and requests are the same. (moto's own recorder interleaves
    lines written by concurrent requests and cannot be parsed reliably.)
    """
    seen: list[dict[str, Any]] = []

    def hook(params, context, **_):
        seen.append({"region": context["client_region"], "body": json.loads(json.dumps(params, default=str))})

    factory.session.register("before-parameter-build.cloudwatch.GetMetricData", hook)
    yield lambda: list(seen)
    factory.session.unregister("before-parameter-build.cloudwatch.GetMetricData", hook)


# --- specs -------------------------------------------------------------------


def test_specs_follow_the_aws_documentation():
    """Units and statistics as the RDS and Aurora metric tables give them."""
    specs = {name: (s.stat, s.scale, s.source_unit, s.unit) for name, s in LAG_METRICS.items()}
    assert specs == {
        "ReplicaLag": ("Maximum", 1.0, "Seconds", "Seconds"),
        "AuroraReplicaLag": ("Maximum", 0.001, "Milliseconds", "Seconds"),
        "AuroraGlobalDBReplicationLag": ("Maximum", 0.001, "Milliseconds", "Seconds"),
        "AuroraGlobalDBRPOLag": ("Maximum", 0.001, "Milliseconds", "Seconds"),
        "AuroraBinlogReplicaLag": ("Maximum", 1.0, "Seconds", "Seconds"),
        "RDSToAuroraPostgreSQLReplicaLag": ("Maximum", 1.0, "Seconds", "Seconds"),
    }
    gauges = {name: (s.stat, s.unit) for name, s in INSTANCE_METRICS.items()}
    assert gauges == {
        "CPUUtilization": ("Average", "Percent"),
        "DatabaseConnections": ("Average", "Count"),
        "FreeStorageSpace": ("Minimum", "Bytes"),
        "FreeLocalStorage": ("Minimum", "Bytes"),
        "ServerlessDatabaseCapacity": ("Average", "Count"),
        "ACUUtilization": ("Average", "Percent"),
    }


def test_dimension_sets_asked_for_each_metric():
    """Exact dimension sets: GetMetricData matches none but the one published."""
    def dims(metric, ident="x", source_region=""):
        return [[(d["Name"], d["Value"]) for d in v] for v in SeriesKey("r", metric, ident, source_region).variants()]

    assert dims("ReplicaLag") == [[("DBInstanceIdentifier", "x")]]
    assert dims("AuroraBinlogReplicaLag") == [[("DBClusterIdentifier", "x"), ("Role", "WRITER")], [("DBClusterIdentifier", "x")]]
    # Global lags: every candidate set; SourceRegion only when the primary's region is known.
    assert dims("AuroraGlobalDBRPOLag", "sec", "us-east-1") == [
        [("DBClusterIdentifier", "sec")],
        [("DBClusterIdentifier", "sec"), ("SourceRegion", "us-east-1")],
        [("SourceRegion", "us-east-1")],
    ]
    assert dims("AuroraGlobalDBReplicationLag", "sec") == [[("DBClusterIdentifier", "sec")]]


# --- the store ---------------------------------------------------------------

KEY = SeriesKey("us-east-1", "CPUUtilization", "db-1")
T = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_store_keeps_only_newer_points_oldest_first():
    store = MetricStore()
    assert store.latest(KEY) is None and store.newest_time(KEY) is None and list(store.series(KEY)) == []
    assert store.add(KEY, [(T + 2 * MINUTE, 2.0), (T, 0.0), (T + MINUTE, 1.0)]) == 3
    assert list(store.series(KEY)) == [(T, 0.0), (T + MINUTE, 1.0), (T + 2 * MINUTE, 2.0)]
    # Not newer than held: ignored, nothing rewritten.
    assert store.add(KEY, [(T + MINUTE, 9.0), (T + 2 * MINUTE, 9.0)]) == 0
    assert store.add(KEY, [(T + 2 * MINUTE, 9.0), (T + 3 * MINUTE, 3.0)]) == 1
    assert store.latest(KEY) == (T + 3 * MINUTE, 3.0)
    assert store.newest_time(KEY) == T + 3 * MINUTE
    # A naive timestamp is UTC.
    assert store.add(KEY, [(T.replace(tzinfo=None) + 4 * MINUTE, 4.0)]) == 1
    assert store.newest_time(KEY) == T + 4 * MINUTE


def test_store_is_bounded_by_count_and_by_age():
    store = MetricStore(history=timedelta(hours=10), max_points=50)
    assert store.add(KEY, [(T + i * MINUTE, float(i)) for i in range(120)]) == 50
    held = list(store.series(KEY))
    assert len(held) == 50 and held[0] == (T + 70 * MINUTE, 70.0) and held[-1][1] == 119.0

    aged = MetricStore(history=timedelta(minutes=30), max_points=1000)
    assert aged.add(KEY, [(T + i * MINUTE, float(i)) for i in range(20)]) == 20
    # 40 minutes on, the first points are more than 30 minutes older than the newest.
    assert aged.add(KEY, [(T + 40 * MINUTE, 40.0)]) == 1
    assert [moment for moment, _ in aged.series(KEY)][0] == T + 10 * MINUTE
    aged.expire(T + 45 * MINUTE)
    assert aged.series(KEY)[0] == (T + 15 * MINUTE, 15.0)
    aged.expire(T + 3 * 60 * MINUTE)
    assert aged.series(KEY) == () and len(aged) == 0


def test_store_forget_drops_series_not_kept():
    store = MetricStore()
    other = SeriesKey("eu-west-1", "ReplicaLag", "db-2")
    gone = SeriesKey("us-east-1", "AuroraReplicaLag", "db-3")
    for key in (KEY, other, gone):
        store.add(key, [(T, 1.0)])
        store.mark_checked(key, T + MINUTE)
    store.forget([KEY, other])
    assert store.keys() == sorted([KEY, other])
    assert list(store.series(gone)) == [] and store.checked_until(gone) is None
    assert store.checked_until(KEY) == T + MINUTE
    store.forget([])
    assert len(store) == 0 and store.checked_until(KEY) is None


# --- planning ----------------------------------------------------------------


def test_alignment():
    assert align_down(T + timedelta(seconds=59), 60) == T
    assert align_up(T + timedelta(seconds=1), 60) == T + MINUTE
    assert align_up(T, 60) == T


def test_plan_calls_batches_by_start_time_and_size():
    cold = {SeriesKey("r", "CPUUtilization", f"cold-{i:04}"): T for i in range(1001)}
    assert [len(call.keys) for call in plan_calls(cold)] == [MAX_QUERIES, MAX_QUERIES, 1]

    warm = {SeriesKey("r", "CPUUtilization", f"warm-{i}"): T + 59 * MINUTE for i in range(300)}
    late = {SeriesKey("r", "ReplicaLag", f"quiet-{i}"): T + 55 * MINUTE for i in range(10)}
    new = {SeriesKey("r", "CPUUtilization", "new"): T}
    calls = plan_calls({**warm, **late, **new})
    # The new series alone reads the hour; everything warm reads the last minutes.
    assert [(call.start, len(call.keys)) for call in calls] == [(T, 1), (T + 55 * MINUTE, 310)]


# --- fetch_metrics against moto ----------------------------------------------


async def test_units_are_normalised_and_dimensions_respected(aws, factory):
    now = minute_now()
    t = now - 3 * MINUTE - timedelta(seconds=5)  # start of a complete minute
    put(aws, "us-east-1", "AuroraReplicaLag", "DBInstanceIdentifier", "reader-1", [(t, 250.0)], "Milliseconds")
    put(aws, "us-east-1", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", "secondary", [(t, 1500.0)],
        "Milliseconds")
    put(aws, "us-east-1", "ReplicaLag", "DBInstanceIdentifier", "replica-1", [(t, 7.0)], "Seconds")
    put(aws, "us-east-1", "AuroraBinlogReplicaLag", "DBClusterIdentifier", "binlog", [(t, 3.0)], "Seconds")
    # Two values in one minute: the stat decides.
    put(aws, "us-east-1", "CPUUtilization", "DBInstanceIdentifier", "db-1",
        [(t, 40.0), (t + timedelta(seconds=20), 60.0)], "Percent")
    put(aws, "us-east-1", "FreeStorageSpace", "DBInstanceIdentifier", "db-1",
        [(t, 5e9), (t + timedelta(seconds=20), 4e9)], "Bytes")
    put(aws, "us-east-1", "DatabaseConnections", "DBInstanceIdentifier", "db-1",
        [(t, 10.0), (t + timedelta(seconds=20), 20.0)], "Count")
    # Decoys under the other dimension name must not be read.
    put(aws, "us-east-1", "AuroraGlobalDBReplicationLag", "DBInstanceIdentifier", "secondary", [(t, 9e6)])
    put(aws, "us-east-1", "ReplicaLag", "DBClusterIdentifier", "replica-1", [(t, 999.0)])

    store = MetricStore()
    keys = {
        SeriesKey("us-east-1", "AuroraReplicaLag", "reader-1"): 0.25,
        SeriesKey("us-east-1", "AuroraGlobalDBReplicationLag", "secondary"): 1.5,
        SeriesKey("us-east-1", "ReplicaLag", "replica-1"): 7.0,
        SeriesKey("us-east-1", "AuroraBinlogReplicaLag", "binlog"): 3.0,
        SeriesKey("us-east-1", "CPUUtilization", "db-1"): 50.0,
        SeriesKey("us-east-1", "FreeStorageSpace", "db-1"): 4e9,
        SeriesKey("us-east-1", "DatabaseConnections", "db-1"): 15.0,
    }
    result = await fetch_metrics(factory, keys, store, now=now)
    assert result.errors == {} and result.calls == 1 and result.points == len(keys)
    for key, expected in keys.items():
        assert list(store.series(key)) == [(t, pytest.approx(expected))], key


async def test_batches_of_500_counted_on_the_wire(aws, factory, recording):
    now = minute_now()
    t = now - 2 * MINUTE - timedelta(seconds=5)
    n = 2 * MAX_QUERIES + 1
    keys = [SeriesKey("us-east-1", "CPUUtilization", f"db-{i:04}") for i in range(n)]
    marked = [0, 499, 500, 999, 1000]  # either side of each batch boundary
    client = aws("cloudwatch", "us-east-1")
    client.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {"MetricName": "CPUUtilization", "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": f"db-{i:04}"}],
             "Timestamp": t, "Value": float(i), "Unit": "Percent"}
            for i in marked
        ],
    )
    seen = spy_get_metric_data(await factory.client("cloudwatch", "us-east-1"))
    store = MetricStore()

    result = await fetch_metrics(factory, keys, store, now=now)

    requests = recording()
    assert len(requests) == math.ceil(n / MAX_QUERIES) == result.calls == 3
    assert {r["region"] for r in requests} == {"us-east-1"}
    assert sorted(len(call["MetricDataQueries"]) for call in seen) == [1, 500, 500]
    # As sent: every key asked exactly once (one dimension set), ids m0v0.. within each call.
    bodies = [r["body"] for r in requests]
    assert None not in bodies, "botocore no longer speaks JSON to CloudWatch: decode the new body format"
    asked = [q["MetricStat"]["Metric"]["Dimensions"][0]["Value"] for b in bodies for q in b["MetricDataQueries"]]
    assert sorted(asked) == [key.identifier for key in keys]
    assert all(q["Id"] == f"m{i}v0" for b in bodies for i, q in enumerate(b["MetricDataQueries"]))
    assert result.errors == {} and result.points == len(marked)
    for i in marked:
        assert list(store.series(keys[i])) == [(t, float(i))]
    assert list(store.series(keys[1])) == []


async def test_no_keys_no_calls(factory, recording):
    result = await fetch_metrics(factory, [], MetricStore(), now=minute_now())
    assert (result.calls, result.points, result.errors) == (0, 0, {})
    assert recording() == []


async def test_second_fetch_asks_only_for_the_new_minute(aws, factory, recording):
    now = minute_now()
    start = now - timedelta(seconds=5) - 10 * MINUTE
    key = SeriesKey("us-east-1", "AuroraReplicaLag", "reader-1")
    put(aws, "us-east-1", key.metric, "DBInstanceIdentifier", key.identifier,
        [(start + i * MINUTE, 100.0 * i) for i in range(10)], "Milliseconds")
    seen = spy_get_metric_data(await factory.client("cloudwatch", "us-east-1"))
    store = MetricStore()

    first = await fetch_metrics(factory, [key], store, now=now)
    assert first.points == 10 and first.calls == 1
    assert seen[0]["StartTime"] == align_up(now - store.history, 60)
    assert seen[0]["EndTime"] == align_down(now, 60)

    # One more minute of data, one minute later.
    newest = start + 10 * MINUTE
    put(aws, "us-east-1", key.metric, "DBInstanceIdentifier", key.identifier, [(newest, 2000.0)], "Milliseconds")
    later = now + MINUTE
    second = await fetch_metrics(factory, [key], store, now=later)
    assert (second.calls, second.points, second.errors) == (1, 1, {})
    assert seen[1]["StartTime"] == newest  # just after the newest point held
    assert seen[1]["EndTime"] == align_down(later, 60)
    assert store.latest(key) == (newest, 2.0)
    assert len(list(store.series(key))) == 11

    # Asked again within the same minute: nothing can be new, so no call at all.
    third = await fetch_metrics(factory, [key], store, now=later + timedelta(seconds=30))
    assert third.calls == 0
    assert len(recording()) == 2


async def test_warm_poll_reads_only_the_last_minutes(aws, factory):
    now = minute_now()
    t = now - timedelta(seconds=5) - MINUTE
    with_data = [SeriesKey("us-east-1", "CPUUtilization", f"db-{i}") for i in range(3)]
    quiet = [SeriesKey("us-east-1", "ReplicaLag", f"db-{i}") for i in range(3)]  # never published
    for key in with_data:
        put(aws, "us-east-1", key.metric, "DBInstanceIdentifier", key.identifier, [(t, 1.0)])
    seen = spy_get_metric_data(await factory.client("cloudwatch", "us-east-1"))
    store = MetricStore()
    await fetch_metrics(factory, with_data + quiet, store, now=now)
    assert seen[-1]["StartTime"] == align_up(now - store.history, 60)

    later = now + 2 * MINUTE
    result = await fetch_metrics(factory, with_data + quiet, store, now=later)
    assert result.calls == 1 and not result.errors
    # Quiet series are re-read from a little before the last read (late data), not a whole hour;
    # the warm ones ride along in the same call.
    assert seen[-1]["StartTime"] == align_down(now, 60) - LATE_DATA
    assert seen[-1]["EndTime"] - seen[-1]["StartTime"] == LATE_DATA + 2 * MINUTE
    assert len(seen[-1]["MetricDataQueries"]) == 6


async def test_first_fetch_is_bounded_by_the_history_window(aws, factory):
    now = minute_now()
    key = SeriesKey("us-east-1", "ReplicaLag", "replica-1")
    old, recent = now - timedelta(seconds=5) - 30 * MINUTE, now - timedelta(seconds=5) - 5 * MINUTE
    put(aws, "us-east-1", key.metric, "DBInstanceIdentifier", key.identifier, [(old, 1.0), (recent, 2.0)])
    store = MetricStore(history=timedelta(minutes=10))
    result = await fetch_metrics(factory, [key], store, now=now)
    assert result.points == 1 and list(store.series(key)) == [(recent, 2.0)]


async def test_a_region_unknown_to_the_endpoint_does_not_stop_the_others(aws, factory):
    now = minute_now()
    t = now - timedelta(seconds=5) - MINUTE
    good = SeriesKey("us-east-1", "ReplicaLag", "replica-1")
    put(aws, "us-east-1", good.metric, "DBInstanceIdentifier", good.identifier, [(t, 4.0)])
    bad = SeriesKey("xx-nowhere-1", "ReplicaLag", "replica-2")  # moto answers HTTP 500
    store = MetricStore()
    result = await fetch_metrics(factory, [good, bad], store, now=now)
    assert list(result.errors) == ["xx-nowhere-1"]
    message = result.errors["xx-nowhere-1"]
    assert "\n" not in message and "<" not in message and "500" in message
    assert list(store.series(good)) == [(t, 4.0)] and list(store.series(bad)) == []


class SplitFactory:
    """Sends one region to another factory, the rest to the default one."""

    def __init__(self, default: SessionFactory, region: str, other: SessionFactory) -> None:
        self.default, self.region, self.other = default, region, other

    async def client(self, service: str, region: str) -> Any:
        chosen = self.other if region == self.region else self.default
        return await chosen.client(service, region)


async def test_an_unreachable_region_does_not_stop_the_others(aws, factory):
    now = minute_now()
    t = now - timedelta(seconds=5) - MINUTE
    keys = [SeriesKey("us-east-1", "CPUUtilization", "db-1"), SeriesKey("eu-west-1", "CPUUtilization", "db-2")]
    for key in keys:
        put(aws, key.region, key.metric, "DBInstanceIdentifier", key.identifier, [(t, 12.0)])
    dead = AwsTarget(endpoint_url=f"http://127.0.0.1:{free_port()}", credentials=DEMO_CREDENTIALS,
                     connect_timeout=2, read_timeout=2)
    async with SessionFactory(dead) as unreachable:
        store = MetricStore()
        result = await fetch_metrics(SplitFactory(factory, "eu-west-1", unreachable), keys, store, now=now)
    assert list(result.errors) == ["eu-west-1"]
    assert result.errors["eu-west-1"].startswith("could not reach CloudWatch")
    assert list(store.series(keys[0])) == [(t, 12.0)] and list(store.series(keys[1])) == []


# --- fetch_metrics with a scripted client (what moto does not do) ------------


class ScriptedClient:
    """A CloudWatch client that answers from a script of pages."""

    def __init__(self, pages: list[dict[str, Any]] | None = None, delay: float = 0.0,
                 error: Exception | None = None) -> None:
        self.pages = pages or []
        self.delay = delay
        self.error = error
        self.requests: list[dict[str, Any]] = []

    async def get_metric_data(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        return self.pages[len(self.requests) - 1]


class ScriptedFactory:
    def __init__(self, clients: dict[str, ScriptedClient]) -> None:
        self.clients = clients
        self.asked: list[tuple[str, str]] = []

    async def client(self, service: str, region: str) -> ScriptedClient:
        self.asked.append((service, region))
        return self.clients[region]


async def test_next_token_is_followed_and_pages_merged():
    now = T + 10 * MINUTE + timedelta(seconds=5)
    keys = [SeriesKey("r", "AuroraReplicaLag", "a"), SeriesKey("r", "CPUUtilization", "a")]
    # Ids follow sorted key order: m0v0 = AuroraReplicaLag, m1v0 = CPUUtilization (one dimension set each).
    pages = [
        {"MetricDataResults": [
            {"Id": "m0v0", "Timestamps": [T + 9 * MINUTE, T + 8 * MINUTE], "Values": [900.0, 800.0],
             "StatusCode": "PartialData"},
            {"Id": "m1v0", "Timestamps": [T + 9 * MINUTE], "Values": [50.0], "StatusCode": "Complete"},
        ], "NextToken": "page-2"},
        {"MetricDataResults": [
            {"Id": "m0v0", "Timestamps": [T + 7 * MINUTE], "Values": [700.0], "StatusCode": "Complete"},
        ]},
    ]
    client = ScriptedClient(pages)
    store = MetricStore()
    result = await fetch_metrics(ScriptedFactory({"r": client}), keys, store, now=now)
    assert (result.calls, result.points, result.errors) == (2, 4, {})
    assert "NextToken" not in client.requests[0] and client.requests[1]["NextToken"] == "page-2"
    assert client.requests[1]["StartTime"] == client.requests[0]["StartTime"]
    assert list(store.series(keys[0])) == [
        (T + 7 * MINUTE, pytest.approx(0.7)), (T + 8 * MINUTE, pytest.approx(0.8)), (T + 9 * MINUTE, pytest.approx(0.9))
    ]
    assert list(store.series(keys[1])) == [(T + 9 * MINUTE, 50.0)]


async def test_slow_or_refusing_regions_become_errors():
    now = T + 10 * MINUTE
    ok = ScriptedClient([{"MetricDataResults": [{"Id": "m0v0", "Timestamps": [T], "Values": [1.0]}]}])
    slow = ScriptedClient(delay=5.0)
    denied = ScriptedClient(error=ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "not authorized\nto GetMetricData"}}, "GetMetricData"))
    factory = ScriptedFactory({"ok": ok, "slow": slow, "denied": denied})
    keys = [SeriesKey(region, "ReplicaLag", "db") for region in ("ok", "slow", "denied")]
    store = MetricStore()
    result = await fetch_metrics(factory, keys, store, now=now, timeout=0.2)
    assert set(result.errors) == {"slow", "denied"}
    assert result.errors["slow"] == "CloudWatch did not answer within 0.2 s"
    assert result.errors["denied"] == "CloudWatch refused GetMetricData (AccessDenied): not authorized to GetMetricData"
    assert list(store.series(keys[0])) == [(T, 1.0)]


async def test_nothing_due_means_no_client_and_no_call():
    factory = ScriptedFactory({})
    store = MetricStore()
    key = SeriesKey("r", "ReplicaLag", "db")
    now = T + 10 * MINUTE
    store.add(key, [(now - MINUTE, 1.0)])  # already holds the last complete minute
    result = await fetch_metrics(factory, [key], store, now=now + timedelta(seconds=30))
    assert result.calls == 0 and factory.asked == []
    result = await fetch_metrics(factory, [], store, now=now)
    assert result.calls == 0 and factory.asked == []


async def test_unknown_metric_is_a_caller_bug():
    with pytest.raises(ValueError, match="unknown metric"):
        await fetch_metrics(ScriptedFactory({}), [SeriesKey("r", "NoSuchMetric", "db")], MetricStore(), now=T)


async def test_fetch_drops_points_older_than_the_history_window():
    store = MetricStore(history=timedelta(minutes=30))
    key = SeriesKey("r", "ReplicaLag", "db")
    store.add(key, [(T + i * MINUTE, float(i)) for i in range(10)])
    await fetch_metrics(ScriptedFactory({}), [], store, now=T + 35 * MINUTE)
    assert [value for _, value in list(store.series(key))] == [5.0, 6.0, 7.0, 8.0, 9.0]


def test_a_view_of_the_store_does_not_change_when_points_arrive():
    """Snapshots hand the view out: the next read replaces series, never changes them."""
    store = MetricStore(history=timedelta(minutes=30))
    store.add(KEY, [(T, 1.0)])
    view = store.view()
    store.add(KEY, [(T + MINUTE, 2.0)])
    store.add(SeriesKey("r", "ReplicaLag", "x"), [(T, 0.5)])
    store.expire(T + 31 * MINUTE)
    assert dict(view) == {KEY: ((T, 1.0),)}
    assert store.series(KEY) == ((T + MINUTE, 2.0),)
    with pytest.raises(TypeError):
        view[KEY] = ()  # type: ignore[index]
