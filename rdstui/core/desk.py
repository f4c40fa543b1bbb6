"""The action desk: every action of a session, from key to settled, in one place.

    desk = ActionDesk(factory, audit, read_only=False)
    desk.seat(other_factory, other_audit, account="222…") # another account, its own credentials
    result = desk.plan(kind, node, fleet)   # an ActionPlan for the confirmation, or a Refusal (audited)
    desk.cancelled(plan)                    # the user said no (audited)
    refused = desk.begin(plan)              # in flight from now: a second keypress is refused
    sent = await desk.send(plan)            # audited "sent" before the call, then its outcome
    settled = await desk.follow(fleet)      # after each new fleet: what has finished
    desk.history(); desk.earlier()          # this session's actions, then earlier sessions' (the log)
    desk.retire(fleet); desk.marks(fleet)   # what each node shows: in flight, or its last result

The UI shows the confirmation, the progress and the results; the desk decides
what may be sent, sends it (one call, one try), writes the audit log and
follows it until it settles. Nothing leaves the desk unaudited: if the "sent"
line can't be written, the call is not made. With several accounts each has a
`Seat` (its profile's session factory, audit identity and read-only): an action
goes out through the seat of its target's account. A settled action's result stays
on its node until the first poll ten minutes after it settled; a failure until
it is dismissed.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdstui.core.action_exec import Outcome, ReadOnlyGuard, execute
from rdstui.core.action_history import ActionRecord, Settled
from rdstui.core.action_tracker import ActionTracker, Tracked
from rdstui.core.actions import ActionKind, ActionPlan, Refusal, plan
from rdstui.core.arns import arn_region, parse_arn
from rdstui.core.audit import AuditLog
from rdstui.core.audit_tail import LoggedAction, last_actions
from rdstui.core.clock import Clock, utcnow
from rdstui.core.model import Event, Fleet, Node, NodeType
from rdstui.core.session import SessionFactory

CONSOLE_SOURCE = "rdstui"  # Event.source_type of the console's own lines
AUDIT_REFUSED = "AuditLog"
LINES_KEPT = 100
EARLIER_SHOWN = 20  # earlier sessions' actions listed from the audit log


@dataclass
class Seat:
    """One account's way in: the credentials that act on it, its audit lines, its read-only."""

    factory: SessionFactory
    audit: AuditLog | None
    account: str | None
    guard: ReadOnlyGuard
    read_only_source: str | None  # why it is read-only for the session; None: it may be switched

    @property
    def read_only(self) -> bool:
        return self.guard.enabled

    @property
    def read_only_why(self) -> str:
        return self.read_only_source or "turned on from the command palette"

    def read_only_reason(self, several: bool) -> str:
        if not several:
            return f"the console is read-only ({self.read_only_why}): nothing that changes a database can be sent"
        profile = self.audit.profile if self.audit is not None else None
        who = f"profile {profile} (account {self.account})" if profile else f"account {self.account}"
        return f"{who} is read-only ({self.read_only_why}): nothing that changes its databases can be sent"


@dataclass(frozen=True)
class Sent:
    """What became of a confirmed action: the outcome, and the line to show."""

    plan: ActionPlan
    outcome: Outcome
    line: str  # "failover of orders-pg started: it is rebooting", or what failed


class ActionDesk:
    def __init__(
        self,
        factory: SessionFactory,
        audit: AuditLog | None,
        *,
        read_only: bool = False,
        read_only_source: str | None = None,
        clock: Clock = utcnow,
        account: str | None = None,
    ) -> None:
        """The first account's seat. `read_only_source` says why read-only holds for the whole
        session ("--read-only", a config file line); then it can't be switched off. None: it may be."""
        self.clock = clock
        self.tracker = ActionTracker(clock)
        self.seats: list[Seat] = []
        self.seat(factory, audit, account=account, read_only=read_only, read_only_source=read_only_source)
        self.audit = audit  # every seat writes the same file: earlier sessions are read from it
        self.lines: list[Event] = []  # the console's own lines, newest last
        self.snapshot_names: set[str] = set()  # names used this session: never proposed twice
        self._offered: dict[tuple[str, ActionKind], bool] = {}
        self._offered_fleet: Fleet | None = None
        self._audit_start = audit.size() if audit is not None else 0  # earlier sessions end here
        self._earlier: tuple[LoggedAction, ...] | None = None

    def seat(
        self,
        factory: SessionFactory,
        audit: AuditLog | None,
        *,
        account: str | None,
        read_only: bool = False,
        read_only_source: str | None = None,
    ) -> Seat:
        """An account's seat: its actions go out with `factory`, audited by `audit`."""
        guard = ReadOnlyGuard(read_only or read_only_source is not None).install(factory)
        seat = Seat(factory, audit, account, guard, read_only_source)
        self.seats.append(seat)
        return seat

    def seat_of(self, account: str | None) -> Seat:
        """The seat of `account` (the only one, when there is one)."""
        if len(self.seats) == 1:
            return self.seats[0]
        found = next((seat for seat in self.seats if seat.account == account), None)
        if found is None:  # pragma: no cover - every node shown belongs to a seated account
            raise KeyError(f"no credentials for account {account}")
        return found

    def _seat_of_plan(self, plan: ActionPlan) -> Seat:
        return self.seat_of(plan.target.account)

    # -- read-only ---------------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """Every account is read-only: nothing at all can be sent."""
        return all(seat.read_only for seat in self.seats)

    def read_only_for(self, account: str | None) -> bool:
        return self.seat_of(account).read_only

    def read_only_accounts(self) -> dict[str | None, str]:
        """The accounts that refuse actions now, and why (the switch included)."""
        return {seat.account: seat.read_only_why for seat in self.seats if seat.read_only}

    def set_read_only(self, on: bool) -> bool:
        """The session's switch, for every account; off only undoes the switch (the settings'
        read-only stays). False when nothing changed."""
        changed = False
        for seat in self.seats:
            if on != seat.guard.enabled and (on or seat.read_only_source is None):
                seat.guard.enabled = on
                changed = True
        return changed

    @property
    def switched_on(self) -> bool:
        """Some account is read-only by the switch alone (so "off" would lift it)."""
        return any(seat.read_only and seat.read_only_source is None for seat in self.seats)

    @property
    def read_only_why(self) -> str:
        """Where the first account's read-only comes from: "--read-only", a config line, the palette."""
        return self.seats[0].read_only_why

    # -- keys ----------------------------------------------------------------------

    def offered(self, kind: ActionKind, node: Node | None, fleet: Fleet | None) -> bool | None:
        """The key on `node`: True offered, None greyed (in flight), False hidden."""
        if node is None or fleet is None or node.type is NodeType.ACCOUNT or self.read_only_for(node.account):
            return False
        if fleet is not self._offered_fleet:
            self._offered, self._offered_fleet = {}, fleet
        key = (node.key, kind)
        if key not in self._offered:
            self._offered[key] = isinstance(plan(kind, node, fleet), ActionPlan)
        if not self._offered[key]:
            return False
        if any(item.plan.action is kind for item in self.tracker.in_flight(node.key)):
            return None
        return True

    def plan(self, kind: ActionKind, node: Node, fleet: Fleet | None) -> ActionPlan | Refusal:
        """What the key would send on `node`, or why not (a refusal is audited)."""
        seat = self.seat_of(node.account)
        if seat.read_only:
            reason = seat.read_only_reason(len(self.seats) > 1)
            return self._refuse(Refusal(kind, reason, node.key, node.id), node)
        for item in self.tracker.in_flight(node.key):  # before planning: "rebooting" says less
            busy = self.tracker.busy(item.plan.target.key, kind)
            if busy is not None:
                return self._refuse(busy, node)
        result = plan(kind, node, fleet, now=self.clock(), snapshots=self.snapshot_names)
        if isinstance(result, Refusal):
            return self._refuse(result, node)
        busy = self.tracker.busy(result.target.key, result.action)
        return self._refuse(busy, node) if busy is not None else result

    def _refuse(self, refusal: Refusal, node: Node | None, account: str | None = None) -> Refusal:
        audit = self.seat_of(node.account if node is not None else account).audit
        if audit is not None:
            audit.refused(refusal, node)
        return refusal

    def cancelled(self, plan: ActionPlan) -> None:
        audit = self._seat_of_plan(plan).audit
        if audit is not None:
            audit.cancelled(plan)
        self.tracker.cancelled(plan)

    # -- sending -------------------------------------------------------------------

    def begin(self, plan: ActionPlan) -> Refusal | None:
        """In flight from now (before the call goes out), so a second keypress is refused."""
        began = self.tracker.begin(plan)
        if isinstance(began, Refusal):
            return self._refuse(began, None, plan.target.account)
        if plan.name is not None:
            self.snapshot_names.add(plan.name.value)
        return None

    async def send(self, plan: ActionPlan) -> Sent:
        """The one call, with its account's credentials, audited before ("sent") and after; `begin` first."""
        seat = self._seat_of_plan(plan)
        audit = seat.audit
        if audit is not None:
            audit.sending(plan)
            if audit.last_error:
                message = f"{audit.last_error}: an action that can't be audited is not sent"
                outcome = Outcome(False, message, AUDIT_REFUSED, sent=False)
                self.tracker.cancel(plan, outcome)
                self._line(plan, message)
                return Sent(plan, outcome, message)
        outcome = await execute(seat.factory, plan, read_only=seat.read_only)
        if audit is not None:
            audit.attempt(plan, outcome)
        failure = self.tracker.sent(plan, outcome)
        line = outcome.message if outcome.ok else (failure or outcome.message)
        self._line(plan, line)
        return Sent(plan, outcome, line)

    # -- following -----------------------------------------------------------------

    async def follow(self, fleet: Fleet) -> list[Settled]:
        """Check what is in flight against a new fleet (and read the snapshots being made)."""
        if not self.tracker.in_flight():
            return []
        settled = self.tracker.observe(fleet)
        settled += await self.tracker.probe(lambda plan: self._seat_of_plan(plan).factory)
        for done in settled:
            self._line(done.plan, done.line)
        return settled

    def in_flight(self, node_key: str | None = None) -> list[Tracked]:
        return self.tracker.in_flight(node_key)

    # -- history -------------------------------------------------------------------

    def history(self) -> tuple[ActionRecord, ...]:
        """Every action of the session, newest first."""
        return self.tracker.history.records()

    def earlier(self) -> tuple[LoggedAction, ...]:
        """The last actions of earlier sessions, newest first: the audit log as it was when this
        session began (read once, from its end)."""
        if self._earlier is None:
            if self.audit is None or not self._audit_start:
                self._earlier = ()
            else:
                self._earlier = tuple(last_actions(self.audit.path, EARLIER_SHOWN, end=self._audit_start))
        return self._earlier

    def retire(self, fleet: Fleet | None) -> None:
        """After a poll: a success shown for its ten minutes leaves its node."""
        if fleet is not None:
            self.tracker.history.retire({(state.account, state.name): state.attempted_at for state in fleet.regions})

    def results(self) -> dict[str, ActionRecord]:
        """The result each node shows (node key -> its newest action that ended)."""
        return self.tracker.history.on_nodes()

    def marks(self) -> dict[str, str]:
        """The short mark on each node's tree line: an action in flight, else its last result."""
        now = self.tracker.now()
        marks = {key: record.mark(now) for key, record in self.results().items()}
        for item in self.tracker.in_flight():
            for key in (item.plan.target.key, item.plan.selected_node):
                mark = self.tracker.mark(key) if key is not None else None
                if mark and key is not None:
                    marks[key] = mark
        return marks

    def showing(self) -> bool:
        """Some node shows a result (its age ticks; it may be dismissed)."""
        return bool(self.results())

    def dismiss(self, node_key: str | None = None) -> int:
        """The results shown on nodes (on `node_key` only, when given) go; how many went."""
        return self.tracker.history.dismiss(node_key)

    def busy_places(self) -> set[tuple[str | None, str]]:
        """Where actions in flight change things (sent to, target, the clusters a global move
        involves), as (account, region): those regions are polled faster."""
        places: set[tuple[str | None, str]] = set()
        for item in self.tracker.in_flight():
            regions = {item.plan.region, item.plan.target.region}
            regions |= {arn_region(v) for v in item.plan.follow.values() if isinstance(v, str) and parse_arn(v)}
            places |= {(item.plan.target.account, region) for region in regions}
        return places

    def _line(self, plan: ActionPlan, message: str) -> None:
        self.lines.append(
            Event(self.clock(), plan.region, plan.target.id, CONSOLE_SOURCE, message, account=plan.target.account)
        )
        del self.lines[:-LINES_KEPT]
