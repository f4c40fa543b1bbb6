"""Make moto's RDS state look like real AWS, by mutating its in-process backends.

moto serializes a model attribute by its botocore shape name, trying the
PascalCase name first and then the snake_case one. So setting
`instance.secondary_availability_zone` makes `SecondaryAvailabilityZone` appear,
and an instance attribute named like the shape (`LatestRestorableTime`,
`Endpoint`) overrides moto's own property of the snake_case name.

Two entry points:
- `seed_patches(...)`: once, right after seeding (times in the past, snapshots,
  events, stable identifiers).
- `refresh(...)`: idempotent, on every simulator tick, so resources that the
  app creates or changes later are normalized too (zones, writer flags of global
  secondaries, endpoints, LatestRestorableTime).
"""

from __future__ import annotations

import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

from rdstui.demo.seed import ACCOUNT_ID

LETTERS = "abc"
HOSTED_ZONES = {
    "us-east-1": "Z2R2ITUGPM61AM",
    "us-west-2": "Z1PVIF0B656C1W",
    "eu-west-1": "Z29XKXDKYMONMX",
}

# How long ago each resource was created, in days.
CREATED_DAYS_AGO = {
    "orders-pg": 731,
    "orders-pg-ro1": 402,
    "orders-pg-ro1-cascade": 133,
    "orders-pg-dr": 388,
    "payments-global": 540,
    "payments-use1": 540,
    "payments-usw2": 538,
    "payments-euw1": 212,
    "inventory-maz": 161,
    "search-aurora": 297,
    "search-aurora-euw1": 96,
    "legacy-reports": 1650,
    "catalog-mysql": 845,
    "catalog-mysql-ro-spiky": 845,
    "catalog-mysql-ro-drift": 47,
    "catalog-mysql-ro-broken": 210,
    "sessions-sv2": 75,
    "orders-aurora-pg": 9,
    "billing-mysql": 420,
    "reports-pg-staging": 300,
}

# A replica whose replication stopped on an error: its StatusInfos, as AWS reports a
# broken read replica (the Message is MySQL's own error text; AWS's exact wording
# for this field is not documented), and ReplicaLag -1 (simulator.py).
BROKEN_REPLICATION = {
    "catalog-mysql-ro-broken": "Error 1062: Duplicate entry '48213' for key 'items.PRIMARY' on query. "
    "Default database: 'catalog'.",
}
# Stopped instances: how long ago they were stopped (AWS starts them again after 7 days).
STOPPED_FOR = {"reports-pg-staging": timedelta(days=2, hours=3)}
AUTOMATIC_RESTART = timedelta(days=7)
# Replica clusters of an RDS instance, which moto can't create: (region, cluster) -> source instance.
REPLICA_CLUSTERS_OF_INSTANCES = {("us-east-1", "orders-aurora-pg"): "orders-pg"}

MANUAL_SNAPSHOT_AGE = {
    "orders-pg-before-pg16-upgrade": timedelta(days=23, hours=5, minutes=12),
    "orders-pg-weekly-manual": timedelta(days=2, hours=9, minutes=41),
    "legacy-reports-final-before-archive": timedelta(days=61, hours=2, minutes=3),
    "payments-use1-pre-migration": timedelta(days=9, hours=14, minutes=26),
    "inventory-maz-manual-1": timedelta(days=4, hours=1, minutes=55),
}


def sub_rng(seed: int, *parts: object) -> random.Random:
    """An independent, reproducible stream for one purpose (str seeding is stable)."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def naive_utc(moment: datetime) -> datetime:
    """moto keeps naive UTC datetimes; compare and store in that form."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def aware_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def rds_backends() -> Any:
    from moto.backends import get_backend

    return get_backend("rds")[ACCOUNT_ID]


def region_backends(regions: Iterable[str] | None = None) -> Iterator[tuple[str, Any]]:
    """(region, backend) for the regions that have an RDS backend (never creates one)."""
    account = rds_backends()
    names = list(account.keys()) if regions is None else [r for r in regions if r in account.keys()]
    for name in names:
        yield name, account[name]


def region_hash(seed: int, region: str) -> str:
    rng = sub_rng(seed, "endpoint", region)
    return "c" + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(11))


def _resource_id(seed: int, kind: str, identifier: str, length: int = 26) -> str:
    rng = sub_rng(seed, kind, identifier)
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def is_clustered(instance: Any) -> bool:
    """An Aurora or Multi-AZ DB cluster member: its cluster owns backups and failover."""
    return getattr(instance, "db_cluster_identifier", None) is not None and hasattr(instance, "cluster")


def global_secondaries() -> dict[int, str]:
    """id() of every cluster that is a non-writer member of some global cluster -> the primary's region."""
    out: dict[int, str] = {}
    for _, backend in region_backends():
        for glob in backend.global_clusters.values():
            writer = next((m for m in glob.members if getattr(m, "is_writer", False)), None)
            for member in glob.members:
                if not getattr(member, "is_writer", False):
                    out[id(member)] = writer.region if writer is not None else ""
    return out


def _no_writer() -> None:
    """Stands in for DBCluster.designate_writer on a global secondary."""


def keep_writerless(cluster: Any) -> None:
    """A global secondary has no writer: its instances are all readers, and moto must not pick one."""
    cluster.designate_writer = _no_writer
    for member in cluster._members:
        member.is_cluster_writer = False


def rds_event(source_type: str, ident: str, arn: str, categories: list[str], message: str, date: datetime) -> Any:
    """A moto RDS Event as AWS records it (moto's own constructor wants the live resource)."""
    from moto.rds.models import Event

    event = Event.__new__(Event)
    event.source_identifier = ident
    event.source_type = source_type
    event.message = message
    event.event_categories = list(categories)
    event.source_arn = arn
    event.date = date
    return event


def _global_members(glob: Any) -> list[dict[str, Any]]:
    """GlobalClusterMembers as AWS shapes them: writer first with its Readers, each
    member's SynchronizationStatus, write forwarding on secondaries only."""
    sync = getattr(glob, "sync_status", None) or {}
    members = []
    for member in glob.members:
        entry: dict[str, Any] = {"DBClusterArn": member.db_cluster_arn, "IsWriter": bool(member.is_writer)}
        if member.is_writer:
            entry["Readers"] = [m.db_cluster_arn for m in glob.members if not m.is_writer]
        else:
            entry["Readers"] = []
            entry["GlobalWriteForwardingStatus"] = "disabled"
        entry["SynchronizationStatus"] = sync.get(member.db_cluster_arn, "connected")
        members.append(entry)
    return members


def _without_paging(handler: Any) -> Any:
    """moto 5.2 passes MaxRecords on to a backend method that does not take it (a 500)."""
    if getattr(handler, "_rdstui_no_paging", False):
        return handler

    def call(self: Any) -> Any:
        self.params.pop("MaxRecords", None)
        self.params.pop("Marker", None)
        return handler(self)

    call._rdstui_no_paging = True  # type: ignore[attr-defined]
    return call


def install() -> None:
    """Class-level patches of moto (idempotent): global members as AWS shapes them;
    DescribeBlueGreenDeployments that accepts a page size."""
    from moto.rds.models import GlobalCluster
    from moto.rds.responses import RDSResponse

    GlobalCluster.GlobalClusterMembers = property(_global_members)
    RDSResponse.describe_blue_green_deployments = _without_paging(RDSResponse.describe_blue_green_deployments)


# --------------------------------------------------------------------------
# Idempotent normalization, run on every tick.
# --------------------------------------------------------------------------


def refresh(seed: int, now: datetime) -> None:
    now = aware_utc(now)
    secondaries = global_secondaries()
    for region, backend in region_backends():
        zone_hash = region_hash(seed, region)
        hosted_zone = HOSTED_ZONES.get(region, "Z2R2ITUGPM61AM")
        for cluster in list(backend.clusters.values()):
            _refresh_cluster(seed, cluster, region, zone_hash, hosted_zone, now, id(cluster) in secondaries)
        for instance in list(backend.databases.values()):
            _refresh_instance(seed, instance, region, zone_hash, hosted_zone, now)


def _refresh_cluster(
    seed: int, cluster: Any, region: str, zone_hash: str, hosted_zone: str, now: datetime, secondary: bool
) -> None:
    cluster.url_identifier = zone_hash
    cluster.hosted_zone_id = hosted_zone
    zones = [z for z in (cluster.availability_zones or []) if z.startswith(region)]
    if not zones:
        cluster.availability_zones = [f"{region}{letter}" for letter in LETTERS]
    if secondary:
        keep_writerless(cluster)
    elif "designate_writer" in vars(cluster):
        del cluster.designate_writer
    retention = cluster.backup_retention_period or 0
    if retention > 0:
        lag = timedelta(minutes=3, seconds=sub_rng(seed, "lrt", cluster.db_cluster_identifier).randint(5, 110))
        cluster.LatestRestorableTime = now.replace(microsecond=0) - lag
        created = aware_utc(cluster.cluster_create_time)
        cluster.earliest_restorable_time = aware_utc(max(created, now - timedelta(days=retention)))
    else:
        cluster.LatestRestorableTime = None


def _refresh_instance(
    seed: int,
    instance: Any,
    region: str,
    zone_hash: str,
    hosted_zone: str,
    now: datetime,
) -> None:
    ident = instance.db_instance_identifier
    rng = sub_rng(seed, "instance", ident)
    # Every instance sits in a zone of its own region (moto: always <region>a,
    # and a cross-region replica keeps its source's zone).
    az = instance.availability_zone or ""
    if not az.startswith(region):
        instance.availability_zone = f"{region}{rng.choice(LETTERS)}"
    # A Multi-AZ instance has its standby in another zone.
    if instance.multi_az and not is_clustered(instance):
        current = getattr(instance, "secondary_availability_zone", None)
        if not current or not current.startswith(region) or current == instance.availability_zone:
            letter = instance.availability_zone[-1]
            others = [x for x in LETTERS if x != letter]
            instance.secondary_availability_zone = f"{region}{rng.choice(others)}"
    elif "secondary_availability_zone" in vars(instance):
        del instance.secondary_availability_zone
    # Every read replica reports its replication in StatusInfos.
    if getattr(instance, "is_replica", False) and instance.source_db_instance_identifier:
        broken = BROKEN_REPLICATION.get(ident)
        instance.StatusInfos = [
            {"StatusType": "read replication", "Normal": False, "Status": "error", "Message": broken}
            if broken
            else {"StatusType": "read replication", "Normal": True, "Status": "replicating"}
        ]
    elif "StatusInfos" in vars(instance):
        del instance.StatusInfos
    # moto gives every instance the same DbiResourceId.
    instance.dbi_resource_id = "db-" + _resource_id(seed, "dbi", f"{region}/{ident}")
    instance.Endpoint = {
        "Address": f"{ident}.{zone_hash}.{region}.rds.amazonaws.com",
        "Port": instance.port,
        "HostedZoneId": hosted_zone,
    }
    if is_clustered(instance):
        # Aurora and Multi-AZ DB cluster members: point-in-time restore is the cluster's.
        instance.LatestRestorableTime = None
    elif (instance.backup_retention_period or 0) > 0:
        lag = timedelta(minutes=3, seconds=rng.randint(5, 110))
        # A stopped instance ships no logs: its restorable time stays where it stopped.
        stopped_at = getattr(instance, "rdstui_stopped_at", None) if instance.status == "stopped" else None
        instance.LatestRestorableTime = (stopped_at or now.replace(microsecond=0)) - lag
    else:
        instance.LatestRestorableTime = None


# --------------------------------------------------------------------------
# Once, after seeding.
# --------------------------------------------------------------------------


def seed_patches(seed: int, now: datetime, regions: Iterable[str]) -> None:
    now = aware_utc(now)
    regions = list(regions)
    for region, backend in region_backends(regions):
        for glob in backend.global_clusters.values():
            glob.unique_identifier = _resource_id(seed, "global", glob.global_cluster_identifier, 12).lower()
            glob.global_cluster_resource_id = "cluster-" + _resource_id(
                seed, "global-res", glob.global_cluster_identifier, 17
            ).lower()
        for cluster in backend.clusters.values():
            cid = cluster.db_cluster_identifier
            created = _created(seed, cid, now)
            cluster.created = aware_utc(created)
            cluster.cluster_create_time = aware_utc(created)
            cluster.db_cluster_resource_id = "cluster-" + _resource_id(seed, "cluster", f"{region}/{cid}")
            cluster.status = "available"  # moto says "creating" on the first describe
        for instance in backend.databases.values():
            iid = instance.db_instance_identifier
            if is_clustered(instance):
                base = _created(seed, instance.db_cluster_identifier, now)
                created = base + timedelta(minutes=9 + sub_rng(seed, "member", iid).randint(0, 30))
            else:
                created = _created(seed, iid, now)
            instance.created = aware_utc(created)
            instance.instance_create_time = aware_utc(created)
            stopped_for = STOPPED_FOR.get(iid)
            if stopped_for is not None:
                instance.rdstui_stopped_at = now.replace(microsecond=0) - stopped_for
                instance.AutomaticRestartTime = instance.rdstui_stopped_at + AUTOMATIC_RESTART
        _blue_green_replicas(backend)
        _replica_clusters_of_instances(region, backend)
    refresh(seed, now)
    for region, backend in region_backends(regions):
        _snapshots(seed, backend, now)
    _events(seed, now, regions)
    _alarm_times(now, regions)


# How long ago each seeded alarm entered its state (moto stamps the moment it was set).
ALARM_SINCE = {"catalog-mysql-ro-drift-replica-lag": timedelta(minutes=11), "orders-pg-cpu-high": timedelta(days=3)}


def _alarm_times(now: datetime, regions: Iterable[str]) -> None:
    from moto.backends import get_backend

    account = get_backend("cloudwatch")[ACCOUNT_ID]
    for region in regions:
        for alarm in account[region].alarms.values():
            if alarm.name in ALARM_SINCE:  # moto keeps naive UTC times
                alarm.state_updated_timestamp = (now - ALARM_SINCE[alarm.name]).replace(tzinfo=None)


def _blue_green_replicas(backend: Any) -> None:
    """While a blue/green deployment stands, its green instance replicates from the blue one
    (moto makes it a standalone copy)."""
    for deployment in backend.blue_green_deployments.values():
        blue = backend.databases.get(deployment.source.split(":")[-1])
        green = backend.databases.get((deployment.target or "").split(":")[-1])
        if blue is None or green is None:
            continue
        green.is_replica = True
        green.source_db_instance_identifier = blue.db_instance_identifier
        if green.db_instance_identifier not in blue.replicas:
            blue.replicas.append(green.db_instance_identifier)


def _replica_clusters_of_instances(region: str, backend: Any) -> None:
    for (where, cluster_id), source_id in REPLICA_CLUSTERS_OF_INSTANCES.items():
        cluster, source = backend.clusters.get(cluster_id), backend.databases.get(source_id)
        if where != region or cluster is None or source is None:
            continue
        cluster.replication_source_identifier = source.db_instance_arn
        source.ReadReplicaDBClusterIdentifiers = [cluster_id]


def _created(seed: int, identifier: str, now: datetime) -> datetime:
    days = CREATED_DAYS_AGO.get(identifier, 3 if "-green-" in identifier else 30)
    rng = sub_rng(seed, "created", identifier)
    moment = now - timedelta(days=days)
    return moment.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59), second=rng.randint(0, 59), microsecond=0)


def _backup_start(window: str | None, day: datetime) -> datetime:
    start = (window or "03:00-03:30").split("-")[0]
    hour, minute = (int(x) for x in start.split(":"))
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _daily_backups(window: str | None, retention: int, now: datetime, days: int = 3) -> Iterator[datetime]:
    """When the last few automated backups ran: one a day in the backup window, none in the last 30 min."""
    for back in range(min(retention, days)):
        taken = _backup_start(window, now - timedelta(days=back))
        if taken <= now - timedelta(minutes=30):
            yield taken


def _snapshots(seed: int, backend: Any, now: datetime) -> None:
    _backdate_manual_snapshots(backend, now)
    _replace_automated_snapshots(backend, now)


def _backdate_manual_snapshots(backend: Any, now: datetime) -> None:
    """Manual snapshots were taken at their age ago, from the resources as they are now."""
    for snap in list(backend.database_snapshots.values()) + list(backend.cluster_snapshots.values()):
        ident = getattr(snap, "db_snapshot_identifier", None) or snap.db_cluster_snapshot_identifier
        if snap.snapshot_type == "manual" and ident in MANUAL_SNAPSHOT_AGE:
            taken = now.replace(microsecond=0) - MANUAL_SNAPSHOT_AGE[ident]
            snap.created = aware_utc(taken)
            if hasattr(snap, "original_snapshot_create_time"):
                snap.original_snapshot_create_time = aware_utc(taken)
        source = backend.databases.get(getattr(snap, "db_instance_identifier", None) or "")
        if source is not None:
            snap.dbi_resource_id = source.dbi_resource_id
            snap.instance_create_time = source.instance_create_time
        owner = backend.clusters.get(getattr(snap, "db_cluster_identifier", None) or "")
        if owner is not None and hasattr(snap, "cluster_create_time"):
            snap.cluster_create_time = owner.cluster_create_time


def _replace_automated_snapshots(backend: Any, now: datetime) -> None:
    """moto takes one automated snapshot per instance (even Aurora members) at
    wall-clock "now"; AWS has one a day in the backup window."""
    from moto.rds.models import DBClusterSnapshot, DBSnapshot

    for key in [k for k, s in backend.database_snapshots.items() if s.snapshot_type == "automated"]:
        del backend.database_snapshots[key]
    for key in [k for k, s in backend.cluster_snapshots.items() if s.snapshot_type == "automated"]:
        del backend.cluster_snapshots[key]
    for instance in list(backend.databases.values()):
        if is_clustered(instance) or getattr(instance, "is_replica", False):
            continue
        # A stopped instance takes no automated backups: the last ones are from before it stopped.
        until = getattr(instance, "rdstui_stopped_at", None) or now
        for taken in _daily_backups(instance.preferred_backup_window, instance.backup_retention_period or 0, until):
            snap_id = f"rds:{instance.db_instance_identifier}-{taken:%Y-%m-%d-%H-%M}"
            snap = DBSnapshot(backend, instance, snap_id, "automated")
            snap.created = snap.original_snapshot_create_time = aware_utc(taken)
            backend.database_snapshots[snap_id] = snap
    for cluster in list(backend.clusters.values()):
        if cluster.replication_source_identifier:
            continue
        for taken in _daily_backups(cluster.preferred_backup_window, cluster.backup_retention_period or 0, now):
            snap_id = f"rds:{cluster.db_cluster_identifier}-{taken:%Y-%m-%d-%H-%M}"
            snap = DBClusterSnapshot(backend, cluster, snap_id, "automated")
            snap.created = aware_utc(taken)
            backend.cluster_snapshots[snap_id] = snap


# (identifier, source type, minutes ago, categories, message): AWS's own texts and
# categories from the RDS and Aurora user guides' event tables (RDS-EVENT-xxxx).
EVENTS: dict[str, list[tuple[str, str, int, list[str], str]]] = {
    "us-east-1": [
        ("orders-pg", "db-instance", 2 * 1440 + 412, ["failover"], "Multi-AZ instance failover started."),  # 0013
        ("orders-pg", "db-instance", 2 * 1440 + 411, ["availability"], "DB instance restarted."),  # 0006
        ("orders-pg", "db-instance", 2 * 1440 + 410, ["failover"], "Multi-AZ instance failover completed."),  # 0049
        ("orders-pg-ro1", "db-instance", 2 * 1440 + 405, ["read replica"], "Replication for the Read Replica resumed."),  # 0046
        ("orders-pg-weekly-manual", "db-snapshot", 2 * 1440 + 9 * 60 + 41, ["creation"], "Manual snapshot created."),  # 0042
        ("payments-use1", "db-cluster", 6 * 1440 + 80, ["maintenance"], "Database cluster has been patched: source version 15.7 => 15.8."),  # 0290
        ("inventory-maz", "db-cluster", 1440 + 200, ["failover"], "Started cross AZ failover to DB instance: inventory-maz-instance-1."),  # 0073
        ("inventory-maz", "db-cluster", 1440 + 199, ["failover"], "Completed failover to DB instance: inventory-maz-instance-1."),  # 0071
        ("search-aurora-b", "db-instance", 300, ["availability"], "DB instance restarted."),  # 0006
        ("orders-pg", "db-instance", 95, ["backup"], "Backing up DB instance."),  # 0001
        ("orders-pg", "db-instance", 81, ["backup"], "Finished DB instance backup."),  # 0002
        (
            "billing-mysql-8-4",
            "blue-green-deployment",
            3 * 1440 + 70,
            ["creation"],
            "Blue/green deployment tasks completed. You can make more modifications to the green environment "
            "databases or switch over the deployment.",  # 0244
        ),
    ],
    "us-west-2": [
        ("catalog-mysql-ro-drift", "db-instance", 3 * 1440 + 30, ["configuration change"], "Applying modification to database instance class."),  # 0012
        ("catalog-mysql-ro-drift", "db-instance", 3 * 1440 + 18, ["configuration change"], "Finished applying modification to DB instance class."),  # 0014
        ("catalog-mysql-ro-spiky", "db-instance", 44, ["read replica"], "Replication for the Read Replica resumed."),  # 0046
        ("catalog-mysql-ro-broken", "db-instance", 38, ["read replica"], "Replication has stopped."),  # 0045
        ("orders-pg-dr", "db-instance", 1440 + 60, ["read replica"], "Replication for the Read Replica resumed."),  # 0046
        ("payments-usw2", "db-cluster", 6 * 1440 + 95, ["maintenance"], "Database cluster has been patched: source version 15.7 => 15.8."),  # 0290
    ],
    "eu-west-1": [
        ("legacy-reports", "db-instance", 5 * 1440 + 600, ["configuration change"], "Disabled automated backups."),  # 0028
        ("legacy-reports", "db-instance", 4 * 1440 + 130, ["availability"], "DB instance shutdown."),  # 0004
        ("legacy-reports", "db-instance", 4 * 1440 + 128, ["availability"], "DB instance restarted."),  # 0006
        ("reports-pg-staging", "db-instance", 2 * 1440 + 180, ["notification"], "DB instance stopped."),  # 0087
        ("payments-euw1", "db-cluster", 6 * 1440 + 110, ["maintenance"], "Database cluster has been patched: source version 15.7 => 15.8."),  # 0290
    ],
}

_KIND = {
    "db-instance": "db",
    "db-cluster": "cluster",
    "db-snapshot": "snapshot",
    "db-cluster-snapshot": "cluster-snapshot",
    "blue-green-deployment": "deployment",
}


def _events(seed: int, now: datetime, regions: list[str]) -> None:
    """Replace moto's own events (all stamped with wall-clock now) with a plausible history."""
    for region, backend in region_backends(regions):
        events = []
        for ident, source_type, minutes, categories, message in EVENTS.get(region, []):
            arn = f"arn:aws:rds:{region}:{ACCOUNT_ID}:{_KIND[source_type]}:{ident}"
            jitter = sub_rng(seed, "event", region, ident, minutes).randint(0, 59)
            date = aware_utc(now.replace(microsecond=0) - timedelta(minutes=minutes, seconds=jitter))
            events.append(rds_event(source_type, ident, arn, categories, message, date))
        events.sort(key=lambda e: e.date)
        backend.events[:] = events
