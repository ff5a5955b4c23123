"""tap-basecamp's streams beyond the seed (people, the recording types, Campfires and their lines,
the full Schedule resource) against the sandbox: records, schemas, bookmarks, concurrency."""

from __future__ import annotations

import json
import os
from datetime import date, datetime

import jsonschema
import pytest

from sandbox.apis.basecamp import API_HOST, RECORDING_STREAMS
from sandbox.credentials import tap_config
from tests.helpers import TapRun, run_tap

TAP, PREFIX = "tap-basecamp", "basecamp"


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def on_sandbox_host(records: list[dict]) -> list[dict]:
    """The truth's records with their API URLs on the sandbox's host, as the fake serves them."""
    text = json.dumps(records, ensure_ascii=False)
    return json.loads(text.replace(f"{API_HOST}/", f"{os.environ['SANDBOX_URL']}/{PREFIX}/"))


@pytest.fixture(scope="module")
def full_run() -> TapRun:
    """One full sync of the sandbox's pristine data (the sandbox fixture restores it after every
    test, and no test in this module changes it before this runs)."""
    run = run_tap(TAP, config())
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def test_every_stream_equals_the_truth_field_by_field(sandbox, full_run):
    truth = sandbox.truth(PREFIX)
    assert set(full_run.records) == set(truth)
    for stream, expected in truth.items():
        got = {r["id"]: r for r in full_run.records[stream]}
        assert len(got) == len(full_run.records[stream]), f"{stream}: duplicates"
        want = {r["id"]: r for r in on_sandbox_host(expected)}
        assert got.keys() == want.keys(), stream
        changed = [i for i in want if got[i] != want[i]]
        assert not changed, f"{stream}: {len(changed)} records differ, e.g. {changed[:3]}"


def test_the_data_has_what_real_answers_have(full_run):
    """Nulls, omitted fields, unicode and nested objects reach the output as they came."""
    records = full_run.records
    completed = [t for t in records["todos"] if t["completed"]]
    assert completed and all(t["completion"]["creator"]["id"] and t["completion"]["created_at"]
                             for t in completed)
    assert not any("completion" in t for t in records["todos"] if not t["completed"])
    assert any("parent" not in v for v in records["vaults"])  # a project's top vault
    assert any("width" not in u for u in records["uploads"])  # not an image
    assert any(x["type"] == "Chat::Lines::Upload" and "content" not in x
               and x["attachments"][0]["filename"] for x in records["campfire_lines"])
    assert any(c["steps"] and c["steps"][0]["type"] == "Kanban::Step"
               for c in records["card_table_cards"])
    assert any("company" not in p for p in records["people"])
    assert any(p["bio"] is None for p in records["people"])
    assert any(d["description"] is None for d in records["todolists"])
    text = json.dumps(full_run.records, ensure_ascii=False)
    assert "東京" in text and "Präsentation" in text and "☀️" in text
    schedule = records["schedules"][0]
    assert schedule["type"] == "Schedule" and schedule["entries_url"].endswith("entries.json")
    assert {"bucket", "creator", "entries_count", "include_due_assignments"} <= schedule.keys()


def date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


def a_date(value: object) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(date_time)
FORMATS.checks("date", raises=ValueError)(a_date)


def test_every_record_validates_against_the_schema_it_was_sent(full_run):
    schemas: dict[str, jsonschema.Validator] = {}
    checked = 0
    for message in full_run.messages:
        if message["type"] == "SCHEMA":
            schema = message["schema"]
            jsonschema.Draft7Validator.check_schema(schema)
            schemas[message["stream"]] = jsonschema.Draft7Validator(schema,
                                                                     format_checker=FORMATS)
        elif message["type"] == "RECORD":
            validator = schemas[message["stream"]]  # a SCHEMA came first
            errors = list(validator.iter_errors(message["record"]))
            assert not errors, (message["stream"], message["record"]["id"], errors[0].message)
            checked += 1
    assert len(schemas) == 15 and checked == sum(len(v) for v in full_run.records.values())


def test_every_documented_field_is_in_the_schema(full_run):
    """What the fake sends (modelled on the bc3-api examples) is declared, at every depth."""
    schemas = {m["stream"]: m["schema"] for m in full_run.messages if m["type"] == "SCHEMA"}

    def undeclared(value: object, schema: dict, where: str) -> list[str]:
        out = []
        if isinstance(value, dict):
            props = schema.get("properties", {})
            for key, inner in value.items():
                path = f"{where}.{key}"
                out += undeclared(inner, props[key], path) if key in props else [path]
        elif isinstance(value, list):
            for inner in value:
                out += undeclared(inner, schema.get("items", {}), f"{where}[]")
        return out

    for stream, records in full_run.records.items():
        missing = {m for r in records for m in undeclared(r, schemas[stream], stream)}
        assert not missing, sorted(missing)


def recording_pages(sandbox, kind: str, since: int = 0) -> int:
    return sum(1 for r in sandbox.requests(PREFIX)[since:]
               if r["path"].endswith("/projects/recordings.json") and r["query"]["type"] == [kind])


def test_a_second_run_reads_only_what_changed_in_every_recording_stream(sandbox):
    first = run_tap(TAP, config())
    assert first.returncode == 0, first.stderr[-2000:]
    before = {kind: recording_pages(sandbox, kind) for kind in RECORDING_STREAMS.values()}
    bookmarks = {s: first.last_state["bookmarks"][s]["replication_key_value"]
                 for s in RECORDING_STREAMS}
    touched = {s: set(sandbox.touch(PREFIX, s, 4)) for s in RECORDING_STREAMS}
    at_mark = {s: {r["id"] for r in first.records[s] if r["updated_at"] == bookmarks[s]}
               - touched[s] for s in RECORDING_STREAMS}
    assert any(at_mark.values())
    since = len(sandbox.requests(PREFIX))
    second = run_tap(TAP, config(), state=first.last_state)
    assert second.returncode == 0, second.stderr[-2000:]
    truth = sandbox.truth(PREFIX)
    for stream, kind in RECORDING_STREAMS.items():
        emitted = second.records[stream]
        assert touched[stream] <= {r["id"] for r in emitted}, stream  # nothing lost
        others = [r for r in emitted if r["id"] not in touched[stream]]
        assert all(r["updated_at"] == bookmarks[stream] for r in others), stream  # ties only
        assert at_mark[stream] <= {r["id"] for r in others}, stream  # the bookmark is inclusive
        assert recording_pages(sandbox, kind, since) == 1 < before[kind], stream
        assert second.last_state["bookmarks"][stream]["replication_key_value"] == max(
            r["updated_at"] for r in truth[stream]), stream


def test_start_date_bounds_every_recording_stream_and_nothing_else(sandbox):
    start = "2024-06-01T00:00:00Z"
    run = run_tap(TAP, config(start_date=start))
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth(PREFIX)
    for stream in truth:
        expected = truth[stream]
        if stream in RECORDING_STREAMS:
            expected = [r for r in expected if r["updated_at"] >= "2024-06-01T00:00:00.000Z"]
            assert 0 < len(expected) < len(truth[stream]), stream
        assert {r["id"] for r in run.records[stream]} == {r["id"] for r in expected}, stream


def test_campfire_lines_are_the_same_with_8_workers_as_with_1(sandbox):
    sandbox.latency(ms=2)  # answers overlap, so the workers really run at once
    runs, in_flight = {}, {}
    for n in (1, 8):
        runs[n] = run_tap(TAP, config(max_concurrency=n))
        in_flight[n] = sandbox.stats()[PREFIX]["max_in_flight"]
    for n, one in runs.items():
        assert one.returncode == 0, (n, one.stderr[-2000:])
    assert in_flight[1] == 1 and in_flight[8] > 1  # 8 workers did request at once
    for stream in ("campfires", "campfire_lines", "schedules", "schedule_entries"):
        assert runs[8].records[stream] == runs[1].records[stream], stream
    lines = [r["parent"]["id"] for r in runs[8].records["campfire_lines"]]
    order = [c["id"] for c in runs[8].records["campfires"]]
    assert lines == sorted(lines, key=order.index)  # each campfire's lines after the one before
    assert len(set(lines)) > 10
