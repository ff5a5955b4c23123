"""Checks shared by the tap-thrive and tap-systeme tests (candidates for tests/helpers.py):
records against the SCHEMA their stream sent, and catalogs that select chosen streams."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from tests.helpers import TapRun, run_tap

_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
FORMATS = FormatChecker(["date"])


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 date-times, as ``format: date-time`` promises a target."""
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 date-time")
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


def assert_records_match_schemas(run: TapRun) -> dict[str, int]:
    """Validate each RECORD against the latest SCHEMA of its stream; the count per stream."""
    validators: dict[str, Draft7Validator] = {}
    counts: dict[str, int] = {}
    problems: list[str] = []
    for message in run.messages:
        stream = message.get("stream")
        if message["type"] == "SCHEMA":
            Draft7Validator.check_schema(message["schema"])
            validators[stream] = Draft7Validator(message["schema"], format_checker=FORMATS)
        elif message["type"] == "RECORD":
            assert stream in validators, f"{stream}: RECORD before any SCHEMA"
            counts[stream] = counts.get(stream, 0) + 1
            for error in validators[stream].iter_errors(message["record"]):
                path = "/".join(map(str, error.absolute_path))
                problems.append(f"{stream}: {path}: {error.message}")
    assert not problems, "\n".join(problems[:20])
    return counts


def discovered(tap: str, config: dict[str, Any]) -> dict:
    """The catalog ``tap --discover`` prints."""
    run = run_tap(tap, config, "--discover")
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def selecting(catalog: dict, streams: set[str] | tuple[str, ...]) -> dict:
    """A copy of ``catalog`` with exactly ``streams`` selected (at the stream level)."""
    out = json.loads(json.dumps(catalog))
    for entry in out["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in streams
    return out
