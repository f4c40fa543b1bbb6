"""The fleet model: one tree of RDS nodes, named in RDS terms.

Every type here is frozen: a poll builds a new `Fleet` (topology, latest lag,
region health) and never changes one it has handed out, so a widget, a script
or a test can hold on to a snapshot while the next poll runs. A `Fleet`
carries its own index (node by key, parent by key), built once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, IntEnum
from types import MappingProxyType
from typing import Any

EMPTY: Mapping[str, Any] = MappingProxyType({})

# A metric point (UTC time, value in model units) and a series of them, oldest first.
Point = tuple[datetime, float]
Series = tuple[Point, ...]


class NodeType(str, Enum):
    GLOBAL_CLUSTER = "global-cluster"
    CLUSTER = "cluster"
    INSTANCE = "instance"
    STANDBY = "standby"
    EXTERNAL = "external"
    ACCOUNT = "account"  # with several profiles: an account's root, its databases beneath


class Role(str, Enum):
    GLOBAL = "global"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    REPLICA = "replica"
    WRITER = "writer"
    READER = "reader"
    # In a cluster whose DBClusterMembers does not list it (yet): writer or reader unknown.
    MEMBER = "member"
    STANDBY = "standby"
    EXTERNAL = "external"
    ACCOUNT = "account"


@dataclass(frozen=True)
class Replication:
    """How replication into a node is going, as AWS reports it.

    From a replica's StatusInfos ("read replication": replicating, error,
    stopped, terminated...), a global member's SynchronizationStatus
    (connected, pending-resync), or ReplicaLag -1 (not replicating).
    """

    status: str
    normal: bool
    message: str | None = None


@dataclass(frozen=True)
class BlueGreen:
    """A node's part in a blue/green deployment (DescribeBlueGreenDeployments)."""

    id: str  # BlueGreenDeploymentIdentifier
    name: str | None
    role: str  # "blue" (the source, production) or "green" (the target)
    status: str  # the deployment's Status: PROVISIONING, AVAILABLE, SWITCHOVER_IN_PROGRESS...
    member_status: str | None = None  # this member's SwitchoverDetails status
    partner: str | None = None  # the ARN of the other side


@dataclass(frozen=True, eq=False)
class Node:
    """One line of the topology tree.

    `key` is unique and stable across polls (ARN based); `id` is the DB
    identifier a user knows (a standby carries its primary's identifier),
    unique only within its `account` and region.
    `raw` is the describe record the node came from (DBInstance, DBCluster,
    GlobalCluster), read-only. `notes` are what the console tells the user
    about the node (a mounted replica, a stopped instance's restart time...).
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
    children: tuple[Node, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=lambda: EMPTY, repr=False)
    replication: Replication | None = None
    blue_green: BlueGreen | None = None
    notes: tuple[str, ...] = ()
    account: str | None = None  # the AWS account id it lives in

    @property
    def is_cluster_member(self) -> bool:
        """An instance of an Aurora or Multi-AZ DB cluster (its cluster owns snapshots and failover)."""
        return self.role in (Role.WRITER, Role.READER, Role.MEMBER)

    @property
    def is_cluster_like(self) -> bool:
        return self.type in (NodeType.CLUSTER, NodeType.GLOBAL_CLUSTER)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


def walk_with_parents(roots: Iterable[Node]) -> Iterator[tuple[Node, Node | None]]:
    """Every node depth first, with its parent (None for a root)."""
    stack: list[tuple[Node, Node | None]] = [(root, None) for root in reversed(list(roots))]
    while stack:
        node, parent = stack.pop()
        yield node, parent
        stack.extend((child, node) for child in reversed(node.children))


@dataclass(frozen=True)
class RegionState:
    """How one region's last poll went; data older than a failure is kept, marked stale.

    `ok`/`error` are the describes'; CloudWatch, alarms and events fail apart from them."""

    name: str
    ok: bool = False
    error: str | None = None
    polled_at: datetime | None = None  # last successful poll
    attempted_at: datetime | None = None
    notes: tuple[str, ...] = ()  # what the region could not tell (e.g. blue/green unreadable)
    account: str | None = None
    metrics_error: str | None = None  # one line each
    events_error: str | None = None
    alarms_error: str | None = None

    @property
    def stale(self) -> bool:
        return not self.ok and self.polled_at is not None


class Severity(IntEnum):
    """How much a finding needs the on-call engineer: ordered, so the worst is max()."""

    INFO = 1
    WARNING = 2
    CRITICAL = 3

    @property
    def word(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    """Something about a node that needs attention; `kind` is the short word the header
    counts ("lagging", "no PITR", "alarm"), `reason` the sentence the detail shows."""

    severity: Severity
    kind: str
    reason: str


@dataclass(frozen=True)
class Alarm:
    """A CloudWatch metric alarm on a database (DescribeAlarms), by the dimension it watches."""

    name: str
    region: str
    state: str  # OK | ALARM | INSUFFICIENT_DATA
    reason: str
    since: datetime | None  # StateUpdatedTimestamp
    metric: str | None
    dimension: str  # DBInstanceIdentifier | DBClusterIdentifier
    identifier: str
    account: str | None = None


@dataclass(frozen=True)
class Event:
    """One RDS event (DescribeEvents), or one of the console's own lines about an action."""

    time: datetime
    region: str
    source_id: str
    source_type: str
    message: str
    categories: tuple[str, ...] = ()
    arn: str | None = None  # SourceArn (the console's own lines have none)
    account: str | None = None


@dataclass(frozen=True)
class AccountState:
    """One AWS account the console watches, and the profiles that reach it.

    Two profiles that resolve to one account are one AccountState: the first
    profile's credentials poll it and act on it. `error`: the account could not
    be started (no credentials, STS refused); then `account` may be unknown."""

    profiles: tuple[str, ...]
    account: str | None
    error: str | None = None
    read_only_why: str | None = None  # None: actions are allowed
    label: str | None = None  # the config's label ("PRODUCTION")
    write_flag: bool = False  # --write lifted the config file's read-only for this session

    @property
    def key(self) -> str:
        """Its node's key in a tree of accounts."""
        return f"account:{self.account or self.profiles[0]}"

    @property
    def name(self) -> str:
        return ", ".join(self.profiles)

    @property
    def read_only(self) -> bool:
        return self.read_only_why is not None


ALARM_DIMENSIONS = {NodeType.INSTANCE: "DBInstanceIdentifier", NodeType.CLUSTER: "DBClusterIdentifier"}


@dataclass(frozen=True, eq=False)
class Fleet:
    """The whole picture as the regions last told it: regions, the tree, the
    latest lag of each node that replicates and of each global secondary's RPO
    (seconds, by node key), every CloudWatch series read, the recent events
    (newest first), and notices for the user (records left out, and why)."""

    regions: tuple[RegionState, ...]
    roots: tuple[Node, ...]  # with several profiles: one ACCOUNT node per account, its databases beneath
    account_id: str | None = None  # one account's fleet; None when it holds several
    accounts: tuple[AccountState, ...] = ()
    lags: Mapping[str, float] = field(default_factory=lambda: EMPTY)
    rpo_lags: Mapping[str, float] = field(default_factory=lambda: EMPTY)
    notices: tuple[str, ...] = ()
    series: Mapping[Any, Series] = field(default_factory=lambda: EMPTY)  # by metrics.SeriesKey
    events: tuple[Event, ...] = ()
    events_loaded: bool = False
    alarms: tuple[Alarm, ...] = ()
    attention: Mapping[str, tuple[Finding, ...]] = field(default_factory=lambda: EMPTY)  # node key -> findings
    _nodes: dict[str, Node] = field(init=False, repr=False)
    _parents: dict[str, Node] = field(init=False, repr=False)
    _alarms: dict[tuple[str | None, str, str, str], tuple[Alarm, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        nodes: dict[str, Node] = {}
        parents: dict[str, Node] = {}
        for root in self.roots:
            for node in root.walk():
                nodes.setdefault(node.key, node)
                for child in node.children:
                    parents.setdefault(child.key, node)
        alarms: dict[tuple[str | None, str, str, str], tuple[Alarm, ...]] = {}
        for alarm in self.alarms:
            where = (alarm.account, alarm.region, alarm.dimension, alarm.identifier)
            alarms[where] = (*alarms.get(where, ()), alarm)
        object.__setattr__(self, "_nodes", nodes)
        object.__setattr__(self, "_parents", parents)
        object.__setattr__(self, "_alarms", alarms)

    def walk(self) -> Iterator[Node]:
        for root in self.roots:
            yield from root.walk()

    @property
    def nodes(self) -> Mapping[str, Node]:
        """Every node by key (the first one, where a placeholder stands twice)."""
        return self._nodes

    def node(self, key: str | None) -> Node | None:
        return self._nodes.get(key) if key else None

    def parent(self, node: Node) -> Node | None:
        return self._parents.get(node.key)

    def region(self, name: str, account: str | None = None) -> RegionState | None:
        """The region's state (in `account`, when the fleet holds several)."""
        return next(
            (state for state in self.regions if state.name == name and (account is None or state.account == account)),
            None,
        )

    def region_of(self, node: Node) -> RegionState | None:
        return self.region(node.region, node.account)

    def account(self, account: str | None) -> AccountState | None:
        return next((state for state in self.accounts if state.account == account), None)

    def account_of(self, node: Node) -> AccountState | None:
        """The account a node is in (an account's root: that account, even one that failed)."""
        if node.type is NodeType.ACCOUNT:
            return next((state for state in self.accounts if state.key == node.key), None)
        return self.account(node.account)

    def lag(self, node: Node) -> float | None:
        """The latest lag in seconds (-1: ReplicaLag says replication is not running)."""
        return self.lags.get(node.key)

    def rpo_lag(self, node: Node) -> float | None:
        """AuroraGlobalDBRPOLag of a global secondary: what a failover with data loss would lose."""
        return self.rpo_lags.get(node.key)

    def alarms_of(self, node: Node) -> tuple[Alarm, ...]:
        """The CloudWatch alarms whose dimensions name this instance or cluster."""
        dimension = ALARM_DIMENSIONS.get(node.type)
        return self._alarms.get((node.account, node.region, dimension, node.id), ()) if dimension else ()

    def findings(self, node: Node) -> tuple[Finding, ...]:
        return self.attention.get(node.key, ())

    def replication(self, node: Node) -> Replication | None:
        """What AWS says of the node's replication; ReplicaLag -1 counts as broken."""
        if node.replication is not None and not node.replication.normal:
            return node.replication
        lag = self.lag(node)
        if lag is not None and lag < 0:
            return Replication("not replicating", False, f"{node.lag_metric} is -1: replication is not running")
        return node.replication
