"""The console's side of the actions: key -> plan -> modal -> execute -> track.

    flow = ActionFlow(app)
    flow.attach(runtime)                  # once connected: audit log, read-only guard
    flow.press(ActionKind.FAILOVER)       # the key: a refusal in one line, or the modal
    settled = await flow.after_poll(fleet)  # in the poll worker
    flow.report(settled)                  # notifications and console lines for the events pane

Nothing here draws the tree: the app asks `tree_progress(key)` and
`progress(key)` while it draws. The core does the work: `plan` (what would be
sent, or why not), `ActionTracker` (one action per target and kind in flight,
begun synchronously on confirm so a second keypress is refused), `execute`
(one call, never raising for AWS), `AuditLog` (every attempt, cancellation and
refusal).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rdstui.core.action_exec import ReadOnlyGuard, execute
from rdstui.core.action_tracker import ActionTracker, Settled, refresh_snapshots
from rdstui.core.actions import ActionKind, ActionPlan, Refusal, applies, plan
from rdstui.core.audit import AuditLog, default_path
from rdstui.core.events import Event
from rdstui.core.model import Fleet, Node
from rdstui.ui.action_modal import ActionModal, Decision

if TYPE_CHECKING:
    from rdstui.ui.app import RdsApp

log = logging.getLogger(__name__)

# Seconds between polls while an action is in flight, so its steps show.
ACTION_REFRESH = 4.0
CONSOLE_SOURCE = "rdstui"  # Event.source_type of the console's own lines
NOTICE_SECONDS = 8
ERROR_SECONDS = 15

NOUNS = {ActionKind.SNAPSHOT: "snapshot", ActionKind.FAILOVER: "failover", ActionKind.PROMOTE: "promote"}


class ActionFlow:
    def __init__(self, app: RdsApp) -> None:
        self.app = app
        self.tracker = ActionTracker(app.clock)
        self.audit: AuditLog | None = None
        self.guard: ReadOnlyGuard | None = None
        self.lines: list[Event] = []  # the console's own lines, for the events pane
        self.notices: list[str] = []  # every one-line notice shown, oldest first
        self.snapshot_names: set[str] = set()  # names this console used: never proposed twice
        self._applies: dict[tuple[str, ActionKind], bool] = {}
        self._applies_fleet: Fleet | None = None

    # -- set-up ----------------------------------------------------------------

    def attach(self, runtime: Any) -> None:
        """Once the runtime is open: the guard on its factory, the audit log."""
        self.guard = ReadOnlyGuard(self.app.read_only).install(runtime.factory)
        # Demo actions never mix with the real audit trail.
        path = default_path().with_name("demo-actions.jsonl") if runtime.demo is not None else None
        self.audit = AuditLog(path, profile=runtime.label, account=runtime.poller.account_id)

    @property
    def read_only_reason(self) -> str:
        if self.app.settings.read_only:
            source = self.app.settings.read_only_source or "--read-only"
        else:
            source = "turned on from the command palette"
        return f"the console is read-only ({source}): nothing that changes a database can be sent"

    def set_read_only(self, on: bool) -> None:
        """The palette's switch. Off only undoes a switch on: --read-only and the
        config file's read_only hold for the whole session (the app offers no off)."""
        if not on and self.app.settings.read_only:
            return
        app = self.app
        app.read_only = on
        if self.guard is not None:
            self.guard.enabled = on
        app.header_state.read_only = on
        app.refresh_bindings()
        app.action_state_changed()
        self.notify("read-only: s, f and p are off" if on else "read-only off: s, f and p are back", timeout=4)

    # -- keys ------------------------------------------------------------------

    def applies(self, kind: ActionKind, node: Node) -> bool:
        """Whether the key is offered on `node` (cached per poll: the footer asks often)."""
        fleet = self.app.fleet
        if fleet is not self._applies_fleet:
            self._applies, self._applies_fleet = {}, fleet
        key = (node.key, kind)
        if key not in self._applies:
            self._applies[key] = applies(kind, node, fleet)
        return self._applies[key]

    def key_state(self, kind: ActionKind, node: Node | None) -> bool | None:
        """check_action's answer for the key: True offer, None grey (in flight), False hide."""
        if node is None or self.app.read_only or not self.applies(kind, node):
            return False
        if any(item.plan.action is kind for item in self.tracker.in_flight(node.key)):
            return None
        return True

    def press(self, kind: ActionKind) -> None:
        """The key was pressed on the selected node: a one-line reason, or the modal."""
        app = self.app
        node = app.selected_node()
        if node is None:
            self.notify("select a database first", severity="warning", timeout=NOTICE_SECONDS)
            return
        if app.read_only:
            self._refuse(Refusal(kind, self.read_only_reason, node.key, node.id), node)
            return
        for item in self.tracker.in_flight(node.key):  # before the plan: "rebooting" says less
            busy = self.tracker.busy(key=item.plan.target.key, action=kind)
            if busy is not None:
                self._refuse(busy, node)
                return
        result = plan(kind, node, app.fleet, now=app.clock(), snapshots=self.snapshot_names)
        if isinstance(result, Refusal):
            self._refuse(result, node)
            return
        busy = self.tracker.busy(result)
        if busy is not None:
            self._refuse(busy, node)
            return
        app.push_screen(ActionModal(result, app.palette), callback=self._decided)

    def _refuse(self, refusal: Refusal, node: Node | None) -> None:
        self.notify(refusal.reason, severity="warning", timeout=NOTICE_SECONDS)
        if self.audit is not None:
            self.audit.refused(refusal, node)

    # -- after the modal -------------------------------------------------------

    def _decided(self, decision: Decision | None) -> None:
        if decision is None:
            return
        plan_ = decision.plan
        if not decision.confirmed:
            if self.audit is not None:
                self.audit.cancelled(plan_)
            self.notify("cancelled: nothing was sent", timeout=3)
            return
        runtime = self.app.runtime
        if runtime is None:
            self.notify("not connected: nothing was sent", severity="error", timeout=ERROR_SECONDS)
            return
        began = self.tracker.begin(plan_)  # before the worker: a second keypress is refused
        if isinstance(began, Refusal):
            self._refuse(began, self.app.by_key.get(plan_.selected_node or ""))
            return
        if plan_.name is not None:
            self.snapshot_names.add(plan_.name.value)
        self.app.run_worker(self._send(plan_, runtime), group="action", exit_on_error=False)
        self.app.action_state_changed()

    async def _send(self, plan_: ActionPlan, runtime: Any) -> None:
        try:
            outcome = await execute(runtime.factory, plan_, read_only=self.app.read_only, audit=self.audit)
        except Exception as exc:  # noqa: BLE001 - execute never raises for AWS; anything else is a bug
            log.exception("sending %s failed", plan_.operation)
            self.tracker.cancel(plan_)
            self._line(plan_, f"{plan_.operation} failed unexpectedly: {exc}")
            self.notify(f"{plan_.operation} failed unexpectedly: {exc}", severity="error", timeout=ERROR_SECONDS)
            self.app.action_state_changed()
            return
        failure = self.tracker.sent(plan_, outcome)
        if outcome.ok:
            self._line(plan_, outcome.message)
            self.notify(outcome.message, timeout=NOTICE_SECONDS)
            self.app.poll_soon()
        else:
            line = failure or outcome.message
            self._line(plan_, line)
            self.notify(line, severity="error", timeout=ERROR_SECONDS)
        if self.audit is not None and self.audit.last_error:
            self.notify(self.audit.last_error, severity="warning", timeout=ERROR_SECONDS)
        self.app.action_state_changed()

    # -- following -------------------------------------------------------------

    def busy(self) -> bool:
        """Anything in flight: the console polls faster."""
        return bool(self.tracker.in_flight())

    async def after_poll(self, fleet: Fleet) -> list[Settled]:
        """Feed a complete poll to the tracker (and describe the snapshots it follows)."""
        if not self.tracker.in_flight():
            return []
        settled = self.tracker.observe(fleet)
        runtime = self.app.runtime
        if runtime is not None and self.tracker.snapshots():
            settled += await refresh_snapshots(runtime.factory, self.tracker)
        return settled

    def report(self, settled: list[Settled]) -> None:
        for done in settled:
            self._line(done.plan, done.line)
            self.notify(done.line, severity="information" if done.ok else "warning", timeout=NOTICE_SECONDS + 4)
            if done.plan.action is ActionKind.SNAPSHOT:
                self.app.refresh_backups()  # the detail's newest snapshot changed
        if settled:
            self.app.action_state_changed()

    def _line(self, plan_: ActionPlan, message: str) -> None:
        self.lines.append(
            Event(
                time=self.app.clock(),
                region=plan_.region,
                source_id=plan_.target.id,
                source_type=CONSOLE_SOURCE,
                message=message,
            )
        )
        del self.lines[:-100]

    # -- drawing ---------------------------------------------------------------

    def progress(self, node_key: str, now: datetime) -> str | None:
        """The line for the detail pane: "failover of orders-pg: rebooting, 12s"."""
        items = self.tracker.in_flight(node_key)
        if not items:
            return None
        item = items[0]
        return f"{item.noun} of {item.plan.target.id}: {item.phase}, {elapsed(item.elapsed(now))}"

    def tree_progress(self, node_key: str, now: datetime) -> str | None:
        """The short mark for the tree: "⟳12s failover", "⟳8s 40% snapshot"."""
        items = self.tracker.in_flight(node_key)
        if not items:
            return None
        item = items[0]
        what = item.noun
        if item.plan.action is ActionKind.SNAPSHOT and "%" in item.phase:
            what = f"{item.phase.split()[-2]}% {item.noun}"  # the numbers first: the end may be cut
        return f"⟳{elapsed(item.elapsed(now))} {what}"

    def notify(self, message: str, severity: str = "information", timeout: float = NOTICE_SECONDS) -> None:
        """A one-line notice (kept in `notices` for tests and the curious)."""
        self.notices.append(message)
        del self.notices[:-50]
        self.app.notify(message, severity=severity, timeout=timeout)  # type: ignore[arg-type]

    def in_flight_keys(self) -> set[str]:
        keys: set[str] = set()
        for item in self.tracker.in_flight():
            keys.add(item.plan.target.key)
            if item.plan.selected_node:
                keys.add(item.plan.selected_node)
        return keys


def elapsed(seconds: float) -> str:
    """Whole seconds for a clock that ticks: 0s, 12s, 1m05s, 1h02m."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
