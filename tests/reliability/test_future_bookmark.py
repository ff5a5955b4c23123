"""Issue 12, item 5: a bookmark in the future (a clock error, a hand-edited state) is logged as a
warning that names the stream and the value; the run still succeeds."""

from __future__ import annotations

import pytest

from tests.reliability.common import BY_NAME, run, why

FUTURE = "2999-01-01T00:00:00Z"
CASES = [("tap-thrive", "users", "updatedAt"), ("tap-classroom", "announcements", "updateTime"),
         ("tap-basecamp", "todos", "updated_at")]


@pytest.mark.parametrize(("name", "stream", "key"), CASES, ids=[c[0] for c in CASES])
def test_a_bookmark_in_the_future_is_a_warning_naming_stream_and_value(sandbox, name, stream,
                                                                       key):
    tap = BY_NAME[name]
    state = {"bookmarks": {stream: {"replication_key": key, "replication_key_value": FUTURE}}}
    one = run(tap, tap.config(), state=state)
    assert one.returncode == 0, why(one)
    warnings = [line for line in one.stderr.splitlines()
                if "WARNING" in line and stream in line and FUTURE in line]
    assert len(warnings) == 1, one.stderr[-3000:]
    assert "future" in warnings[0]
