"""Where and as whom to talk to AWS: plain data, no AWS SDK (the demo's process reads it too)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

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


def is_local_url(url: str | None) -> bool:
    """An endpoint on this machine: localhost, 127.x.x.x or [::1] (by host, not substring)."""
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # "http://[::1" and the like: botocore refuses it itself
        return False
    if not host:
        return False
    name = host.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        """Explicit credentials (the demo) or an --endpoint-url on this machine."""
        return self.credentials is not None or is_local_url(self.endpoint_url)
