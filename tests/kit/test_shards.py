"""tapkit.shards: the slice of an id, the ``shard`` setting, scopes and the pruned parents list."""

from __future__ import annotations

import hashlib
import os
from types import SimpleNamespace
from typing import ClassVar

import pytest

from sandbox.credentials import SECRETS, tap_config
from tapkit.shards import Scope, Shard, prune_parents, runs_in_this_slice, slice_of
from tests.helpers import assert_one_clear_failure, run_tap


def test_the_slice_of_an_id_is_sha1_of_its_text_modulo_n():
    """Pinned values: every machine and Python (whatever PYTHONHASHSEED) puts an id in the same
    slice, and an integer id in the same slice as its text."""
    assert [slice_of("600000000000", n) for n in (2, 3, 4, 7)] == [1, 1, 1, 6]
    assert [slice_of(2085958500, n) for n in (2, 3, 4, 7)] == [0, 1, 0, 1]
    assert slice_of(2085958500, 5) == slice_of("2085958500", 5)
    digest = hashlib.sha1(b"abc").digest()
    assert slice_of("abc", 7) == int.from_bytes(digest[:8], "big") % 7


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8])
def test_every_id_is_in_exactly_one_slice(count):
    ids = [str(600000000000 + 7919 * n) for n in range(300)] + list(range(300))
    for value in ids:
        assert sum(Scope(Shard(k, count)).holds(value) for k in range(count)) == 1
    if count > 1:  # and the slices are not lopsided
        sizes = [sum(slice_of(v, count) == k for v in ids) for k in range(count)]
        assert min(sizes) > len(ids) / count / 2


@pytest.mark.parametrize(("text", "shard"), [("0/1", Shard(0, 1)), ("3/4", Shard(3, 4)),
                                             (" 2 / 5 ", Shard(2, 5))])
def test_a_shard_is_k_of_n(text, shard):
    assert Shard.parse(text) == shard
    assert str(shard) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize("text", ["4/4", "1/0", "-1/3", "a/b", "1", "1/2/3", 3, "0.5/2"])
def test_a_malformed_shard_says_what_is_expected(text):
    with pytest.raises(ValueError, match="'shard' must be k/n"):
        Shard.parse(text)


def test_a_scope_is_the_slice_and_the_explicit_ids():
    assert not Scope.of({}).narrowed and Scope.of({}).holds("anything")
    assert not Scope.of({"shard": "0/1"}).narrowed
    assert not Scope.of({"shard": ""}).narrowed  # unset, as Meltano may pass it
    ids = Scope.of({"course_ids": ["10", 11]}, "course_ids")
    assert ids.narrowed and ids.holds("10") and ids.holds(11) and not ids.holds("12")
    both = Scope.of({"shard": "1/3", "course_ids": ["1", "2", "3", "4", "5"]}, "course_ids")
    assert {i for i in "123456" if both.holds(i)} == {i for i in "12345" if slice_of(i, 3) == 1}


class Parent:
    name = "courses"
    path = "/courses"
    parent_stream_type = None
    shard_key = "id"
    shard_ids_setting = "course_ids"
    shard_context_key = "courseId"


class Child:
    name = "announcements"
    path = "/courses/{courseId}/announcements"
    parent_stream_type = Parent
    state_partitioning_keys: ClassVar[list[str]] = []
    replication_key = "updateTime"


class Grandchild:
    name = "entries"
    path = "/courses/{courseId}/work/{workId}/entries"
    parent_stream_type = Child
    state_partitioning_keys: ClassVar[list[str]] = []


class Unrelated:
    name = "guardians"
    path = "/userProfiles/-/guardians"
    parent_stream_type = None


def state_with(parents: list[str]) -> dict:
    return {"bookmarks": {
        "announcements": {"replication_key_value": "2024-01-01T00:00:00Z", "parents": parents},
        "entries": {"parents": [f"{p}/w{n}" for n, p in enumerate(parents)]},
        "guardians": {"parents": list(parents)}}}


def test_a_slice_state_keeps_only_its_own_parents():
    """A state carried over from the whole account (or another slicing) must not vouch, in
    slice 1/3, for a course of another slice: that course would resume from a bookmark that
    moved while it was not read."""
    courses = [str(600000000000 + 7919 * n) for n in range(30)]
    state = state_with(courses)
    prune_parents(state, [Parent, Child, Grandchild, Unrelated], {"shard": "1/3"})
    mine = [c for c in courses if slice_of(c, 3) == 1]
    assert 0 < len(mine) < len(courses)
    assert state["bookmarks"]["announcements"]["parents"] == mine
    assert state["bookmarks"]["announcements"]["replication_key_value"] == "2024-01-01T00:00:00Z"
    assert [p.split("/")[0] for p in state["bookmarks"]["entries"]["parents"]] == mine
    assert state["bookmarks"]["guardians"]["parents"] == courses  # not under a sliced parent


def test_explicit_ids_prune_too_and_the_whole_account_prunes_nothing():
    courses = ["1", "2", "3"]
    state = state_with(courses)
    prune_parents(state, [Parent, Child], {"course_ids": ["2"]})
    assert state["bookmarks"]["announcements"]["parents"] == ["2"]
    state = state_with(courses)
    prune_parents(state, [Parent, Child], {"shard": "0/1"})
    assert state["bookmarks"]["announcements"]["parents"] == courses
    prune_parents({"bookmarks": None}, [Parent, Child], {"shard": "0/2"})  # nothing to prune


def stream(cls: type, config: dict, settings: tuple[str, ...] = ("shard",)) -> object:
    """An instance of a stream class with ``config``, of a tap with ``settings``."""
    tap = SimpleNamespace(config_jsonschema={"properties": {key: {} for key in settings}})
    return type(cls.__name__, (cls,), {"config": config, "_suite_tap": tap})()


@pytest.mark.parametrize(("shard", "runs"), [(None, True), ("0/3", True), ("2/3", False)])
def test_streams_over_the_whole_account_run_in_slice_0_only(shard, runs):
    config = {"shard": shard} if shard else {}
    assert runs_in_this_slice(stream(Unrelated, config)) is runs
    assert runs_in_this_slice(stream(Parent, config))
    assert runs_in_this_slice(stream(Child, config))
    assert runs_in_this_slice(stream(Unrelated, config, settings=()))  # a tap without shard


def test_a_tap_without_the_shard_setting_ignores_it(sandbox):
    config = tap_config("tap-systeme", os.environ["SANDBOX_URL"], shard="2/3")
    run = run_tap("tap-systeme", config)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.records["contacts"] and run.records["tags"]


@pytest.mark.parametrize(("tap", "overrides", "expected"), [
    ("tap-classroom", {"shard": "3/3"}, "'shard' must be k/n with 0 <= k < n"),
    ("tap-classroom", {"shard": "first"}, "'shard' must be k/n, slice k of n"),
    ("tap-basecamp", {"shard": "1/0"}, "'shard' must be k/n with 0 <= k < n"),
    ("tap-basecamp", {"project_ids": [""]}, "'project_ids' must be a list of ids"),
])
def test_a_malformed_slice_setting_is_one_config_error_line(tap, overrides, expected):
    config = tap_config(tap, os.environ["SANDBOX_URL"], **overrides)
    run = assert_one_clear_failure(tap, config, expected, SECRETS)
    assert "invalid config" in run.error_lines[0]
