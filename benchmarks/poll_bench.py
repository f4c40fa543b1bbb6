"""One full poll of a large fleet, measured against the minimum API calls and the AWS CLI.

    pip install -e '.[bench]' && python benchmarks/poll_bench.py [--instances 1000] [--regions 4]

A moto server runs in a separate process on 127.0.0.1 so this process's CPU
time is the client's alone. Everything is measured in one run and printed as
ratios: these machines are noisy, absolute seconds mean little.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

from rdstui.core.metrics import MAX_QUERIES
from rdstui.core.poller import FleetPoller, metric_keys
from rdstui.core.session import DEMO_CREDENTIALS, AwsTarget, SessionFactory

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2", "eu-central-1", "ap-northeast-1"]
PAGE = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/moto-api/").read()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def seed(url: str, regions: list[str], total: int) -> None:
    """Per region: primaries, one replica in five, one small Aurora cluster."""
    per_region = math.ceil(total / len(regions))

    def client(region: str):
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


async def full_poll(url: str, regions: list[str]) -> tuple[float, float, Counter, dict]:
    target = AwsTarget(endpoint_url=url, credentials=DEMO_CREDENTIALS, read_timeout=300)
    calls: Counter = Counter()
    async with SessionFactory(target) as factory:
        factory.session.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
        poller = FleetPoller(factory, regions)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        fleet = await poller.poll(metrics=True)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    per_region = Counter(node.region for node in fleet.walk() if node.type.value == "instance")
    keys = Counter(key.region for key in metric_keys(fleet.roots))
    clusters = Counter(node.region for node in fleet.walk() if node.type.value == "cluster")
    minimum = {
        "DescribeDBInstances": sum(max(1, math.ceil(per_region[r] / PAGE)) for r in regions),
        "DescribeDBClusters": sum(max(1, math.ceil(clusters[r] / PAGE)) for r in regions),
        "DescribeGlobalClusters": len(regions),
        "GetMetricData": sum(math.ceil(keys[r] / MAX_QUERIES) for r in regions),
    }
    return wall, cpu, calls, {"minimum": minimum, "instances": sum(per_region.values()), "series": sum(keys.values())}


def aws_cli(url: str, regions: list[str]) -> tuple[float, float]:
    """`aws rds describe-db-instances` for the same regions, one after the other as a user would."""
    exe = shutil.which("aws")
    if not exe:
        raise SystemExit("the AWS CLI is not installed: pip install -e '.[bench]'")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="demo", AWS_SECRET_ACCESS_KEY="demo",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_PAGER="")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall0 = time.perf_counter()
    for region in regions:
        subprocess.run([exe, "rds", "describe-db-instances", "--region", region, "--endpoint-url", url,
                        "--output", "json"], env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - wall0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--regions", type=int, default=4)
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    proc, url = start_moto()
    try:
        t0 = time.perf_counter()
        seed(url, regions, args.instances)
        print(f"seeded {args.instances} instances over {len(regions)} regions in {time.perf_counter() - t0:.1f} s")
        wall, cpu, calls, facts = full_poll_sync(url, regions)
        cli_wall, cli_cpu = aws_cli(url, regions)
    finally:
        proc.terminate()
    report(wall, cpu, calls, facts, cli_wall, cli_cpu)


def full_poll_sync(url: str, regions: list[str]):
    return asyncio.run(full_poll(url, regions))


def report(wall, cpu, calls, facts, cli_wall, cli_cpu) -> None:
    minimum = facts["minimum"]
    print(f"one full poll: {facts['instances']} instances, {facts['series']} metric series")
    print(f"{'API operation':<24}{'made':>6}{'minimum':>9}")
    for name in sorted(set(calls) | set(minimum)):
        print(f"{name:<24}{calls.get(name, 0):>6}{minimum.get(name, 0):>9}")
    made, least = sum(calls.values()), sum(minimum.values())
    print(f"{'total':<24}{made:>6}{least:>9}   ratio made/minimum = {made / least:.2f}")
    print(f"rdstui full poll (instances, clusters, globals, metrics): wall {wall:.2f} s, client CPU {cpu:.2f} s")
    print(f"aws rds describe-db-instances, each region in turn: wall {cli_wall:.2f} s, CPU {cli_cpu:.2f} s")
    print(f"ratio rdstui/aws-cli: wall {wall / cli_wall:.2f}, CPU {cpu / cli_cpu:.2f}")


if __name__ == "__main__":
    main()
