"""Which regions to poll: `--region` flags, the profile's default, or `all`."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from rdstui.core.errors import SetupError

# AWS region names: area (us, eusc), an optional partition or country word (gov, isob, de),
# a compass direction, a number. A name of that shape that botocore does not list may be a
# region newer than the installed botocore, so it is polled with a warning, not refused.
REGION_SHAPE = re.compile(r"[a-z]{2,4}(?:-[a-z]{2,5})?-([a-z]+)-\d{1,2}")
COMPASS = frozenset({"east", "west", "north", "south", "central", "northeast", "northwest", "southeast", "southwest"})
CLOSE_ENOUGH = 0.75  # difflib ratio: "us-est-1" / "us-east-1" is 0.94, "us_east_1" 0.78
# For a region-shaped name, closer still: "ue-east-1" / "us-east-1" is 0.89, while a new
# region is often 0.75-0.85 from an old one ("us-gov-north-1" / "eu-north-1" is 0.75).
LIKELY_TYPO = 0.85


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """Every RDS region botocore knows of, across partitions (no network)."""
    import botocore.session  # here, not at the top: the CLI reads its flags (and starts the demo) first

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


def closest(name: str, cutoff: float = CLOSE_ENOUGH) -> list[str]:
    """The known regions nearest to `name` (up to 3 ties, alphabetical), if near enough."""
    scored = {region: SequenceMatcher(None, name, region).ratio() for region in known_regions()}
    best = max(scored.values())
    return sorted(region for region, score in scored.items() if score == best >= cutoff)[:3]


def _did_you_mean(near: list[str]) -> str:
    return f"Did you mean {' or '.join(near)}?"


def validate(regions: list[str]) -> list[str]:
    """Region names in botocore's spelling, duplicates dropped; SetupError for a bad one.

    Matched case-insensitively. A near miss is refused with a suggestion, and so is a
    name not shaped like a region; a region-shaped name botocore does not list is kept
    (`unlisted_warnings` says so).
    """
    known = known_regions()
    chosen: list[str] = []
    for given in regions:
        region = given.strip().lower()
        if region != "all" and region not in known:
            shape = REGION_SHAPE.fullmatch(region)
            if not shape or shape.group(1) not in COMPASS:
                near = closest(region)
                hint = _did_you_mean(near) if near else "Region names look like us-east-1."
                raise SetupError(f"Unknown region '{given}'. {hint}")
        if region not in chosen:
            chosen.append(region)
    return chosen


def unlisted_warnings(regions: list[str]) -> list[str]:
    """One line for each of the `validate`d regions that botocore does not list."""
    import botocore

    known = known_regions()
    stems = {region.rstrip("0123456789") for region in known}
    warnings: list[str] = []
    for region in regions:
        if region == "all" or region in known:
            continue
        # A new number (ap-southeast-9) is how new regions look; one clear near miss may be a typo.
        near = closest(region, LIKELY_TYPO)
        typo = len(near) == 1 and region.rstrip("0123456789") not in stems
        hint = f" {_did_you_mean(near)}" if typo else ""
        warnings.append(
            f"Region '{region}' is not known to botocore {botocore.__version__}: polling it anyway "
            f"(a region newer than this install?).{hint}"
        )
    return warnings
