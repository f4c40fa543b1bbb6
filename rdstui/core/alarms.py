"""The CloudWatch alarms on a region's databases: one paginated DescribeAlarms a metrics cycle.

An alarm names its database by dimension: DBInstanceIdentifier or
DBClusterIdentifier, on the alarm itself or, for a metric-math alarm, on the
metrics it is computed from. One alarm can so watch several databases; it is
listed under each. Alarms on anything else (EC2, a load balancer) are left out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from rdstui.core.model import ALARM_DIMENSIONS, Alarm
from rdstui.core.session import SessionFactory

DIMENSIONS = frozenset(ALARM_DIMENSIONS.values())
PAGE_SIZE = 100  # DescribeAlarms' MaxRecords ceiling


async def fetch_region_alarms(factory: SessionFactory, region: str) -> tuple[Alarm, ...]:
    """Every metric alarm of the region that watches a DB instance or cluster."""
    cloudwatch = await factory.client("cloudwatch", region)
    paginator = cloudwatch.get_paginator("describe_alarms")
    found: list[Alarm] = []
    async for page in paginator.paginate(AlarmTypes=["MetricAlarm"], PaginationConfig={"PageSize": PAGE_SIZE}):
        for record in page.get("MetricAlarms", []):
            found.extend(alarms_from(region, record))
    return tuple(found)


def alarms_from(region: str, record: Mapping[str, Any]) -> list[Alarm]:
    """One Alarm per database the MetricAlarm record watches."""
    return [
        Alarm(
            name=str(record.get("AlarmName") or "?"),
            region=region,
            state=str(record.get("StateValue") or "INSUFFICIENT_DATA"),
            reason=str(record.get("StateReason") or ""),
            # When the state last changed; StateUpdatedTimestamp also moves with EvaluationState
            # (and is all that older answers, and moto, give).
            since=_moment(record.get("StateTransitionedTimestamp")) or _moment(record.get("StateUpdatedTimestamp")),
            metric=_metric_name(record),
            dimension=name,
            identifier=value,
        )
        for name, value in dict.fromkeys(_watched(record))
    ]


def _watched(record: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    dimension_lists = [record.get("Dimensions") or []]
    for query in record.get("Metrics") or []:  # metric math: the dimensions of each metric it reads
        metric = ((query or {}).get("MetricStat") or {}).get("Metric") or {}
        dimension_lists.append(metric.get("Dimensions") or [])
    for dimensions in dimension_lists:
        for dimension in dimensions:
            name, value = dimension.get("Name"), dimension.get("Value")
            if name in DIMENSIONS and isinstance(value, str):
                yield name, value


def _metric_name(record: Mapping[str, Any]) -> str | None:
    if record.get("MetricName"):
        return str(record["MetricName"])
    names = [
        str(metric["MetricName"])
        for query in record.get("Metrics") or []
        if (metric := ((query or {}).get("MetricStat") or {}).get("Metric") or {}).get("MetricName")
    ]
    return ", ".join(dict.fromkeys(names)) or None


def _moment(value: Any) -> datetime | None:
    """botocore hands a datetime; anything else (a missing or odd field) is "since unknown"."""
    return value if isinstance(value, datetime) else None
