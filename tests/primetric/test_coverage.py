"""The 21 streams of Airbyte's connector against the sandbox: records equal the truth, every
record fits the SCHEMA the tap sent, the two bare arrays take one request, and each endpoint of
the fake behaves like Primetric's."""

from __future__ import annotations

import json
import math
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, FormatChecker

from sandbox.apis.primetric import ROUTES
from sandbox.credentials import tap_config
from tests.helpers import TapRun, assert_matches_truth, run_tap
from tests.primetric.catalog import BARE_ARRAYS, KEYS, STREAMS

TAP, API = "tap-primetric", "primetric"
SCHEMAS = Path(__file__).parents[2] / "taps" / "tap-primetric" / "tap_primetric" / "schemas"
FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time", raises=ValueError)(
    lambda v: not isinstance(v, str) or ("T" in v and bool(datetime.fromisoformat(v))))
FORMATS.checks("date", raises=ValueError)(
    lambda v: not isinstance(v, str) or (len(v) == 10 and bool(date.fromisoformat(v))))


def config(**overrides: Any) -> dict:
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def closed(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object: a record that fits it
    sends no field the schema does not declare."""
    if isinstance(schema, dict):
        out = {k: closed(v) for k, v in schema.items()}
        if "properties" in out:
            out["additionalProperties"] = False
        return out
    return schema


def violations(schema: dict, records: list[dict]) -> list[str]:
    """Every way ``records`` break ``schema`` (types, formats) or its closed form (fields)."""
    found = []
    for validator in (Draft7Validator(schema, format_checker=FORMATS),
                      Draft7Validator(closed(schema), format_checker=FORMATS)):
        for record in records:
            found += [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                      for e in validator.iter_errors(record)]
    return found


def sent_schemas(run: TapRun) -> dict[str, dict]:
    """The SCHEMA of each stream, checked to come before the stream's first RECORD."""
    schemas: dict[str, dict] = {}
    for message in run.messages:
        if message["type"] == "SCHEMA":
            schemas.setdefault(message["stream"], message["schema"])
        elif message["type"] == "RECORD":
            assert message["stream"] in schemas, f"{message['stream']}: RECORD before SCHEMA"
    return schemas


def test_every_record_fits_the_schema_it_was_sent(sandbox):
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API), KEYS)
    schemas = sent_schemas(run)
    assert set(schemas) == set(STREAMS)
    problems = {stream: violations(schemas[stream], run.records[stream])[:5]
                for stream in STREAMS}
    assert not {s: p for s, p in problems.items() if p}


def test_the_schema_check_catches_a_wrong_type_a_bad_date_and_an_undeclared_field(sandbox):
    """The check above can fail: each kind of mismatch is reported."""
    schema = json.loads((SCHEMAS / "timeoffs.json").read_text())
    good = sandbox.truth(API)["timeoffs"][0]
    assert violations(schema, [good]) == []
    wrong_type = {**good, "approved": "yes"}
    bad_date = {**good, "start_date": "22/02/2024"}
    undeclared = {**good, "approved_by": {"uuid": "u", "name": "n", "email": "x@y.z"}}
    wrong_item = {**good, "custom_attributes": [{"slug": "s", "value": [7]}]}
    for record, where in ((wrong_type, "approved"), (bad_date, "start_date"),
                          (undeclared, "approved_by"), (wrong_item, "custom_attributes/0/value/0")):
        found = violations(schema, [record])
        assert found and all(f.startswith(where) for f in found), (where, found)


def test_every_schema_types_every_field_and_keeps_the_key_required():
    """Targets need a type on every field (an untyped ``{}`` loads as anything); everything but
    the key may be null or absent (real answers omit fields); names say the format."""
    def untyped(node: dict, where: str) -> list[str]:
        out = [] if "type" in node else [where]
        for name, sub in node.get("properties", {}).items():
            out += untyped(sub, f"{where}.{name}")
        if "items" in node:
            out += untyped(node["items"], f"{where}[]")
        return out

    files = sorted(SCHEMAS.glob("*.json"))
    assert sorted(f.stem for f in files) == sorted(STREAMS)
    for path in files:
        schema = json.loads(path.read_text())
        (key,) = KEYS[path.stem]
        assert untyped(schema, path.stem) == [], path.stem
        assert schema["required"] == [key] and schema["properties"][key]["type"] == "string"
        for name, field in schema["properties"].items():
            assert name == key or "null" in field["type"], (path.stem, name)
            if name.endswith("_at"):
                assert field.get("format") == "date-time", (path.stem, name)
            if name.endswith("_date"):
                assert field.get("format") == "date", (path.stem, name)


def test_small_pages_walk_every_list_and_each_bare_array_is_one_request(sandbox):
    sandbox.configure(API, page_size=7)
    run = run_tap(TAP, config())
    truth = sandbox.truth(API)
    assert_matches_truth(run, truth, KEYS)
    paths = sandbox.stats()[API]["paths"]
    for path, stream in ROUTES.items():
        assert paths.get(f"/beta/{path}") == math.ceil(len(truth[stream]) / 7), stream
    for stream, path in BARE_ARRAYS.items():
        assert paths.get(f"/beta{path}") == 1, stream
    assert len(truth["rag_ratings"]) > 7  # more than one page's worth, in one answer


def test_a_429_on_a_bare_array_list_is_retried(sandbox):
    sandbox.faults(api=API, rate=1.0, kinds=["429"], only="/rag_ratings", max_consecutive=1,
                   retry_after=0.05)
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth(API), KEYS)
    stats = sandbox.stats()[API]
    assert stats["faults"] == {"429": 1}
    assert stats["paths"]["/beta/rag_ratings"] == 2
    assert "rag_ratings: HTTP 429" in run.stderr


def test_only_a_selected_new_stream_is_requested(sandbox):
    catalog = json.loads(run_tap(TAP, config(), "--discover").stdout)
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] == "worklogs"
    run = run_tap(TAP, config(), catalog=catalog)
    assert set(run.records) == {"worklogs"}
    assert_matches_truth(run, sandbox.truth(API), {"worklogs": ("uuid",)})
    assert set(sandbox.stats()[API]["paths"]) == {"/auth/token/", "/beta/worklogs"}
