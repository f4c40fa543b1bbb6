"""CloudWatch datapoints for the demo fleet, one a minute per series.

Which series exist is read from moto's RDS backends on every tick, so a replica
that is promoted (or deleted) stops getting lag points and a new one starts.
Points go straight into moto's in-process CloudWatch backend: appending model
objects is about a hundred times faster than put_metric_data over HTTP.

Each series has its own random stream derived from the fleet's seed and the
series' key, so values do not depend on the order series are discovered in.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from rdstui.demo.fidelity import (
    global_secondaries,
    naive_utc,
    region_backends,
    sub_rng,
)
from rdstui.demo.seed import ACCOUNT_ID

NAMESPACE = "AWS/RDS"
MINUTE = timedelta(minutes=1)
GIB = 1024**3


Dimensions = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SeriesKey:
    region: str
    metric: str
    ident: str
    # Every dimension set the value is published under (AWS publishes many
    # metrics under several: per instance, per cluster, per cluster and role).
    dimension_sets: tuple[Dimensions, ...]


@dataclass
class SeriesSpec:
    key: SeriesKey
    unit: str
    model: str  # which value model below
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class SeriesState:
    spec: SeriesSpec
    rng: random.Random
    start: datetime  # the first minute this series has a point for
    last: datetime  # the last minute written
    values: dict[str, float] = field(default_factory=dict)


def floor_minute(moment: datetime) -> datetime:
    return naive_utc(moment).replace(second=0, microsecond=0)


# --------------------------------------------------------------------------
# Which series exist, from the backends' current state.
# --------------------------------------------------------------------------

AURORA = ("aurora-mysql", "aurora-postgresql", "aurora")
# The replicas of the demo that misbehave; every other replica keeps up.
SPECIAL_LAG = {
    "catalog-mysql-ro-spiky": "lag_spiky",
    "catalog-mysql-ro-drift": "lag_drift",
    "catalog-mysql-ro-broken": "broken",
}
AURORA_LOCAL_STORAGE_GIB = {"db.r6g.large": 32, "db.r6g.xlarge": 64, "db.r6g.2xlarge": 128}


def _instance(region: str, metric: str, iid: str) -> SeriesKey:
    return SeriesKey(region, metric, iid, ((("DBInstanceIdentifier", iid),),))


def _writer_of(region: str, metric: str, cid: str) -> SeriesKey:
    """A cluster metric of the writer: per cluster and role, and per cluster."""
    return SeriesKey(region, metric, cid, ((("DBClusterIdentifier", cid), ("Role", "WRITER")), (("DBClusterIdentifier", cid),)))


def _global_secondary(region: str, metric: str, cid: str, source_region: str) -> SeriesKey:
    # The documentation does not settle the dimension set; the demo publishes the
    # two its Aurora labs name with SourceRegion (and not DBClusterIdentifier
    # alone), so the console's fallback between candidate sets is exercised.
    return SeriesKey(
        region, metric, cid, ((("DBClusterIdentifier", cid), ("SourceRegion", source_region)), (("SourceRegion", source_region),))
    )


def _cluster_specs(region: str, cluster: Any, secondaries: dict[int, str]) -> list[SeriesSpec]:
    cid = cluster.db_cluster_identifier
    specs: list[SeriesSpec] = []
    if id(cluster) in secondaries:
        source_region = secondaries[id(cluster)]
        specs.append(SeriesSpec(_global_secondary(region, "AuroraGlobalDBReplicationLag", cid, source_region), "Milliseconds", "global_lag"))
        # RPO lag moves with user commits: the same stream, a little behind.
        specs.append(
            SeriesSpec(_global_secondary(region, "AuroraGlobalDBRPOLag", cid, source_region), "Milliseconds", "global_rpo", {"stream": "AuroraGlobalDBReplicationLag"})
        )
    source = cluster.replication_source_identifier or ""
    if source and cluster.engine == "aurora-mysql":
        specs.append(SeriesSpec(_writer_of(region, "AuroraBinlogReplicaLag", cid), "Seconds", "binlog_lag"))
    elif source and cluster.engine == "aurora-postgresql" and ":db:" in source:
        specs.append(SeriesSpec(_writer_of(region, "RDSToAuroraPostgreSQLReplicaLag", cid), "Seconds", "lag", {"base": 1.5}))
    return specs


def _instance_specs(region: str, instance: Any) -> list[SeriesSpec]:
    iid = instance.db_instance_identifier
    cluster = getattr(instance, "cluster", None) if instance.db_cluster_identifier else None
    specs: list[SeriesSpec] = []
    writer = True
    if cluster is not None:
        writer = bool(getattr(instance, "is_cluster_writer", False))
        if not writer and cluster.engine in AURORA:
            specs.append(SeriesSpec(_instance(region, "AuroraReplicaLag", iid), "Milliseconds", "aurora_lag"))
        elif not writer:  # Multi-AZ DB cluster reader (readable standby)
            specs.append(SeriesSpec(_instance(region, "ReplicaLag", iid), "Seconds", "lag", {"base": 0.4}))
    elif getattr(instance, "is_replica", False) and instance.source_db_instance_identifier:
        writer = False
        source = instance.source_db_instance_identifier
        if iid in SPECIAL_LAG:
            model, params = SPECIAL_LAG[iid], {}
        elif source.startswith("arn:"):
            model, params = "lag", {"base": 2.5}  # cross-region
        else:
            model, params = "lag", {"base": 0.8}
        specs.append(SeriesSpec(_instance(region, "ReplicaLag", iid), "Seconds", model, params))
    if instance.status == "stopped":
        return []  # a stopped instance publishes nothing
    role = {"writer": writer}
    specs.append(SeriesSpec(_instance(region, "CPUUtilization", iid), "Percent", "cpu", role))
    specs.append(SeriesSpec(_instance(region, "DatabaseConnections", iid), "Count", "connections", role))
    aurora = cluster is not None and cluster.engine in AURORA
    if instance.db_instance_class == "db.serverless":
        scaling = getattr(cluster, "serverless_v2_scaling_configuration", None) or {}
        bounds = {"low": float(scaling.get("MinCapacity", 0.5)), "high": float(scaling.get("MaxCapacity", 16)), "writer": writer}
        specs.append(SeriesSpec(_instance(region, "ServerlessDatabaseCapacity", iid), "Count", "acu", bounds))
        specs.append(
            SeriesSpec(_instance(region, "ACUUtilization", iid), "Percent", "acu_share", {**bounds, "stream": "ServerlessDatabaseCapacity"})
        )
    elif aurora:  # Aurora publishes the instance's local storage, not FreeStorageSpace
        gib = AURORA_LOCAL_STORAGE_GIB.get(instance.db_instance_class, 64)
        specs.append(SeriesSpec(_instance(region, "FreeLocalStorage", iid), "Bytes", "free_storage", {"gib": gib}))
    else:
        gib = instance.allocated_storage or 100
        specs.append(SeriesSpec(_instance(region, "FreeStorageSpace", iid), "Bytes", "free_storage", {"gib": gib}))
    return specs


def discover(regions: Iterable[str] | None = None) -> list[SeriesSpec]:
    """The series AWS would publish for the fleet as it stands, per engine and role."""
    specs: list[SeriesSpec] = []
    secondaries = global_secondaries()
    for region, backend in region_backends(regions):
        for cluster in list(backend.clusters.values()):
            specs.extend(_cluster_specs(region, cluster, secondaries))
        for instance in list(backend.databases.values()):
            specs.extend(_instance_specs(region, instance))
    return specs


# --------------------------------------------------------------------------
# Value models: step(state, minute_index) -> value, one call per minute.
# --------------------------------------------------------------------------


def _ou(state: SeriesState, name: str, mean: float, theta: float, sigma: float, lo: float, hi: float) -> float:
    """Mean-reverting random walk (Ornstein-Uhlenbeck), clamped."""
    value = state.values.get(name, mean)
    value += theta * (mean - value) + state.rng.gauss(0.0, sigma)
    value = min(hi, max(lo, value))
    state.values[name] = value
    return value


def _init(state: SeriesState, name: str, make: Any) -> float:
    if name not in state.values:
        state.values[name] = make()
    return state.values[name]


def step(state: SeriesState, t: int) -> float:
    """The next value of a series; `t` is minutes since the series started."""
    spec, rng = state.spec, state.rng
    model = spec.model
    if model == "cpu":
        mean = _init(state, "mean", lambda: rng.uniform(32, 55) if spec.params["writer"] else rng.uniform(8, 24))
        daily = 4.0 * math.sin(t / 97.0)
        return round(_ou(state, "v", mean + daily, 0.15, 2.2, 1.0, 99.0), 2)
    if model == "connections":
        mean = _init(state, "mean", lambda: rng.uniform(90, 260) if spec.params["writer"] else rng.uniform(15, 80))
        return float(round(_ou(state, "v", mean, 0.2, mean * 0.05, 0.0, 5000.0)))
    if model == "free_storage":
        total = spec.params["gib"] * GIB
        free = _init(state, "v", lambda: total * rng.uniform(0.35, 0.75))
        free -= rng.uniform(0.0, total * 0.00004)  # slowly filling up
        free += rng.gauss(0.0, total * 0.00002)
        free = min(total, max(GIB * 0.5, free))
        state.values["v"] = free
        return float(round(free))
    if model == "lag":
        base = spec.params.get("base", 1.0)
        return round(_ou(state, "v", base, 0.3, base * 0.35, 0.0, 3600.0), 1)
    if model == "lag_spiky":
        # ~1-3 s, with a spike to 60-200 s every 15-40 minutes lasting a few minutes.
        base = _ou(state, "base", 2.0, 0.3, 0.5, 0.6, 3.4)
        until = _init(state, "next_spike", lambda: float(rng.randint(12, 30)))
        if t >= until and "spike_end" not in state.values:
            length = rng.randint(3, 7)
            state.values["spike_start"] = float(t)
            state.values["spike_end"] = float(t + length)
            state.values["spike_peak"] = rng.uniform(60.0, 200.0)
        if "spike_end" in state.values:
            start, end = state.values["spike_start"], state.values["spike_end"]
            peak = state.values["spike_peak"]
            if t < end:
                # Climbs for most of the spike, then the replica catches up fast.
                frac = (t - start + 1) / (end - start)
                shape = frac if frac < 0.8 else 0.8 - 3.5 * (frac - 0.8)
                return round(max(base, peak * shape / 0.8 * rng.uniform(0.9, 1.05)), 1)
            for name in ("spike_start", "spike_end", "spike_peak"):
                del state.values[name]
            state.values["next_spike"] = float(t + rng.randint(15, 40))
        return round(base, 1)
    if model == "lag_drift":
        # Falls steadily further behind: ~120 s an hour in, ~300 s forty minutes later.
        noise = rng.uniform(0.97, 1.03)
        return round(min(1800.0, (2.0 + 0.5 * t + 0.025 * t * t) * noise), 1)
    if model == "aurora_lag":
        return round(_ou(state, "v", _init(state, "mean", lambda: rng.uniform(15, 28)), 0.3, 4.0, 8.0, 40.0), 1)
    if model == "global_lag":
        mean = _init(state, "mean", lambda: rng.uniform(250, 450))
        value = _ou(state, "v", mean, 0.25, 60.0, 100.0, 900.0)
        if rng.random() < 0.04:
            value = min(900.0, value + rng.uniform(150, 400))
        return round(value, 0)
    if model == "global_rpo":
        # The replication lag's stream, replayed: RPO lag trails it (it moves on commits only).
        mean = _init(state, "mean", lambda: rng.uniform(250, 450))
        value = _ou(state, "v", mean, 0.25, 60.0, 100.0, 900.0)
        if rng.random() < 0.04:
            value = min(900.0, value + rng.uniform(150, 400))
        return round(value * 1.08 + 40.0, 0)
    if model == "broken":
        return -1.0  # ReplicaLag -1: replication is not running
    if model in ("acu", "acu_share"):
        low, high = spec.params["low"], spec.params["high"]
        mean = _init(state, "mean", lambda: low + (high - low) * (0.35 if spec.params["writer"] else 0.12))
        acu = round(_ou(state, "v", mean, 0.2, (high - low) * 0.04, low, high) * 2) / 2  # half-ACU steps
        return acu if model == "acu" else round(acu / high * 100, 1)
    if model == "binlog_lag":
        return round(_ou(state, "v", 0.6, 0.3, 0.35, 0.0, 60.0), 1)
    raise ValueError(f"unknown series model {model!r}")


# --------------------------------------------------------------------------
# The simulator.
# --------------------------------------------------------------------------


class MetricSimulator:
    def __init__(self, seed: int, backfill_minutes: int, retention: timedelta = timedelta(hours=2)) -> None:
        self.seed = seed
        self.backfill_minutes = max(0, int(backfill_minutes))
        self.retention = retention
        self.states: dict[SeriesKey, SeriesState] = {}
        self.first_tick = True
        self.last_minute: datetime | None = None

    def _new_state(self, spec: SeriesSpec, minute: datetime) -> SeriesState:
        k = spec.key
        # Twin series (ACUUtilization of ServerlessDatabaseCapacity) share a stream.
        rng = sub_rng(self.seed, "series", k.region, spec.params.get("stream", k.metric), k.ident)
        if self.first_tick:
            start = minute - MINUTE * max(self.backfill_minutes - 1, 0)
        else:
            start = minute
        return SeriesState(spec=spec, rng=rng, start=start, last=start - MINUTE)

    def tick(self, now: datetime) -> int:
        """Write the points due up to `now`; returns how many points were written."""
        from moto.backends import get_backend
        from moto.cloudwatch.models import MetricDatum

        minute = floor_minute(now)
        specs = discover()
        live = {spec.key for spec in specs}
        for key in [k for k in self.states if k not in live]:
            del self.states[key]
        oldest_kept = minute - self.retention
        written: dict[str, list[Any]] = {}
        for spec in specs:
            state = self.states.get(spec.key)
            if state is None:
                state = self.states[spec.key] = self._new_state(spec, minute)
                if self.first_tick and self.backfill_minutes == 0:
                    state.last = minute  # no back-fill: start with the next minute
            else:
                state.spec = spec  # e.g. a reader that became the writer
            if state.last >= minute:
                continue
            # After a long pause, only write what would survive pruning.
            if state.last < oldest_kept:
                state.last = oldest_kept
            dimension_sets = [[{"Name": n, "Value": v} for n, v in dims] for dims in spec.key.dimension_sets]
            points = written.setdefault(spec.key.region, [])
            moment = state.last + MINUTE
            while moment <= minute:
                t = int((moment - state.start) / MINUTE)
                value = step(state, t)
                for dims in dimension_sets:
                    points.append(MetricDatum(NAMESPACE, spec.key.metric, value, dims, moment, spec.unit))
                moment += MINUTE
            state.last = minute
        self.first_tick = False
        self.last_minute = minute
        cloudwatch = get_backend("cloudwatch")[ACCOUNT_ID]
        regions = set(written) | set(cloudwatch.keys())
        count = 0
        for region in regions:
            backend = cloudwatch[region]
            new = written.get(region, [])
            count += len(new)
            kept = [
                md
                for md in backend.metric_data
                if md.namespace != NAMESPACE or md.timestamp >= oldest_kept
            ]
            kept.extend(new)
            backend.metric_data = kept
        return count
