"""Which regions to poll: `--region` flags, the profile's default, or `all`."""

from __future__ import annotations

from functools import lru_cache

import botocore.session

from rdstui.core.errors import SetupError

@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every RDS region botocore knows of, across partitions (no network)."""
    session = botocore.session.get_session()
    names: set[str] = set()
    for partition in session.get_available_partitions():
        names.update(session.get_available_regions("rds", partition_name=partition))
    return frozenset(names)


def parse_region_args(values: list[str] | None) -> list[str]:
    """`--region a --region b,c` -> [a, b, c], order kept, duplicates dropped."""
    regions: list[str] = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip()
            if part and part not in regions:
                regions.append(part)
    return regions


def validate(regions: list[str]) -> list[str]:
    """Refuse a region name AWS does not have, with the close matches."""
    known = known_regions()
    for region in regions:
        if region != "all" and region not in known:
            hint = ", ".join(sorted(r for r in known if r[:2] == region[:2])[:6])
            suffix = f" Did you mean one of: {hint}?" if hint else ""
            raise SetupError(f"Unknown region '{region}'.{suffix}")
    return regions
