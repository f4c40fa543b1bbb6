"""A fault-injecting HTTP proxy for tests: loopback only, in front of the moto server.

Every request is forwarded to the upstream unless a rule answers it instead. The
proxy reads the service and region from the SigV4 credential scope and the operation
from ``X-Amz-Target`` (JSON protocol, e.g. CloudWatch) or the ``Action`` form field
(query protocol: RDS, STS, EC2), and serializes errors in the request's protocol so
botocore raises ``ClientError`` with exactly the code and message given.

Usage::

    from faultproxy import FaultProxy, Rule, throttle, error, down, fault_proxy  # noqa: F401

    def test_something(fault_proxy):
        rds = boto3.client("rds", endpoint_url=fault_proxy.url, ...)
        fault_proxy.add(Rule(throttle(), operation="DescribeDBInstances", times=2))
        denied = fault_proxy.add(Rule(error("AccessDenied", "nope", 403), service="sts"))
        gone = fault_proxy.add(Rule(down(), region="eu-west-1"))   # endpoint gone...
        fault_proxy.remove(gone)                                   # ...and back
        assert fault_proxy.forwarded(operation="FailoverDBCluster") == 1

Actions: ``throttle``, ``error``, ``http_status``, ``malformed``, ``slow``, ``drop``,
``down``, ``rewrite``. Rules are tried in the order added; the first match answers.
A rule with ``times=N`` answers the next N matching requests, then stops matching.

What clients see: ``drop()`` reads the request and closes (FIN) without a reply:
``ConnectionClosedError`` (maybe sent). ``down()`` resets the connection (RST) without
forwarding: aiobotocore raises ``EndpointConnectionError`` (nothing sent), boto3
(urllib3) ``ConnectionClosedError``. An unreachable upstream gives a 502.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import socket
import struct
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import pytest

Headers = dict[str, str]
Rewriter = Callable[[bytes, Headers], "bytes | tuple[bytes, Headers]"]

ALIASES = {"cloudwatch": "monitoring"}  # client name -> SigV4 signing name
HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailers", "transfer-encoding", "upgrade", "content-length",
}
NOT_REPLAYED = HOP_BY_HOP | {"date", "server"}  # send_response() writes its own
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")


def _service(name: str | None) -> str | None:
    return ALIASES.get(name.lower(), name.lower()) if name else None


# ---------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    """What a rule does; build one with the functions below."""

    kind: str
    status: int = 400
    code: str = ""
    message: str = ""
    body: bytes = b""
    seconds: float = 0.0
    func: Rewriter | None = None


def error(code: str, message: str = "", status: int = 400) -> Action:
    """An AWS error in the request's protocol: ClientError with this code and message."""
    return Action("error", status=status, code=code, message=message)


def throttle(code: str = "Throttling", message: str = "Rate exceeded") -> Action:
    return error(code, message, 400)


def http_status(status: int = 500, body: str | bytes = "<html><body>Internal Server Error</body></html>") -> Action:
    """A bare status with a non-AWS body (text/html)."""
    return Action("raw", status=status, body=body.encode() if isinstance(body, str) else body)


def malformed(status: int = 200, body: bytes = b"<not xml") -> Action:
    """A body botocore cannot parse, in the service's content type."""
    return Action("malformed", status=status, body=body)


def slow(seconds: float) -> Action:
    """Wait, then forward (the request still reaches upstream unless the proxy stops)."""
    return Action("slow", seconds=seconds)


def drop() -> Action:
    """Read the request, then close the connection without any response."""
    return Action("drop")


def down() -> Action:
    """Reset the connection at once, forwarding nothing: the endpoint looks dead."""
    return Action("down")


def rewrite(func: Rewriter) -> Action:
    """Forward, then reply with ``func(body, headers)``: bytes, or (bytes, headers)."""
    return Action("rewrite", func=func)


# ---------------------------------------------------------------- rules and calls


@dataclass(eq=False)
class Rule:
    """Answer matching requests with `action`; None criteria match anything."""

    action: Action
    service: str | None = None
    operation: str | None = None
    region: str | None = None
    times: int | None = None  # None: always; N: the next N matches only
    hits: int = 0

    def matches(self, call: Call) -> bool:
        return (
            (self.times is None or self.times > 0)
            and (self.service is None or _service(self.service) == call.service)
            and (self.operation is None or self.operation == call.operation)
            and (self.region is None or self.region == call.region)
        )


@dataclass
class Call:
    """One request that reached the proxy."""

    service: str | None
    operation: str | None
    region: str | None
    protocol: str  # "query", "ec2", "json" or "other"
    rule: Rule | None = None  # the rule that answered it, if any
    forwarded: bool = False  # reached the upstream
    access_key: str | None = None  # whose credentials signed it
    at: float = field(default_factory=time.monotonic)


def _identify(method: str, path: str, headers: Any, body: bytes) -> Call:
    scope = _SCOPE.search(headers.get("Authorization", ""))
    key, region, service = (scope.group(1), scope.group(2), _service(scope.group(3))) if scope else (None, None, None)
    target = headers.get("X-Amz-Target")
    if target:
        return Call(service, target.rsplit(".", 1)[-1], region, "json", access_key=key)
    if headers.get("Content-Encoding", "").lower() == "gzip":
        try:
            body = gzip.decompress(body)
        except OSError:
            pass
    form = parse_qs(urlsplit(path).query)
    if "x-www-form-urlencoded" in headers.get("Content-Type", ""):
        form.update(parse_qs(body.decode("utf-8", "replace")))
    operation = form.get("Action", [None])[0]
    protocol = "other" if operation is None else "ec2" if service == "ec2" else "query"
    return Call(service, operation, region, protocol, access_key=key)


def _error_reply(call: Call, status: int, code: str, message: str) -> tuple[bytes, Headers]:
    request_id = str(uuid.uuid4())
    kind = "Sender" if status < 500 else "Receiver"
    if call.protocol == "json":
        # botocore reads `__type` (minus any "ns#" prefix / ":suffix"), but for
        # awsQueryCompatible services (CloudWatch) the x-amzn-query-error header wins.
        body = json.dumps({"__type": code, "message": message}).encode()
        return body, {
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-RequestId": request_id,
            "x-amzn-query-error": f"{code};{kind}",
        }
    text = f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
    if call.protocol == "ec2":
        xml = f"<Response><Errors><Error>{text}</Error></Errors><RequestID>{request_id}</RequestID></Response>"
    else:
        xml = f"<ErrorResponse><Error><Type>{kind}</Type>{text}</Error>"
        xml += f"<RequestId>{request_id}</RequestId></ErrorResponse>"
    return xml.encode(), {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}


# ---------------------------------------------------------------- the proxy


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    proxy: FaultProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Never print: a client gone mid-reply is normal; anything else is kept in `errors`."""
        failure = sys.exc_info()[1]
        if failure is not None and not isinstance(failure, OSError):
            with self.proxy._lock:
                self.proxy.errors.append(failure)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 60

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.server.proxy._track(self.connection, True)

    def finish(self) -> None:
        self.server.proxy._track(self.connection, False)
        try:
            super().finish()
        except OSError:
            pass

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        call = _identify(self.command, self.path, self.headers, body)
        action = proxy._decide(call)
        kind = action.kind if action else "forward"
        if kind == "drop":
            self.close_connection = True
            return
        if kind == "down":
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()  # the fd closes (RST) only once no file object holds it,
            self.connection.close()  # and before socketserver's shutdown() could send a FIN
            return
        if kind == "error":
            assert action
            self._reply(action.status, *_error_reply(call, action.status, action.code, action.message))
            return
        if kind == "raw":
            assert action
            self._reply(action.status, action.body, {"Content-Type": "text/html"})
            return
        if kind == "malformed":
            assert action
            content_type = "application/x-amz-json-1.0" if call.protocol == "json" else "text/xml"
            self._reply(action.status, action.body, {"Content-Type": content_type})
            return
        if kind == "slow" and action and proxy._stopping.wait(action.seconds):
            self.close_connection = True
            return  # the proxy stopped: do not send a late request into the next test
        try:
            status, reply, headers = proxy._forward(self.command, self.path, self.headers, body, call)
        except OSError as exc:  # an HTML body, as a gateway sends: botocore reads it as a bare 502
            page = f"<html><body>502 Bad Gateway: upstream unreachable ({escape(str(exc))})</body></html>"
            self._reply(502, page.encode(), {"Content-Type": "text/html"})
            return
        if kind == "rewrite" and action and action.func:
            result = action.func(reply, headers)
            reply, headers = result if isinstance(result, tuple) else (result, headers)
        self._reply(status, reply, headers)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _handle

    def _reply(self, status: int, body: bytes, headers: Headers) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() not in NOT_REPLAYED:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class FaultProxy:
    """A threaded proxy on 127.0.0.1 (a free port) in front of `upstream`."""

    def __init__(self, upstream: str, timeout: float = 30.0) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.timeout = timeout
        self._lock = threading.Lock()
        self._rules: list[Rule] = []
        self._calls: list[Call] = []
        self._open: set[socket.socket] = set()
        self.errors: list[BaseException] = []  # exceptions inside the proxy (bugs), never printed
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # lifecycle

    def start(self) -> FaultProxy:
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="faultproxy", daemon=True
        )  # a short poll interval: stop() returns at once
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            still_open, self._open = list(self._open), set()
        for sock in still_open:  # idle keep-alive connections: let clients see the close
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # rules

    def add(self, rule: Rule | Action, **match: Any) -> Rule:
        """Add a rule (or `add(action, operation=..., times=...)`); returns it."""
        made = rule if isinstance(rule, Rule) else Rule(rule, **match)
        with self._lock:
            self._rules.append(made)
        return made

    def remove(self, rule: Rule) -> None:
        with self._lock:
            if rule in self._rules:
                self._rules.remove(rule)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    # counting

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

    def count(self, operation: str | None = None, service: str | None = None, region: str | None = None) -> int:
        """Requests that reached the proxy (answered by a rule or not)."""
        return len(self._select(operation, service, region))

    def forwarded(self, operation: str | None = None, service: str | None = None, region: str | None = None) -> int:
        """Requests that reached the upstream."""
        return sum(call.forwarded for call in self._select(operation, service, region))

    def reset_counts(self) -> None:
        with self._lock:
            self._calls.clear()

    def _select(self, operation: str | None, service: str | None, region: str | None) -> list[Call]:
        probe = Rule(Action("probe"), service, operation, region)
        return [call for call in self.calls if probe.matches(call)]

    # handler side

    def _track(self, sock: socket.socket, is_open: bool) -> None:
        with self._lock:
            (self._open.add if is_open else self._open.discard)(sock)

    def _decide(self, call: Call) -> Action | None:
        with self._lock:
            self._calls.append(call)
            for rule in self._rules:
                if rule.matches(call):
                    rule.hits += 1
                    if rule.times is not None:
                        rule.times -= 1
                    call.rule = rule
                    return rule.action
        return None

    def _forward(self, method: str, path: str, headers: Any, body: bytes, call: Call) -> tuple[int, bytes, Headers]:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        sent["Content-Length"] = str(len(body))
        connection = http.client.HTTPConnection(*self.upstream, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=sent)
            with self._lock:
                call.forwarded = True
            response = connection.getresponse()
            return response.status, response.read(), dict(response.getheaders())
        finally:
            connection.close()


@pytest.fixture
def fault_proxy(moto_url: str) -> Iterator[FaultProxy]:
    """A FaultProxy in front of the emptied moto server, stopped after the test."""
    with FaultProxy(moto_url) as proxy:
        yield proxy
