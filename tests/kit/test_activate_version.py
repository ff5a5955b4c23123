"""``emit_activate_version_messages``: one ACTIVATE_VERSION per full-table stream, before its
records (a target then drops the rows the source no longer has); none for incremental streams."""

from __future__ import annotations

import os

from sandbox.credentials import tap_config
from tests.helpers import run_tap

URL = os.environ["SANDBOX_URL"]


def test_full_table_streams_are_activated_once_before_their_records(sandbox):
    run = run_tap("tap-classroom", tap_config("tap-classroom", URL,
                                              emit_activate_version_messages=True))
    assert run.returncode == 0, run.stderr[-2000:]
    activated = [m for m in run.messages if m["type"] == "ACTIVATE_VERSION"]
    full_table = {"courses", "teachers", "students", "studentsubmissions", "topics", "aliases",
                  "invitations", "guardians", "guardian_invitations"}
    assert sorted(m["stream"] for m in activated) == sorted(full_table)  # once each
    for stream in full_table:
        first = next(i for i, m in enumerate(run.messages) if m.get("stream") == stream
                     and m["type"] in ("RECORD", "ACTIVATE_VERSION"))
        assert run.messages[first]["type"] == "ACTIVATE_VERSION", stream
    version = activated[0]["version"]
    records = [m for m in run.messages if m["type"] == "RECORD" and m["stream"] in full_table]
    assert records and all(m["version"] == version for m in records)


def test_off_by_default(sandbox):
    run = run_tap("tap-systeme", tap_config("tap-systeme", URL))
    assert run.returncode == 0
    assert not [m for m in run.messages if m["type"] == "ACTIVATE_VERSION"]
