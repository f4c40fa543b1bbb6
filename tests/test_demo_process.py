"""`rdstui --demo` runs its fleet in a child process: it answers like AWS and never outlives the console."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import boto3
import pytest
from botocore.config import Config

from rdstui.demo.process import DemoProcess


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # our own child: reap it, or it lingers as a zombie that kill(0) still finds
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.1)
    return False


def test_the_child_serves_the_demo_fleet_and_stops_with_its_console() -> None:
    demo = DemoProcess()
    target = demo.target
    rds = boto3.client(
        "rds", region_name="us-east-1", endpoint_url=target.endpoint_url, config=Config(retries={"total_max_attempts": 1}),
        aws_access_key_id="demo", aws_secret_access_key="demo",
    )
    names = {db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]}
    assert "orders-pg" in names
    pid = demo.pid
    demo.stop()
    assert gone(pid, 1.0)
    with pytest.raises(Exception):
        rds.describe_db_instances()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_console_takes_its_demo_process_with_it() -> None:
    console = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import time
            from rdstui.demo.process import DemoProcess
            demo = DemoProcess()
            demo.target
            print(demo.pid, flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert console.stdout is not None
    child = int(console.stdout.readline())
    console.send_signal(signal.SIGKILL)
    console.wait()
    assert gone(child)
