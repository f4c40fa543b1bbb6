"""The fleet poller: every region concurrently, never overlapping itself.

A region that fails keeps its last good data, marked stale with its error;
the other regions are unaffected.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Callable

from dataclasses import replace

from rdstui.core import errors
from rdstui.core.discovery import describe_region
from rdstui.core.catalog import fleet_series, lag_series, rpo_series
from rdstui.core.metrics import FetchResult, MetricStore, fetch_metrics
from rdstui.core.model import Fleet, RegionState
from rdstui.core.session import SessionFactory
from rdstui.core.topology import Described, Topology, build_topology


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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
        self.last_good: dict[str, Described] = {}
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
            problem = errors.credential_problem(exc, self.factory.sso_profile)
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
        topology = self._build()
        if metrics:
            await self._fetch_metrics(self._fleet(topology))
        self.fleet = self._fleet(topology)
        return self.fleet

    def _fleet(self, topology: Topology) -> Fleet:
        fleet = Fleet(
            regions=tuple(self.states[name] for name in self.regions),
            roots=topology.roots,
            account_id=self.account_id,
            notices=topology.notices,
        )
        lags: dict[str, float] = {}
        rpo_lags: dict[str, float] = {}
        for node in fleet.walk():
            for table, key in ((lags, lag_series(node, fleet)), (rpo_lags, rpo_series(node, fleet))):
                latest = self.store.latest(key) if key is not None else None
                if latest is not None:
                    table[node.key] = latest[1]
        return replace(fleet, lags=lags, rpo_lags=rpo_lags)

    async def _poll_region(self, region: str) -> Described | None:
        state = replace(self.states[region], attempted_at=self.clock())
        try:
            data = await describe_region(self.factory, region)
        except Exception as exc:  # noqa: BLE001 - one region's failure never stops the rest
            self.states[region] = replace(state, ok=False, error=errors.describe(exc, self.factory.sso_profile))
            return None
        self.states[region] = replace(state, ok=True, error=None, polled_at=self.clock(), notes=tuple(data.notes))
        return data

    def _build(self) -> Topology:
        held = [self.last_good[r] for r in self.regions if r in self.last_good]
        return build_topology(held, polled=self.regions, account_id=self.account_id)

    async def _fetch_metrics(self, fleet: Fleet) -> None:
        keys = fleet_series(fleet)
        self.store.forget(keys)
        self.last_metrics = await fetch_metrics(self.factory, keys, self.store, now=self.clock())
