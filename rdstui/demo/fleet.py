"""`rdstui --demo`: a realistic multi-region RDS fleet on an in-process moto server.

    with DemoFleet().start() as fleet:
        factory = SessionFactory(fleet.target)
        ...

The fleet is created through the real API (boto3 against the server), then the
places where moto does not look like AWS are patched in its in-process backends
(see fidelity.py), and a simulator writes CloudWatch datapoints as time passes
(see simulator.py). Actions (failover, promote, global switchover, snapshots...)
play out over demo time as they do in AWS (see operations.py). Time comes from an injectable clock, randomness only from
the seed, so tests and screenshots can be reproduced exactly.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from datetime import datetime
from typing import Any, Callable

from rdstui.core.clock import utcnow
from rdstui.core.target import DEMO_CREDENTIALS, ISOLATED_SESSION_VARS, AwsTarget
from rdstui.demo import faults, fidelity, model_files, operations
from rdstui.demo.seed import ACCOUNT_ID, REGIONS, seed_fleet
from rdstui.demo.simulator import MetricSimulator

log = logging.getLogger(__name__)


def _quiet_werkzeug() -> None:
    """werkzeug logs every request, and a traceback for every moto 500, straight to
    stderr (it adds its own stream handler when its logger has none), which would
    scribble over a TUI. Keep only errors, and let them reach stderr only through
    whatever handlers the application configured on the root logger."""
    logger = logging.getLogger("werkzeug")
    logger.setLevel(logging.ERROR)
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())


def _make_server() -> Any:
    """moto's ThreadedMotoServer on 127.0.0.1 and a free port, polling for shutdown
    every 50 ms instead of 500 (so stop() returns at once)."""
    from moto.server import ThreadedMotoServer

    class _Server(ThreadedMotoServer):  # type: ignore[misc]  # moto is read as Any (pyproject)
        def _server_entry(self) -> None:
            from moto.moto_server.threaded_moto_server import (
                DomainDispatcherApplication,
                MotoRequestHandler,
                create_backend_app,
                make_server,
            )

            app = DomainDispatcherApplication(create_backend_app)
            self._server = make_server(
                self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
            )
            self._server_ready_event.set()
            self._server.serve_forever(poll_interval=0.05)

    return _Server(ip_address="127.0.0.1", port=0, verbose=False)


class DemoFleet:
    REGIONS = REGIONS
    ACCOUNT_ID = ACCOUNT_ID

    def __init__(
        self,
        *,
        seed: int = 7,
        clock: Callable[[], datetime] | None = None,
        backfill_minutes: int = 60,
        endpoint_url: str | None = None,
    ) -> None:
        """`endpoint_url`: seed an already-running moto server of this process instead of starting one."""
        self.seed = seed
        self.clock = clock or utcnow
        self.backfill_minutes = backfill_minutes
        self._attach_url = endpoint_url.rstrip("/") if endpoint_url else None
        self.endpoint_url: str = self._attach_url or ""
        self._server: Any = None
        self._clients: dict[tuple[str, str], Any] = {}
        self._boto_session: Any = None
        self._broken: set[str] = set()
        self._tick_lock = threading.Lock()
        self.simulator = MetricSimulator(seed, backfill_minutes)
        self.started = False
        self.start_seconds: float | None = None  # how long start() took

    # ------------------------------------------------------------------ time

    def now(self) -> datetime:
        """The demo's current time, timezone-aware UTC."""
        return fidelity.aware_utc(self.clock())

    # ------------------------------------------------------------ lifecycle

    @property
    def target(self) -> AwsTarget:
        if not self.endpoint_url:
            raise RuntimeError("DemoFleet.start() first")
        return AwsTarget(endpoint_url=self.endpoint_url, credentials=dict(DEMO_CREDENTIALS))

    def start(self) -> DemoFleet:
        if self.started:
            return self
        began = time.perf_counter()
        _quiet_werkzeug()
        model_files.share_parsed_files()  # before moto's import builds its Sessions
        from moto.backends import get_backend

        if self._attach_url is None:
            # moto's backends are process-wide: a fresh server starts from empty RDS/CloudWatch.
            get_backend("rds")[ACCOUNT_ID].reset()
            get_backend("cloudwatch")[ACCOUNT_ID].reset()
            server = _make_server()
            server.start()
            host, port = server.get_host_and_port()
            self._server = server
            self.endpoint_url = f"http://{host}:{port}"
        faults.install()
        fidelity.install()
        # moto draws generated names (a blue/green green's suffix) from its own random: seed it.
        from moto.moto_api._internal import mock_random

        mock_random.seed(self.seed)
        # Seed with moto's own handlers (snapshots available at once); the last demo started wins.
        operations.deactivate()
        self.simulator = MetricSimulator(self.seed, self.backfill_minutes)
        try:
            seed_fleet(self.client)
            if "orders-pg" not in fidelity.rds_backends()["us-east-1"].databases:
                raise RuntimeError(
                    f"the moto server at {self.endpoint_url} is not running in this process; "
                    "the demo fleet patches moto's in-process state and needs it here"
                )
            now = self.now()
            fidelity.seed_patches(self.seed, now, self.REGIONS)
            # From here on, actions (failover, promote, snapshots...) play out over demo time.
            operations.activate(self.now, owner=self)
            self.started = True
            self.tick(now)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.perf_counter() - began
        log.debug("demo fleet up at %s in %.2fs", self.endpoint_url, self.start_seconds)
        return self

    def stop(self) -> None:
        operations.deactivate(owner=self)
        for region in list(self._broken):
            self.heal_region(region)
        self._clients.clear()
        if self._server is not None:
            server, self._server = self._server, None
            server.stop()
        self.started = False

    def __enter__(self) -> DemoFleet:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --------------------------------------------------------------- clients

    def client(self, service: str, region: str) -> Any:
        """A boto3 client for the demo endpoint (cached), cut off from the user's AWS setup."""
        key = (service, region)
        if key not in self._clients:
            import boto3
            import botocore.session
            from botocore.config import Config

            if self._boto_session is None:
                core = botocore.session.Session(session_vars=ISOLATED_SESSION_VARS)
                self._boto_session = boto3.session.Session(
                    botocore_session=core,
                    aws_access_key_id=DEMO_CREDENTIALS["aws_access_key_id"],
                    aws_secret_access_key=DEMO_CREDENTIALS["aws_secret_access_key"],
                )
            config = Config(retries={"mode": "standard", "total_max_attempts": 1}, disable_request_compression=True)
            self._clients[key] = self._boto_session.client(
                service, region_name=region, endpoint_url=self.endpoint_url, config=config
            )
        return self._clients[key]

    # ------------------------------------------------------------- simulator

    def tick(self, now: datetime | None = None) -> None:
        """Play the actions' steps due by `now` (default: the clock: see operations.py),
        write the datapoints due, prune old ones, and keep moto's state looking like
        AWS (LatestRestorableTime, zones, writers)."""
        if not self.started:
            raise RuntimeError("DemoFleet.start() first")
        moment = fidelity.aware_utc(now) if now is not None else self.now()
        with self._tick_lock:
            operations.advance(moment)
            fidelity.refresh(self.seed, moment)
            self.simulator.tick(moment)

    async def run_simulator(self, interval: float = 10.0, busy_interval: float = 2.0) -> None:
        """Call tick() every `interval` seconds until cancelled; every `busy_interval`
        seconds while an action is playing out, so its steps show as they happen.
        The first tick waits its turn: start() has just ticked, and the console's first
        poll should not queue behind a second one."""
        while True:
            await asyncio.sleep(min(interval, busy_interval) if operations.pending() else interval)
            try:
                self.tick()
            except Exception:  # a demo keeps going; the next tick may well work
                log.exception("demo simulator tick failed")

    # ---------------------------------------------------------------- faults

    def break_region(self, region: str, code: str = "Throttling", message: str = "Rate exceeded") -> None:
        """Every RDS and CloudWatch call to `region` now fails with this AWS error (HTTP 400)."""
        faults.break_region(region, code, message)
        self._broken.add(region)

    def heal_region(self, region: str) -> None:
        faults.heal_region(region)
        self._broken.discard(region)
