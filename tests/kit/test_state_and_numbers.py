"""The kit's state and settings helpers: which partitions count as read, what a state file may
hold, and numbers in every form the SDK and the environment hand over."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tap_classroom.tap import TapClassroom
from tapkit import TapError
from tapkit.config import coerce_numbers
from tapkit.state import ParentsRead, StateError, check_state

CONFIG = {"client_id": "id", "client_secret": "secret-value", "refresh_token": "refresh-value",
          "api_url": "https://classroom.example.com/v1",
          "token_url": "https://oauth.example.com/token", "max_concurrency": 1}
SCHEMA = {"properties": {
    "page_size": {"type": ["integer", "null"]},
    "rate": {"type": ["number"]},
    "name": {"type": ["string"]},
    "either": {"type": ["string", "integer"]},
    "nested": {"type": "object", "properties": {"size": {"type": "integer"}}},
}}


@pytest.mark.parametrize(("value", "expected"), [
    (10, 10), (10.0, 10), (Decimal("10"), 10), (Decimal("10.0"), 10), ("10", 10), (" 10 ", 10)])
def test_an_integer_setting_in_every_form(value, expected):
    config = {"page_size": value}
    assert coerce_numbers(config, SCHEMA) == []
    assert config["page_size"] == expected
    assert type(config["page_size"]) is int


@pytest.mark.parametrize(("value", "expected"), [
    (2, 2.0), (2.5, 2.5), (Decimal("2.5"), 2.5), ("2.5", 2.5), ("1e3", 1000.0)])
def test_a_number_setting_in_every_form(value, expected):
    config = {"rate": value}
    assert coerce_numbers(config, SCHEMA) == []
    assert config["rate"] == expected
    assert type(config["rate"]) is float


@pytest.mark.parametrize(("key", "value", "words"), [
    ("page_size", "ten", "'page_size' must be an integer, got 'ten'"),
    ("page_size", 2.5, "'page_size' must be an integer (a whole number), got 2.5"),
    ("rate", "nan", "'rate' must be a number"),
    ("rate", "inf", "'rate' must be a number"),
    ("rate", [1], "'rate' must be a number, got [1]"),
])
def test_a_value_that_is_no_number_names_the_setting(key, value, words):
    problems = coerce_numbers({key: value}, SCHEMA)
    assert len(problems) == 1 and problems[0].startswith(words), problems


def test_strings_and_mixed_types_are_left_alone_and_objects_are_walked():
    config = {"name": "10", "either": "10", "nested": {"size": Decimal("3")}, "page_size": None}
    assert coerce_numbers(config, SCHEMA) == []
    assert config == {"name": "10", "either": "10", "nested": {"size": 3}, "page_size": None}


def test_booleans_are_not_numbers():
    assert coerce_numbers({"page_size": True}, SCHEMA)


# -- partitions read in full --------------------------------------------------------------------
@pytest.fixture
def announcements():
    tap = TapClassroom(config=dict(CONFIG))
    return tap.streams["announcements"]


def walk(stream, context, records):
    """``get_records`` over a fake ``request_records`` that yields ``records`` (an exception in
    it is raised where it stands)."""

    def request_records(_context):
        for record in records:
            if isinstance(record, Exception):
                raise record
            yield record

    stream.request_records = request_records
    return stream.get_records(context)


def parents(stream) -> list:
    return stream.tap_state.get("bookmarks", {}).get(stream.name, {}).get("parents", [])


def test_a_partition_read_to_its_end_is_recorded_once(announcements):
    for _ in range(2):
        assert len(list(walk(announcements, {"courseId": "c1"}, [{"id": "1"}]))) == 1
    assert list(walk(announcements, {"courseId": "c2"}, [])) == []
    assert parents(announcements) == ["c1", "c2"]


def test_a_partition_that_fails_is_not_recorded(announcements):
    with pytest.raises(TapError):
        list(walk(announcements, {"courseId": "c1"}, [{"id": "1"}, TapError("HTTP 500")]))
    assert parents(announcements) == []


def test_a_partition_left_half_read_is_not_recorded(announcements):
    records = walk(announcements, {"courseId": "c1"}, [{"id": "1"}, {"id": "2"}])
    next(iter(records))
    records.close()  # the SDK stops asking (a record limit, a failure further down)
    assert parents(announcements) == []


def test_where_a_partition_starts(announcements):
    state = announcements.tap_state.setdefault("bookmarks", {})
    state["announcements"] = {"replication_key": "updateTime",
                              "replication_key_value": "2024-05-01T00:00:00Z",
                              "parents": ["c1"]}
    assert announcements.partition_start({"courseId": "c1"}) == datetime(
        2024, 5, 1, tzinfo=timezone.utc)
    assert announcements.partition_start({"courseId": "new"}) is None  # all history


def test_the_walk_knows_where_its_partition_starts(announcements):
    """What a date window reads in ``get_url_params`` (on a worker thread too)."""
    announcements.tap_state.setdefault("bookmarks", {})["announcements"] = {
        "replication_key_value": "2024-05-01T00:00:00Z", "parents": ["c1"]}
    seen = []

    def request_records(_context):
        seen.append(announcements.reading_from())
        yield {"id": "1"}

    announcements.request_records = request_records
    list(announcements.get_records({"courseId": "c1"}))
    list(announcements.get_records({"courseId": "c2"}))
    assert seen == [datetime(2024, 5, 1, tzinfo=timezone.utc), None]


def test_parents_read_follows_the_list_in_the_state():
    read, state = ParentsRead(), {}
    assert not read.known(state) and not read.contains(state, "a")
    read.add(state, "a")
    read.add(state, "a")
    assert state == {"parents": ["a"]} and read.contains(state, "a")


# -- the state file -----------------------------------------------------------------------------
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
KEYS = {"users": "updatedAt", "tags": None}


@pytest.mark.parametrize(("state", "words"), [
    ([], "it must be a JSON object, got list"),
    ({"bookmarks": None}, "'bookmarks' must be an object, got null"),
    ({"bookmarks": {"users": 3}}, "'bookmarks.users' must be an object"),
    ({"bookmarks": {"users": {"partitions": {}}}}, "'bookmarks.users.partitions'"),
    ({"bookmarks": {"users": {"parents": "a"}}}, "'bookmarks.users.parents' must be a list"),
    ({"bookmarks": {"users": {"replication_key_value": "soon"}}}, "'users' is not a time"),
    ({"bookmarks": {"users": {"replication_key_value": 17}}}, "'users' is not a time: 17"),
])
def test_a_state_that_cannot_be_used_is_refused(state, words):
    with pytest.raises(StateError, match="invalid state") as error:
        check_state(state, KEYS, logging.getLogger("t"), NOW)
    assert words in str(error.value)


def test_a_bookmark_in_the_future_is_a_warning(caplog):
    state = {"bookmarks": {"users": {"replication_key_value": "2030-01-01T00:00:00Z"},
                           "tags": {"replication_key_value": "not checked: no key"}}}
    with caplog.at_level(logging.WARNING):
        check_state(state, KEYS, logging.getLogger("t"), NOW)
    assert [r.getMessage() for r in caplog.records] == [
        "users: the state's bookmark 2030-01-01T00:00:00Z is in the future (a clock error or an "
        "edited state?): records updated before then are not read"]
