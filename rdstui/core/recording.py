"""Recording every AWS call a session makes, as JSON Lines (`--record FILE`; `.gz` compresses).

    recorder = Recorder(path, clock=utcnow, redactor=None)
    recorder.install(session)           # before any client is made from the session
    ...                                 # calls are kept until the header is known
    recorder.begin(profile, account, regions)
    await recorder.close()

The format (README "Recording format"): a header line
`{"rdstui_recording": 1, "started", "profile", "account", "regions"}`, then one line a call,
in the order the calls were sent: `{"t", "service", "region", "operation", "params",
"response"}`, or `"error": {"Code", "Message"}, "http_status"` for a call that failed.

The recorder listens to botocore's own events, so it sees exactly what the clients send and
what botocore parsed, and changes nothing: `before-parameter-build` keeps the request's
parameters as the caller gave them, `before-call` stamps the time it was sent,
`after-call` / `after-call-error` the outcome. Calls finish out of order (regions run
concurrently), so a line waits until every call sent before it has finished: the file is
in time order. Writing (JSON, gzip) happens on a thread: a thousand instances' describes
are megabytes a poll. The file is flushed whenever the writer has caught up (the end of each
burst of calls), so a session that is killed leaves every call written until then; a gzip
file then lacks its trailer, which a replay accepts when its last line is whole.
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import itertools
import json
import queue
import threading
from datetime import date, datetime, timezone
from pathlib import Path
from typing import IO, Any

from rdstui.core.clock import Clock, utcnow
from rdstui.core.errors import SetupError
from rdstui.core.redact import Redactor

FORMAT_VERSION = 1
CONTEXT_KEY = "rdstui_recording"  # what the recorder keeps in botocore's per-call context


def iso(moment: datetime) -> str:
    """ISO 8601 UTC, to the microsecond when there is one: `2026-12-02T10:20:30.123456Z`."""
    moment = moment.astimezone(timezone.utc) if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.isoformat().replace("+00:00", "Z")


def jsonable(value: Any) -> Any:
    """A botocore structure as JSON: datetimes as ISO 8601 UTC, bytes as base64."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _create(path: Path) -> IO[str]:
    """A new recording's file; SetupError (before anything is polled) if it cannot be one. An
    existing recording is never added to: its header would be another session's."""
    try:
        if path.exists() and (not path.is_file() or path.stat().st_size > 0):
            raise SetupError(f"--record {path}: the file exists; a recording starts a file of its own")
        if path.suffix == ".gz":
            return gzip.open(path, "wt", encoding="utf-8", compresslevel=6)
        return path.open("w", encoding="utf-8")
    except OSError as exc:
        raise SetupError(f"--record {path}: cannot write it: {exc.strerror or exc}") from exc


class _Call:
    """One call from sent to answered."""

    __slots__ = ("line", "done")

    def __init__(self) -> None:
        self.line: dict[str, Any] = {}
        self.done = False


class Recorder:
    """Appends a session's AWS calls to `path`, in the order they were sent."""

    def __init__(self, path: Path, *, clock: Clock = utcnow, redactor: Redactor | None = None) -> None:
        self.path = path
        self.clock = clock
        self.redactor = redactor
        self.started = clock()
        self._header: dict[str, Any] | None = None
        self._header_queued = False
        self._sent: dict[int, _Call] = {}  # calls not yet written, by the order they were sent
        self._order = itertools.count()
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._writer: threading.Thread | None = None
        self.failure: str | None = None  # why the file could not be written (said once, at the end)
        self._out = _create(path)

    def install(self, session: Any) -> None:
        """Listen to every client `session` makes from now on."""
        session.register("before-parameter-build", self._parameters)
        session.register("before-call", self._sent_now)
        session.register("after-call", self._answered)
        session.register("after-call-error", self._failed)

    def begin(self, profile: str | None, account: str | None, regions: list[str]) -> None:
        """The header is known: write it, then every call so far, then each as it finishes."""
        self._header = {
            "rdstui_recording": FORMAT_VERSION,
            "started": iso(self.started),
            "profile": profile,
            "account": account,
            "regions": list(regions),
        }
        self._writer = threading.Thread(target=self._write_all, name="rdstui-recorder", daemon=True)
        self._writer.start()
        self._flush()

    async def close(self) -> None:
        """Write what is left (calls never answered are left out) and close the file."""
        if self._writer is None:
            if self._header is not None:  # closed already
                return
            self.begin(None, None, [])  # the session never started (bad credentials): the calls say why
        self._sent = {seq: call for seq, call in self._sent.items() if call.done}
        self._flush()
        self._lines.put(None)
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.to_thread(writer.join)

    # -- botocore's events ----------------------------------------------------

    def _parameters(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        call = _Call()
        call.line = {
            "t": None,
            "service": model.service_model.service_name,
            "region": context.get("client_region"),
            "operation": model.name,
            "params": dict(params),
        }
        context[CONTEXT_KEY] = call

    def _sent_now(self, context: dict[str, Any], **_: Any) -> None:
        """Only a call that is sent is recorded (one botocore refuses first is a bug, not AWS)."""
        call = context.get(CONTEXT_KEY)
        if isinstance(call, _Call):
            call.line["t"] = self.clock()
            self._sent[next(self._order)] = call

    def _answered(self, http_response: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        call = context.get(CONTEXT_KEY)
        if not isinstance(call, _Call) or call.line["t"] is None:
            return
        status = getattr(http_response, "status_code", 200)
        if status >= 300:
            error = parsed.get("Error", {})
            call.line["error"] = {"Code": str(error.get("Code", "")), "Message": str(error.get("Message", ""))}
            call.line["http_status"] = status
        else:
            # Not the request id and HTTP headers of each call: the response is the data.
            call.line["response"] = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
        self._finish(call)

    def _failed(self, exception: BaseException, context: dict[str, Any], **_: Any) -> None:
        """No answer at all (a timeout, a refused connection): http_status 0."""
        call = context.get(CONTEXT_KEY)
        if not isinstance(call, _Call) or call.line["t"] is None:
            return
        call.line["error"] = {"Code": type(exception).__name__, "Message": str(exception)}
        call.line["http_status"] = 0
        self._finish(call)

    def _finish(self, call: _Call) -> None:
        call.done = True
        self._flush()

    def _flush(self) -> None:
        """Hand over every finished call no unfinished one was sent before."""
        if self._header is None or self._writer is None:
            return
        if not self._header_queued:
            self._header_queued = True
            self._lines.put(self._header)
        while self._sent:
            seq = next(iter(self._sent))
            call = self._sent[seq]
            if not call.done:
                return
            del self._sent[seq]
            self._lines.put(call.line)

    # -- the writer's thread ---------------------------------------------------

    def _write_all(self) -> None:
        out = self._out
        try:
            with out:
                while (line := self._lines.get()) is not None:
                    out.write(self._encode(line) + "\n")
                    if self._lines.empty():  # a burst is written: on disk now (a killed session keeps it)
                        out.flush()
        except OSError as exc:
            self.failure = f"could not write the recording {self.path}: {exc.strerror or exc}"
            while self._lines.get() is not None:  # drain, so close() returns
                pass

    def _encode(self, line: dict[str, Any]) -> str:
        value = jsonable(line)
        if self.redactor is not None:
            value = self.redactor.value(value)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def recorder_for(path: Path | None, *, clock: Clock, redact: bool) -> Recorder | None:
    """The recorder `--record FILE [--redact]` asks for, or None without --record."""
    return None if path is None else Recorder(path, clock=clock, redactor=Redactor() if redact else None)

