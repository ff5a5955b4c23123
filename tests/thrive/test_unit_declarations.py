"""tap-thrive's declarative pieces (the KIT-CANDIDATE blocks of streams.py) with requests-mock:
per-stream perPage ceilings, time filters with their own names and formats, parent ids copied
into child records, and records whose replication value is null or missing."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock

from tap_thrive.tap import TapThrive

API = "https://thrive.test/rest/v1"
CONFIG = {"username": "eu-west-000001", "password": "unit-thrive-key-3c1d", "api_url": API,
          "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-07-01T00:00:00Z",
          "backoff_factor": 0, "max_concurrency": 1}
A1, A2 = "a" * 24, "b" * 24


def query(request) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(request.url).query).items()}


def sync(capsys, streams: tuple[str, ...], config: dict | None = None,
         state: dict | None = None) -> list[dict]:
    """Run a sync of ``streams`` in-process; the Singer messages it wrote."""
    tap = TapThrive(config={**CONFIG, **(config or {})}, state=state)
    for name, stream in tap.streams.items():
        stream.selected = name in streams
    capsys.readouterr()
    tap.sync_all()
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()
            if line.startswith("{")]


def records(messages: list[dict], stream: str) -> list[dict]:
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def bookmark(messages: list[dict], stream: str) -> str | None:
    state = [m["value"] for m in messages if m["type"] == "STATE"][-1]
    return state["bookmarks"].get(stream, {}).get("replication_key_value")


def sent(mock: requests_mock.Mocker, path: str) -> list[dict[str, str]]:
    return [query(r) for r in mock.request_history if re.fullmatch(path, urlsplit(r.url).path)]


@pytest.mark.parametrize(("stream", "path", "page_size", "per_page"), [
    ("assignments", "/assignments", 500, "100"),
    ("assignments", "/assignments", 40, "40"),
    ("completions", "/learning/completions", 500, "500"),
    ("cpd_categories", "/cpdCategories", 1000, "1000"),
])
def test_per_page_is_capped_per_endpoint(capsys, stream, path, page_size, per_page):
    with requests_mock.Mocker() as mock:
        mock.get(API + path, json=[] if stream in ("assignments", "completions") else {
            "results": []})
        sync(capsys, (stream,), {"page_size": page_size})
    assert [q["perPage"] for q in sent(mock, "/rest/v1" + path)] == [per_page]


def test_first_sync_bounds_events_by_start_and_end_date_but_not_current_state_tables(capsys):
    with requests_mock.Mocker() as mock:
        mock.get(API + "/learning/completions", json=[])
        mock.get(API + "/cpdEntries", json={"results": []})
        mock.get(API + "/cpdRequirementSummaries", json={"results": []})
        mock.get(API + "/audiences", json={"results": []})
        sync(capsys, ("completions", "cpd_entries", "cpd_requirements", "audiences"),
             {"start_date": "2024-01-02T03:04:05.678+01:00"})
    assert sent(mock, "/rest/v1/learning/completions")[0] == {
        "completedDateRangeStart": "2024-01-02 02:04:05",
        "completedDateRangeEnd": "2024-07-01 00:00:00", "page": "1", "perPage": "200"}
    assert sent(mock, "/rest/v1/cpdEntries")[0] == {
        "entryDateFrom": "2024-01-02 02:04:05", "entryDateTo": "2024-07-01 00:00:00",
        "page": "1", "perPage": "200"}
    for path in ("/rest/v1/cpdRequirementSummaries", "/rest/v1/audiences"):
        assert sent(mock, path) == [{"page": "1", "perPage": "200"}]


def test_later_syncs_send_the_bookmark_in_each_streams_own_format(capsys):
    state = {"bookmarks": {
        "audiences": {"replication_key": "updatedAt",
                      "replication_key_value": "2023-05-01T10:00:00.123Z"},
        "completions": {"replication_key": "completedAt",
                        "replication_key_value": "2024-03-04T05:06:07.890Z"},
        "cpd_entries": {"replication_key": "entryDate",
                        "replication_key_value": "2023-06-01T00:00:00.000Z"}}}
    with requests_mock.Mocker() as mock:
        mock.get(API + "/learning/completions", json=[])
        mock.get(API + "/cpdEntries", json={"results": []})
        mock.get(API + "/audiences", json={"results": []})
        sync(capsys, ("completions", "cpd_entries", "audiences"), state=state)
    # current-state: the bookmark even when start_date is later
    assert sent(mock, "/rest/v1/audiences")[0]["updatedSince"] == "2023-05-01T10:00:00.123Z"
    assert sent(mock, "/rest/v1/learning/completions")[0]["completedDateRangeStart"] == (
        "2024-03-04 05:06:07")
    # events: a start_date later than the bookmark wins
    assert sent(mock, "/rest/v1/cpdEntries")[0]["entryDateFrom"] == "2024-01-01 00:00:00"


def test_enrolments_have_one_bookmark_and_an_iso_window_on_every_assignment(capsys):
    state = {"bookmarks": {"enrolments": {"replication_key": "updatedAt",
                                          "replication_key_value": "2024-02-03T04:05:06.007Z",
                                          "parents": [A1, A2]}}}
    enrolments = {A1: [{"id": "e1", "assignmentId": A1, "updatedAt": "2024-02-03T04:05:06.007Z"},
                       {"id": "e2", "updatedAt": "2024-05-01T00:00:00.000Z"}],
                  A2: [{"id": "e3", "assignmentId": A2, "updatedAt": "2024-04-01T00:00:00.000Z"}]}
    with requests_mock.Mocker() as mock:
        mock.get(API + "/assignments", json=[{"id": A1, "updatedAt": "2020-01-01T00:00:00Z"},
                                             {"id": A2, "updatedAt": None}])
        for assignment, rows in enrolments.items():
            mock.get(f"{API}/assignments/{assignment}/enrolments", json=rows)
        messages = sync(capsys, ("enrolments",), {"page_size": 500}, state=state)
    windows = sent(mock, r"/rest/v1/assignments/\w+/enrolments")
    assert windows == [{"updatedAtFrom": "2024-02-03T04:05:06.007Z",
                        "updatedAtTo": "2024-07-01T00:00:00.000Z", "page": "1",
                        "perPage": "100"}] * 2
    assert [(r["id"], r["assignmentId"]) for r in records(messages, "enrolments")] == [
        ("e1", A1), ("e2", A1), ("e3", A2)]  # the parent id added where the API left it out
    assert records(messages, "assignments") == []  # walked for its children, not selected
    last = [m["value"] for m in messages if m["type"] == "STATE"][-1]["bookmarks"]["enrolments"]
    assert last == {"replication_key": "updatedAt",
                    "replication_key_value": "2024-05-01T00:00:00.000Z", "parents": [A1, A2]}


def test_an_assignment_seen_for_the_first_time_is_read_from_start_date(capsys):
    state = {"bookmarks": {"enrolments": {"replication_key": "updatedAt",
                                          "replication_key_value": "2024-02-03T04:05:06.007Z",
                                          "parents": [A1]}}}
    with requests_mock.Mocker() as mock:
        mock.get(API + "/assignments", json=[{"id": A1, "updatedAt": "2020-01-01T00:00:00Z"},
                                             {"id": A2, "updatedAt": "2020-01-01T00:00:00Z"}])
        for assignment in (A1, A2):
            mock.get(f"{API}/assignments/{assignment}/enrolments", json=[])
        messages = sync(capsys, ("enrolments",), {"page_size": 500}, state=state)
    windows = sent(mock, r"/rest/v1/assignments/\w+/enrolments")
    assert [w["updatedAtFrom"] for w in windows] == ["2024-02-03T04:05:06.007Z",
                                                     "2024-01-01T00:00:00.000Z"]
    last = [m["value"] for m in messages if m["type"] == "STATE"][-1]["bookmarks"]["enrolments"]
    assert last["parents"] == [A1, A2]


def test_audience_members_carry_their_audience_id(capsys):
    with requests_mock.Mocker() as mock:
        mock.get(API + "/audiences", json={"results": [{"id": A1}, {"id": A2}]})
        mock.get(f"{API}/audiences/{A1}/members", json={"results": [
            {"userId": "u1", "reference": "R1", "email": None}]})
        mock.get(f"{API}/audiences/{A2}/members", json={"results": [
            {"userId": "u1", "reference": "R1", "email": "ü@example.com"}]})
        messages = sync(capsys, ("audience_members",))
    assert [(r["audienceId"], r["userId"]) for r in records(messages, "audience_members")] == [
        (A1, "u1"), (A2, "u1")]


def test_null_or_missing_replication_values_are_emitted_quietly(capsys, caplog):
    rows = [{"audienceRequirementId": "r1", "updatedAt": "2024-03-01T00:00:00.000Z"},
            {"audienceRequirementId": "r2", "updatedAt": None},
            {"audienceRequirementId": "r3"}]
    with requests_mock.Mocker() as mock, caplog.at_level(logging.WARNING):
        mock.get(API + "/cpdRequirementSummaries", json={"results": rows})
        messages = sync(capsys, ("cpd_requirements",))
    assert [(r["audienceRequirementId"], r["updatedAt"])
            for r in records(messages, "cpd_requirements")] == [
        ("r1", "2024-03-01T00:00:00.000Z"), ("r2", None), ("r3", None)]
    assert bookmark(messages, "cpd_requirements") == "2024-03-01T00:00:00.000Z"
    assert "replication value is null" not in caplog.text


@pytest.mark.parametrize("workers", [1, 8])
def test_no_request_when_the_bookmark_is_past_the_windows_end(capsys, workers):
    state = {"bookmarks": {s: {"replication_key": key,
                               "replication_key_value": "2024-08-01T00:00:00.000Z"}
                           for s, key in (("completions", "completedAt"),
                                          ("enrolments", "updatedAt"))}}
    state["bookmarks"]["enrolments"]["parents"] = [A1, A2]  # both read before
    with requests_mock.Mocker() as mock:
        mock.get(API + "/learning/completions", json=[])
        mock.get(API + "/assignments", json=[{"id": A1}, {"id": A2}])
        mock.get(re.compile(API + r"/assignments/\w+/enrolments"), json=[])
        sync(capsys, ("completions", "enrolments"), {"max_concurrency": workers}, state=state)
    assert [urlsplit(r.url).path for r in mock.request_history] == ["/rest/v1/assignments"]
