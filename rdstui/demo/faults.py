"""Region outages on demand: every RDS/CloudWatch call to a broken region fails.

moto's backends and response classes are process-global, so the switch is too:
one table of broken regions, consulted by a wrapper around the `call_action` of
moto's RDS and CloudWatch response classes. The wrapper serializes the fault the
way moto serializes its own service errors (query XML for RDS, the client's
protocol for CloudWatch), so botocore raises a ClientError with the given code.
"""

from __future__ import annotations

import threading
import warnings
from typing import Any

_LOCK = threading.Lock()
_BROKEN: dict[str, tuple[str, str]] = {}
_INSTALLED = False


def _wrap(response_cls: Any, error_cls: type[Exception]) -> None:
    """`error_cls`: the service's own moto exception base (moto finds the
    service model to serialize with from the exception's module)."""
    original = response_cls.call_action
    if getattr(original, "_rdstui_demo_fault_wrapper", False):
        return

    def call_action(self: Any) -> Any:
        fault = _BROKEN.get(getattr(self, "region", None) or "")
        if fault is None:
            return original(self)
        from moto.core.responses import ActionResult

        with warnings.catch_warnings():
            # moto warns that e.g. "Throttling" is not an error shape of the service
            # model; AWS returns it all the same (it is a common error).
            warnings.simplefilter("ignore", UserWarning)
            status, headers, body = self.serialized(ActionResult(error_cls(*fault)))
        if status < 400:
            status = 400
        headers = dict(headers)
        headers["status"] = str(status)
        return status, headers, body

    call_action._rdstui_demo_fault_wrapper = True  # type: ignore[attr-defined]
    call_action.__wrapped__ = original  # type: ignore[attr-defined]
    response_cls.call_action = call_action


def install() -> None:
    """Wrap moto's RDS and CloudWatch responses once per process (idempotent)."""
    global _INSTALLED
    with _LOCK:
        if _INSTALLED:
            return
        from moto.cloudwatch.exceptions import CloudWatchException
        from moto.cloudwatch.responses import CloudWatchResponse
        from moto.rds.exceptions import RDSClientError
        from moto.rds.responses import RDSResponse

        _wrap(RDSResponse, RDSClientError)
        _wrap(CloudWatchResponse, CloudWatchException)
        _INSTALLED = True


def break_region(region: str, code: str, message: str) -> None:
    install()
    with _LOCK:
        _BROKEN[region] = (code, message)


def heal_region(region: str) -> None:
    with _LOCK:
        _BROKEN.pop(region, None)

