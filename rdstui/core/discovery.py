"""Per-region discovery: the raw describes, batched through paginators."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from rdstui.core.session import SessionFactory

PAGE_SIZE = 100  # the API's maximum for DescribeDBInstances / DescribeDBClusters


@dataclass
class RegionData:
    """What one region answered in one poll."""

    region: str
    instances: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    global_clusters: list[dict[str, Any]] = field(default_factory=list)


async def _paginate(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator(operation)
    items: list[dict[str, Any]] = []
    async for page in paginator.paginate(PaginationConfig={"PageSize": PAGE_SIZE}):
        items.extend(page.get(key, []))
    return items


async def describe_region(factory: SessionFactory, region: str) -> RegionData:
    """Instances, clusters and global clusters seen from one region, concurrently."""
    rds = await factory.client("rds", region)
    instances, clusters, global_clusters = await asyncio.gather(
        _paginate(rds, "describe_db_instances", "DBInstances"),
        _paginate(rds, "describe_db_clusters", "DBClusters"),
        _paginate(rds, "describe_global_clusters", "GlobalClusters"),
    )
    return RegionData(region, instances, clusters, global_clusters)


def dedupe_global_clusters(regions: list[RegionData]) -> list[dict[str, Any]]:
    """Global clusters are account-wide: every region reports them; keep one of each."""
    seen: dict[str, dict[str, Any]] = {}
    for data in regions:
        for item in data.global_clusters:
            seen.setdefault(item.get("GlobalClusterArn") or item["GlobalClusterIdentifier"], item)
    return list(seen.values())


async def enabled_regions(factory: SessionFactory, home_region: str) -> list[str]:
    """Every region enabled for the account (EC2 DescribeRegions omits opted-out ones)."""
    ec2 = await factory.client("ec2", home_region)
    answer = await ec2.describe_regions()
    return sorted(item["RegionName"] for item in answer.get("Regions", []))
