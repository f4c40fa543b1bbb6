"""The embedded demo fleet behind `rdstui --demo` (moto; no textual here).

DemoFleet is imported on first use, so that `rdstui.demo.process` can start the demo's
own process before moto and the core's AWS clients are imported.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "DemoFleet":
        from rdstui.demo.fleet import DemoFleet

        return DemoFleet
    raise AttributeError(f"module 'rdstui.demo' has no attribute {name!r}")
