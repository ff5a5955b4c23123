"""tap-thrive over real HTTP against the sandbox: truth, faults, incremental windows, bad config."""

from __future__ import annotations

import json
import os

from sandbox.credentials import CREDENTIALS, tap_config
from tapkit.times import parse_time
from tests import helpers
from tests.helpers import key_set, run_tap

TAP = "tap-thrive"
STREAMS = ("content", "users", "activities")
KEY = ("id",)
PATHS = {"/rest/v1/contents": "content", "/rest/v1/users": "users",
         "/rest/v1/activities": "activities"}


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def calls(sandbox, stream: str) -> list[dict[str, str]]:
    """The query of every request the tap sent for ``stream``."""
    return [{k: v[-1] for k, v in r["query"].items()} for r in sandbox.requests("thrive")
            if PATHS.get(r["path"]) == stream]


def assert_matches_truth(run, truth):
    helpers.assert_matches_truth(run, truth, dict.fromkeys(STREAMS, KEY))


def test_full_sync_equals_the_api(sandbox):
    run = run_tap(TAP, config())
    truth = sandbox.truth("thrive")
    assert_matches_truth(run, truth)
    assert all(run.records[s] for s in STREAMS)
    start = parse_time(CREDENTIALS[TAP]["start_date"])
    assert all(parse_time(r["date"]) >= start for r in run.records["activities"])
    assert {q["perPage"] for s in STREAMS for q in calls(sandbox, s)} == {"200"}


def test_small_pages_ask_one_fixed_window(sandbox):
    run = run_tap(TAP, config(page_size=37))
    assert_matches_truth(run, sandbox.truth("thrive"))
    activity_calls = calls(sandbox, "activities")
    # each page once (read ahead, so not necessarily in order: totalPages is known)
    assert sorted(int(q["page"]) for q in activity_calls) == list(
        range(1, len(activity_calls) + 1))
    assert len(activity_calls) > 5
    assert len({(q["timestampFrom"], q["timestampTo"]) for q in activity_calls}) == 1
    assert activity_calls[0]["timestampFrom"] == "2024-01-01 00:00:00"
    assert all(q["perPage"] == "37" for s in STREAMS for q in calls(sandbox, s))


def test_injected_faults_are_survived(sandbox):
    sandbox.faults(api="thrive", script={"1": "429", "3": "503", "5": "500", "7": "reset",
                                         "9": "badjson", "10": "502"}, retry_after=0.1)
    run = run_tap(TAP, config(page_size=100))
    assert_matches_truth(run, sandbox.truth("thrive"))
    assert sandbox.stats()["thrive"]["faults"] == {"429": 1, "503": 1, "500": 1, "reset": 1,
                                                   "badjson": 1, "502": 1}
    assert "retry" in run.stderr


def test_second_run_asks_only_for_the_newer_window(sandbox):
    first = run_tap(TAP, config(page_size=50))
    assert first.returncode == 0, first.stderr[-2000:]
    first_to = calls(sandbox, "activities")[0]["timestampTo"]
    marks = {s: first.last_state["bookmarks"][s]["replication_key_value"] for s in STREAMS}
    touched = {"content": sandbox.touch("thrive", "content", 3),
               "users": sandbox.touch("thrive", "users", 4),
               "activities": sandbox.touch("thrive", "activities", 5)}
    sandbox.reset()  # counters only: the data (and the touches) stay
    second = run_tap(TAP, config(page_size=50), state=first.last_state)
    assert second.returncode == 0, second.stderr[-2000:]
    truth = sandbox.truth("thrive")

    for stream in ("content", "users"):
        assert {q["updatedSince"] for q in calls(sandbox, stream)} == {marks[stream]}
        expected = [r for r in truth[stream]
                    if parse_time(r["updatedAt"]) >= parse_time(marks[stream])]
        emitted = key_set(second.records[stream], KEY)
        assert emitted == key_set(expected, KEY)
        assert {(k,) for k in touched[stream]} <= emitted
        # the record that set the bookmark is read again, nothing older is
        assert any(r["updatedAt"] == marks[stream] for r in second.records[stream])
        assert len(emitted) < len(first.records[stream]) / 10

    window = {(q["timestampFrom"], q["timestampTo"]) for q in calls(sandbox, "activities")}
    assert len(window) == 1
    (start, end), = window
    assert start == parse_time(marks["activities"]).strftime("%Y-%m-%d %H:%M:%S")
    assert end >= first_to
    emitted = key_set(second.records["activities"], KEY)
    assert {(k,) for k in touched["activities"]} <= emitted
    assert marks["activities"] in {r["date"] for r in second.records["activities"]}
    floor = parse_time(start.replace(" ", "T"))
    expected = [r for r in truth["activities"] if parse_time(r["date"]) >= floor]
    assert emitted == key_set(expected, KEY)
    assert len(emitted) < len(touched["activities"]) + 3
    for stream in STREAMS:
        assert second.last_state["bookmarks"][stream]["replication_key_value"] > marks[stream]


def test_records_exactly_at_the_bookmark_are_not_lost(sandbox):
    """Records the first run could not see, stamped with exactly the saved bookmark."""
    first = run_tap(TAP, config())
    assert first.returncode == 0, first.stderr[-2000:]
    marks = {s: first.last_state["bookmarks"][s]["replication_key_value"] for s in STREAMS}
    before = {s: key_set(first.records[s], KEY) for s in STREAMS}
    for stream in STREAMS:
        sandbox.configure("thrive", stamp={"stream": stream, "at": marks[stream], "count": 2})
    late = {s: key_set([r for r in sandbox.truth("thrive")[s]
                        if r.get("updatedAt", r.get("date")) == marks[s]], KEY) for s in STREAMS}
    second = run_tap(TAP, config(), state=first.last_state)
    assert second.returncode == 0, second.stderr[-2000:]
    for stream in STREAMS:
        assert len(late[stream]) >= 3  # the bookmark's own record and the two stamped ones
        if stream == "activities":  # two new events, recorded late at the bookmark's time
            assert len(late[stream] - before[stream]) == 2
        assert late[stream] <= key_set(second.records[stream], KEY), stream
        assert second.last_state["bookmarks"][stream]["replication_key_value"] == marks[stream]


def test_start_date_bounds_activities_only_and_end_date_closes_the_window(sandbox):
    start, end = "2024-05-01T00:00:00Z", "2024-07-15T12:00:00Z"
    run = run_tap(TAP, config(start_date=start, end_date=end))
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth("thrive")
    for stream in ("content", "users"):  # current-state tables: read in full
        assert key_set(run.records[stream], KEY) == key_set(truth[stream], KEY)
        assert any(parse_time(r["updatedAt"]) < parse_time(start) for r in run.records[stream])
    expected = [r for r in truth["activities"]
                if parse_time(start) <= parse_time(r["date"]) <= parse_time(end)]
    assert key_set(run.records["activities"], KEY) == key_set(expected, KEY)
    assert 0 < len(expected) < len(truth["activities"])
    assert {(q["timestampFrom"], q["timestampTo"]) for q in calls(sandbox, "activities")} == {
        ("2024-05-01 00:00:00", "2024-07-15 12:00:00")}
    assert run.last_state["bookmarks"]["activities"]["replication_key_value"] <= "2024-07-15T12"


def test_about_and_discover_need_only_a_config_file(sandbox):
    about = run_tap(TAP, config(), "--about", "--format=json")
    assert about.returncode == 0
    settings = json.loads(about.stdout)["settings"]["properties"]
    assert settings["password"].get("secret") is True
    assert set(json.loads(about.stdout)["settings"]["required"]) == {"username", "password",
                                                                      "start_date"}
    discover = run_tap(TAP, config(), "--discover")
    catalog = json.loads(discover.stdout)
    assert len(catalog["streams"]) == 12  # every stream: tests/thrive/test_coverage.py
    assert {s["tap_stream_id"]: s["replication_key"] for s in catalog["streams"]
            if s["tap_stream_id"] in STREAMS} == {
        "content": "updatedAt", "users": "updatedAt", "activities": "date"}
    assert sandbox.stats()["thrive"]["requests"] == 0
