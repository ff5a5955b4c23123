"""The newer Classroom streams, the state settings and the schemas, against the sandbox."""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from collections.abc import Iterator

import pytest
from jsonschema.validators import validator_for

from sandbox.credentials import CREDENTIALS, tap_config
from tapkit.times import parse_time
from tests import conftest
from tests.classroom.test_sandbox_sync import KEYS, _without_clock
from tests.helpers import TapRun, assert_one_clear_failure, key_set, run_tap

TAP = "tap-classroom"
NEW = ("topics", "courseworkmaterials", "aliases", "invitations", "guardians",
       "guardian_invitations")
EVERY_STATE = {"course_states": ["ACTIVE", "ARCHIVED", "PROVISIONED", "DECLINED", "SUSPENDED"],
               "announcement_states": ["PUBLISHED", "DRAFT", "DELETED"],
               "coursework_states": ["PUBLISHED", "DRAFT", "DELETED"],
               "courseworkmaterial_states": ["PUBLISHED", "DRAFT", "DELETED"]}


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def canonical(records: list[dict]) -> Counter:
    return Counter(json.dumps(r, sort_keys=True, ensure_ascii=False) for r in records)


def schemas(run: TapRun) -> dict[str, dict]:
    return {m["stream"]: m["schema"] for m in run.messages if m["type"] == "SCHEMA"}


def catalog_of(names: set[str]) -> dict:
    """The discovered catalog with only ``names`` selected."""
    catalog = json.loads(run_tap(TAP, config(), "--discover").stdout)
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] in names
    return catalog


@pytest.fixture
def fake(sandbox) -> Iterator:
    """The session's (in-process) Classroom fake, to compute what non-default settings give."""
    yield conftest._server.sandbox.apis["classroom"]


def test_new_streams_are_the_api_record_for_record(sandbox):
    run = run_tap(TAP, config(page_size=3))
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth("classroom")
    for stream in NEW:
        assert run.records[stream], stream
        assert canonical(run.records[stream]) == canonical(truth[stream]), stream
    assert all(set(a) == {"courseId", "alias"} for a in run.records["aliases"])
    requests = sandbox.requests("classroom")
    invitations = [r for r in requests if r["path"] == "/v1/invitations"]
    assert {r["query"]["courseId"][0] for r in invitations} == {
        c["id"] for c in truth["courses"]}
    guardian_invitations = [r for r in requests if r["path"].endswith("/guardianInvitations")]
    assert guardian_invitations and all(r["path"] == "/v1/userProfiles/-/guardianInvitations"
                                        and r["query"]["states"] == ["PENDING", "COMPLETE"]
                                        for r in guardian_invitations)
    materials = [r for r in requests if r["path"].endswith("/courseWorkMaterials")]
    assert materials and all(r["query"]["orderBy"] == ["updateTime desc"] for r in materials)
    assert not [r for r in requests if "States" in json.dumps(r["query"])]  # defaults unsent


def test_every_record_validates_against_the_schema_it_was_sent_with(sandbox):
    run = run_tap(TAP, config(**EVERY_STATE))
    assert run.returncode == 0, run.stderr[-2000:]
    sent = schemas(run)
    assert set(sent) == set(KEYS)
    for stream, records in run.records.items():
        validator = validator_for(sent[stream])(sent[stream])
        for record in records:
            errors = list(validator.iter_errors(record))
            assert not errors, f"{stream}: {errors[0].message} at {list(errors[0].path)}"
    # the seed really exercises the corrected shapes
    attachments = [a for s in run.records["studentsubmissions"]
                   for a in (s.get("assignmentSubmission") or {}).get("attachments") or []]
    assert {k for a in attachments for k in a} == {"driveFile", "youTubeVideo", "link", "form"}
    assert all("shareMode" not in a["driveFile"] and "id" in a["driveFile"]
               for a in attachments if "driveFile" in a)
    grades = [g for s in run.records["studentsubmissions"]
              for g in (s.get("assignedRubricGrades") or {}).values()]
    assert grades and all(set(g) <= {"criterionId", "levelId", "points"} for g in grades)
    posts = [*run.records["announcements"], *run.records["coursework"],
             *run.records["courseworkmaterials"]]
    kinds = {k for p in posts for m in p.get("materials") or [] for k in m}
    assert kinds == {"driveFile", "youtubeVideo", "link", "form", "gem", "notebook"}
    assert {w.get("gradingPeriodId") for w in run.records["coursework"]} >= {"gp-2024-s1", ""}


def test_schemas_follow_the_discovery_document():
    """The shapes issue 13 names, spot-checked in the SCHEMA messages (the rest: README)."""
    catalog = json.loads(run_tap(TAP, config(), "--discover").stdout)
    schema = {e["tap_stream_id"]: e["schema"] for e in catalog["streams"]}
    attachment = schema["studentsubmissions"]["properties"]["assignmentSubmission"][
        "properties"]["attachments"]["items"]["properties"]
    assert set(attachment) == {"driveFile", "youTubeVideo", "link", "form"}
    assert set(attachment["driveFile"]["properties"]) == {"id", "title", "alternateLink",
                                                          "thumbnailUrl"}
    assert set(attachment["form"]["properties"]) == {"formUrl", "responseUrl", "title",
                                                     "thumbnailUrl"}
    for field in ("assignedRubricGrades", "draftRubricGrades"):
        grades = schema["studentsubmissions"]["properties"][field]
        assert "object" in grades["type"]
        assert set(grades["additionalProperties"]["properties"]) == {"criterionId", "levelId",
                                                                     "points"}
    assert "gradingPeriodId" in schema["coursework"]["properties"]
    for stream in ("announcements", "coursework", "courseworkmaterials"):
        material = schema[stream]["properties"]["materials"]["items"]["properties"]
        assert set(material) == {"driveFile", "youtubeVideo", "link", "form", "gem", "notebook"}
        assert schema[stream]["properties"]["updateTime"]["format"] == "date-time"
    for stream, keys in KEYS.items():
        assert set(keys) <= set(schema[stream]["properties"]), stream
        assert set(keys) <= set(schema[stream]["required"]), stream


def test_state_settings_bring_drafts_deletions_and_suspended_courses(sandbox, fake):
    run = run_tap(TAP, config(page_size=4, **EVERY_STATE))
    assert run.returncode == 0, run.stderr[-2000:]
    courses = fake.courses
    assert {c["courseState"] for c in courses} >= {"SUSPENDED", "ACTIVE"}
    expected = {"courses": courses,
                "announcements": [x for c in courses
                                  for x in fake.per_course[c["id"]]["announcements"]],
                "coursework": [x for c in courses for x in fake.per_course[c["id"]]["courseWork"]],
                "courseworkmaterials": [x for c in courses for x in
                                        fake.per_course[c["id"]]["courseWorkMaterial"]],
                "topics": [x for c in courses for x in fake.per_course[c["id"]]["topic"]]}
    for stream, records in expected.items():
        assert key_set(run.records[stream], KEYS[stream]) == key_set(records, KEYS[stream])
    for stream in ("announcements", "coursework", "courseworkmaterials"):
        assert {r["state"] for r in run.records[stream]} == {"PUBLISHED", "DRAFT", "DELETED"}
    asked = {param: r["query"].get(param) for r in sandbox.requests("classroom")
             for param in ("courseStates", "announcementStates", "courseWorkStates",
                           "courseWorkMaterialStates") if param in r["query"]}
    assert asked == {"courseStates": EVERY_STATE["course_states"],
                     "announcementStates": EVERY_STATE["announcement_states"],
                     "courseWorkStates": EVERY_STATE["coursework_states"],
                     "courseWorkMaterialStates": EVERY_STATE["courseworkmaterial_states"]}


def test_only_deletions_when_only_deletions_are_asked_for(sandbox, fake):
    run = run_tap(TAP, config(coursework_states=["DELETED"], course_states=["ACTIVE"]),
                  catalog=catalog_of({"courses", "coursework"}))
    assert run.returncode == 0, run.stderr[-2000:]
    assert {c["courseState"] for c in run.records["courses"]} == {"ACTIVE"}
    deleted = [w for c in fake.courses if c["courseState"] == "ACTIVE"
               for w in fake.per_course[c["id"]]["courseWork"] if w["state"] == "DELETED"]
    assert deleted
    assert key_set(run.records["coursework"], KEYS["coursework"]) == key_set(
        deleted, KEYS["coursework"])


@pytest.mark.parametrize(("setting", "value", "expected"), [
    ("announcement_states", ["PUBLISHED", "ARCHIVED"], "'ARCHIVED' is not one of"),
    ("coursework_states", ["COURSE_WORK_STATE_UNSPECIFIED"], "config['coursework_states']"),
    ("courseworkmaterial_states", "DRAFT", "is not of type 'array'"),
    ("course_states", ["DELETED"], "config['course_states']"),
])
def test_a_wrong_state_is_one_clear_config_error(sandbox, setting, value, expected):
    secrets = [v for k, v in CREDENTIALS[TAP].items() if k != "client_id"]
    run = assert_one_clear_failure(TAP, {**config(), setting: value}, expected, secrets)
    assert setting in run.error_lines[0]
    assert sandbox.stats()["classroom"]["requests"] == 0


def test_second_run_reads_only_newer_coursework_materials(sandbox):
    only = catalog_of({"courses", "courseworkmaterials"})
    first = run_tap(TAP, config(page_size=2), catalog=only)
    assert first.returncode == 0, first.stderr[-2000:]
    paths = sandbox.stats()["classroom"]["paths"]
    first_pages = sum(n for p, n in paths.items() if p.endswith("/courseWorkMaterials"))
    bookmark = first.last_state["bookmarks"]["courseworkmaterials"]["replication_key_value"]
    assert parse_time(bookmark) == max(parse_time(r["updateTime"])
                                       for r in first.records["courseworkmaterials"])
    touched = {tuple(k) for k in sandbox.touch("classroom", "courseworkmaterials", 3)}
    sandbox.reset()  # counters only
    second = run_tap(TAP, config(page_size=2), state=first.last_state, catalog=only)
    assert second.returncode == 0, second.stderr[-2000:]
    second_pages = sum(n for p, n in sandbox.stats()["classroom"]["paths"].items()
                       if p.endswith("/courseWorkMaterials"))
    assert second_pages < first_pages
    emitted = second.records["courseworkmaterials"]
    assert touched <= key_set(emitted, ("courseId", "id"))
    assert all(parse_time(r["updateTime"]) >= parse_time(bookmark) for r in emitted)
    at_bookmark = [r for r in first.records["courseworkmaterials"]
                   if parse_time(r["updateTime"]) == parse_time(bookmark)]
    assert key_set(at_bookmark, ("courseId", "id")) <= key_set(emitted, ("courseId", "id"))
    assert len(emitted) <= len(touched) + len(at_bookmark)


def test_concurrent_walks_of_the_new_course_children_equal_the_sequential_one(sandbox):
    sandbox.latency(5)
    only = catalog_of({"courses", "topics", "courseworkmaterials", "aliases", "invitations"})
    settings = {"page_size": 2, **EVERY_STATE}
    sequential = run_tap(TAP, config(max_concurrency=1, **settings), catalog=copy.deepcopy(only))
    assert sandbox.stats()["classroom"]["max_in_flight"] == 1
    concurrent = run_tap(TAP, config(max_concurrency=8, **settings), catalog=only)
    assert sequential.returncode == concurrent.returncode == 0, concurrent.stderr[-2000:]
    assert sandbox.stats()["classroom"]["max_in_flight"] > 1  # the workers did run at once
    assert {s for s in concurrent.records} == {"courses", "topics", "courseworkmaterials",
                                              "aliases", "invitations"}
    assert _without_clock(concurrent) == _without_clock(sequential)
