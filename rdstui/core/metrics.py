"""Replication lag and instance gauges from CloudWatch (namespace AWS/RDS).

`fetch_metrics` reads many series with few GetMetricData calls: keys are
grouped by region (regions run concurrently, each failing on its own), then
by start time, at most 500 queries a call. The first fetch of a series asks
for the store's whole history window; later fetches ask only for what comes
after the points already held, so a warm poll reads the last few minutes.

GetMetricData matches dimension sets exactly. A metric whose dimension set
the AWS documentation leaves open (the global database lags) is asked for
under every candidate set in the same call; the first that answers with data
is remembered per series and asked for alone from then on.

Values are stored in model units: every lag in seconds (the Aurora lag
metrics are published in milliseconds), CPU in percent, connections as a
count, free storage in bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import groupby
from types import MappingProxyType
from typing import Any

from botocore import exceptions as bx

from rdstui.core.model import Point, Series

NAMESPACE = "AWS/RDS"
MAX_QUERIES = 500  # GetMetricData's limit of MetricDataQueries per call
# A series with no recent point is re-read over this window, so a point that
# reaches CloudWatch late (RDS publishes with a delay) is still picked up.
LATE_DATA = timedelta(minutes=5)
# Keys whose start times are further apart than this go in separate calls, so
# one new series does not drag a whole batch of warm ones back an hour.
START_GAP = timedelta(minutes=10)
REGION_CONCURRENCY = 4  # GetMetricData calls in flight per region
MAX_MESSAGE = 200  # characters of an AWS error message kept in FetchResult.errors


# A dimension as (name, value template): "{id}" is the node's identifier,
# "{source_region}" the region it replicates from; anything else is literal.
Dimension = tuple[str, str]
ID = "{id}"
SOURCE_REGION = "{source_region}"
BY_INSTANCE: tuple[tuple[Dimension, ...], ...] = ((("DBInstanceIdentifier", ID),),)
# The global database metrics: see AuroraGlobalDBReplicationLag below.
GLOBAL_SECONDARY: tuple[tuple[Dimension, ...], ...] = (
    (("DBClusterIdentifier", ID),),
    (("DBClusterIdentifier", ID), ("SourceRegion", SOURCE_REGION)),
    (("SourceRegion", SOURCE_REGION),),
)


@dataclass(frozen=True)
class MetricSpec:
    """One CloudWatch metric as rdstui reads it.

    `unit` is the unit of the values in the store (after `scale`);
    `source_unit` is the unit CloudWatch publishes the metric in.
    `dimensions` are the dimension sets to ask for, best first: GetMetricData
    matches a dimension set exactly, and where the AWS documentation does not
    settle which set a metric is published with, every candidate is asked for
    in the same call until one answers with data (see `MetricStore.variant`).
    """

    name: str
    stat: str
    scale: float
    unit: str
    source_unit: str = ""
    dimensions: tuple[tuple[Dimension, ...], ...] = BY_INSTANCE

    def __post_init__(self) -> None:
        if not self.source_unit:
            object.__setattr__(self, "source_unit", self.unit)


# Lag: the worst value in each period is the one that matters.
LAG_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        # RDS read replicas (MySQL, MariaDB, PostgreSQL, Oracle, SQL Server) and
        # Multi-AZ DB cluster readers; -1 when replication is not running.
        MetricSpec("ReplicaLag", "Maximum", 1.0, "Seconds"),
        # Aurora reader instances, behind their cluster's writer.
        MetricSpec("AuroraReplicaLag", "Maximum", 0.001, "Seconds", "Milliseconds"),
        # Aurora global database secondaries, published in the secondary's region only.
        # The dimension set is not settled by AWS's documentation (its Aurora labs show
        # "DBClusterIdentifier", "DBClusterIdentifier, SourceRegion" and "SourceRegion"):
        # all three are asked for until one has data. SourceRegion alone cannot tell two
        # secondaries of one source region apart, so it comes last.
        MetricSpec("AuroraGlobalDBReplicationLag", "Maximum", 0.001, "Seconds", "Milliseconds", GLOBAL_SECONDARY),
        # ... and its lag "for user transactions": what a failover with data loss loses.
        MetricSpec("AuroraGlobalDBRPOLag", "Maximum", 0.001, "Seconds", "Milliseconds", GLOBAL_SECONDARY),
        # Aurora MySQL binlog replica cluster: binlog replication runs on the writer,
        # and AWS recommends "the version of this metric associated with the WRITER role".
        MetricSpec(
            "AuroraBinlogReplicaLag",
            "Maximum",
            1.0,
            "Seconds",
            dimensions=((("DBClusterIdentifier", ID), ("Role", "WRITER")), (("DBClusterIdentifier", ID),)),
        ),
        # Aurora PostgreSQL replica cluster of an RDS for PostgreSQL instance.
        MetricSpec(
            "RDSToAuroraPostgreSQLReplicaLag",
            "Maximum",
            1.0,
            "Seconds",
            dimensions=((("DBClusterIdentifier", ID), ("Role", "WRITER")), (("DBClusterIdentifier", ID),)),
        ),
    )
}

INSTANCE_METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec("CPUUtilization", "Average", 1.0, "Percent"),
        MetricSpec("DatabaseConnections", "Average", 1.0, "Count"),
        # RDS instances; Aurora does not publish it.
        MetricSpec("FreeStorageSpace", "Minimum", 1.0, "Bytes"),
        # Aurora provisioned instances: the instance's local (temporary) storage.
        MetricSpec("FreeLocalStorage", "Minimum", 1.0, "Bytes"),
        # Aurora Serverless v2 instances: capacity in ACUs, and as a share of the maximum.
        MetricSpec("ServerlessDatabaseCapacity", "Average", 1.0, "Count"),
        MetricSpec("ACUUtilization", "Average", 1.0, "Percent"),
    )
}

METRICS: dict[str, MetricSpec] = {**LAG_METRICS, **INSTANCE_METRICS}


@dataclass(frozen=True, order=True)
class SeriesKey:
    """One series: a metric of one DB instance or cluster in one region (of one account).

    `source_region` fills the SourceRegion dimension of the global database
    metrics (the primary's region); other metrics do not use it. `account`
    keeps two accounts' `orders-db` apart; CloudWatch is asked in the account
    whose credentials ask.
    """

    region: str
    metric: str
    identifier: str
    source_region: str = ""
    account: str = ""

    @property
    def spec(self) -> MetricSpec:
        return spec_for(self.metric)

    def variants(self) -> list[list[dict[str, str]]]:
        """The dimension sets to ask for, in the spec's order; one needing a value this key lacks is left out."""
        values = {ID: self.identifier, SOURCE_REGION: self.source_region}
        found = []
        for dimension_set in self.spec.dimensions:
            dims = [{"Name": name, "Value": values.get(template, template)} for name, template in dimension_set]
            if all(d["Value"] for d in dims):
                found.append(dims)
        return found


def spec_for(metric: str) -> MetricSpec:
    try:
        return METRICS[metric]
    except KeyError:
        raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}") from None


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class MetricStore:
    """Recent points per series, oldest first, bounded by age and by count.

    Each series is an immutable tuple, replaced (never changed) when points
    arrive, so `view()` can hand out the store as it stands to a snapshot that
    the next read does not touch. Only points newer than the newest one held
    are accepted, so re-reading an overlapping window never duplicates or
    rewrites history.
    """

    def __init__(self, history: timedelta = timedelta(hours=1), max_points: int = 240) -> None:
        if history <= timedelta(0):
            raise ValueError("history must be positive")
        if max_points < 1:
            raise ValueError("max_points must be at least 1")
        self.history = history
        self.max_points = max_points
        self._series: dict[SeriesKey, Series] = {}
        # The end of the last window CloudWatch answered for each key, points or not.
        self._checked: dict[SeriesKey, datetime] = {}
        # Which of the key's dimension sets answered with data (an index into variants()).
        self._variant: dict[SeriesKey, int] = {}

    def add(self, key: SeriesKey, points: Iterable[Point]) -> int:
        """Append the points newer than those held; returns how many were kept."""
        held = self._series.get(key, ())
        newest = held[-1][0] if held else None
        fresh: dict[datetime, float] = {}
        for moment, value in points:
            moment = as_utc(moment)
            if newest is None or moment > newest:
                fresh[moment] = float(value)  # the last value given for a timestamp wins
        if not fresh:
            return 0
        ordered = sorted(fresh.items())
        horizon = ordered[-1][0] - self.history
        kept = [point for point in ordered if point[0] >= horizon][-self.max_points :]
        older = held if not held or held[0][0] >= horizon else tuple(p for p in held if p[0] >= horizon)
        self._series[key] = (older + tuple(kept))[-self.max_points :]  # held points are all older
        return len(kept)

    def series(self, key: SeriesKey) -> Series:
        return self._series.get(key, ())

    def latest(self, key: SeriesKey) -> Point | None:
        held = self._series.get(key)
        return held[-1] if held else None

    def newest_time(self, key: SeriesKey) -> datetime | None:
        held = self._series.get(key)
        return held[-1][0] if held else None

    def view(self) -> Mapping[SeriesKey, Series]:
        """Every series as it stands now; later reads do not change what this returns."""
        return MappingProxyType(dict(self._series))

    def variant(self, key: SeriesKey) -> int | None:
        """The dimension set (index into `key.variants()`) CloudWatch has data under, once known."""
        return self._variant.get(key)

    def set_variant(self, key: SeriesKey, index: int) -> None:
        self._variant[key] = index

    def checked_until(self, key: SeriesKey) -> datetime | None:
        """Up to when CloudWatch has been asked about `key` (None: never)."""
        return self._checked.get(key)

    def mark_checked(self, key: SeriesKey, until: datetime) -> None:
        until = as_utc(until)
        previous = self._checked.get(key)
        if previous is None or until > previous:
            self._checked[key] = until

    def expire(self, now: datetime) -> None:
        """Drop points older than `now - history` from every series."""
        horizon = as_utc(now) - self.history
        for key, held in list(self._series.items()):
            if held[0][0] >= horizon:
                continue
            kept = tuple(point for point in held if point[0] >= horizon)
            if kept:
                self._series[key] = kept
            else:
                del self._series[key]

    def forget(self, keep: Iterable[SeriesKey]) -> None:
        """Drop every series not in `keep` (instances gone from the fleet)."""
        wanted = set(keep)
        self._series = {k: v for k, v in self._series.items() if k in wanted}
        self._checked = {k: v for k, v in self._checked.items() if k in wanted}
        self._variant = {k: v for k, v in self._variant.items() if k in wanted}

    def keys(self) -> list[SeriesKey]:
        return sorted(self._series)

    def asked(self, key: SeriesKey) -> bool:
        """Whether CloudWatch answered for this series since it was last forgotten (points or not)."""
        return key in self._checked

    def __len__(self) -> int:
        return len(self._series)


@dataclass
class FetchResult:
    """What one `fetch_metrics` did: GetMetricData calls (pages included),
    points added to the store, and one plain-words line per failed region."""

    calls: int = 0
    points: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def align_down(moment: datetime, period: int) -> datetime:
    seconds = int(moment.timestamp())
    return datetime.fromtimestamp(seconds - seconds % period, tz=timezone.utc)


def align_up(moment: datetime, period: int) -> datetime:
    down = align_down(moment, period)
    return down if down == moment else down + timedelta(seconds=period)


def start_for(store: MetricStore, key: SeriesKey, floor: datetime, period: int) -> datetime:
    """Where the next read of `key` starts: after its newest point, never
    before the history window, and never further back than LATE_DATA before
    the last window already read."""
    start = floor
    newest = store.newest_time(key)
    if newest is not None:
        start = max(start, align_down(newest, period) + timedelta(seconds=period))
    checked = store.checked_until(key)
    if checked is not None:
        start = max(start, align_down(checked - LATE_DATA, period))
    return start


@dataclass
class _Call:
    start: datetime
    keys: list[SeriesKey]


def plan_calls(
    starts: dict[SeriesKey, datetime], limit: int = MAX_QUERIES, queries: dict[SeriesKey, int] | None = None
) -> list[_Call]:
    """Group keys into calls: sorted by start, at most `limit` queries a call
    (`queries`: how many a key needs, one per dimension set asked; default 1),
    a new call when starts drift more than START_GAP apart. A call starts at
    the earliest start of its keys."""
    calls: list[_Call] = []
    used = 0
    for key in sorted(starts, key=lambda k: (starts[k], k)):
        start, need = starts[key], (queries or {}).get(key, 1)
        if not calls or used + need > limit or start - calls[-1].start > START_GAP:
            calls.append(_Call(start, []))
            used = 0
        calls[-1].keys.append(key)
        used += need
    return calls


def describe_error(exc: BaseException) -> str:
    """One line in plain words for a region's CloudWatch failure."""
    if isinstance(exc, bx.ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = " ".join(str(error.get("Message") or "").split())
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if message.startswith("<") or code.isdigit():
            # Not an AWS error document: a proxy, or a local endpoint that fell over.
            return f"CloudWatch endpoint failed with HTTP {status or code} and no AWS error"
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        return f"CloudWatch refused GetMetricData ({code}): {message}".rstrip(": ")
    if isinstance(exc, bx.NoCredentialsError):
        return "no AWS credentials for CloudWatch"
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError, asyncio.TimeoutError, TimeoutError)):
        return "CloudWatch did not answer in time"
    if isinstance(exc, bx.EndpointConnectionError):
        return f"could not reach CloudWatch at {exc.kwargs.get('endpoint_url', 'its endpoint')}"
    if isinstance(exc, (bx.ConnectionError, bx.HTTPClientError, OSError)):
        return f"could not reach CloudWatch: {exc}"
    text = " ".join(str(exc).split())[:MAX_MESSAGE]
    return f"CloudWatch failed: {type(exc).__name__}" + (f": {text}" if text else "")


def asked_variants(store: MetricStore, key: SeriesKey) -> list[int]:
    """The dimension sets to ask for: the one that had data, or every candidate until one has."""
    known = store.variant(key)
    return [known] if known is not None else list(range(len(key.variants())))


def _query(query_id: str, key: SeriesKey, dimensions: list[dict[str, str]], period: int) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": key.metric, "Dimensions": dimensions},
            "Period": period,
            "Stat": key.spec.stat,
        },
        "ReturnData": True,
    }


async def _run_call(
    client: Any, call: _Call, end: datetime, period: int, store: MetricStore, result: FetchResult
) -> None:
    asked: list[list[tuple[int, str]]] = []  # per key: (variant, query id)
    queries = []
    for index, key in enumerate(call.keys):
        variants = key.variants()
        asked.append([])
        for variant in asked_variants(store, key):
            query_id = f"m{index}v{variant}"
            asked[index].append((variant, query_id))
            queries.append(_query(query_id, key, variants[variant], period))
    request: dict[str, Any] = {
        "MetricDataQueries": queries,
        "StartTime": call.start,
        "EndTime": end,
        "ScanBy": "TimestampAscending",
    }
    found: dict[str, list[Point]] = {query["Id"]: [] for query in queries}
    while True:
        result.calls += 1
        answer = await client.get_metric_data(**request)
        for series in answer.get("MetricDataResults", []):
            points = found.get(series.get("Id", ""))
            if points is not None:
                points.extend(zip(series.get("Timestamps", []), series.get("Values", [])))
        token = answer.get("NextToken")
        if not token:
            break
        request["NextToken"] = token
    # Store only once every page is in: pages may come in any time order. Of a
    # key's dimension sets, the first (in the spec's order) with data wins.
    for key, tried in zip(call.keys, asked):
        answered = next(((variant, found[ident]) for variant, ident in sorted(tried) if found[ident]), None)
        if answered is not None:
            variant, points = answered
            store.set_variant(key, variant)
            scale = key.spec.scale
            result.points += store.add(key, ((moment, value * scale) for moment, value in points))
        store.mark_checked(key, end)


async def _fetch_region(
    factory: Any,
    region: str,
    calls: list[_Call],
    end: datetime,
    period: int,
    store: MetricStore,
    result: FetchResult,
) -> None:
    client = await factory.client("cloudwatch", region)
    gate = asyncio.Semaphore(REGION_CONCURRENCY)

    async def one(call: _Call) -> None:
        async with gate:
            await _run_call(client, call, end, period, store, result)

    outcomes = await asyncio.gather(*(one(call) for call in calls), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def fetch_metrics(
    factory: Any,
    keys: Iterable[SeriesKey],
    store: MetricStore,
    *,
    now: datetime | None = None,
    period: int = 60,
    timeout: float | None = 30.0,
) -> FetchResult:
    """Read `keys` from CloudWatch into `store`; see the module docstring.

    `factory` needs only `await factory.client("cloudwatch", region)`.
    Windows are aligned to `period`; the period still in progress is not
    read (its value is not final). A region failing, or taking longer than
    `timeout` seconds, lands in `errors` and leaves the other regions alone;
    whatever it read before failing is kept.
    """
    if period not in (1, 5, 10, 20, 30) and (period <= 0 or period % 60):
        raise ValueError("period must be 1, 5, 10, 20, 30 or a multiple of 60 seconds")
    now = as_utc(now) if now is not None else datetime.now(timezone.utc)
    end = align_down(now, period)
    floor = align_up(now - store.history, period)
    store.expire(now)

    wanted = sorted(set(keys))
    for key in wanted:
        spec_for(key.metric)  # an unknown metric is a bug in the caller: fail before any call
    result = FetchResult()
    plans: dict[str, list[_Call]] = {}
    for region, group in groupby(wanted, key=lambda k: k.region):
        starts = {key: start_for(store, key, floor, period) for key in group}
        due = {key: start for key, start in starts.items() if start < end and key.variants()}
        if due:
            plans[region] = plan_calls(due, queries={key: len(asked_variants(store, key)) for key in due})
    if not plans:
        return result

    async def guarded(region: str, calls: list[_Call]) -> None:
        try:
            work = _fetch_region(factory, region, calls, end, period, store, result)
            if timeout is None:
                await work
            else:
                await asyncio.wait_for(work, timeout)
        except asyncio.TimeoutError:
            result.errors[region] = f"CloudWatch did not answer within {timeout:g} s"
        except Exception as exc:  # noqa: BLE001 - one region's failure must not stop the others
            result.errors[region] = describe_error(exc)

    await asyncio.gather(*(guarded(region, calls) for region, calls in plans.items()))
    return result
