"""The one way in to AWS: an aiobotocore session factory.

It follows the AWS CLI v2's conventions: the standard credential chain (env vars,
profiles, SSO, assume-role, instance roles), `AWS_REGION`, `--endpoint-url` and the
`AWS_ENDPOINT_URL*` variables, the user's `AWS_MAX_ATTEMPTS` / `AWS_RETRY_MODE`,
else adaptive retries with backoff on throttling.
"""

from __future__ import annotations

import os
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import AioSession
from botocore.configprovider import ConfigChainFactory, ConfiguredEndpointProvider
from botocore.exceptions import BotoCoreError
from botocore.utils import parse_timestamp as botocore_timestamp

from rdstui.core.target import ISOLATED_SESSION_VARS, AwsTarget, is_local_url

# The app's retries for reads: its mode, and its max attempts, each only where the user
# set none (AWS_RETRY_MODE / retry_mode, AWS_MAX_ATTEMPTS / max_attempts). Real AWS: back
# off and retry on throttling. A local endpoint answers or it does not; retrying a 500
# from moto only makes a test slower.
AWS_RETRIES = {"mode": "adaptive", "total_max_attempts": 8}
LOCAL_RETRIES = {"mode": "standard", "total_max_attempts": 1}
# Modifying calls: one try, whatever the user set. A timeout must never send a failover
# twice, and the retried call could act on a state the first one already changed.
ACTION_RETRIES = {"mode": "standard", "total_max_attempts": 1}
# botocore session variables the user may set (env var, profile key) -> AioConfig retries key.
USER_RETRY_SETTINGS = {"retry_mode": "mode", "max_attempts": "total_max_attempts"}
# What a client of these services parses on its first creation (the RDS model alone is
# about 1 MB of JSON): the console reads all three before its first tree.
POLLED_SERVICES = ("sts", "rds", "cloudwatch")
SERVICE_FILES = ("service-2", "endpoint-rule-set-1", "paginators-1")
SHARED_FILES = ("endpoints", "partitions", "sdk-default-configuration")


def isolated_session() -> AioSession:
    """A session that never reads the user's AWS files, profile or region."""
    return AioSession(session_vars=ISOLATED_SESSION_VARS)


def preload(session: AioSession, services: tuple[str, ...] = POLLED_SERVICES) -> AioSession:
    """Parse what `services`' clients will need into the session's loader cache, so that
    creating them later costs milliseconds (blocking: run it in a thread while waiting)."""
    loader = session.get_component("data_loader")
    for name in SHARED_FILES:
        loader.load_data(name)
    for service in services:
        for kind in SERVICE_FILES:
            loader.load_service_model(service, kind)
    return session


def parse_timestamp(value: Any) -> datetime:
    """Timestamps in responses. The ISO 8601 form AWS's query APIs send
    (2026-12-01T10:20:30.123Z) is read by the standard library; anything else, as botocore
    reads it. botocore hands each one to dateutil, which was the most expensive part of
    reading a thousand instances' describes."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
        except ValueError:  # a form fromisoformat does not know (e.g. 7+ fraction digits before 3.11)
            pass
    parsed: datetime = botocore_timestamp(value)
    return parsed


class SessionFactory:
    """Creates aiobotocore clients for (service, region), cached and closed together.

    `session`: one made for `target` already (e.g. preloaded while a demo started)."""

    def __init__(self, target: AwsTarget, session: AioSession | None = None) -> None:
        self.target = target
        self.session = session or self._new_session(target)
        parsers = self.session.get_component("response_parser_factory")
        parsers.set_parser_defaults(timestamp_parser=parse_timestamp)
        self._stack = AsyncExitStack()
        self._clients: dict[tuple[str, str, str], Any] = {}

    @staticmethod
    def _new_session(target: AwsTarget) -> AioSession:
        if target.credentials is not None:  # explicit keys: nothing from the user's AWS setup
            return isolated_session()
        session = AioSession()
        if target.profile:
            session.set_config_variable("profile", target.profile)
        return session

    def endpoint_url(self, service: str) -> str | None:
        """Where `service` calls go: --endpoint-url, else what botocore itself will pick up
        (AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's endpoint_url or
        services section), else None for AWS's own endpoint."""
        if self.target.endpoint_url or self.target.credentials is not None:
            return self.target.endpoint_url
        if self.session.get_config_variable("ignore_configured_endpoint_urls"):
            return None
        # botocore's own lookup (a class it calls private): the one create_client applies,
        # so the endpoint judged here is the one the client talks to.
        url: str | None = ConfiguredEndpointProvider(
            full_config=self.session.full_config,
            scoped_config=self.session.get_scoped_config(),
            client_name=service,
        ).provide()
        return url

    def is_local(self, service: str) -> bool:
        return self.target.is_local or is_local_url(self.endpoint_url(service))

    def retries(self, service: str) -> dict[str, Any]:
        """Read retries: the user's retry mode and max attempts, the app's for what is unset."""
        retries = dict(LOCAL_RETRIES if self.is_local(service) else AWS_RETRIES)
        if self.target.credentials is not None:  # the demo never reads the user's AWS setup
            return retries
        for name, key in USER_RETRY_SETTINGS.items():
            chosen = self._user_setting(name)
            if chosen is not None:
                retries[key] = chosen
        return retries

    def _user_setting(self, name: str) -> Any:
        """A botocore setting as the user set it (instance, env var, profile), without
        botocore's default: `get_config_variable("retry_mode")` says "legacy" when unset."""
        config_name, env_var, _default, convert = self.session.session_var_map[name]
        chain = ConfigChainFactory(session=self.session).create_config_chain(
            instance_name=name, env_var_names=env_var, config_property_names=config_name, conversion_func=convert
        )
        return chain.provide()

    def config(self, service: str, **overrides: Any) -> AioConfig:
        options: dict[str, Any] = {
            "retries": self.retries(service),
            "connect_timeout": self.target.connect_timeout,
            "read_timeout": self.target.read_timeout,
            "max_pool_connections": 20,
        }
        options.update(overrides)
        return AioConfig(**options)

    def _client_kwargs(self, service: str, region: str, **config: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"region_name": region, "config": self.config(service, **config)}
        if self.target.endpoint_url:
            kwargs["endpoint_url"] = self.target.endpoint_url
        if self.target.credentials is not None:
            kwargs.update(self.target.credentials)
        return kwargs

    async def client(self, service: str, region: str, **config: Any) -> Any:
        """A cached, open client for reads; closed by `close()`."""
        return await self._cached((service, region, "read"), service, region, config)

    async def action_client(self, service: str, region: str) -> Any:
        """A client for modifying calls: one try only, even with AWS_MAX_ATTEMPTS set (an
        explicit `retries` in the client config overrides botocore's env and profile)."""
        return await self._cached((service, region, "act"), service, region, {"retries": ACTION_RETRIES})

    async def _cached(self, key: tuple[str, str, str], service: str, region: str, config: dict[str, Any]) -> Any:
        if key not in self._clients:
            creator = self.session.create_client(service, **self._client_kwargs(service, region, **config))
            self._clients[key] = await self._stack.enter_async_context(creator)
        return self._clients[key]

    def default_region(self) -> str | None:
        """AWS_REGION, else AWS_DEFAULT_REGION, else the profile's region: the AWS CLI v2's
        order. botocore reads only the last two."""
        if self.target.credentials is None and os.environ.get("AWS_REGION"):
            return os.environ["AWS_REGION"]
        region: str | None = self.session.get_config_variable("region")
        return region

    @property
    def sso_profile(self) -> str | None:
        """The profile to run `aws sso login --profile` for, when the profile in use signs in
        with IAM Identity Center (SSO) itself or through its `source_profile` chain."""
        if self.target.credentials is not None:
            return None
        try:
            profiles = self.session.full_config.get("profiles", {})
        except BotoCoreError:  # a broken ~/.aws/config: the call that reads it says so
            return None
        name: str | None = self.session.profile or "default"
        seen: set[str] = set()
        while name and name not in seen:
            profile = profiles.get(name, {})
            if "sso_session" in profile or "sso_start_url" in profile:
                return name
            seen.add(name)
            name = profile.get("source_profile")
        return None

    async def close(self) -> None:
        self._clients.clear()
        await self._stack.aclose()

    async def __aenter__(self) -> SessionFactory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
