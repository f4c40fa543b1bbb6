"""The TOML config file: every key optional, command-line flags win.

A malformed file, an unknown key or a value out of range is a `ConfigError`
naming the file, the line and the key, never a traceback.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from rdstui.core.errors import SetupError


class ConfigError(SetupError):
    pass


@dataclass(frozen=True)
class Settings:
    """Everything the console can be told; defaults are what you get with no file."""

    profile: str | None = None
    regions: list[str] = field(default_factory=list)
    endpoint_url: str | None = None
    refresh: float = 30.0  # seconds between topology polls
    metrics_refresh: float = 60.0  # seconds between CloudWatch fetches
    lag_warning: float = 30.0
    lag_critical: float = 300.0
    rpo_warning: float = 900.0  # [attention]: seconds behind the latest restorable time
    free_storage_warning: float = 10.0  # percent of the allocated storage left
    trend_window: float = 300.0  # seconds the trend arrows and "rising" look back
    alarms: bool = True  # read CloudWatch alarms (DescribeAlarms) with every metrics cycle
    label: str | None = None  # [profiles.X] label: "PRODUCTION", shown in the critical colour
    theme: str | None = None
    read_only: bool = False
    # Why the console is read-only, for the message its action keys show:
    # "--read-only", or the config file line that turned it on. Not a config key.
    read_only_source: str | None = None
    write_flag: bool = False  # --write PROFILE lifted the config file's read-only (not a config key)


# key -> (Settings field, accepted types)
TOP_KEYS: dict[str, tuple[str, tuple[type, ...]]] = {
    "profile": ("profile", (str,)),
    "regions": ("regions", (list,)),
    "endpoint_url": ("endpoint_url", (str,)),
    "refresh": ("refresh", (int, float)),
    "metrics_refresh": ("metrics_refresh", (int, float)),
    "theme": ("theme", (str,)),
    "read_only": ("read_only", (bool,)),
}
LAG_KEYS = {"warning": ("lag_warning", (int, float)), "critical": ("lag_critical", (int, float))}
PROFILE_KEYS = {**{k: v for k, v in TOP_KEYS.items() if k != "profile"}, "label": ("label", (str,))}
ATTENTION_KEYS = {
    "rpo_warning": ("rpo_warning", (int, float)),
    "free_storage_warning": ("free_storage_warning", (int, float)),
    "trend_window": ("trend_window", (int, float)),
    "alarms": ("alarms", (bool,)),
}
# (lowest, highest) accepted: the metric store keeps an hour; storage is a share of 100.
ATTENTION_RANGES = {"rpo_warning": (60.0, 86400.0 * 35), "free_storage_warning": (0.1, 99.0), "trend_window": (120.0, 3600.0)}
LABEL_MAX = 24

# Shortest sane intervals: a topology poll is several Describe calls a region (faster
# only burns API quota), and CloudWatch's RDS metrics have a 60 s period.
MIN_REFRESH = 5.0
MIN_METRICS_REFRESH = 60.0
INTERVALS = {"refresh": MIN_REFRESH, "metrics_refresh": MIN_METRICS_REFRESH}


def check_interval(name: str, value: str | float, minimum: float) -> float:
    """`value` as seconds, or ValueError saying why (also for the --refresh flag)."""
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds (got {value!r})") from None
    if not (math.isfinite(seconds) and seconds >= minimum):
        raise ValueError(f"{name} must be a finite number of seconds, at least {minimum:g} (got {seconds:g})")
    return seconds


def config_home() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "rdstui"


def state_home() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "rdstui"


def default_config_path() -> Path:
    return config_home() / "config.toml"


@dataclass
class ConfigFile:
    """The parsed file: top-level settings, per-profile overrides, the profiles shown by default."""

    path: Path | None
    base: dict[str, Any] = field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profiles_shown: list[str] = field(default_factory=list)

    def shown(self, given: list[str]) -> list[str | None]:
        """The profiles to watch: --profile's, else `profiles_shown`, else `profile`, else the
        default one (None: AWS_PROFILE or botocore's default)."""
        names = given or self.profiles_shown or ([self.base["profile"]] if self.base.get("profile") else [])
        return list(dict.fromkeys(names)) or [None]

    def settings(self, cli: dict[str, Any], *, several: bool = False) -> Settings:
        """Defaults < file < the profile's section < command-line flags. With `several`
        profiles shown, a section's own `regions` beat --region (which is for the rest).
        `cli["write"]`: the profiles --write lifts the file's read-only for."""
        merged = dict(self.base)
        chosen = cli.get("profile") or merged.get("profile")
        section = self.profiles.get(chosen or "", {})
        merged.update(section)
        flags = {k: v for k, v in cli.items() if v not in (None, [], False) and k != "write"}
        if several and "regions" in section:
            flags.pop("regions", None)
        merged.update(flags)
        if merged.get("read_only") and not cli.get("read_only") and chosen in cli.get("write", ()):
            merged.update(read_only=False, write_flag=True)
        if merged.get("read_only"):
            merged["read_only_source"] = self._read_only_source(cli, chosen)
        names = {f.name for f in fields(Settings)}
        return replace(Settings(), **{k: v for k, v in merged.items() if k in names})

    def _read_only_source(self, cli: dict[str, Any], profile: str | None) -> str:
        if cli.get("read_only"):
            return "--read-only"
        where = str(self.path) if self.path else "the config file"
        if profile and "read_only" in self.profiles.get(profile, {}):
            return f"read_only = true for profile {profile} in {where}"
        return f"read_only = true in {where}"


def _line_of(text: str, key: str, table: str | None) -> int:
    """Best line number for `key` (inside `[table]` when given)."""
    in_table = table is None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"\s*\[([^\]]+)\]", line)
        if header:
            name = header.group(1).strip().strip('"')
            in_table = table is not None and name == table
            if in_table and key == "":
                return number
            continue
        if in_table and re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", line):
            return number
    return 1


def _of_type(value: object, types: tuple[type, ...]) -> bool:
    """isinstance, but `true` is no number (a function: inline, mypy would narrow `value` to object)."""
    return isinstance(value, types) and not (isinstance(value, bool) and bool not in types)


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text = path, text

    def fail(self, key: str, table: str | None, why: str) -> ConfigError:
        where = f"{table}.{key}" if table else key
        line = _line_of(self.text, key, table)
        return ConfigError(f"{self.path}:{line}: {why.format(key=repr(where))}")

    def take(self, raw: dict[str, Any], known: Mapping[str, tuple[str, tuple[type, ...]]], table: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                choices = ", ".join(sorted(known))
                raise self.fail(key, table, f"unknown key {{key}} (known: {choices})")
            name, types = known[key]
            if not _of_type(value, types):
                kind = " or ".join(t.__name__ for t in types)
                raise self.fail(key, table, f"{{key}} must be {kind}")
            if key == "regions" and not all(isinstance(r, str) for r in value):
                raise self.fail(key, table, "{key} must be a list of region names")
            if key in INTERVALS:
                try:
                    check_interval("{key}", value, INTERVALS[key])
                except ValueError as exc:
                    raise self.fail(key, table, str(exc)) from None
            out[name] = float(value) if float in types and not isinstance(value, bool) else value
        return out

    def check_attention(self, attention: dict[str, Any]) -> None:
        for key, (low, high) in ATTENTION_RANGES.items():
            value = attention.get(key)
            if value is not None and not (math.isfinite(value) and low <= value <= high):
                raise self.fail(key, "attention", f"{{key}} must be from {low:g} to {high:g} (got {value:g})")

    def check_label(self, section: dict[str, Any], table: str) -> None:
        label = section.get("label")
        if label is not None and not (0 < len(label.strip()) <= LABEL_MAX and label.isprintable()):
            raise self.fail("label", table, f"{{key}} must be 1 to {LABEL_MAX} printable characters")

    def check_lag(self, lag: dict[str, float]) -> None:
        """Both thresholds positive and finite, warning below critical."""
        for key in ("warning", "critical"):
            value = lag.get(f"lag_{key}")
            if value is not None and not (math.isfinite(value) and value > 0):
                raise self.fail(key, "lag", f"{{key}} must be a finite number of seconds above 0 (got {value:g})")
        warning = lag.get("lag_warning", Settings.lag_warning)
        critical = lag.get("lag_critical", Settings.lag_critical)
        if not warning < critical:
            key = "warning" if "lag_warning" in lag else "critical"
            raise self.fail(key, "lag", f"'lag.warning' ({warning:g}) must be below 'lag.critical' ({critical:g})")


def _read_text(path: Path, required: bool) -> str | None:
    """The file's text; None for a missing default file."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        if required:
            raise ConfigError(f"{path}: no such config file") from None
        return None
    except OSError as exc:  # a directory, no permission...
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); TOML files are UTF-8") from None


def _toml_error(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> ConfigError:
    """tomllib ends its message with "(at line N, column M)" or "(at end of document)"."""
    message = str(exc)
    at = re.search(r" \(at line (\d+), column (\d+)\)$", message)
    if at:
        line, reason = int(at.group(1)), f"{message[: at.start()]} (column {at.group(2)})"
    else:
        # At the end of the document the problem is on the last line that has anything on it.
        line = text.rstrip().count("\n") + 1
        reason = f"{message.removesuffix(' (at end of document)')} (at the end of the file)"
    return ConfigError(f"{path}:{line}: not valid TOML: {reason}")


def load_config(path: Path | None = None, *, required: bool = False) -> ConfigFile:
    """Read the config file; a missing default file is simply no settings."""
    path = path or default_config_path()
    text = _read_text(path, required)
    if text is None:
        return ConfigFile(None)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _toml_error(path, text, exc) from None
    reader = _Reader(path, text)
    lag = data.pop("lag", {})
    attention = data.pop("attention", {})
    profiles = data.pop("profiles", {})
    shown = data.pop("profiles_shown", [])
    if not (isinstance(shown, list) and all(isinstance(name, str) and name.strip() for name in shown)):
        raise reader.fail("profiles_shown", None, "{key} must be a list of profile names")
    base = reader.take(data, TOP_KEYS, None)
    for name, table in (("lag", lag), ("attention", attention)):
        if not isinstance(table, dict):
            raise reader.fail(name, None, f"{{key}} must be a [{name}] table")
    thresholds = reader.take(lag, LAG_KEYS, "lag")
    reader.check_lag(thresholds)
    base.update(thresholds)
    rules = reader.take(attention, ATTENTION_KEYS, "attention")
    reader.check_attention(rules)
    base.update(rules)
    if not isinstance(profiles, dict):
        raise reader.fail("profiles", None, "{key} must be [profiles.NAME] tables")
    parsed: dict[str, dict[str, Any]] = {}
    for name, section in profiles.items():
        if not isinstance(section, dict):
            raise reader.fail(name, "profiles", "{key} must be a [profiles.NAME] table")
        parsed[name] = reader.take(section, PROFILE_KEYS, f"profiles.{name}")
        reader.check_label(parsed[name], f"profiles.{name}")
    return ConfigFile(path, base, parsed, shown)
