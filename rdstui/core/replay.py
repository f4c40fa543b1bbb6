"""Replaying a recording (`--replay FILE`): botocore's clients answered from the file.

    recording = Recording.load(path)             # RecordingError: "FILE:LINE: problem"
    clock = ReplayClock(recording)               # the recording's time, at real speed
    install(session, recording, clock.now)       # before any client is made from the session

The clients are the live console's own; only the sending is replaced. botocore's
`before-call` event may answer a call itself (it returns `(http, parsed)`), so every
handler, paginator and parser above it runs as it does against AWS. The answers:

- a describe (RDS, CloudWatch alarms, STS...): the latest recorded call of the same
  service, region, operation and parameters (paging tokens, page sizes and time windows
  aside) not after the clock, and for a page after the first the same Marker/NextToken
  (else the earliest recorded: markers are opaque, and the page is the poll's).
- DescribeEvents: every event recorded up to the clock, one page (what the live session
  had been told by then, whatever window is asked).
- GetMetricData: per query, the datapoints recorded up to the clock of the same metric,
  dimensions and statistic, whatever the query ids, in the window asked, one page.
- nothing recorded: an error with code NotRecorded that names the call, as AWS's errors
  are shown. A modifying call is never answered: a replay is read-only by construction.

A recording of an hour at a thousand instances is half a gigabyte of JSON. Loading
parses the small lines and only the fields before "response" of the big ones, which
are kept in a spool file and parsed when a call needs them (and the last few kept).
"""

from __future__ import annotations

import base64
import bisect
import functools
import json
import tempfile
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO, Any

from rdstui.core.errors import SetupError
from rdstui.core.recording import CONTEXT_KEY, FORMAT_VERSION, iso, jsonable

# Bytes: a line longer is spooled and parsed when used. Held parsed, a page of a hundred
# instances is ten times its JSON in objects (and every one is the collector's to scan).
BIG_LINE = 16 * 1024
PARSED_KEPT = 8  # big lines kept parsed: a poll reads new lines, only a jump back re-reads
POLL_GAP = 2.0  # seconds between calls that part two polls
PAGING = ("Marker", "NextToken")
# Request parameters that do not choose what is answered: paging and time windows.
UNSELECTIVE = frozenset({*PAGING, "MaxRecords", "MaxResults", "StartTime", "EndTime", "Duration",
                         "MetricDataQueries", "ScanBy", "LabelOptions"})
READ_PREFIXES = ("Describe", "Get", "List")
RECORD_FIELDS = ("t", "service", "region", "operation")


class RecordingError(SetupError):
    """A file that is not a recording this rdstui reads: one line, "FILE:LINE: problem"."""


@dataclass
class Call:
    """One recorded call; its outcome is parsed when first asked for."""

    t: datetime
    service: str
    region: str
    operation: str
    params: dict[str, Any] | None  # None: no "params" in the line, so it answers any
    line: int
    error: dict[str, str] | None = None
    http_status: int = 200
    response: dict[str, Any] | None = None  # None until parsed, for a spooled line
    spooled: tuple[int, int] | None = None  # (offset, length) in the spool


class _Spool:
    """The big lines, out of memory: a temporary file (deleted when closed)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._size = 0

    def add(self, line: bytes) -> tuple[int, int]:
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="rdstui-replay-")
        at = self._size
        self._file.write(line)
        self._size += len(line)
        return at, len(line)

    def read(self, where: tuple[int, int]) -> bytes:
        assert self._file is not None
        self._file.seek(where[0])
        return self._file.read(where[1])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@dataclass
class Recording:
    """A loaded recording: its header, its calls in time order and the index of them."""

    path: Path
    started: datetime
    profile: str | None
    account: str | None
    regions: list[str]
    # Not in the repr: an hour of calls is hundreds of megabytes of it.
    calls: list[Call] = field(default_factory=list, repr=False)
    _spool: _Spool = field(default_factory=_Spool, repr=False)
    _parsed: OrderedDict[int, dict[str, Any]] = field(default_factory=OrderedDict, repr=False)
    _index: dict[tuple[str, str, str, str | None, str | None], tuple[list[datetime], list[Call]]] = field(
        default_factory=dict, repr=False
    )
    _metrics: dict[str, _MetricIndex] = field(default_factory=dict, repr=False)
    _events: dict[str, list[Call]] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, path: Path) -> Recording:
        try:
            return _load(path)
        except OSError as exc:
            raise RecordingError(f"{path}: cannot read the recording: {exc.strerror or exc}") from exc

    def close(self) -> None:
        self._spool.close()

    # -- the timeline ----------------------------------------------------------

    @property
    def end(self) -> datetime:
        return self.calls[-1].t if self.calls else self.started

    @functools.cached_property
    def polls(self) -> list[datetime]:
        """When each recorded poll had been sent in full: the end of each burst of calls with
        a DescribeDBInstances in it (the moments the live console had a new tree)."""
        marks: list[datetime] = []
        burst_end: datetime | None = None
        has_describe = False
        for call in self.calls:
            if burst_end is not None and (call.t - burst_end).total_seconds() > POLL_GAP:
                if has_describe:
                    marks.append(burst_end)
                has_describe = False
            burst_end = call.t
            has_describe = has_describe or call.operation == "DescribeDBInstances"
        if burst_end is not None and has_describe:
            marks.append(burst_end)
        return marks

    @property
    def first_poll(self) -> datetime:
        return self.polls[0] if self.polls else self.end

    # -- answering -------------------------------------------------------------

    def answer(self, service: str, region: str, operation: str, params: dict[str, Any], now: datetime) -> Outcome:
        """The recorded answer to a call made at `now` (replay time)."""
        if not operation.startswith(READ_PREFIXES):
            return _refused(f"a replay sends no modifying call ({service} {operation} in {region})")
        if service == "rds" and operation == "DescribeEvents":
            return self._events_answer(region, params, now)
        if service == "cloudwatch" and operation == "GetMetricData":
            return self._metrics_answer(region, params, now)
        call = self._lookup(service, region, operation, params, now)
        if call is None:
            return _not_recorded(service, region, operation, now)
        if call.error is not None:
            return Outcome(call.http_status, {"Error": dict(call.error)})
        return Outcome(200, self.response(call))

    def response(self, call: Call) -> dict[str, Any]:
        if call.response is not None:
            return call.response
        response: dict[str, Any] = self.whole(call)["response"]
        return response

    def whole(self, call: Call) -> dict[str, Any]:
        """A spooled call's line, parsed (the last PARSED_KEPT are kept)."""
        parsed = self._parsed.get(call.line)
        if parsed is not None:
            self._parsed.move_to_end(call.line)
            return parsed
        assert call.spooled is not None
        try:
            parsed = json.loads(self._spool.read(call.spooled))
            if not isinstance(parsed, dict) or not isinstance(parsed.get("response"), dict):
                raise ValueError
        except ValueError:
            raise RecordingError(f"{self.path}:{call.line}: not JSON") from None
        self._parsed[call.line] = parsed
        if len(self._parsed) > PARSED_KEPT:
            self._parsed.popitem(last=False)
        return parsed

    def _lookup(self, service: str, region: str, operation: str, params: dict[str, Any], now: datetime) -> Call | None:
        token = _token(params)
        found: Call | None = None
        for selected in (_selector(params), None):
            entry = self._index.get((service, region, operation, selected, token))
            if entry is None:
                continue
            times, calls = entry
            at = bisect.bisect_right(times, now)
            if at:
                found = calls[at - 1]
            elif token is not None or service == "sts":  # a page of a poll; who the caller is
                found = calls[0]
            if found is not None:
                return found
        return None

    def _events_answer(self, region: str, params: dict[str, Any], now: datetime) -> Outcome:
        """Every event recorded in the region up to `now`, whatever window is asked: what the
        live session had been told by then (a watch begun after a jump asks a day at once)."""
        recorded = [call for call in self._events.get(region, []) if call.t <= now]
        if not recorded:
            return _not_recorded("rds", region, "DescribeEvents", now)
        seen: dict[tuple[Any, ...], dict[str, Any]] = {}
        for call in recorded:
            if call.error is not None:
                continue
            for event in self.response(call).get("Events", []):
                key = (event.get("Date"), event.get("SourceIdentifier"), event.get("SourceType"), event.get("Message"))
                seen[key] = event
        events = sorted(seen.values(), key=lambda e: str(e.get("Date", "")))
        return Outcome(200, {"Events": events})

    def _metrics_answer(self, region: str, params: dict[str, Any], now: datetime) -> Outcome:
        index = self._metrics.get(region)
        if index is None:
            return _not_recorded("cloudwatch", region, "GetMetricData", now)
        if not index.built:
            index.build(self)
        if index.first is None or index.first > now:
            return _not_recorded("cloudwatch", region, "GetMetricData", now)
        start, end = _moment(params.get("StartTime")), _moment(params.get("EndTime"))
        descending = params.get("ScanBy", "TimestampDescending") == "TimestampDescending"
        results = []
        for query in params.get("MetricDataQueries", []):
            if not query.get("ReturnData", True):
                continue
            points = index.points(_metric_identity(query), now, start, end)
            points.sort(reverse=descending)
            results.append({
                "Id": query.get("Id", ""),
                "Label": query.get("Label") or (query.get("MetricStat", {}).get("Metric", {}).get("MetricName", "")),
                "Timestamps": [iso(moment) for moment, _ in points],
                "Values": [value for _, value in points],
                "StatusCode": "Complete",
            })
        return Outcome(200, {"MetricDataResults": results, "Messages": []})


@dataclass(frozen=True)
class Outcome:
    """An answer as the wire would have given it: the HTTP status and the body, JSON-typed."""

    status: int
    body: dict[str, Any]


def _refused(message: str) -> Outcome:
    return Outcome(400, {"Error": {"Code": "ReplayIsReadOnly", "Message": message}})


def _not_recorded(service: str, region: str, operation: str, now: datetime) -> Outcome:
    message = f"the recording has no {service} {operation} in {region} at or before {iso(now)}"
    return Outcome(400, {"Error": {"Code": "NotRecorded", "Message": message}})


# -- GetMetricData's datapoints ---------------------------------------------------


Identity = tuple[str, str, tuple[tuple[str, str], ...], str]


def _metric_identity(query: dict[str, Any]) -> Identity | None:
    stat = query.get("MetricStat")
    if not isinstance(stat, dict):
        return None  # a math expression: nothing is recorded by it alone
    metric = stat.get("Metric", {})
    dimensions = tuple(sorted((str(d.get("Name")), str(d.get("Value"))) for d in metric.get("Dimensions", [])))
    return (str(metric.get("Namespace")), str(metric.get("MetricName")), dimensions, str(stat.get("Stat")))


class _MetricIndex:
    """A region's recorded datapoints by metric, a chunk for each call that returned some (in
    time order), their timestamps as POSIX seconds: an hour of a thousand instances' series
    is a quarter of a million chunks."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.built = False
        self.first: datetime | None = None  # the first call that answered
        self._read_at: dict[Identity, list[datetime]] = {}  # per metric: when each chunk was recorded
        self._chunks: dict[Identity, list[tuple[tuple[float, ...], tuple[float, ...]]]] = {}

    def build(self, recording: Recording) -> None:
        self.built = True
        for call in self.calls:
            if call.error is not None:
                continue
            self.first = self.first or call.t
            params = recording.whole(call).get("params") if call.spooled else call.params
            ids = {q.get("Id"): _metric_identity(q) for q in (params or {}).get("MetricDataQueries", [])}
            for result in recording.response(call).get("MetricDataResults", []):
                identity = ids.get(result.get("Id"))
                moments = [_moment(stamp) for stamp in result.get("Timestamps", [])]
                pairs = [(m.timestamp(), float(v)) for m, v in zip(moments, result.get("Values", [])) if m is not None]
                if identity is None or not pairs:
                    continue
                stamps, values = zip(*pairs)
                self._read_at.setdefault(identity, []).append(call.t)
                self._chunks.setdefault(identity, []).append((stamps, values))

    def points(
        self, identity: Identity | None, now: datetime, start: datetime | None, end: datetime | None
    ) -> list[tuple[datetime, float]]:
        """The datapoints recorded up to `now` in [start, end): a later read's value wins."""
        if identity is None or identity not in self._chunks:
            return []
        low = start.timestamp() if start is not None else float("-inf")
        high = end.timestamp() if end is not None else float("inf")
        found: dict[float, float] = {}
        cut = bisect.bisect_right(self._read_at[identity], now)
        for stamps, values in reversed(self._chunks[identity][:cut]):
            if max(stamps) < low:
                break  # older reads cover older windows
            for stamp, value in zip(stamps, values):
                if low <= stamp < high:
                    found.setdefault(stamp, value)
        return [(datetime.fromtimestamp(stamp, timezone.utc), value) for stamp, value in found.items()]


# -- loading ------------------------------------------------------------------


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines, numbered from 1; gzip (whatever the name says) is read as a stream."""
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        yield from enumerate(_inflated(raw, path) if gzipped else raw, 1)


GZIP = 16 + zlib.MAX_WBITS  # zlib's gzip wrapper
INFLATED = 1 << 20  # bytes read, and inflated, at a time


def _inflated(raw: IO[bytes], path: Path) -> Iterator[bytes]:
    """A gzip file's lines, its members one after another. A stream that stops short (a
    session killed while recording) gives what it holds: a last line cut off comes without
    its newline, and the loader says it is truncated."""
    inflate = zlib.decompressobj(GZIP)
    pending = b""
    try:
        while chunk := raw.read(INFLATED):
            while chunk:
                if inflate.eof:  # the next member
                    inflate = zlib.decompressobj(GZIP)
                pending += inflate.decompress(chunk, INFLATED)  # a bounded piece: JSON inflates 30-fold
                chunk = inflate.unconsumed_tail or (inflate.unused_data if inflate.eof else b"")
                *whole, pending = pending.split(b"\n")
                for line in whole:
                    yield line + b"\n"
    except zlib.error as exc:
        raise RecordingError(f"{path}: not a gzip file this rdstui can read ({exc})") from None
    if pending:
        yield pending


def _load(path: Path) -> Recording:
    recording: Recording | None = None
    previous: datetime | None = None
    pending: tuple[int, bytes] | None = None  # the line read last: checked whole (it may be truncated)
    for number, line in _lines(path):
        if recording is None:
            recording = _header(path, number, line)
        elif line.strip():
            if pending is not None:
                previous = _add(recording, *pending, previous, last=False)
            pending = (number, line)
    if recording is None:
        raise RecordingError(f"{path}:1: empty: not an rdstui recording")
    if pending is not None:
        _add(recording, *pending, previous, last=True)
    _index(recording)
    return recording


def _header(path: Path, number: int, line: bytes) -> Recording:
    head = _json(path, number, line, last=False)
    if not isinstance(head, dict) or "rdstui_recording" not in head:
        raise RecordingError(f'{path}:{number}: not an rdstui recording (its first line has no "rdstui_recording")')
    version = head["rdstui_recording"]
    if version != FORMAT_VERSION:
        raise RecordingError(
            f"{path}:{number}: recording format {version!r}; this rdstui reads format {FORMAT_VERSION}"
        )
    started = _moment(head.get("started"))
    if started is None:
        raise RecordingError(f'{path}:{number}: "started" must be an ISO 8601 time')
    regions = head.get("regions") or []
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise RecordingError(f'{path}:{number}: "regions" must be a list of region names')
    profile, account = head.get("profile"), head.get("account")
    return Recording(
        path,
        started,
        profile if isinstance(profile, str) else None,
        account if isinstance(account, str) else None,
        list(regions),
    )


def _json(path: Path, number: int, line: bytes, *, last: bool) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        if last and not line.endswith(b"\n"):
            raise RecordingError(f"{path}:{number}: truncated: the last line ends before its JSON does") from None
        raise RecordingError(f"{path}:{number}: not JSON") from None


def _add(recording: Recording, number: int, line: bytes, previous: datetime | None, *, last: bool) -> datetime:
    path = recording.path
    spooled: tuple[int, int] | None = None
    if len(line) > BIG_LINE and not last:
        record = _head(line)
        if record is None:  # not in the recorder's key order: read it whole
            record = _json(path, number, line, last=last)
        else:
            spooled = recording._spool.add(line)
    else:
        record = _json(path, number, line, last=last)
    call = _call(path, number, record, spooled)
    if spooled is not None and call.params and "MetricDataQueries" in call.params:
        # Thousands of queries a read: the metric index reads them from the spool, once.
        call.params = {key: value for key, value in call.params.items() if key != "MetricDataQueries"}
    if previous is not None and call.t < previous:
        raise RecordingError(
            f"{path}:{number}: a call out of time order ({iso(call.t)} is before the line above, {iso(previous)})"
        )
    recording.calls.append(call)
    return call.t


_DECODER = json.JSONDecoder()


def _head(line: bytes) -> dict[str, Any] | None:
    """The fields before "response" of a line in the recorder's order, without parsing the
    response (megabytes); None when the line is not in that order."""
    text = line.decode("utf-8", errors="replace").rstrip()
    if not (text.startswith("{") and text.endswith("}")):
        return None
    record: dict[str, Any] = {}
    at = 1
    try:
        while True:
            key, at = _DECODER.raw_decode(text, at)
            if text[at] != ":":
                return None
            if key == "response":
                record["response"] = None  # there, unread
                return record
            value, at = _DECODER.raw_decode(text, at + 1)
            record[key] = value
            if text[at] != ",":
                return None
            at += 1
    except (ValueError, IndexError):
        return None


def _call(path: Path, number: int, record: Any, spooled: tuple[int, int] | None) -> Call:
    if not isinstance(record, dict) or not all(isinstance(record.get(name), str) for name in RECORD_FIELDS):
        raise RecordingError(f'{path}:{number}: a call needs "t", "service", "region" and "operation" (strings)')
    moment = _moment(record["t"])
    if moment is None:
        raise RecordingError(f'{path}:{number}: "t" must be an ISO 8601 time, not {record["t"]!r}')
    params = record.get("params")
    if params is not None and not isinstance(params, dict):
        raise RecordingError(f'{path}:{number}: "params" must be an object')
    call = Call(moment, record["service"], record["region"], record["operation"], params, number, spooled=spooled)
    error = record.get("error")
    if error is not None:
        if not isinstance(error, dict):
            raise RecordingError(f'{path}:{number}: "error" must be an object with "Code" and "Message"')
        call.error = {"Code": str(error.get("Code", "")), "Message": str(error.get("Message", ""))}
        status = record.get("http_status", 400)
        call.http_status = status if isinstance(status, int) else 400
    elif "response" not in record:
        raise RecordingError(f'{path}:{number}: a call needs "response" or "error"')
    elif spooled is None:
        response = record["response"]
        if not isinstance(response, dict):
            raise RecordingError(f'{path}:{number}: "response" must be an object')
        call.response = response
    return call


def _index(recording: Recording) -> None:
    for call in recording.calls:
        if call.service == "rds" and call.operation == "DescribeEvents":
            recording._events.setdefault(call.region, []).append(call)
            continue
        if call.service == "cloudwatch" and call.operation == "GetMetricData":
            recording._metrics.setdefault(call.region, _MetricIndex()).calls.append(call)
            continue
        params = call.params
        key = (
            call.service,
            call.region,
            call.operation,
            _selector(params) if params is not None else None,
            _token(params) if params is not None else None,
        )
        times, calls = recording._index.setdefault(key, ([], []))
        times.append(call.t)
        calls.append(call)


def _selector(params: dict[str, Any]) -> str:
    chosen = {key: value for key, value in params.items() if key not in UNSELECTIVE}
    return json.dumps(jsonable(chosen), sort_keys=True, default=str)


def _token(params: dict[str, Any]) -> str | None:
    for name in PAGING:
        if params.get(name):
            return str(params[name])
    return None


def _moment(value: Any) -> datetime | None:
    """An ISO 8601 time (UTC when it names no zone), or a datetime; None if neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def parse_moment(value: str) -> datetime | None:
    """`--at`: an ISO 8601 time (UTC unless it says otherwise)."""
    return _moment(value)


# -- the clock ----------------------------------------------------------------


class ReplayClock:
    """The recording's time: from its first poll at real speed, paused, or moved to a poll."""

    def __init__(self, recording: Recording, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.start = recording.first_poll
        self.end = recording.end
        self.polls = recording.polls
        self._monotonic = monotonic
        self._at = self.start
        self._since: float | None = monotonic()  # None: paused

    @property
    def playing(self) -> bool:
        return self._since is not None

    def now(self) -> datetime:
        if self._since is None:
            return self._at
        moment = self._at + timedelta(seconds=self._monotonic() - self._since)
        return min(moment, self.end)

    def pause(self, paused: bool) -> None:
        if paused == (not self.playing):
            return
        self._at = self.now()
        self._since = None if paused else self._monotonic()

    def seek(self, moment: datetime) -> None:
        self._at = min(max(moment, self.start), self.end)
        if self._since is not None:
            self._since = self._monotonic()

    def stand(self, moment: datetime) -> None:
        """Paused at `moment` (`status --replay --at`)."""
        self.pause(True)
        self.seek(moment)

    def step(self, polls: int) -> datetime:
        """Move `polls` polls on (back when negative) from now; returns the new time."""
        now = self.now()
        if not self.polls:
            return now
        if polls > 0:
            at = bisect.bisect_right(self.polls, now) + polls - 1
        else:
            at = bisect.bisect_left(self.polls, now) + polls
        self.seek(self.polls[min(max(at, 0), len(self.polls) - 1)])
        return self.now()

    @property
    def progress(self) -> float:
        """How far through the recording, 0..1."""
        span = (self.end - self.start).total_seconds()
        return 1.0 if span <= 0 else min(1.0, max(0.0, (self.now() - self.start).total_seconds() / span))


@dataclass
class Replay:
    """A recording being replayed, and the clock it is replayed at."""

    recording: Recording
    clock: ReplayClock

    @classmethod
    def open(cls, path: Path, at: datetime | None = None) -> Replay:
        """Load `path`; with `at`, stand still at that time (`status --at`; default: the end)."""
        recording = Recording.load(path)
        clock = ReplayClock(recording)
        if at is not None:
            if not recording.first_poll <= at <= recording.end:  # before its first poll nothing was seen
                recording.close()
                raise RecordingError(
                    f"{path}: --at {iso(at)} is outside the recording "
                    f"(its first poll {iso(recording.first_poll)} to its end {iso(recording.end)})"
                )
            clock.stand(at)
        return cls(recording, clock)


# -- botocore's side -----------------------------------------------------------


class _Http:
    """What botocore reads of a response it did not send: its status."""

    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""


def install(session: Any, recording: Recording, now: Callable[[], datetime]) -> None:
    """Every client `session` makes from now on is answered from `recording` at `now()`."""

    def parameters(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context[CONTEXT_KEY] = dict(params)

    def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[_Http, dict[str, Any]]:
        params = context.get(CONTEXT_KEY, {})
        service = model.service_model.service_name
        outcome = recording.answer(service, context.get("client_region") or "", model.name, params, now())
        body = dict(outcome.body)
        if outcome.status < 300 and model.output_shape is not None:
            body = typed(model.output_shape, body)
        body["ResponseMetadata"] = {"HTTPStatusCode": outcome.status, "RequestId": "replay", "RetryAttempts": 0}
        return _Http(outcome.status), body

    session.register("before-parameter-build", parameters)
    session.register("before-call", answer)


def typed(shape: Any, value: Any) -> Any:
    """A JSON value as botocore's parser would have given it for `shape`: times as datetimes,
    blobs as bytes. What the shape does not name is kept as it is."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {key: typed(members[key], item) if key in members else item for key, item in value.items()}
    if kind == "list" and isinstance(value, list):
        member = shape.member
        if member.type_name in ("string", "integer", "long", "double", "float", "boolean"):
            return value
        return [typed(member, item) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: typed(shape.value, item) for key, item in value.items()}
    if kind == "timestamp":
        return _moment(value) or value
    if kind == "blob" and isinstance(value, str):
        try:
            return base64.b64decode(value)
        except ValueError:
            return value
    return value
