"""Theme files: TOML, one theme a file, registered as Textual themes.

Built-in themes live in the project's `themes/` directory, installed as the
package `rdstui.themes`; users add their own in
`$XDG_CONFIG_HOME/rdstui/themes/*.toml` (a user theme with a built-in's name
replaces it). A file is a flat table of Textual theme colours plus a
`[variables]` table; rdstui's own colours (status, lag, chart) are variables
with defaults taken from the theme's success / warning / error colours, so a
theme file only needs `name` and `primary`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

from rdstui.core.config import config_home
from rdstui.core.errors import SetupError

DEFAULT_THEME = "rdstui-dark"
# The themes `t` cycles through, in order (user themes are appended).
CYCLE = ("rdstui-dark", "rdstui-light", "rdstui-16")

COLOUR_KEYS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_KEYS = {"name": str, "dark": bool, "ansi": bool, "luminosity_spread": float, "text_alpha": float}

# rdstui's own theme variables and the Textual colour each defaults to.
RDSTUI_VARIABLES = {
    "status-ok": "success",
    "status-busy": "warning",
    "status-bad": "error",
    "status-muted": "foreground-muted",
    "lag-ok": "success",
    "lag-warning": "warning",
    "lag-critical": "error",
    "chart-line": "primary",
    "chart-threshold": "warning",
    "event-highlight": "accent",
    "badge-read-only": "error",
}


class ThemeError(SetupError):
    pass


@dataclass
class ThemeSet:
    """Every theme found, where each came from, and the files that were refused."""

    themes: dict[str, Theme] = field(default_factory=dict)
    sources: dict[str, Path] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # theme name or file -> one line

    @property
    def cycle(self) -> list[str]:
        """Built-ins first in their fixed order, then user themes by name."""
        ordered = [name for name in CYCLE if name in self.themes]
        return ordered + sorted(name for name in self.themes if name not in ordered)

    def choices(self) -> list[str]:
        return self.cycle + sorted(name for name in BUILTIN_THEMES if name not in self.themes)

    def resolve(self, name: str | None) -> str:
        """The theme to start with; a name that is not a theme is a SetupError listing the choices."""
        name = (name or DEFAULT_THEME).strip()
        if name in self.themes or name in BUILTIN_THEMES:
            return name
        for problem_name, problem in self.problems.items():
            if problem_name == name:
                raise ThemeError(f"theme '{name}' could not be loaded: {problem}")
        ours = ", ".join(self.cycle) or "(none found)"
        textual = ", ".join(sorted(BUILTIN_THEMES))
        raise ThemeError(f"unknown theme '{name}'. Choose one of: {ours}; or a Textual theme: {textual}")


def builtin_theme_dirs() -> list[Path]:
    """The shipped theme files: package data of `rdstui.themes` (the repository's
    top-level themes/, mapped in pyproject.toml), wherever pip installed it."""
    return [Path(str(resources.files("rdstui.themes")))]


def user_theme_dir() -> Path:
    return config_home() / "themes"


def _check_colour(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: {key} must be a colour string")
    if value == "ansi_default" or value.startswith("$"):
        return value
    try:
        Color.parse(value.split()[0])
    except ColorParseError:
        raise ThemeError(f"{path}: {key} = {value!r} is not a colour") from None
    return value


def parse_theme(path: Path, text: str) -> Theme:
    """One theme file; a ThemeError names the file and the key at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: not valid TOML: {exc}") from None
    variables = data.pop("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{path}: [variables] must be a table")
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key in COLOUR_KEYS:
            kwargs[key] = _check_colour(path, key, value)
        elif key in OTHER_KEYS:
            kind = OTHER_KEYS[key]
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind):
                raise ThemeError(f"{path}: {key} must be {kind.__name__}")
            kwargs[key] = value
        else:
            known = ", ".join([*OTHER_KEYS, *COLOUR_KEYS, "[variables]"])
            raise ThemeError(f"{path}: unknown key '{key}' (known: {known})")
    if not kwargs.get("name"):
        kwargs["name"] = path.stem
    if "primary" not in kwargs:
        raise ThemeError(f"{path}: 'primary' is required")
    clean_vars: dict[str, str] = {}
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeError(f"{path}: variables.{key} must be a string")
        if key in RDSTUI_VARIABLES:
            _check_colour(path, f"variables.{key}", value)
        clean_vars[str(key)] = value
    return Theme(variables=clean_vars, **kwargs)


def _load_dir(directory: Path, found: ThemeSet) -> None:
    for path in sorted(directory.glob("*.toml")):
        try:
            theme = parse_theme(path, path.read_text(encoding="utf-8"))
        except ThemeError as exc:
            found.problems[path.stem] = str(exc)
            continue
        except OSError as exc:
            found.problems[path.stem] = f"{path}: {exc.strerror or exc}"
            continue
        found.themes[theme.name] = theme
        found.sources[theme.name] = path
        found.problems.pop(theme.name, None)


def load_themes(user_dir: Path | None = None, builtin_dirs: list[Path] | None = None) -> ThemeSet:
    """Built-in themes, then the user's (which may replace a built-in by name)."""
    found = ThemeSet()
    for directory in builtin_dirs if builtin_dirs is not None else builtin_theme_dirs():
        _load_dir(directory, found)
    directory = user_dir if user_dir is not None else user_theme_dir()
    if directory.is_dir():
        _load_dir(directory, found)
    return found


def fill_variables(variables: dict[str, str]) -> dict[str, str]:
    """rdstui's variables for a theme that does not set them (any Textual theme)."""
    filled = dict(variables)
    for name, fallback in RDSTUI_VARIABLES.items():
        if name not in filled:
            filled[name] = filled.get(fallback) or filled.get("foreground", "white")
    return filled
