"""Responses recorded from real AWS accounts (tests/aws_shapes/), as botocore would hand them over.

The files are kept as their sources have them (see tests/aws_shapes/INDEX.md): placebo
recordings wrap the response in {"status_code", "data"} and encode datetimes as
{"__class__": "datetime", ...}; the AWS CLI's example outputs have ISO strings.
`response(name)` undoes both, so the core sees what aiobotocore would return.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdstui.core.arns import parse_arn
from rdstui.core.topology import Described

SHAPES = Path(__file__).parent / "aws_shapes"


@lru_cache(maxsize=1)
def manifest() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads((SHAPES / "manifest.json").read_text(encoding="utf-8")))


def entries(operation: str, *, recorded_only: bool = True) -> list[dict[str, Any]]:
    """Manifest entries of one operation that parse as JSON (truncated ones left out)."""
    return [
        entry
        for entry in manifest()
        if entry["operation"] == operation
        and entry.get("format", "json") == "json"
        and not (recorded_only and entry.get("synthetic"))
    ]


def _decode(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        if value.get("__class__") == "datetime":
            return datetime(
                value["year"], value["month"], value["day"], value.get("hour", 0), value.get("minute", 0),
                value.get("second", 0), value.get("microsecond", 0), tzinfo=timezone.utc,
            )
        return {k: _decode(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v, key) for v in value]
    if isinstance(value, str) and key.endswith(("Time", "Date")) and value[:2] in ("19", "20"):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


def response(name: str) -> dict[str, Any]:
    """The response as botocore parses it: placebo wrapper and datetime encoding undone.
    (A documentation example cut down with --query is not a whole response: {}.)"""
    data = json.loads((SHAPES / name).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "status_code" in data and "data" in data:
        data = data["data"]
    if not isinstance(data, dict):
        return {}
    data = {k: v for k, v in data.items() if k not in ("ResponseMetadata", "_synthetic")}
    return _decode(data)


def region_of(record: dict[str, Any], default: str = "us-east-1") -> str:
    for field in ("DBInstanceArn", "DBClusterArn"):
        parsed = parse_arn(record.get(field))
        if parsed is not None:
            return parsed.region
    zone = record.get("AvailabilityZone")
    return zone[:-1] if isinstance(zone, str) and zone else default


def described(*names: str) -> list[Described]:
    """What each region would have answered, from recorded describe responses."""
    regions: dict[str, Described] = {}
    fields = {"DBInstances": "instances", "DBClusters": "clusters", "GlobalClusters": "global_clusters",
              "BlueGreenDeployments": "blue_green"}
    for name in names:
        for key, records in response(name).items():
            for record in records if key in fields else ():
                region = region_of(record)
                getattr(regions.setdefault(region, Described(region)), fields[key]).append(record)
    return list(regions.values())
