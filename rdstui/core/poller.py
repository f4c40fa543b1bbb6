"""The fleet poller: every region concurrently, never overlapping itself.

A region that fails keeps its last good data, marked stale with its error;
the other regions are unaffected.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Callable

from rdstui.core import errors
from rdstui.core.discovery import RegionData, dedupe_global_clusters, describe_region
from rdstui.core.metrics import (
    INSTANCE_METRICS,
    FetchResult,
    MetricStore,
    SeriesKey,
    fetch_metrics,
)
from rdstui.core.model import Fleet, Node, NodeType, RegionState
from rdstui.core.session import SessionFactory
from rdstui.core.topology import build_topology


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def metric_keys(roots: list[Node]) -> list[SeriesKey]:
    """The series the fleet needs: each lagging node's lag, and every instance's gauges."""
    keys: list[SeriesKey] = []
    for root in roots:
        for node in root.walk():
            if node.lag_metric:
                keys.append(SeriesKey(node.region, node.lag_metric, node.id))
            if node.type is NodeType.INSTANCE:
                keys.extend(SeriesKey(node.region, name, node.id) for name in INSTANCE_METRICS)
    return keys


class FleetPoller:
    """Polls the regions it is given and holds the latest `Fleet`."""

    def __init__(
        self,
        factory: SessionFactory,
        regions: list[str],
        *,
        store: MetricStore | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.factory = factory
        self.regions = list(regions)
        self.store = store or MetricStore()
        self.clock = clock
        self.states = {name: RegionState(name) for name in self.regions}
        self.last_good: dict[str, RegionData] = {}
        self.fleet: Fleet | None = None
        self.account_id: str | None = None
        self.last_metrics: FetchResult | None = None
        self._running: asyncio.Task[Fleet] | None = None

    async def identity(self) -> str | None:
        """The account id, proving the credentials work (raises SetupError if not)."""
        try:
            sts = await self.factory.client("sts", self.regions[0])
            answer = await sts.get_caller_identity()
        except Exception as exc:  # noqa: BLE001 - classified below
            problem = errors.credential_problem(exc, self.factory.target.profile)
            if problem:
                raise errors.SetupError(problem) from exc
            raise
        self.account_id = answer.get("Account")
        return self.account_id

    async def poll(
        self, *, metrics: bool = True, on_region: Callable[[Fleet], None] | None = None
    ) -> Fleet:
        """One full poll. A call while one runs joins it instead of starting another.

        `on_region` gets a partial Fleet as each region answers, so one slow
        region never holds back the others.
        """
        if self._running and not self._running.done():
            return await asyncio.shield(self._running)
        self._running = asyncio.ensure_future(self._poll(metrics, on_region))
        return await asyncio.shield(self._running)

    async def _poll(self, metrics: bool, on_region: Callable[[Fleet], None] | None) -> Fleet:
        pending = [asyncio.ensure_future(self._poll_region(region)) for region in self.regions]
        for left, answer in enumerate(asyncio.as_completed(pending), start=1):
            data = await answer
            if data is not None:
                self.last_good[data.region] = data
            if on_region and left < len(pending):
                on_region(self._fleet(self._build()))
        roots = self._build()
        if metrics:
            await self._fetch_metrics(roots)
        self.fleet = self._fleet(roots)
        return self.fleet

    def _fleet(self, roots: list[Node]) -> Fleet:
        self._apply_lag(roots)
        return Fleet(
            regions=[self.states[name] for name in self.regions],
            roots=roots,
            account_id=self.account_id,
        )

    async def _poll_region(self, region: str) -> RegionData | None:
        state = self.states[region]
        state.attempted_at = self.clock()
        try:
            data = await describe_region(self.factory, region)
        except Exception as exc:  # noqa: BLE001 - one region's failure never stops the rest
            state.ok, state.error = False, errors.describe(exc)
            return None
        state.ok, state.error, state.polled_at = True, None, self.clock()
        return data

    def _build(self) -> list[Node]:
        held = [self.last_good[r] for r in self.regions if r in self.last_good]
        return build_topology(
            (item for data in held for item in data.instances),
            (item for data in held for item in data.clusters),
            dedupe_global_clusters(held),
        )

    async def _fetch_metrics(self, roots: list[Node]) -> None:
        keys = metric_keys(roots)
        self.store.forget(keys)
        self.last_metrics = await fetch_metrics(self.factory, keys, self.store, now=self.clock())

    def _apply_lag(self, roots: list[Node]) -> None:
        for root in roots:
            for node in root.walk():
                if node.lag_metric:
                    latest = self.store.latest(SeriesKey(node.region, node.lag_metric, node.id))
                    node.lag_seconds = latest[1] if latest else None
