"""Build one topology tree from the raw describes of every polled region.

Pure functions: no AWS, no clock. Input is what DescribeDBInstances,
DescribeDBClusters, DescribeGlobalClusters and DescribeBlueGreenDeployments
returned in each region; output is a forest of frozen `Node`s named in RDS
terms, and notices for the user.

Real records are trusted for nothing: any field may be missing or odd. A
record that can't be placed costs that record only, with a notice naming it.
Edges are read from both sides, because AWS fills them in at different times:
a cluster's members from its DBClusterMembers *and* from the instances'
DBClusterIdentifier (a Serverless v2 cluster was seen with `DBClusterMembers: []`
while its instances already named it), a replica's source from the replica
*and* from the source's ReadReplica* lists (the only way to see a replica in
a region that is not polled).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from rdstui.core import records
from rdstui.core.arns import kind_words, make_arn, parse_arn
from rdstui.core.model import BlueGreen, Node, NodeType, Replication, Role
from rdstui.core.records import (
    NON_RDS_ENGINES,
    is_multi_az_db_cluster,
    is_serverless_v1,
)


@dataclass
class Described:
    """What one region answered in one poll (the raw records)."""

    region: str
    instances: list[dict[str, Any]] = field(default_factory=list)
    clusters: list[dict[str, Any]] = field(default_factory=list)
    global_clusters: list[dict[str, Any]] = field(default_factory=list)
    blue_green: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the region could not tell


@dataclass(frozen=True)
class Topology:
    roots: tuple[Node, ...]
    notices: tuple[str, ...] = ()


@dataclass(eq=False)
class _Draft:
    """A node while the tree is being put together; frozen at the end."""

    key: str
    id: str
    type: NodeType
    role: Role
    region: str
    az: str | None = None
    status: str = "unknown"
    engine: str | None = None
    engine_version: str | None = None
    multi_az: bool = False
    arn: str | None = None
    lag_metric: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)
    replication: Replication | None = None
    blue_green: BlueGreen | None = None
    notes: list[str] = field(default_factory=list)
    children: list[_Draft] = field(default_factory=list)
    parent: _Draft | None = None

    def freeze(self, account: str | None) -> Node:
        return Node(
            key=self.key,
            id=self.id,
            type=self.type,
            role=self.role,
            region=self.region,
            az=self.az,
            status=self.status,
            engine=self.engine,
            engine_version=self.engine_version,
            multi_az=self.multi_az,
            arn=self.arn,
            lag_metric=self.lag_metric,
            children=tuple(child.freeze(account) for child in self.children),
            raw=MappingProxyType(dict(self.raw)),
            replication=self.replication,
            blue_green=self.blue_green,
            notes=tuple(dict.fromkeys(self.notes)),
            account=account,
        )


class TopologyBuilder:
    """One build: `build()` once per poll.

    `polled`: every region the console polls; `answered`: those whose data
    is in `described` (a polled region that never answered has none).
    """

    def __init__(
        self,
        described: Iterable[Described],
        *,
        polled: Iterable[str] | None = None,
        account_id: str | None = None,
        now: datetime | None = None,
    ) -> None:
        self.described = list(described)
        self.answered = {data.region for data in self.described}
        self.polled = set(polled) if polled is not None else set(self.answered)
        self.account_id = account_id
        self.notices: list[str] = []
        self.drafts: dict[str, _Draft] = {}  # ARN -> draft, instances and clusters
        self.instances: list[tuple[_Draft, Mapping[str, Any]]] = []
        self.clusters: list[tuple[_Draft, Mapping[str, Any]]] = []
        self.globals: list[_Draft] = []
        self.externals: dict[str, _Draft] = {}
        self._by_name: dict[tuple[str, str, str], _Draft] = {}  # (kind, region, id) -> draft
        self._left_out: dict[str, list[str]] = {}  # product -> cluster identifiers left out
        self._left_arns: set[str] = set()

    # -- entry point -------------------------------------------------------

    def build(self) -> Topology:
        for data in self.described:
            for record in data.clusters:
                self._guarded(data.region, "DBCluster", record, self._add_cluster)
            for record in data.instances:
                self._guarded(data.region, "DBInstance", record, self._add_instance)
        global_records = _dedupe_global_clusters(self.described)
        secondaries = self._global_roles(global_records)
        for draft, cluster in self.clusters:
            self._cluster_role(draft, cluster, secondaries)
        self._attach_cluster_members()
        for glob in global_records:
            self._guarded("", "GlobalCluster", glob, self._add_global)
        self._attach_instance_sources()
        self._attach_cluster_sources()
        self._attach_listed_replicas()
        self._attach_standbys()
        self._mark_blue_green()
        self._say_left_out()
        roots = [d for d in [*self.globals, *self.drafts.values(), *self.externals.values()] if d.parent is None]
        return Topology(tuple(draft.freeze(self.account_id) for draft in _ordered(roots)), tuple(self.notices))

    def _guarded(self, region: str, shape: str, record: Any, add: Callable[[str, Mapping[str, Any]], None]) -> None:
        """One record's failure costs that record only, with a notice naming it."""
        try:
            if not isinstance(record, Mapping):
                raise TypeError(f"a {type(record).__name__}, not a record")
            add(region, record)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            ident = records.record_name(record)
            where = f" in {region}" if region else ""
            self.notices.append(f"skipped the {shape} record {ident}{where}: {exc}")

    # -- nodes -------------------------------------------------------------

    def _identity(
        self, region: str, record: Mapping[str, Any], id_field: str, arn_field: str, kind: str
    ) -> tuple[str, str, list[str]]:
        """(identifier, ARN, notes): the ARN is assumed from region and identifier
        when the record's is missing or is not an ARN of this kind."""
        ident = records.text(record, id_field)
        if ident is None:
            raise ValueError(f"it has no {id_field}")
        arn = records.text(record, arn_field)
        parsed = parse_arn(arn)
        if arn is not None and parsed is not None and parsed.kind == kind:
            return ident, arn, []
        why = "no" if arn is None else "a malformed"
        return ident, make_arn(region, kind, ident, self.account_id), [f"its record has {why} {arn_field}: ARN assumed"]

    def _left(self, engine: str | None, ident: str, kind: str) -> bool:
        product = NON_RDS_ENGINES.get(engine or "")
        if product is None:
            return False
        if kind == "cluster":
            self._left_out.setdefault(product, []).append(ident)
        return True

    def _register(self, kind: str, draft: _Draft) -> None:
        if draft.key in self.drafts:
            raise ValueError(f"{draft.key} is described twice")
        self.drafts[draft.key] = draft
        self._by_name[(kind, draft.region, draft.id.lower())] = draft

    def _add_cluster(self, region: str, record: Mapping[str, Any]) -> None:
        ident, arn, notes = self._identity(region, record, "DBClusterIdentifier", "DBClusterArn", "cluster")
        engine = records.text(record, "Engine")
        if self._left(engine, ident, "cluster"):
            self._left_arns.add(arn)
            return
        draft = _Draft(
            key=arn,
            id=ident,
            type=NodeType.CLUSTER,
            role=Role.PRIMARY,
            region=records.region_of(arn, region),
            status=records.text(record, "Status") or "unknown",
            engine=engine,
            engine_version=records.text(record, "EngineVersion"),
            multi_az=bool(record.get("MultiAZ")),
            arn=arn,
            raw=record,
            notes=notes,
        )
        if is_serverless_v1(record):
            capacity = record.get("Capacity")
            draft.notes.append(
                "Aurora Serverless v1: no DB instances" + (f", {capacity} ACU now" if capacity is not None else "")
            )
        self._register("cluster", draft)
        self.clusters.append((draft, record))

    def _add_instance(self, region: str, record: Mapping[str, Any]) -> None:
        ident, arn, notes = self._identity(region, record, "DBInstanceIdentifier", "DBInstanceArn", "db")
        engine = records.text(record, "Engine")
        if self._left(engine, ident, "db"):
            self._left_arns.add(arn)
            return
        replica = bool(records.text(record, "ReadReplicaSourceDBInstanceIdentifier") or records.text(record, "ReadReplicaSourceDBClusterIdentifier"))
        draft = _Draft(
            key=arn,
            id=ident,
            type=NodeType.INSTANCE,
            role=Role.REPLICA if replica else Role.PRIMARY,
            region=records.region_of(arn, region),
            az=records.text(record, "AvailabilityZone"),
            status=records.text(record, "DBInstanceStatus") or "unknown",
            engine=engine,
            engine_version=records.text(record, "EngineVersion"),
            multi_az=bool(record.get("MultiAZ")),
            arn=arn,
            lag_metric="ReplicaLag" if replica else None,
            raw=record,
            replication=records.status_infos(record),
            notes=notes + records.instance_notes(record),
        )
        self._register("db", draft)
        self.instances.append((draft, record))

    def _global_roles(self, globals_: list[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
        """Cluster ARN -> its GlobalClusterMembers entry, for secondaries (non-writers)."""
        found: dict[str, Mapping[str, Any]] = {}
        for record in globals_:
            for member in records.members(record, "GlobalClusterMembers"):
                arn = records.text(member, "DBClusterArn")
                if arn and not member.get("IsWriter"):
                    found[arn] = member
        return found

    def _cluster_role(self, draft: _Draft, record: Mapping[str, Any], secondaries: Mapping[str, Mapping[str, Any]]) -> None:
        source = records.text(record, "ReplicationSourceIdentifier")
        if draft.key in secondaries:
            draft.role, draft.lag_metric = Role.SECONDARY, "AuroraGlobalDBReplicationLag"
            draft.replication = records.synchronization(secondaries[draft.key])
        elif source:
            draft.role = Role.REPLICA
            draft.lag_metric = records.replica_cluster_lag(draft.engine, source)

    def _add_global(self, _region: str, record: Mapping[str, Any]) -> None:
        ident = records.text(record, "GlobalClusterIdentifier")
        if ident is None:
            raise ValueError("it has no GlobalClusterIdentifier")
        arn = records.text(record, "GlobalClusterArn")
        draft = _Draft(
            key=arn or f"global:{ident}",
            id=ident,
            type=NodeType.GLOBAL_CLUSTER,
            role=Role.GLOBAL,
            region="global",
            status=records.text(record, "Status") or "unknown",
            engine=records.text(record, "Engine"),
            engine_version=records.text(record, "EngineVersion"),
            arn=arn,
            raw=record,
        )
        members = sorted(records.members(record, "GlobalClusterMembers"), key=lambda m: not m.get("IsWriter"))
        for member in members:
            member_arn = records.text(member, "DBClusterArn")
            if member_arn is None:
                continue
            child = self.drafts.get(member_arn) or self._external(member_arn, "member")
            self._attach(draft, child)
            if member.get("IsWriter"):
                draft.region = child.region
        failover = record.get("FailoverState")
        if isinstance(failover, Mapping) and failover:
            draft.notes.append(records.failover_note(failover))
            source = parse_arn(failover.get("FromDbClusterArn"))
            if draft.region == "global" and source is not None:  # mid-move no member is the writer
                draft.region = source.region
        self.globals.append(draft)

    def _external(self, arn: str, relation: str) -> _Draft:
        """A placeholder for something referenced but not described."""
        found = self.externals.get(arn)
        if found is not None:
            return found
        parsed = parse_arn(arn)
        region = parsed.region if parsed else "unknown"
        kind = kind_words(arn)
        if region not in self.polled:
            status, note = "not polled", f"in {region}, which is not polled: add --region {region} to see it"
        elif region not in self.answered:
            status, note = "no data", f"{region} has not answered yet"
        else:
            status, note = "not found", f"{relation} not found in {region}: it may have been deleted or renamed"
        draft = _Draft(
            key=f"external:{arn}",
            id=parsed.identifier if parsed else arn,
            type=NodeType.EXTERNAL,
            role=Role.EXTERNAL,
            region=region,
            status=status,
            arn=arn if parsed else None,
            raw={"Kind": kind, "Relation": relation},
            notes=[note],
        )
        self.externals[arn] = draft
        return draft

    def _resolve(self, kind: str, ref: str, region: str) -> str:
        """An ARN for a reference that is either an ARN or an identifier in `region`."""
        if ref.startswith("arn:"):
            return ref
        found = self._by_name.get((kind, region, ref.lower()))
        return found.key if found else make_arn(region, kind, ref, self.account_id)

    def _lookup(self, kind: str, ref: str, region: str, relation: str) -> _Draft:
        arn = self._resolve(kind, ref, region)
        return self.drafts.get(arn) or self._external(arn, relation)

    # -- edges -------------------------------------------------------------

    def _attach(self, parent: _Draft, child: _Draft) -> bool:
        """Put `child` under `parent`, unless it already has a parent or that would make a loop."""
        if child.parent is not None or child is parent:
            return False
        ancestor: _Draft | None = parent
        while ancestor is not None:
            if ancestor is child:
                return False
            ancestor = ancestor.parent
        parent.children.append(child)
        child.parent = parent
        return True

    def _attach_cluster_members(self) -> None:
        """Members under their cluster, writer first: from DBClusterMembers and from
        each instance's DBClusterIdentifier."""
        by_cluster: dict[tuple[str, str], list[_Draft]] = {}
        for draft, record in self.instances:
            cluster_id = records.text(record, "DBClusterIdentifier")
            if cluster_id:
                by_cluster.setdefault((draft.region, cluster_id.lower()), []).append(draft)
        for cluster, record in self.clusters:
            listed = {
                ident.lower(): member
                for member in records.members(record, "DBClusterMembers")
                if (ident := records.text(member, "DBInstanceIdentifier"))
            }
            claimed = {d.id.lower(): d for d in by_cluster.pop((cluster.region, cluster.id.lower()), [])}
            for ident in dict.fromkeys([*listed, *claimed]):
                member = self._by_name.get(("db", cluster.region, ident))
                if member is None:
                    continue  # listed, but not described (yet)
                self._member_role(cluster, member, listed.get(ident), record)
                self._attach(cluster, member)
            if claimed and not listed:
                cluster.notes.append("DBClusterMembers is empty: members found from their DBClusterIdentifier")
        for (region, cluster_id), orphans in by_cluster.items():
            placeholder = self._external(make_arn(region, "cluster", cluster_id, self.account_id), "cluster")
            for orphan in orphans:
                orphan.role = Role.MEMBER
                self._attach(placeholder, orphan)

    def _member_role(self, cluster: _Draft, member: _Draft, listed: Mapping[str, Any] | None, record: Mapping[str, Any]) -> None:
        reader_lag = "ReplicaLag" if is_multi_az_db_cluster(record) else "AuroraReplicaLag"
        if listed is None:
            member.role, member.lag_metric = Role.MEMBER, reader_lag
            member.notes.append(f"not in {cluster.id}'s DBClusterMembers yet: writer or reader unknown")
            return
        # A global secondary has no writer, whatever its member list claims.
        writer = bool(listed.get("IsClusterWriter")) and cluster.role is not Role.SECONDARY
        member.role = Role.WRITER if writer else Role.READER
        member.lag_metric = None if writer else reader_lag
        if listed.get("DBClusterParameterGroupStatus") == "pending-reboot":
            member.notes.append("cluster parameter group changes wait for a reboot")

    def _attach_instance_sources(self) -> None:
        for draft, record in self.instances:
            if draft.parent is not None:
                continue
            source = records.text(record, "ReadReplicaSourceDBInstanceIdentifier")
            cluster_source = records.text(record, "ReadReplicaSourceDBClusterIdentifier")
            if source:
                self._attach(self._lookup("db", source, draft.region, "source"), draft)
            elif cluster_source:
                self._attach(self._lookup("cluster", cluster_source, draft.region, "source"), draft)

    def _attach_cluster_sources(self) -> None:
        for draft, record in self.clusters:
            source = records.text(record, "ReplicationSourceIdentifier")
            if draft.parent is not None or draft.role is not Role.REPLICA or not source:
                continue
            parsed = parse_arn(source)
            kind = parsed.kind if parsed else "cluster"
            self._attach(self._lookup(kind, source, draft.region, "source"), draft)

    def _attach_listed_replicas(self) -> None:
        """Replicas a source lists that were not described: placeholders under the source."""
        listings = [
            (draft, "db", records.texts(record, "ReadReplicaDBInstanceIdentifiers"))
            for draft, record in self.instances
        ] + [
            (draft, "cluster", records.texts(record, "ReadReplicaDBClusterIdentifiers"))
            for draft, record in self.instances
        ] + [
            (draft, "cluster", records.texts(record, "ReadReplicaIdentifiers"))
            for draft, record in self.clusters
        ]
        for source, kind, refs in listings:
            for ref in refs:
                parsed = parse_arn(ref)
                arn = self._resolve(parsed.kind if parsed else kind, ref, source.region)
                if arn in self.drafts or arn in self._left_arns:
                    continue  # described (placed from its own side), or not an RDS database
                replica = self._external(arn, "replica")
                if replica.raw.get("Relation") == "replica":
                    self._attach(source, replica)

    def _attach_standbys(self) -> None:
        """The invisible Multi-AZ standby of a primary or replica, shown as its first child."""
        for draft, record in self.instances:
            if not record.get("MultiAZ") or draft.role in (Role.WRITER, Role.READER, Role.MEMBER):
                continue
            standby = _Draft(
                key=f"{draft.key}#standby",
                id=draft.id,
                type=NodeType.STANDBY,
                role=Role.STANDBY,
                region=draft.region,
                az=records.text(record, "SecondaryAvailabilityZone"),
                status=draft.status,
                engine=draft.engine,
                engine_version=draft.engine_version,
                multi_az=True,
                arn=draft.arn,
                raw={"PrimaryAvailabilityZone": draft.az},
            )
            draft.children.insert(0, standby)
            standby.parent = draft

    def _mark_blue_green(self) -> None:
        for data in self.described:
            for record in data.blue_green:
                self._guarded(data.region, "BlueGreenDeployment", record, self._blue_green)

    def _blue_green(self, region: str, record: Mapping[str, Any]) -> None:
        ident = records.text(record, "BlueGreenDeploymentIdentifier")
        if ident is None:
            raise ValueError("it has no BlueGreenDeploymentIdentifier")
        name, status = records.text(record, "BlueGreenDeploymentName"), records.text(record, "Status") or "unknown"
        pairs: list[tuple[str | None, str | None, str | None]] = [
            (records.text(record, "Source"), records.text(record, "Target"), None)
        ]
        for detail in records.members(record, "SwitchoverDetails"):
            pairs.append((records.text(detail, "SourceMember"), records.text(detail, "TargetMember"), records.text(detail, "Status")))
        for blue, green, member_status in pairs:
            for arn, role, partner in ((blue, "blue", green), (green, "green", blue)):
                draft = self.drafts.get(arn or "")
                if draft is not None and (draft.blue_green is None or member_status is not None):
                    draft.blue_green = BlueGreen(ident, name, role, status, member_status, partner)

    def _say_left_out(self) -> None:
        for product, idents in sorted(self._left_out.items()):
            names = ", ".join(sorted(idents)[:5]) + (" …" if len(idents) > 5 else "")
            plural = "s" if len(idents) != 1 else ""
            self.notices.append(
                f"left out {len(idents)} {product} cluster{plural} ({names}): not RDS databases, "
                "so no RDS metrics or actions"
            )


def _dedupe_global_clusters(described: list[Described]) -> list[Mapping[str, Any]]:
    """Global clusters are account-wide: every region reports them; keep one of each."""
    seen: dict[str, Mapping[str, Any]] = {}
    for data in described:
        for item in data.global_clusters:
            if isinstance(item, Mapping):
                key = records.text(item, "GlobalClusterArn") or records.text(item, "GlobalClusterIdentifier") or repr(item)
                seen.setdefault(key, item)
    return list(seen.values())


# -- ordering ----------------------------------------------------------------

_ROOT_RANK = {NodeType.GLOBAL_CLUSTER: 0, NodeType.CLUSTER: 1, NodeType.INSTANCE: 2, NodeType.EXTERNAL: 3}
_CHILD_RANK = {Role.STANDBY: 0, Role.PRIMARY: 1, Role.WRITER: 1, Role.SECONDARY: 2, Role.READER: 2, Role.MEMBER: 2}


def _ordered(roots: list[_Draft]) -> list[_Draft]:
    for root in roots:
        _sort_children(root)
    return sorted(roots, key=lambda d: (_ROOT_RANK.get(d.type, 9), d.region, d.id))


def _sort_children(draft: _Draft) -> None:
    if draft.type is not NodeType.GLOBAL_CLUSTER:
        draft.children.sort(key=lambda c: (_CHILD_RANK.get(c.role, 3), c.region != draft.region, c.id))
    for child in draft.children:
        _sort_children(child)


def build_topology(
    described: Iterable[Described],
    *,
    polled: Iterable[str] | None = None,
    account_id: str | None = None,
) -> Topology:
    """The forest for one poll: global databases, then clusters, then instances, then placeholders."""
    return TopologyBuilder(described, polled=polled, account_id=account_id).build()
