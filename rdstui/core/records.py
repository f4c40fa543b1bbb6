"""What a describe record says, read defensively: any field may be missing or odd.

Pure helpers over DBInstance, DBCluster, GlobalCluster and GlobalClusterMember
records as botocore returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from rdstui.core.arns import parse_arn
from rdstui.core.model import Replication

# DescribeDBClusters / DescribeDBInstances also return these; they are not RDS databases.
NON_RDS_ENGINES = {"neptune": "Neptune", "docdb": "DocumentDB"}


def is_aurora(engine: str | None) -> bool:
    return (engine or "").startswith("aurora")


def is_custom(engine: str | None) -> bool:
    """RDS Custom (custom-oracle-ee, custom-sqlserver-ee...)."""
    return (engine or "").startswith("custom-")


def is_multi_az_db_cluster(cluster: Mapping[str, Any]) -> bool:
    """A Multi-AZ DB cluster: a non-Aurora engine with a cluster instance class."""
    return not is_aurora(cluster.get("Engine")) and bool(cluster.get("DBClusterInstanceClass"))


def is_serverless_v1(cluster: Mapping[str, Any]) -> bool:
    return cluster.get("EngineMode") == "serverless"


def text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) and value else None


def texts(record: Mapping[str, Any], name: str) -> list[str]:
    value = record.get(name)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str) and item]


def region_of(arn: str, default: str) -> str:
    parsed = parse_arn(arn)
    return parsed.region if parsed and parsed.region else default


def members(record: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = record.get(name)
    return [m for m in value if isinstance(m, Mapping)] if isinstance(value, list) else []


def record_name(record: Any) -> str:
    if isinstance(record, Mapping):
        for name in ("DBInstanceIdentifier", "DBClusterIdentifier", "GlobalClusterIdentifier", "BlueGreenDeploymentIdentifier"):
            if text(record, name):
                return f"'{record[name]}'"
        for name in ("DBInstanceArn", "DBClusterArn"):
            if text(record, name):
                return f"'{record[name]}'"
    return "(no identifier)"


def status_infos(record: Mapping[str, Any]) -> Replication | None:
    """A read replica's health from StatusInfos (StatusType "read replication")."""
    for info in members(record, "StatusInfos"):
        if (text(info, "StatusType") or "").lower() == "read replication":
            status = text(info, "Status") or "unknown"
            normal = info.get("Normal")
            return Replication(status, bool(normal) if normal is not None else status == "replicating", text(info, "Message"))
    return None


def synchronization(member: Mapping[str, Any]) -> Replication | None:
    status = text(member, "SynchronizationStatus")
    if status is None:
        return None
    if status == "connected":
        return Replication(status, True)
    return Replication(status, False, f"global database member is {status}: it is catching up with the primary")


def replica_cluster_lag(engine: str | None, source: str) -> str | None:
    """The lag metric of a replica cluster, by what it replicates from."""
    parsed = parse_arn(source)
    from_instance = parsed is not None and parsed.kind == "db"
    if engine == "aurora-mysql":
        return "AuroraBinlogReplicaLag"  # binlog replication, from an Aurora MySQL cluster or an RDS MySQL instance
    if engine == "aurora-postgresql" and from_instance:
        return "RDSToAuroraPostgreSQLReplicaLag"
    return None


def instance_notes(record: Mapping[str, Any]) -> list[str]:
    notes: list[str] = []
    if record.get("ReplicaMode") == "mounted":
        notes.append("mounted replica: not open for reads")
    restart = record.get("AutomaticRestartTime")
    if isinstance(restart, datetime) and text(record, "DBInstanceStatus") == "stopped":
        notes.append(f"stopped: AWS starts it again at {restart:%Y-%m-%d %H:%M} UTC (7 days after it was stopped)")
    if is_custom(text(record, "Engine")):
        mode = text(record, "AutomationMode") or "unknown"
        notes.append(f"RDS Custom, automation {mode}")
    return notes


def failover_note(state: Mapping[str, Any]) -> str:
    target = parse_arn(text(state, "ToDbClusterArn"))
    source = parse_arn(text(state, "FromDbClusterArn"))
    what = "failover with data loss" if state.get("IsDataLossAllowed") else "switchover"
    to = f" to {target.identifier} ({target.region})" if target else ""
    frm = f" from {source.identifier} ({source.region})" if source else ""
    return f"{what}{frm}{to}: {text(state, 'Status') or 'in progress'}"
