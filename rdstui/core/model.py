"""The fleet model: one tree of RDS nodes, named in RDS terms.

Plain dataclasses so a script, a test or the UI can read them without AWS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any, Iterator


class NodeType(str, Enum):
    GLOBAL_CLUSTER = "global-cluster"
    CLUSTER = "cluster"
    INSTANCE = "instance"
    STANDBY = "standby"
    EXTERNAL = "external"


class Role(str, Enum):
    GLOBAL = "global"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    REPLICA = "replica"
    WRITER = "writer"
    READER = "reader"
    STANDBY = "standby"
    EXTERNAL = "external"


@dataclass
class Node:
    """One line of the topology tree.

    `key` is unique and stable across polls (ARN based); `id` is the DB
    identifier a user knows (a standby carries its primary's identifier).
    """

    key: str
    id: str
    type: NodeType
    role: Role
    region: str
    az: str | None = None
    status: str = "available"
    engine: str | None = None
    engine_version: str | None = None
    multi_az: bool = False
    arn: str | None = None
    lag_metric: str | None = None
    lag_seconds: float | None = None
    children: list[Node] = field(default_factory=list)
    # The describe record this node came from (DBInstance, DBCluster, GlobalCluster).
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_cluster_like(self) -> bool:
        return self.type in (NodeType.CLUSTER, NodeType.GLOBAL_CLUSTER)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class RegionState:
    """How one region's last poll went; data older than a failure is kept, marked stale."""

    name: str
    ok: bool = False
    error: str | None = None
    polled_at: datetime | None = None  # last successful poll
    attempted_at: datetime | None = None

    @property
    def stale(self) -> bool:
        return not self.ok and self.polled_at is not None


@dataclass
class Fleet:
    """The whole picture after one poll: regions, the tree, and index by key."""

    regions: list[RegionState]
    roots: list[Node]
    account_id: str | None = None

    def walk(self) -> Iterator[Node]:
        for root in self.roots:
            yield from root.walk()

    def by_key(self) -> dict[str, Node]:
        return {node.key: node for node in self.walk()}

    def find(self, identifier: str) -> Node | None:
        for node in self.walk():
            if node.id == identifier and node.type is not NodeType.STANDBY:
                return node
        return None
