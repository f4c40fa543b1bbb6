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
)
from rdstui.demo.handlers.timeline import TIMELINE

# Seconds after the call.
SWITCHOVER_DEMOTE, SWITCHOVER_PROMOTE, SWITCHOVER_DONE = 15, 35, 50
GLOBAL_FAILOVER_PROMOTE, GLOBAL_FAILOVER_DONE, GLOBAL_RESYNC_DONE = 15, 25, 45
DETACH_DONE = 30


def _global_move(self: Any, *, data_loss: bool) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    ref = self.params.get("TargetDbClusterIdentifier")
    glob = find_global(gid)
    if glob.status != "available":
        raise error(
            "InvalidGlobalClusterStateFault",
            f"Global cluster {glob.global_cluster_identifier} is not in the available state: it is {glob.status}.",
        )
    target = member(glob, ref)
    old = next((m for m in glob.members if m.is_writer), None)
    if target.is_writer:
        raise error(
            "InvalidParameterValue", f"DB cluster {target.db_cluster_identifier} is already the primary cluster."
        )
    if target.status != "available":
        raise state_error("cluster", target.db_cluster_identifier, target.status)
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
        writer = make_standalone_writer(target, is_writer=True)
        if writer is not None:
            cluster_event(target, ["failover"], f"Completed failover to DB instance: {writer.db_instance_identifier}", when)
        if not data_loss:
            cluster_event(
                target, ["global-failover"], f"New primary DB cluster {t_name} in Region {t_region} was successfully promoted.", when
            )

    def demote(when: datetime) -> None:
        if old is None:
            return
        make_secondary(old)
        if not data_loss:
            cluster_event(
                old, ["global-failover"], f"Old primary DB cluster {o_name} in Region {o_region} successfully shut down.", when
            )

    def finished(when: datetime) -> None:
        glob.status = "available"
        glob.failover_state = None
        if data_loss:
            cluster_event(
                target, ["global-failover"], f"Global failover to DB cluster {t_name} in Region {t_region} completed.", when
            )
            if old is not None:
                cluster_event(
                    old,
                    ["global-failover"],
                    f"Started resynchronizing members of DB cluster {o_name} in Region {o_region} after global failover.",
                    when,
                )
        else:
            for cluster in (target, old):
                if cluster is not None:
                    cluster_event(
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
                lambda when: cluster_event(
                    old,
                    ["global-failover"],
                    f"Finished resynchronizing members of DB cluster {o_name} in Region {o_region} after global failover.",
                    when,
                ),
            )
    else:
        for cluster in (target, old):
            if cluster is not None:
                cluster_event(
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
        raise error("InvalidParameterCombination", "Specify either AllowDataLoss or Switchover, not both.")
    # Without AllowDataLoss, FailoverGlobalCluster is a switchover.
    return _global_move(self, data_loss=allow)


def remove_from_global_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    gid = self.params.get("GlobalClusterIdentifier")
    ref = self.params.get("DbClusterIdentifier")
    glob = find_global(gid)
    cluster = member(glob, ref)
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
        cluster_event(
            cluster,
            ["global-failover"],
            f"DB cluster {cluster.db_cluster_identifier} was removed from global cluster "
            f"{glob.global_cluster_identifier} and promoted to a stand-alone cluster.",
            when,
        )

    TIMELINE.at(now, DETACH_DONE, f"{cluster.db_cluster_identifier}: stands alone", stand_alone)
    return ActionResult({"GlobalCluster": glob})
