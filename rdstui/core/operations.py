"""Every AWS modifying call the console can send, by API name (the records live beside their planners)."""

from __future__ import annotations

from rdstui.core.plans import failover, global_failover, promote, snapshot
from rdstui.core.plans.operation import Operation

OPERATIONS: dict[str, Operation] = {
    op.name: op for module in (snapshot, failover, global_failover, promote) for op in module.OPERATIONS
}


def operation(name: str) -> Operation | None:
    return OPERATIONS.get(name)
