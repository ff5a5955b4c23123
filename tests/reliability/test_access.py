"""Partial access: a 403/404 on one partition skips it with a warning, the run goes on and ends
with one summary line and exit 0; the bookmark never moves past what a skipped partition did not
read; the configuration's own 4xx, and every 4xx under ``skip_inaccessible: false``, stay fatal."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers import TapRun, assert_matches_truth
from tests.reliability.common import BY_NAME, assert_one_clear_error, catalog, run, why

CLASSROOM, BASECAMP = BY_NAME["tap-classroom"], BY_NAME["tap-basecamp"]
SUMMARY = "Skipped for lack of access"


def keys(tap) -> dict[str, tuple[str, ...]]:
    return {stream: info.keys for stream, info in catalog(tap).items()}


def skip_warnings(one: TapRun) -> list[str]:
    return [line for line in one.stderr.splitlines() if ": skipped the " in line]


def summary(one: TapRun) -> str:
    (line,) = [line for line in one.stderr.splitlines() if SUMMARY in line]
    return line.split("status): ", 1)[1]


def without(records: list[dict], **match: object) -> list[dict]:
    return [r for r in records if any(r.get(k) != v for k, v in match.items())]


# -- Classroom ---------------------------------------------------------------------------------
def test_classroom_403_on_one_course_skips_that_course_only(sandbox):
    truth = sandbox.truth("classroom")
    course = truth["courses"][1]["id"]
    sandbox.faults("classroom", paths={rf"/courses/{course}/courseWork\?": "403"})

    done = run(CLASSROOM, CLASSROOM.config())

    assert done.returncode == 0, why(done)
    expected = {**truth, "coursework": without(truth["coursework"], courseId=course)}
    assert_matches_truth(done, expected, keys(CLASSROOM))
    (warning,) = skip_warnings(done)
    assert "WARNING" in warning and "coursework: skipped the partition" in warning
    assert f"courseId={course}" in warning and "HTTP 403" in warning
    assert summary(done) == "coursework 1 (HTTP 403)"


def test_classroom_404_for_a_deleted_course_skips_its_lists(sandbox):
    truth = sandbox.truth("classroom")
    course = truth["courses"][2]["id"]
    sandbox.faults("classroom", paths={rf"/courses/{course}/": "404"})

    done = run(CLASSROOM, CLASSROOM.config())

    assert done.returncode == 0, why(done)
    children = ("teachers", "students", "announcements", "coursework", "studentsubmissions",
                "topics", "courseworkmaterials", "aliases")  # every list under /courses/{id}/
    expected = {**truth, **{s: without(truth[s], courseId=course) for s in children}}
    assert_matches_truth(done, expected, keys(CLASSROOM))
    assert len(skip_warnings(done)) == len(children)
    assert summary(done) == ", ".join(f"{s} 1 (HTTP 404)" for s in sorted(children))


def test_classroom_top_level_403_after_the_first_page_skips_the_stream_and_its_children_go_on(
        sandbox):
    truth = sandbox.truth("classroom")
    sandbox.faults("classroom", paths={r"/v1/courses\?.*pageToken=": "403"})

    done = run(CLASSROOM, CLASSROOM.config(page_size=3))

    assert done.returncode == 0, why(done)
    first_page = [c["id"] for c in truth["courses"][:3]]
    assert [c["id"] for c in done.records["courses"]] == first_page
    for stream in ("teachers", "coursework", "studentsubmissions"):
        expected = [r for r in truth[stream] if r["courseId"] in first_page]
        assert len(done.records[stream]) == len(expected) > 0, stream
    (warning,) = skip_warnings(done)
    assert "courses: skipped the whole stream" in warning and "scope or permission" in warning
    assert summary(done) == "courses whole stream (HTTP 403)"


@pytest.mark.parametrize(("tap", "pattern", "status"), [
    (CLASSROOM, r"/v1/courses(\?|$)", "403"),
    (BASECAMP, r"/chats\.json", "403"),  # campfires: the first stream synced
])
def test_a_4xx_on_the_first_request_of_the_run_is_fatal(sandbox, tap, pattern, status):
    sandbox.faults(tap.prefix, paths={pattern: status})
    done = run(tap, tap.config())
    assert_one_clear_error(done, f"HTTP {status}", "first request", "check the configuration")
    assert not done.records


def test_skip_inaccessible_false_makes_a_child_403_fatal(sandbox):
    course = sandbox.truth("classroom")["courses"][1]["id"]
    sandbox.faults("classroom", paths={rf"/courses/{course}/courseWork\?": "403"})
    done = run(CLASSROOM, CLASSROOM.config(skip_inaccessible=False))
    assert_one_clear_error(done, "coursework: HTTP 403", f"/courses/{course}/courseWork",
                           "skip_inaccessible is false")
    assert SUMMARY not in done.stderr


def test_classroom_bookmark_stays_behind_a_course_skipped_on_page_two(sandbox):
    """Announcements come newest first; the course holding the newest one answers 403 on its
    second page. Its first page is written, but the bookmark is the newest of the other
    courses: next time that course is read again from there."""
    truth = sandbox.truth("classroom")["announcements"]
    newest = max(truth, key=lambda r: r["updateTime"])
    course = newest["courseId"]
    ours = sorted((r for r in truth if r["courseId"] == course),
                  key=lambda r: r["updateTime"], reverse=True)
    assert len(ours) > 5, "the course needs a second page"
    sandbox.faults("classroom", paths={rf"/courses/{course}/announcements\?.*pageToken=": "403"})

    done = run(CLASSROOM, CLASSROOM.config(page_size=5))

    assert done.returncode == 0, why(done)
    got = [r for r in done.records["announcements"] if r["courseId"] == course]
    assert [r["id"] for r in got] == [r["id"] for r in ours[:5]]  # page 1 stays written
    others = max(r["updateTime"] for r in truth if r["courseId"] != course)
    assert others < newest["updateTime"]
    bookmark = done.last_state["bookmarks"]["announcements"]
    assert bookmark["replication_key_value"] == others
    # the skipped course is not listed as read in full: the next run reads it from start_date
    read = bookmark["parents"]
    assert course not in read and len(read) == len({r["courseId"] for r in truth}) - 1
    assert summary(done) == "announcements 1 (HTTP 403)"


# -- Basecamp ----------------------------------------------------------------------------------
def test_basecamp_404_on_a_schedule_and_a_project_skips_those_partitions(sandbox):
    truth = sandbox.truth("basecamp")
    schedule = truth["schedules"][0]
    project = truth["schedules"][-1]["project_id"]
    assert project != schedule["project_id"]
    sandbox.faults("basecamp", paths={rf"/schedules/{schedule['id']}/entries\.json": "404",
                                      rf"/projects/{project}\.json": "404"})

    done = run(BASECAMP, BASECAMP.config())

    assert done.returncode == 0, why(done)
    lost = {s["id"] for s in truth["schedules"] if s["project_id"] == project}
    expected = {**truth,
                "schedules": [s for s in truth["schedules"] if s["id"] not in lost],
                "schedule_entries": [e for e in truth["schedule_entries"]
                                     if e["parent"]["id"] not in lost | {schedule["id"]}]}
    assert_matches_truth(done, expected, keys(BASECAMP))
    warnings = skip_warnings(done)
    assert len(warnings) == 2
    assert any(f"schedule_entries: skipped the partition project_id={schedule['project_id']}, "
               f"schedule_id={schedule['id']}" in w for w in warnings)
    assert any(f"schedules: skipped the partition project_id={project}" in w for w in warnings)
    assert summary(done) == "schedule_entries 1 (HTTP 404), schedules 1 (HTTP 404)"


def test_basecamp_top_level_403_on_page_two_keeps_the_old_bookmark(sandbox):
    truth = sandbox.truth("basecamp")
    sandbox.faults("basecamp", paths={r"recordings\.json\?.*type=Todo&.*page=2": "403"})
    state = {"bookmarks": {"todos": {"replication_key": "updated_at",
                                     "replication_key_value": "2000-01-01T00:00:00.000Z"}}}

    done = run(BASECAMP, BASECAMP.config(), state=state)

    assert done.returncode == 0, why(done)
    assert len(done.records["todos"]) == 15  # the first (geared) page, written
    for stream in ("projects", "schedules", "schedule_entries", "messages"):
        assert len(done.records[stream]) == len(truth[stream]), stream
    bookmarks = done.last_state["bookmarks"]
    assert bookmarks["todos"] == state["bookmarks"]["todos"]
    assert bookmarks["messages"]["replication_key_value"] == max(
        r["updated_at"] for r in truth["messages"])
    assert summary(done) == "todos whole stream (HTTP 403)"


# -- concurrency -------------------------------------------------------------------------------
def comparable(one: TapRun) -> list[str]:
    """The Singer messages, without the times that tell when the run happened."""
    out = []
    for message in one.messages:
        text = json.dumps({k: v for k, v in message.items() if k != "time_extracted"})
        out.append(re.sub(r'"replication_key_signpost": "[^"]*"', "", text))
    return out


@pytest.mark.parametrize("tap", [CLASSROOM, BASECAMP], ids=str)
def test_skips_are_the_same_with_eight_workers_as_with_one(sandbox, tap):
    truth = sandbox.truth(tap.prefix)
    if tap is CLASSROOM:
        one, two = truth["courses"][0]["id"], truth["courses"][3]["id"]
        paths = {rf"/courses/{one}/announcements\?.*pageToken=": "403",
                 rf"/courses/{one}/students": "403", rf"/courses/{two}/": "404"}
        config = tap.config(page_size=4)
    else:
        paths = {rf"/projects/{truth['projects'][1]['id']}\.json": "404",
                 rf"/schedules/{truth['schedules'][2]['id']}/": "403",
                 rf"/schedules/{truth['schedules'][4]['id']}/": "404"}
        config = tap.config()
    sandbox.faults(tap.prefix, paths=paths)

    sequential = run(tap, {**config, "max_concurrency": 1})
    assert sandbox.stats()[tap.prefix]["max_in_flight"] == 1
    sandbox.latency(5)  # answers overlap, so the workers really run at once
    concurrent = run(tap, {**config, "max_concurrency": 8})
    assert sandbox.stats()[tap.prefix]["max_in_flight"] > 1

    assert sequential.returncode == concurrent.returncode == 0, why(concurrent)
    assert len(skip_warnings(sequential)) >= 3
    assert comparable(concurrent) == comparable(sequential)
    assert [w.split("|")[-1] for w in skip_warnings(concurrent)] == [
        w.split("|")[-1] for w in skip_warnings(sequential)]
    assert summary(concurrent) == summary(sequential)
