"""Every action of the session, from its confirmation (or cancellation) to what became of it.

The tracker (action_tracker.py) reports each step here; the console lists the records
(`a`), shows a settled action's result on its node for ten minutes (a failure until it
is dismissed), and reads nothing else. Pure: times are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from rdstui.core.actions import ActionKind, ActionPlan
from rdstui.core.format import whole_seconds


@dataclass(frozen=True)
class Settled:
    """A tracked action that finished (or failed, or is given up on)."""

    plan: ActionPlan
    ok: bool
    line: str
    elapsed_s: float
    timed_out: bool = False


class Stage(str, Enum):
    """Where an action of the session stands."""

    SENDING = "sending"  # audited, the call is going out
    RUNNING = "running"  # AWS accepted it; followed poll after poll
    DONE = "done"  # settled as asked
    FAILED = "failed"  # settled otherwise (still in the old zone, gone from the fleet)
    TIMED_OUT = "timed out"  # let go after its operation's timeout
    REFUSED = "refused by AWS"  # AWS answered the call with an error (its code and message kept)
    NO_ANSWER = "no answer"  # no answer in time, or the connection closed: it may have started
    NOT_SENT = "not sent"  # stopped before any request (read-only, the audit log, unreachable)
    CANCELLED = "cancelled"  # at the confirmation


MARK_WORDS = {Stage.REFUSED: "refused"}  # a tree mark's word where the stage's is long
FAILURES = frozenset({Stage.FAILED, Stage.TIMED_OUT, Stage.REFUSED, Stage.NO_ANSWER, Stage.NOT_SENT})
NO_ANSWER_CODES = frozenset({"Timeout", "ConnectionClosedError"})
RESULT_SHOWN_FOR = timedelta(minutes=10)  # a success shows on its node until the first poll after this
HISTORY_KEPT = 200


def short_age(seconds: float) -> str:
    """34s, 5m, 2h: an age for a tree line (it changes once a minute after the first)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m"
    return f"{whole // 3600}h"


@dataclass(frozen=True)
class ActionRecord:
    """One action of the session and what became of it (replaced, never changed)."""

    number: int  # 1, 2, ... in the order they were confirmed
    action: ActionKind
    noun: str  # "failover", "snapshot", "switchover"
    target_id: str
    target_key: str
    selected_key: str | None  # the node the key was pressed on (a cluster's member...)
    region: str  # where the call went
    operation: str  # the API call
    started: datetime  # when it was sent (or cancelled)
    stage: Stage = Stage.SENDING
    ended: datetime | None = None  # settled, answered with an error, cancelled
    took_s: float | None = None  # from send to settle (to AWS's answer when it was refused)
    line: str = ""  # the last thing said about it: "failover done in 30s: now in us-east-1b"
    error_code: str | None = None  # AWS's error code ("AccessDenied"), or what stopped it
    cleared: bool = False  # its result no longer shows on its node (dismissed, or its time is up)
    account: str | None = None  # the account it changed

    @property
    def in_flight(self) -> bool:
        return self.stage in (Stage.SENDING, Stage.RUNNING)

    @property
    def failed(self) -> bool:
        return self.stage in FAILURES

    @property
    def node_keys(self) -> tuple[str, ...]:
        """The nodes its progress and result show on: the target, and the node it was asked on."""
        if self.selected_key and self.selected_key != self.target_key:
            return (self.target_key, self.selected_key)
        return (self.target_key,)

    @property
    def on_node(self) -> bool:
        """Its result shows on its node (the tree mark, the detail pane)."""
        return self.ended is not None and not self.cleared and self.stage is not Stage.CANCELLED

    def duration_s(self, now: datetime) -> float | None:
        """Send to settle; while in flight, so far; None for a cancelled one (nothing was sent)."""
        if self.stage is Stage.CANCELLED:
            return None
        if self.took_s is not None:
            return self.took_s
        return max(0.0, (now - self.started).total_seconds())

    def age_s(self, now: datetime) -> float | None:
        """Seconds since it ended (None while in flight)."""
        return None if self.ended is None else max(0.0, (now - self.ended).total_seconds())

    def mark(self, now: datetime) -> str:
        """For a tree line, short (13 cells at 80 columns): "✓ 34s ago", "✗ refused".
        The detail pane says the rest."""
        if self.stage is Stage.DONE:
            return f"✓ {short_age(self.age_s(now) or 0.0)} ago"
        return f"✗ {MARK_WORDS.get(self.stage, self.stage.value)}"

    def summary(self, now: datetime) -> str:
        """For the detail pane: "failover done in 30s: now in us-east-1b · 34s ago",
        "refused by AWS (AccessDenied) 12s ago: failover of orders-pg failed: access denied: …"."""
        age = whole_seconds(timedelta(seconds=self.age_s(now) or 0.0))
        if self.stage is Stage.DONE:
            return f"{self.line} · {age} ago"
        code = f" ({self.error_code})" if self.error_code else ""
        return f"{self.stage.value}{code} {age} ago: {self.line}"


@dataclass
class ActionHistory:
    """Every action of the session, from its confirmation (or cancellation) to what became of it."""

    shown_for: timedelta = RESULT_SHOWN_FOR
    kept: int = HISTORY_KEPT
    _records: list[ActionRecord] = field(default_factory=list)  # oldest first
    _open: dict[tuple[str, ActionKind], int] = field(default_factory=dict)  # in flight -> its number
    _count: int = 0

    def records(self) -> tuple[ActionRecord, ...]:
        """Newest first."""
        return tuple(reversed(self._records))

    def begun(self, plan: ActionPlan, noun: str, now: datetime) -> ActionRecord:
        record = self._add(plan, noun, now)
        self._open[(plan.target.key, plan.action)] = record.number
        return record

    def cancelled(self, plan: ActionPlan, noun: str, now: datetime) -> ActionRecord:
        """Cancelled at the confirmation: listed, never shown on the node."""
        return self._add(plan, noun, now, stage=Stage.CANCELLED, ended=now, line="cancelled at the confirmation")

    def answered(self, plan: ActionPlan, outcome: Any, line: str, now: datetime) -> None:
        """The call's outcome (action_exec.Outcome): running, or what stopped it."""
        if outcome.ok:
            self._update(plan, stage=Stage.RUNNING, line=line)
            return
        if not outcome.sent:
            stage = Stage.NOT_SENT
        elif outcome.error_code in NO_ANSWER_CODES:
            stage = Stage.NO_ANSWER
        else:
            stage = Stage.REFUSED
        self._update(
            plan, stage=stage, ended=now, took_s=max(0.0, float(outcome.duration_s)), line=line,
            error_code=outcome.error_code, done=True,
        )

    def settled(self, done: Settled, now: datetime) -> None:
        stage = Stage.DONE if done.ok else Stage.TIMED_OUT if done.timed_out else Stage.FAILED
        self._update(done.plan, stage=stage, ended=now, took_s=done.elapsed_s, line=done.line, done=True)

    def retire(self, polled: Mapping[tuple[str | None, str], datetime | None]) -> None:
        """A poll came: a success past its time no longer shows on its node. `polled`: when each
        (account, region) was last asked (one not in it counts as the newest of them)."""
        latest = max((when for when in polled.values() if when is not None), default=None)
        for index, record in enumerate(self._records):
            if record.stage is not Stage.DONE or not record.on_node or record.ended is None:
                continue
            asked = polled.get((record.account, record.region), latest)
            if asked is not None and asked >= record.ended + self.shown_for:
                self._records[index] = replace(record, cleared=True)

    def dismiss(self, node_key: str | None = None) -> int:
        """Results no longer shown on their nodes (all, or those on `node_key`); how many."""
        count = 0
        for index, record in enumerate(self._records):
            if record.on_node and (node_key is None or node_key in record.node_keys):
                self._records[index] = replace(record, cleared=True)
                count += 1
        return count

    def on_nodes(self) -> dict[str, ActionRecord]:
        """The result each node shows: its newest one."""
        shown: dict[str, ActionRecord] = {}
        for record in self._records:  # oldest first: the newest wins
            if record.on_node:
                for key in record.node_keys:
                    shown[key] = record
        return shown

    def _add(self, plan: ActionPlan, noun: str, now: datetime, **changes: Any) -> ActionRecord:
        self._count += 1
        record = ActionRecord(
            number=self._count,
            action=plan.action,
            noun=noun,
            target_id=plan.target.id,
            target_key=plan.target.key,
            selected_key=plan.selected_node,
            region=plan.region,
            account=plan.target.account,
            operation=plan.operation,
            started=now,
            **changes,
        )
        self._records.append(record)
        if len(self._records) > self.kept:  # the oldest that are over go (never one in flight)
            over = len(self._records) - self.kept
            dropped = [r for r in self._records if not r.in_flight][:over]
            self._records = [r for r in self._records if r not in dropped]
        return record

    def _update(self, plan: ActionPlan, *, done: bool = False, **changes: Any) -> None:
        key = (plan.target.key, plan.action)
        number = self._open.get(key)
        if number is None:
            return
        if done:
            del self._open[key]
        for index, record in enumerate(self._records):
            if record.number == number:
                self._records[index] = replace(record, **changes)
                return


