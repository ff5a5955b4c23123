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

import pytest
import requests
from jsonschema import Draft7Validator, FormatChecker

from sandbox.apis.primetric import BARE_ROUTES, MAX_RAG_RATINGS, ROUTES, PrimetricAPI
from sandbox.credentials import CREDENTIALS, tap_config
from tests.helpers import TapRun, assert_matches_truth, run_tap
from tests.primetric.catalog import BARE_ARRAYS, KEYS, STREAMS

TAP, API = "tap-primetric", "primetric"
SCHEMAS = Path(__file__).parents[2] / "taps" / "tap-primetric" / "tap_primetric" / "schemas"
BASE = os.environ["SANDBOX_URL"] + "/primetric"
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


def token() -> dict[str, str]:
    answer = requests.post(f"{BASE}/auth/token/", timeout=10, data={
        "grant_type": "client_credentials", **CREDENTIALS[TAP]})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


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


class TestFakeEndpoints:
    """Each new endpoint of the fake answers as Primetric does."""

    @pytest.mark.parametrize("path", [p for p in ROUTES if p not in
                                      ("assignments", "employees", "hash_tags")])
    def test_lists_are_drf_pages_with_absolute_next_links(self, sandbox, path):
        truth = sandbox.truth(API)[ROUTES[path]]
        first = requests.get(f"{BASE}/beta/{path}", params={"page_size": 2}, headers=token(),
                             timeout=10)
        assert first.status_code == 200
        body = first.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["previous"], body["results"]) == (len(truth), None, truth[:2])
        assert body["next"] == f"{BASE}/beta/{path}?page_size=2&page=2"
        slash = requests.get(f"{BASE}/beta/{path}/", headers=token(), timeout=10).json()
        assert slash["results"] == truth[:100]
        assert requests.get(f"{BASE}/beta/{path}", timeout=10).status_code == 401

    @pytest.mark.parametrize("path", list(BARE_ROUTES))
    def test_bare_arrays_are_whole_and_ignore_page_parameters(self, sandbox, path):
        truth = sandbox.truth(API)[BARE_ROUTES[path]]
        for params in ({}, {"page": 2, "page_size": 1}):
            answer = requests.get(f"{BASE}/beta/{path}", params=params, headers=token(),
                                  timeout=10)
            assert (answer.status_code, answer.json()) == (200, truth)
        assert requests.get(f"{BASE}/beta/{path}", timeout=10).status_code == 401

    def test_unknown_lists_are_drf_404(self, sandbox):
        for path in ("organization", "organization/unknown", "projects/vacancies"):
            answer = requests.get(f"{BASE}/beta/{path}", headers=token(), timeout=10)
            assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."}), path


class TestSeededData:
    """The fake's data: deterministic, scaled by volume (bare arrays stay small), and with the
    nulls, omitted fields, unicode and nested objects that real answers have."""

    def test_volume_scales_the_lists_but_not_the_bare_arrays(self):
        small, large = PrimetricAPI(3, 200).truth(), PrimetricAPI(3, 6000).truth()
        for stream in STREAMS:
            if stream in BARE_ARRAYS:
                assert 0 < len(large[stream]) <= MAX_RAG_RATINGS, stream
            else:
                assert 0 < len(small[stream]) < len(large[stream]), stream
        assert PrimetricAPI(3, 200).truth() == small

    def test_nulls_omissions_unicode_and_nested_objects(self):
        truth = PrimetricAPI(1, 1000).truth()

        def values(node: Any) -> list:
            if isinstance(node, dict):
                return [x for v in node.values() for x in [v, *values(v)]]
            if isinstance(node, list):
                return [x for v in node for x in [v, *values(v)]]
            return []

        for stream in ("people", "projects", "projects_vacancies", "rag_ratings", "timeoffs",
                       "worklogs"):
            assert None in values(truth[stream]), stream
        for stream in ("people", "projects", "rag_ratings", "timeoffs", "skills"):
            assert any(isinstance(v, dict) for v in values(truth[stream])), stream
        for stream in STREAMS:
            text = json.dumps(truth[stream], ensure_ascii=False)
            assert not text.isascii(), stream
        assert any("has_children" not in s for s in truth["skills"])
        skills = {s["uuid"]: s for s in truth["skills"]}
        for skill in skills.values():  # a consistent tree
            assert skill["level"] == len(skill["ancestors"])
            assert skill["path"].startswith("/".join(skills[a]["name"]
                                                     for a in skill["ancestors"]))

    def test_links_between_lists_point_at_real_records(self):
        truth = PrimetricAPI(1, 1000).truth()
        ids = {stream: {r.get("uuid") for r in records} for stream, records in truth.items()}
        assert {r["project_id"] for r in truth["rag_ratings"]} <= ids["projects"]
        assert {r["project_id"] for r in truth["projects_vacancies"]} <= ids["projects"]
        assert {r["employee_id"] for r in truth["timeoffs"]} <= ids["employees"]
        assert {r["assignment_id"] for r in truth["worklogs"]} - {None} <= ids["assignments"]
        scopes = {x["rag_scope_uuid"] for r in truth["rag_ratings"] for x in r["rag_ratings"]}
        assert scopes == ids["organization_rag_scopes"]
        assert {r["approved_by"]["uuid"] for r in truth["timeoffs"] if r["approved_by"]} <= (
            ids["people"])
