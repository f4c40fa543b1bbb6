"""The house rules hold: import contracts (pyproject's [tool.importlinter]) and types.

Both tools run as a developer runs them, from the checkout, on the installed package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    """`lint-imports` (a click command), without a cache written into the checkout."""
    code = f"from importlinter.cli import lint_imports_command; lint_imports_command({[*args, '--no-cache']!r})"
    return run("-c", code)


def test_import_contracts_are_kept():
    """The core imports no UI, demo, CLI or Textual; the demo never draws; the UI never
    reads the command line; no two sibling modules or packages import each other."""
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_a_broken_contract_is_caught(tmp_path):
    """The same linter on a copy of the rules with one that the code breaks: it fails."""
    config = tmp_path / "contracts.toml"
    config.write_text(
        '[tool.importlinter]\nroot_package = "rdstui"\n'
        '[[tool.importlinter.contracts]]\nname = "the UI without the core"\ntype = "forbidden"\n'
        'source_modules = ["rdstui.ui"]\nforbidden_modules = ["rdstui.core"]\n'
    )
    result = lint_imports("--config", str(config))
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout + result.stderr


def test_mypy_is_clean_strict_on_the_core():
    result = run("-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr
