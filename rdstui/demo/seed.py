"""The demo fleet, created through the real RDS API (boto3 against moto's endpoint).

Everything here is an ordinary API call a user could make; what moto then gets
wrong is fixed afterwards in `fidelity.py`.
"""

from __future__ import annotations

from typing import Any, Callable

ACCOUNT_ID = "123456789012"
REGIONS = ("us-east-1", "us-west-2", "eu-west-1")  # where the fleet below lives
PASSWORD = "demo-password-1"  # moto wants >= 8 characters; never used for anything

POSTGRES_VERSION = "16.4"
AURORA_POSTGRES_VERSION = "15.8"
MYSQL_VERSION = "8.0.39"
AURORA_MYSQL_VERSION = "8.0.mysql_aurora.3.07.1"

# Fake but well-formed security groups: passing one keeps moto from building
# EC2's default VPC per region just to find the default group.
SECURITY_GROUPS = {
    "us-east-1": "sg-0a3f6c1d2e4b5a697",
    "us-west-2": "sg-04b8e2c6d1f3a5079",
    "eu-west-1": "sg-09c1d7e3f5a2b4068",
}

BLUE_GREEN_NAME = "billing-mysql-8-4"
BLUE_GREEN_VERSION = "8.4.3"

MakeClient = Callable[[str, str], Any]


def arn(region: str, kind: str, identifier: str) -> str:
    return f"arn:aws:rds:{region}:{ACCOUNT_ID}:{kind}:{identifier}"


def seed_fleet(client: MakeClient) -> None:
    """Create the whole demo fleet. `client(service, region)` returns a boto3 client."""
    use1 = client("rds", "us-east-1")
    usw2 = client("rds", "us-west-2")
    euw1 = client("rds", "eu-west-1")

    def instance(rds: Any, region: str, **kwargs: Any) -> None:
        kwargs.setdefault("MasterUsername", "app_admin")
        kwargs.setdefault("MasterUserPassword", PASSWORD)
        kwargs.setdefault("BackupRetentionPeriod", 7)
        kwargs.setdefault("VpcSecurityGroupIds", [SECURITY_GROUPS[region]])
        kwargs.setdefault("StorageType", "gp3")
        kwargs.setdefault("PreferredBackupWindow", "03:10-03:40")
        kwargs.setdefault("PreferredMaintenanceWindow", "sun:05:00-sun:05:30")
        kwargs.setdefault("DeletionProtection", True)
        rds.create_db_instance(**kwargs)

    def replica(rds: Any, **kwargs: Any) -> None:
        kwargs.setdefault("MultiAZ", False)
        rds.create_db_instance_read_replica(**kwargs)

    def cluster(rds: Any, region: str, **kwargs: Any) -> None:
        if "GlobalClusterIdentifier" not in kwargs:
            kwargs.setdefault("MasterUsername", "app_admin")
            kwargs.setdefault("MasterUserPassword", PASSWORD)
        kwargs.setdefault("BackupRetentionPeriod", 7)
        kwargs.setdefault("VpcSecurityGroupIds", [SECURITY_GROUPS[region]])
        kwargs.setdefault("PreferredBackupWindow", "04:00-04:30")
        kwargs.setdefault("PreferredMaintenanceWindow", "sun:06:00-sun:06:30")
        kwargs.setdefault("DeletionProtection", True)
        kwargs.setdefault(
            "AvailabilityZones", [f"{region}a", f"{region}b", f"{region}c"]
        )
        rds.create_db_cluster(**kwargs)

    def member(rds: Any, cluster_id: str, engine: str, az: str, ident: str, cls: str, tier: int) -> None:
        rds.create_db_instance(
            DBInstanceIdentifier=ident,
            DBClusterIdentifier=cluster_id,
            Engine=engine,
            DBInstanceClass=cls,
            AvailabilityZone=az,
            PromotionTier=tier,
        )

    # --- us-east-1: orders-pg, a Multi-AZ PostgreSQL primary and its replica tree.
    instance(
        use1,
        "us-east-1",
        DBInstanceIdentifier="orders-pg",
        Engine="postgres",
        EngineVersion=POSTGRES_VERSION,
        DBInstanceClass="db.r6g.xlarge",
        MultiAZ=True,
        AvailabilityZone="us-east-1a",
        AllocatedStorage=500,
        MaxAllocatedStorage=1000,
        StorageEncrypted=True,
        DBName="orders",
        Tags=[{"Key": "team", "Value": "checkout"}, {"Key": "env", "Value": "prod"}],
    )
    replica(
        use1,
        DBInstanceIdentifier="orders-pg-ro1",
        SourceDBInstanceIdentifier="orders-pg",
        DBInstanceClass="db.r6g.xlarge",
        AvailabilityZone="us-east-1c",
    )
    replica(
        use1,
        DBInstanceIdentifier="orders-pg-ro1-cascade",
        SourceDBInstanceIdentifier="orders-pg-ro1",
        DBInstanceClass="db.r6g.large",
        AvailabilityZone="us-east-1b",
    )
    replica(
        usw2,
        DBInstanceIdentifier="orders-pg-dr",
        SourceDBInstanceIdentifier=arn("us-east-1", "db", "orders-pg"),
        SourceRegion="us-east-1",
        DBInstanceClass="db.r6g.xlarge",
        AvailabilityZone="us-west-2b",
    )

    # --- payments-global: Aurora PostgreSQL Global Database over three regions.
    use1.create_global_cluster(
        GlobalClusterIdentifier="payments-global",
        Engine="aurora-postgresql",
        EngineVersion=AURORA_POSTGRES_VERSION,
        StorageEncrypted=True,
        DeletionProtection=True,
    )
    payments = [
        (use1, "us-east-1", "payments-use1", ("a", "b", "c"), "db.r6g.2xlarge"),
        (usw2, "us-west-2", "payments-usw2", ("a", "b"), "db.r6g.2xlarge"),
        (euw1, "eu-west-1", "payments-euw1", ("a",), "db.r6g.xlarge"),
    ]
    for rds, region, cluster_id, zones, cls in payments:
        extra: dict[str, Any] = {}
        if region == "us-east-1":  # the primary cluster; secondaries inherit all this
            extra = {"MasterUsername": "payments_admin", "MasterUserPassword": PASSWORD, "DatabaseName": "payments"}
        cluster(
            rds,
            region,
            DBClusterIdentifier=cluster_id,
            GlobalClusterIdentifier="payments-global",
            Engine="aurora-postgresql",
            EngineVersion=AURORA_POSTGRES_VERSION,
            StorageEncrypted=True,
            **extra,
        )
        for tier, letter in enumerate(zones):
            member(rds, cluster_id, "aurora-postgresql", f"{region}{letter}", f"{cluster_id}-{letter}", cls, tier)

    # --- inventory-maz: a Multi-AZ DB cluster (MySQL, three zones, readable standbys).
    cluster(
        use1,
        "us-east-1",
        DBClusterIdentifier="inventory-maz",
        Engine="mysql",
        EngineVersion=MYSQL_VERSION,
        DBClusterInstanceClass="db.m6gd.large",
        StorageType="io1",
        Iops=3000,
        AllocatedStorage=400,
    )
    for n, letter in enumerate(("a", "b", "c"), start=1):
        member(use1, "inventory-maz", "mysql", f"us-east-1{letter}", f"inventory-maz-instance-{n}", "db.m6gd.large", 1)

    # --- search-aurora: Aurora MySQL with a cross-region (binlog) replica cluster.
    cluster(
        use1,
        "us-east-1",
        DBClusterIdentifier="search-aurora",
        Engine="aurora-mysql",
        EngineVersion=AURORA_MYSQL_VERSION,
        DatabaseName="search",
    )
    member(use1, "search-aurora", "aurora-mysql", "us-east-1b", "search-aurora-a", "db.r6g.large", 0)
    member(use1, "search-aurora", "aurora-mysql", "us-east-1c", "search-aurora-b", "db.r6g.large", 1)
    cluster(
        euw1,
        "eu-west-1",
        DBClusterIdentifier="search-aurora-euw1",
        Engine="aurora-mysql",
        EngineVersion=AURORA_MYSQL_VERSION,
        ReplicationSourceIdentifier=arn("us-east-1", "cluster", "search-aurora"),
        SourceRegion="us-east-1",
    )
    member(euw1, "search-aurora-euw1", "aurora-mysql", "eu-west-1b", "search-aurora-euw1-a", "db.r6g.large", 0)

    # --- eu-west-1: legacy-reports, single-AZ MySQL with automated backups off.
    instance(
        euw1,
        "eu-west-1",
        DBInstanceIdentifier="legacy-reports",
        Engine="mysql",
        EngineVersion=MYSQL_VERSION,
        DBInstanceClass="db.t3.medium",
        AvailabilityZone="eu-west-1c",
        AllocatedStorage=100,
        StorageType="gp2",
        BackupRetentionPeriod=0,
        DeletionProtection=False,
        Tags=[{"Key": "team", "Value": "analytics"}, {"Key": "env", "Value": "prod"}],
    )

    # --- us-west-2: catalog-mysql and two replicas that misbehave in different ways.
    instance(
        usw2,
        "us-west-2",
        DBInstanceIdentifier="catalog-mysql",
        Engine="mysql",
        EngineVersion=MYSQL_VERSION,
        DBInstanceClass="db.m6g.large",
        AvailabilityZone="us-west-2a",
        AllocatedStorage=200,
        DBName="catalog",
        Tags=[{"Key": "team", "Value": "catalog"}, {"Key": "env", "Value": "prod"}],
    )
    replica(
        usw2,
        DBInstanceIdentifier="catalog-mysql-ro-spiky",
        SourceDBInstanceIdentifier="catalog-mysql",
        DBInstanceClass="db.m6g.large",
        AvailabilityZone="us-west-2b",
    )
    replica(
        usw2,
        DBInstanceIdentifier="catalog-mysql-ro-drift",
        SourceDBInstanceIdentifier="catalog-mysql",
        DBInstanceClass="db.t4g.medium",
        AvailabilityZone="us-west-2c",
    )

    # --- us-west-2: catalog-mysql-ro-broken, whose replication stopped on an error (see fidelity.py).
    replica(
        usw2,
        DBInstanceIdentifier="catalog-mysql-ro-broken",
        SourceDBInstanceIdentifier="catalog-mysql",
        DBInstanceClass="db.t4g.medium",
        AvailabilityZone="us-west-2a",
    )

    # --- us-west-2: sessions-sv2, Aurora PostgreSQL Serverless v2.
    cluster(
        usw2,
        "us-west-2",
        DBClusterIdentifier="sessions-sv2",
        Engine="aurora-postgresql",
        EngineVersion=AURORA_POSTGRES_VERSION,
        ServerlessV2ScalingConfiguration={"MinCapacity": 0.5, "MaxCapacity": 16},
        DatabaseName="sessions",
    )
    member(usw2, "sessions-sv2", "aurora-postgresql", "us-west-2a", "sessions-sv2-1", "db.serverless", 0)
    member(usw2, "sessions-sv2", "aurora-postgresql", "us-west-2c", "sessions-sv2-2", "db.serverless", 1)

    # --- us-east-1: orders-aurora-pg, an Aurora PostgreSQL replica cluster of orders-pg
    # (a migration under way; moto can't take an instance as the source: fidelity.py links it).
    cluster(
        use1,
        "us-east-1",
        DBClusterIdentifier="orders-aurora-pg",
        Engine="aurora-postgresql",
        EngineVersion=AURORA_POSTGRES_VERSION,
        StorageEncrypted=True,
    )
    member(use1, "orders-aurora-pg", "aurora-postgresql", "us-east-1b", "orders-aurora-pg-a", "db.r6g.large", 0)

    # --- us-east-1: billing-mysql, in a blue/green deployment to MySQL 8.4.
    instance(
        use1,
        "us-east-1",
        DBInstanceIdentifier="billing-mysql",
        Engine="mysql",
        EngineVersion=MYSQL_VERSION,
        DBInstanceClass="db.m6g.large",
        AvailabilityZone="us-east-1b",
        AllocatedStorage=200,
        DBName="billing",
        Tags=[{"Key": "team", "Value": "billing"}, {"Key": "env", "Value": "prod"}],
    )
    use1.create_blue_green_deployment(
        BlueGreenDeploymentName=BLUE_GREEN_NAME,
        Source=arn("us-east-1", "db", "billing-mysql"),
        TargetEngineVersion=BLUE_GREEN_VERSION,
    )

    # --- eu-west-1: reports-pg-staging, stopped (AWS starts it again after 7 days).
    instance(
        euw1,
        "eu-west-1",
        DBInstanceIdentifier="reports-pg-staging",
        Engine="postgres",
        EngineVersion=POSTGRES_VERSION,
        DBInstanceClass="db.t4g.large",
        AvailabilityZone="eu-west-1a",
        AllocatedStorage=100,
        DeletionProtection=False,
    )
    euw1.stop_db_instance(DBInstanceIdentifier="reports-pg-staging")

    # --- manual snapshots (their times are moved into the past by fidelity.py).
    use1.create_db_snapshot(DBInstanceIdentifier="orders-pg", DBSnapshotIdentifier="orders-pg-before-pg16-upgrade")
    use1.create_db_snapshot(DBInstanceIdentifier="orders-pg", DBSnapshotIdentifier="orders-pg-weekly-manual")
    euw1.create_db_snapshot(DBInstanceIdentifier="legacy-reports", DBSnapshotIdentifier="legacy-reports-final-before-archive")
    use1.create_db_cluster_snapshot(DBClusterIdentifier="payments-use1", DBClusterSnapshotIdentifier="payments-use1-pre-migration")
    use1.create_db_cluster_snapshot(DBClusterIdentifier="inventory-maz", DBClusterSnapshotIdentifier="inventory-maz-manual-1")

    seed_alarms(client)


# (region, name, database, metric, statistic, period, threshold, state, CloudWatch's reason)
ALARMS = (
    (
        "us-west-2", "catalog-mysql-ro-drift-replica-lag", "catalog-mysql-ro-drift", "ReplicaLag", "Maximum", 60, 60.0,
        "ALARM",
        "Threshold Crossed: 3 out of the last 3 datapoints [113.0, 104.0, 97.0] were greater than the "
        "threshold (60.0) (minimum 3 datapoints for OK -> ALARM transition).",
    ),
    (
        "us-east-1", "orders-pg-cpu-high", "orders-pg", "CPUUtilization", "Average", 300, 80.0, "OK",
        "Threshold Crossed: 3 datapoints [31.2, 29.8, 33.0] were not greater than the threshold (80.0).",
    ),
)


def seed_alarms(client: MakeClient) -> None:
    """CloudWatch alarms as teams set them: one in ALARM on the drifting replica, one OK.
    moto never evaluates an alarm: the state is set as AWS words it."""
    for region, name, database, metric, statistic, period, threshold, state, reason in ALARMS:
        cloudwatch = client("cloudwatch", region)
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="AWS/RDS",
            MetricName=metric,
            Dimensions=[{"Name": "DBInstanceIdentifier", "Value": database}],
            Statistic=statistic,
            Period=period,
            EvaluationPeriods=3,
            Threshold=threshold,
            ComparisonOperator="GreaterThanThreshold",
        )
        cloudwatch.set_alarm_state(AlarmName=name, StateValue=state, StateReason=reason)
