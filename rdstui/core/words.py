"""How the console names things: what a status means, what a role is called.

One vocabulary for the console and `rdstui status`, after the AWS RDS
console's words (Instance, Primary, Replica, Writer, Reader...).
"""

from __future__ import annotations

from rdstui.core.model import Node, NodeType, Role

OK_STATUSES = {"available", "replicating", "in-sync", "active", "connected"}
BUSY_STATUSES = {
    "creating",
    "modifying",
    "rebooting",
    "backing-up",
    "upgrading",
    "renaming",
    "promoting",
    "starting",
    "stopping",
    "maintenance",
    "resetting-master-credentials",
    "storage-optimization",
    "moving-to-vpc",
    "converting-to-vpc",
    "failing-over",
    "deleting",
    "migrating",
    "preparing-data-migration",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "storage-config-upgrade",
    "switching-over",
    "replication degraded",
    "backtracking",
    "update-iam-db-auth",
    "cloning-failed",  # a clone failed but the source is fine
}
BAD_STATUSES = {
    "failed",
    "stopped",
    "storage-full",
    "inaccessible-encryption-credentials",
    "inaccessible-encryption-credentials-recoverable",
    "restore-error",
    "insufficient-capacity",
    "error",
    "terminated",
    "inaccessible",
}
PLACEHOLDER_STATUSES = {"not polled", "not found", "no data"}


def status_kind(status: str | None) -> str:
    """ok / busy / bad / muted / other: what a status means for the user (and how it is coloured)."""
    value = (status or "").strip().lower()
    if value in OK_STATUSES:
        return "ok"
    if value in BAD_STATUSES or value.startswith("incompatible-"):
        return "bad"
    if value in BUSY_STATUSES or value.startswith(("configuring-", "upgrading")):
        return "busy"
    if value in PLACEHOLDER_STATUSES:
        return "muted"
    return "other"


def role_word(node: Node, parent: Node | None) -> str:
    """The role word the AWS console would use, short enough for a column.

    Give the node as the fleet has it (not a filtered copy): its children decide
    whether an instance is a "primary" or a lone "instance"."""
    if node.blue_green is not None:
        return node.blue_green.role  # "blue" (production) or "green" (the copy being readied)
    if node.raw.get("ReplicaMode") == "mounted":
        return "mounted"  # a replica that takes no connections
    if node.type is NodeType.INSTANCE and node.role is Role.PRIMARY:
        has_replicas = any(child.type is not NodeType.STANDBY for child in node.children)
        return "primary" if has_replicas else "instance"
    if node.type is NodeType.CLUSTER and node.role is Role.PRIMARY:
        in_global = parent is not None and parent.type is NodeType.GLOBAL_CLUSTER
        has_replicas = any(child.type is NodeType.CLUSTER for child in node.children)
        return "primary" if in_global or has_replicas else "cluster"
    return node.role.value


def lag_level(seconds: float | None, warning: float, critical: float) -> str | None:
    """ok / warning / critical against the thresholds; None without data."""
    if seconds is None:
        return None
    if seconds < 0 or seconds >= critical:  # ReplicaLag -1: replication is not running
        return "critical"
    if seconds >= warning:
        return "warning"
    return "ok"
