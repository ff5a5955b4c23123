"""Issue 12, item 1: a parent that appears after the first sync (a course the user is added to
later, one restored from the archive) is read in full, not only down to the stream's shared
bookmark; a state written before the tap kept its list of parents read in full is read in full
once; STATE stays one entry per stream (a list of parent ids, no per-course partitions)."""

from __future__ import annotations

import pytest

from tapkit.times import parse_time
from tests.helpers import key_set
from tests.reliability.common import BY_NAME, assert_no_secrets, outputs, run, why

TAP = BY_NAME["tap-classroom"]
#: The Classroom streams that walk each course newest first and stop at the shared bookmark.
INCREMENTAL = {"announcements": ("courseId", "id"), "coursework": ("courseId", "id")}


def config() -> dict:
    return TAP.config(backoff_factor=0.01)


def of_course(records: list[dict], course: str) -> list[dict]:
    return [r for r in records if r["courseId"] == course]


def late_course(truth: dict) -> str:
    """A course in the middle of the sync order, with many announcements and course work."""
    middle = [c["id"] for c in truth["courses"]][1:-1]
    return max(middle, key=lambda c: sum(len(of_course(truth[s], c)) for s in INCREMENTAL))


def test_a_course_that_appears_later_is_read_in_full(sandbox):
    course = late_course(sandbox.truth("classroom"))
    sandbox.configure("classroom", hidden_courses=[course])
    first = run(TAP, config())
    assert first.returncode == 0, why(first)
    assert not of_course(first.records["announcements"], course)

    sandbox.configure("classroom", hidden_courses=[])  # the course becomes visible
    truth = sandbox.truth("classroom")
    behind = [r for s in INCREMENTAL for r in of_course(truth[s], course)
              if parse_time(r["updateTime"]) < parse_time(
                  first.last_state["bookmarks"][s]["replication_key_value"])]
    assert behind, "the late course has no record behind the bookmark: nothing to prove"

    second = run(TAP, config(), state=first.last_state)
    assert second.returncode == 0, why(second)
    for stream, keys in INCREMENTAL.items():
        want = key_set(of_course(truth[stream], course), keys)
        got = key_set(of_course(second.records[stream], course), keys)
        assert want == got, f"{stream}: {len(want - got)} of {len(want)} records of the late " \
                            f"course never emitted"
        entry = second.last_state["bookmarks"][stream]
        assert "partitions" not in entry, entry
        assert sorted(entry["parents"]) == sorted(c["id"] for c in truth["courses"])
    # the courses read before start from the bookmark: only their newer records come again
    others = [r for r in second.records["announcements"] if r["courseId"] != course]
    assert len(others) < len(truth["announcements"]) - len(of_course(truth["announcements"],
                                                                       course))
    assert_no_secrets(outputs(first, second), TAP.secrets())


@pytest.mark.parametrize("stream", sorted(INCREMENTAL))
def test_a_state_without_its_parent_list_reads_every_course_once(sandbox, stream):
    """A state of the previous version (a bookmark, no list): every course is new once."""
    first = run(TAP, config())
    assert first.returncode == 0, why(first)
    old = {"bookmarks": {name: {k: v for k, v in entry.items() if k != "parents"}
                         for name, entry in first.last_state["bookmarks"].items()}}
    assert old["bookmarks"][stream].get("replication_key_value")

    second = run(TAP, config(), state=old)
    assert second.returncode == 0, why(second)
    truth = sandbox.truth("classroom")
    keys = INCREMENTAL[stream]
    assert key_set(second.records[stream], keys) == key_set(truth[stream], keys)
    assert any(f"{stream}: the state has a bookmark but no list of the parents" in line
               for line in second.stderr.splitlines()), second.stderr[-2000:]

    third = run(TAP, config(), state=second.last_state)  # the list is back: once was enough
    assert third.returncode == 0, why(third)
    assert len(third.records[stream]) < len(truth[stream])
