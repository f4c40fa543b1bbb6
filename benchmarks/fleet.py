"""The benchmark fleet, shared by poll_bench.py and ui_bench.py.

Seeds a moto server in its own process (rdstui.demo.process.moto_server), so a benchmark's
own CPU time is the client's alone, seeded per region with primaries, one
read replica in five and one small Aurora cluster.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
from botocore.config import Config

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "eu-central-1", "ap-northeast-1"]


def seed(url: str, regions: list[str], total: int) -> None:
    """Per region: primaries, one replica in five, one small Aurora cluster."""
    per_region = math.ceil(total / len(regions))

    def client(region: str) -> Any:
        return boto3.client("rds", region_name=region, endpoint_url=url,
                            aws_access_key_id="demo", aws_secret_access_key="demo",
                            config=Config(retries={"max_attempts": 1}))

    def fill(region: str) -> None:
        rds = client(region)
        rds.create_db_cluster(DBClusterIdentifier="bench-aurora", Engine="aurora-mysql",
                              MasterUsername="admin", MasterUserPassword="password123")
        for n in range(3):
            rds.create_db_instance(DBInstanceIdentifier=f"bench-aurora-{n}", DBClusterIdentifier="bench-aurora",
                                   DBInstanceClass="db.r6g.large", Engine="aurora-mysql")
        primaries = 0
        for n in range(per_region - 3):
            if n % 5 == 4 and primaries:
                rds.create_db_instance_read_replica(DBInstanceIdentifier=f"db-{n:04d}",
                                                    SourceDBInstanceIdentifier=f"db-{n - 1:04d}")
                continue
            rds.create_db_instance(DBInstanceIdentifier=f"db-{n:04d}", DBInstanceClass="db.t3.medium",
                                   Engine="mysql", AllocatedStorage=20, MasterUsername="admin",
                                   MasterUserPassword="password123")
            primaries += 1

    with ThreadPoolExecutor(len(regions)) as pool:
        list(pool.map(fill, regions))
