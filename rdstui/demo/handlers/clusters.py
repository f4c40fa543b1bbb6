"""FailoverDBCluster and PromoteReadReplicaDBCluster, over demo time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rdstui.demo.fidelity import global_secondaries
from rdstui.demo.handlers.common import (
    cluster_event,
    error,
    find_cluster,
    make_standalone_writer,
    restarted,
    shut_down,
    state_error,
)
from rdstui.demo.handlers.timeline import TIMELINE

# Seconds after the call.
CLUSTER_SWITCH, CLUSTER_DONE = 8, 15
PROMOTE_CLUSTER_DONE = 45


def failover_db_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cid = self.params.get("DBClusterIdentifier")
    wanted = self.params.get("TargetDBInstanceIdentifier")
    cluster = find_cluster(self.backend, cid)
    if id(cluster) in global_secondaries():
        raise error(
            "InvalidDBClusterStateFault",
            f"DB cluster {cid} is a secondary cluster of a global database: it has no writer to fail over.",
        )
    if cluster.status != "available":
        raise state_error("cluster", cid, cluster.status)
    if wanted and cluster.engine == "mysql" and getattr(cluster, "db_cluster_instance_class", None):
        # The API reference: "This setting isn't supported for RDS for MySQL Multi-AZ DB clusters."
        raise error(
            "InvalidParameterCombination",
            "TargetDBInstanceIdentifier isn't supported for RDS for MySQL Multi-AZ DB clusters.",
        )
    writer = cluster.writer
    target = _failover_target(cluster, cid, wanted, writer)
    now = TIMELINE.now()
    name = target.db_instance_identifier
    same_az = writer is not None and writer.availability_zone == target.availability_zone
    cluster.status = "failing-over"
    started = "Started same AZ failover to DB instance: " if same_az else "Started cross AZ failover to DB instance: "
    cluster_event(cluster, ["failover"], f"{started}{name}.", now)

    def switch(when: datetime) -> None:
        for member in cluster._members:
            member.is_cluster_writer = member is target
        if writer is not None and writer is not target:
            shut_down(writer, when)

    def done(when: datetime) -> None:
        cluster.status = "available"
        if writer is not None and writer.status == "rebooting":
            restarted(writer, when)
        cluster_event(cluster, ["failover"], f"Completed failover to DB instance: {name}.", when)

    TIMELINE.at(now, CLUSTER_SWITCH, f"{cid}: {name} becomes the writer", switch)
    TIMELINE.at(now, CLUSTER_DONE, f"{cid}: failover completed", done)
    return ActionResult({"DBCluster": cluster})


def _failover_target(cluster: Any, cid: str, wanted: str | None, writer: Any) -> Any:
    """The reader `wanted`, or the first available one by promotion tier, as AWS picks it."""
    members = cluster._members
    if len(members) < 2:
        raise error(
            "InvalidDBClusterStateFault",
            f"Database cluster:{cid} should have at least two database instances for failover",
        )
    if not wanted:
        readers = [m for m in members if m is not writer and m.status == "available"]
        if not readers:
            raise error("InvalidDBClusterStateFault", f"Database cluster:{cid} has no available reader for failover.")
        return sorted(readers, key=lambda m: (m.promotion_tier, m.db_instance_identifier))[0]
    target = next((m for m in members if m.db_instance_identifier == wanted), None)
    if target is None:
        raise error("InvalidParameterValue", f"Cannot find target instance: {wanted}")
    if target.status != "available":
        raise error("InvalidDBInstanceState", f"Instance {wanted} should be in valid state for failover.")
    if target is writer:
        raise error("InvalidParameterCombination", f"Instance {wanted} is already the writer of {cid}.")
    return target


def promote_read_replica_db_cluster(self: Any) -> Any:
    from moto.core.responses import ActionResult

    cid = self.params.get("DBClusterIdentifier")
    cluster = find_cluster(self.backend, cid)
    source_ref = cluster.replication_source_identifier
    if not source_ref:
        raise error("InvalidDBClusterStateFault", f"DB cluster {cid} is not a read replica cluster.")
    if cluster.status != "available":
        raise state_error("cluster", cid, cluster.status)
    now = TIMELINE.now()
    cluster.status = "promoting"

    def stand_alone(when: datetime) -> None:
        try:
            source = find_cluster(self.backend, source_ref)
        except Exception:  # noqa: BLE001 - a deleted source: nothing to unlink
            source = None
        if source is not None and cluster.db_cluster_arn in source.read_replica_identifiers:
            source.read_replica_identifiers.remove(cluster.db_cluster_arn)
        cluster.replication_source_identifier = None
        make_standalone_writer(cluster, is_writer=False)
        cluster.status = "available"
        cluster_event(
            cluster, ["notification"], "Promoted Read Replica cluster to a stand-alone database cluster.", when
        )

    TIMELINE.at(now, PROMOTE_CLUSTER_DONE, f"{cid}: stands alone", stand_alone)
    return ActionResult({"DBCluster": cluster})
