"""The demo's actions behave like AWS: state changes over seconds, with AWS's events.

moto changes nothing over time: reboot-with-failover and promote are no-ops,
global switchover and failover are missing (HTTP 500), a secondary's
RemoveFromGlobalCluster is a silent no-op, snapshots are `available` at once.
While a demo fleet runs, this module replaces moto's RDS response handlers for
those calls: each validates as AWS does, sets the status AWS shows at once
(`rebooting`, `modifying`, `failing-over`, `switching-over`, `creating`...),
and schedules the rest on a timeline driven by the demo clock. `advance(now)`
(called by `DemoFleet.tick`) applies every step that is due, in order, each
stamped with its own time; tests step the clock and tick.

Timings (seconds after the call):
- RebootDBInstance ForceFailover (Multi-AZ): rebooting; 18 AZ swap; 30 available.
- RebootDBInstance: rebooting; 12 available.
- PromoteReadReplica: modifying; 40 rebooting; 60 stands alone, available.
- FailoverDBCluster: failing-over; 8 writer moves; 15 available.
- SwitchoverGlobalCluster: switching-over; 15 old primary demoted; 35 target
  promoted; 50 available.
- FailoverGlobalCluster AllowDataLoss: failing-over; 15 target promoted, old
  primary demoted; 25 available; 45 old primary resynchronised.
- RemoveFromGlobalCluster (secondary): modifying; 30 stands alone.
- PromoteReadReplicaDBCluster: promoting; 45 stands alone.
- CreateDBSnapshot: creating, PercentProgress rising; 20 + storage/25 (max 60)
  available. CreateDBClusterSnapshot: 25 (Aurora) or 35 (Multi-AZ) available.

Outside a running demo (no `activate`) every handler is moto's own.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any, Callable

from rdstui.core.operations import OPERATIONS
from rdstui.demo.fidelity import aware_utc
from rdstui.demo.handlers.common import ORIGINALS
from rdstui.demo.handlers.timeline import LOCK, TIMELINE

_INSTALLED = False


# --------------------------------------------------------------------------
# Lifecycle (called by DemoFleet)
# --------------------------------------------------------------------------


def activate(clock: Callable[[], datetime], owner: object = None) -> None:
    """From now on the patched handlers act, timed by `clock` (the last demo started wins)."""
    install()
    with LOCK:
        TIMELINE.active = True
        TIMELINE.clock = clock
        TIMELINE.owner = owner
        TIMELINE.steps.clear()


def deactivate(owner: object = None) -> None:
    """Back to moto's own handlers, unless another demo has taken over since `owner` started."""
    with LOCK:
        if owner is not None and TIMELINE.owner is not owner:
            return
        TIMELINE.active = False
        TIMELINE.clock = None
        TIMELINE.owner = None
        TIMELINE.steps.clear()


def advance(now: datetime) -> int:
    """Apply every scheduled step due at or before `now`, oldest first; returns how many."""
    now = aware_utc(now)
    count = 0
    with LOCK:
        while (step := TIMELINE.pop_due(now)) is not None:
            step.run(step.due)
            count += 1
    return count


def pending() -> list[tuple[datetime, str]]:
    """(due, label) of the steps still to come, soonest first."""
    with LOCK:
        return [(s.due, s.label) for s in sorted(TIMELINE.steps)]


# --------------------------------------------------------------------------
# Installing the handlers on moto
# --------------------------------------------------------------------------


def _handler(path: str) -> Callable[[Any], Any]:
    module, name = path.split(":")
    handler: Callable[[Any], Any] = getattr(importlib.import_module(module), name)
    return handler


# moto's RDSResponse method -> the demo's handler, as each Operation record names it.
HANDLERS: dict[str, Callable[[Any], Any]] = {op.method: _handler(op.demo_handler) for op in OPERATIONS.values()}


def _not_implemented(name: str) -> Callable[[Any], Any]:
    def missing(self: Any) -> Any:
        raise NotImplementedError(f"The {name} action has not been implemented")

    return missing


def install() -> None:
    """Put the handlers on moto's RDSResponse once per process (idempotent).

    Each one is moto's own while no demo is active.
    """
    global _INSTALLED
    with LOCK:
        if _INSTALLED:
            return
        from moto.rds.responses import RDSResponse

        for name, handler in HANDLERS.items():
            original = getattr(RDSResponse, name, None) or _not_implemented(name)
            ORIGINALS[name] = original

            def method(self: Any, _handler: Callable[[Any], Any] = handler, _original: Callable[[Any], Any] = original) -> Any:
                with LOCK:
                    if TIMELINE.active:
                        return _handler(self)
                return _original(self)

            method.__name__ = name
            method._rdstui_demo_operation = True  # type: ignore[attr-defined]
            setattr(RDSResponse, name, method)
        _INSTALLED = True
