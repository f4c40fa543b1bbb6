"""Redacting a recording (`--record FILE --redact`): nothing personal or account-specific
survives, the names that make the console's picture do, and references still link up."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from support import strings

from rdstui.core.redact import Redactor

SHAPES = Path(__file__).parent / "aws_shapes" / "recorded"

ACCOUNT, OTHER_ACCOUNT = "123456789012", "210987654321"
EAST_TOKEN, WEST_TOKEN = "c9akciq32xyz", "q7w2mm1k8abc"
SOURCE_ARN = f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-pg"
REPLICA_ARN = f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:orders-pg-eu"
SOURCE_HOST = f"orders-pg.{EAST_TOKEN}.us-east-1.rds.amazonaws.com"
REPLICA_HOST = f"orders-pg-eu.{WEST_TOKEN}.eu-west-1.rds.amazonaws.com"
CLUSTER_HOST = f"orders.cluster-{EAST_TOKEN}.us-east-1.rds.amazonaws.com"
READER_HOST = f"orders.cluster-ro-{EAST_TOKEN}.us-east-1.rds.amazonaws.com"
CUSTOM_HOST = f"analytics.cluster-custom-{EAST_TOKEN}.us-east-1.rds.amazonaws.com"
MEMBER_HOST = f"orders-1.{EAST_TOKEN}.us-east-1.rds.amazonaws.com"
KMS_KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1a2b3c4d-5e6f-7a8b-9c0d-123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/service-role/rds-s3-export"
CALLER_ARN = f"arn:aws:sts::{ACCOUNT}:assumed-role/AdminAccess/alice@example.com"
CALLER_ID = "AROAZ7XKQ2EXAMPLEID5:alice@example.com"
ENGINE_VERSION, CLUSTER_VERSION = "16.3", "8.0.mysql_aurora.3.05.2"
INSTANCE_CLASS = "db.r6g.large"


def instance(name: str, region: str, zone: str, host: str, **extra: Any) -> dict[str, Any]:
    return {
        "DBInstanceIdentifier": name,
        "DBInstanceArn": f"arn:aws:rds:{region}:{ACCOUNT}:db:{name}",
        "DBInstanceClass": INSTANCE_CLASS,
        "Engine": "postgres",
        "EngineVersion": ENGINE_VERSION,
        "DBInstanceStatus": "available",
        "AvailabilityZone": zone,
        "MultiAZ": False,
        "Endpoint": {"Address": host, "Port": 5432, "HostedZoneId": "Z2R2ITUGPM61AM"},
        "AllocatedStorage": 100,
        "StorageEncrypted": True,
        "KmsKeyId": KMS_KEY.replace("us-east-1", region),
        "DbiResourceId": "db-Z272MINNUJGK5N3C76NOO35ZDY",
        "DBParameterGroups": [{"DBParameterGroupName": "default.postgres16", "ParameterApplyStatus": "in-sync"}],
        "EnabledCloudwatchLogsExports": ["postgresql"],
        "CACertificateIdentifier": "rds-ca-rsa2048-g1",
        "InstanceCreateTime": "2024-03-01T10:00:00.123000+00:00",
        "TagList": [{"Key": "owner", "Value": "bob.smith@example.com"}],
        **extra,
    }


SOURCE = instance(
    "orders-pg", "us-east-1", "us-east-1a", SOURCE_HOST,
    SecondaryAvailabilityZone="us-east-1b", ReadReplicaDBInstanceIdentifiers=[REPLICA_ARN],
)
REPLICA = instance(
    "orders-pg-eu", "eu-west-1", "eu-west-1c", REPLICA_HOST,
    ReadReplicaSourceDBInstanceIdentifier=SOURCE_ARN,
    StatusInfos=[{"StatusType": "read replication", "Normal": True, "Status": "replicating"}],
)
CLUSTER = {
    "DBClusterIdentifier": "orders",
    "DBClusterArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:orders",
    "Engine": "aurora-mysql",
    "EngineVersion": CLUSTER_VERSION,
    "DBClusterParameterGroup": "default.aurora-mysql8.0",
    "Status": "available",
    "AvailabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c"],
    "Endpoint": CLUSTER_HOST,
    "ReaderEndpoint": READER_HOST,
    "CustomEndpoints": [CUSTOM_HOST],
    "Port": 3306,
    "HostedZoneId": "Z2R2ITUGPM61AM",
    "DBClusterMembers": [
        {"DBInstanceIdentifier": "orders-1", "IsClusterWriter": True, "PromotionTier": 1},
        {"DBInstanceIdentifier": "orders-2", "IsClusterWriter": False, "PromotionTier": 1},
    ],
    "AssociatedRoles": [{"RoleArn": ROLE_ARN, "Status": "ACTIVE"}],
    "KmsKeyId": KMS_KEY,
    "MasterUsername": "admin",
}
MEMBER = {**instance("orders-1", "us-east-1", "us-east-1a", MEMBER_HOST), "DBClusterIdentifier": "orders"}
EVENTS = [
    {
        "SourceIdentifier": "orders-pg",
        "SourceType": "db-instance",
        "SourceArn": SOURCE_ARN,
        "Message": "Could not connect to the replication source db.corp.example.com (10.20.30.40) "
        "from ip-10-1-2-3.ec2.internal; write to dba@example.com.",
        "EventCategories": ["notification"],
        "Date": "2024-05-01T12:00:00.123Z",
    },
    {
        "SourceIdentifier": "orders-pg",
        "SourceType": "db-instance",
        "SourceArn": SOURCE_ARN,
        "Message": "Replication from db.corp.example.com resumed; mysql-error.log rotated; upgraded to 8.0.35.",
        "EventCategories": ["notification"],
        "Date": "2024-05-01T12:05:00.000Z",
    },
]
METRIC_PARAMS = {
    "MetricDataQueries": [
        {
            "Id": "q0",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": "ReplicaLag",
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "orders-pg-eu"}],
                },
                "Period": 60,
                "Stat": "Average",
            },
            "ReturnData": True,
        },
        {
            "Id": "q1",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/RDS",
                    "MetricName": "FreeStorageSpace",
                    "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "orders"}],
                },
                "Period": 60,
                "Stat": "Minimum",
            },
            "ReturnData": True,
        },
    ],
    "StartTime": "2024-05-01T11:00:00+00:00",
    "EndTime": "2024-05-01T12:00:00+00:00",
}
METRIC_RESPONSE = {
    "MetricDataResults": [
        {"Id": "q0", "Label": "ReplicaLag", "Timestamps": ["2024-05-01T11:59:00+00:00"], "Values": [1.5],
         "StatusCode": "Complete"},
        # A number is data, not an account: 12 digits of free bytes stay as they are.
        {"Id": "q1", "Label": "FreeStorageSpace", "Timestamps": ["2024-05-01T11:59:00+00:00"],
         "Values": [123456789012.0], "StatusCode": "Complete"},
    ],
}


def call(service: str, region: str, operation: str, params: dict[str, Any], **outcome: Any) -> dict[str, Any]:
    return {"t": 1714564800.5, "service": service, "region": region, "operation": operation, "params": params,
            **outcome}


def recording() -> list[dict[str, Any]]:
    """A recording's lines: the header, then one object per AWS call."""
    return [
        {"rdstui_recording": 1, "started": "2024-05-01T12:00:00+00:00", "profile": "prod-admin",
         "account": ACCOUNT, "regions": ["us-east-1", "eu-west-1"]},
        call("sts", "us-east-1", "GetCallerIdentity", {},
             response={"UserId": CALLER_ID, "Account": ACCOUNT, "Arn": CALLER_ARN}),
        call("rds", "us-east-1", "DescribeDBInstances", {}, response={"DBInstances": [SOURCE, MEMBER]}),
        call("rds", "eu-west-1", "DescribeDBInstances", {}, response={"DBInstances": [REPLICA]}),
        call("rds", "us-east-1", "DescribeDBClusters", {}, response={"DBClusters": [CLUSTER]}),
        call("rds", "us-east-1", "DescribeEvents", {"StartTime": "2024-05-01T11:00:00+00:00"},
             response={"Events": EVENTS}),
        call("cloudwatch", "eu-west-1", "GetMetricData", METRIC_PARAMS, response=METRIC_RESPONSE),
        call("ec2", "us-east-1", "DescribeRegions", {}, response={"Regions": [
            {"RegionName": "us-east-1", "Endpoint": "ec2.us-east-1.amazonaws.com", "OptInStatus": "opt-in-not-required"},
        ]}),
        call("rds", "eu-west-1", "DescribeDBInstances", {"DBInstanceIdentifier": "billing"},
             error={"Code": "AccessDenied", "Message": f"User: {CALLER_ARN} is not authorized to perform: "
                    f"rds:DescribeDBInstances on resource: arn:aws:rds:eu-west-1:{OTHER_ACCOUNT}:db:billing"},
             http_status=403),
    ]


@pytest.fixture
def redacted() -> list[Any]:
    redactor = Redactor()
    return [redactor.value(line) for line in recording()]


def dumped(lines: list[Any]) -> str:
    return "\n".join(json.dumps(line) for line in lines)


SECRETS = [
    ACCOUNT, OTHER_ACCOUNT, EAST_TOKEN, WEST_TOKEN,
    SOURCE_HOST, REPLICA_HOST, CLUSTER_HOST, READER_HOST, CUSTOM_HOST, MEMBER_HOST,
    "db.corp.example.com", "corp.example.com", "ip-10-1-2-3", "10.20.30.40",
    "alice", "bob.smith", "example.com", "dba@",
    "AdminAccess", "rds-s3-export", "service-role", "AROAZ7XKQ2EXAMPLEID5",
]


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.mark.parametrize("secret", SECRETS)
def test_nothing_personal_or_account_specific_survives(redacted, secret):
    """In every string: numbers are kept (a metric's value), and a KMS key id is a UUID kept whole
    even where its last group is the account's digits."""
    assert not [text for text in strings(redacted) if secret in re.sub(UUID, "", text)]



def test_the_original_really_holds_every_secret():
    """The test above is only worth something if each secret was there to begin with."""
    text = dumped(recording())
    assert [secret for secret in SECRETS if secret not in text] == []


def test_names_the_console_draws_are_kept(redacted):
    header, sts, east, west, clusters, events, metrics, regions, denied = redacted
    source, member = east["response"]["DBInstances"]
    (replica,) = west["response"]["DBInstances"]
    (cluster,) = clusters["response"]["DBClusters"]
    assert header["profile"] == "prod-admin" and header["regions"] == ["us-east-1", "eu-west-1"]
    assert (source["DBInstanceIdentifier"], replica["DBInstanceIdentifier"]) == ("orders-pg", "orders-pg-eu")
    assert (source["AvailabilityZone"], source["SecondaryAvailabilityZone"]) == ("us-east-1a", "us-east-1b")
    assert replica["AvailabilityZone"] == "eu-west-1c" and replica["StatusInfos"] == REPLICA["StatusInfos"]
    for record in (source, replica, member):
        assert record["DBInstanceClass"] == INSTANCE_CLASS and record["EngineVersion"] == ENGINE_VERSION
        assert record["Engine"] == "postgres" and record["DBInstanceStatus"] == "available"
        assert record["DbiResourceId"] == "db-Z272MINNUJGK5N3C76NOO35ZDY"
        assert record["DBParameterGroups"] == SOURCE["DBParameterGroups"]
        assert record["CACertificateIdentifier"] == "rds-ca-rsa2048-g1"
        assert record["InstanceCreateTime"] == "2024-03-01T10:00:00.123000+00:00"
        assert record["Endpoint"]["Port"] == 5432 and record["Endpoint"]["HostedZoneId"] == "Z2R2ITUGPM61AM"
    assert source["DBInstanceArn"].endswith(":db:orders-pg") and source["DBInstanceArn"].startswith(
        "arn:aws:rds:us-east-1:"
    )
    assert source["Endpoint"]["Address"].startswith("orders-pg.")
    assert source["Endpoint"]["Address"].endswith(".us-east-1.rds.amazonaws.com")
    assert replica["Endpoint"]["Address"].endswith(".eu-west-1.rds.amazonaws.com")
    assert source["KmsKeyId"].endswith(":key/1a2b3c4d-5e6f-7a8b-9c0d-123456789012")  # a UUID, not an account
    assert cluster["DBClusterIdentifier"] == "orders" and cluster["EngineVersion"] == CLUSTER_VERSION
    assert cluster["DBClusterParameterGroup"] == "default.aurora-mysql8.0"
    assert cluster["AvailabilityZones"] == CLUSTER["AvailabilityZones"]
    assert cluster["DBClusterMembers"] == CLUSTER["DBClusterMembers"]
    assert cluster["Endpoint"].startswith("orders.cluster-") and cluster["ReaderEndpoint"].startswith(
        "orders.cluster-ro-"
    )
    assert cluster["CustomEndpoints"][0].startswith("analytics.cluster-custom-")
    assert cluster["MasterUsername"] == "admin"
    first, second = events["response"]["Events"]
    assert first["SourceIdentifier"] == "orders-pg" and first["Date"] == "2024-05-01T12:00:00.123Z"
    assert "mysql-error.log rotated; upgraded to 8.0.35." in second["Message"]
    assert metrics["params"] == METRIC_PARAMS and metrics["response"] == METRIC_RESPONSE
    assert regions["response"]["Regions"][0]["Endpoint"] == "ec2.us-east-1.amazonaws.com"  # AWS's, not yours
    assert denied["error"]["Code"] == "AccessDenied" and denied["http_status"] == 403
    assert denied["params"] == {"DBInstanceIdentifier": "billing"}
    for line in redacted[1:]:
        assert (line["service"], line["operation"], line["t"]) == next(
            (o["service"], o["operation"], o["t"]) for o in recording()[1:] if o["operation"] == line["operation"]
        )


def test_a_replica_still_points_at_its_source(redacted):
    east, west = redacted[2], redacted[3]
    source, _ = east["response"]["DBInstances"]
    (replica,) = west["response"]["DBInstances"]
    assert replica["ReadReplicaSourceDBInstanceIdentifier"] == source["DBInstanceArn"]
    assert source["ReadReplicaDBInstanceIdentifiers"] == [replica["DBInstanceArn"]]
    assert redacted[5]["response"]["Events"][0]["SourceArn"] == source["DBInstanceArn"]


def test_one_account_one_fake_everywhere(redacted):
    header, sts, east, *_ = redacted
    fake = header["account"]
    assert re.fullmatch(r"[0-9]{12}", fake) and fake != ACCOUNT
    assert sts["response"]["Account"] == fake
    assert sts["response"]["Arn"].split(":")[4] == fake
    for record in east["response"]["DBInstances"]:
        assert record["DBInstanceArn"].split(":")[4] == fake and record["KmsKeyId"].split(":")[4] == fake
    assert redacted[4]["response"]["DBClusters"][0]["AssociatedRoles"][0]["RoleArn"].split(":")[4] == fake


def test_two_accounts_two_fakes(redacted):
    message = redacted[-1]["error"]["Message"]
    accounts = re.findall(r"arn:aws:[a-z]+:[a-z0-9-]*:([0-9]{12}):", message)
    assert len(accounts) == 2 and accounts[0] == redacted[0]["account"] and accounts[0] != accounts[1]
    assert accounts == ["100000000001", "100000000002"]


def test_one_endpoint_token_one_fake(redacted):
    """An account's instances and clusters of one region share one token: so do their fakes."""
    east, west, clusters = redacted[2], redacted[3], redacted[4]
    source, member = east["response"]["DBInstances"]
    (replica,) = west["response"]["DBInstances"]
    (cluster,) = clusters["response"]["DBClusters"]
    token = source["Endpoint"]["Address"].split(".")[1]
    assert re.fullmatch(r"[a-z0-9]+", token) and token != EAST_TOKEN
    assert member["Endpoint"]["Address"] == f"orders-1.{token}.us-east-1.rds.amazonaws.com"
    assert cluster["Endpoint"] == f"orders.cluster-{token}.us-east-1.rds.amazonaws.com"
    assert cluster["ReaderEndpoint"] == f"orders.cluster-ro-{token}.us-east-1.rds.amazonaws.com"
    assert cluster["CustomEndpoints"] == [f"analytics.cluster-custom-{token}.us-east-1.rds.amazonaws.com"]
    assert replica["Endpoint"]["Address"].split(".")[1] not in (token, WEST_TOKEN)


def test_one_hostname_one_fake(redacted):
    first, second = (event["Message"] for event in redacted[5]["response"]["Events"])
    hosts = re.findall(r"host-[0-9]+\.redacted\.invalid", first)
    assert len(hosts) == 2 and hosts[0] != hosts[1]  # db.corp.example.com, ip-10-1-2-3.ec2.internal
    assert re.findall(r"host-[0-9]+\.redacted\.invalid", second) == [hosts[0]]
    assert re.search(r"\(10\.255\.[0-9]+\.[0-9]+\)", first)
    assert re.search(r"write to user-[0-9]+@redacted\.invalid\.$", first)


def test_the_caller_is_nobody_in_particular(redacted):
    identity = redacted[1]["response"]
    assert identity["Arn"] == f"arn:aws:sts::{identity['Account']}:assumed-role/role-1/session-1"
    assert identity["UserId"] == "AROAREDACTED000001:session-1"
    assert f"User: {identity['Arn']} is not authorized" in redacted[-1]["error"]["Message"]
    role = redacted[4]["response"]["DBClusters"][0]["AssociatedRoles"][0]["RoleArn"]
    assert role == f"arn:aws:iam::{identity['Account']}:role/role-2"


def test_the_input_is_left_alone():
    lines = recording()
    before = copy.deepcopy(lines)
    redactor = Redactor()
    out = [redactor.value(line) for line in lines]
    assert lines == before
    assert out != before
    assert out[2]["response"]["DBInstances"][0] is not lines[2]["response"]["DBInstances"][0]


def test_the_same_input_redacts_the_same_twice():
    redactor = Redactor()
    first = [redactor.value(line) for line in recording()]
    assert [redactor.value(line) for line in recording()] == first
    assert [Redactor().value(line) for line in recording()][0] == first[0]  # a new Redactor numbers from 1


@pytest.mark.parametrize(
    "kept",
    [
        "8.0.35", "5.7.mysql_aurora.2.11.2", "mysql8.0", "default.aurora-postgresql16", "default.docdb3.6",
        "db.r6g.large", "db.t3.micro", "db.m5d.2xlarge", "db.serverless", "mysql-error.log",
        "error/postgresql.log.2024-05-01-12", "ReplicaLag", "db.load.avg", "os.swap.in", "os.cpuUtilization.user.avg",
        "db.SQL.Com_select.avg", "rds.force_ssl", "19.0.0.0.ru-2024-01.rur-2024-01.r1", "15.00.4073.23.v1",
        "us-gov-west-1", "cn-north-1a", "sun:07:30-sun:08:00", "2024-05-01T12:00:00.123456+00:00",
        "0.123456789012", "1234567890123", "12345678901", "available", "", "rds.us-east-1.amazonaws.com",
        "sts.amazonaws.com", "arn:aws:iam::aws:policy/AmazonRDSFullAccess", "arn:aws:rds:us-east-1::db:x",
        "Finished DB Instance backup",
    ],
)
def test_what_is_not_personal_is_kept(kept):
    assert Redactor().text(kept) == kept


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("123456789012", "100000000001"),
        ("arn:aws-cn:rds:cn-north-1:123456789012:db:orders", "arn:aws-cn:rds:cn-north-1:100000000001:db:orders"),
        ("arn:aws-us-gov:rds:us-gov-west-1:123456789012:cluster:orders",
         "arn:aws-us-gov:rds:us-gov-west-1:100000000001:cluster:orders"),
        ("arn:aws:iam::123456789012:user/ops/bob", "arn:aws:iam::100000000001:user/user-1"),
        ("arn:aws:iam::123456789012:root", "arn:aws:iam::100000000001:root"),
        ("arn:aws:sts::123456789012:federated-user/bob", "arn:aws:sts::100000000001:federated-user/federated-user-1"),
        ("AIDAXXXXXXXXXXXX", "AIDAREDACTED000001"),
        ("AKIAIOSFODNN7EXAMPLE", "AKIAREDACTED000001"),
        ("DB.Corp.Example.COM", "host-1.redacted.invalid"),
        ("vpce-0a1b2c3d-4e5f.rds.us-east-1.vpce.amazonaws.com", "host-1.redacted.invalid"),
        ("ec2-54-12-34-56.compute-1.amazonaws.com", "host-1.redacted.invalid"),
        ("db.example.com.", "host-1.redacted.invalid."),
        ("jdbc:postgresql://db.example.com:5432/orders", "jdbc:postgresql://host-1.redacted.invalid:5432/orders"),
        ("from 10.0.0.0/16 and 192.168.1.20:5432", "from 10.255.0.1/16 and 10.255.0.2:5432"),
        ("Alice.Smith@Example.com", "user-1@redacted.invalid"),
        ("backup-123456789012.gz", "backup-100000000001.gz"),
        ("see arn:aws:rds:us-east-1:123456789012:db:orders.", "see arn:aws:rds:us-east-1:100000000001:db:orders."),
        ("my-proxy.proxy-c9akciq32xyz.us-east-1.rds.amazonaws.com",
         "my-proxy.proxy-redacted1.us-east-1.rds.amazonaws.com"),
        ("ro.endpoint.proxy-c9akciq32xyz.us-east-1.rds.amazonaws.com",
         "ro.endpoint.proxy-redacted1.us-east-1.rds.amazonaws.com"),
        ("orders.cluster-c9akciq32xyz.cn-north-1.rds.amazonaws.com.cn",
         "orders.cluster-redacted1.cn-north-1.rds.amazonaws.com.cn"),
        ("orders.global-c9akciq32xyz.global.rds.amazonaws.com", "orders.global-redacted1.global.rds.amazonaws.com"),
        ("docs.cluster-ro-c9akciq32xyz.us-west-2.docdb.amazonaws.com",
         "docs.cluster-ro-redacted1.us-west-2.docdb.amazonaws.com"),
    ],
)
def test_what_each_rule_gives(original, expected):
    assert Redactor().text(original) == expected


def test_the_user_id_of_a_federated_user():
    out = Redactor().value({"UserId": "123456789012:bob", "Account": "123456789012",
                            "Arn": "arn:aws:sts::123456789012:federated-user/bob"})
    assert out == {"UserId": "100000000001:federated-user-1", "Account": "100000000001",
                   "Arn": "arn:aws:sts::100000000001:federated-user/federated-user-1"}


def test_a_role_and_its_sessions():
    redactor = Redactor()
    assert redactor.text("arn:aws:iam::123456789012:role/path/Admin") == "arn:aws:iam::100000000001:role/role-1"
    assert redactor.text("arn:aws:sts::123456789012:assumed-role/Admin/alice") == (
        "arn:aws:sts::100000000001:assumed-role/role-1/session-1"
    )
    assert redactor.text("arn:aws:sts::123456789012:assumed-role/Admin/bob") == (
        "arn:aws:sts::100000000001:assumed-role/role-1/session-2"
    )
    assert redactor.text("AROAZ7XKQ2EXAMPLEID5:bob") == "AROAREDACTED000001:session-2"


def test_a_fake_is_never_an_original_seen():
    redactor = Redactor()
    assert redactor.text("100000000001") == "100000000002"
    assert redactor.text("999999999999") == "100000000003"
    assert redactor.text("10.255.0.1") == "10.255.0.2"


def test_the_header_profile_is_the_users_own_label():
    header = {"rdstui_recording": 1, "started": "2024-05-01T12:00:00+00:00", "profile": "alice@example.com",
              "account": None, "regions": []}
    assert Redactor().value(header) == header
    # Elsewhere a "profile" is any string.
    assert Redactor().value({"profile": "alice@example.com"}) == {"profile": "user-1@redacted.invalid"}


def test_an_engine_version_field_is_kept_though_it_looks_like_an_address():
    record = {"Engine": "neptune", "EngineVersion": "1.2.0.2", "PendingModifiedValues": {"EngineVersion": "1.3.1.0"}}
    assert Redactor().value(record) == record


def test_values_of_every_json_type():
    value = {"n": 123456789012, "f": 1.5, "b": True, "none": None, "list": [1, "10.1.2.3", ["x@y.org"]], "tuple": (1,)}
    assert Redactor().value(value) == {"n": 123456789012, "f": 1.5, "b": True, "none": None,
                                       "list": [1, "10.255.0.1", ["user-1@redacted.invalid"]], "tuple": [1]}


def recorded_files() -> list[Path]:
    return sorted(p for p in SHAPES.rglob("*.json"))


def test_recorded_aws_responses_keep_no_account_or_endpoint_token():
    """Every recorded response under tests/aws_shapes/: no account id nor endpoint token left,
    and the identifiers, engine versions and classes just as they were."""
    host = re.compile(r"\.((?:[a-z]+-)*)([a-z0-9]+)\.([a-z]{2}(?:-[a-z]+)+-[0-9]|global)\.(rds|docdb|neptune)\.amazonaws")
    redactor = Redactor()
    kept_keys = ("DBInstanceIdentifier", "DBClusterIdentifier", "EngineVersion", "DBInstanceClass", "Engine",
                 "AvailabilityZone", "DBInstanceStatus", "Status")
    for path in recorded_files():
        original = json.loads(path.read_text(encoding="utf-8"))
        out = redactor.value(original)
        text = json.dumps(out)
        before = json.dumps(original)
        kept = [re.sub(UUID, "", item) for item in strings(out)]  # numbers are values, not accounts
        for account in {a for item in strings(original) for a in re.findall(r"(?<![0-9])[0-9]{12}(?![0-9])", item)}:
            assert not [item for item in kept if account in item], (path.name, account)
        for _, token, _, _ in host.findall(before):
            if token not in ("cnpexample", "global"):  # AWS's own placeholder, a word
                assert f".{token}." not in text and f"-{token}." not in text, (path.name, token)
        assert found(original, kept_keys) == found(out, kept_keys), path.name


def found(value: Any, keys: tuple[str, ...]) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(k, v) for k, v in value.items() if k in keys and isinstance(v, str)] + [
            pair for v in value.values() for pair in found(v, keys)
        ]
    if isinstance(value, list):
        return [pair for v in value for pair in found(v, keys)]
    return []


def test_a_fleet_of_a_thousand_is_quick():
    """~4 MB of DescribeDBInstances every 30 s: a redaction must take a small part of that."""
    import time

    instances = [
        instance(f"db-{i:04d}", "us-east-1", "us-east-1a", f"db-{i:04d}.{EAST_TOKEN}.us-east-1.rds.amazonaws.com",
                 LatestRestorableTime=f"2024-05-01T12:{i % 60:02d}:00+00:00")
        for i in range(1000)
    ]
    line = call("rds", "us-east-1", "DescribeDBInstances", {}, response={"DBInstances": instances})
    redactor = Redactor()
    started = time.perf_counter()
    out = redactor.value(line)
    took = time.perf_counter() - started
    assert not [text for text in strings(out) if ACCOUNT in re.sub(UUID, "", text)]  # not a 4 MB diff
    assert took < 3.0  # ~0.05 s on a laptop; generous for a loaded CI runner
