"""The fault proxy: real requests through it to moto, asserting what the clients see."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError
from faultproxy import (
    FaultProxy,
    Rule,
    down,
    drop,
    error,
    fault_proxy,  # noqa: F401
    http_status,
    malformed,
    rewrite,
    slow,
    throttle,
)
from support import free_port

KEYS = {"aws_access_key_id": "demo", "aws_secret_access_key": "demo"}


def config(**extra) -> Config:
    return Config(retries={"total_max_attempts": 1}, disable_request_compression=True, **extra)


@pytest.fixture
def client(fault_proxy: FaultProxy):
    """boto3 clients through the proxy: client('rds', 'eu-west-1')."""

    def make(service: str, region: str = "us-east-1", **extra):
        return boto3.client(
            service, region_name=region, endpoint_url=fault_proxy.url, config=config(**extra), **KEYS
        )

    return make


def cpu_query() -> dict:
    """GetMetricData parameters: five minutes of one RDS metric."""
    now = datetime.now(timezone.utc)
    stat = {"Metric": {"Namespace": "AWS/RDS", "MetricName": "CPUUtilization"}, "Period": 60, "Stat": "Average"}
    queries = [{"Id": "cpu", "MetricStat": stat}]
    return {"MetricDataQueries": queries, "StartTime": now - timedelta(minutes=5), "EndTime": now}


def metric_data(cloudwatch) -> dict:
    return cloudwatch.get_metric_data(**cpu_query())


# One read-only call per service and protocol, and the operation name the proxy sees.
CALLS = {
    "rds": ("DescribeDBInstances", lambda c: c.describe_db_instances()),
    "sts": ("GetCallerIdentity", lambda c: c.get_caller_identity()),
    "cloudwatch": ("GetMetricData", metric_data),
    "ec2": ("DescribeRegions", lambda c: c.describe_regions()),
}


def create_instance(rds, name: str = "db1") -> None:
    rds.create_db_instance(
        DBInstanceIdentifier=name, Engine="postgres", DBInstanceClass="db.t3.micro",
        MasterUsername="admin", MasterUserPassword="password123", AllocatedStorage=20,
    )


def test_forwards_untouched_and_counts(client, fault_proxy: FaultProxy) -> None:
    rds = client("rds", "eu-west-1")
    create_instance(rds)
    assert [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]] == ["db1"]
    assert client("sts").get_caller_identity()["Account"]
    assert "MetricDataResults" in metric_data(client("cloudwatch", "ap-south-1"))

    assert [(c.service, c.operation, c.region, c.protocol) for c in fault_proxy.calls] == [
        ("rds", "CreateDBInstance", "eu-west-1", "query"),
        ("rds", "DescribeDBInstances", "eu-west-1", "query"),
        ("sts", "GetCallerIdentity", "us-east-1", "query"),
        ("monitoring", "GetMetricData", "ap-south-1", "json"),  # botocore 1.43 picks JSON for CloudWatch
    ]
    assert fault_proxy.count() == fault_proxy.forwarded() == 4
    assert fault_proxy.count(service="rds", region="eu-west-1") == 2
    assert fault_proxy.count(service="cloudwatch") == fault_proxy.count(service="monitoring") == 1
    fault_proxy.reset_counts()
    assert fault_proxy.count() == 0
    assert not fault_proxy.errors


FAULTS = [
    (throttle(), "Throttling", "Rate exceeded", 400),
    (throttle("ThrottlingException", "Slow down"), "ThrottlingException", "Slow down", 400),
    (error("AccessDenied", "User: demo is not authorized", 403), "AccessDenied", "User: demo is not authorized", 403),
    (error("ExpiredToken", "The security token included in the request is expired", 403),
     "ExpiredToken", "The security token included in the request is expired", 403),
]


@pytest.mark.parametrize("service", ["rds", "sts", "cloudwatch", "ec2"])
@pytest.mark.parametrize(("action", "code", "message", "status"), FAULTS, ids=lambda v: getattr(v, "code", None))
def test_errors_in_each_protocol(client, fault_proxy: FaultProxy, service, action, code, message, status) -> None:
    operation, call = CALLS[service]
    fault_proxy.add(Rule(action, service=service, operation=operation))
    with pytest.raises(ClientError) as raised:
        call(client(service))
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["Error"]["Message"] == message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert raised.value.operation_name == operation
    assert fault_proxy.count(operation=operation) == 1 and fault_proxy.forwarded() == 0


def test_codes_and_messages_come_through_exactly(client, fault_proxy: FaultProxy) -> None:
    # XML 1.0 cannot carry ESC (0x1b), not even as &#27;: use the 8-bit CSI (0x9b) there.
    tricky = 'state <b>&"x" [red]boom[/red] \x9b31m'
    fault_proxy.add(Rule(error("InvalidDBInstanceState", tricky), service="rds"))
    with pytest.raises(ClientError) as raised:
        client("rds").describe_db_instances()
    assert raised.value.response["Error"] == {"Type": "Sender", "Code": "InvalidDBInstanceState", "Message": tricky}

    # JSON carries ESC; a code with '#' or ':' survives thanks to the x-amzn-query-error header.
    fault_proxy.add(Rule(error("Odd#Code:x", "\x1b[31mred\x1b[0m [b]"), service="cloudwatch"))
    with pytest.raises(ClientError) as raised:
        metric_data(client("cloudwatch"))
    assert raised.value.response["Error"]["Code"] == "Odd#Code:x"
    assert raised.value.response["Error"]["Message"] == "\x1b[31mred\x1b[0m [b]"


@pytest.mark.parametrize("service", ["rds", "cloudwatch"])
def test_http_500_with_an_html_body(client, fault_proxy: FaultProxy, service) -> None:
    operation, call = CALLS[service]
    fault_proxy.add(Rule(http_status(500)))
    with pytest.raises(ClientError) as raised:
        call(client(service))
    assert raised.value.response["Error"] == {"Code": "500", "Message": "Internal Server Error"}


def test_malformed_bodies(client, fault_proxy: FaultProxy) -> None:
    fault_proxy.add(Rule(malformed(), service="rds"))
    with pytest.raises(ResponseParserError):
        client("rds").describe_db_instances()

    # botocore's JSON parser never raises on a bad body: at 200 it reads as an empty result...
    rule = fault_proxy.add(Rule(malformed(body=b"{not json"), service="cloudwatch"))
    assert "MetricDataResults" not in metric_data(client("cloudwatch"))
    # ...and at 4xx the code is the status and the message the raw body.
    fault_proxy.remove(rule)
    fault_proxy.add(Rule(malformed(400, b"{not json"), service="cloudwatch"))
    with pytest.raises(ClientError) as raised:
        metric_data(client("cloudwatch"))
    assert raised.value.response["Error"] == {"Code": "400", "Message": "{not json"}


def test_slow_fires_the_read_timeout_then_forwards(client, fault_proxy: FaultProxy) -> None:
    fault_proxy.add(Rule(slow(2.0), operation="DescribeDBInstances", times=1))
    rds = client("rds", read_timeout=0.3)
    started = time.monotonic()
    with pytest.raises(ReadTimeoutError):
        rds.describe_db_instances()
    assert time.monotonic() - started < 1.5
    assert fault_proxy.count() == 1 and fault_proxy.forwarded() == 0  # still waiting

    fault_proxy.add(Rule(slow(0.2), operation="DescribeDBInstances"))
    started = time.monotonic()
    assert client("rds").describe_db_instances()["DBInstances"] == []
    assert time.monotonic() - started >= 0.2


def test_drop_and_down(client, fault_proxy: FaultProxy) -> None:
    rds = client("rds", "eu-west-1")
    dropped = fault_proxy.add(Rule(drop(), operation="DescribeDBInstances"))
    with pytest.raises(ConnectionClosedError):
        rds.describe_db_instances()
    fault_proxy.remove(dropped)

    # One region's endpoint gone and back; boto3 (urllib3) reports a reset as ConnectionClosedError.
    gone = fault_proxy.add(Rule(down(), region="eu-west-1"))
    with pytest.raises(ConnectionClosedError):
        rds.describe_db_instances()
    assert client("rds", "us-east-1").describe_db_instances()["DBInstances"] == []
    fault_proxy.remove(gone)
    assert rds.describe_db_instances()["DBInstances"] == []

    assert fault_proxy.count(region="eu-west-1") == 3
    assert fault_proxy.forwarded(region="eu-west-1") == 1
    assert not fault_proxy.errors


def test_times_makes_a_transient_fault(client, fault_proxy: FaultProxy) -> None:
    rule = fault_proxy.add(Rule(throttle(), service="rds", times=2))
    rds = client("rds")
    for _ in range(2):
        with pytest.raises(ClientError, match="Throttling"):
            rds.describe_db_instances()
    assert rds.describe_db_instances()["DBInstances"] == []
    assert (rule.hits, rule.times) == (2, 0)
    assert fault_proxy.count(operation="DescribeDBInstances") == 3
    assert fault_proxy.forwarded(operation="DescribeDBInstances") == 1
    assert [call.rule is rule for call in fault_proxy.calls] == [True, True, False]


def test_rewrite_changes_a_field(client, fault_proxy: FaultProxy) -> None:
    rds = client("rds")
    create_instance(rds, "db1")
    seen: list[str] = []

    def bracket(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
        seen.append(headers.get("Content-Type", ""))
        body = body.replace(b"<DBInstanceIdentifier>db1<", b"<DBInstanceIdentifier>[bold]db1[/bold] \xc2\x9b2J<")
        return body, {**headers, "x-test": "rewritten"}

    fault_proxy.add(Rule(rewrite(bracket), operation="DescribeDBInstances"))
    described = rds.describe_db_instances()
    assert described["DBInstances"][0]["DBInstanceIdentifier"] == "[bold]db1[/bold] \x9b2J"
    assert described["ResponseMetadata"]["HTTPHeaders"]["x-test"] == "rewritten"
    assert seen and fault_proxy.forwarded(operation="DescribeDBInstances") == 1

    fault_proxy.clear()
    fault_proxy.add(rewrite(lambda body, _: body.replace(b"postgres", b"mysql")), operation="DescribeDBInstances")
    assert rds.describe_db_instances()["DBInstances"][0]["Engine"] == "mysql"


def test_matching_hits_only_the_intended_calls(client, fault_proxy: FaultProxy) -> None:
    fault_proxy.add(Rule(error("AccessDenied", "no", 403), operation="DescribeDBClusters", region="eu-west-1"))
    fault_proxy.add(Rule(throttle(), service="cloudwatch", region="us-west-2"))
    eu, us = client("rds", "eu-west-1"), client("rds", "us-east-1")
    assert eu.describe_db_instances()["DBInstances"] == []
    assert us.describe_db_clusters()["DBClusters"] == []
    with pytest.raises(ClientError, match="AccessDenied"):
        eu.describe_db_clusters()
    assert "MetricDataResults" in metric_data(client("cloudwatch", "us-east-1"))
    with pytest.raises(ClientError, match="Throttling"):
        metric_data(client("cloudwatch", "us-west-2"))
    assert client("sts", "us-west-2").get_caller_identity()["Account"]

    assert fault_proxy.count(operation="DescribeDBClusters") == 2
    assert fault_proxy.forwarded(operation="DescribeDBClusters") == 1
    assert fault_proxy.forwarded(region="us-west-2") == 1  # only STS got through there


def test_exactly_one_failover_is_sent(client, fault_proxy: FaultProxy) -> None:
    rds = client("rds")
    rds.create_db_cluster(
        DBClusterIdentifier="c1", Engine="aurora-postgresql", MasterUsername="admin", MasterUserPassword="password123"
    )
    with pytest.raises(ClientError):  # moto: a cluster without instances cannot fail over
        rds.failover_db_cluster(DBClusterIdentifier="c1")
    assert fault_proxy.count(operation="FailoverDBCluster") == fault_proxy.forwarded(operation="FailoverDBCluster") == 1


def test_dead_upstream_is_a_502_and_nothing_is_printed(capfd) -> None:
    with FaultProxy(f"http://127.0.0.1:{free_port()}") as proxy:
        options = config(read_timeout=0.2)
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=proxy.url, config=options, **KEYS)
        with pytest.raises(ClientError) as raised:
            rds.describe_db_instances()
        assert raised.value.response["Error"]["Code"] == "502"
        assert proxy.count() == 1 and proxy.forwarded() == 0

        for action in (drop(), down(), slow(0.4)):  # a client gone mid-reply must not print either
            rule = proxy.add(action)
            with pytest.raises((ConnectionClosedError, ReadTimeoutError)):
                rds.describe_db_instances()
            proxy.remove(rule)
        time.sleep(0.5)
        assert not proxy.errors
    assert capfd.readouterr().err == ""


async def test_aiobotocore_sees_the_same_faults(fault_proxy: FaultProxy) -> None:
    session = get_session()

    def make(service: str, **extra):
        options = AioConfig(retries={"total_max_attempts": 1}, disable_request_compression=True, **extra)
        return session.create_client(
            service, region_name="eu-west-1", endpoint_url=fault_proxy.url, config=options, **KEYS
        )

    async with make("rds") as rds, make("rds", read_timeout=0.3) as impatient, make("cloudwatch") as cloudwatch:
        assert (await rds.describe_db_instances())["DBInstances"] == []

        fault_proxy.add(Rule(throttle(), operation="DescribeDBInstances", times=1))
        with pytest.raises(ClientError) as raised:
            await rds.describe_db_instances()
        assert raised.value.response["Error"]["Code"] == "Throttling"

        fault_proxy.add(Rule(error("AccessDenied", "no metrics for you", 403), service="cloudwatch", times=1))
        with pytest.raises(ClientError) as raised:
            await cloudwatch.get_metric_data(**cpu_query())
        assert raised.value.response["Error"] == {
            "Code": "AccessDenied", "Message": "no metrics for you", "QueryErrorCode": "AccessDenied", "Type": "Sender"
        }

        # aiohttp tells a reset (down: nothing sent) from a close after the request (drop: maybe sent).
        for action, expected in ((down(), EndpointConnectionError), (drop(), ConnectionClosedError),
                                 (slow(2.0), ReadTimeoutError)):
            rule = fault_proxy.add(Rule(action, region="eu-west-1"))
            with pytest.raises(expected):
                await impatient.describe_db_instances()
            fault_proxy.remove(rule)
        assert (await rds.describe_db_instances())["DBInstances"] == []

    assert fault_proxy.count(operation="DescribeDBInstances") == 6
    assert fault_proxy.forwarded(operation="DescribeDBInstances") == 2
    assert not fault_proxy.errors
