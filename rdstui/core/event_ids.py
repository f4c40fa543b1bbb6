"""Which RDS-EVENT id an event is, from its message: DescribeEvents does not say.

DescribeEvents' Event shape has SourceIdentifier, SourceType, Message,
EventCategories, Date and SourceArn, and no id. AWS documents the ids in the
event tables of the RDS and Aurora user guides ("Amazon RDS event categories
and event messages", USER_Events.Messages), one row a message: this module
keeps the rows an on-call engineer meets (failovers, reboots, backups,
replication, promotion, snapshots, stop and start, storage running out,
upgrades, global database switchover and failover, blue/green) and looks a
message up in them.

A row's text is AWS's message as the guides print it, `{}` where they put a
placeholder (a name, a region, a reason). A message matches a row when the two
agree, case aside, whitespace folded, a final full stop optional (AWS sends
"DB instance restarted" with and without one), each `{}` standing for at least
one character. Rows marked `prefix` also match a message that goes on after the
row's first sentence (AWS appends the lag it waits for to RDS-EVENT-0183 and
0423). Where two rows match, the one with the most fixed text wins
("Switchover from primary {} to {} started." over "Switchover from {} to {}
started."). Only rows of the event's source type are tried: the same words can
be another event elsewhere. No match: None, and the console says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

INSTANCE = "db-instance"
CLUSTER = "db-cluster"
SNAPSHOT = "db-snapshot"
CLUSTER_SNAPSHOT = "db-cluster-snapshot"
BLUE_GREEN = "blue-green-deployment"

GUIDES = (
    "Amazon RDS User Guide and Amazon Aurora User Guide: "
    "Amazon RDS event categories and event messages (USER_Events.Messages)"
)


_SPACES = re.compile(r"\s+")


def _normal(text: str) -> str:
    """Case folded, whitespace folded, no final full stop."""
    folded = _SPACES.sub(" ", text).strip().casefold()
    return folded[:-1].rstrip() if folded.endswith(".") else folded


@dataclass(frozen=True)
class Documented:
    """One row of the guides' tables: the id, the source type, the message."""

    id: str
    source_type: str
    text: str
    prefix: bool = False  # the message may go on after the first sentence
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    fixed: int = field(init=False, repr=False, compare=False)  # characters of fixed text

    def __post_init__(self) -> None:
        pieces = [re.escape(piece) for piece in _normal(self.text).split("{}")]
        body = "(.+?)".join(pieces)
        if self.prefix:
            lead = _normal(self.text.split(". ", 1)[0])
            lead_body = "(.+?)".join(re.escape(piece) for piece in lead.split("{}"))
            body = f"(?:{body}|{lead_body}(?:\\. .*)?)"
        object.__setattr__(self, "pattern", re.compile(body, re.DOTALL))
        object.__setattr__(self, "fixed", len(self.text.replace("{}", "")))


def _row(source_type: str, number: int, text: str, prefix: bool = False) -> Documented:
    return Documented(f"RDS-EVENT-{number:04d}", source_type, text, prefix)


# The guides' rows, by source type; texts as printed (placeholders as {}).
DOCUMENTED: tuple[Documented, ...] = (
    # DB instance events
    _row(INSTANCE, 4, "DB instance shutdown."),
    _row(INSTANCE, 6, "DB instance restarted."),
    _row(INSTANCE, 22, "Error restarting mysql: {}."),
    _row(INSTANCE, 221, "DB instance has reached the storage-full threshold, and the database has been shut down. "
                        "You can increase the allocated storage to address this issue."),
    _row(INSTANCE, 222, "Free storage capacity for DB instance {} is low at {} of the allocated storage "
                        "[Allocated storage: {}, Free storage: {}]. The database will be shut down to prevent "
                        "corruption if free storage is lower than {}. You can increase the allocated storage to "
                        "address this issue."),
    _row(INSTANCE, 1, "Backing up DB instance."),
    _row(INSTANCE, 2, "Finished DB instance backup."),
    _row(INSTANCE, 11, "Updated to use DBParameterGroup {}."),
    _row(INSTANCE, 12, "Applying modification to database instance class."),
    _row(INSTANCE, 14, "Finished applying modification to DB instance class."),
    _row(INSTANCE, 16, "Reset master credentials."),
    _row(INSTANCE, 17, "Finished applying modification to allocated storage."),
    _row(INSTANCE, 18, "Applying modification to allocated storage."),
    _row(INSTANCE, 24, "Applying modification to convert to a Multi-AZ DB instance."),
    _row(INSTANCE, 25, "Finished applying modification to convert to a Multi-AZ DB instance."),
    _row(INSTANCE, 28, "Disabled automated backups."),
    _row(INSTANCE, 29, "Finished applying modification to convert to a standard (Single-AZ) DB instance."),
    _row(INSTANCE, 30, "Applying modification to convert to a standard (Single-AZ) DB instance."),
    _row(INSTANCE, 32, "Enabled automated backups."),
    _row(INSTANCE, 92, "Finished updating DB parameter group."),
    _row(INSTANCE, 217, "Applying autoscaling-initiated modification to allocated storage."),
    _row(INSTANCE, 218, "Finished applying autoscaling-initiated modification to allocated storage."),
    _row(INSTANCE, 5, "DB instance created."),
    _row(INSTANCE, 3, "DB instance deleted."),
    _row(INSTANCE, 13, "Multi-AZ instance failover started."),
    _row(INSTANCE, 15, "Multi-AZ failover to standby complete - DNS propagation may take a few minutes."),
    _row(INSTANCE, 34, "Abandoning user requested failover since a failover recently occurred on the database "
                       "instance."),
    _row(INSTANCE, 49, "Multi-AZ instance failover completed."),
    _row(INSTANCE, 50, "Multi-AZ instance activation started."),
    _row(INSTANCE, 51, "Multi-AZ instance activation completed."),
    _row(INSTANCE, 65, "Recovered from partial failover."),
    _row(INSTANCE, 31, "DB instance put into {} state. RDS recommends that you initiate a point-in-time-restore."),
    _row(INSTANCE, 35, "Database instance put into {}. {}."),
    _row(INSTANCE, 36, "Database instance in {}. {}."),
    _row(INSTANCE, 7, "Allocated storage has been exhausted. Allocate additional storage to resolve."),
    _row(INSTANCE, 89, "The free storage capacity for DB instance: {} is low at {} of the provisioned storage "
                       "[Provisioned Storage: {}, Free Storage: {}]. You may want to increase the provisioned "
                       "storage to address this issue."),
    _row(INSTANCE, 227, "Your Aurora cluster's storage is dangerously low with only {} terabytes remaining. "
                        "Please take measures to reduce the storage load on your cluster."),
    _row(INSTANCE, 26, "Applying off-line patches to DB instance."),
    _row(INSTANCE, 27, "Finished applying off-line patches to DB instance."),
    _row(INSTANCE, 47, "Database instance patched."),
    _row(INSTANCE, 48, "Delaying database engine upgrade since this instance has read replicas that need to be "
                       "upgraded first."),
    _row(INSTANCE, 155, "The DB instance has a DB engine minor version upgrade available."),
    _row(INSTANCE, 264, "The pre-check started for the DB engine version upgrade."),
    _row(INSTANCE, 265, "The pre-check finished for the DB engine version upgrade."),
    _row(INSTANCE, 266, "The downtime started for the DB instance."),
    _row(INSTANCE, 267, "The engine version upgrade started."),
    _row(INSTANCE, 268, "The engine version upgrade finished."),
    _row(INSTANCE, 269, "The post-upgrade tasks are in progress."),
    _row(INSTANCE, 270, "The DB engine version upgrade failed. The engine version upgrade rollback succeeded."),
    _row(INSTANCE, 87, "DB instance stopped."),
    _row(INSTANCE, 88, "DB instance started."),
    _row(INSTANCE, 154, "DB instance is being started due to it exceeding the maximum allowed time being stopped."),
    _row(INSTANCE, 45, "Replication has stopped."),
    _row(INSTANCE, 46, "Replication for the Read Replica resumed."),
    _row(INSTANCE, 57, "Replication streaming has been terminated."),
    _row(INSTANCE, 62, "Replication for the Read Replica has been manually stopped."),
    _row(INSTANCE, 202, "Read replica creation failed."),
    _row(INSTANCE, 233, "The Switchover to the read replica started."),
    _row(INSTANCE, 20, "Recovery of the DB instance has started. Recovery time will vary with the amount of data "
                       "to be recovered."),
    _row(INSTANCE, 21, "Recovery of the DB instance is complete."),
    _row(INSTANCE, 52, "Multi-AZ instance recovery started."),
    _row(INSTANCE, 53, "Multi-AZ instance recovery completed. Pending failover or activation."),
    _row(INSTANCE, 361, "Recovery of standby DB instance has started."),
    _row(INSTANCE, 362, "Recovery of standby DB instance has completed."),
    _row(INSTANCE, 19, "Restored from DB instance {} to {}."),
    _row(INSTANCE, 43, "Restored from snapshot {}."),  # the guides list it under snapshots; instances carry it
    _row(INSTANCE, 385, "Cluster topology is updated."),
    _row(INSTANCE, 230, "A system update is available for your DB instance. For information about applying "
                        "updates, see 'Maintaining a DB instance' in the RDS User Guide."),
    # DB cluster events (Aurora and Multi-AZ DB clusters)
    _row(CLUSTER, 16, "Reset master credentials."),
    _row(CLUSTER, 170, "DB cluster created."),
    _row(CLUSTER, 171, "DB cluster deleted."),
    _row(CLUSTER, 69, "Cluster failover failed, check the health of your cluster instances and try again."),
    _row(CLUSTER, 70, "Promoting previous primary again: {}."),
    _row(CLUSTER, 71, "Completed failover to DB instance: {}."),
    _row(CLUSTER, 72, "Started same AZ failover to DB instance: {}."),
    _row(CLUSTER, 73, "Started cross AZ failover to DB instance: {}."),
    _row(CLUSTER, 181, "Global switchover to DB cluster {} in Region {} started."),
    _row(CLUSTER, 182, "Old primary DB cluster {} in Region {} successfully shut down."),
    _row(CLUSTER, 183, "Waiting for data synchronization across global cluster members. Current lags behind "
                       "primary DB cluster: {}.", prefix=True),
    _row(CLUSTER, 184, "New primary DB cluster {} in Region {} was successfully promoted."),
    _row(CLUSTER, 185, "Global switchover to DB cluster {} in Region {} finished."),
    _row(CLUSTER, 186, "Global switchover to DB cluster {} in Region {} is cancelled."),
    _row(CLUSTER, 187, "Global switchover to DB cluster {} in Region {} failed."),
    # The same three as the guides printed them before "switchover" (formerly "managed planned failover").
    _row(CLUSTER, 181, "Global failover to DB cluster {} in Region {} started."),
    _row(CLUSTER, 185, "Global failover to DB cluster {} in Region {} finished."),
    _row(CLUSTER, 186, "Global failover to DB cluster {} in Region {} is cancelled."),
    _row(CLUSTER, 238, "Global failover to DB cluster {} in Region {} completed."),
    _row(CLUSTER, 239, "Global failover to DB cluster {} in Region {} failed."),
    _row(CLUSTER, 240, "Started resynchronizing members of DB cluster {} in Region {} after global failover."),
    _row(CLUSTER, 241, "Finished resynchronizing members of DB cluster {} in Region {} after global failover."),
    _row(CLUSTER, 397, "Aurora finished changing the DNS name that the global writer endpoint resolves to."),
    _row(CLUSTER, 423, "Waiting for data synchronization with the target DB cluster. Current target DB cluster "
                       "lag behind the primary DB cluster: {}.", prefix=True),
    _row(CLUSTER, 150, "DB cluster stopped."),
    _row(CLUSTER, 151, "DB cluster started."),
    _row(CLUSTER, 152, "DB cluster stop failed."),
    _row(CLUSTER, 153, "DB cluster is being started due to it exceeding the maximum allowed time being stopped."),
    _row(CLUSTER, 156, "The DB cluster has a DB engine minor version upgrade available."),
    _row(CLUSTER, 172, "Renamed cluster from {} to {}."),
    _row(CLUSTER, 173, "Database cluster engine version has been upgraded."),
    _row(CLUSTER, 174, "Database cluster is in a state that cannot be upgraded."),
    _row(CLUSTER, 176, "Database cluster engine major version has been upgraded."),
    _row(CLUSTER, 177, "Database cluster upgrade is in progress."),
    _row(CLUSTER, 290, "Database cluster has been patched: source version {} => {}."),
    _row(CLUSTER, 141, "Scaling DB cluster from {} to {} for this reason: {}."),
    _row(CLUSTER, 142, "The DB cluster has scaled from {} to {}."),
    # DB snapshot events
    _row(SNAPSHOT, 40, "Creating manual snapshot."),
    _row(SNAPSHOT, 42, "Manual snapshot created."),
    _row(SNAPSHOT, 90, "Creating automated snapshot."),
    _row(SNAPSHOT, 91, "Automated snapshot created."),
    _row(SNAPSHOT, 41, "Deleted user snapshot."),
    _row(SNAPSHOT, 43, "Restored from snapshot {}."),
    _row(SNAPSHOT, 59, "Started copy of snapshot {} from region {}."),
    _row(SNAPSHOT, 60, "Finished copy of snapshot {} from region {} in {} minutes."),
    _row(SNAPSHOT, 196, "Started copy of snapshot {} in region {}."),
    _row(SNAPSHOT, 197, "Finished copy of snapshot {} in region {}."),
    # DB cluster snapshot events
    _row(CLUSTER_SNAPSHOT, 74, "Creating manual cluster snapshot."),
    _row(CLUSTER_SNAPSHOT, 75, "Manual cluster snapshot created."),
    _row(CLUSTER_SNAPSHOT, 168, "Creating automated cluster snapshot."),
    _row(CLUSTER_SNAPSHOT, 169, "Automated cluster snapshot created."),
    # Blue/green deployment events
    _row(BLUE_GREEN, 244, "Blue/green deployment tasks completed. You can make more modifications to the green "
                          "environment databases or switch over the deployment."),
    _row(BLUE_GREEN, 245, "Creation of blue/green deployment failed because {}."),
    _row(BLUE_GREEN, 246, "Blue/green deployment deleted."),
    _row(BLUE_GREEN, 247, "Switchover from {} to {} started."),
    _row(BLUE_GREEN, 248, "Switchover completed on blue/green deployment."),
    _row(BLUE_GREEN, 249, "Switchover canceled on blue/green deployment."),
    # "primary/read replica" in the guides: one word or the other.
    _row(BLUE_GREEN, 250, "Switchover from primary {} to {} started."),
    _row(BLUE_GREEN, 250, "Switchover from read replica {} to {} started."),
    _row(BLUE_GREEN, 251, "Switchover from primary {} to {} completed. Renamed {} to {} and {} to {}."),
    _row(BLUE_GREEN, 251, "Switchover from read replica {} to {} completed. Renamed {} to {} and {} to {}."),
    _row(BLUE_GREEN, 252, "Switchover from primary {} to {} was canceled due to {}."),
    _row(BLUE_GREEN, 252, "Switchover from read replica {} to {} was canceled due to {}."),
)

@lru_cache(maxsize=1)
def _by_source() -> dict[str, tuple[Documented, ...]]:
    table: dict[str, list[Documented]] = {}
    for row in DOCUMENTED:
        table.setdefault(row.source_type, []).append(row)
    return {source: tuple(rows) for source, rows in table.items()}


def lookup(message: str, source_type: str) -> Documented | None:
    """The documented row the message is, or None (no documented message matches)."""
    text = _normal(message)
    if not text:
        return None
    matches = [row for row in _by_source().get(source_type, ()) if row.pattern.fullmatch(text)]
    return max(matches, key=lambda row: row.fixed) if matches else None


def event_id(message: str, source_type: str) -> str | None:
    """"RDS-EVENT-0013" for "Multi-AZ instance failover started." from a db-instance; None when
    no documented message matches."""
    row = lookup(message, source_type)
    return row.id if row is not None else None
