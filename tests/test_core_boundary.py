"""The core is plain async Python: importing it must not pull in Textual."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "rdstui.core.model", "rdstui.core.session", "rdstui.core.discovery", "rdstui.core.topology", "rdstui.core.watch",
    "rdstui.core.metrics", "rdstui.core.desk", "rdstui.core.events", "rdstui.core.backups",
    "rdstui.core.config", "rdstui.core.errors", "rdstui.core.regions", "rdstui.core.format",
    "rdstui.status", "rdstui.runtime", "rdstui.demo",
]


def test_importing_the_core_loads_no_textual():
    code = (
        "import importlib, pkgutil, sys\n"
        "import rdstui.core\n"
        "mods = [m.name for m in pkgutil.walk_packages(rdstui.core.__path__, 'rdstui.core.')]\n"
        f"for name in mods + {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'plotext')))\n"
        "print(len(mods), bad)\n"
        "sys.exit(1 if bad or len(mods) < 10 else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
