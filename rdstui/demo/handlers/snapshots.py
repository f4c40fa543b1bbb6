"""CreateDBSnapshot and CreateDBClusterSnapshot: creating, with progress, then available."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from rdstui.demo.fidelity import is_clustered
from rdstui.demo.handlers.common import (
    ORIGINALS,
    error,
    event,
    find_cluster,
    find_instance,
    instance_event,
    state_error,
)
from rdstui.demo.handlers.timeline import TIMELINE

# Seconds after the call; an instance's snapshot takes 20 + storage/25 (max 60).
CLUSTER_SNAPSHOT = {"aurora": 25, "multi-az": 35}


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
    db = find_instance(self.backend, ident)
    if is_clustered(db):
        raise error(
            "InvalidParameterValue",
            f"The specified instance {ident} is a member of a cluster and a snapshot cannot be created directly. "
            "Please use the CreateDBClusterSnapshot API instead.",
        )
    if db.status not in ("available", "storage-optimization"):  # the API reference's rule
        raise state_error("instance", ident, db.status)
    result = ORIGINALS["create_db_snapshot"](self)
    snap = self.backend.database_snapshots[name]
    now = TIMELINE.now()
    snap.created = snap.original_snapshot_create_time = now.replace(microsecond=0)
    snap_id = snap.db_snapshot_identifier
    event(snap, "db-snapshot", snap_id, ["creation"], "Creating manual snapshot.", now)
    was_available = db.status == "available"
    if was_available:
        db.status = "backing-up"
        instance_event(db, ["backup"], "Backing up DB instance.", now)
    seconds = 20 + min(40, (db.allocated_storage or 100) / 25)

    def finish(when: datetime) -> None:
        event(snap, "db-snapshot", snap_id, ["creation"], "Manual snapshot created.", when)
        if db.status == "backing-up":
            db.status = "available"
            instance_event(db, ["backup"], "Finished DB instance backup.", when)

    _progress(snap, seconds, now, f"snapshot {snap_id}", finish)
    return result


def create_db_cluster_snapshot(self: Any) -> Any:
    cid = self.params.get("DBClusterIdentifier")
    name = self.params.get("DBClusterSnapshotIdentifier")
    cluster = find_cluster(self.backend, cid)
    if cluster.status != "available":
        raise state_error("cluster", cid, cluster.status)
    result = ORIGINALS["create_db_cluster_snapshot"](self)
    snap = self.backend.cluster_snapshots[name]
    now = TIMELINE.now()
    snap.created = now.replace(microsecond=0)
    snap_id = snap.db_cluster_snapshot_identifier
    event(snap, "db-cluster-snapshot", snap_id, ["backup"], "Creating manual cluster snapshot.", now)
    aurora = (cluster.engine or "").startswith("aurora")
    seconds = CLUSTER_SNAPSHOT["aurora" if aurora else "multi-az"]

    def finish(when: datetime) -> None:
        event(snap, "db-cluster-snapshot", snap_id, ["backup"], "Manual cluster snapshot created.", when)

    _progress(snap, seconds, now, f"snapshot {snap_id}", finish)
    return result
