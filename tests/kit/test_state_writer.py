"""The tap's STATE writer: the SDK's rule (a STATE only when it changed), on encoded lines."""

from __future__ import annotations

import json

import pytest
from singer_sdk.singerlib import StateMessage

from tap_systeme.tap import TapSysteme
from tapkit.writer import BufferedMsgSpecWriter, EncodedStateWriter


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
