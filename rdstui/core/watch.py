"""Watching a fleet: each polled region on its own loop, one immutable snapshot a cycle.

    watch = FleetWatch(factory, regions, account_id=...)
    async for fleet in watch.fleets():      # a new Fleet each time a region finishes a step
        draw(fleet)
    watch.refresh()                         # "refresh now": wakes every region's loop
    watch.hurry({(account, "us-east-1")})   # an action is in flight there: poll it faster
    watch.show(node, parent)                # the node in view: its gauges are read too

A region's loop describes its databases (and reads its events) every `refresh`
seconds and, every `metrics_refresh`, the CloudWatch series of its tree (lags) and
of the node in view (a node just shown is read at once, alone); it never overlaps
itself, and it never waits for another region: a throttled, failing or slow
region delays only its own refresh (its RegionState says how stale its last
good data is). After each step a loop publishes a `RegionSnapshot`; the watch
joins the latest snapshot of every region into a new `Fleet` (topology across
regions, lags, series, events) and hands it out. Nothing handed out is ever
changed afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine, Iterable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from rdstui.core import errors
from rdstui.core.alarms import fetch_region_alarms
from rdstui.core.attention import AttentionRules, assess
from rdstui.core.catalog import lag_series, node_series, rpo_series, storage_series, tree_series
from rdstui.core.clock import Clock, utcnow
from rdstui.core.discovery import describe_region
from rdstui.core.events import fetch_region_events, merge
from rdstui.core.metrics import MetricStore, SeriesKey, fetch_metrics
from rdstui.core.model import AccountState, Alarm, Event, Fleet, Node, RegionState, Series, walk_with_parents
from rdstui.core.session import SessionFactory
from rdstui.core.topology import Described, build_topology

EVENTS_WINDOW = timedelta(days=1)  # what the first read of a region's events covers
HURRIED = 4.0  # seconds between a region's polls while an action is in flight there
# Free storage of every RDS instance, for the low-storage finding: a slow gauge, read every ten
# minutes (a thousand instances are 100 billed metrics a minute, not 1,000).
STORAGE_REFRESH = 600.0
ALARMS_TIMEOUT = 30.0  # seconds, as a CloudWatch metrics read


@dataclass(frozen=True)
class Schedule:
    refresh: float = 30.0  # seconds between a region's describes (and event reads)
    metrics_refresh: float = 60.0  # seconds between its CloudWatch reads
    alarms: bool = True  # DescribeAlarms with every CloudWatch read


@dataclass(frozen=True)
class RegionSnapshot:
    """Everything one region has told so far, as of its last step."""

    state: RegionState  # with the CloudWatch, events and alarms errors
    described: Described | None = None  # the last good describes (kept while the region fails)
    series: Mapping[SeriesKey, Series] = field(default_factory=lambda: MappingProxyType({}))
    metrics_at: datetime | None = None  # the last CloudWatch read that answered
    events: tuple[Event, ...] = ()  # newest first
    events_loaded: bool = False
    alarms: tuple[Alarm, ...] = ()


class RegionLoop:
    """One region's describes, metrics and events, on its own schedule."""

    def __init__(
        self,
        factory: SessionFactory,
        region: str,
        schedule: Schedule,
        *,
        account_id: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self.factory = factory
        self.region = region
        self.schedule = schedule
        self.account_id = account_id
        self.clock = clock
        self.store = MetricStore()
        self.snapshot = RegionSnapshot(RegionState(region, account=account_id))
        self.hurried = False
        self.in_view: tuple[SeriesKey, ...] = ()  # the series of the node the user looks at
        self._wake = asyncio.Event()
        self._describe_due = True
        self._metrics_due = True
        self._in_view_due = False
        self._events_at: datetime | None = None  # the last event read without error
        self._storage_at: datetime | None = None  # the last read of every instance's free storage

    def wake(self, *, metrics: bool = True) -> None:
        """Start the next cycle now (and read CloudWatch in it when `metrics`)."""
        self._describe_due = True
        self._metrics_due = self._metrics_due or metrics
        self._wake.set()

    def show(self, keys: tuple[SeriesKey, ...]) -> None:
        """The series of the node in view: read with every metrics read from now on, and at
        once (alone, between cycles) when some were never read."""
        if keys == self.in_view:  # the same node: its series come with the region's reads
            return
        self.in_view = keys
        if any(not self.store.asked(key) for key in keys):
            self._in_view_due = True
            self._wake.set()

    async def run(self, publish: Callable[[RegionSnapshot], None]) -> None:
        while True:
            self._wake.clear()  # a wake during the cycle starts the next one at once
            if self._describe_due:
                self._describe_due = False
                await self.describe(publish)
            if self._metrics_due:
                await self.read_metrics(publish)
            elif self._in_view_due:
                await self.read_in_view(publish)
            await self._sleep()

    @property
    def reading_in_view(self) -> bool:
        return self._in_view_due

    async def _sleep(self) -> None:
        interval = min(self.schedule.refresh, HURRIED) if self.hurried else self.schedule.refresh
        try:
            await asyncio.wait_for(self._wake.wait(), interval)
        except asyncio.TimeoutError:
            self._describe_due = True
        due = self.snapshot.metrics_at is None or (
            self.clock() - self.snapshot.metrics_at
        ).total_seconds() >= self.schedule.metrics_refresh - 1
        self._metrics_due = self._metrics_due or due

    async def describe(self, publish: Callable[[RegionSnapshot], None], *, events: bool = True) -> None:
        """Describes and events, together; one snapshot published."""
        asked_at = self.clock()
        state = replace(self.snapshot.state, attempted_at=asked_at)
        described, read = await asyncio.gather(
            self._describe(), self._events(asked_at) if events else _nothing(), return_exceptions=True
        )
        snapshot = self.snapshot
        if isinstance(described, BaseException):
            state = replace(state, ok=False, error=errors.describe(described, self.factory.sso_profile))
        else:
            state = replace(state, ok=True, error=None, polled_at=self.clock(), notes=tuple(described.notes))
            snapshot = replace(snapshot, described=described)
        if isinstance(read, BaseException):
            state = replace(state, events_error=errors.describe(read, self.factory.sso_profile))
        elif read is not None:
            state = replace(state, events_error=None)
            snapshot = replace(snapshot, events=read, events_loaded=True)
            self._events_at = asked_at
        self.snapshot = replace(snapshot, state=state)
        publish(self.snapshot)

    async def _describe(self) -> Described:
        return await describe_region(self.factory, self.region)

    async def _events(self, asked_at: datetime) -> tuple[Event, ...]:
        since = self._events_at - timedelta(minutes=2) if self._events_at else asked_at - EVENTS_WINDOW
        fresh = await fetch_region_events(self.factory, self.region, since=since, until=asked_at)
        if self.account_id is not None:
            fresh = [replace(event, account=self.account_id) for event in fresh]
        return tuple(merge(list(self.snapshot.events), fresh))

    def series_wanted(self) -> tuple[list[SeriesKey], list[SeriesKey]]:
        """This region's series for the tree, from its own describes (global members name
        their primary by ARN), and those of the node in view; then every instance's free
        storage, read at its slower pace."""
        described = self.snapshot.described
        if described is None:
            return [], []
        topology = build_topology([described], account_id=self.account_id)
        keys = [key for key in tree_series(topology.roots) if key.region == self.region]
        storage = [key for key in storage_series(topology.roots) if key.region == self.region]
        return list(dict.fromkeys([*keys, *self.in_view])), storage

    def _storage_due(self, now: datetime) -> bool:
        return self._storage_at is None or (now - self._storage_at).total_seconds() >= STORAGE_REFRESH - 1

    async def read_metrics(self, publish: Callable[[RegionSnapshot], None]) -> None:
        """The CloudWatch series due, and the region's alarms, together; one snapshot published."""
        self._metrics_due = self._in_view_due = False
        now = self.clock()
        keys, storage = self.series_wanted()
        self.store.forget([*keys, *storage])
        storage_due = bool(storage) and self._storage_due(now)
        wanted = list(dict.fromkeys([*keys, *storage])) if storage_due else keys
        described = self.snapshot.described
        alarms_due = self.schedule.alarms and described is not None and bool(described.instances or described.clusters)
        if not (wanted or alarms_due):
            if described is not None:  # nothing to read is a read done
                state = replace(self.snapshot.state, metrics_error=None)
                self.snapshot = replace(self.snapshot, state=state, series=self.store.view(), metrics_at=now)
            return
        fetched, alarms = await asyncio.gather(
            fetch_metrics(self.factory, wanted, self.store, now=now) if wanted else _nothing(),
            asyncio.wait_for(fetch_region_alarms(self.factory, self.region), ALARMS_TIMEOUT) if alarms_due else _nothing(),
            return_exceptions=True,
        )
        if isinstance(fetched, BaseException):
            raise fetched  # a bug: fetch_metrics says a region's failures in its result
        snapshot, state = self.snapshot, self.snapshot.state
        if isinstance(alarms, asyncio.TimeoutError):
            state = replace(state, alarms_error=f"CloudWatch DescribeAlarms did not answer within {ALARMS_TIMEOUT:g} s")
        elif isinstance(alarms, BaseException):
            state = replace(state, alarms_error=errors.describe(alarms, self.factory.sso_profile))
        elif alarms is not None:
            state = replace(state, alarms_error=None)
            snapshot = replace(snapshot, alarms=tuple(replace(alarm, account=self.account_id) for alarm in alarms))
        error = fetched.errors.get(self.region) if fetched is not None else None
        if storage_due and not error:
            self._storage_at = now
        metrics_at = snapshot.metrics_at if error else self.clock()
        state = replace(state, metrics_error=error)
        self.snapshot = replace(snapshot, state=state, series=self.store.view(), metrics_at=metrics_at)
        publish(self.snapshot)

    async def read_in_view(self, publish: Callable[[RegionSnapshot], None]) -> None:
        """Only the in-view node's series not read yet. The region's metrics age and error
        stay those of its last full read: a cursor moving about must not postpone the lags."""
        self._in_view_due = False
        keys = [key for key in self.in_view if not self.store.asked(key)]
        if keys:
            await fetch_metrics(self.factory, keys, self.store, now=self.clock())
            if any(self.store.asked(key) for key in keys):  # a failed read: the region's next read says so
                self.snapshot = replace(self.snapshot, series=self.store.view())
                publish(self.snapshot)


class FleetWatch:
    """The regions' loops, and the Fleet their latest snapshots make together."""

    def __init__(
        self,
        factory: SessionFactory,
        regions: Iterable[str],
        *,
        schedule: Schedule = Schedule(),
        account_id: str | None = None,
        clock: Clock = utcnow,
        rules: AttentionRules = AttentionRules(),
        account: AccountState | None = None,
    ) -> None:
        """`account`: what the Fleets say of the account (its profiles, read-only)."""
        self.factory = factory
        self.regions = list(dict.fromkeys(regions))
        self.schedule = schedule
        self.account_id = account_id
        self.account = account
        self.clock = clock
        self.rules = rules
        self.loops = {
            name: RegionLoop(factory, name, schedule, account_id=account_id, clock=clock) for name in self.regions
        }
        self.fleet: Fleet = self._assemble()

    def renewed(self) -> FleetWatch:
        """A watch of the same regions, on the same schedule, that has read nothing yet."""
        return FleetWatch(
            self.factory, self.regions, schedule=self.schedule, account_id=self.account_id, clock=self.clock,
            rules=self.rules, account=self.account,
        )

    async def once(self, *, metrics: bool = True) -> Fleet:
        """Every region once (describes and metrics, no events), concurrently: `rdstui status`."""

        async def one(loop: RegionLoop) -> None:
            await loop.describe(_ignore, events=False)
            if metrics:
                await loop.read_metrics(_ignore)

        await asyncio.gather(*(one(loop) for loop in self.loops.values()))
        self.fleet = self._assemble()
        return self.fleet

    def _assemble(self) -> Fleet:
        accounts = (self.account,) if self.account is not None else ()
        return assemble([loop.snapshot for loop in self.loops.values()], self.account_id, self.rules, self.clock(), accounts)

    def refresh(self) -> None:
        """Every region polls now, CloudWatch included."""
        for loop in self.loops.values():
            loop.wake()

    def show(self, node: Node | None, parent: Node | None = None) -> None:
        """The node the user looks at (None: none): its charts' series are read now, and with
        its region's metrics from then on, until another node is shown."""
        keys = node_series(node, parent) if node is not None else []
        for loop in self.loops.values():
            loop.show(tuple(key for key in keys if key.region == loop.region))

    @property
    def reading_in_view(self) -> bool:
        """A shown node's first read is still to come (tests wait for it)."""
        return any(loop.reading_in_view for loop in self.loops.values())

    def hurry(self, places: set[tuple[str | None, str]]) -> None:
        """Poll these (account, region) places every few seconds (an action is in flight
        there); the rest as scheduled."""
        for name, loop in self.loops.items():
            hurried = (self.account_id, name) in places
            if loop.hurried != hurried:
                loop.hurried = hurried
                if loop.hurried:
                    loop.wake(metrics=False)

    async def fleets(self) -> AsyncIterator[Fleet]:
        """Run every region's loop; yield a new Fleet each time one of them publishes."""
        queue: asyncio.Queue[object] = asyncio.Queue()
        async with aclosing(bursts(queue, [loop.run(queue.put_nowait) for loop in self.loops.values()])) as told:
            async for _ in told:
                self.fleet = self._assemble()
                yield self.fleet


async def bursts(queue: asyncio.Queue[object], runs: list[Coroutine[Any, Any, None]]) -> AsyncGenerator[None, None]:
    """Run `runs` as tasks (they put on `queue` when they have news); once per burst of news
    (several answered at once: one for all). Closing it cancels the tasks."""
    tasks = [asyncio.create_task(run) for run in runs]
    try:
        while True:
            await queue.get()
            while not queue.empty():
                queue.get_nowait()
            yield None
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def _ignore(_snapshot: RegionSnapshot) -> None:
    """A publish that drops the snapshot (`once` reads them at the end)."""


async def _nothing() -> None:
    return None


def assemble(
    snapshots: list[RegionSnapshot],
    account_id: str | None,
    rules: AttentionRules,
    now: datetime,
    accounts: tuple[AccountState, ...] = (),
) -> Fleet:
    """One Fleet from every region's latest snapshot, its findings judged at `now`: pure, for
    the watch and for replays."""
    described = [s.described for s in snapshots if s.described is not None]
    topology = build_topology(described, polled=[s.state.name for s in snapshots], account_id=account_id)
    series: dict[SeriesKey, Series] = {}
    for snapshot in snapshots:
        series.update(snapshot.series)
    lags: dict[str, float] = {}
    rpo_lags: dict[str, float] = {}
    for node, parent in walk_with_parents(topology.roots):
        for table, key in ((lags, lag_series(node, parent)), (rpo_lags, rpo_series(node, parent))):
            held = series.get(key) if key is not None else None
            if held:
                table[node.key] = held[-1][1]
    fleet = Fleet(
        regions=tuple(s.state for s in snapshots),
        roots=topology.roots,
        account_id=account_id,
        lags=MappingProxyType(lags),
        rpo_lags=MappingProxyType(rpo_lags),
        notices=topology.notices,
        series=MappingProxyType(series),
        events=tuple(merge([], [event for s in snapshots for event in s.events])),
        events_loaded=all(s.events_loaded for s in snapshots),
        alarms=tuple(alarm for s in snapshots for alarm in s.alarms),
        accounts=accounts,
    )
    return replace(fleet, attention=assess(fleet, rules, now))
