"""Logs a person can read: per-stream lines once per stream, not once per course or project, and
no SDK warning that contradicts the README's promise on interrupted runs."""

from __future__ import annotations

import os
import re

import pytest

from sandbox.credentials import tap_config
from tests.helpers import run_tap

URL = os.environ["SANDBOX_URL"]


@pytest.mark.parametrize(("tap", "parent", "children", "incremental"), [
    ("tap-classroom", "courses", ("announcements", "coursework", "courseworkmaterials"), True),
    ("tap-thrive", "assignments", ("enrolments",), True),
    ("tap-basecamp", "projects", ("schedules",), False),
])
def test_per_stream_lines_once_per_stream(tap, parent, children, incremental, sandbox):
    run = run_tap(tap, tap_config(tap, URL))
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(run.records[parent]) > 1  # the children have many partitions
    for stream in children:
        starting = re.findall(rf"Starting incremental sync of '{stream}'", run.stderr)
        beginning = re.findall(rf"Beginning sync of '{stream}'", run.stderr)
        assert len(beginning) == 1, stream
        assert len(starting) == (1 if incremental else 0), stream
    assert "assumed to be unsorted" not in run.stderr
    if incremental:
        assert "the bookmark moves when the stream has been read to the end" in run.stderr


def test_a_second_run_in_the_same_process_logs_again():
    """The filters belong to one run: a tap run twice in one process logs both starts."""
    import io
    import logging

    from tapkit.logs import readable_logs

    class Fake:
        replication_key, is_sorted = "updated", False

    logger = logging.getLogger("tap-x").getChild("s")
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        for _ in range(2):
            readable_logs("tap-x", {"s": Fake()})
            for course in range(3):
                logger.info("Starting incremental sync of '%s' with bookmark value: %s", "s",
                            course)
        assert out.getvalue().count("Starting incremental sync of 's'") == 2
    finally:
        logger.removeHandler(handler)
