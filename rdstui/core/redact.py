"""Redacting a recording of AWS calls so that it can be shared.

    redactor = Redactor()                   # one a recording: its fakes stay consistent
    line = redactor.value(record)           # a new structure; `record` is left alone
    said = redactor.text("db.example.com")  # "host-1.redacted.invalid"

Contract: `value` takes a JSON-able value (dict, list, str, int, float, bool, None)
and returns a new one with every string redacted; dict keys are kept (AWS keys are
names), numbers, booleans and None are kept. The same original always gives the same
fake within one Redactor, so the topology still links up after redaction: a
replica's ReadReplicaSourceDBInstanceIdentifier ARN still equals its source's
DBInstanceArn, an instance and its cluster keep one endpoint token. A new Redactor
starts its fakes again from 1. Never raises on odd input: what no rule recognises is
kept as it is.

What is kept: identifiers (instances, clusters, proxies, snapshots, parameter groups),
engines and engine versions, instance classes, regions, AZs, statuses, metric names,
file names, UUIDs (KMS key ids, even one whose last group is 12 digits), AWS's public
service hostnames (`rds.us-east-1.amazonaws.com`: the same for every customer), and
the header's "profile" (the user's own label, in the line with "rdstui_recording").

What is replaced, in a string, wherever it appears:

- AWS account ids: any 12-digit number not part of a longer number (nor a decimal's
  fraction) -> "100000000001", "100000000002"... in order of first sight.
- ARNs (`arn:aws:`, `arn:aws-cn:`, `arn:aws-us-gov:`...): the account field as above;
  partition, service, region and resource kept, except IAM and STS resources, whose
  names are personal: `role/path/Admin` -> `role/role-1`, `user/bob` -> `user/user-1`,
  `assumed-role/Admin/alice@example.com` -> `assumed-role/role-1/session-1` (`root`
  and AWS-managed `iam::aws:` resources kept).
- IAM unique ids (AIDA..., AROA..., AKIA..., ASIA...): "AROAREDACTED000001", with
  an AROA id's ":session" -> ":session-1". A "UserId" field of the form
  "ACCOUNT:name" (a federated user) -> "100000000001:federated-user-1".
- RDS, Aurora, DocumentDB and Neptune endpoints, `<identifier>.<prefix><token>.<region>
  .rds.amazonaws.com` (prefix "", "cluster-", "cluster-ro-", "cluster-custom-",
  "proxy-"...): only the account-specific token -> "redacted1", "redacted2"...
- Other hostnames -> "host-1.redacted.invalid"... The rule: a dotted name of two or
  more DNS labels (letters, digits, "-", "_") whose last label is one of TLDS below,
  case-insensitively. So "db.example.com", "ip-10-1-2-3.ec2.internal" and
  "vpce-0a1.rds.us-east-1.vpce.amazonaws.com" are hostnames, while "db.r6g.large",
  "8.0.35", "default.aurora-mysql8.0", "mysql-error.log", "rds.force_ssl" and
  "os.swap.in" are not: TLDS is a short list on purpose (no "in", "py", "md", "sh").
- IPv4 addresses (four dotted numbers 0-255, not part of a longer dotted run such as
  Oracle's "19.0.0.0.ru-2024-01.rur-2024-01.r1") -> "10.255.0.1", "10.255.0.2"...
  Keys ending in "EngineVersion" are kept whole: Neptune's "1.2.0.2" looks like an
  address (in free text it is taken for one).
- Email addresses -> "user-1@redacted.invalid"...

A fake never equals an original seen before it was given (a fake that would is
skipped); an original seen only later may, in theory, equal an earlier fake.

Speed: a fleet of a thousand instances means ~4 MB of JSON every 30 s, where most
strings repeat. Strings with nothing to find (no digit, ".", "@" or run of capitals)
return at once; the others go through one precompiled regex and are cached.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# The last labels that make a dotted name a hostname. Short on purpose: country codes
# such as "in", "py", "md" or "sh" also end Performance Insights metrics ("os.swap.in")
# and file names ("setup.py"); a hostname in an AWS message is nearly always one of these.
TLDS = frozenset({
    "com", "net", "org", "edu", "gov", "mil", "int", "arpa", "info", "biz", "io", "dev", "app", "cloud", "aws",
    "internal", "local", "localdomain", "localhost", "lan", "home", "corp", "intranet", "private", "invalid",
    "test", "example", "cn", "uk", "de", "fr", "jp", "eu",
})

# Prefixes of IAM unique ids (users, roles, groups, access keys, policies, profiles...).
_UID_PREFIXES = "ABIA|ACCA|AGPA|AIDA|AIPA|AKIA|ANPA|ANVA|APKA|AROA|ASCA|ASIA"

_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# Not inside a longer number, nor the fraction of a decimal ("0.123456789012").
_ACCOUNT = r"(?<![0-9])(?<![0-9]\.)[0-9]{12}(?![0-9])(?!\.[0-9])"

# One pass over a string; at each position the first alternative that matches wins,
# so ARNs and emails are taken whole before their parts could be taken for others.
# Lookbehinds keep the greedy runs from being retried inside a word (quadratic time).
_FIND = re.compile(
    r"(?P<arn>arn:(?P<partition>aws(?:-[a-z]+)*):(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*)"
    r":(?P<account>[0-9]{12}|aws)?:(?P<resource>[^\s\"'`<>()\[\]{},;]+))"
    rf"|(?P<uid>(?<![A-Za-z0-9])(?P<uid_id>(?:{_UID_PREFIXES})[A-Z0-9]{{12,}})(?![A-Za-z0-9])"
    r"(?::(?P<session>[\w+=,.@-]+))?)"
    # A UUID (a KMS key id, a request id) is nobody's account even when its last group is all digits.
    r"|(?P<uuid>(?<![0-9A-Za-z])" + _UUID + r"(?![0-9A-Za-z]))"
    r"|(?P<email>(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@" + _LABEL + r"(?:\." + _LABEL + r")+)"
    r"|(?P<dotted>(?<![A-Za-z0-9_])" + _LABEL + r"(?:\." + _LABEL + r")+)"
    r"|(?P<acct>" + _ACCOUNT + r")"
)

# What a dotted run that is not a hostname ("10.1.2.3", "backup-123456789012.gz") may hold.
_IP_OR_ACCOUNT = re.compile(
    rf"(?P<ip>(?<![A-Za-z0-9_.]){_OCTET}(?:\.{_OCTET}){{3}}(?![A-Za-z0-9_])(?!\.[A-Za-z0-9_]))"
    rf"|(?P<acct>{_ACCOUNT})"
)
_ACCOUNT_ONLY = re.compile(_ACCOUNT)

# An RDS-family endpoint; only `token` is the account's.
_RDS_HOST = re.compile(
    r"(?P<ident>(?:[a-z0-9_-]+\.)*?[a-z0-9_-]+)\.(?P<prefix>(?:[a-z]+-)*)(?P<token>[a-z0-9]+)"
    r"\.(?P<tail>(?:[a-z]{2}(?:-[a-z]+)+-[0-9]+|global)\.(?:rds|docdb|docdb-elastic|neptune)"
    r"\.amazonaws\.com(?:\.cn)?)",
    re.IGNORECASE,
)
# AWS's own service endpoints: identical for every customer, kept readable in errors.
_SERVICE_HOST = re.compile(r"[a-z0-9-]+(?:\.[a-z]{2}(?:-[a-z]+)+-[0-9]+)?\.amazonaws\.com(?:\.cn)?")

# A cheap pre-check: without any of these a string cannot hold anything to redact.
_MAYBE = re.compile(r"[0-9.@]|A[A-Z]{15}")
_FEDERATED = re.compile(r"([0-9]{12}):(.+)", re.DOTALL)

_TRAILING = ".:!?"  # sentence punctuation after an ARN in a message is not the ARN's
_CACHE_LIMIT = 200_000  # distinct strings held; the cache is only a speed-up


class _Fakes:
    """One kind of pseudonym: original -> fake, numbered in order of first sight."""

    def __init__(self, make: Callable[[int], str]) -> None:
        self._make = make
        self._given: dict[str, str] = {}
        self._next = 1

    def __call__(self, original: str) -> str:
        fake = self._given.get(original)
        if fake is None:
            fake = self._make(self._next)
            self._next += 1
            while fake == original or fake in self._given:  # never an original's value
                fake = self._make(self._next)
                self._next += 1
            self._given[original] = fake
        return fake


def _fake_ip(n: int) -> str:
    """10.255.0.1 ... 10.255.255.254, then 10.254.0.1 ...: private, never .0 or .255."""
    index = n - 1
    rest, last = divmod(index, 254)
    second = 255 - rest // 256
    return f"10.{second % 256}.{rest % 256}.{last + 1}"


class Redactor:
    """Consistent pseudonyms for the personal and account-specific parts of AWS data.

    One Redactor a recording: the same original always gives the same fake, so
    references between records still match after redaction. Not thread-safe.
    """

    def __init__(self) -> None:
        self._accounts = _Fakes(lambda n: str(100_000_000_000 + n))
        self._tokens = _Fakes(lambda n: f"redacted{n}")
        self._hosts = _Fakes(lambda n: f"host-{n}.redacted.invalid")
        self._ips = _Fakes(_fake_ip)
        self._emails = _Fakes(lambda n: f"user-{n}@redacted.invalid")
        self._uids = _Fakes(lambda n: f"{n:06d}")
        self._names: dict[str, _Fakes] = {}  # IAM names by kind: "role", "session", "user"...
        self._cache: dict[str, str] = {}

    def value(self, value: Any) -> Any:
        """A JSON-able value (dict/list/str/int/float/bool/None) with every string redacted;
        dict keys kept (AWS keys are names). Returns a new structure; never mutates the input."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            header = "rdstui_recording" in value  # the recording's first line
            out: dict[Any, Any] = {}
            for key, item in value.items():
                if isinstance(item, str):
                    if header and key == "profile":
                        out[key] = item  # the user's own label for their credentials
                    elif key == "UserId":
                        out[key] = self._user_id(item)
                    elif isinstance(key, str) and key.endswith("EngineVersion"):
                        out[key] = item  # Neptune's "1.2.0.2" is not an address
                    else:
                        out[key] = self.text(item)
                else:
                    out[key] = self.value(item)
            return out
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value  # numbers, booleans, None (and anything else) as they are

    def text(self, text: str) -> str:
        """`text` with every account id, personal IAM name, hostname, address and email replaced."""
        done = self._cache.get(text)
        if done is not None:
            return done
        if not _MAYBE.search(text):
            return text
        done = _FIND.sub(self._replace, text)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[text] = done
        return done

    # One match of _FIND.

    def _replace(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "arn":
            return self._arn(match)
        if kind == "uid":
            return self._uid(match["uid_id"], match["session"])
        if kind == "uuid":
            return match[0]
        if kind == "email":
            return self._emails(match[0].lower())
        if kind == "dotted":
            return self._dotted(match[0])
        if kind == "acct":
            return self._accounts(match[0])
        return match[0]

    def _arn(self, match: re.Match[str]) -> str:
        resource = match["resource"]
        core = resource.rstrip(_TRAILING)
        tail = resource[len(core) :]
        account = match["account"] or ""
        service = match["service"]
        if account == "aws":
            pass  # AWS-managed (policies): nobody's account, nobody's names
        elif service in ("iam", "sts"):
            core = self._iam_resource(core)
        else:
            core = _FIND.sub(self._replace, core)
        if account and account != "aws":
            account = self._accounts(account)
        return f"arn:{match['partition']}:{service}:{match['region']}:{account}:{core}{tail}"

    def _iam_resource(self, resource: str) -> str:
        """`role/path/Admin` -> `role/role-1`; `assumed-role/Admin/alice` -> `assumed-role/role-1/session-1`.

        A role's name is unique in its account whatever its path, so the name alone
        is the key: `role/...` and `assumed-role/...` of one role get one fake.
        """
        if "/" not in resource:
            return resource  # "root", or nothing personal
        kind, rest = resource.split("/", 1)
        if kind == "assumed-role":
            role, _, session = rest.partition("/")
            redacted = f"assumed-role/{self._name('role', role)}"
            return f"{redacted}/{self._name('session', session)}" if session else redacted
        name = rest.rsplit("/", 1)[-1]
        return f"{kind}/{self._name(kind, name)}" if name else resource

    def _name(self, kind: str, name: str) -> str:
        fakes = self._names.get(kind)
        if fakes is None:
            fakes = self._names[kind] = _Fakes(lambda n: f"{kind}-{n}")
        return fakes(name)

    def _uid(self, uid: str, session: str | None) -> str:
        fake = f"{uid[:4]}REDACTED{self._uids(uid)}"
        if session is None:
            return fake
        if not uid.startswith("AROA"):  # only a role's id carries a session name
            return f"{fake}:{self.text(session)}"
        return f"{fake}:{self._name('session', session)}"

    def _user_id(self, value: str) -> str:
        """STS's UserId: "AROA...:session", "AIDA...", or "ACCOUNT:name" for a federated user."""
        federated = _FEDERATED.fullmatch(value)
        if federated:
            return f"{self._accounts(federated[1])}:{self._name('federated-user', federated[2])}"
        return self.text(value)

    def _dotted(self, name: str) -> str:
        last = name.rsplit(".", 1)[-1].lower()
        if last not in TLDS:
            # Not a hostname ("8.0.35", "db.r6g.large"), but it may be an address or hold an account.
            return _IP_OR_ACCOUNT.sub(self._ip_or_account, name)
        rds = _RDS_HOST.fullmatch(name)
        if rds:
            ident = _ACCOUNT_ONLY.sub(lambda m: self._accounts(m[0]), rds["ident"])
            return f"{ident}.{rds['prefix']}{self._tokens(rds['token'].lower())}.{rds['tail']}"
        lowered = name.lower()
        if _SERVICE_HOST.fullmatch(lowered):
            return name
        return self._hosts(lowered)  # DNS is case-insensitive: one fake for DB.example.com

    def _ip_or_account(self, match: re.Match[str]) -> str:
        if match.lastgroup == "ip":
            return self._ips(match[0])
        return self._accounts(match[0])
