"""What the reliability tests share: the five taps, their catalogs, runs that get killed, and the
checks (same records, complete union, safe bookmarks, no secrets, one clear error line)."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest

from sandbox.apis.base import TokenStore
from sandbox.credentials import CREDENTIALS, SECRET_SETTINGS, SECRETS, tap_config
from tapkit.times import parse_time
from taps import registry
from tests.helpers import (  # noqa: F401  (re-exported: the reliability tests import them here)
    BIN,
    TapRun,
    assert_no_secrets,
    assert_one_clear_error,
    outputs,
    run_tap,
    why,
)


@dataclass(frozen=True)
class Tap:
    """One tap of the suite (its registry entry), as these tests drive it."""

    entry: registry.Tap

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def prefix(self) -> str:
        return self.entry.fake

    @property
    def oauth(self) -> bool:
        return self.entry.oauth

    @property
    def small_pages(self) -> dict[str, Any]:
        """Config that makes the sandbox answer in many small pages (more requests, faults)."""
        return self.entry.small_pages

    @property
    def sandbox_options(self) -> dict[str, Any]:
        """``sandbox.configure`` options for the same, where the tap has no page setting."""
        return self.entry.sandbox_options

    def __str__(self) -> str:
        return self.name

    def config(self, **overrides: Any) -> dict[str, Any]:
        return tap_config(self.name, os.environ["SANDBOX_URL"], **overrides)

    def secrets(self) -> list[str]:
        """Every secret value of this tap's config, plus what HTTP Basic makes of them."""
        creds = CREDENTIALS[self.name]
        values = [v for k, v in creds.items() if k in SECRET_SETTINGS]
        if "password" in creds:
            pair = f"{creds['username']}:{creds['password']}".encode()
            values.append(base64.b64encode(pair).decode())
        return values


TAPS = [Tap(entry) for entry in registry.TAPS]
BY_NAME = {t.name: t for t in TAPS}
OAUTH_TAPS = [t for t in TAPS if t.oauth]
#: Every secret the sandbox knows, and what Basic auth makes of the Thrive ones.
ALL_SECRETS = sorted({*SECRETS, *(s for t in TAPS for s in t.secrets())})


def taps_param(taps: Iterable[Tap] = TAPS) -> Any:
    """``pytest.mark.parametrize`` over taps, with readable ids."""
    return pytest.mark.parametrize("tap", list(taps), ids=str)


# -- catalogs ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StreamInfo:
    keys: tuple[str, ...]
    replication_key: str | None


@cache
def _catalogs() -> dict[str, dict[str, StreamInfo]]:
    """Per tap, per stream: key properties and replication key, from ``--discover``."""

    def discover(tap: Tap) -> dict[str, StreamInfo]:
        run = subprocess.run([str(BIN / tap.name), "--config", _tmp_json(tap.config()),
                              "--discover"], capture_output=True, text=True, timeout=120,
                             check=False)
        assert run.returncode == 0, run.stderr[-2000:]
        out = {}
        for entry in json.loads(run.stdout)["streams"]:
            meta = next((m["metadata"] for m in entry.get("metadata", [])
                         if m.get("breadcrumb") == []), {})
            if meta.get("selected-by-default") is False:
                continue  # opt-in: not part of a default run
            keys = entry.get("key_properties") or meta.get("table-key-properties") or []
            out[entry["tap_stream_id"]] = StreamInfo(
                tuple(keys), entry.get("replication_key") or meta.get("replication-key"))
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip([t.name for t in TAPS], pool.map(discover, TAPS), strict=True))


def catalog(tap: Tap) -> dict[str, StreamInfo]:
    return _catalogs()[tap.name]


_TMP = tempfile.TemporaryDirectory(prefix="reliability-")


def _tmp_json(content: Any) -> str:
    handle, path = tempfile.mkstemp(suffix=".json", dir=_TMP.name)
    with os.fdopen(handle, "w") as out:
        json.dump(content, out)
    return path


# -- running -------------------------------------------------------------------------------------
def run(tap: Tap, config: dict[str, Any], *args: str, **kwargs: Any) -> TapRun:
    """``run_tap`` with a time limit that keeps a hung tap from hanging the suite."""
    kwargs.setdefault("timeout", 60)
    return run_tap(tap.name, config, *args, **kwargs)


#: Settings that change how a tap copes with failures, not what a fault-free run emits.
RETRY_SETTINGS = ("max_retries", "backoff_factor", "request_timeout")
_BASELINES: dict[str, tuple[TapRun, int]] = {}


def baseline(tap: Tap, sandbox: Any, config: dict[str, Any]) -> tuple[TapRun, int]:
    """A fault-free run of ``tap`` with ``config`` on the sandbox's pristine data (the
    ``sandbox`` fixture rebuilds the data after every test), made once per session, and how
    many requests it sent. Call it before the test changes data, faults or latency."""
    if tap.sandbox_options:
        sandbox.configure(tap.prefix, **tap.sandbox_options)
    key = json.dumps([tap.name, tap.sandbox_options,
                      {k: v for k, v in config.items() if k not in RETRY_SETTINGS}],
                     sort_keys=True)
    if key not in _BASELINES:
        before = sandbox.stats()[tap.prefix]["requests"]
        clean = run(tap, config)
        assert clean.returncode == 0, why(clean)
        _BASELINES[key] = clean, sandbox.stats()[tap.prefix]["requests"] - before
    return _BASELINES[key]


def run_and_kill(tap: Tap, config: dict[str, Any], stream: str, after: int,
                 state: dict | None = None, timeout: float = 60) -> TapRun:
    """Run the tap, reading its stdout line by line, and SIGKILL it as soon as it has printed
    ``after`` RECORD messages of ``stream``. Lines already in the pipe were emitted (a target
    would have read them) and are kept; a line cut by the kill is not."""
    argv = [str(BIN / tap.name), "--config", _tmp_json(config)]
    if state is not None:
        argv += ["--state", _tmp_json(state)]
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True)
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        lines: list[str] = []
        record_of = re.compile(r'^\{"type": ?"RECORD", ?"stream": ?"' + re.escape(stream) + '"')
        seen, killed = 0, False
        try:
            # Only a cheap match while the tap runs, so this reader keeps up with it.
            for line in process.stdout or []:
                if not line.endswith("\n"):
                    break  # cut short by the kill
                lines.append(line)
                if not killed and record_of.match(line):
                    seen += 1
                    if seen == after:
                        process.send_signal(signal.SIGKILL)
                        killed = True
            process.wait(timeout=30)
        finally:
            watchdog.cancel()
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr.seek(0)
        err = stderr.read()
    assert killed, (f"{tap}: the run ended (exit {process.returncode}) before {after} "
                    f"{stream} records; pick an earlier kill point\n{err[-2000:]}")
    assert process.returncode == -signal.SIGKILL
    messages = [json.loads(line) for line in lines if line.startswith("{")]
    return TapRun(process.returncode, "".join(lines), err, messages)


# -- checks --------------------------------------------------------------------------------------
def canonical(record: dict) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False)


def key_of(record: dict, keys: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(record.get(k)) for k in keys)


def assert_same_records(tap: Tap, got: TapRun, expected: TapRun) -> None:
    """Per stream: the same records, keys and content, each key once."""
    streams = catalog(tap)
    assert set(got.records) == set(expected.records) == set(streams)
    for stream, info in streams.items():
        counts = Counter(key_of(r, info.keys) for r in got.records[stream])
        duplicates = {k for k, n in counts.items() if n > 1}
        assert not duplicates, f"{tap}/{stream}: duplicated keys {sorted(duplicates)[:5]}"
        want = {key_of(r, info.keys): canonical(r) for r in expected.records[stream]}
        have = {key_of(r, info.keys): canonical(r) for r in got.records[stream]}
        missing, extra = want.keys() - have.keys(), have.keys() - want.keys()
        assert not missing and not extra, (
            f"{tap}/{stream}: {len(missing)} lost {sorted(missing)[:5]}, "
            f"{len(extra)} unexpected {sorted(extra)[:5]}")
        changed = [k for k in want if want[k] != have[k]]
        assert not changed, f"{tap}/{stream}: content differs for {changed[:5]}"


def assert_union_complete(tap: Tap, runs: list[TapRun], truth: dict[str, list[dict]]) -> None:
    """Every record of the truth (in its current version) was emitted by one of ``runs``."""
    for stream, info in catalog(tap).items():
        emitted = {version(r, info) for one in runs for r in one.records.get(stream, [])}
        wanted = {version(r, info) for r in truth[stream]}
        missing = wanted - emitted
        assert not missing, (f"{tap}/{stream}: {len(missing)} of {len(wanted)} records never "
                             f"emitted, e.g. {sorted(missing, key=str)[:3]}")


def version(record: dict, info: StreamInfo) -> tuple:
    """A record's key, plus its replication value for incremental streams."""
    key = key_of(record, info.keys)
    if not info.replication_key:
        return key
    value = record.get(info.replication_key)
    return (*key, parse_time(value) if value else None)


def bookmarks(state: dict) -> list[tuple[str, dict, str]]:
    """``(stream, partition context, replication_key_value)`` of every bookmark in ``state``.

    Progress markers are not bookmarks: the SDK drops them when it starts from a state."""
    out = []
    for stream, entry in (state.get("bookmarks") or {}).items():
        for part in [entry, *entry.get("partitions", [])]:
            value = part.get("replication_key_value")
            if value not in (None, ""):
                out.append((stream, part.get("context") or {}, str(value)))
    return out


def assert_bookmarks_safe(tap: Tap, runs: list[TapRun], truth: dict[str, list[dict]]) -> int:
    """No bookmark in any STATE passes a record of the truth that was not emitted before it.

    ``runs`` are taken in order, each resuming the one before; what any earlier run emitted
    counts as emitted. A bookmark passes a record when the record's replication value is
    strictly older (the boundary is inclusive: records at the bookmark are read again).
    Returns how many bookmarks were checked, so callers can make sure the check was not empty.
    """
    streams = catalog(tap)
    emitted: set[tuple[str, tuple]] = set()
    checked = 0
    for position, one in enumerate(runs):
        for message in one.messages:
            if message["type"] == "RECORD":
                info = streams[message["stream"]]
                emitted.add((message["stream"], version(message["record"], info)))
            elif message["type"] == "STATE":
                for stream, context, value in bookmarks(message["value"]):
                    info = streams[stream]
                    assert info.replication_key, f"{tap}/{stream}: bookmark on a full table"
                    mark = parse_time(value)
                    passed = [version(r, info) for r in _in_partition(truth[stream], context)
                              if r.get(info.replication_key)  # a null value is never passed
                              and parse_time(r[info.replication_key]) < mark
                              and (stream, version(r, info)) not in emitted]
                    assert not passed, (
                        f"{tap}/{stream} {context or ''}: run {position + 1} printed the "
                        f"bookmark {value} past {len(passed)} records it never emitted, e.g. "
                        f"{passed[:3]}")
                    checked += 1
    return checked


def _in_partition(records: list[dict], context: dict) -> list[dict]:
    return [r for r in records if all(str(r.get(k)) == str(v) for k, v in context.items())]


def assert_last_state_covers_only_emitted(tap: Tap, one: TapRun, initial: dict | None = None
                                          ) -> int:
    """Every bookmark of the last STATE is at most the newest replication value emitted for its
    stream and partition, or the bookmark the run started from (``initial``, its input state).
    Returns how many bookmarks were checked."""
    streams = catalog(tap)
    started = {(s, json.dumps(c, sort_keys=True)): parse_time(v)
               for s, c, v in bookmarks(initial or {})}
    checked = 0
    for stream, context, value in bookmarks(one.last_state):
        info = streams[stream]
        values = [parse_time(r[info.replication_key])
                  for r in _in_partition(one.records.get(stream, []), context)
                  if r.get(info.replication_key)]
        if (stream, json.dumps(context, sort_keys=True)) in started:
            values.append(started[(stream, json.dumps(context, sort_keys=True))])
        assert values, f"{tap}/{stream} {context}: bookmark {value} but no record emitted"
        assert parse_time(value) <= max(values), (
            f"{tap}/{stream} {context}: bookmark {value} is past the newest record emitted, "
            f"{max(values).isoformat()}")
        checked += 1
    return checked




@contextlib.contextmanager
def issued_tokens_captured() -> Iterator[list[str]]:
    """Every access token the in-process sandbox issues inside the block."""
    tokens: list[str] = []
    original = TokenStore.issue

    def issue(self: TokenStore) -> tuple[str, int]:
        token, ttl = original(self)
        tokens.append(token)
        return token, ttl

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TokenStore, "issue", issue)
        yield tokens
