"""Part 3: a tap killed with SIGKILL part-way through a sync and restarted from the last STATE it
printed ends up having emitted every record, and no STATE it printed ever carried a bookmark past
a record it had not emitted yet.

Where the kill lands is made certain with a *gate*: the sandbox holds the answer to one late
request (a "slow" fault of 20 s), so the tap cannot get past it, while this test reads the tap's
stdout line by line and kills it after N records of a stream. The taps write their output in
blocks, flushed at every STATE (each partition, each stream) and every 256 KB, so N records
become visible at such a boundary before the gate: kill points are chosen with that margin.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

import pytest

from tests.reliability.common import (
    BY_NAME,
    Tap,
    assert_bookmarks_safe,
    assert_no_secrets,
    assert_union_complete,
    baseline,
    catalog,
    key_of,
    outputs,
    run,
    run_and_kill,
    why,
)

GATE_SECONDS = 20
Gate = Callable[[dict], str]


def last_course(child: str) -> Gate:
    return lambda truth: f"/courses/{truth['courses'][-1]['id']}/{child}"


def last_schedule(truth: dict) -> str:
    return f"/schedules/{truth['schedules'][-1]['id']}/entries.json"


def page(kind: str, number: int) -> Gate:
    return lambda truth: f"type={kind}&sort=updated_at&direction=desc&page={number}"


def after_record(stream: str, index: int) -> Gate:
    return lambda truth: f"startingAfter={truth[stream][index]['id']}"


# (tap, stream, kill after this many of its records, gate): inside descending-order incremental
# child partitions, full-table children (of children), paged lists and a cursor walk.
KILLS: list[tuple[str, str, int, Gate]] = [
    ("tap-classroom", "announcements", 2, last_course("announcements")),
    ("tap-classroom", "studentsubmissions", 150, last_course("courseWork/-/studentSubmissions")),
    ("tap-thrive", "users", 60, lambda truth: "/users?page=24&"),
    ("tap-primetric", "assignments", 300, lambda truth: "/assignments?page=60"),
    ("tap-basecamp", "messages", 20, page("Message", 5)),
    ("tap-basecamp", "schedule_entries", 50, last_schedule),
    ("tap-systeme", "contacts", 300, after_record("contacts", 599)),
]
# Issue 16: a newer incremental course child (newest first, stopping at its bookmark).
KILLS += [
    ("tap-classroom", "courseworkmaterials", 3, last_course("courseWorkMaterials")),
]


# Coverage II (tap-basecamp): a new recording stream (held at its fifth page) and a new child
# stream (held at the last Campfire's lines).
def last_campfire(truth: dict) -> str:
    campfire = truth["campfires"][-1]
    return f"/buckets/{campfire['bucket']['id']}/chats/{campfire['id']}/lines.json"


KILLS += [
    ("tap-basecamp", "comments", 20, page("Comment", 5)),
    ("tap-basecamp", "campfire_lines", 50, last_campfire),
]


def prepare(tap: Tap, sandbox) -> dict:
    if tap.sandbox_options:
        sandbox.configure(tap.prefix, **tap.sandbox_options)
    return tap.config(**tap.small_pages, backoff_factor=0.01)


def killed_at_gate(tap: Tap, sandbox, config: dict, stream: str, after: int, gate: str,
                   state: dict | None = None):
    sandbox.faults(api=tap.prefix, rate=1.0, kinds=["slow"], only=gate,
                   slow_seconds=GATE_SECONDS)
    killed = run_and_kill(tap, {**config, "request_timeout": 3 * GATE_SECONDS}, stream, after,
                          state=state, timeout=2 * GATE_SECONDS)
    sandbox.faults(api=tap.prefix)  # gate open
    return killed


def assert_gate_was_real(tap: Tap, sandbox, gate: str, since: int) -> None:
    """The gate names a request the tap really makes (the resumed run made it), so it held."""
    sent = [f"{r['path']}?{urlencode(r['query'], doseq=True)}"
            for r in sandbox.requests(tap.prefix)[since:]]
    assert any(gate in url for url in sent), f"{tap}: no request matches the gate {gate!r}"


@pytest.mark.parametrize(("name", "stream", "after", "gate"), KILLS,
                         ids=[f"{n}-{s}-{a}" for n, s, a, _ in KILLS])
def test_a_killed_sync_resumes_from_its_last_state(sandbox, issued_tokens, name, stream, after,
                                                   gate):
    tap = BY_NAME[name]
    config = prepare(tap, sandbox)
    truth = sandbox.truth(tap.prefix)
    assert after < len(truth[stream])

    since = len(sandbox.requests(tap.prefix))
    killed = killed_at_gate(tap, sandbox, config, stream, after, gate(truth))
    resumed = run(tap, config, state=killed.last_state)
    assert_gate_was_real(tap, sandbox, gate(truth), since)

    assert resumed.returncode == 0, why(resumed)
    assert len(killed.records[stream]) < len(truth[stream])  # killed inside the stream
    assert_union_complete(tap, [killed, resumed], truth)
    checked = assert_bookmarks_safe(tap, [killed, resumed], truth)
    if any(info.replication_key for info in catalog(tap).values()):
        assert checked, "no bookmark was checked"
    assert_no_secrets(outputs(killed, resumed), [*tap.secrets(), *issued_tokens])


def first_course_with_an_edit_last(sandbox, touched: list) -> Gate:
    """The last course (in sync order) holding an edited announcement: its walk is the gate."""
    order = [c["id"] for c in sandbox.truth("classroom")["courses"]]
    last = max(order.index(course) for course, _ in touched)
    assert last > 0, "every edit landed in the first course"
    return lambda truth: f"/courses/{order[last]}/announcements"


# (tap, stream, records edited between the runs, kill after, gate): enough edits that the
# second sync's records of the stream span several partitions or blocks before the gate.
INCREMENTAL: list[tuple[str, str, int, int, Gate | None]] = [
    ("tap-classroom", "announcements", 12, 1, None),  # gate: see first_course_with_an_edit_last
    ("tap-basecamp", "todos", 300, 100, page("Todo", 6)),
    # after updatedSince; only users has a 24th page in a sync from a complete one's state
    ("tap-thrive", "users", 240, 60, lambda truth: "&page=24&perPage=10"),
]


@pytest.mark.parametrize(("name", "stream", "edited", "after", "gate"), INCREMENTAL,
                         ids=[f"{n}-{s}" for n, s, _, _, _ in INCREMENTAL])
def test_a_killed_incremental_sync_loses_no_edited_record(sandbox, issued_tokens, name, stream,
                                                          edited, after, gate):
    """A complete sync, then edits (newest first for the descending streams), then a sync from
    its state killed among the edited records, then a resume from the killed run's last STATE:
    every edited record comes out in its new version."""
    tap = BY_NAME[name]
    config = prepare(tap, sandbox)
    first, _ = baseline(tap, sandbox, config)
    touched = sandbox.touch(tap.prefix, stream, edited)
    truth = sandbox.truth(tap.prefix)
    keys = catalog(tap)[stream].keys
    edited_keys = {tuple(map(str, k if isinstance(k, list) else [k])) for k in touched}
    assert len(edited_keys) == edited
    gate = gate or first_course_with_an_edit_last(sandbox, touched)

    since = len(sandbox.requests(tap.prefix))
    killed = killed_at_gate(tap, sandbox, config, stream, after, gate(truth),
                            state=first.last_state)
    resumed = run(tap, config, state=killed.last_state)
    assert_gate_was_real(tap, sandbox, gate(truth), since)

    assert resumed.returncode == 0, why(resumed)
    assert len({key_of(r, keys) for r in killed.records[stream]} & edited_keys) < edited
    assert_union_complete(tap, [first, killed, resumed], truth)
    assert assert_bookmarks_safe(tap, [first, killed, resumed], truth)
    assert_no_secrets(outputs(first, killed, resumed), [*tap.secrets(), *issued_tokens])


# Issue 17: kills while pages and whole streams are being read ahead. The gate holds one page;
# with max_concurrency 8 the pages after it (Thrive's totalPages: 25 pages of users) and the next
# streams (Primetric's employees, after assignments) are read meanwhile, so the kill lands with
# read-ahead work in flight.
# (tap, stream, kill after, gate, a request a sequential run makes only after the gate)
AHEAD: list[tuple[str, str, int, Gate, str]] = [
    ("tap-thrive", "users", 60, lambda truth: "/users?page=24&", "/users?page=25&"),
    ("tap-primetric", "assignments", 300, lambda truth: "/assignments?page=60", "/employees"),
]


@pytest.mark.parametrize(("name", "stream", "after", "gate", "ahead"), AHEAD,
                         ids=[f"{n}-{s}-{a}-{x.strip('/&')}" for n, s, a, _, x in AHEAD])
def test_a_kill_while_reading_ahead_loses_nothing(sandbox, name, stream, after, gate, ahead):
    tap = BY_NAME[name]
    config = {**prepare(tap, sandbox), "max_concurrency": 8}
    truth = sandbox.truth(tap.prefix)
    since = len(sandbox.requests(tap.prefix))
    killed = killed_at_gate(tap, sandbox, config, stream, after, gate(truth))
    sent = [f"{r['path']}?{urlencode(r['query'], doseq=True)}&"
            for r in sandbox.requests(tap.prefix)[since:]]
    assert any(ahead in url for url in sent), f"nothing was read ahead ({ahead!r})"
    resumed = run(tap, config, state=killed.last_state)
    assert resumed.returncode == 0, why(resumed)
    assert len(killed.records[stream]) < len(truth[stream])  # killed inside the stream
    assert_union_complete(tap, [killed, resumed], truth)
    assert_bookmarks_safe(tap, [killed, resumed], truth)
