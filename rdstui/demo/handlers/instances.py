"""RebootDBInstance (with or without failover) and PromoteReadReplica, over demo time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rdstui.demo.fidelity import LETTERS, is_clustered
from rdstui.demo.handlers.common import (
    error,
    find_instance,
    instance_event,
    refuse_custom,
    restarted,
    shut_down,
    state_error,
)
from rdstui.demo.handlers.timeline import TIMELINE

# Seconds after the call.
FAILOVER_SWAP, FAILOVER_DONE = 18, 30
REBOOT_DONE = 12
PROMOTE_REBOOT, PROMOTE_DONE = 40, 60


def reboot_db_instance(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ident = self.params.get("DBInstanceIdentifier")
    force = bool(self.params.get("ForceFailover"))
    db = find_instance(self.backend, ident)
    refuse_custom(db, "RebootDBInstance")
    if db.status != "available":
        raise state_error("instance", ident, db.status)
    if force and (not db.multi_az or is_clustered(db)):
        raise error(
            "InvalidParameterCombination",
            f"Reboot with failover is only supported for Multi-AZ DB instances; {ident} is not one.",
        )
    now = TIMELINE.now()
    if not force:
        shut_down(db, now)
        TIMELINE.at(now, REBOOT_DONE, f"{ident}: restarted", lambda when: restarted(db, when))
        return ActionResult({"DBInstance": db})

    db.status = "rebooting"
    instance_event(db, ["failover"], "Multi-AZ instance failover started.", now)

    def swap(when: datetime) -> None:
        primary = db.availability_zone
        standby = getattr(db, "secondary_availability_zone", None)
        if not standby or standby == primary:
            region = db.region
            standby = next(f"{region}{x}" for x in LETTERS if f"{region}{x}" != primary)
        db.availability_zone, db.secondary_availability_zone = standby, primary
        instance_event(
            db, ["failover"], "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.", when
        )

    def done(when: datetime) -> None:
        restarted(db, when)
        instance_event(db, ["failover"], "Multi-AZ instance failover completed.", when)

    TIMELINE.at(now, FAILOVER_SWAP, f"{ident}: standby takes over", swap)
    TIMELINE.at(now, FAILOVER_DONE, f"{ident}: failover completed", done)
    return ActionResult({"DBInstance": db})


def promote_read_replica(self: Any) -> Any:
    from moto.core.responses import ActionResult

    ident = self.params.get("DBInstanceIdentifier")
    db = find_instance(self.backend, ident)
    refuse_custom(db, "PromoteReadReplica")
    if not (getattr(db, "is_replica", False) and db.source_db_instance_identifier):
        raise error("InvalidDBInstanceState", f"DB instance {ident} is not a read replica.")
    if db.status != "available":
        raise state_error("instance", ident, db.status)
    retention = self.params.get("BackupRetentionPeriod")
    window = self.params.get("PreferredBackupWindow")
    now = TIMELINE.now()
    db.status = "modifying"

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
        instance_event(db, ["availability"], "DB instance restarted.", when)
        instance_event(db, ["read replica"], "Promoted Read Replica to a stand-alone database instance.", when)

    TIMELINE.at(now, PROMOTE_REBOOT, f"{ident}: promotion reboot", lambda when: shut_down(db, when))
    TIMELINE.at(now, PROMOTE_DONE, f"{ident}: stands alone", stand_alone)
    return ActionResult({"DBInstance": db})
