"""The checks the reliability tests rely on catch what they are meant to catch (synthetic runs,
no tap started): a lost, duplicated or changed record, an incomplete union, a bookmark past a
record not yet emitted, a bookmark past the newest record emitted, a printed secret."""

from __future__ import annotations

from importlib import metadata

import pytest

from tests.helpers import TapRun
from tests.reliability import common
from tests.reliability.common import StreamInfo
from tests.reliability.fakes import FAKES

TAP = common.BY_NAME["tap-classroom"]
STREAMS = {"courses": StreamInfo(("id",), None),
           "announcements": StreamInfo(("courseId", "id"), "updateTime")}
TRUTH = {"courses": [{"id": "c1"}],
         "announcements": [{"courseId": "c1", "id": str(n), "updateTime": f"2024-01-0{n}T00:00:00Z"}
                           for n in (1, 2, 3)]}


@pytest.fixture(autouse=True)
def fake_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "catalog", lambda tap: STREAMS)


def record(stream: str, data: dict) -> dict:
    return {"type": "RECORD", "stream": stream, "record": data}


def state(value: str | None) -> dict:
    partition = {"context": {"courseId": "c1"}}
    if value:
        partition["replication_key_value"] = value
    return {"type": "STATE", "value": {"bookmarks": {"announcements": {
        "partitions": [partition]}}}}


def tap_run(*messages: dict) -> TapRun:
    return TapRun(0, "", "", list(messages))


ALL = [record("courses", TRUTH["courses"][0]),
       *(record("announcements", r) for r in reversed(TRUTH["announcements"]))]


def test_same_records_catch_loss_duplicates_and_changes():
    good = tap_run(*ALL)
    common.assert_same_records(TAP, tap_run(*ALL), good)
    for bad in (ALL[:-1], [*ALL, ALL[-1]],
                [*ALL[:-1], record("announcements", {**TRUTH["announcements"][0], "x": 1})]):
        with pytest.raises(AssertionError):
            common.assert_same_records(TAP, tap_run(*bad), good)


def test_union_catches_a_missing_record_and_an_old_version():
    common.assert_union_complete(TAP, [tap_run(*ALL[:2]), tap_run(*ALL[2:])], TRUTH)
    with pytest.raises(AssertionError):
        common.assert_union_complete(TAP, [tap_run(*ALL[:2]), tap_run(*ALL[3:])], TRUTH)
    edited = {**TRUTH, "announcements": [*TRUTH["announcements"][:2], {
        **TRUTH["announcements"][2], "updateTime": "2024-02-01T00:00:00Z"}]}
    with pytest.raises(AssertionError):
        common.assert_union_complete(TAP, [tap_run(*ALL)], edited)


def test_a_bookmark_may_not_pass_a_record_not_emitted_yet():
    newest, middle = "2024-01-03T00:00:00Z", "2024-01-02T00:00:00Z"
    # newest first: once the partition is read to the end, its newest value is a safe bookmark
    assert common.assert_bookmarks_safe(TAP, [tap_run(*ALL, state(newest))], TRUTH) == 1
    # before that, any bookmark passes the older records still to come (or no bookmark at all)
    assert common.assert_bookmarks_safe(TAP, [tap_run(*ALL[:3], state(None))], TRUTH) == 0
    for mark in (newest, middle):
        with pytest.raises(AssertionError):
            common.assert_bookmarks_safe(TAP, [tap_run(*ALL[:3], state(mark))], TRUTH)
    # a record at exactly the bookmark is read again next time: not passed
    assert common.assert_bookmarks_safe(
        TAP, [tap_run(ALL[0], ALL[3], state("2024-01-01T00:00:00Z"))], TRUTH) == 1
    # what an earlier (killed) run emitted counts for the run that resumes it
    first, second = tap_run(*ALL[:3]), tap_run(ALL[3], state(newest))
    assert common.assert_bookmarks_safe(TAP, [first, second], TRUTH) == 1
    with pytest.raises(AssertionError):
        common.assert_bookmarks_safe(TAP, [tap_run(*ALL[:2]), second], TRUTH)


def test_the_last_state_may_not_go_past_the_newest_record_emitted():
    common.assert_last_state_covers_only_emitted(
        TAP, tap_run(ALL[2], state("2024-01-02T00:00:00Z")))
    with pytest.raises(AssertionError):
        common.assert_last_state_covers_only_emitted(
            TAP, tap_run(ALL[2], state("2024-01-03T00:00:00Z")))


def test_a_printed_secret_is_caught():
    common.assert_no_secrets(["nothing here"], common.ALL_SECRETS)
    with pytest.raises(AssertionError):
        common.assert_no_secrets([f"error: {common.ALL_SECRETS[0]} rejected"],
                                 common.ALL_SECRETS)


def test_every_tap_of_the_project_is_covered():
    """A tap added to the project fails here until these tests drive it too."""
    taps = [d for d in metadata.distributions()
            if any(r.startswith("singer-tap-suite-kit") for r in d.requires or [])]
    scripts = {e.name for d in taps for e in d.entry_points if e.group == "console_scripts"}
    assert set(common.BY_NAME) == set(FAKES) == scripts
