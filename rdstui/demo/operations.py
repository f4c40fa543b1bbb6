"""The demo's actions behave like AWS: state changes over seconds, with AWS's events.

moto changes nothing over time: reboot-with-failover and promote are no-ops,
global switchover and failover are missing (HTTP 500), a secondary's
RemoveFromGlobalCluster is a silent no-op, snapshots are `available` at once.
While a demo fleet runs, this module replaces moto's RDS response handlers for
those calls: each validates as AWS does, sets the status AWS shows at once
(`rebooting`, `modifying`, `failing-over`, `switching-over`, `creating`...),
and schedules the rest on a timeline driven by the demo clock. `advance(now)`
(called by `DemoFleet.tick`) applies every step that is due, in order, each
stamped with its own time; tests step the clock and tick.

Timings (seconds after the call):
- RebootDBInstance ForceFailover (Multi-AZ): rebooting; 18 AZ swap; 30 available.
- RebootDBInstance: rebooting; 12 available.
- PromoteReadReplica: modifying; 40 rebooting; 60 stands alone, available.
- FailoverDBCluster: failing-over; 8 writer moves; 15 available.
- SwitchoverGlobalCluster: switching-over; 15 old primary demoted; 35 target
  promoted; 50 available.
- FailoverGlobalCluster AllowDataLoss: failing-over; 15 target promoted, old
  primary demoted; 25 available; 45 old primary resynchronised.
- RemoveFromGlobalCluster (secondary): modifying; 30 stands alone.
- PromoteReadReplicaDBCluster: promoting; 45 stands alone.
- CreateDBSnapshot: creating, PercentProgress rising; 20 + storage/25 (max 60)
  available. CreateDBClusterSnapshot: 25 (Aurora) or 35 (Multi-AZ) available.

Outside a running demo (no `activate`) every handler is moto's own.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable

from rdstui.demo.fidelity import LETTERS, _no_writer, aware_utc, global_secondaries, region_backends, rds_backends

_LOCK = threading.RLock()
_INSTALLED = False

# Seconds after the call; see the module docstring.
FAILOVER_SWAP, FAILOVER_DONE = 18, 30
REBOOT_DONE = 12
PROMOTE_REBOOT, PROMOTE_DONE = 40, 60
CLUSTER_SWITCH, CLUSTER_DONE = 8, 15
SWITCHOVER_DEMOTE, SWITCHOVER_PROMOTE, SWITCHOVER_DONE = 15, 35, 50
GLOBAL_FAILOVER_PROMOTE, GLOBAL_FAILOVER_DONE, GLOBAL_RESYNC_DONE = 15, 25, 45
DETACH_DONE = 30
PROMOTE_CLUSTER_DONE = 45
CLUSTER_SNAPSHOT = {"aurora": 25, "multi-az": 35}


@dataclass(order=True)
class _Step:
    due: datetime
    seq: int
    run: Callable[[datetime], None] = field(compare=False)
    label: str = field(compare=False, default="")


class _Timeline:
    def __init__(self) -> None:
        self.active = False
        self.clock: Callable[[], datetime] | None = None
        self.owner: object = None
        self.steps: list[_Step] = []
        self.counter = itertools.count()

    def now(self) -> datetime:
        assert self.clock is not None
        return aware_utc(self.clock())

    def at(self, start: datetime, seconds: float, label: str, run: Callable[[datetime], None]) -> None:
        heapq.heappush(self.steps, _Step(start + timedelta(seconds=seconds), next(self.counter), run, label))


TIMELINE = _Timeline()


# --------------------------------------------------------------------------
# Lifecycle (called by DemoFleet)
# --------------------------------------------------------------------------


def activate(clock: Callable[[], datetime], owner: object = None) -> None:
    """From now on the patched handlers act, timed by `clock` (the last demo started wins)."""
    install()
    with _LOCK:
        TIMELINE.active = True
        TIMELINE.clock = clock
        TIMELINE.owner = owner
        TIMELINE.steps.clear()


def deactivate(owner: object = None) -> None:
    """Back to moto's own handlers, unless another demo has taken over since `owner` started."""
    with _LOCK:
        if owner is not None and TIMELINE.owner is not owner:
            return
        TIMELINE.active = False
        TIMELINE.clock = None
        TIMELINE.owner = None
        TIMELINE.steps.clear()


def advance(now: datetime) -> int:
    """Apply every scheduled step due at or before `now`, oldest first; returns how many."""
    now = aware_utc(now)
    count = 0
    with _LOCK:
        while TIMELINE.steps and TIMELINE.steps[0].due <= now:
            step = heapq.heappop(TIMELINE.steps)
            step.run(step.due)
            count += 1
    return count


def pending() -> list[tuple[datetime, str]]:
    """(due, label) of the steps still to come, soonest first."""
    with _LOCK:
        return [(s.due, s.label) for s in sorted(TIMELINE.steps)]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def _event(resource: Any, source_type: str, ident: str, categories: list[str], message: str, when: datetime) -> None:
    """Append an RDS event to the resource's regional backend, as AWS records it."""
    from moto.rds.models import Event

    event = Event.__new__(Event)
    event.source_identifier = ident
    event.source_type = source_type
    event.message = message
    event.event_categories = list(categories)
    event.source_arn = resource.arn
    event.date = aware_utc(when).replace(microsecond=0)
    resource.backend.events.append(event)


def _instance_event(db: Any, categories: list[str], message: str, when: datetime) -> None:
    _event(db, "db-instance", db.db_instance_identifier, categories, message, when)


def _cluster_event(cluster: Any, categories: list[str], message: str, when: datetime) -> None:
    _event(cluster, "db-cluster", cluster.db_cluster_identifier, categories, message, when)


def _is_clustered(db: Any) -> bool:
    return getattr(db, "db_cluster_identifier", None) is not None and hasattr(db, "cluster")


def _instance(backend: Any, ident: str | None) -> Any:
    from moto.rds.exceptions import DBInstanceNotFoundError

    db = backend.databases.get(ident or "")
    if db is None:
        raise DBInstanceNotFoundError(ident or "")
    return db


def _cluster(backend: Any, ref: str | None) -> Any:
    from moto.rds.exceptions import DBClusterNotFoundError

    ref = ref or ""
    if ref.startswith("arn:"):
        region, name = ref.split(":")[3], ref.split(":")[-1]
        backend = rds_backends()[region] if region in rds_backends().keys() else None
        ref = name
    cluster = backend.clusters.get(ref.lower()) if backend is not None else None
    if cluster is None:
        raise DBClusterNotFoundError(ref)
    return cluster


def _find_global(ident: str) -> Any:
    for _, backend in region_backends():
        found = backend.global_clusters.get((ident or "").lower())
        if found is not None:
            return found
    raise _error("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.")


def _member(glob: Any, ref: str) -> Any:
    for cluster in glob.members:
        if ref in (cluster.db_cluster_arn, cluster.db_cluster_identifier):
            return cluster
    raise _error(
        "DBClusterNotFoundFault",
        f"The DB cluster {ref} is not a member of the global cluster {glob.global_cluster_identifier}.",
    )


def _writer_first(cluster: Any) -> Any:
    members = sorted(cluster._members, key=lambda m: (m.promotion_tier, m.db_instance_identifier))
    return members[0] if members else None


def _make_secondary(cluster: Any) -> None:
    """A global secondary: no writer, all its instances readers."""
    cluster.is_writer = False
    cluster.designate_writer = _no_writer
    for member in cluster._members:
        member.is_cluster_writer = False


def _make_standalone_writer(cluster: Any, *, is_writer: bool) -> Any:
    """The cluster takes writes again: its first instance (by promotion tier) is the writer."""
    cluster.is_writer = is_writer
    if "designate_writer" in vars(cluster):
        del cluster.designate_writer
    writer = _writer_first(cluster)
    for member in cluster._members:
        member.is_cluster_writer = member is writer
    return writer


def _state_error(kind: str, ident: str, status: str) -> Exception:
    if kind == "instance":
        return _error("InvalidDBInstanceState", f"DB instance {ident} is not in the available state: it is {status}.")
    return _error("InvalidDBClusterStateFault", f"DB cluster {ident} is not in the available state: it is {status}.")


# --------------------------------------------------------------------------
# Handlers (methods of moto's RDSResponse while the demo is active)
# --------------------------------------------------------------------------


def reboot_db_instance(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ident = self.params.get("DBInstanceIdentifier")
    force = bool(self.params.get("ForceFailover"))
    db = _instance(self.backend, ident)
    if db.status != "available":
        raise _state_error("instance", ident, db.status)
    if force and (not db.multi_az or _is_clustered(db)):
        raise _error(
            "InvalidParameterCombination",
            f"Reboot with failover is only supported for Multi-AZ DB instances; {ident} is not one.",
        )
    now = TIMELINE.now()
    db.status = "rebooting"
    if not force:
        _instance_event(db, ["availability"], "DB instance shutdown.", now)

        def restarted(when: datetime) -> None:
            if db.status == "rebooting":
                db.status = "available"
            _instance_event(db, ["availability"], "DB instance restarted.", when)

        TIMELINE.at(now, REBOOT_DONE, f"{ident}: restarted", restarted)
        return ActionResult({"DBInstance": db})

    _instance_event(db, ["failover"], "Multi-AZ instance failover started.", now)

    def swap(when: datetime) -> None:
        primary = db.availability_zone
        standby = getattr(db, "secondary_availability_zone", None)
        if not standby or standby == primary:
            region = db.region
            standby = next(f"{region}{x}" for x in LETTERS if f"{region}{x}" != primary)
        db.availability_zone, db.secondary_availability_zone = standby, primary
        _instance_event(
            db, ["failover"], "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.", when
        )

    def done(when: datetime) -> None:
        if db.status == "rebooting":
            db.status = "available"
        _instance_event(db, ["availability"], "DB instance restarted.", when)
        _instance_event(db, ["failover"], "Multi-AZ instance failover completed.", when)

    TIMELINE.at(now, FAILOVER_SWAP, f"{ident}: standby takes over", swap)
    TIMELINE.at(now, FAILOVER_DONE, f"{ident}: failover completed", done)
    return ActionResult({"DBInstance": db})


def promote_read_replica(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ident = self.params.get("DBInstanceIdentifier")
    db = _instance(self.backend, ident)
    if not (getattr(db, "is_replica", False) and db.source_db_instance_identifier):
        raise _error("InvalidDBInstanceState", f"DB instance {ident} is not a read replica.")
    if db.status != "available":
        raise _state_error("instance", ident, db.status)
    retention = self.params.get("BackupRetentionPeriod")
    window = self.params.get("PreferredBackupWindow")
    now = TIMELINE.now()
    db.status = "modifying"

    def reboot(when: datetime) -> None:
        db.status = "rebooting"
        _instance_event(db, ["availability"], "DB instance shutdown.", when)

    def stand_alone(when: datetime) -> None:
        source_ref = db.source_db_instance_identifier or ""
        try:
            source = self.backend.find_db_from_id(source_ref)
        except Exception:  # noqa: BLE001 - a deleted source: nothing to unlink
            source = None
        if source is not None:
            source.replicas = [
                r for r in source.replicas if r not in (db.db_instance_identifier, db.db_instance_arn)
            ]
        db.source_db_instance_identifier = None
        db.is_replica = False
        if retention is not None:
            db.backup_retention_period = int(retention)
        if window:
            db.preferred_backup_window = window
        db.status = "available"
        _instance_event(db, ["availability"], "DB instance restarted.", when)
        _instance_event(db, ["read replica"], "Promoted Read Replica to a stand-alone database instance.", when)

    TIMELINE.at(now, PROMOTE_REBOOT, f"{ident}: promotion reboot", reboot)
    TIMELINE.at(now, PROMOTE_DONE, f"{ident}: stands alone", stand_alone)
    return ActionResult({"DBInstance": db})


def failover_db_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cid = self.params.get("DBClusterIdentifier")
    wanted = self.params.get("TargetDBInstanceIdentifier")
    cluster = _cluster(self.backend, cid)
    if id(cluster) in global_secondaries():
        raise _error(
            "InvalidDBClusterStateFault",
            f"DB cluster {cid} is a secondary cluster of a global database: it has no writer to fail over.",
        )
    if cluster.status != "available":
        raise _state_error("cluster", cid, cluster.status)
    members = cluster._members
    if len(members) < 2:
        raise _error(
            "InvalidDBClusterStateFault",
            f"Database cluster:{cid} should have at least two database instances for failover",
        )
    writer = cluster.writer
    if wanted:
        target = next((m for m in members if m.db_instance_identifier == wanted), None)
        if target is None:
            raise _error("InvalidParameterValue", f"Cannot find target instance: {wanted}")
        if target.status != "available":
            raise _error("InvalidDBInstanceState", f"Instance {wanted} should be in valid state for failover.")
        if target is writer:
            raise _error("InvalidParameterCombination", f"Instance {wanted} is already the writer of {cid}.")
    else:
        readers = [m for m in members if m is not writer and m.status == "available"]
        if not readers:
            raise _error("InvalidDBClusterStateFault", f"Database cluster:{cid} has no available reader for failover.")
        target = sorted(readers, key=lambda m: (m.promotion_tier, m.db_instance_identifier))[0]
    now = TIMELINE.now()
    name = target.db_instance_identifier
    same_az = writer is not None and writer.availability_zone == target.availability_zone
    cluster.status = "failing-over"
    started = "Started same AZ failover to DB instance: " if same_az else "Started cross AZ failover to DB instance: "
    _cluster_event(cluster, ["failover"], f"{started}{name}", now)

    def switch(when: datetime) -> None:
        for member in cluster._members:
            member.is_cluster_writer = member is target
        if writer is not None and writer is not target:
            writer.status = "rebooting"
            _instance_event(writer, ["availability"], "DB instance shutdown.", when)

    def done(when: datetime) -> None:
        cluster.status = "available"
        if writer is not None and writer.status == "rebooting":
            writer.status = "available"
            _instance_event(writer, ["availability"], "DB instance restarted.", when)
        _cluster_event(cluster, ["failover"], f"Completed failover to DB instance: {name}", when)

    TIMELINE.at(now, CLUSTER_SWITCH, f"{cid}: {name} becomes the writer", switch)
    TIMELINE.at(now, CLUSTER_DONE, f"{cid}: failover completed", done)
    return ActionResult({"DBCluster": cluster})


def _global_move(self: Any, *, data_loss: bool) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    ref = self.params.get("TargetDbClusterIdentifier")
    glob = _find_global(gid)
    if glob.status != "available":
        raise _error(
            "InvalidGlobalClusterStateFault",
            f"Global cluster {glob.global_cluster_identifier} is not in the available state: it is {glob.status}.",
        )
    target = _member(glob, ref)
    old = next((m for m in glob.members if m.is_writer), None)
    if target.is_writer:
        raise _error(
            "InvalidParameterValue", f"DB cluster {target.db_cluster_identifier} is already the primary cluster."
        )
    if target.status != "available":
        raise _state_error("cluster", target.db_cluster_identifier, target.status)
    now = TIMELINE.now()
    t_name, t_region = target.db_cluster_identifier, target.region
    o_name, o_region = (old.db_cluster_identifier, old.region) if old is not None else ("", "")
    glob.status = "failing-over" if data_loss else "switching-over"
    glob.failover_state = {
        "Status": "pending",
        "FromDbClusterArn": old.db_cluster_arn if old is not None else None,
        "ToDbClusterArn": target.db_cluster_arn,
        "IsDataLossAllowed": data_loss,
    }

    def running(when: datetime) -> None:
        state = getattr(glob, "failover_state", None)
        if state:
            state["Status"] = "failing-over" if data_loss else "switching-over"

    def promote(when: datetime) -> None:
        writer = _make_standalone_writer(target, is_writer=True)
        if writer is not None:
            _cluster_event(target, ["failover"], f"Completed failover to DB instance: {writer.db_instance_identifier}", when)
        if not data_loss:
            _cluster_event(
                target, ["global-failover"], f"New primary DB cluster {t_name} in Region {t_region} was successfully promoted.", when
            )

    def demote(when: datetime) -> None:
        if old is None:
            return
        _make_secondary(old)
        if not data_loss:
            _cluster_event(
                old, ["global-failover"], f"Old primary DB cluster {o_name} in Region {o_region} successfully shut down.", when
            )

    def finished(when: datetime) -> None:
        glob.status = "available"
        glob.failover_state = None
        if data_loss:
            _cluster_event(
                target, ["global-failover"], f"Global failover to DB cluster {t_name} in Region {t_region} completed.", when
            )
            if old is not None:
                _cluster_event(
                    old,
                    ["global-failover"],
                    f"Started resynchronizing members of DB cluster {o_name} in Region {o_region} after global failover.",
                    when,
                )
        else:
            for cluster in (target, old):
                if cluster is not None:
                    _cluster_event(
                        cluster,
                        ["global-failover"],
                        f"Global switchover to DB cluster {t_name} in Region {t_region} finished.",
                        when,
                    )

    TIMELINE.at(now, 2, f"{gid}: {glob.status}", running)
    if data_loss:
        TIMELINE.at(now, GLOBAL_FAILOVER_PROMOTE, f"{gid}: {o_name} demoted", demote)
        TIMELINE.at(now, GLOBAL_FAILOVER_PROMOTE, f"{gid}: {t_name} promoted", promote)
        TIMELINE.at(now, GLOBAL_FAILOVER_DONE, f"{gid}: failover completed", finished)
        if old is not None:
            TIMELINE.at(
                now,
                GLOBAL_RESYNC_DONE,
                f"{gid}: {o_name} resynchronised",
                lambda when: _cluster_event(
                    old,
                    ["global-failover"],
                    f"Finished resynchronizing members of DB cluster {o_name} in Region {o_region} after global failover.",
                    when,
                ),
            )
    else:
        for cluster in (target, old):
            if cluster is not None:
                _cluster_event(
                    cluster,
                    ["global-failover"],
                    f"Global switchover to DB cluster {t_name} in Region {t_region} started.",
                    now,
                )
        TIMELINE.at(now, SWITCHOVER_DEMOTE, f"{gid}: {o_name} demoted", demote)
        TIMELINE.at(now, SWITCHOVER_PROMOTE, f"{gid}: {t_name} promoted", promote)
        TIMELINE.at(now, SWITCHOVER_DONE, f"{gid}: switchover finished", finished)
    return ActionResult({"GlobalCluster": glob})


def switchover_global_cluster(self: Any) -> Any:
    return _global_move(self, data_loss=False)


def failover_global_cluster(self: Any) -> Any:
    allow = bool(self.params.get("AllowDataLoss"))
    switchover = bool(self.params.get("Switchover"))
    if allow and switchover:
        raise _error("InvalidParameterCombination", "Specify either AllowDataLoss or Switchover, not both.")
    # Without AllowDataLoss, FailoverGlobalCluster is a switchover.
    return _global_move(self, data_loss=allow)


def remove_from_global_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    ref = self.params.get("DbClusterIdentifier")
    glob = _find_global(gid)
    cluster = _member(glob, ref)
    if cluster.is_writer:
        if len(glob.members) > 1:
            raise _error(
                "InvalidGlobalClusterStateFault",
                f"The primary cluster {cluster.db_cluster_identifier} can't be removed while "
                f"{glob.global_cluster_identifier} has secondary clusters.",
            )
        glob.members.remove(cluster)
        cluster.global_cluster_identifier = None
        return ActionResult({"GlobalCluster": glob})
    if cluster.status != "available":
        raise _state_error("cluster", cluster.db_cluster_identifier, cluster.status)
    now = TIMELINE.now()
    cluster.status = "modifying"

    def stand_alone(when: datetime) -> None:
        if cluster in glob.members:
            glob.members.remove(cluster)
        cluster.global_cluster_identifier = None
        _make_standalone_writer(cluster, is_writer=False)
        cluster.status = "available"
        _cluster_event(
            cluster,
            ["global-failover"],
            f"DB cluster {cluster.db_cluster_identifier} was removed from global cluster "
            f"{glob.global_cluster_identifier} and promoted to a stand-alone cluster.",
            when,
        )

    TIMELINE.at(now, DETACH_DONE, f"{cluster.db_cluster_identifier}: stands alone", stand_alone)
    return ActionResult({"GlobalCluster": glob})


def promote_read_replica_db_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cid = self.params.get("DBClusterIdentifier")
    cluster = _cluster(self.backend, cid)
    source_ref = cluster.replication_source_identifier
    if not source_ref:
        raise _error("InvalidDBClusterStateFault", f"DB cluster {cid} is not a read replica cluster.")
    if cluster.status != "available":
        raise _state_error("cluster", cid, cluster.status)
    now = TIMELINE.now()
    cluster.status = "promoting"

    def stand_alone(when: datetime) -> None:
        try:
            source = _cluster(self.backend, source_ref)
        except Exception:  # noqa: BLE001 - a deleted source: nothing to unlink
            source = None
        if source is not None and cluster.db_cluster_arn in source.read_replica_identifiers:
            source.read_replica_identifiers.remove(cluster.db_cluster_arn)
        cluster.replication_source_identifier = None
        _make_standalone_writer(cluster, is_writer=False)
        cluster.status = "available"
        _cluster_event(
            cluster, ["notification"], "Promoted Read Replica cluster to stand-alone database cluster.", when
        )

    TIMELINE.at(now, PROMOTE_CLUSTER_DONE, f"{cid}: stands alone", stand_alone)
    return ActionResult({"DBCluster": cluster})


def _progress(snap: Any, seconds: float, now: datetime, label: str, finish: Callable[[datetime], None]) -> None:
    snap.status = "creating"
    snap.percent_progress = 0
    for pct in (20, 40, 60, 80):
        def step(when: datetime, pct: int = pct) -> None:
            if snap.status == "creating":
                snap.percent_progress = pct
        TIMELINE.at(now, seconds * pct / 100, f"{label}: {pct} %", step)

    def done(when: datetime) -> None:
        snap.status = "available"
        snap.percent_progress = 100
        finish(when)

    TIMELINE.at(now, seconds, f"{label}: available", done)


def create_db_snapshot(self: Any) -> Any:
    ident = self.params.get("DBInstanceIdentifier")
    name = self.params.get("DBSnapshotIdentifier")
    db = _instance(self.backend, ident)
    if _is_clustered(db):
        raise _error(
            "InvalidParameterValue",
            f"The specified instance {ident} is a member of a cluster and a snapshot cannot be created directly. "
            "Please use the CreateDBClusterSnapshot API instead.",
        )
    if db.status not in ("available", "stopped", "storage-optimization"):
        raise _state_error("instance", ident, db.status)
    result = _ORIGINALS["create_db_snapshot"](self)
    snap = self.backend.database_snapshots[name]
    now = TIMELINE.now()
    snap.created = snap.original_snapshot_create_time = now.replace(microsecond=0)
    snap_id = snap.db_snapshot_identifier
    _event(snap, "db-snapshot", snap_id, ["creation"], "Creating manual snapshot.", now)
    was_available = db.status == "available"
    if was_available:
        db.status = "backing-up"
        _instance_event(db, ["backup"], "Backing up DB instance.", now)
    seconds = 20 + min(40, (db.allocated_storage or 100) / 25)

    def finish(when: datetime) -> None:
        _event(snap, "db-snapshot", snap_id, ["creation"], "Manual snapshot created.", when)
        if db.status == "backing-up":
            db.status = "available"
            _instance_event(db, ["backup"], "Finished DB instance backup.", when)

    _progress(snap, seconds, now, f"snapshot {snap_id}", finish)
    return result


def create_db_cluster_snapshot(self: Any) -> Any:
    cid = self.params.get("DBClusterIdentifier")
    name = self.params.get("DBClusterSnapshotIdentifier")
    cluster = _cluster(self.backend, cid)
    if cluster.status != "available":
        raise _state_error("cluster", cid, cluster.status)
    result = _ORIGINALS["create_db_cluster_snapshot"](self)
    snap = self.backend.cluster_snapshots[name]
    now = TIMELINE.now()
    snap.created = now.replace(microsecond=0)
    snap_id = snap.db_cluster_snapshot_identifier
    _event(snap, "db-cluster-snapshot", snap_id, ["backup"], "Creating manual cluster snapshot.", now)
    aurora = (cluster.engine or "").startswith("aurora")
    seconds = CLUSTER_SNAPSHOT["aurora" if aurora else "multi-az"]

    def finish(when: datetime) -> None:
        _event(snap, "db-cluster-snapshot", snap_id, ["backup"], "Manual cluster snapshot created.", when)

    _progress(snap, seconds, now, f"snapshot {snap_id}", finish)
    return result


HANDLERS: dict[str, Callable[[Any], Any]] = {
    "reboot_db_instance": reboot_db_instance,
    "promote_read_replica": promote_read_replica,
    "failover_db_cluster": failover_db_cluster,
    "switchover_global_cluster": switchover_global_cluster,
    "failover_global_cluster": failover_global_cluster,
    "remove_from_global_cluster": remove_from_global_cluster,
    "promote_read_replica_db_cluster": promote_read_replica_db_cluster,
    "create_db_snapshot": create_db_snapshot,
    "create_db_cluster_snapshot": create_db_cluster_snapshot,
}
_ORIGINALS: dict[str, Callable[[Any], Any]] = {}


def _not_implemented(name: str) -> Callable[[Any], Any]:
    def missing(self: Any) -> Any:
        raise NotImplementedError(f"The {name} action has not been implemented")

    return missing


def install() -> None:
    """Put the handlers on moto's RDSResponse once per process (idempotent).

    Each one is moto's own while no demo is active.
    """
    global _INSTALLED
    with _LOCK:
        if _INSTALLED:
            return
        from moto.rds.responses import RDSResponse

        for name, handler in HANDLERS.items():
            original = getattr(RDSResponse, name, None) or _not_implemented(name)
            _ORIGINALS[name] = original

            def method(self: Any, _handler: Callable[[Any], Any] = handler, _original: Callable[[Any], Any] = original) -> Any:
                with _LOCK:
                    if TIMELINE.active:
                        return _handler(self)
                return _original(self)

            method.__name__ = name
            method._rdstui_demo_operation = True  # type: ignore[attr-defined]
            setattr(RDSResponse, name, method)
        _INSTALLED = True
