"""The AWS CLI v2's conventions, through real clients against moto (and the fault proxy).

Region (AWS_REGION first), retries (the user's AWS_MAX_ATTEMPTS / AWS_RETRY_MODE / profile
keys; one try for modifying calls), local endpoints (one try, however they are given),
expired credentials (the login command), region names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from faultproxy import FaultProxy, Rule, error, fault_proxy, http_status, malformed, throttle  # noqa: F401
from support import free_port

from rdstui.cli import main
from rdstui.core import errors
from rdstui.core.errors import SetupError
from rdstui.core.regions import unlisted_warnings, validate
from rdstui.core.session import AWS_RETRIES, SessionFactory
from rdstui.core.target import DEMO_CREDENTIALS, AwsTarget, is_local_url
from rdstui.core.watch import FleetWatch

SSO_CONFIG = """\
[profile ops]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = ReadOnly
region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::123456789012:role/Deploy
source_profile = ops

[profile keys]
region = eu-west-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
"""


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user with keys in the environment and nothing else AWS set; returns ~/.aws/config."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "config"
    config.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "demo")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "demo")
    return config


# ---------------------------------------------------------------- region


def test_aws_region_alone_is_the_default_region(user, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert SessionFactory(AwsTarget()).default_region() == "eu-west-1"


def test_aws_region_then_aws_default_region_then_the_profile(user: Path, monkeypatch) -> None:
    user.write_text("[default]\nregion = ap-south-1\n")
    assert SessionFactory(AwsTarget()).default_region() == "ap-south-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    assert SessionFactory(AwsTarget()).default_region() == "us-west-2"
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert SessionFactory(AwsTarget()).default_region() == "eu-west-1"


def test_the_demo_never_takes_the_users_region(user, monkeypatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert SessionFactory(AwsTarget(credentials=DEMO_CREDENTIALS)).default_region() is None


def test_status_polls_the_aws_region_region(user, monkeypatch, moto_url, capsys) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    code = main(["status", "--json", "--endpoint-url", moto_url])
    regions = json.loads(capsys.readouterr().out)["regions"]
    assert code == 0
    assert [(r["name"], r["ok"]) for r in regions] == [("eu-west-1", True)]


# ---------------------------------------------------------------- retries


async def tries(factory: SessionFactory, proxy: FaultProxy) -> int:
    """DescribeDBInstances against a proxy answering 500: how many requests were sent."""
    proxy.add(Rule(http_status(500), operation="DescribeDBInstances"))
    rds = await factory.client("rds", "us-east-1")
    with pytest.raises(ClientError):
        await rds.describe_db_instances()
    return proxy.count(operation="DescribeDBInstances")


async def test_aws_max_attempts_is_the_users_choice(user, monkeypatch, fault_proxy) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        assert await tries(factory, fault_proxy) == 2


async def test_the_profiles_max_attempts_is_the_users_choice(user: Path, monkeypatch, fault_proxy) -> None:
    user.write_text("[profile keys]\nmax_attempts = 3\nretry_mode = standard\n")
    monkeypatch.setenv("AWS_PROFILE", "keys")
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        assert await tries(factory, fault_proxy) == 3


async def test_nothing_set_a_local_endpoint_gets_one_try(user, fault_proxy) -> None:
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        assert await tries(factory, fault_proxy) == 1


async def test_modifying_calls_get_one_try_whatever_the_user_set(user, monkeypatch, fault_proxy) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    fault_proxy.add(Rule(http_status(500), operation="RebootDBInstance"))
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        rds = await factory.action_client("rds", "us-east-1")
        with pytest.raises(ClientError):
            await rds.reboot_db_instance(DBInstanceIdentifier="orders-pg", ForceFailover=True)
    assert fault_proxy.count(operation="RebootDBInstance") == 1


async def held_retries(target: AwsTarget) -> dict:
    """The retry settings botocore holds for a read client (creating one sends nothing)."""
    async with SessionFactory(target) as factory:
        rds = await factory.client("rds", "us-east-1")
        return dict(rds.meta.config.retries)


async def test_real_aws_gets_the_app_default_only_where_the_user_set_nothing(user: Path, monkeypatch) -> None:
    assert await held_retries(AwsTarget()) == AWS_RETRIES == {"mode": "adaptive", "total_max_attempts": 8}
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    assert await held_retries(AwsTarget()) == {"mode": "standard", "total_max_attempts": 8}
    monkeypatch.delenv("AWS_RETRY_MODE")
    user.write_text("[default]\nmax_attempts = 4\n")
    assert await held_retries(AwsTarget()) == {"mode": "adaptive", "total_max_attempts": 4}


# ---------------------------------------------------------------- local endpoints


@pytest.mark.parametrize("variable", ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_RDS"])
@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.1.2.3", "[::1]"])
async def test_a_dead_local_endpoint_from_the_environment_fails_at_once(user, monkeypatch, variable, host) -> None:
    url = f"http://{host}:{free_port()}"
    monkeypatch.setenv(variable, url)
    async with SessionFactory(AwsTarget()) as factory:
        watch = FleetWatch(factory, ["us-east-1"])
        started = time.monotonic()
        fleet = await watch.once(metrics=False)
        elapsed = time.monotonic() - started
    (state,) = fleet.regions
    assert not state.ok
    assert state.error == f'endpoint unreachable: Could not connect to the endpoint URL: "{url}/"'
    assert elapsed < 2  # 8 adaptive tries took 44 s


async def test_a_dead_localhost_endpoint_from_the_flag_fails_at_once(user) -> None:
    url = f"http://localhost:{free_port()}"
    async with SessionFactory(AwsTarget(endpoint_url=url)) as factory:
        started = time.monotonic()
        fleet = await FleetWatch(factory, ["us-east-1"]).once(metrics=False)
        elapsed = time.monotonic() - started
    assert fleet.regions[0].error == f'endpoint unreachable: Could not connect to the endpoint URL: "{url}/"'
    assert elapsed < 2


@pytest.mark.parametrize(
    "url",
    [
        "https://rds.us-east-1.amazonaws.com/?via=127.0.0.1",
        "http://127.0.0.1.nip.io:4566",
        "http://proxy.example.com/localhost",
        "http://[2001:db8::1]:4566",
    ],
)
async def test_an_address_merely_containing_a_local_name_is_not_local(user, monkeypatch, url) -> None:
    assert not is_local_url(url)
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    assert await held_retries(AwsTarget()) == AWS_RETRIES


async def test_ignored_configured_endpoints_are_not_judged(user, monkeypatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:4566")
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    async with SessionFactory(AwsTarget()) as factory:
        rds = await factory.client("rds", "us-east-1")
        assert rds.meta.endpoint_url == "https://rds.us-east-1.amazonaws.com"
        assert dict(rds.meta.config.retries) == AWS_RETRIES


# ---------------------------------------------------------------- expired credentials


async def failure(factory: SessionFactory, service: str) -> ClientError:
    client = await factory.client(service, "us-east-1")
    call = {
        "rds": lambda: client.describe_db_instances(),
        "cloudwatch": lambda: client.list_metrics(Namespace="AWS/RDS"),
        "sts": lambda: client.get_caller_identity(),
    }[service]
    with pytest.raises(ClientError) as caught:
        await call()
    return caught.value


@pytest.mark.parametrize(
    ("service", "code"),
    [("rds", "ExpiredToken"), ("rds", "RequestExpired"), ("cloudwatch", "ExpiredTokenException"), ("sts", "InvalidClientTokenId")],
)
@pytest.mark.parametrize(("profile", "login"), [("ops", "ops"), ("deploy", "ops")])
async def test_expired_credentials_of_an_sso_profile_name_the_login(user: Path, monkeypatch, fault_proxy, service, code, profile, login) -> None:
    user.write_text(SSO_CONFIG)
    # Keys exported from the SSO portal, with the profile named in AWS_PROFILE.
    monkeypatch.setenv("AWS_PROFILE", profile)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "exported")
    fault_proxy.add(Rule(error(code, "The security token included in the request is expired", 403), service=service))
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        exc = await failure(factory, service)
        line = errors.describe(exc, factory.sso_profile)
    assert line == f"the AWS credentials have expired ({code}): run aws sso login --profile {login}"


@pytest.mark.parametrize("profile", [None, "keys"])
async def test_expired_keys_say_refresh_them(user: Path, monkeypatch, fault_proxy, profile) -> None:
    user.write_text(SSO_CONFIG)
    if profile:
        monkeypatch.setenv("AWS_PROFILE", profile)
    fault_proxy.add(Rule(error("ExpiredToken", "The security token included in the request is expired", 403)))
    async with SessionFactory(AwsTarget(endpoint_url=fault_proxy.url)) as factory:
        exc = await failure(factory, "rds")
        assert factory.sso_profile is None
        line = errors.describe(exc, factory.sso_profile)
    assert line == "the AWS credentials have expired (ExpiredToken): refresh them (aws sso login, or new keys)"


def test_status_with_expired_keys_is_one_line_exit_2(user, fault_proxy, capsys) -> None:
    fault_proxy.add(Rule(error("ExpiredToken", "The security token included in the request is expired", 403)))
    code = main(["status", "--region", "us-east-1", "--endpoint-url", fault_proxy.url])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == "rdstui: the AWS credentials have expired (ExpiredToken): refresh them (aws sso login, or new keys)\n"


@pytest.mark.parametrize(
    "answer, words",
    [
        (http_status(500), "500"),
        (throttle(), "Throttling"),
        (malformed(), "could not check the credentials"),
        (error("ExpiredTokenException", "Token has expired and refresh failed", 400), "expired"),
    ],
    ids=["500", "throttling", "malformed", "expired-sso"],
)
def test_status_when_sts_fails_is_one_line_exit_2_without_a_traceback(user, fault_proxy, tmp_path, answer, words):
    """A real process, so the log records botocore writes on the way would reach the terminal."""
    fault_proxy.add(Rule(answer, service="sts"))
    run = subprocess.run(
        [sys.executable, "-m", "rdstui", "status", "--region", "us-east-1", "--endpoint-url", fault_proxy.url],
        capture_output=True, text=True, timeout=60, env=dict(os.environ, XDG_STATE_HOME=str(tmp_path / "state")),
    )
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr.startswith("rdstui: ") and run.stderr.count("\n") == 1, run.stderr
    assert words in run.stderr and "Traceback" not in run.stderr
    log = tmp_path / "state" / "rdstui" / "console.log"
    assert "Unclosed" not in (log.read_text() if log.exists() else "")  # every client closed on the way out


# ---------------------------------------------------------------- region names


def test_region_names_are_matched_case_insensitively(user, moto_url, capsys) -> None:
    code = main(["status", "--json", "--region", "US-EAST-1,us-east-1", "--endpoint-url", moto_url])
    regions = json.loads(capsys.readouterr().out)["regions"]
    assert code == 0 and [r["name"] for r in regions] == ["us-east-1"]


@pytest.mark.parametrize(
    ("given", "line"),
    [
        ("us-easst-1", "Unknown region 'us-easst-1'. Did you mean us-east-1?"),
        ("eu-wset-1", "Unknown region 'eu-wset-1'. Did you mean eu-west-1?"),
        ("useast1", "Unknown region 'useast1'. Did you mean us-east-1?"),
        # Equally near: both are offered.
        ("us-est-1", "Unknown region 'us-est-1'. Did you mean us-east-1 or us-west-1?"),
        ("production", "Unknown region 'production'. Region names look like us-east-1."),
    ],
)
def test_a_near_miss_or_a_name_not_shaped_like_a_region_is_refused(user, capsys, given, line) -> None:
    code = main(["status", "--region", given])
    _, err = capsys.readouterr()
    assert (code, err) == (2, f"rdstui: {line}\n")


@pytest.mark.parametrize(
    ("given", "warning"),
    [
        ("ap-southeast-9", "Region 'ap-southeast-9' is not known to botocore {v}: polling it anyway (a region newer than this install?)."),
        ("us-gov-north-1", "Region 'us-gov-north-1' is not known to botocore {v}: polling it anyway (a region newer than this install?)."),
        # Shaped like a region, but one clear near miss of a known one: accepted, with the hint.
        ("ue-east-1", "Region 'ue-east-1' is not known to botocore {v}: polling it anyway (a region newer than this install?). Did you mean us-east-1?"),
    ],
)
def test_a_region_newer_than_botocore_is_accepted_with_a_warning(given, warning) -> None:
    import botocore

    regions = validate([given.upper(), "us-east-1"])
    assert regions == [given, "us-east-1"]
    assert unlisted_warnings(regions) == [warning.format(v=botocore.__version__)]


def test_known_regions_and_all_give_no_warning() -> None:
    regions = validate(["all", "eu-west-1", "us-gov-west-1", "eusc-de-east-1"])
    assert unlisted_warnings(regions) == []
    with pytest.raises(SetupError):
        validate(["us-east-1", "mars-1"])
