"""The embedded demo fleet behind `rdstui --demo` (moto in-process; no textual here)."""

from rdstui.demo.fleet import DemoFleet

__all__ = ["DemoFleet"]
