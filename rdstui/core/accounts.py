"""Several AWS accounts in one tree: a FleetWatch an account, their Fleets joined.

    watch = AccountsWatch([prod_watch, staging_watch], accounts)
    async for fleet in watch.fleets():    # roots: one ACCOUNT node per account, its databases beneath
        draw(fleet)

Each account's regions poll on their own loops (a FleetWatch each), so a
failing or slow account never holds back another. An account that could not
be started (no credentials) is a root that says why, with nothing beneath.
Node keys are ARNs and every node, region, series and alarm carries its
account, so two accounts' `orders-db` never mix.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing
from types import MappingProxyType
from typing import Any

from rdstui.core.model import AccountState, Fleet, Node, NodeType, RegionState, Role
from rdstui.core.watch import FleetWatch, RegionLoop, bursts


def account_health(state: AccountState, regions: Sequence[RegionState]) -> str:
    """One word or two for the account's line: failed, connecting, ok, "2/3 regions failing"."""
    if state.error is not None:
        return "failed"
    failing = sum(1 for r in regions if not r.ok and r.error is not None)
    if failing:
        return f"{failing}/{len(regions)} regions failing" if failing < len(regions) else "failing"
    if any(r.attempted_at is None for r in regions):
        return "polling"
    return "ok"


def account_node(state: AccountState, fleet: Fleet | None) -> Node:
    regions = [r for r in fleet.regions] if fleet is not None else []
    return Node(
        key=state.key,
        id=state.name,
        type=NodeType.ACCOUNT,
        role=Role.ACCOUNT,
        region="",
        status=account_health(state, regions),
        children=fleet.roots if fleet is not None else (),
        notes=(state.error,) if state.error else (),
        account=state.account,
    )


def join(parts: Sequence[Fleet], accounts: Sequence[AccountState]) -> Fleet:
    """One Fleet of several accounts' Fleets (in `accounts` order), each under its root."""
    by_account = {part.account_id: part for part in parts}
    shown = [by_account.get(state.account) if state.error is None else None for state in accounts]
    present = [part for part in shown if part is not None]
    return Fleet(
        regions=tuple(region for part in present for region in part.regions),
        roots=tuple(account_node(state, part) for state, part in zip(accounts, shown)),
        accounts=tuple(accounts),
        lags=_merged(part.lags for part in present),
        rpo_lags=_merged(part.rpo_lags for part in present),
        notices=tuple(dict.fromkeys(notice for part in present for notice in part.notices)),
        series=_merged(part.series for part in present),
        events=tuple(heapq.merge(*(part.events for part in present), key=lambda e: e.time, reverse=True)),
        events_loaded=all(part.events_loaded for part in present),
        alarms=tuple(alarm for part in present for alarm in part.alarms),
        attention=_merged(part.attention for part in present),
    )


def _merged(tables: Any) -> Any:
    merged: dict[Any, Any] = {}
    for table in tables:
        merged.update(table)
    return MappingProxyType(merged)


class AccountsWatch:
    """FleetWatch's interface over several accounts' watches."""

    def __init__(self, watches: Sequence[FleetWatch], accounts: Sequence[AccountState]) -> None:
        """`accounts`: every account shown, in order, those that failed to start too."""
        self.watches = list(watches)
        self.accounts = tuple(accounts)
        self.fleet = self._join()

    def _join(self) -> Fleet:
        return join([watch.fleet for watch in self.watches], self.accounts)

    def renewed(self) -> AccountsWatch:
        return AccountsWatch([watch.renewed() for watch in self.watches], self.accounts)

    async def once(self, *, metrics: bool = True) -> Fleet:
        await asyncio.gather(*(watch.once(metrics=metrics) for watch in self.watches))
        self.fleet = self._join()
        return self.fleet

    def refresh(self) -> None:
        for watch in self.watches:
            watch.refresh()

    def show(self, node: Node | None, parent: Node | None = None) -> None:
        """The node's own account reads its charts; the others stop reading theirs."""
        for watch in self.watches:
            mine = node is not None and node.account == watch.account_id and node.type is not NodeType.ACCOUNT
            watch.show(node if mine else None, parent if mine else None)

    @property
    def loops(self) -> dict[str, RegionLoop]:
        """Every account's region loops, by "account/region"."""
        return {f"{watch.account_id}/{name}": loop for watch in self.watches for name, loop in watch.loops.items()}

    @property
    def reading_in_view(self) -> bool:
        return any(watch.reading_in_view for watch in self.watches)

    def hurry(self, places: set[tuple[str | None, str]]) -> None:
        for watch in self.watches:
            watch.hurry(places)

    async def fleets(self) -> AsyncIterator[Fleet]:
        """Every account's watch at once; a new joined Fleet each time one of them has one."""
        queue: asyncio.Queue[object] = asyncio.Queue()

        async def follow(watch: FleetWatch) -> None:
            async for _fleet in watch.fleets():
                queue.put_nowait(None)

        async with aclosing(bursts(queue, [follow(watch) for watch in self.watches])) as told:
            async for _ in told:
                self.fleet = self._join()
                yield self.fleet
