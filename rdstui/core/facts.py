"""What the describe records say about a node that an on-call engineer asks for.

Replication health, blue/green membership, Serverless capacity, pending
modifications, parameter groups waiting for a reboot, global write
forwarding, storage autoscaling: each a labelled line with a level, for the
detail pane (or a script). Pure: the records in, `Fact`s out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdstui.core.arns import arn_identifier
from rdstui.core.format import duration
from rdstui.core.model import Fleet, Node, NodeType, Role
from rdstui.core.records import is_aurora, is_serverless_v1


@dataclass(frozen=True)
class Fact:
    label: str
    text: str
    level: str = "info"  # ok | info | warning | bad


def facts(node: Node, fleet: Fleet) -> list[Fact]:
    found: list[Fact] = []
    found += _replication(node, fleet)
    found += _rpo(node, fleet)
    found += _blue_green(node)
    found += _capacity(node, fleet)
    found += _storage(node)
    found += _pending(node)
    found += _parameters(node)
    found += _write_forwarding(node)
    return found


def _replication(node: Node, fleet: Fleet) -> list[Fact]:
    replication = fleet.replication(node)
    if replication is None:
        return []
    text = replication.status + (f": {replication.message}" if replication.message else "")
    return [Fact("Repl state", text, "ok" if replication.normal else "bad")]


def _rpo(node: Node, fleet: Fleet) -> list[Fact]:
    if node.role is not Role.SECONDARY:
        return []
    rpo = fleet.rpo_lag(node)
    text = "no data yet" if rpo is None else duration(rpo)
    return [Fact("RPO lag", f"{text} (AuroraGlobalDBRPOLag: what a failover with data loss would lose)")]


def _blue_green(node: Node) -> list[Fact]:
    deployment = node.blue_green
    if deployment is None:
        return []
    other = "blue" if deployment.role == "green" else "green"
    partner = f", {other} {arn_identifier(deployment.partner)}" if deployment.partner else ""
    member = f", this member {deployment.member_status}" if deployment.member_status else ""
    name = deployment.name or deployment.id
    text = f"{deployment.role} side of {name} ({deployment.id}): {deployment.status}{member}{partner}"
    return [Fact("Blue/green", text, "warning" if deployment.role == "green" else "info")]


def _capacity(node: Node, fleet: Fleet) -> list[Fact]:
    raw = node.raw
    if node.type is NodeType.CLUSTER:
        v2 = raw.get("ServerlessV2ScalingConfiguration")
        if isinstance(v2, Mapping) and v2:
            return [Fact("Capacity", f"Serverless v2, {_acu_range(v2)} per instance")]
        if is_serverless_v1(raw):
            scaling = raw.get("ScalingConfigurationInfo") or {}
            now = raw.get("Capacity")
            current = f"{now} ACU now" if now is not None else "capacity unknown"
            paused = " (paused)" if now == 0 else ""
            return [Fact("Capacity", f"Serverless v1, {current}{paused}, {_acu_range(scaling)}")]
        return []
    if node.type is NodeType.INSTANCE and raw.get("DBInstanceClass") == "db.serverless":
        parent = fleet.parent(node)
        scaling = parent.raw.get("ServerlessV2ScalingConfiguration") if parent is not None else None
        bounds = _acu_range(scaling) if isinstance(scaling, Mapping) and scaling else "range unknown"
        return [Fact("Capacity", f"Serverless v2 instance, {bounds}")]
    return []


def _acu_range(scaling: Mapping[str, Any]) -> str:
    low, high = scaling.get("MinCapacity"), scaling.get("MaxCapacity")
    if low is None and high is None:
        return "ACU range not reported"
    return f"{_acu(low)}–{_acu(high)} ACU"


def _acu(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "?"


def _storage(node: Node) -> list[Fact]:
    raw = node.raw
    if node.type is not NodeType.INSTANCE or is_aurora(node.engine):
        return []  # Aurora storage grows by itself: AllocatedStorage means nothing there
    allocated, ceiling = raw.get("AllocatedStorage"), raw.get("MaxAllocatedStorage")
    if not allocated:
        return []
    text = f"{allocated} GiB {raw.get('StorageType') or ''}".rstrip()
    if isinstance(ceiling, int) and ceiling > allocated:
        text += f", autoscaling up to {ceiling} GiB"
    else:
        text += ", no storage autoscaling"
    return [Fact("Storage", text)]


def _pending(node: Node) -> list[Fact]:
    pending = node.raw.get("PendingModifiedValues")
    if not isinstance(pending, Mapping) or not pending:
        return []
    changes = ", ".join(f"{name} → {_short(value)}" for name, value in pending.items() if name != "MasterUserPassword")
    if "MasterUserPassword" in pending:
        changes = ", ".join(part for part in (changes, "master password") if part)
    return [Fact("Pending", f"{changes} (at the next reboot or maintenance window)", "warning")]


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)


def _parameters(node: Node) -> list[Fact]:
    groups = node.raw.get("DBParameterGroups")
    waiting = [
        str(group.get("DBParameterGroupName"))
        for group in groups if isinstance(group, Mapping) and group.get("ParameterApplyStatus") == "pending-reboot"
    ] if isinstance(groups, list) else []
    if not waiting:
        return []
    return [Fact("Parameters", f"{', '.join(waiting)}: changes wait for a reboot (pending-reboot)", "warning")]


def _write_forwarding(node: Node) -> list[Fact]:
    status = node.raw.get("GlobalWriteForwardingStatus")
    if node.type is not NodeType.CLUSTER or not isinstance(status, str):
        return []
    return [Fact("Write fwd", f"global write forwarding {status}")]
