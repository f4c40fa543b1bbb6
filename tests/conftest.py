"""Shared fixtures: a real moto server on 127.0.0.1 (a free port), never AWS."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from rdstui.core.session import DEMO_CREDENTIALS, AwsTarget, SessionFactory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
