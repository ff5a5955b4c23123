"""The tap's STATE writer: the SDK's rule (a STATE only when it changed), on encoded lines."""

from __future__ import annotations

import json
import os
import re

import pytest
from singer_sdk.singerlib import RecordMessage, StateMessage

from sandbox.credentials import tap_config
from tap_systeme.tap import TapSysteme
from tapkit.writer import (
    INTERIM_STATE_MESSAGES,
    INTERIM_STATE_PARTITIONS,
    BufferedMsgSpecWriter,
    EncodedStateWriter,
)
from tests.helpers import run_tap
from tests.thrive.checks import discovered, selecting


class _Out:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys

    def getvalue(self) -> str:
        return self._capsys.readouterr().out


@pytest.fixture
def out(capsys: pytest.CaptureFixture[str]) -> _Out:
    return _Out(capsys)


def test_a_state_line_is_the_one_the_writer_encodes_for_the_sdks_state_message(out):
    writer = BufferedMsgSpecWriter()
    state = {"bookmarks": {"a": {"parents": ["1", "2"], "replication_key_value": "x"}}}
    writer.write_message(StateMessage(value=state))
    written = out.getvalue()
    assert written and writer.state_line(state).decode() == written


def test_a_state_is_written_only_when_it_changed_even_when_changed_in_place(out):
    states = EncodedStateWriter(BufferedMsgSpecWriter())
    state: dict = {"bookmarks": {"a": {"parents": ["1"]}}}
    states.write_state(state)
    states.write_state(state)  # unchanged: not written again
    state["bookmarks"]["a"]["parents"].append("2")  # the same object, changed in place
    states.write_state(state)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["value"]["bookmarks"]["a"]["parents"] for line in lines] == [["1"], ["1", "2"]]
    assert {line["type"] for line in lines} == {"STATE"}


def test_the_tap_writes_its_state_through_the_encoded_writer(out):
    tap = TapSysteme(config={"api_key": "k"})
    assert isinstance(tap.state_writer, EncodedStateWriter)
    tap.write_state()
    assert json.loads(out.getvalue())["type"] == "STATE"


def test_a_child_partitions_state_is_held_until_enough_messages_or_partitions_went_by(out):
    writer = BufferedMsgSpecWriter()
    states = EncodedStateWriter(writer)
    states.write_state({"n": 0})
    held = 0
    while not states.interim_due():
        held += 1
    assert held == INTERIM_STATE_PARTITIONS - 1
    states.write_state({"n": 1})  # a STATE written: counting starts again
    assert not states.interim_due()
    for _ in range(INTERIM_STATE_MESSAGES):
        writer.write_message(RecordMessage(stream="s", record={"id": 1}))
    assert states.interim_due()


def test_states_of_many_partitions_are_few_and_the_last_covers_every_parent(sandbox):
    sandbox.reset(volume=4000)
    config = tap_config("tap-classroom", os.environ["SANDBOX_URL"])
    courses = {c["id"] for c in sandbox.truth("classroom")["courses"]}
    full = run_tap("tap-classroom", config)
    assert full.returncode == 0, full.stderr[-2000:]
    # partitions of the child streams (their sync_duration lines say how many)
    partitions = sum(int(n) for stream, n in re.findall(
        r'"sync_duration".*?"stream":"(\w+)","partitions":(\d+)', full.stderr)
        if stream != "courses")
    assert partitions > 2 * INTERIM_STATE_PARTITIONS
    top_level = 3  # courses, guardians, guardian_invitations: a few STATEs each
    assert 2 <= len(full.states) <= partitions / INTERIM_STATE_PARTITIONS + 4 * top_level
    last = full.states[-1]["bookmarks"]
    for stream in ("announcements", "coursework", "courseworkmaterials"):
        assert set(last[stream]["parents"]) == courses, stream
    # only a child selected: its parent writes no STATE of its own, the sync's end does
    catalog = selecting(discovered("tap-classroom", config), {"announcements"})
    child = run_tap("tap-classroom", config, catalog=catalog)
    assert child.returncode == 0, child.stderr[-2000:]
    last = child.states[-1]["bookmarks"]["announcements"]
    assert set(last["parents"]) == courses
    # and the bookmark as the stream's end left it (finalized), not its progress so far
    assert "progress_markers" not in last and last["replication_key_value"]
    assert last == full.states[-1]["bookmarks"]["announcements"]
