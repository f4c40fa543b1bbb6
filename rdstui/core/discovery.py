"""Per-region discovery: the raw describes, batched through paginators.

Four calls a region, each paged at the API's maximum: DescribeDBInstances,
DescribeDBClusters, DescribeGlobalClusters (account-wide, seen from every
region) and DescribeBlueGreenDeployments. The last is an extra: a region whose
credentials may not read blue/green deployments still answers, with a note.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rdstui.core import errors
from rdstui.core.session import SessionFactory
from rdstui.core.topology import Described

PAGE_SIZE = 100  # the API's maximum for DescribeDBInstances / DescribeDBClusters / DescribeBlueGreenDeployments


async def _paginate(client: Any, operation: str, key: str) -> list[dict[str, Any]]:
    paginator = client.get_paginator(operation)
    items: list[dict[str, Any]] = []
    async for page in paginator.paginate(PaginationConfig={"PageSize": PAGE_SIZE}):
        items.extend(page.get(key, []))
    return items


async def _blue_green(client: Any, sso_profile: str | None) -> tuple[list[dict[str, Any]], str | None]:
    try:
        return await _paginate(client, "describe_blue_green_deployments", "BlueGreenDeployments"), None
    except Exception as exc:  # noqa: BLE001 - an extra: the region's databases are shown all the same
        return [], f"blue/green deployments not read: {errors.describe(exc, sso_profile)}"


async def describe_region(factory: SessionFactory, region: str) -> Described:
    """Instances, clusters, global clusters and blue/green deployments seen from one region, concurrently."""
    rds = await factory.client("rds", region)
    instances, clusters, global_clusters, (blue_green, note) = await asyncio.gather(
        _paginate(rds, "describe_db_instances", "DBInstances"),
        _paginate(rds, "describe_db_clusters", "DBClusters"),
        _paginate(rds, "describe_global_clusters", "GlobalClusters"),
        _blue_green(rds, factory.sso_profile),
    )
    return Described(region, instances, clusters, global_clusters, blue_green, [note] if note else [])


async def enabled_regions(factory: SessionFactory, home_region: str) -> list[str]:
    """Every region enabled for the account (EC2 DescribeRegions omits opted-out ones)."""
    ec2 = await factory.client("ec2", home_region)
    answer = await ec2.describe_regions()
    return sorted(item["RegionName"] for item in answer.get("Regions", []))
