"""Shared fixtures: a real moto server on 127.0.0.1 (a free port), never AWS."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer
from support import START, Clock, free_port

from rdstui.core.session import SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget


@pytest.fixture(autouse=True)
def state_home(tmp_path, monkeypatch) -> Path:
    """Every test's audit log (and console log) in the test's own directory: a confirmation a
    test cancels is audited, and must never land in the machine's log (the console lists it
    in `a`). Returns rdstui's state directory there."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    return tmp_path / "rdstui"


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server for the whole run; each test starts from `moto_reset`."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def moto_url(moto_endpoint: str) -> str:
    """The moto server, emptied before the test."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).read()
    return moto_endpoint


@pytest.fixture
def aws(moto_url: str):
    """boto3 clients against moto: aws('rds', 'us-east-1')."""

    def make(service: str, region: str = "us-east-1"):
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=moto_url,
            config=Config(retries={"total_max_attempts": 1}, disable_request_compression=True),
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
        )

    return make


@pytest.fixture
def local_target(moto_url: str) -> AwsTarget:
    return AwsTarget(endpoint_url=moto_url, credentials=DEMO_CREDENTIALS)


@pytest.fixture
async def factory(local_target: AwsTarget):
    async with SessionFactory(local_target) as made:
        yield made


@pytest.fixture
def keys_in_env(monkeypatch) -> None:
    """A user with keys in the environment and no AWS config file or profile."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "demo")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "demo")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def demo(moto_url: str, clock: Clock):
    """The demo fleet on the emptied moto server, on `clock`, with 5 minutes of metrics."""
    from rdstui.demo import DemoFleet

    fleet = DemoFleet(endpoint_url=moto_url, clock=clock, backfill_minutes=5).start()
    yield fleet
    fleet.stop()
