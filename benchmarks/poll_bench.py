"""One full poll of a large fleet, measured against the minimum API calls and the AWS CLI.

    pip install -e '.[bench]' && python benchmarks/poll_bench.py [--instances 1000] [--regions 4]

A moto server (fleet.py) runs in a separate process on 127.0.0.1 so this process's CPU
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
import subprocess
import time
from collections import Counter

from fleet import REGIONS, seed

from rdstui.core.catalog import tree_series
from rdstui.core.metrics import MAX_QUERIES
from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget
from rdstui.core.watch import FleetWatch
from rdstui.demo.process import moto_server

PAGE = 100


async def full_poll(url: str, regions: list[str]) -> tuple[float, float, Counter, dict]:
    target = AwsTarget(endpoint_url=url, credentials=DEMO_CREDENTIALS, read_timeout=300)
    calls: Counter = Counter()
    async with SessionFactory(target) as factory:
        factory.session.register("before-call.*.*", lambda model, **_: calls.update([model.name]))
        watch = FleetWatch(factory, regions)
        wall0, cpu0 = time.perf_counter(), time.process_time()
        fleet = await watch.once(metrics=True)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    per_region = Counter(node.region for node in fleet.walk() if node.type.value == "instance")
    keys = Counter(key.region for key in tree_series(fleet.roots))  # what every poll reads
    clusters = Counter(node.region for node in fleet.walk() if node.type.value == "cluster")
    minimum = {
        "DescribeDBInstances": sum(max(1, math.ceil(per_region[r] / PAGE)) for r in regions),
        "DescribeDBClusters": sum(max(1, math.ceil(clusters[r] / PAGE)) for r in regions),
        "DescribeGlobalClusters": len(regions),
        "DescribeBlueGreenDeployments": len(regions),  # a region's blue/green deployments: one page
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
    proc, url = moto_server()
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
