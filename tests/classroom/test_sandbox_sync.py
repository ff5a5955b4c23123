"""tap-classroom over real HTTP against the sandbox: truth, faults, incremental runs, bad config."""

from __future__ import annotations

import json
import os
import re

from sandbox.credentials import tap_config
from tapkit.times import parse_time
from tests import helpers
from tests.helpers import key_set, run_tap

TAP = "tap-classroom"
KEYS = {"courses": ("id",), "teachers": ("courseId", "userId"),
        "students": ("courseId", "userId"), "announcements": ("courseId", "id"),
        "coursework": ("courseId", "id"),
        "studentsubmissions": ("courseId", "courseWorkId", "id"),
        "topics": ("courseId", "topicId"), "courseworkmaterials": ("courseId", "id"),
        "aliases": ("courseId", "alias"), "invitations": ("id",),
        "guardians": ("studentId", "guardianId"), "guardian_invitations": ("invitationId",)}


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def assert_matches_truth(run, truth):
    helpers.assert_matches_truth(run, truth, KEYS)


def test_full_sync_equals_the_api(sandbox):
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth("classroom"))
    assert all(len(records) > 0 for records in run.records.values())


def test_small_pages_and_the_wildcard(sandbox):
    run = run_tap(TAP, config(page_size=4))
    assert_matches_truth(run, sandbox.truth("classroom"))
    paths = sandbox.stats()["classroom"]["paths"]
    assert all("/courseWork/-/studentSubmissions" in p for p in paths if "Submissions" in p)
    requests = sandbox.requests("classroom")
    assert all(r["query"].get("pageSize") == ["4"] for r in requests if r["path"] != "/token")
    ordered = [r for r in requests if r["path"].endswith(("/announcements", "/courseWork"))]
    assert ordered and all(r["query"]["orderBy"] == ["updateTime desc"] for r in ordered)


def test_injected_429_503_and_401_are_survived(sandbox):
    sandbox.faults(api="classroom", script={"2": "429", "5": "503", "9": "401", "14": "500",
                                            "20": "reset", "25": "badjson"}, retry_after=0.2)
    run = run_tap(TAP, config())
    assert_matches_truth(run, sandbox.truth("classroom"))
    assert sandbox.stats()["classroom"]["tokens_issued"] == 2  # one re-auth after the 401
    assert "retry" in run.stderr


def test_second_run_reads_only_newer_announcements_and_coursework(sandbox):
    first = run_tap(TAP, config(page_size=3))
    assert first.returncode == 0, first.stderr[-2000:]
    first_pages = sum(sandbox.stats()["classroom"]["paths"].get(p, 0)
                      for p in sandbox.stats()["classroom"]["paths"]
                      if p.endswith(("/announcements", "/courseWork")))
    bookmarks = {s: first.last_state["bookmarks"][s]["replication_key_value"]
                 for s in ("announcements", "coursework")}
    touched = {"announcements": sandbox.touch("classroom", "announcements", 3),
               "coursework": sandbox.touch("classroom", "coursework", 2)}
    sandbox.reset()  # counters only
    second = run_tap(TAP, config(page_size=3), state=first.last_state)
    assert second.returncode == 0, second.stderr[-2000:]
    second_pages = sum(n for p, n in sandbox.stats()["classroom"]["paths"].items()
                       if p.endswith(("/announcements", "/courseWork")))
    assert second_pages < first_pages
    for stream, keys in touched.items():
        emitted = second.records[stream]
        assert {tuple(k) for k in keys} <= key_set(emitted, ("courseId", "id"))
        for record in emitted:  # nothing older than the bookmark comes again
            assert parse_time(record["updateTime"]) >= parse_time(bookmarks[stream])
        assert len(emitted) <= len(keys) + 1  # the touched ones and the one at the bookmark
    # full-table streams are read in full again
    assert len(second.records["students"]) == len(first.records["students"])


def test_start_date_bounds_the_incremental_streams(sandbox):
    start = "2024-06-01T00:00:00Z"
    run = run_tap(TAP, config(start_date=start))
    assert run.returncode == 0, run.stderr[-2000:]
    truth = sandbox.truth("classroom")
    for stream in ("announcements", "coursework"):
        expected = [r for r in truth[stream] if parse_time(r["updateTime"]) >= parse_time(start)]
        assert key_set(run.records[stream], KEYS[stream]) == key_set(expected, KEYS[stream])


def test_state_stays_small_whatever_the_number_of_courses(sandbox):
    run = run_tap(TAP, config())
    bookmarks = run.last_state["bookmarks"]
    assert not [s for s, state in bookmarks.items() if "partitions" in state]
    assert bookmarks["announcements"]["replication_key_value"] <= run.last_state["bookmarks"][
        "announcements"].get("replication_key_signpost", "9999")
    schemas = [m["stream"] for m in run.messages if m["type"] == "SCHEMA"]
    assert sorted(schemas) == sorted(set(schemas))  # one SCHEMA per stream, not per course


def test_about_and_discover_need_only_a_config_file(sandbox):
    about = run_tap(TAP, config(), "--about", "--format=markdown")
    assert about.returncode == 0 and "refresh_token" in about.stdout
    discover = run_tap(TAP, config(), "--discover")
    catalog = json.loads(discover.stdout)
    assert {s["tap_stream_id"] for s in catalog["streams"]} == set(KEYS)
    assert sandbox.stats()["classroom"]["requests"] == 0


def _without_clock(run) -> list[str]:
    """The messages, less the clock readings (time_extracted, the run's start as signpost)."""
    text = [json.dumps({k: v for k, v in m.items() if k != "time_extracted"})
            for m in run.messages]
    return [re.sub(r'"replication_key_signpost": "[^"]*"', "", line) for line in text]


def test_concurrent_child_walks_emit_exactly_the_sequential_stream(sandbox):
    sandbox.latency(5)
    sequential = run_tap(TAP, config(max_concurrency=1, page_size=5))
    assert sandbox.stats()["classroom"]["max_in_flight"] == 1  # one request at a time
    concurrent = run_tap(TAP, config(max_concurrency=8, page_size=5))
    assert sequential.returncode == concurrent.returncode == 0, concurrent.stderr[-2000:]
    # the concurrent run did have several requests in flight at once (else this proves nothing)
    assert sandbox.stats()["classroom"]["max_in_flight"] > 1
    assert _without_clock(concurrent) == _without_clock(sequential)


def test_concurrent_walk_failure_is_still_one_clear_line(sandbox):
    sandbox.faults(api="classroom", rate=1.0, kinds=["503"], only="/students")
    run = run_tap(TAP, config(max_concurrency=8, max_retries=1))
    assert run.returncode == 1
    assert len(run.error_lines) == 1, run.stderr[-3000:]
    assert "students: HTTP 503" in run.error_lines[0]
    assert "gave up after 2 tries" in run.error_lines[0]
