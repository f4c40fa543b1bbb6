"""Build one topology tree from the raw describes of every polled region.

Pure functions: no AWS, no clock. Input is what DescribeDBInstances,
DescribeDBClusters and DescribeGlobalClusters returned; output is a forest of
`Node`s named in RDS terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from rdstui.core.model import Node, NodeType, Role

AURORA_ENGINES = ("aurora", "aurora-mysql", "aurora-postgresql")


def arn_region(arn: str) -> str:
    return arn.split(":")[3]


def arn_identifier(arn: str) -> str:
    return arn.split(":")[-1]


def is_aurora(engine: str | None) -> bool:
    return (engine or "").startswith("aurora")


def is_multi_az_db_cluster(cluster: dict[str, Any]) -> bool:
    """A Multi-AZ DB cluster: a non-Aurora engine with a cluster instance class."""
    return not is_aurora(cluster.get("Engine")) and bool(cluster.get("DBClusterInstanceClass"))


@dataclass
class _Index:
    """Lookup tables over everything described, keyed by ARN and by (region, id)."""

    instances: dict[str, dict[str, Any]] = field(default_factory=dict)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_name: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, region, id) -> arn

    def add(self, kind: str, record: dict[str, Any]) -> None:
        arn = record["DBInstanceArn"] if kind == "db" else record["DBClusterArn"]
        table = self.instances if kind == "db" else self.clusters
        table[arn] = record
        ident = record["DBInstanceIdentifier"] if kind == "db" else record["DBClusterIdentifier"]
        self.by_name[(kind, arn_region(arn), ident)] = arn

    def resolve(self, kind: str, ref: str, region: str) -> str:
        """An ARN for a reference that is either an ARN or an identifier in `region`."""
        if ref.startswith("arn:"):
            return ref
        return self.by_name.get((kind, region, ref), f"arn:aws:rds:{region}::{kind}:{ref}")


class TopologyBuilder:
    """One build: call `build()` once per poll."""

    def __init__(
        self,
        instances: Iterable[dict[str, Any]],
        clusters: Iterable[dict[str, Any]],
        global_clusters: Iterable[dict[str, Any]],
    ) -> None:
        self.index = _Index()
        for record in instances:
            self.index.add("db", record)
        for record in clusters:
            self.index.add("cluster", record)
        self.global_clusters = list(global_clusters)
        self.nodes: dict[str, Node] = {}
        self.externals: dict[str, Node] = {}
        self.global_members: set[str] = set()
        self.roots: list[Node] = []

    # -- entry point -------------------------------------------------------

    def build(self) -> list[Node]:
        secondaries = self._global_secondaries()
        for arn, record in self.index.clusters.items():
            self.nodes[arn] = self._cluster_node(record, arn in secondaries)
        for arn, record in self.index.instances.items():
            self.nodes[arn] = self._instance_node(record)
        members = self._attach_cluster_members(secondaries)
        self._attach_global_clusters()
        self._attach_cluster_replicas()
        self._attach_instance_replicas(members)
        self._attach_standbys()
        return self._ordered_roots()

    # -- nodes -------------------------------------------------------------

    def _global_secondaries(self) -> set[str]:
        return {
            member["DBClusterArn"]
            for item in self.global_clusters
            for member in item.get("GlobalClusterMembers", [])
            if not member.get("IsWriter")
        }

    def _cluster_node(self, record: dict[str, Any], secondary: bool) -> Node:
        arn = record["DBClusterArn"]
        engine = record.get("Engine")
        role, lag_metric = Role.PRIMARY, None
        if secondary:
            role, lag_metric = Role.SECONDARY, "AuroraGlobalDBReplicationLag"
        elif record.get("ReplicationSourceIdentifier"):
            role = Role.REPLICA
            lag_metric = "AuroraBinlogReplicaLag" if engine == "aurora-mysql" else None
        return Node(
            key=arn,
            id=record["DBClusterIdentifier"],
            type=NodeType.CLUSTER,
            role=role,
            region=arn_region(arn),
            status=record.get("Status", "unknown"),
            engine=engine,
            engine_version=record.get("EngineVersion"),
            multi_az=bool(record.get("MultiAZ")),
            arn=arn,
            lag_metric=lag_metric,
            raw=record,
        )

    def _instance_node(self, record: dict[str, Any]) -> Node:
        arn = record["DBInstanceArn"]
        role, lag_metric = Role.PRIMARY, None
        if record.get("ReadReplicaSourceDBInstanceIdentifier") or record.get(
            "ReadReplicaSourceDBClusterIdentifier"
        ):
            role, lag_metric = Role.REPLICA, "ReplicaLag"
        return Node(
            key=arn,
            id=record["DBInstanceIdentifier"],
            type=NodeType.INSTANCE,
            role=role,
            region=arn_region(arn),
            az=record.get("AvailabilityZone"),
            status=record.get("DBInstanceStatus", "unknown"),
            engine=record.get("Engine"),
            engine_version=record.get("EngineVersion"),
            multi_az=bool(record.get("MultiAZ")),
            arn=arn,
            lag_metric=lag_metric,
            raw=record,
        )

    def _external(self, arn: str, kind: str) -> Node:
        """A placeholder for something in a region that is not polled."""
        if arn not in self.externals:
            self.externals[arn] = Node(
                key=f"external:{arn}",
                id=arn_identifier(arn),
                type=NodeType.EXTERNAL,
                role=Role.EXTERNAL,
                region=arn_region(arn),
                status="not polled",
                arn=arn,
                raw={"Kind": kind},
            )
        return self.externals[arn]

    def _parent_for(self, arn: str, kind: str) -> Node:
        return self.nodes.get(arn) or self._external(arn, kind)

    # -- edges -------------------------------------------------------------

    def _attach_cluster_members(self, secondaries: set[str]) -> set[str]:
        """Cluster members under their cluster, writer first; returns member ARNs."""
        members: set[str] = set()
        for arn, record in self.index.clusters.items():
            cluster = self.nodes[arn]
            region = cluster.region
            maz = is_multi_az_db_cluster(record)
            ordered = sorted(
                record.get("DBClusterMembers", []),
                key=lambda m: (not m.get("IsClusterWriter"), m["DBInstanceIdentifier"]),
            )
            for member in ordered:
                member_arn = self.index.resolve("db", member["DBInstanceIdentifier"], region)
                node = self.nodes.get(member_arn)
                if node is None:
                    continue
                # A global secondary has no writer, whatever its member list claims.
                writer = bool(member.get("IsClusterWriter")) and arn not in secondaries
                node.role = Role.WRITER if writer else Role.READER
                node.lag_metric = None if writer else ("ReplicaLag" if maz else "AuroraReplicaLag")
                cluster.children.append(node)
                members.add(member_arn)
        return members

    def _attach_global_clusters(self) -> None:
        for item in self.global_clusters:
            node = self._global_node(item)
            ordered = sorted(item.get("GlobalClusterMembers", []), key=lambda m: not m.get("IsWriter"))
            for member in ordered:
                child = self._parent_for(member["DBClusterArn"], "cluster")
                node.children.append(child)
                if member.get("IsWriter"):
                    node.region = child.region
                self.global_members.add(member["DBClusterArn"])
            self.roots.append(node)

    def _global_node(self, item: dict[str, Any]) -> Node:
        arn = item.get("GlobalClusterArn") or f"global:{item['GlobalClusterIdentifier']}"
        return Node(
            key=arn,
            id=item["GlobalClusterIdentifier"],
            type=NodeType.GLOBAL_CLUSTER,
            role=Role.GLOBAL,
            region="global",
            status=item.get("Status", "unknown"),
            engine=item.get("Engine"),
            engine_version=item.get("EngineVersion"),
            arn=item.get("GlobalClusterArn"),
            raw=item,
        )

    def _attach_cluster_replicas(self) -> None:
        for arn, record in self.index.clusters.items():
            node = self.nodes[arn]
            if arn in self.global_members:
                continue
            source = record.get("ReplicationSourceIdentifier")
            if source and node.role is Role.REPLICA:
                source_arn = self.index.resolve("cluster", source, node.region)
                self._parent_for(source_arn, "cluster").children.append(node)
            else:
                self.roots.append(node)

    def _attach_instance_replicas(self, members: set[str]) -> None:
        for arn, record in self.index.instances.items():
            if arn in members:
                continue
            node = self.nodes[arn]
            source = record.get("ReadReplicaSourceDBInstanceIdentifier")
            cluster_source = record.get("ReadReplicaSourceDBClusterIdentifier")
            if source:
                parent = self._parent_for(self.index.resolve("db", source, node.region), "db")
            elif cluster_source:
                parent = self._parent_for(self.index.resolve("cluster", cluster_source, node.region), "cluster")
            else:
                self.roots.append(node)
                continue
            parent.children.append(node)

    def _attach_standbys(self) -> None:
        """The invisible Multi-AZ standby of a primary or replica, shown as its first child."""
        for arn, record in self.index.instances.items():
            node = self.nodes[arn]
            if not record.get("MultiAZ") or node.role in (Role.WRITER, Role.READER):
                continue
            standby = Node(
                key=f"{arn}#standby",
                id=node.id,
                type=NodeType.STANDBY,
                role=Role.STANDBY,
                region=node.region,
                az=record.get("SecondaryAvailabilityZone"),
                status=node.status,
                engine=node.engine,
                engine_version=node.engine_version,
                multi_az=True,
                arn=arn,
                raw={"PrimaryAvailabilityZone": node.az},
            )
            node.children.insert(0, standby)

    # -- ordering ----------------------------------------------------------

    def _ordered_roots(self) -> list[Node]:
        roots = self.roots + [n for n in self.externals.values() if self._is_root_external(n)]
        for root in roots:
            _sort_children(root)
        type_rank = {NodeType.GLOBAL_CLUSTER: 0, NodeType.CLUSTER: 1, NodeType.INSTANCE: 2, NodeType.EXTERNAL: 3}
        return sorted(roots, key=lambda n: (type_rank.get(n.type, 9), n.region, n.id))

    def _is_root_external(self, node: Node) -> bool:
        """External sources are roots, unless a global cluster already holds them."""
        return not any(node in g.children for g in self.roots if g.type is NodeType.GLOBAL_CLUSTER)


_CHILD_RANK = {Role.STANDBY: 0, Role.PRIMARY: 1, Role.WRITER: 1, Role.SECONDARY: 2, Role.READER: 2}


def _sort_children(node: Node) -> None:
    if node.type is not NodeType.GLOBAL_CLUSTER:
        node.children.sort(key=lambda c: (_CHILD_RANK.get(c.role, 3), c.region != node.region, c.id))
    for child in node.children:
        _sort_children(child)


def build_topology(
    instances: Iterable[dict[str, Any]],
    clusters: Iterable[dict[str, Any]],
    global_clusters: Iterable[dict[str, Any]],
) -> list[Node]:
    """The forest for one poll. Global clusters first, then clusters, then instances."""
    return TopologyBuilder(instances, clusters, global_clusters).build()
