"""AWS failures in plain words: one line, no traceback."""

from __future__ import annotations

import asyncio

from botocore import exceptions as bx

NO_CREDENTIALS = (
    "No AWS credentials found. Run `aws configure` or `aws sso login`, "
    "pass --profile, or try `rdstui --demo`."
)

THROTTLE_CODES = {"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException"}
EXPIRED_CODES = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId"}


class SetupError(Exception):
    """A problem that stops the console before any region is polled (exit 2)."""


def sso_expired(profile: str | None) -> str:
    name = profile or "default"
    flag = f" --profile {profile}" if profile else ""
    return f"The SSO session for profile '{name}' has expired. Run: aws sso login{flag}"


def credentials_expired(code: str, sso_profile: str | None) -> str:
    """AWS refused the credentials mid-session; `sso_profile` names the SSO profile in use, if it is one."""
    if sso_profile:
        return f"the AWS credentials have expired ({code}): run aws sso login --profile {sso_profile}"
    return f"the AWS credentials have expired ({code}): refresh them (aws sso login, or new keys)"


def credential_problem(exc: BaseException, sso_profile: str | None) -> str | None:
    """The message for a credential failure, or None when `exc` is not one.

    `sso_profile` is `SessionFactory.sso_profile`: the profile `aws sso login` must be run for.
    """
    if isinstance(exc, bx.NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(exc, bx.ProfileNotFound):
        return f"Unknown AWS profile '{exc.kwargs.get('profile')}': not in ~/.aws/config or ~/.aws/credentials."
    if isinstance(exc, (bx.UnauthorizedSSOTokenError, bx.SSOTokenLoadError, bx.TokenRetrievalError, bx.SSOError)):
        return sso_expired(sso_profile)
    if isinstance(exc, bx.PartialCredentialsError):
        return f"Incomplete AWS credentials: {exc}."
    if isinstance(exc, bx.CredentialRetrievalError):
        return f"Could not get AWS credentials: {exc}."
    if isinstance(exc, bx.ClientError) and error_code(exc) in EXPIRED_CODES:
        return credentials_expired(error_code(exc), sso_profile)
    return None


def error_code(exc: BaseException) -> str:
    if isinstance(exc, bx.ClientError):
        return str(exc.response.get("Error", {}).get("Code", "Unknown"))
    return type(exc).__name__


def describe(exc: BaseException, sso_profile: str | None = None) -> str:
    """One line for a region's failure, e.g. in the header or `status` output.

    `sso_profile` is `SessionFactory.sso_profile`: expired credentials name its login command.
    """
    if isinstance(exc, bx.ClientError):
        code = error_code(exc)
        message = exc.response.get("Error", {}).get("Message") or ""
        if code in EXPIRED_CODES:
            return credentials_expired(code, sso_profile)
        if code in THROTTLE_CODES:
            return f"throttled by AWS past retries ({code}): {message}".rstrip(": ")
        if code in DENIED_CODES:
            return f"access denied ({code}): {message}".rstrip(": ")
        return f"{code}: {message}".rstrip(": ")
    if isinstance(exc, (bx.EndpointConnectionError, bx.ConnectionClosedError)):
        return f"endpoint unreachable: {exc}"
    if isinstance(exc, (bx.ConnectTimeoutError, bx.ReadTimeoutError, asyncio.TimeoutError, TimeoutError)):
        return f"timed out: {exc}" if str(exc) else "timed out"
    if type(exc).__name__ == "ResponseParserError":  # botocore.parsers: not an AWS response at all
        return "AWS's answer could not be read (not an AWS response: a proxy or an outage?)"
    problem = credential_problem(exc, sso_profile)
    if problem:
        return problem
    return f"{type(exc).__name__}: {exc}"
