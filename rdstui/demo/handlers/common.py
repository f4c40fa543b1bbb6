"""Looking up moto's RDS models, raising AWS's errors, and recording AWS's events."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from rdstui.demo.fidelity import (
    aware_utc,
    keep_writerless,
    rds_backends,
    rds_event,
    region_backends,
)

# moto's own handlers, saved by `operations.install`: snapshots build on them.
ORIGINALS: dict[str, Callable[[Any], Any]] = {}


def error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    failure: Exception = RDSClientError(code, message)
    return failure


def state_error(kind: str, ident: str, status: str) -> Exception:
    if kind == "instance":
        return error("InvalidDBInstanceState", f"DB instance {ident} is not in the available state: it is {status}.")
    return error("InvalidDBClusterStateFault", f"DB cluster {ident} is not in the available state: it is {status}.")


def refuse_custom(db: Any, operation: str) -> None:
    """The API reference: RebootDBInstance and PromoteReadReplica don't apply to RDS Custom."""
    if (db.engine or "").startswith("custom-"):
        raise error(
            "InvalidParameterCombination",
            f"{operation} isn't supported for RDS Custom DB instances: {db.db_instance_identifier} is {db.engine}.",
        )


def sync_status(glob: Any) -> dict[str, str]:
    """Member ARN -> SynchronizationStatus ("connected" unless set); serialized by fidelity.py."""
    table: dict[str, str] | None = getattr(glob, "sync_status", None)
    if table is None:
        table = glob.sync_status = {}
    return table


def wrong_region(self: Any, wanted: str, operation: str, whose: str) -> None:
    """A global call sent to a region other than the one AWS runs it in."""
    if self.region != wanted:
        raise error(
            "InvalidParameterValue",
            f"{operation} must be called in {wanted}, the Region of {whose}; it was called in {self.region}.",
        )


def event(resource: Any, source_type: str, ident: str, categories: list[str], message: str, when: datetime) -> None:
    """Append an RDS event to the resource's regional backend, as AWS records it."""
    date = aware_utc(when).replace(microsecond=0)
    resource.backend.events.append(rds_event(source_type, ident, resource.arn, categories, message, date))


def instance_event(db: Any, categories: list[str], message: str, when: datetime) -> None:
    event(db, "db-instance", db.db_instance_identifier, categories, message, when)


def cluster_event(cluster: Any, categories: list[str], message: str, when: datetime) -> None:
    event(cluster, "db-cluster", cluster.db_cluster_identifier, categories, message, when)


def shut_down(db: Any, when: datetime) -> None:
    """The instance goes down for a reboot (a failover or a promotion restarts it too)."""
    db.status = "rebooting"
    instance_event(db, ["availability"], "DB instance shutdown.", when)


def restarted(db: Any, when: datetime) -> None:
    """The reboot is over: available again, unless something else has changed its status since."""
    if db.status == "rebooting":
        db.status = "available"
    instance_event(db, ["availability"], "DB instance restarted.", when)


def find_instance(backend: Any, ident: str | None) -> Any:
    from moto.rds.exceptions import DBInstanceNotFoundError

    db = backend.databases.get(ident or "")
    if db is None:
        raise DBInstanceNotFoundError(ident or "")
    return db


def find_cluster(backend: Any, ref: str | None) -> Any:
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


def find_global(ident: str) -> Any:
    for _, backend in region_backends():
        found = backend.global_clusters.get((ident or "").lower())
        if found is not None:
            return found
    raise error("GlobalClusterNotFoundFault", f"Global cluster {ident} not found.")


def member(glob: Any, ref: str) -> Any:
    for cluster in glob.members:
        if ref in (cluster.db_cluster_arn, cluster.db_cluster_identifier):
            return cluster
    raise error(
        "DBClusterNotFoundFault",
        f"The DB cluster {ref} is not a member of the global cluster {glob.global_cluster_identifier}.",
    )


def writer_first(cluster: Any) -> Any:
    members = sorted(cluster._members, key=lambda m: (m.promotion_tier, m.db_instance_identifier))
    return members[0] if members else None


def make_secondary(cluster: Any) -> None:
    """A global secondary: no writer, all its instances readers."""
    cluster.is_writer = False
    keep_writerless(cluster)


def make_standalone_writer(cluster: Any, *, is_writer: bool) -> Any:
    """The cluster takes writes again: its first instance (by promotion tier) is the writer."""
    cluster.is_writer = is_writer
    if "designate_writer" in vars(cluster):
        del cluster.designate_writer
    writer = writer_first(cluster)
    for instance in cluster._members:
        instance.is_cluster_writer = instance is writer
    return writer
