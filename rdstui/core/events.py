"""Recent RDS events (DescribeEvents) of one region: the incident timeline.

A region's loop (watch.py) reads a day of events once, then only the minutes
since its last clean read (with two minutes of overlap), and merges them in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rdstui.core.model import Event
from rdstui.core.session import SessionFactory

RETENTION = timedelta(days=14)  # what DescribeEvents keeps
LIMIT = 500  # events kept a region


async def fetch_region_events(
    factory: SessionFactory, region: str, *, since: datetime, until: datetime
) -> list[Event]:
    """One region's events between `since` and `until`, newest first."""
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
        arn=item.get("SourceArn") or None,
    )


def merge(held: list[Event], fresh: list[Event], *, limit: int = LIMIT) -> list[Event]:
    """Held events plus the new ones, newest first, each once."""
    known = set(held)
    combined = held + [event for event in fresh if event not in known]
    combined.sort(key=lambda e: e.time, reverse=True)
    return combined[:limit]
