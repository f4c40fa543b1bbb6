"""RDS ARNs and references: `arn:aws:rds:REGION:ACCOUNT:KIND:IDENTIFIER`.

A reference field (ReadReplicaSourceDBInstanceIdentifier, ReplicationSourceIdentifier,
ReadReplicaIdentifiers...) holds an identifier for something in the same region and
an ARN for something in another; these helpers never raise on a malformed value.
"""

from __future__ import annotations

from typing import NamedTuple

# The resource kinds of RDS ARNs this console draws, and what the user calls them.
KIND_WORDS = {"db": "DB instance", "cluster": "DB cluster", "global-cluster": "global database"}


class Arn(NamedTuple):
    partition: str
    region: str
    account: str
    kind: str  # "db", "cluster", "global-cluster", "snapshot"...
    identifier: str


def parse_arn(value: object) -> Arn | None:
    """The parts of an RDS ARN, or None when `value` is not one."""
    if not isinstance(value, str) or not value.startswith("arn:"):
        return None
    parts = value.split(":")
    if len(parts) < 7 or parts[2] != "rds" or not parts[5] or not parts[6]:
        return None
    return Arn(parts[1], parts[3], parts[4], parts[5], ":".join(parts[6:]))


def make_arn(region: str, kind: str, identifier: str, account: str | None = None, partition: str = "aws") -> str:
    return f"arn:{partition}:rds:{region}:{account or ''}:{kind}:{identifier}"


def arn_region(value: str, default: str = "") -> str:
    parsed = parse_arn(value)
    return parsed.region if parsed else default


def arn_identifier(value: str) -> str:
    """The identifier of an ARN; a plain identifier is returned as it is."""
    parsed = parse_arn(value)
    return parsed.identifier if parsed else value


def kind_words(value: str, default: str = "database") -> str:
    """'DB instance' for a `:db:` ARN, 'DB cluster' for `:cluster:`."""
    parsed = parse_arn(value)
    return KIND_WORDS.get(parsed.kind, default) if parsed else default
