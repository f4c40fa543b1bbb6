"""The one way in to AWS: an aiobotocore session factory.

It follows the AWS CLI's conventions: the standard credential chain (env vars,
profiles, SSO, assume-role, instance roles), `--endpoint-url` and the
`AWS_ENDPOINT_URL*` variables, and adaptive retries with backoff on throttling.
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession

# Real AWS: back off and retry on throttling. A local endpoint answers or it
# does not; retrying a 500 from moto only makes a test slower.
AWS_RETRIES = {"mode": "adaptive", "total_max_attempts": 8}
LOCAL_RETRIES = {"mode": "standard", "total_max_attempts": 1}
ACTION_RETRIES = {"mode": "standard", "total_max_attempts": 1}

DEMO_CREDENTIALS = {
    "aws_access_key_id": "demo",
    "aws_secret_access_key": "demo",
    "aws_session_token": None,
}

# botocore session variables as (config key, env var, default, converter):
# blanking the env var and the files cuts the session off from the user's setup.
ISOLATED_SESSION_VARS = {
    "profile": (None, None, None, None),
    "region": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}


@dataclass(frozen=True)
class AwsTarget:
    """Where and as whom to talk to AWS."""

    profile: str | None = None
    endpoint_url: str | None = None
    # Explicit credentials bypass the chain entirely (the demo uses this).
    credentials: dict[str, Any] | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_local(self) -> bool:
        return self.credentials is not None or bool(
            self.endpoint_url and "127.0.0.1" in self.endpoint_url
        )


class SessionFactory:
    """Creates aiobotocore clients for (service, region), cached and closed together."""

    def __init__(self, target: AwsTarget) -> None:
        self.target = target
        self.session = self._new_session(target)
        self._stack = AsyncExitStack()
        self._clients: dict[tuple[str, str, str], Any] = {}

    @staticmethod
    def _new_session(target: AwsTarget) -> AioSession:
        if target.credentials is not None:
            # Never read the user's AWS files, profile or region when given explicit keys.
            return AioSession(session_vars=ISOLATED_SESSION_VARS)
        session = AioSession()
        if target.profile:
            session.set_config_variable("profile", target.profile)
        return session

    def config(self, **overrides: Any) -> AioConfig:
        retries = LOCAL_RETRIES if self.target.is_local else AWS_RETRIES
        options: dict[str, Any] = {
            "retries": retries,
            "connect_timeout": self.target.connect_timeout,
            "read_timeout": self.target.read_timeout,
            "max_pool_connections": 20,
        }
        options.update(overrides)
        return AioConfig(**options)

    def _client_kwargs(self, region: str, **config: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"region_name": region, "config": self.config(**config)}
        if self.target.endpoint_url:
            kwargs["endpoint_url"] = self.target.endpoint_url
        if self.target.credentials is not None:
            kwargs.update(self.target.credentials)
        return kwargs

    async def client(self, service: str, region: str, **config: Any) -> Any:
        """A cached, open client for reads; closed by `close()`."""
        return await self._cached((service, region, "read"), service, region, config)

    async def action_client(self, service: str, region: str) -> Any:
        """A client for modifying calls: one try only, so a timeout never sends a failover twice."""
        return await self._cached((service, region, "act"), service, region, {"retries": ACTION_RETRIES})

    async def _cached(self, key: tuple[str, str, str], service: str, region: str, config: dict[str, Any]) -> Any:
        if key not in self._clients:
            creator = self.session.create_client(service, **self._client_kwargs(region, **config))
            self._clients[key] = await self._stack.enter_async_context(creator)
        return self._clients[key]

    def default_region(self) -> str | None:
        """The profile's region, or AWS_REGION / AWS_DEFAULT_REGION, as the CLI resolves it."""
        return self.session.get_config_variable("region")

    async def close(self) -> None:
        self._clients.clear()
        await self._stack.aclose()

    async def __aenter__(self) -> SessionFactory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
