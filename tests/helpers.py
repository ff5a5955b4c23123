"""Running a tap's executable and reading what it printed."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from taps.registry import BY_NAME

BIN = Path(sys.executable).parent


def tap_class(name: str) -> Any:
    """The SDK ``Tap`` class of registry tap ``name``."""
    module, _, cls = BY_NAME[name].tap_class.partition(":")
    return getattr(importlib.import_module(module), cls)


@dataclass
class TapRun:
    """What one run of a tap printed, parsed."""

    returncode: int
    stdout: str
    stderr: str
    messages: list[dict] = field(default_factory=list)

    @property
    def records(self) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for message in self.messages:
            if message["type"] == "RECORD":
                out[message["stream"]].append(message["record"])
        return out

    @property
    def states(self) -> list[dict]:
        return [m["value"] for m in self.messages if m["type"] == "STATE"]

    @property
    def last_state(self) -> dict:
        return self.states[-1] if self.states else {}

    def keys(self, stream: str, key_properties: tuple[str, ...]) -> list[tuple]:
        return [tuple(r[k] for k in key_properties) for r in self.records[stream]]

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if "ERROR" in line]


def run_tap(tap: str, config: dict[str, Any], *args: str, state: dict | None = None,
            catalog: dict | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> TapRun:
    """Run ``tap --config <config> [--state ...] [--catalog ...] *args`` and parse stdout."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = [str(BIN / tap), "--config", _write(tmp, "config.json", config)]
        if state is not None:
            argv += ["--state", _write(tmp, "state.json", state)]
        if catalog is not None:
            argv += ["--catalog", _write(tmp, "catalog.json", catalog)]
        done = subprocess.run([*argv, *args], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, check=False)
    messages = []
    for line in done.stdout.splitlines():
        if line.startswith('{"type"'):
            messages.append(json.loads(line))
    return TapRun(done.returncode, done.stdout, done.stderr, messages)


def _write(folder: str, name: str, content: dict) -> str:
    path = Path(folder) / name
    path.write_text(json.dumps(content))
    return str(path)


def key_set(records: list[dict], key_properties: tuple[str, ...]) -> set[tuple]:
    """The primary keys of ``records``."""
    return {tuple(str(r[k]) for k in key_properties) for r in records}


def assert_one_clear_failure(tap: str, config: dict[str, Any], expected: str,
                             secrets: list[str]) -> TapRun:
    """Run ``tap``; it must exit 1 with one ERROR line holding ``expected`` and no secret."""
    run = run_tap(tap, {k: v for k, v in config.items() if v is not None})
    assert_one_clear_error(run, expected)
    assert_no_secrets([run.stdout, run.stderr], secrets)
    return run


def assert_matches_truth(run: TapRun, truth: dict[str, list[dict]],
                         keys: dict[str, tuple[str, ...]], nonempty: bool = False) -> None:
    """A successful run whose records, per stream, have exactly the truth's keys, once each
    (``nonempty``: and every stream has records)."""
    assert run.returncode == 0, run.stderr[-2000:]
    for stream, key in keys.items():
        emitted = run.keys(stream, key)
        assert len(emitted) == len(set(emitted)), f"{stream}: duplicates"
        assert key_set(run.records[stream], key) == key_set(truth[stream], key), stream
        assert run.records[stream] or not nonempty, f"{stream}: no records"


def assert_no_secrets(texts: Iterable[str], secrets: Iterable[str]) -> None:
    """None of ``secrets`` appears in any of ``texts``."""
    values = sorted({s for s in secrets if s}, key=len, reverse=True)
    for text in texts:
        for secret in values:
            assert secret not in text, f"secret {secret[:6]}... printed: {_around(text, secret)}"


def _around(text: str, secret: str) -> str:
    at = text.find(secret)
    return text[max(0, at - 150): at + len(secret) + 50].replace(secret, "<SECRET>")


def outputs(*runs: TapRun) -> list[str]:
    return [part for one in runs for part in (one.stdout, one.stderr)]


def why(one: TapRun) -> str:
    """What to show when a run went wrong: its ERROR lines, else the end of its stderr."""
    return "\n".join(one.error_lines) or one.stderr[-3000:]


def assert_one_clear_error(one: TapRun, *needles: str) -> str:
    """Exit code 1, no traceback, exactly one ERROR line, containing every needle."""
    assert one.returncode == 1, f"exit {one.returncode}\n{why(one)}"
    assert "Traceback" not in one.stderr, one.stderr[-3000:]
    assert len(one.error_lines) == 1, why(one)
    line = one.error_lines[0]
    for needle in needles:
        assert needle in line, f"{needle!r} not in the error line: {line}"
    return line

