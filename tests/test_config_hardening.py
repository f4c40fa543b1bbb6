"""The config file's values and reading it: one `path:line: ...` line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from rdstui.cli import main
from rdstui.core.config import (
    MIN_METRICS_REFRESH,
    MIN_REFRESH,
    ConfigError,
    check_interval,
    load_config,
)


def config_error(tmp_path: Path, text: str | bytes) -> tuple[Path, str]:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, required=True)
    return path, str(caught.value)


@pytest.mark.parametrize(
    ("value", "shown"), [("-5", "-5"), ("0", "0"), ("1e-9", "1e-09"), ("4.9", "4.9"), ("nan", "nan"), ("inf", "inf"), ("-inf", "-inf")]
)
def test_refresh_below_the_minimum_or_not_finite_is_refused(tmp_path: Path, value: str, shown: str) -> None:
    path, message = config_error(tmp_path, f'theme = "rdstui-dark"\nrefresh = {value}\n')
    assert message == f"{path}:2: 'refresh' must be a finite number of seconds, at least 5 (got {shown})"


@pytest.mark.parametrize(("value", "shown"), [("30", "30"), ("59.5", "59.5"), ("nan", "nan"), ("inf", "inf")])
def test_metrics_refresh_is_at_least_the_cloudwatch_period(tmp_path: Path, value: str, shown: str) -> None:
    path, message = config_error(tmp_path, f"metrics_refresh = {value}\n")
    assert message == f"{path}:1: 'metrics_refresh' must be a finite number of seconds, at least 60 (got {shown})"


def test_a_profile_section_interval_is_checked_at_its_line(tmp_path: Path) -> None:
    path, message = config_error(tmp_path, "refresh = 30\n\n[profiles.prod]\nread_only = true\nrefresh = 1\n")
    assert message == f"{path}:5: 'profiles.prod.refresh' must be a finite number of seconds, at least 5 (got 1)"


def test_the_minimums_themselves_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("refresh = 5\nmetrics_refresh = 60\n[lag]\nwarning = 0.5\ncritical = 1\n")
    settings = load_config(path).settings({})
    assert (settings.refresh, settings.metrics_refresh) == (5.0, 60.0)
    assert (settings.lag_warning, settings.lag_critical) == (0.5, 1.0)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("4", "--refresh must be a finite number of seconds, at least 5 (got 4)"),
        ("nan", "--refresh must be a finite number of seconds, at least 5 (got nan)"),
        ("inf", "--refresh must be a finite number of seconds, at least 5 (got inf)"),
        ("soon", "--refresh must be a number of seconds (got 'soon')"),
    ],
)
def test_check_interval_gives_the_flag_the_same_words(value: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        check_interval("--refresh", value, MIN_REFRESH)
    assert str(caught.value) == message
    assert check_interval("--refresh", "12.5", MIN_REFRESH) == 12.5
    assert check_interval("metrics_refresh", 60, MIN_METRICS_REFRESH) == 60.0


@pytest.mark.parametrize(
    ("lag", "line", "why"),
    [
        ("warning = 0\n", 2, "'lag.warning' must be a finite number of seconds above 0 (got 0)"),
        ("warning = -30\n", 2, "'lag.warning' must be a finite number of seconds above 0 (got -30)"),
        ("warning = 30\ncritical = inf\n", 3, "'lag.critical' must be a finite number of seconds above 0 (got inf)"),
        ("critical = nan\n", 2, "'lag.critical' must be a finite number of seconds above 0 (got nan)"),
        ("warning = 300\ncritical = 30\n", 2, "'lag.warning' (300) must be below 'lag.critical' (30)"),
        ("warning = 60\ncritical = 60\n", 2, "'lag.warning' (60) must be below 'lag.critical' (60)"),
        # Against the default of the key not given: critical 300, warning 30.
        ("warning = 400\n", 2, "'lag.warning' (400) must be below 'lag.critical' (300)"),
        ("critical = 10\n", 2, "'lag.warning' (30) must be below 'lag.critical' (10)"),
    ],
)
def test_lag_thresholds_positive_finite_and_ordered(tmp_path: Path, lag: str, line: int, why: str) -> None:
    path, message = config_error(tmp_path, f"[lag]\n{lag}")
    assert message == f"{path}:{line}: {why}"


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path, message = config_error(tmp_path, b'refresh = 30\ntheme = "caf\xe9"\n')  # Latin-1
    assert message == f"{path}:2: not UTF-8 text (byte 0xe9); TOML files are UTF-8"


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, required=True)
    assert str(caught.value) == f"{tmp_path}: cannot read the config file: Is a directory"


def test_the_default_path_being_a_directory_is_an_error_too(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    (tmp_path / "rdstui" / "config.toml").mkdir(parents=True)
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert str(caught.value) == f"{tmp_path}/rdstui/config.toml: cannot read the config file: Is a directory"


def test_a_missing_default_file_is_no_settings(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))
    assert load_config().path is None


@pytest.mark.parametrize(
    ("text", "line", "why"),
    [
        # tomllib says "(at end of document)" for these: the line is the last one with text.
        ("refresh = 30\ntheme", 2, "Expected '=' after a key in a key/value pair (at the end of the file)"),
        ("regions = [\n  'us-east-1',\n\n", 2, "Invalid value (at the end of the file)"),
        ('refresh = 30\ntheme = "dark', 2, "Unterminated string (at the end of the file)"),
        # ...and "(at line N, column M)" for the rest.
        ("refresh = 30\ntheme = dark\nread_only = true\n", 2, "Invalid value (column 9)"),
        ("refresh = 30\ntheme\n\n\n", 2, "Expected '=' after a key in a key/value pair (column 6)"),
        ("refresh = 30\n[lag\nwarning = 5\n", 2, "Expected ']' at the end of a table declaration (column 5)"),
    ],
)
def test_toml_errors_are_reported_at_their_real_line(tmp_path: Path, text: str, line: int, why: str) -> None:
    path, message = config_error(tmp_path, text)
    assert message == f"{path}:{line}: not valid TOML: {why}"


def test_profiles_that_are_not_tables(tmp_path: Path) -> None:
    path, message = config_error(tmp_path, 'refresh = 30\nprofiles = "prod"\n')
    assert message == f"{path}:2: 'profiles' must be [profiles.NAME] tables"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("refresh = -5\n", "{path}:1: 'refresh' must be a finite number of seconds, at least 5 (got -5)"),
        ("[lag]\nwarning = 400\n", "{path}:2: 'lag.warning' (400) must be below 'lag.critical' (300)"),
        (b"refresh = \xff\n", "{path}:1: not UTF-8 text (byte 0xff); TOML files are UTF-8"),
    ],
)
def test_the_command_line_prints_one_line_and_exits_2(tmp_path: Path, capsys, text: str | bytes, expected: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    code = main(["status", "--demo", "--config", str(path)])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == f"rdstui: {expected.format(path=path)}\n"


def test_the_command_line_on_a_directory(tmp_path: Path, capsys) -> None:
    code = main(["status", "--demo", "--config", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2
    assert err == f"rdstui: {tmp_path}: cannot read the config file: Is a directory\n"
