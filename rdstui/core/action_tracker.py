"""Actions in flight: one per target and action, followed poll after poll until they settle.

    tracker = ActionTracker(clock)
    refused = tracker.begin(plan)             # a Refusal if one is already in flight
    outcome = await execute(factory, plan)
    line = tracker.sent(plan, outcome)        # a failure line, or None while it runs
    ...
    for done in tracker.observe(fleet):       # after every new fleet
        show(done.line)                       # "failover done in 34s: now in us-east-1b"
    await tracker.probe(lambda plan: factory) # what is not in the fleet (a snapshot)
    tracker.history.records()                 # every action of the session, newest first

How each call settles is its Operation's rule (core/plans); the tracker holds
the state in between, and its `history` keeps every action of the session with
what became of it (`ActionRecord`): the result a node shows after it settled,
for ten minutes (a failure until it is dismissed). Pure apart from `probe`;
the clock is injected (UTC).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from rdstui.core import errors
from rdstui.core.action_history import ActionHistory, Settled
from rdstui.core.actions import ActionKind, ActionPlan, Refusal
from rdstui.core.clock import Clock, utcnow
from rdstui.core.format import whole_seconds
from rdstui.core.model import Fleet
from rdstui.core.operations import operation
from rdstui.core.plans.operation import Operation, Progress, Verdict

SENDING = "sending"
RUNNING = "running"


@dataclass
class Tracked:
    """One action in flight."""

    plan: ActionPlan
    started: datetime
    state: str = SENDING
    phase: str = "sending"  # the last status seen: "rebooting", "creating 40 %"...
    seen_busy: bool = False  # the target left "available" at least once

    @property
    def key(self) -> tuple[str, ActionKind]:
        return (self.plan.target.key, self.plan.action)

    @property
    def noun(self) -> str:
        op = operation(self.plan.operation)
        return op.noun if op else self.plan.action.value


# -- in flight ----------------------------------------------------------------------


@dataclass
class ActionTracker:
    clock: Clock = utcnow
    timeouts: dict[str, timedelta] = field(default_factory=dict)  # overrides by API name (tests)
    history: ActionHistory = field(default_factory=ActionHistory)
    _items: dict[tuple[str, ActionKind], Tracked] = field(default_factory=dict)

    def _now(self) -> datetime:
        moment = self.clock()
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    def now(self) -> datetime:
        """The tracker's clock, always UTC-aware (what records are timed with)."""
        return self._now()

    # -- in flight -------------------------------------------------------------

    def busy(self, key: str, action: ActionKind) -> Refusal | None:
        """A Refusal if this action on this target is already in flight."""
        item = self._items.get((key, action))
        if item is None:
            return None
        article = "an" if item.noun[0] in "aeiou" else "a"
        elapsed = whole_seconds(self._now() - item.started)
        reason = f"{article} {item.noun} of {item.plan.target.id} is already in progress ({elapsed})"
        return Refusal(action, reason, key, item.plan.target.id)

    def begin(self, plan: ActionPlan) -> Refusal | Tracked:
        """Record the action as in flight before its call is sent; a Refusal if it already is."""
        refused = self.busy(plan.target.key, plan.action)
        if refused is not None:
            return refused
        item = Tracked(plan=plan, started=self._now())
        self._items[item.key] = item
        self.history.begun(plan, item.noun, item.started)
        return item

    def sent(self, plan: ActionPlan, outcome: Any) -> str | None:
        """Feed the outcome of `execute`: a failure ends tracking (its line is returned)."""
        item = self._items.get((plan.target.key, plan.action))
        if item is None:
            return None
        if not outcome.ok:
            del self._items[item.key]
            line = f"{item.noun} of {plan.target.id} failed: {outcome.message}"
            self.history.answered(plan, outcome, line, self._now())
            return line
        item.state, item.phase = RUNNING, "started"
        if _op(item).probe is not None:  # the response holds the record being made (DBSnapshot)
            record = next((v for v in outcome.response.values() if isinstance(v, Mapping)), None)
            if record:
                item.phase = _record_phase(record)
        self.history.answered(plan, outcome, str(outcome.message), self._now())
        return None

    def cancel(self, plan: ActionPlan, outcome: Any = None) -> None:
        """Forget an action (its call failed before an outcome; `outcome`: why, for the history)."""
        if self._items.pop((plan.target.key, plan.action), None) is not None and outcome is not None:
            self.history.answered(plan, outcome, str(outcome.message), self._now())

    def cancelled(self, plan: ActionPlan) -> None:
        """Cancelled at the confirmation (nothing was tracked): for the history."""
        op = operation(plan.operation)
        self.history.cancelled(plan, op.noun if op else plan.action.value, self._now())

    def in_flight(self, node_key: str | None = None) -> list[Tracked]:
        items = list(self._items.values())
        if node_key is not None:
            items = [i for i in items if node_key in (i.plan.target.key, i.plan.selected_node)]
        return items

    def elapsed(self, item: Tracked) -> str:
        return whole_seconds(self._now() - item.started)

    def progress(self, node_key: str) -> str | None:
        """For the detail pane: "failover of orders-pg: rebooting, 12s"."""
        items = self.in_flight(node_key)
        if not items:
            return None
        item = items[0]
        return f"{item.noun} of {item.plan.target.id}: {item.phase}, {self.elapsed(item)}"

    def mark(self, node_key: str) -> str | None:
        """For a tree line: "⟳12s failover", "⟳8s 40% snapshot" (numbers first: the end may be cut)."""
        items = self.in_flight(node_key)
        if not items:
            return None
        item = items[0]
        what = item.noun
        if item.plan.action is ActionKind.SNAPSHOT and "%" in item.phase:
            what = f"{item.phase.split()[-2]}% {item.noun}"
        return f"⟳{self.elapsed(item)} {what}"

    # -- following -------------------------------------------------------------

    def observe(self, fleet: Fleet) -> list[Settled]:
        """Check every running action against a new fleet; returns those that settled."""
        now = self._now()
        answered = {r.name for r in fleet.regions if r.ok}
        done: list[Settled] = []
        for item in list(self._items.values()):
            if item.state != RUNNING:
                continue
            result = self._check(item, fleet, answered, now) or self._timeout(item, now)
            if result is not None:
                del self._items[item.key]
                self.history.settled(result, now)
                done.append(result)
        return done

    async def probe(self, factory_for: Callable[[ActionPlan], Any]) -> list[Settled]:
        """Read what the fleet does not hold (a snapshot being made), each with the session
        factory of its target's account; returns those that settled.

        A read that fails is shown as the action's phase and tried again next time.
        """
        probed = [(i, op) for i in self._items.values() if i.state == RUNNING and (op := _op(i)).probe is not None]
        reads = [op.probe(factory_for(item.plan), item.plan) for item, op in probed if op.probe is not None]
        records = await asyncio.gather(*reads, return_exceptions=True)
        now = self._now()
        done: list[Settled] = []
        for (item, op), record in zip(probed, records):
            if isinstance(record, BaseException):
                item.phase = f"status unknown ({errors.describe(record, factory_for(item.plan).sso_profile)})"
                continue
            if not record:
                continue
            item.phase = _record_phase(record)
            if op.settled_by is None:  # pragma: no cover - a probe comes with its settle rule
                continue
            verdict = op.settled_by(item.plan, record, whole_seconds(now - item.started))
            result = self._settled(item, now, verdict)
            if result is not None and item.key in self._items:
                del self._items[item.key]
                self.history.settled(result, now)
                done.append(result)
        return done

    def _check(self, item: Tracked, fleet: Fleet, answered: set[str], now: datetime) -> Settled | None:
        op = _op(item)
        if op.settled is None:
            return None  # followed by `probe`
        plan = item.plan
        node = fleet.node(plan.target.key)
        if node is None:
            region = plan.target.region if plan.target.kind != "global database" else None
            if region is None or region in answered:
                return self._settled(item, now, (False, f"{plan.target.id} is no longer in the fleet"))
            return None  # its region did not answer this time: wait
        item.phase = node.status
        if node.status != "available":
            item.seen_busy = True
            return None
        verdict = op.settled(Progress(plan, node, fleet, whole_seconds(now - item.started), item.seen_busy))
        return self._settled(item, now, verdict)

    def _settled(self, item: Tracked, now: datetime, verdict: Verdict, timed_out: bool = False) -> Settled | None:
        if verdict is None:
            return None
        ok, line = verdict
        return Settled(item.plan, ok, line, max(0.0, (now - item.started).total_seconds()), timed_out)

    def _timeout(self, item: Tracked, now: datetime) -> Settled | None:
        op = _op(item)
        limit = self.timeouts.get(op.name, op.timeout)
        if now - item.started < limit:
            return None
        took = whole_seconds(now - item.started)
        line = f"{item.noun} of {item.plan.target.id} still in progress after {took}: check its events"
        return self._settled(item, now, (False, line), timed_out=True)


def _op(item: Tracked) -> Operation:
    found = operation(item.plan.operation)
    if found is None:  # pragma: no cover - begin() is only given planned calls
        raise LookupError(item.plan.operation)
    return found


def _record_phase(record: Any) -> str:
    status = record.get("Status") or "creating"
    percent = record.get("PercentProgress")
    return f"{status} {percent} %" if percent is not None and status == "creating" else str(status)
