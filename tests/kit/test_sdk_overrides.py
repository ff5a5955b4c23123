"""tapkit.sdk: each override of a private SDK member does what its docstring says (issue 17:
the children to sync are found once per partition, not per record)."""

from __future__ import annotations

import contextlib
import io
import os

import pytest

from sandbox.credentials import tap_config
from tap_classroom.tap import TapClassroom


def classroom(selected: set[str]) -> TapClassroom:
    config = tap_config("tap-classroom", os.environ["SANDBOX_URL"], max_concurrency=1)
    tap = TapClassroom(config=config, parse_env_config=False)
    for name, stream in tap.streams.items():
        stream.selected = name in selected
    return tap


def sync(tap: TapClassroom) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tap.sync_all()
    return out.getvalue().splitlines()


def test_no_child_selected_means_no_child_context_per_record(sandbox, monkeypatch):
    """_process_record: without a child stream to sync, no record's child context is built."""
    tap = classroom({"courses"})
    courses = tap.streams["courses"]

    def no_context(*args, **kwargs):
        raise AssertionError("a child context was built although no child is selected")

    monkeypatch.setattr(type(courses), "get_child_context", no_context)
    lines = sync(tap)
    assert sum('"RECORD","stream":"courses"' in line for line in lines) == len(
        sandbox.truth("classroom")["courses"]) > 2


@pytest.mark.parametrize("selected", [{"courses", "teachers"}, {"teachers"}])
def test_the_selection_of_children_is_asked_once_per_partition(sandbox, monkeypatch, selected):
    """_sync_children: the children come from the per-partition selection: a child's
    ``selected`` is read a few times per run, not once per parent record; and only the selected
    children are synced."""
    tap = classroom(selected)
    students = tap.streams["students"]
    asked = []
    original = type(students).selected

    def counting(stream):
        asked.append(stream.name)
        return original.fget(stream)

    monkeypatch.setattr(type(students), "selected", property(counting, original.fset))
    lines = sync(tap)
    courses = len(sandbox.truth("classroom")["courses"])
    assert courses > 4
    assert asked.count("students") <= 4 < courses  # not once per course
    assert not any('"stream":"students"' in line for line in lines)
    assert sum('"stream":"teachers"' in line and '"RECORD"' in line for line in lines) == len(
        sandbox.truth("classroom")["teachers"])
