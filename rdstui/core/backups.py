"""Backup posture of one database: retention, restorable time (RPO now), newest snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rdstui.core.model import Node, NodeType, Role
from rdstui.core.session import SessionFactory


@dataclass(frozen=True)
class BackupPosture:
    retention_days: int | None
    latest_restorable: datetime | None
    rpo_seconds: float | None  # how far behind now the latest restorable time is
    newest_snapshot: str | None
    newest_snapshot_time: datetime | None
    snapshot_age_seconds: float | None
    snapshot_count: int = 0

    @property
    def point_in_time_recovery(self) -> bool:
        return bool(self.retention_days)


def _seconds_behind(then: datetime | None, now: datetime) -> float | None:
    return max(0.0, (now - then).total_seconds()) if then else None


def posture_from(record: Mapping[str, Any], snapshots: list[dict[str, Any]], now: datetime) -> BackupPosture:
    """Pure: what the describe record and its snapshots say."""
    restorable = record.get("LatestRestorableTime")
    done = [s for s in snapshots if s.get("SnapshotCreateTime")]
    newest = max(done, key=lambda s: s["SnapshotCreateTime"], default=None)
    newest_time = newest["SnapshotCreateTime"] if newest else None
    ident = None
    if newest:
        ident = newest.get("DBSnapshotIdentifier") or newest.get("DBClusterSnapshotIdentifier")
    return BackupPosture(
        retention_days=record.get("BackupRetentionPeriod"),
        latest_restorable=restorable,
        rpo_seconds=_seconds_behind(restorable, now),
        newest_snapshot=ident,
        newest_snapshot_time=newest_time,
        snapshot_age_seconds=_seconds_behind(newest_time, now),
        snapshot_count=len(snapshots),
    )


def backup_owner(node: Node, parent: Node | None) -> Node | None:
    """Whose backups answer for `node`: a cluster member's cluster, a standby's primary,
    a global database's primary cluster; None for what has no backups (a placeholder)."""
    if node.type in (NodeType.EXTERNAL, NodeType.ACCOUNT):
        return None
    if node.type is NodeType.STANDBY:
        return parent
    if node.type is NodeType.INSTANCE and node.is_cluster_member:
        return parent if parent is not None and parent.type is NodeType.CLUSTER else None
    if node.type is NodeType.GLOBAL_CLUSTER:
        return next((c for c in node.children if c.type is NodeType.CLUSTER and c.role is Role.PRIMARY), None)
    return node


async def fetch_posture(factory: SessionFactory, node: Node, now: datetime) -> BackupPosture:
    """The posture of `node` (a backup owner): the snapshots of that one database, read on
    selection, not every poll."""
    rds = await factory.client("rds", node.region)
    if node.type is NodeType.CLUSTER:
        paginator = rds.get_paginator("describe_db_cluster_snapshots")
        args, key = {"DBClusterIdentifier": node.id}, "DBClusterSnapshots"
    else:
        paginator = rds.get_paginator("describe_db_snapshots")
        args, key = {"DBInstanceIdentifier": node.id}, "DBSnapshots"
    snapshots: list[dict[str, Any]] = []
    async for page in paginator.paginate(**args):
        snapshots.extend(page.get(key, []))
    return posture_from(node.raw, snapshots, now)
