"""tapkit.drift: the compiled check, the finder, the widening, and a stream that meets drift."""

from __future__ import annotations

import copy
import json

import pytest
import requests_mock
from jsonschema import Draft7Validator

from tap_primetric.tap import TapPrimetric
from tapkit.drift import compile_check, find_drift, widen

SCHEMA = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string"},
        "count": {"type": ["integer", "null"]},
        "ratio": {"type": "number"},
        "flag": {"type": ["boolean", "null"]},
        "when": {"type": ["string", "null"], "format": "date-time"},
        "free": {},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "owner": {"type": ["object", "null"], "required": ["name"], "properties": {
            "name": {"type": "string"}, "age": {"type": "integer"}}},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "n": {"type": "integer"}, "cells": {"type": "array", "items": {"type": "number"}}}}},
        "either": {"anyOf": [{"type": "integer"}, {"type": "object", "properties": {
            "x": {"type": "string"}}}]},
        "one": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
    },
}
FITS = [
    {"id": "a"},
    {"id": "a", "count": None, "ratio": 1, "flag": True, "when": "not a date at all"},
    {"id": "a", "ratio": 1.5, "free": [{"x": 1}], "tags": ["x"], "owner": {"name": "n"}},
    {"id": "a", "rows": [{"n": 1, "cells": [1, 2.5]}, {}], "either": {"x": "s"}, "one": "s"},
    {"id": "a", "unknown": {"any": ["thing"]}, "either": 3, "owner": None, "tags": None},
]
#: (record, [(field, declared, seen)])
DRIFTS = [
    ({"id": 1}, [("id", "string", "integer")]),
    ({"id": "a", "count": "7"}, [("count", "integer or null", "string")]),
    ({"id": "a", "count": 2.0}, [("count", "integer or null", "number")]),
    ({"id": "a", "count": True}, [("count", "integer or null", "boolean")]),
    ({"id": "a", "ratio": None}, [("ratio", "number", "null")]),
    ({"id": "a", "flag": 1}, [("flag", "boolean or null", "integer")]),
    ({"id": "a", "when": {"at": 1}}, [("when", "string or null", "object")]),
    ({"id": "a", "tags": ["x", 3]}, [("tags[]", "string", "integer")]),
    ({"id": "a", "tags": {"x": 1}}, [("tags", "array or null", "object")]),
    ({"id": "a", "owner": {"name": "n", "age": "old"}}, [("owner.age", "integer", "string")]),
    ({"id": "a", "owner": {"age": 3}}, [("owner.name", "required", "missing")]),
    ({"id": "a", "owner": "n"}, [("owner", "object or null", "string")]),
    ({"id": "a", "rows": [{"cells": [1, "2"]}]}, [("rows[].cells[]", "number", "string")]),
    ({"id": "a", "rows": [{"n": None}]}, [("rows[].n", "integer", "null")]),
    ({"id": "a", "either": "s"}, [("either", "integer or object", "string")]),
    ({"id": "a", "either": {"x": 1}}, [("either.x", "string", "integer")]),
    ({"id": "a", "one": 1.5}, [("one", "integer or string", "number")]),
    ({"count": "7"}, [("id", "required", "missing"), ("count", "integer or null", "string")]),
]


@pytest.mark.parametrize("record", FITS)
def test_records_that_fit_pass_both_ways(record):
    assert compile_check(SCHEMA)(record)
    assert find_drift(SCHEMA, record) == []
    Draft7Validator(SCHEMA).validate(record)


@pytest.mark.parametrize(("record", "expected"), DRIFTS)
def test_each_drift_is_found_named_and_widened_just_enough(record, expected):
    assert not compile_check(SCHEMA)(record)
    drifts = find_drift(SCHEMA, record)
    assert [(d.field, d.declared, d.seen) for d in drifts] == expected
    schema = copy.deepcopy(SCHEMA)
    for drift in drifts:
        assert widen(schema, drift) is not None
    assert compile_check(schema)(record)
    assert find_drift(schema, record) == []
    Draft7Validator(schema).validate(record)
    for fitting in FITS:  # what fitted still fits
        assert compile_check(schema)(fitting)


def test_a_refused_record_is_refused_by_a_json_schema_validator_too():
    """Except 2.0 in an integer field: draft 7 takes it, some validators and column types do
    not, so the tap counts it as drift (the safe side: the widened schema takes both)."""
    for record, _ in DRIFTS:
        if record.get("count") == 2.0:
            assert not list(Draft7Validator(SCHEMA).iter_errors(record))
            continue
        assert list(Draft7Validator(SCHEMA).iter_errors(record)), record


def test_widening_adds_the_seen_type_only():
    schema = copy.deepcopy(SCHEMA)
    (drift,) = find_drift(schema, {"id": "a", "count": "7"})
    assert widen(schema, drift) == "integer or null or string"
    assert schema["properties"]["count"] == {"type": ["integer", "null", "string"]}
    (drift,) = find_drift(schema, {"id": "a", "when": {"at": 1}})
    widen(schema, drift)
    assert schema["properties"]["when"] == {"type": ["string", "null", "object"],
                                            "format": "date-time"}
    (drift,) = find_drift(schema, {"id": "a", "one": 1.5})
    widen(schema, drift)
    assert schema["properties"]["one"] == {"anyOf": [{"type": "integer"}, {"type": "string"},
                                                     {"type": "number"}]}
    (drift,) = find_drift(schema, {"id": "a", "owner": {}})
    assert widen(schema, drift) == "not required"
    assert schema["properties"]["owner"]["required"] == []
    assert widen({"type": "object"}, drift) is None  # a schema without that field


def test_a_union_msgspec_cannot_express_is_still_checked():
    schema = {"type": "object", "properties": {"v": {"anyOf": [
        {"type": "object", "properties": {"a": {"type": "integer"}}},
        {"type": "object", "properties": {"b": {"type": "string"}}}]}}}
    check = compile_check(schema)
    assert check({"v": {"a": 1}}) and check({"v": {"b": "x"}})
    assert not check({"v": {"a": "x", "b": 1}})
    assert not check({"v": 3})


# -- a stream meeting drift --------------------------------------------------------------------
API = "https://api.primetric.com/beta"
TOKEN_URL = "https://api.primetric.com/auth/token/"
CONFIG = {"client_id": "c", "client_secret": "s", "backoff_factor": 0}


def sync_assignments(capsys, records: list[dict], **config) -> list[dict]:
    with requests_mock.Mocker() as mock:
        mock.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
        mock.get(f"{API}/assignments", json={"next": None, "results": records})
        TapPrimetric(config={**CONFIG, **config}, parse_env_config=False
                     ).streams["assignments"].sync()
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def assert_every_record_fits_the_schema_before_it(messages: list[dict]) -> None:
    schemas: dict[str, dict] = {}
    for message in messages:
        if message["type"] == "SCHEMA":
            schemas[message["stream"]] = message["schema"]
        elif message["type"] == "RECORD":
            Draft7Validator(schemas[message["stream"]]).validate(message["record"])


def test_a_drifted_record_goes_out_unchanged_after_a_widened_schema(capsys, caplog):
    records = [{"uuid": "a", "status": 1, "billable": True},
               {"uuid": "b", "status": "seven", "billable": 1, "label": {"x": 1}},
               {"uuid": "c", "status": "eight", "billable": 0},
               {"uuid": "d", "status": 2, "billable": False}]
    messages = sync_assignments(capsys, copy.deepcopy(records))
    kinds = [(m["type"], m.get("record", {}).get("uuid")) for m in messages
             if m["type"] in ("SCHEMA", "RECORD")]
    assert kinds == [("SCHEMA", None), ("RECORD", "a"), ("SCHEMA", None), ("RECORD", "b"),
                     ("RECORD", "c"), ("RECORD", "d")]
    assert [m["record"] for m in messages if m["type"] == "RECORD"] == records
    widened = [m["schema"]["properties"] for m in messages if m["type"] == "SCHEMA"][1]
    assert widened["status"]["type"] == ["integer", "null", "string"]
    assert widened["billable"]["type"] == ["boolean", "null", "integer"]
    assert widened["label"]["type"] == ["string", "null", "object"]
    assert_every_record_fits_the_schema_before_it(messages)
    warnings = [r.getMessage() for r in caplog.records if "schema drift" in r.getMessage()]
    assert len(warnings) == 3  # once per field, though record c drifts again
    status = next(w for w in warnings if "'status'" in w)
    assert status.startswith("assignments: schema drift: field 'status' is declared integer "
                             "or null but the API sent string (record uuid='b')")
    assert "report this at https://github.com/" in status


def test_a_deselected_field_is_not_checked(capsys):
    records = [{"uuid": "a", "status": "seven", "label": "x"}]
    with requests_mock.Mocker() as mock:
        mock.post(TOKEN_URL, json={"access_token": "t", "expires_in": 3600})
        mock.get(f"{API}/assignments", json={"next": None, "results": records})
        tap = TapPrimetric(config=CONFIG, parse_env_config=False)
        catalog = tap.catalog_dict
        entry = next(s for s in catalog["streams"] if s["tap_stream_id"] == "assignments")
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == ["properties", "status"]:
                meta["metadata"]["selected"] = False
        tap = TapPrimetric(config=CONFIG, catalog=catalog, parse_env_config=False)
        tap.streams["assignments"].sync()
    messages = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    assert [m["type"] for m in messages if m["type"] in ("SCHEMA", "RECORD")] == [
        "SCHEMA", "RECORD"]
    assert messages[-2 if messages[-1]["type"] == "STATE" else -1]["record"] == {
        "uuid": "a", "label": "x"}


def test_flattened_output_gets_the_widened_flattened_schema(capsys):
    records = [{"uuid": "a", "daily_data": {"start": 20240101}}]
    messages = sync_assignments(capsys, records, flattening_enabled=True,
                                flattening_max_depth=1)
    schemas = [m["schema"]["properties"] for m in messages if m["type"] == "SCHEMA"]
    assert len(schemas) == 2
    assert schemas[1]["daily_data__start"]["type"] == ["string", "null", "integer"]
    assert_every_record_fits_the_schema_before_it(messages)


def test_the_check_can_be_turned_off_for_the_bench(capsys, monkeypatch):
    monkeypatch.setenv("TAPKIT_DRIFT_CHECK", "off")
    messages = sync_assignments(capsys, [{"uuid": "a", "status": "seven", "billable": 1}])
    assert [m["type"] for m in messages if m["type"] in ("SCHEMA", "RECORD")] == [
        "SCHEMA", "RECORD"]
    record = next(m["record"] for m in messages if m["type"] == "RECORD")
    assert record == {"uuid": "a", "status": "seven", "billable": True}  # the SDK's conformance
    assert record["billable"] is True  # a bool, not the 1 the API sent (1 == True in Python)
