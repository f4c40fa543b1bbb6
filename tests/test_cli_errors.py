"""One-line errors, never a traceback, exit status 2 — as a user on a bastion sees them."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rdstui.cli import main


@pytest.fixture
def bare_aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment with no AWS credentials anywhere (no files, no env, no IMDS)."""
    for name in (
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_no_credentials_suggests_configure_sso_or_demo(bare_aws, moto_url, capsys):
    code, out, err = run(capsys, "status", "--region", "us-east-1", "--endpoint-url", moto_url)
    line = assert_one_line(err)
    assert code == 2 and out == ""
    assert "No AWS credentials found" in line
    for hint in ("aws configure", "aws sso login", "--demo"):
        assert hint in line


def test_expired_sso_token_names_the_profile_and_the_login_command(bare_aws, moto_url, capsys):
    (bare_aws / "config").write_text(
        "[profile ops]\n"
        "sso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 123456789012\n"
        "sso_role_name = ReadOnly\n"
        "region = us-east-1\n"
    )
    code, _, err = run(capsys, "status", "--profile", "ops", "--endpoint-url", moto_url)
    line = assert_one_line(err)
    assert code == 2
    assert "'ops'" in line and "aws sso login --profile ops" in line


def test_unknown_profile(bare_aws, capsys):
    code, _, err = run(capsys, "status", "--profile", "nope", "--region", "us-east-1")
    line = assert_one_line(err)
    assert code == 2 and "Unknown AWS profile 'nope'" in line


def test_unknown_region_lists_close_names(bare_aws, capsys):
    code, _, err = run(capsys, "status", "--region", "us-easst-1")
    line = assert_one_line(err)
    assert code == 2 and "Unknown region 'us-easst-1'" in line and "us-east-1" in line


def test_no_region_anywhere_says_how_to_give_one(bare_aws, capsys):
    (bare_aws / "credentials").write_text("[default]\naws_access_key_id = a\naws_secret_access_key = b\n")
    code, _, err = run(capsys, "status")
    line = assert_one_line(err)
    assert code == 2 and "--region" in line and "AWS_REGION" in line


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["status", "--refresh-typo"])
    assert stop.value.code == 2


def test_bad_config_file_names_file_line_and_key(bare_aws, capsys):
    config = bare_aws / "rdstui.toml"
    config.write_text("refresh = 10\n[lag]\nwarnig = 5\n")
    code, _, err = run(capsys, "status", "--demo", "--config", str(config))
    line = assert_one_line(err)
    assert code == 2
    assert f"{config}:3:" in line and "'lag.warnig'" in line


def test_an_expired_sso_token_in_status_is_one_line_not_botocore_tracebacks(bare_aws):
    """A real process: botocore logs a traceback as it fails to refresh the token, and
    Python's last-resort handler would print it before rdstui's one line."""
    (bare_aws / "config").write_text(
        "[profile ops]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\n"
        "region = us-east-1\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n"
    )
    cache = bare_aws / ".aws" / "sso" / "cache"
    cache.mkdir(parents=True)
    token = {"startUrl": "https://example.awsapps.com/start", "region": "us-east-1", "accessToken": "x",
             "expiresAt": "2020-01-01T00:00:00Z"}
    (cache / f"{hashlib.sha1(b'corp').hexdigest()}.json").write_text(json.dumps(token))
    env = dict(os.environ, AWS_ENDPOINT_URL="http://127.0.0.1:9", XDG_STATE_HOME=str(bare_aws / "state"))
    run = subprocess.run([sys.executable, "-m", "rdstui", "status", "--profile", "ops"],
                         capture_output=True, text=True, timeout=60, env=env)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "rdstui: The SSO session for profile 'ops' has expired. Run: aws sso login --profile ops\n"
    assert "Refreshing temporary credentials failed" in (bare_aws / "state" / "rdstui" / "console.log").read_text()


# ---------------------------------------------------------------- terminals


def test_term_dumb_prints_the_status_view_with_a_line_saying_why(keys_in_env, moto_url, monkeypatch, capsys):
    monkeypatch.setenv("TERM", "dumb")
    from rdstui.demo import DemoFleet

    demo = DemoFleet(endpoint_url=moto_url).start()
    try:
        code, out, err = run(capsys, "--endpoint-url", moto_url, "--region", "us-east-1")
    finally:
        demo.stop()
    assert code == 0
    assert err == "rdstui: TERM=dumb cannot draw the console; printing `rdstui status` instead\n"
    assert out.startswith("region us-east-1: ok") and "orders-pg" in out and "\x1b" not in out


@pytest.mark.parametrize("term", ["linux", "xterm-16color"])
def test_a_16_colour_terminal_gets_the_16_colour_theme(term, tmp_path, monkeypatch):
    from rdstui.cli import parse, settings_from

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.delenv("RDSTUI_THEME", raising=False)
    monkeypatch.setenv("TERM", term)
    assert settings_from(parse([]))[0].theme == "rdstui-16"


def test_a_chosen_theme_wins_over_the_terminal(tmp_path, monkeypatch):
    from rdstui.cli import parse, settings_from

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("TERM", "linux")
    monkeypatch.delenv("RDSTUI_THEME", raising=False)
    assert settings_from(parse(["--theme", "rdstui-light"]))[0].theme == "rdstui-light"
    monkeypatch.setenv("RDSTUI_THEME", "rdstui-dark")
    assert settings_from(parse([]))[0].theme == "rdstui-dark"
    (tmp_path / "rdstui").mkdir()
    (tmp_path / "rdstui" / "config.toml").write_text('theme = "rdstui-light"\n')
    monkeypatch.delenv("RDSTUI_THEME")
    assert settings_from(parse([]))[0].theme == "rdstui-light"
    monkeypatch.setenv("TERM", "xterm-256color")
    (tmp_path / "rdstui" / "config.toml").unlink()
    assert settings_from(parse([]))[0].theme is None


def test_demo_without_the_demo_extra_is_one_line_naming_the_extra(tmp_path):
    """moto hidden from the import system, as in an install without `rdstui[demo]`."""
    hide_moto = textwrap.dedent("""
        import sys
        sys.modules["moto"] = None  # import moto now fails, and find_spec says it is not there
        from rdstui.cli import main
        sys.exit(main(["--demo"]))
    """)
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path))
    run = subprocess.run([sys.executable, "-c", hide_moto], capture_output=True, text=True, timeout=60, env=env)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == "rdstui: --demo needs the demo extra: pip install 'rdstui[demo]' (moto is missing)\n"
