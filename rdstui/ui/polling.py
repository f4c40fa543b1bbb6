"""Connecting, polling and backup posture reads: the console's I/O loop.

The app never talks to AWS itself: it opens a `Runtime` in a worker (so a slow
region or a bad login never holds up the first frame) and polls through its
`FleetPoller`, one poll at a time, each scheduled from the end of the last:
every `settings.refresh` seconds, every few seconds while an action is in
flight. A region that answers first is drawn at once (partial fleets) until the
first complete poll. Backup postures are read for the selected node only,
debounced and cached.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import work
from textual.events import Key
from textual.worker import WorkerCancelled

from rdstui.core.backups import fetch_posture
from rdstui.core.errors import SetupError
from rdstui.core.events import EventsResult, catch_up_minutes, fetch_events, merge
from rdstui.core.model import Fleet, Node
from rdstui.ui.action_flow import ACTION_REFRESH
from rdstui.ui.detail import PostureView, posture_owner

log = logging.getLogger(__name__)

POSTURE_TTL = timedelta(seconds=60)
POSTURE_DEBOUNCE = 0.25  # seconds the cursor rests before a posture is read
EVENTS_MINUTES = 24 * 60


class PollingMixin:
    """RdsApp's connect / poll / posture methods (state lives on the app)."""

    def options(self) -> Any:
        from rdstui.cli import options_from

        return options_from(self.settings, self.demo)

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def _connect(self) -> None:
        from rdstui.runtime import open_runtime

        opener = self._opener or open_runtime
        try:
            runtime = await opener(self.options())
        except SetupError as exc:
            self._setup_failed(str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - never a traceback on screen
            from rdstui.core import errors

            log.exception("opening the runtime failed")
            self._setup_failed(errors.describe(exc))
            return
        self.runtime = runtime
        self.flow.attach(runtime)
        poller = runtime.poller
        self.header_state.connecting = False
        self.header_state.label = runtime.label
        self.header_state.account_id = poller.account_id
        self.header_state.regions = [poller.states[name] for name in poller.regions]
        self._show_message("Reading the fleet…")
        self._render_header()
        if runtime.demo is not None and self._simulate:
            self.run_worker(runtime.demo.run_simulator(10.0), group="demo", exit_on_error=False)
        # Topology first (describes only: the tree appears as soon as they answer),
        # then at once a poll with CloudWatch for the lag and the charts.
        self._refresh_wanted = True
        self._start_poll(metrics=False)

    def _setup_failed(self, message: str) -> None:
        self.setup_error = message
        self.header_state.setup_error = message
        self.header_state.connecting = False
        self._show_message(
            Text.assemble(
                ("Could not start\n\n", Style(bold=True)),
                (message + "\n\n", self.palette.bad),
                ("Press any key to exit.", self.palette.muted),
            )
        )
        self._main_screen().add_class("-failed")
        self._render_header()
        self.refresh_bindings()

    def on_key(self, event: Key) -> None:
        if self.setup_error is not None:
            event.stop()
            event.prevent_default()
            self.exit(return_code=2)

    def _start_poll(self, metrics: bool) -> None:
        if self._poll_timer is not None:
            self._poll_timer.stop()
            self._poll_timer = None
        if self._polling or self.runtime is None:
            return
        self._polling = True
        self.header_state.polling = True
        self._render_header()
        self._poll(metrics)

    def _run_queued_poll(self) -> None:
        self._polling = False
        self._start_poll(metrics=True)

    def _scheduled_poll(self) -> None:
        self._poll_timer = None
        now = self.clock()
        due = self._last_metrics is None or (now - self._last_metrics).total_seconds() >= (
            self.settings.metrics_refresh - 1
        )
        self._start_poll(metrics=due)

    @work(group="poll", exit_on_error=False)
    async def _poll(self, metrics: bool) -> None:
        runtime = self.runtime
        poll_error = None
        try:
            fleet_task = asyncio.ensure_future(runtime.poller.poll(metrics=metrics, on_region=self._partial_fleet))
            asked_at = self.clock()
            minutes = catch_up_minutes(self._events_at, asked_at, first=EVENTS_MINUTES)
            events_task = asyncio.ensure_future(
                fetch_events(runtime.factory, list(runtime.poller.regions), minutes=minutes)
            )
            fleet = await fleet_task
            try:
                fresh = await events_task
                self.events = EventsResult(merge(self.events.events, fresh.events), fresh.errors)
                self.events_loaded = True
                if not fresh.errors:  # a region that failed is asked for the whole gap next time
                    self._events_at = asked_at
            except Exception as exc:  # noqa: BLE001
                from rdstui.core import errors

                self.events = EventsResult(self.events.events, {"all": errors.describe(exc)})
            if metrics:
                self._last_metrics = self.clock()
            settled = await self.flow.after_poll(fleet)
            self._full_fleet = True
            self._apply_fleet(fleet)
            self.flow.report(settled)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - the console keeps going; the header says why
            from rdstui.core import errors

            log.exception("poll failed")
            poll_error = errors.describe(exc)
        finally:
            self._polling = False
            self.header_state.polling = False
            self.header_state.poll_error = poll_error
            self.polls += 1
            self._render_header()
            if not self._runtime_closed:
                if self._refresh_wanted:  # r was pressed during this poll (or first poll): again at once
                    self._refresh_wanted = False
                    self._polling = True  # no gap for a settle() or a second r to slip into
                    self.call_later(self._run_queued_poll)
                else:
                    delay = self.settings.refresh
                    if self.flow.busy():  # an action in flight: show its steps as they come
                        delay = min(delay, ACTION_REFRESH)
                    self._poll_timer = self.set_timer(delay, self._scheduled_poll)

    def _partial_fleet(self, fleet: Fleet) -> None:
        """A region answered before the others: draw what is known until the first full poll."""
        if not self._full_fleet:
            self._apply_fleet(fleet)

    def poll_soon(self) -> None:
        """Poll now (an action was sent): its first step shows at once."""
        if self.runtime is None or self._runtime_closed:
            return
        if self._polling:
            self._refresh_wanted = True
            return
        self._scheduled_poll()

    def action_refresh(self) -> None:
        if self.runtime is None:
            return
        if self._polling:
            self._refresh_wanted = True  # the next poll starts when this one ends
            return
        self.postures.clear()
        self._start_poll(metrics=True)
        self._want_posture()

    async def settle(self) -> None:
        """Wait until no poll, posture read or connect is running (tests, screenshots)."""
        for _ in range(200):
            busy = [
                worker
                for worker in self.workers
                if worker.group in ("connect", "poll", "posture", "action") and not worker.is_finished
            ]
            if not busy and self._posture_timer is None and not self._polling:
                return
            if busy:
                try:
                    await self.workers.wait_for_complete(busy)
                except WorkerCancelled:  # a newer posture read replaced it: look again
                    pass
            else:
                await asyncio.sleep(0.02)

    # -- backup posture ---------------------------------------------------------

    def _posture_view(self, node: Node) -> PostureView:
        owner = posture_owner(node, self.parents.get(node.key))
        if owner is None:
            return PostureView("none")
        cached = self.postures.get(owner.key)
        if cached is not None:
            return cached
        return PostureView("loading", owner=owner)

    def _want_posture(self) -> None:
        node = self.selected_node()
        if node is None or self.runtime is None:
            return
        owner = posture_owner(node, self.parents.get(node.key))
        if owner is None:
            return
        cached = self.postures.get(owner.key)
        now = self.clock()
        if cached is not None and cached.fetched_at is not None and now - cached.fetched_at < POSTURE_TTL:
            return
        if self._posture_timer is not None:
            self._posture_timer.stop()
        self._posture_timer = self.set_timer(POSTURE_DEBOUNCE, lambda: self._read_posture(owner))

    def refresh_backups(self) -> None:
        """A snapshot was taken: read the selected node's backups again."""
        self.postures.clear()
        self._want_posture()

    @work(exclusive=True, group="posture", exit_on_error=False)
    async def _read_posture(self, owner: Node) -> None:
        self._posture_timer = None
        now = self.clock()
        try:
            posture = await fetch_posture(self.runtime.factory, owner, now)
            view = PostureView("ok", owner=owner, posture=posture, fetched_at=now)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001
            from rdstui.core import errors

            view = PostureView("error", owner=owner, error=errors.describe(exc), fetched_at=now)
        self.postures[owner.key] = view
        node = self.selected_node()
        if node is not None:
            current = posture_owner(node, self.parents.get(node.key))
            if current is not None and current.key == owner.key:
                self._render_detail()

    # -- shutdown ---------------------------------------------------------------

    async def _close_runtime(self) -> None:
        if self._runtime_closed:
            return
        self._runtime_closed = True
        if self._poll_timer is not None:
            self._poll_timer.stop()
        runtime, self.runtime = self.runtime, None
        if runtime is not None:
            try:
                await asyncio.wait_for(runtime.close(), timeout=5)
            except Exception:  # noqa: BLE001 - closing never blocks quitting
                log.exception("closing the runtime failed")
