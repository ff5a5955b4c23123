"""tap-classroom in slices against the sandbox: ``shard``, ``course_ids`` and each slice's state."""

from __future__ import annotations

import os
import re

from sandbox.credentials import tap_config
from tapkit.shards import slice_of
from tests.classroom.test_sandbox_sync import KEYS
from tests.helpers import key_set, run_tap

TAP = "tap-classroom"
SLICES = 3
#: Streams over the whole domain, not under a course: slice 0 only.
WHOLE_ACCOUNT = ("guardians", "guardian_invitations")


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def test_the_slices_together_are_the_full_sync_with_no_record_twice(sandbox):
    full = run_tap(TAP, config())
    assert full.returncode == 0, full.stderr[-2000:]
    slices, asked = [], []
    for k in range(SLICES):
        before = len(sandbox.requests("classroom"))
        slices.append(run_tap(TAP, config(shard=f"{k}/{SLICES}")))
        asked.append({m[1] for r in sandbox.requests("classroom")[before:]
                      if (m := re.match(r"/v1/courses/([^/]+)/", r["path"]))})
    course_slice = {c["id"]: slice_of(c["id"], SLICES) for c in full.records["courses"]}
    assert set(course_slice.values()) == set(range(SLICES))
    for k, run in enumerate(slices):
        assert run.returncode == 0, run.stderr[-2000:]
        assert asked[k] and {course_slice[c] for c in asked[k]} == {k}  # no request for others
        for stream in WHOLE_ACCOUNT:
            assert bool(run.records[stream]) is (k == 0), stream
        for stream, records in run.records.items():
            if stream not in WHOLE_ACCOUNT:  # a course and its lists: in the course's slice
                course = "id" if stream == "courses" else "courseId"
                assert {course_slice[r[course]] for r in records} == {k}, stream
    for stream, key in KEYS.items():
        union = [k for run in slices for k in run.keys(stream, key)]
        assert len(union) == len(set(union)), f"{stream}: a record in two slices"
        assert set(union) == set(full.keys(stream, key)), stream


def test_course_ids_read_only_those_courses(sandbox):
    courses = sandbox.truth("classroom")["courses"]
    wanted = [courses[1]["id"], courses[-1]["id"]]
    run = run_tap(TAP, config(course_ids=[*wanted, "999999999999"]))
    assert run.returncode == 0, run.stderr[-2000:]
    assert sorted(run.keys("courses", ("id",))) == sorted((i,) for i in wanted)
    assert {r["courseId"] for r in run.records["students"]} == set(wanted)
    assert run.records["guardians"]  # over the whole domain, not a course's
    assert "course_ids 999999999999 not found" in run.stderr
    with_shard = run_tap(TAP, config(course_ids=wanted, shard=f"{slice_of(wanted[0], 2)}/2"))
    assert with_shard.returncode == 0, with_shard.stderr[-2000:]
    assert {r["id"] for r in with_shard.records["courses"]} == {
        i for i in wanted if slice_of(i, 2) == slice_of(wanted[0], 2)}


def test_a_slice_state_never_claims_courses_of_other_slices(sandbox):
    """Slice 1/3 resumed from the whole account's state (re-slicing) lists in its STATE only
    its own courses as read, and reads every one of its courses from the bookmark on."""
    full = run_tap(TAP, config())
    assert full.returncode == 0, full.stderr[-2000:]
    everything = full.last_state["bookmarks"]["announcements"]["parents"]
    mine = {c for c in everything if slice_of(c, SLICES) == 1}
    assert mine and mine != set(everything)
    touched = {tuple(k) for k in sandbox.touch("classroom", "announcements", 6)}

    run = run_tap(TAP, config(shard=f"1/{SLICES}"), state=full.last_state)
    assert run.returncode == 0, run.stderr[-2000:]
    for stream in ("announcements", "coursework", "courseworkmaterials"):
        parents = run.last_state["bookmarks"][stream]["parents"]
        assert set(parents) == mine, stream
    assert {t for t in touched if t[0] in mine} <= key_set(run.records["announcements"],
                                                          ("courseId", "id"))
