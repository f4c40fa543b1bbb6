"""The built wheel: themes as package data found wherever pip installs it, the license,
every package listed, boto3 only for the demo.

The wheel is built once (from a copy of the sources, so concurrent runs never share a
build directory) and installed with --prefix and --target, which put the package outside
sys.prefix as --user and Debian's pip do. pip installs for a throwaway venv: `install
--prefix` uninstalls the copy in the environment pip runs for, here the project's own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
THEMES = ("rdstui-dark", "rdstui-light", "rdstui-16")
# The MD5 of https://www.apache.org/licenses/LICENSE-2.0.txt, the complete, unmodified text.
APACHE_2_MD5 = "3b83ef96387f14655fc854ddc3c6bd57"


def pip(*args: str, python: Path | None = None) -> None:
    target = ["--python", str(python)] if python else []
    subprocess.run([sys.executable, "-m", "pip", *target, *args, "-q", "--no-deps"], check=True, timeout=120)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, src / name)
    for name in ("rdstui", "themes"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path_factory.mktemp("wheel")
    pip("wheel", str(src), "-w", str(out))
    (built,) = out.glob("rdstui-*.whl")
    return built


def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        (path,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return Parser().parsestr(archive.read(path).decode())


def test_the_wheel_holds_the_themes_as_package_data(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        for theme in THEMES:
            shipped = archive.read(f"rdstui/themes/{theme}.toml")
            assert shipped == (REPO / "themes" / f"{theme}.toml").read_bytes()
    # No data-files left behind (they landed under sys.prefix, where --user installs miss them).
    assert not [n for n in names(wheel) if ".data/" in n]


def test_every_module_of_the_source_is_in_the_wheel(wheel: Path) -> None:
    sources = {p.relative_to(REPO).as_posix() for p in (REPO / "rdstui").rglob("*.py")}
    assert sources <= names(wheel)


def test_license_is_the_apache_text_and_declared(wheel: Path) -> None:
    text = (REPO / "LICENSE").read_bytes()
    assert hashlib.md5(text).hexdigest() == APACHE_2_MD5
    with zipfile.ZipFile(wheel) as archive:
        (path,) = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(path) == text
    meta = metadata(wheel)
    assert meta["License-Expression"] == "Apache-2.0"
    assert meta.get_all("License-File") == ["LICENSE"]


def test_boto3_is_required_only_by_the_demo(wheel: Path) -> None:
    requires = metadata(wheel).get_all("Requires-Dist")
    boto3 = [r for r in requires if r.split(";")[0].strip() == "boto3"]
    assert boto3 == ['boto3; extra == "demo"']
    assert any(r.startswith("aiobotocore") and "extra" not in r for r in requires)


@pytest.mark.parametrize("how", ["--prefix", "--target"])
def test_an_install_outside_sys_prefix_finds_the_themes(wheel: Path, tmp_path: Path, how: str) -> None:
    throwaway = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(throwaway)], check=True, timeout=60)
    root = tmp_path / "installed"
    pip("install", how, str(root), str(wheel), python=throwaway / "bin" / "python")
    (package,) = root.glob("**/site-packages/rdstui") if how == "--prefix" else [root / "rdstui"]
    code = (
        "import rdstui, sys\n"
        "from rdstui.ui.themes import load_themes\n"
        "themes = load_themes()\n"
        "print(rdstui.__file__)\n"
        "print(themes.resolve('rdstui-dark'), *themes.cycle)\n"
        "print(*sorted(str(p) for p in themes.sources.values()))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(package.parent), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    where, chosen, sources = run.stdout.splitlines()
    assert where == str(package / "__init__.py")
    assert chosen == "rdstui-dark " + " ".join(THEMES)
    assert sources.split() == sorted(str(package / "themes" / f"{t}.toml") for t in THEMES)


def test_this_install_reads_the_repository_themes() -> None:
    from rdstui.ui.themes import load_themes

    themes = load_themes(user_dir=Path("/nonexistent"))
    assert themes.cycle[:3] == list(THEMES)
    for theme in THEMES:
        assert themes.sources[theme].read_bytes() == (REPO / "themes" / f"{theme}.toml").read_bytes()
