"""One record per AWS modifying call, declared next to the planner that sends it.

An `Operation` says everything the rest of the console needs about a call:
its API and client method names, what the console calls it, the line that
says it started (from AWS's response), how to tell from a later poll (or by
reading the resource itself) that it has settled, how long to wait before
letting it go, and the handler the demo serves it with. The registry that
collects them is `rdstui.core.operations`; adding an action is one planner
module with its operations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdstui.core.model import Fleet, Node
    from rdstui.core.plans.plan import ActionPlan

# (ok, one line) once an action has settled; None while it is still under way.
Verdict = tuple[bool, str] | None


@dataclass(frozen=True)
class Progress:
    """What a settle rule sees after a poll."""

    plan: ActionPlan
    node: Node  # the action's target, as the latest fleet has it
    fleet: Fleet
    took: str  # whole seconds since it was sent: "34s"
    seen_busy: bool  # the target has left "available" at least once since


@dataclass(frozen=True)
class Operation:
    name: str  # the API call: "RebootDBInstance"
    method: str  # the client method: "reboot_db_instance"
    noun: str  # what the console calls it: "failover"
    timeout: timedelta  # past this, reported "still in progress" and let go
    # The success line from the call's parameters and AWS's response. A real
    # response may still show the state from before the call.
    started: Callable[[Mapping[str, Any], Mapping[str, Any]], str]
    # Settled? Read from each new fleet, once the target is "available" again.
    settled: Callable[[Progress], Verdict] | None = None
    # ... or by reading the resource the call made (a snapshot is not in the fleet):
    # `probe(factory, plan)` returns its describe record, `settled_by(plan, record, took)` the verdict.
    probe: Callable[[Any, ActionPlan], Awaitable[Mapping[str, Any] | None]] | None = None
    settled_by: Callable[[ActionPlan, Mapping[str, Any], str], Verdict] | None = None
    # The demo serves the call with this handler ("module:function"); the core never imports it.
    demo_handler: str = ""
