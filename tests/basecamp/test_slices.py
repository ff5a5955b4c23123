"""tap-basecamp in slices against the sandbox: ``shard`` over projects, Campfires following their
project, recordings in slice 0 only, and ``project_ids`` (recordings by ``bucket``)."""

from __future__ import annotations

import os

from sandbox.credentials import tap_config
from tapkit.shards import slice_of
from tests.basecamp.test_sandbox_sync import STREAMS
from tests.helpers import run_tap

TAP = "tap-basecamp"
SLICES = 3
ID = ("id",)
#: Streams over the whole account: people, and the recordings that span every project.
WHOLE_ACCOUNT = ("people", "todos", "messages", "comments", "documents", "uploads", "todolists",
                 "vaults", "question_answers", "card_table_cards")


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def project_of(stream: str, record: dict) -> int:
    return record["id"] if stream == "projects" else record.get("project_id") or record[
        "bucket"]["id"]


def test_the_slices_together_are_the_full_sync_with_no_record_twice(sandbox):
    full = run_tap(TAP, config())
    assert full.returncode == 0, full.stderr[-2000:]
    slices = [run_tap(TAP, config(shard=f"{k}/{SLICES}")) for k in range(SLICES)]
    for k, run in enumerate(slices):
        assert run.returncode == 0, run.stderr[-2000:]
        for stream in WHOLE_ACCOUNT:
            assert bool(run.records[stream]) is (k == 0), stream
        for stream in ("projects", "schedules", "schedule_entries", "campfires",
                       "campfire_lines"):
            assert run.records[stream], (k, stream)
            projects = {project_of(stream, r) for r in run.records[stream]}
            assert {slice_of(p, SLICES) for p in projects} == {k}, stream
    for stream in STREAMS:
        union = [key for run in slices for key in run.keys(stream, ID)]
        assert len(union) == len(set(union)), f"{stream}: a record in two slices"
        assert set(union) == set(full.keys(stream, ID)), stream


def test_project_ids_read_only_those_projects_and_their_recordings(sandbox):
    truth = sandbox.truth("basecamp")
    wanted = [p["id"] for p in truth["projects"][2:5]]
    run = run_tap(TAP, config(project_ids=[wanted[0], str(wanted[1]), wanted[2]]))
    assert run.returncode == 0, run.stderr[-2000:]
    for stream in STREAMS:
        if stream != "people":
            expected = [r for r in truth[stream] if project_of(stream, r) in wanted]
            assert sorted(run.keys(stream, ID)) == sorted((r["id"],) for r in expected), stream
    assert run.records["projects"] and run.records["todos"] and run.records["campfires"]
    asked = [r["query"].get("bucket") for r in sandbox.requests("basecamp")
             if r["path"].endswith("/projects/recordings.json")]
    assert asked and all(b == [",".join(map(str, wanted))] for b in asked)
    assert len(run.records["people"]) == len(truth["people"])  # the account's, not a project's
