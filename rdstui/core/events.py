"""Recent RDS events (DescribeEvents) across regions: the incident timeline."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rdstui.core import errors
from rdstui.core.session import SessionFactory


RETENTION = timedelta(days=14)  # what DescribeEvents keeps


@dataclass(frozen=True)
class Event:
    time: datetime
    region: str
    source_id: str
    source_type: str
    message: str
    categories: tuple[str, ...] = ()


@dataclass
class EventsResult:
    events: list[Event]  # newest first
    errors: dict[str, str]  # region -> one line


async def _region_events(factory: SessionFactory, region: str, minutes: int) -> list[Event]:
    rds = await factory.client("rds", region)
    paginator = rds.get_paginator("describe_events")
    found: list[Event] = []
    async for page in paginator.paginate(Duration=minutes, PaginationConfig={"PageSize": 100}):
        for item in page.get("Events", []):
            found.append(
                Event(
                    time=item["Date"],
                    region=region,
                    source_id=item.get("SourceIdentifier", ""),
                    source_type=item.get("SourceType", ""),
                    message=item.get("Message", ""),
                    categories=tuple(item.get("EventCategories", [])),
                )
            )
    return found


async def fetch_region_events(
    factory: SessionFactory, region: str, *, since: datetime, until: datetime
) -> list[Event]:
    """One region's events between `since` and `until` (DescribeEvents keeps 14 days), newest first."""
    since = max(since, until - RETENTION)
    rds = await factory.client("rds", region)
    paginator = rds.get_paginator("describe_events")
    found: list[Event] = []
    async for page in paginator.paginate(StartTime=since, EndTime=until, PaginationConfig={"PageSize": 100}):
        found.extend(_event(region, item) for item in page.get("Events", []))
    found.sort(key=lambda e: e.time, reverse=True)
    return found


def _event(region: str, item: dict[str, Any]) -> Event:
    return Event(
        time=item["Date"],
        region=region,
        source_id=item.get("SourceIdentifier", ""),
        source_type=item.get("SourceType", ""),
        message=item.get("Message", ""),
        categories=tuple(item.get("EventCategories", [])),
    )


async def fetch_events(
    factory: SessionFactory, regions: list[str], *, minutes: int = 24 * 60, limit: int = 500
) -> EventsResult:
    """Events of the last `minutes` in every region, concurrently; a failing region is reported."""
    minutes = max(1, min(minutes, 14 * 24 * 60))  # the API keeps 14 days
    answers = await asyncio.gather(
        *(_region_events(factory, region, minutes) for region in regions), return_exceptions=True
    )
    events: list[Event] = []
    failed: dict[str, str] = {}
    for region, answer in zip(regions, answers):
        if isinstance(answer, BaseException):
            failed[region] = errors.describe(answer, factory.sso_profile)
        else:
            events.extend(answer)
    events.sort(key=lambda e: e.time, reverse=True)
    return EventsResult(events[:limit], failed)


def catch_up_minutes(last_fetch: datetime | None, now: datetime, *, first: int) -> int:
    """Minutes of events to ask for: the whole window once, then only what passed since."""
    if last_fetch is None:
        return first
    return min(first, int((now - last_fetch).total_seconds() // 60) + 2)  # 2 min of overlap


def merge(held: list[Event], fresh: list[Event], *, limit: int = 500) -> list[Event]:
    """Held events plus the new ones, newest first, each once."""
    known = set(held)
    combined = held + [event for event in fresh if event not in known]
    combined.sort(key=lambda e: e.time, reverse=True)
    return combined[:limit]
