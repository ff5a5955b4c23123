"""tap-thrive's streams beyond the seed (TAPS.md "Coverage beyond the seeds") against the sandbox:
truth, schemas, bare-array pages, per-endpoint page sizes, time windows and state re-runs."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
import requests

from sandbox.credentials import CREDENTIALS, tap_config
from tapkit.times import parse_time
from tests import helpers
from tests.helpers import key_set, run_tap
from tests.thrive.checks import assert_records_match_schemas, discovered, selecting

TAP = "tap-thrive"
KEYS = {"content": ("id",), "users": ("id",), "activities": ("id",), "audiences": ("id",),
        "audience_members": ("audienceId", "userId"), "assignments": ("id",),
        "enrolments": ("id",), "completions": ("id",), "cpd_entries": ("logEntryId",),
        "cpd_categories": ("categoryId",), "cpd_requirements": ("audienceRequirementId",),
        "tags": ("id",)}
REPLICATION = {"content": "updatedAt", "users": "updatedAt", "activities": "date",
               "audiences": "updatedAt", "audience_members": None, "assignments": "updatedAt",
               "enrolments": "updatedAt", "completions": "completedAt",
               "cpd_entries": "entryDate", "cpd_categories": None,
               "cpd_requirements": "updatedAt", "tags": None}
NEW = ("audiences", "audience_members", "assignments", "enrolments", "completions",
       "cpd_entries", "cpd_categories", "cpd_requirements", "tags")
LISTS = {"/contents": "content", "/users": "users", "/activities": "activities",
         "/audiences": "audiences", "/assignments": "assignments",
         "/learning/completions": "completions", "/cpdEntries": "cpd_entries",
         "/cpdCategories": "cpd_categories", "/cpdRequirementSummaries": "cpd_requirements",
         "/tags": "tags"}
CHILD = re.compile(r"^/(audiences|assignments)/([0-9a-f]{24})/(members|enrolments)$")
CURRENT_STATE = ("audiences", "assignments", "cpd_requirements")
EVENTS = {"completions": "completedAt", "cpd_entries": "entryDate", "enrolments": "updatedAt"}


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def stream_of(path: str) -> tuple[str | None, str | None]:
    """``(stream, parent id)`` of a request path of the fake API."""
    path = path.removeprefix("/rest/v1")
    if child := CHILD.match(path):
        return {"members": "audience_members", "enrolments": "enrolments"}[child[3]], child[2]
    return LISTS.get(path), None


def calls(sandbox, stream: str) -> list[dict[str, str]]:
    """The query of every request the tap sent for ``stream`` (plus ``_parent`` for children)."""
    out = []
    for request in sandbox.requests("thrive"):
        name, parent = stream_of(request["path"])
        if name == stream:
            out.append({**{k: v[-1] for k, v in request["query"].items()}, "_parent": parent})
    return out


def by_key(records: list[dict], stream: str) -> dict[tuple, dict]:
    return {tuple(str(r[k]) for k in KEYS[stream]): r for r in records}


def value(record: dict, field: str):
    return parse_time(record[field]) if record.get(field) else None


def test_discover_lists_twelve_streams_with_the_keys_of_taps_md(sandbox):
    catalog = discovered(TAP, config())
    found = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert {name: tuple(s["key_properties"]) for name, s in found.items()} == KEYS
    assert {name: s.get("replication_key") for name, s in found.items()} == REPLICATION
    for entry in found.values():
        root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
        assert root.get("selected-by-default") is True
    assert sandbox.stats()["thrive"]["requests"] == 0


def test_a_full_sync_equals_the_api_for_every_stream(sandbox):
    run = run_tap(TAP, config())
    truth = sandbox.truth("thrive")
    helpers.assert_matches_truth(run, truth, KEYS)
    for stream in NEW:  # whole records, as the API sends them (plus the parent id it adds)
        assert run.records[stream], stream
        assert by_key(run.records[stream], stream) == by_key(truth[stream], stream), stream
    assert any(r["updatedAt"] is None for r in run.records["cpd_requirements"])
    assert {r["audienceId"] for r in run.records["audience_members"]} < {
        r["id"] for r in truth["audiences"]}  # some audiences have no members
    sizes = {s: {q["perPage"] for q in calls(sandbox, s)} for s in KEYS}
    assert sizes.pop("assignments") == sizes.pop("enrolments") == {"100"}
    assert all(sent == {"200"} for sent in sizes.values()), sizes


def test_every_record_matches_the_schema_it_was_sent_with(sandbox):
    run = run_tap(TAP, config())
    assert run.returncode == 0, run.stderr[-2000:]
    counts = assert_records_match_schemas(run)
    assert set(counts) == set(KEYS)


@pytest.mark.parametrize("stream", ["assignments", "completions"])
def test_bare_arrays_page_until_a_short_page(sandbox, stream):
    run = run_tap(TAP, config(page_size=7))
    helpers.assert_matches_truth(run, sandbox.truth("thrive"), {stream: KEYS[stream]})
    sent = calls(sandbox, stream)
    total = len(run.records[stream])
    assert [int(q["page"]) for q in sent] == list(range(1, total // 7 + 2))
    assert {q["perPage"] for q in sent} == {"7"}


def test_enrolments_walk_every_assignment_with_one_window(sandbox):
    run = run_tap(TAP, config())
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth("thrive")
    sent = calls(sandbox, "enrolments")
    assert Counter(q["_parent"] for q in sent) == Counter(r["id"] for r in truth["assignments"])
    windows = {(q["updatedAtFrom"], q["updatedAtTo"]) for q in sent}
    assert len(windows) == 1
    (low, high), = windows
    assert low == "2024-01-01T00:00:00.000Z"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", high)
    assert all("updatedSince" not in q for q in calls(sandbox, "assignments"))
    # event-like: enrolments last updated before start_date are not read
    assert all(parse_time(r["updatedAt"]) >= parse_time(low) for r in run.records["enrolments"])


def test_spaced_windows_for_completions_and_cpd_entries(sandbox):
    start, end = "2024-03-01T00:00:00Z", "2024-06-30T12:00:00Z"
    run = run_tap(TAP, config(start_date=start, end_date=end))
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth("thrive")
    params = {"completions": ("completedDateRangeStart", "completedDateRangeEnd"),
              "cpd_entries": ("entryDateFrom", "entryDateTo")}
    for stream, (low, high) in params.items():
        assert {(q[low], q[high]) for q in calls(sandbox, stream)} == {
            ("2024-03-01 00:00:00", "2024-06-30 12:00:00")}, stream
        field = EVENTS[stream]
        expected = [r for r in truth[stream]
                    if parse_time(start) <= value(r, field) <= parse_time(end)]
        assert 0 < len(expected) < len(truth[stream])
        assert key_set(run.records[stream], KEYS[stream]) == key_set(expected, KEYS[stream])
    assert {(q["updatedAtFrom"], q["updatedAtTo"]) for q in calls(sandbox, "enrolments")} == {
        ("2024-03-01T00:00:00.000Z", "2024-06-30T12:00:00.000Z")}
    for stream in CURRENT_STATE:  # current-state tables: start_date does not apply
        assert key_set(run.records[stream], KEYS[stream]) == key_set(truth[stream],
                                                                      KEYS[stream])


def test_current_state_tables_re_read_only_what_changed(sandbox):
    catalog = selecting(discovered(TAP, config()), CURRENT_STATE)
    first = run_tap(TAP, config(page_size=10), catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    assert set(first.records) == set(CURRENT_STATE)
    first_calls = {s: calls(sandbox, s) for s in CURRENT_STATE}
    assert all("updatedSince" not in q for s in CURRENT_STATE for q in first_calls[s])
    marks = {s: first.last_state["bookmarks"][s]["replication_key_value"] for s in CURRENT_STATE}
    never_edited = {r["audienceRequirementId"] for r in first.records["cpd_requirements"]
                    if r["updatedAt"] is None}
    assert never_edited  # emitted although their replication value is null
    touched = {s: sandbox.touch("thrive", s, 3) for s in CURRENT_STATE}
    assert set(touched["cpd_requirements"]) <= never_edited  # they gain an updatedAt now
    sandbox.reset()  # counters only: the data (and the touches) stay
    second = run_tap(TAP, config(page_size=10), state=first.last_state, catalog=catalog)
    assert second.returncode == 0, second.stderr[-2000:]
    truth = sandbox.truth("thrive")
    for stream in CURRENT_STATE:
        key = KEYS[stream]
        sent = calls(sandbox, stream)
        assert {q["updatedSince"] for q in sent} == {marks[stream]}
        assert len(sent) < len(first_calls[stream])
        expected = [r for r in truth[stream]
                    if r["updatedAt"] and parse_time(r["updatedAt"]) >= parse_time(marks[stream])]
        emitted = key_set(second.records[stream], key)
        assert emitted == key_set(expected, key)
        assert {(k,) for k in touched[stream]} <= emitted
        at_mark = [r for r in truth[stream] if r["updatedAt"] == marks[stream]]
        assert key_set(at_mark, key) <= emitted  # inclusive
        assert second.last_state["bookmarks"][stream]["replication_key_value"] > marks[stream]


def test_events_resume_from_their_bookmark_and_lose_nothing(sandbox):
    catalog = selecting(discovered(TAP, config()), tuple(EVENTS))
    first = run_tap(TAP, config(page_size=10), catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    assert set(first.records) == set(EVENTS)  # assignments walked, not emitted
    first_calls = {s: calls(sandbox, s) for s in EVENTS}
    marks = {s: first.last_state["bookmarks"][s]["replication_key_value"] for s in EVENTS}
    assert "partitions" not in first.last_state["bookmarks"]["enrolments"]
    touched = {s: sandbox.touch("thrive", s, 4) for s in EVENTS}
    sandbox.reset()
    second = run_tap(TAP, config(page_size=10), state=first.last_state, catalog=catalog)
    assert second.returncode == 0, second.stderr[-2000:]
    truth = sandbox.truth("thrive")
    spaced = {"completions": "completedDateRangeStart", "cpd_entries": "entryDateFrom"}
    for stream, param in spaced.items():
        assert {q[param] for q in calls(sandbox, stream)} == {
            parse_time(marks[stream]).strftime("%Y-%m-%d %H:%M:%S")}
    enrolment_calls = calls(sandbox, "enrolments")
    assert {q["updatedAtFrom"] for q in enrolment_calls} == {marks["enrolments"]}
    # every assignment is asked again (one page each now), not only recently updated ones
    assert Counter(q["_parent"] for q in enrolment_calls) == Counter(
        r["id"] for r in truth["assignments"])
    for stream, field in EVENTS.items():
        key = KEYS[stream]
        assert len(calls(sandbox, stream)) < len(first_calls[stream]), stream
        floor = parse_time(marks[stream]).replace(microsecond=0)
        if stream == "enrolments":
            floor = parse_time(marks[stream])
        expected = [r for r in truth[stream] if value(r, field) >= floor]
        emitted = key_set(second.records[stream], key)
        assert emitted == key_set(expected, key), stream
        assert {(k,) for k in touched[stream]} <= emitted, stream
        at_mark = [r for r in truth[stream] if r[field] == marks[stream]]
        assert key_set(at_mark, key) <= emitted, stream  # inclusive
        assert second.last_state["bookmarks"][stream]["replication_key_value"] > marks[stream]


@pytest.mark.parametrize("streams", [CURRENT_STATE, tuple(EVENTS)], ids=["current", "events"])
def test_records_stamped_exactly_at_the_bookmark_are_not_lost(sandbox, streams):
    catalog = selecting(discovered(TAP, config()), streams)
    first = run_tap(TAP, config(), catalog=catalog)
    assert first.returncode == 0, first.stderr[-2000:]
    marks = {s: first.last_state["bookmarks"][s]["replication_key_value"] for s in streams}
    for stream in streams:
        sandbox.configure("thrive", stamp={"stream": stream, "at": marks[stream], "count": 2})
    truth = sandbox.truth("thrive")
    at_mark = {s: key_set([r for r in truth[s] if r[REPLICATION[s]] == marks[s]], KEYS[s])
               for s in streams}
    second = run_tap(TAP, config(), state=first.last_state, catalog=catalog)
    assert second.returncode == 0, second.stderr[-2000:]
    for stream in streams:
        assert len(at_mark[stream]) >= 3, stream  # the bookmark's own record and two stamped
        assert at_mark[stream] <= key_set(second.records[stream], KEYS[stream]), stream
        assert second.last_state["bookmarks"][stream]["replication_key_value"] == marks[stream]


def test_parents_are_read_in_full_for_their_children(sandbox):
    """With audience_members and enrolments selected, audiences and assignments ignore their
    bookmark: a new member or enrolment need not touch its audience or assignment."""
    state = {"bookmarks": {s: {"replication_key": "updatedAt",
                               "replication_key_value": "2030-01-01T00:00:00.000Z"}
                           for s in ("audiences", "assignments")}}
    second = run_tap(TAP, config(), state=state)
    assert second.returncode == 0, second.stderr[-2000:]
    truth = sandbox.truth("thrive")
    for stream in ("audiences", "assignments", "audience_members"):
        assert all("updatedSince" not in q for q in calls(sandbox, stream))
        assert key_set(second.records[stream], KEYS[stream]) == key_set(truth[stream],
                                                                        KEYS[stream])


class TestTheFakeAPI:
    """The sandbox serves the new lists as the real API does."""

    def get(self, path: str, **params) -> requests.Response:
        creds = CREDENTIALS[TAP]
        return requests.get(f"{os.environ['SANDBOX_URL']}/thrive/rest/v1{path}", params=params,
                            auth=(creds["username"], creds["password"]), timeout=10)

    def test_envelopes_and_bare_arrays(self, sandbox):
        truth = sandbox.truth("thrive")
        assignment, audience = truth["assignments"][0]["id"], truth["audiences"][0]["id"]
        for path in ("/assignments", f"/assignments/{assignment}/enrolments",
                     "/learning/completions"):
            assert isinstance(self.get(path).json(), list), path
        for path in ("/audiences", f"/audiences/{audience}/members", "/cpdEntries",
                     "/cpdCategories", "/cpdRequirementSummaries", "/tags"):
            body = self.get(path).json()
            assert set(body) == {"results", "pagination"}, path
        assert self.get("/audiences/0123456789abcdef01234567/members").status_code == 404
        assert self.get("/assignments/0123456789abcdef01234567/enrolments").status_code == 404

    def test_per_page_maximums(self, sandbox):
        assignment = sandbox.truth("thrive")["assignments"][0]["id"]
        assert self.get("/assignments", perPage=100).status_code == 200
        assert self.get("/assignments", perPage=101).status_code == 400
        assert self.get(f"/assignments/{assignment}/enrolments", perPage=101).status_code == 400
        for path in ("/learning/completions", "/audiences", "/cpdEntries", "/tags"):
            assert self.get(path, perPage=1000).status_code == 200, path
            assert self.get(path, perPage=1001).status_code == 400, path

    @pytest.mark.parametrize(("path", "params"), [
        ("/audiences", {"updatedSince": "2024-01-01 00:00:00"}),
        ("/assignments", {"updatedSince": "last week"}),
        ("/cpdRequirementSummaries", {"updatedSince": "01/02/2024"}),
        ("/learning/completions", {"completedDateRangeStart": "2024-01-01T00:00:00Z"}),
        ("/cpdEntries", {"entryDateTo": "2024-01-01"}),
        ("/assignments/{a}/enrolments", {"updatedAtFrom": "2024-01-01 00:00:00"}),
        ("/assignments/{a}/enrolments", {"updatedAtTo": "2024-06-01T00:00:00Z"}),
    ])
    def test_filters_in_the_wrong_format_are_refused(self, sandbox, path, params):
        assignment = sandbox.truth("thrive")["assignments"][0]["id"]
        answer = self.get(path.format(a=assignment), **params)
        assert answer.status_code == 400, answer.text
        assert next(iter(params)) in answer.json()["message"]

    def test_filters_filter(self, sandbox):
        truth = sandbox.truth("thrive")
        done = self.get("/learning/completions", completedDateRangeStart="2024-02-01 00:00:00",
                        completedDateRangeEnd="2024-02-29 23:59:59").json()
        assert done and all("2024-02-01" <= r["completedAt"][:10] <= "2024-02-29" for r in done)
        logged = self.get("/cpdEntries", entryDateFrom="2024-05-01 00:00:00",
                          perPage=1000).json()["results"]
        assert logged and all(r["entryDate"] >= "2024-05-01" for r in logged)
        assert len(logged) < len(self.get("/cpdEntries", perPage=1000).json()["results"])
        requirements = self.get("/cpdRequirementSummaries", updatedSince="2000-01-01T00:00:00Z",
                                perPage=1000).json()["results"]
        assert {r["audienceRequirementId"] for r in requirements} == {
            r["audienceRequirementId"] for r in truth["cpd_requirements"] if r["updatedAt"]}
        controlled = self.get("/audiences", apiControlled="true", perPage=1000).json()["results"]
        assert controlled and all(r["apiControlled"] is True for r in controlled)
        enrolled = max(truth["assignments"], key=lambda a: len(
            [e for e in truth["enrolments"] if e["assignmentId"] == a["id"]]))["id"]
        complete = self.get(f"/assignments/{enrolled}/enrolments", status="complete").json()
        assert all(r["status"] == "complete" for r in complete)
        window = self.get(f"/assignments/{enrolled}/enrolments",
                          updatedAtFrom="2024-01-01T00:00:00Z",
                          updatedAtTo="2024-04-01T00:00:00.000Z").json()
        assert all("2024-01-01" <= r["updatedAt"] <= "2024-04-01" for r in window)

    def test_data_has_nulls_unicode_and_nested_objects(self, sandbox):
        truth = sandbox.truth("thrive")
        assert any(r["parent"] for r in truth["audiences"])
        assert any(r["parent"] is None for r in truth["audiences"])
        assert any(not r["name"].isascii() for r in truth["cpd_categories"])
        assert all(isinstance(r["category"], dict) for r in truth["cpd_entries"])
        assert any(r["history"] for r in truth["enrolments"])
        assert any(r["lastCompletedAt"] is None for r in truth["enrolments"])
        assert any(r["recurrence"] is None for r in truth["assignments"])
        assert any(r["activeUntil"] is None for r in truth["completions"])
