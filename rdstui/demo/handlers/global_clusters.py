"""SwitchoverGlobalCluster, FailoverGlobalCluster and RemoveFromGlobalCluster, over demo time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rdstui.demo.handlers.common import (
    cluster_event,
    error,
    find_global,
    make_secondary,
    make_standalone_writer,
    member,
    state_error,
    sync_status,
    wrong_region,
)
from rdstui.demo.handlers.timeline import TIMELINE

# The category of AWS's global database events (RDS-EVENT-0181..0187, 0238..0241).
GLOBAL_FAILOVER = ["global failover"]

# Seconds after the call.
SWITCHOVER_DEMOTE, SWITCHOVER_PROMOTE, SWITCHOVER_DONE, SWITCHOVER_RESYNC_DONE = 15, 35, 50, 80
GLOBAL_FAILOVER_PROMOTE, GLOBAL_FAILOVER_DONE, GLOBAL_RESYNC_DONE = 15, 25, 45
DETACH_DONE = 30


def _global_move(self: Any, *, data_loss: bool) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    glob = find_global(gid)
    target = _new_primary(glob, self.params.get("TargetDbClusterIdentifier"))
    old = next((m for m in glob.members if m.is_writer), None)
    # Switchover runs in the current primary's region, failover with data loss in the target's.
    if data_loss:
        wrong_region(self, target.region, "FailoverGlobalCluster with AllowDataLoss", "the target secondary cluster")
    elif old is not None:
        wrong_region(self, old.region, "SwitchoverGlobalCluster", "the current primary cluster")
    now = TIMELINE.now()
    move = _GlobalMove(glob, target, old, data_loss)
    move.start(now)
    move.schedule(gid, now)
    return ActionResult({"GlobalCluster": glob})


def _new_primary(glob: Any, ref: str) -> Any:
    """The member that is to take over, once AWS's checks pass."""
    if glob.status != "available":
        raise error(
            "InvalidGlobalClusterStateFault",
            f"Global cluster {glob.global_cluster_identifier} is not in the available state: it is {glob.status}.",
        )
    target = member(glob, ref)
    if target.is_writer:
        raise error(
            "InvalidParameterValue", f"DB cluster {target.db_cluster_identifier} is already the primary cluster."
        )
    if target.status != "available":
        raise state_error("cluster", target.db_cluster_identifier, target.status)
    return target


class _GlobalMove:
    """One switchover (data_loss False) or failover with data loss, step by step."""

    def __init__(self, glob: Any, target: Any, old: Any, data_loss: bool) -> None:
        self.glob, self.target, self.old, self.data_loss = glob, target, old, data_loss
        self.status = "failing-over" if data_loss else "switching-over"
        self.t_name, self.t_region = target.db_cluster_identifier, target.region
        self.o_name: str = old.db_cluster_identifier if old is not None else ""
        self.o_region: str = old.region if old is not None else ""

    def start(self, now: datetime) -> None:
        self.glob.status = self.status
        self.glob.failover_state = {
            "Status": "pending",
            "FromDbClusterArn": self.old.db_cluster_arn if self.old is not None else None,
            "ToDbClusterArn": self.target.db_cluster_arn,
            "IsDataLossAllowed": self.data_loss,
        }
        if not self.data_loss:
            self._on_both(f"Global switchover to DB cluster {self.t_name} in Region {self.t_region} started.", now)
            self._on_both("Waiting for data synchronization across global cluster members.", now)

    def schedule(self, gid: str, now: datetime) -> None:
        if self.data_loss:
            steps = [
                (GLOBAL_FAILOVER_PROMOTE, f"{self.o_name} demoted", self.demote),
                (GLOBAL_FAILOVER_PROMOTE, f"{self.t_name} promoted", self.promote),
                (GLOBAL_FAILOVER_DONE, "failover completed", self.finished),
            ]
            if self.old is not None:
                steps.append((GLOBAL_RESYNC_DONE, f"{self.o_name} resynchronised", self.resynchronised))
        else:
            steps = [
                (SWITCHOVER_DEMOTE, f"{self.o_name} demoted", self.demote),
                (SWITCHOVER_PROMOTE, f"{self.t_name} promoted", self.promote),
                (SWITCHOVER_DONE, "switchover finished", self.finished),
            ]
            if self.old is not None:
                steps.append((SWITCHOVER_RESYNC_DONE, f"{self.o_name} in sync", self.in_sync))
        TIMELINE.at(now, 2, f"{gid}: {self.glob.status}", self.running)
        for seconds, label, run in steps:
            TIMELINE.at(now, seconds, f"{gid}: {label}", run)

    # -- the steps, in the order they come ------------------------------------

    def running(self, when: datetime) -> None:
        state = getattr(self.glob, "failover_state", None)
        if state:
            state["Status"] = self.status

    def demote(self, when: datetime) -> None:
        if self.old is None:
            return
        make_secondary(self.old)
        # The old primary catches up as a secondary: AWS shows SynchronizationStatus pending-resync.
        sync_status(self.glob)[self.old.db_cluster_arn] = "pending-resync"
        if not self.data_loss:
            message = f"Old primary DB cluster {self.o_name} in Region {self.o_region} successfully shut down."
            cluster_event(self.old, GLOBAL_FAILOVER, message, when)

    def promote(self, when: datetime) -> None:
        writer = make_standalone_writer(self.target, is_writer=True)
        if writer is not None:
            message = f"Completed failover to DB instance: {writer.db_instance_identifier}."
            cluster_event(self.target, ["failover"], message, when)
        if not self.data_loss:
            message = f"New primary DB cluster {self.t_name} in Region {self.t_region} was successfully promoted."
            cluster_event(self.target, GLOBAL_FAILOVER, message, when)

    def finished(self, when: datetime) -> None:
        self.glob.status = "available"
        self.glob.failover_state = None
        if not self.data_loss:
            self._on_both(f"Global switchover to DB cluster {self.t_name} in Region {self.t_region} finished.", when)
            return
        message = f"Global failover to DB cluster {self.t_name} in Region {self.t_region} completed."
        cluster_event(self.target, GLOBAL_FAILOVER, message, when)
        if self.old is not None:
            message = f"Started resynchronizing members of DB cluster {self.o_name} in Region {self.o_region} after global failover."
            cluster_event(self.old, GLOBAL_FAILOVER, message, when)

    def resynchronised(self, when: datetime) -> None:
        self.in_sync(when)
        message = f"Finished resynchronizing members of DB cluster {self.o_name} in Region {self.o_region} after global failover."
        cluster_event(self.old, GLOBAL_FAILOVER, message, when)

    def in_sync(self, when: datetime) -> None:
        sync_status(self.glob)[self.old.db_cluster_arn] = "connected"

    def _on_both(self, message: str, when: datetime) -> None:
        """The new primary records it first, then the old one."""
        for cluster in (self.target, self.old):
            if cluster is not None:
                cluster_event(cluster, GLOBAL_FAILOVER, message, when)


def switchover_global_cluster(self: Any) -> Any:
    return _global_move(self, data_loss=False)


def failover_global_cluster(self: Any) -> Any:
    allow = bool(self.params.get("AllowDataLoss"))
    switchover = bool(self.params.get("Switchover"))
    if allow and switchover:
        raise error("InvalidParameterCombination", "Specify either AllowDataLoss or Switchover, not both.")
    # Without AllowDataLoss, FailoverGlobalCluster is a switchover.
    return _global_move(self, data_loss=allow)


def remove_from_global_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    ref = self.params.get("DbClusterIdentifier")
    glob = find_global(gid)
    cluster = member(glob, ref)
    wrong_region(self, cluster.region, "RemoveFromGlobalCluster", "the member that leaves")
    if cluster.is_writer:
        if len(glob.members) > 1:
            raise error(
                "InvalidGlobalClusterStateFault",
                f"The primary cluster {cluster.db_cluster_identifier} can't be removed while "
                f"{glob.global_cluster_identifier} has secondary clusters.",
            )
        glob.members.remove(cluster)
        cluster.global_cluster_identifier = None
        return ActionResult({"GlobalCluster": glob})
    if cluster.status != "available":
        raise state_error("cluster", cluster.db_cluster_identifier, cluster.status)
    now = TIMELINE.now()
    cluster.status = "modifying"

    def stand_alone(when: datetime) -> None:
        if cluster in glob.members:
            glob.members.remove(cluster)
        cluster.global_cluster_identifier = None
        make_standalone_writer(cluster, is_writer=False)
        cluster.status = "available"
        # AWS documents no event for a detach: none is written.

    TIMELINE.at(now, DETACH_DONE, f"{cluster.db_cluster_identifier}: stands alone", stand_alone)
    return ActionResult({"GlobalCluster": glob})
