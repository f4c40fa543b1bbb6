"""The demo fleet in a process of its own, for `rdstui --demo`.

moto and its seeding are CPU work under Python's GIL: in the console's process they
would stall its drawing and add to its start. As a child process the fleet seeds while
the console imports, and answers the console's polls from another core. The child
prints one JSON line (its endpoint, or why it could not start) and lives until its stdin
closes, so it never outlives the console, even one that was killed.

Light on purpose (no moto, no AWS SDK): the CLI starts it before its own imports.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any

from rdstui.core.errors import SetupError
from rdstui.demo.seed import REGIONS

if TYPE_CHECKING:
    from rdstui.core.target import AwsTarget

STOP_SECONDS = 5.0


def start_demo() -> DemoProcess:
    """The demo fleet's process, started: it seeds while the caller goes on."""
    missing = [name for name in ("moto", "boto3") if importlib.util.find_spec(name) is None]
    if missing:  # moto and boto3 are in the optional 'demo' extra
        raise SetupError(f"--demo needs the demo extra: pip install 'rdstui[demo]' ({missing[0]} is missing)")
    return DemoProcess()


class DemoProcess:
    REGIONS = REGIONS

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "rdstui.demo.serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the terminal is the console's; the child reports on stdout
        )
        self._target: AwsTarget | None = None

    @property
    def pid(self) -> int:
        return self._child.pid

    @property
    def target(self) -> AwsTarget:
        """The child's endpoint, once it is seeded (this waits); SetupError if it could not start."""
        if self._target is None:
            self._target = self._read_target()
        return self._target

    def _read_target(self) -> AwsTarget:
        from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget

        out: IO[bytes] | None = self._child.stdout
        try:
            answer: dict[str, Any] = json.loads(out.readline() if out is not None else b"")
        except ValueError:
            self.stop()
            raise SetupError(f"the demo fleet did not start (its process exited {self._child.returncode})") from None
        if "error" in answer:
            self.stop()
            raise SetupError(f"the demo fleet did not start: {answer['error']}")
        return AwsTarget(endpoint_url=answer["endpoint_url"], credentials=dict(DEMO_CREDENTIALS))

    def stop(self) -> None:
        child = self._child
        if child.stdin is not None and not child.stdin.closed:
            child.stdin.close()  # the child's signal to stop
        try:
            child.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()


# moto's server with the demo's class-level fixes, so what AWS answers (DescribeBlueGreenDeployments
# with a page size; global members' shape) it answers too.
FAITHFUL_SERVER = "import sys; from rdstui.demo import fidelity; fidelity.install(); from moto.server import main; main(sys.argv[1:])"


def moto_server(env: Mapping[str, str] | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """An empty moto server (no demo fleet) in a process of its own on 127.0.0.1 (a free port),
    and its URL; `env` for it (MOTO_ACCOUNT_ID: moto's account is process-wide). The caller
    terminates it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-c", FAITHFUL_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/").read()
            return proc, url
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SetupError("a moto server did not start")
