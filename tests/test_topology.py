"""The topology builder over what a real moto server answers."""

from __future__ import annotations

import asyncio

import pytest

from rdstui.core.discovery import describe_region
from rdstui.core.model import Node, NodeType, Role
from rdstui.core.topology import Described, build_topology

EAST, WEST = "us-east-1", "us-west-2"


def instance(rds, name: str, engine: str = "postgres", **extra) -> dict:
    return rds.create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass="db.r6g.large",
        Engine=engine,
        AllocatedStorage=100,
        MasterUsername="admin",
        MasterUserPassword="password123",
        **extra,
    )["DBInstance"]


async def topology(factory, *regions: str) -> tuple[Node, ...]:
    data = await asyncio.gather(*(describe_region(factory, region) for region in regions))
    return build_topology(data).roots


def built(instances=(), clusters=(), globals_=(), *, polled=None) -> tuple[Node, ...]:
    """The tree of hand-written records, each placed in its ARN's region."""
    regions: dict[str, Described] = {}
    for kind, records in (("instances", instances), ("clusters", clusters), ("global_clusters", globals_)):
        for record in records:
            arn = record.get("DBInstanceArn") or record.get("DBClusterArn") or "arn:aws:rds:us-east-1::x:x"
            region = arn.split(":")[3]
            getattr(regions.setdefault(region, Described(region)), kind).append(record)
    return build_topology(list(regions.values()), polled=polled).roots


def by_id(roots: tuple[Node, ...], ident: str, type_: NodeType | None = None) -> Node:
    for root in roots:
        for node in root.walk():
            if node.id == ident and (type_ is None or node.type is type_):
                return node
    raise AssertionError(f"{ident} not in tree")


def shape(node: Node) -> list:
    """(id, type, role) nested, for whole-tree assertions."""
    return [node.id, node.type.value, node.role.value, [shape(c) for c in node.children]]


@pytest.fixture
def replicas_fleet(aws):
    east, west = aws("rds", EAST), aws("rds", WEST)
    primary = instance(east, "orders", MultiAZ=True)
    east.create_db_instance_read_replica(DBInstanceIdentifier="orders-ro1", SourceDBInstanceIdentifier="orders")
    east.create_db_instance_read_replica(
        DBInstanceIdentifier="orders-ro1-cascade", SourceDBInstanceIdentifier="orders-ro1"
    )
    west.create_db_instance_read_replica(
        DBInstanceIdentifier="orders-dr",
        SourceDBInstanceIdentifier=primary["DBInstanceArn"],
        SourceRegion=EAST,
    )
    instance(east, "lonely", engine="mysql")


async def test_replicas_cascade_and_cross_region_nest_under_their_source(factory, replicas_fleet):
    roots = await topology(factory, EAST, WEST)
    orders = by_id(roots, "orders", NodeType.INSTANCE)
    assert orders in roots and orders.role is Role.PRIMARY and orders.multi_az
    assert [(c.id, c.role.value, c.region) for c in orders.children] == [
        ("orders", "standby", EAST),
        ("orders-ro1", "replica", EAST),
        ("orders-dr", "replica", WEST),
    ]
    cascade = by_id(roots, "orders-ro1-cascade")
    assert cascade in by_id(roots, "orders-ro1").children
    assert cascade.role is Role.REPLICA and cascade.lag_metric == "ReplicaLag"
    assert by_id(roots, "lonely") in roots and by_id(roots, "lonely").role is Role.PRIMARY
    assert orders.lag_metric is None


async def test_replica_whose_source_is_not_polled_hangs_under_an_external_placeholder(
    factory, replicas_fleet
):
    roots = await topology(factory, WEST)
    assert len(roots) == 1
    external = roots[0]
    assert (external.type, external.role, external.id, external.region) == (
        NodeType.EXTERNAL, Role.EXTERNAL, "orders", EAST,
    )
    assert [c.id for c in external.children] == ["orders-dr"]


async def test_standby_carries_primary_id_and_secondary_az(factory, aws):
    rds = aws("rds", EAST)
    instance(rds, "orders", MultiAZ=True)
    roots = await topology(factory, EAST)
    standby = roots[0].children[0]
    assert standby.type is NodeType.STANDBY and standby.id == "orders"
    assert standby.key != roots[0].key and standby.lag_metric is None


@pytest.fixture
def global_fleet(aws):
    east, west = aws("rds", EAST), aws("rds", WEST)
    east.create_global_cluster(GlobalClusterIdentifier="pay-global", Engine="aurora-postgresql")
    for rds, name in ((east, "pay-east"), (west, "pay-west")):
        rds.create_db_cluster(
            DBClusterIdentifier=name,
            Engine="aurora-postgresql",
            GlobalClusterIdentifier="pay-global",
            MasterUsername="admin",
            MasterUserPassword="password123",
        )
    for rds, name, count in ((east, "pay-east", 3), (west, "pay-west", 2)):
        for n in range(count):
            rds.create_db_instance(
                DBInstanceIdentifier=f"{name}-{n}",
                DBClusterIdentifier=name,
                DBInstanceClass="db.r6g.large",
                Engine="aurora-postgresql",
            )


async def test_global_database_spans_regions_primary_first_secondary_has_no_writer(
    factory, global_fleet
):
    roots = await topology(factory, EAST, WEST)
    assert shape(roots[0]) == [
        "pay-global", "global-cluster", "global", [
            ["pay-east", "cluster", "primary", [
                ["pay-east-0", "instance", "writer", []],
                ["pay-east-1", "instance", "reader", []],
                ["pay-east-2", "instance", "reader", []],
            ]],
            ["pay-west", "cluster", "secondary", [
                ["pay-west-0", "instance", "reader", []],
                ["pay-west-1", "instance", "reader", []],
            ]],
        ],
    ]
    assert roots[0].region == EAST
    assert by_id(roots, "pay-west").lag_metric == "AuroraGlobalDBReplicationLag"
    assert by_id(roots, "pay-west-0").lag_metric == "AuroraReplicaLag"
    assert by_id(roots, "pay-east-0").lag_metric is None
    assert by_id(roots, "pay-west").az is None
    assert len(roots) == 1, "member clusters must not also appear as roots"


async def test_global_member_in_unpolled_region_is_an_external_placeholder(factory, global_fleet):
    roots = await topology(factory, EAST)
    members = roots[0].children
    assert [(m.id, m.type.value) for m in members] == [("pay-east", "cluster"), ("pay-west", "external")]
    assert len(roots) == 1


async def test_every_page_of_instances_is_read(factory, aws):
    rds = aws("rds", EAST)
    for n in range(130):
        instance(rds, f"db-{n:03d}", engine="mysql")
    roots = await topology(factory, EAST)
    assert len(roots) == 130


def test_multi_az_db_cluster_has_one_writer_and_two_readable_standbys():
    arn = "arn:aws:rds:us-east-1:123456789012"
    members = [
        {"DBInstanceIdentifier": f"inv-{n}", "IsClusterWriter": n == 1} for n in range(3)
    ]
    cluster = {
        "DBClusterIdentifier": "inv", "DBClusterArn": f"{arn}:cluster:inv", "Engine": "mysql",
        "DBClusterInstanceClass": "db.m6gd.large", "MultiAZ": True, "DBClusterMembers": members,
        "Status": "available",
    }
    instances = [
        {"DBInstanceIdentifier": f"inv-{n}", "DBInstanceArn": f"{arn}:db:inv-{n}", "Engine": "mysql",
         "DBClusterIdentifier": "inv", "AvailabilityZone": f"us-east-1{'abc'[n]}",
         "DBInstanceStatus": "available"}
        for n in range(3)
    ]
    roots = built(instances, [cluster])
    assert shape(roots[0]) == ["inv", "cluster", "primary", [
        ["inv-1", "instance", "writer", []],
        ["inv-0", "instance", "reader", []],
        ["inv-2", "instance", "reader", []],
    ]]
    assert [c.lag_metric for c in roots[0].children] == [None, "ReplicaLag", "ReplicaLag"]
    assert [c.az for c in roots[0].children] == ["us-east-1b", "us-east-1a", "us-east-1c"]


def test_cross_region_aurora_replica_cluster_nests_under_its_source():
    east, west = "arn:aws:rds:us-east-1:1", "arn:aws:rds:eu-west-1:1"
    source = {"DBClusterIdentifier": "search", "DBClusterArn": f"{east}:cluster:search",
              "Engine": "aurora-mysql", "DBClusterMembers": []}
    replica = {"DBClusterIdentifier": "search-eu", "DBClusterArn": f"{west}:cluster:search-eu",
               "Engine": "aurora-mysql", "ReplicationSourceIdentifier": f"{east}:cluster:search",
               "DBClusterMembers": []}
    roots = built([], [source, replica])
    assert shape(roots[0]) == ["search", "cluster", "primary", [["search-eu", "cluster", "replica", []]]]
    assert roots[0].children[0].lag_metric == "AuroraBinlogReplicaLag"
    alone = built([], [replica], polled=["eu-west-1"])
    assert shape(alone[0]) == ["search", "external", "external", [["search-eu", "cluster", "replica", []]]]
