"""Schema drift against the sandbox: whatever type a value comes with, the record goes out
unchanged, after a SCHEMA widened just enough, with one warning per field; no RECORD ever
violates the SCHEMA before it."""

from __future__ import annotations

import pytest
from jsonschema import Draft7Validator

from tests.helpers import TapRun
from tests.reliability.common import BY_NAME, run, why

#: kind -> (tap, records path, field, value, declared, seen, widened type of the field)
KINDS = {
    "string where integer": ("tap-primetric", r"/assignments", "status", "seven",
                             "integer or null", "string", ["integer", "null", "string"]),
    "float where integer": ("tap-primetric", r"/assignments", "work_per_monday", 2.5,
                            "integer or null", "number", ["integer", "null", "number"]),
    "object where string": ("tap-primetric", r"/employees", "name", {"first": "Ada"},
                            "string or null", "object", ["string", "null", "object"]),
    "array where object": ("tap-classroom", r"/courseWork\?", "dueDate", [2024, 6, 1],
                           "object or null", "array", ["object", "null", "array"]),
    "null where not nullable": ("tap-classroom", r"/announcements\?", "updateTime", None,
                                "string", "null", ["string", "null"]),
    "nested field": ("tap-classroom", r"/v1/courses(\?|$)", "teacherFolder.title", 42,
                     "string or null", "integer", ["string", "null", "integer"]),
}
STREAM_OF = {"/assignments": "assignments", "/employees": "employees",
             r"/courseWork\?": "coursework", r"/announcements\?": "announcements",
             r"/v1/courses(\?|$)": "courses"}


def assert_records_fit_the_schema_before_them(done: TapRun) -> None:
    schemas: dict[str, dict] = {}
    for message in done.messages:
        if message["type"] == "SCHEMA":
            schemas[message["stream"]] = message["schema"]
        elif message["type"] == "RECORD":
            Draft7Validator(schemas[message["stream"]]).validate(message["record"])


def value_at(record: dict, dotted: str) -> object:
    for name in dotted.split("."):
        record = record.get(name) if isinstance(record, dict) else None
    return record


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_drifted_value_is_loaded_unchanged_after_a_widened_schema(sandbox, kind):
    tap_name, path, field, value, declared, seen, widened = KINDS[kind]
    tap, stream = BY_NAME[tap_name], STREAM_OF[path]
    sandbox.drift(tap.prefix, path=path, field=field, value=value, limit=2)

    done = run(tap, tap.config())

    assert done.returncode == 0, why(done)
    truth = sandbox.truth(tap.prefix)
    assert len(done.records[stream]) == len(truth[stream])  # nothing dropped
    drifted = [i for i, m in enumerate(done.messages) if m["type"] == "RECORD"
               and m["stream"] == stream and value_at(m["record"], field) == value]
    assert len(drifted) == 2, "the two drifted records, with their value as it came"
    schemas = [(i, m["schema"]) for i, m in enumerate(done.messages)
               if m["type"] == "SCHEMA" and m["stream"] == stream]
    assert len(schemas) == 2, "the SCHEMA once more, once per field and run"
    (first_at, _), (again_at, schema) = schemas
    assert first_at < again_at < drifted[0]
    node = schema
    for name in field.split("."):
        node = node["properties"][name]
    assert node["type"] == widened
    assert_records_fit_the_schema_before_them(done)
    warnings = [line for line in done.stderr.splitlines() if "schema drift" in line]
    assert len(warnings) == 1, warnings
    assert "WARNING" in warnings[0]
    assert (f"{stream}: schema drift: field '{field}' is declared {declared} but the API "
            f"sent {seen}") in warnings[0]
    assert "Please report this" in warnings[0]


def test_without_drift_every_tap_sends_one_schema_per_stream(sandbox):
    for tap in BY_NAME.values():
        done = run(tap, tap.config())
        assert done.returncode == 0, why(done)
        streams = [m["stream"] for m in done.messages if m["type"] == "SCHEMA"]
        assert len(streams) == len(set(streams)), tap
        assert "schema drift" not in done.stderr, tap
