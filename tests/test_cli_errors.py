"""One-line errors, never a traceback, exit status 2 — as a user on a bastion sees them."""

from __future__ import annotations

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
