"""Part 2: when every request to one path fails, retries run out and the run ends with one
clear line (stream, URL without secrets, last status) and a last STATE that covers only
records it emitted."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from sandbox.client import SandboxClient
from tests.helpers import TapRun
from tests.reliability.common import (
    BY_NAME,
    OAUTH_TAPS,
    assert_bookmarks_safe,
    assert_last_state_covers_only_emitted,
    assert_no_secrets,
    assert_one_clear_error,
    baseline,
    bookmarks,
    catalog,
    issued_tokens_captured,
    key_of,
    outputs,
    run,
)

SETTINGS = {"max_retries": 2, "backoff_factor": 0.01, "request_timeout": 1}
HOST = urlsplit(os.environ.get("SANDBOX_URL", "http://127.0.0.1")).netloc
#: What the error line says about the last failure, per fault kind.
LAST_FAILURE = {"503": "HTTP 503", "429": "HTTP 429", "reset": "Connection",
                "slow": "Timeout", "badjson": "invalid JSON"}
TOKEN_PATHS = {t.name: urlsplit(t.config()["token_url"]).path for t in OAUTH_TAPS}

# (tap, path fragment that always fails, kind, failing stream, whether streams finished before
# it left a bookmark to check). Classroom keeps one bookmark per incremental child stream, set
# when the last course is done, so a classroom run that fails has none to check.
CASES = [
    ("tap-classroom", "/studentSubmissions", "503", "studentsubmissions", False),
    ("tap-classroom", "/teachers", "reset", "teachers", False),
    ("tap-thrive", "/users", "503", "users", True),
    ("tap-primetric", "/employees", "503", "employees", False),
    ("tap-primetric", "/hash_tags", "slow", "hashtags", False),
    ("tap-basecamp", "/entries.json", "503", "schedule_entries", True),
    ("tap-basecamp", "type=Todo&", "429", "todos", True),  # not type=Todolist
    ("tap-systeme", "/contacts", "503", "contacts", False),
    ("tap-systeme", "/tags", "badjson", "tags", False),
    # the token endpoint of the OAuth taps: the first stream fails, before any record
    *[(t.name, TOKEN_PATHS[t.name], "503", "token", False) for t in OAUTH_TAPS],
]


@dataclass
class Outcome:
    run: TapRun
    injected: int
    requests: int
    truth: dict[str, list[dict]]


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], tuple[Outcome, list[str]]]:
    """Every case, two taps at a time (faults and counters are per API); one tap's cases one
    after another."""
    client = SandboxClient(os.environ["SANDBOX_URL"])
    client.reset()
    def cases_of(name: str) -> dict[tuple[str, str], tuple[Outcome, list[str]]]:
        tap, out = BY_NAME[name], {}
        truth = client.truth(tap.prefix)
        for _, only, kind, _, _ in (c for c in CASES if c[0] == name):
            before = client.stats()[tap.prefix]["requests"]
            client.faults(api=tap.prefix, rate=1.0, kinds=[kind], only=only, retry_after=0.05,
                          slow_seconds=2)
            broken = run(tap, tap.config(**SETTINGS))
            stats = client.stats()[tap.prefix]
            client.faults(api=tap.prefix)  # off
            out[(name, only)] = (Outcome(broken, stats["faults"].get(kind, 0),
                                         stats["requests"] - before, truth), tokens)
        return out

    with issued_tokens_captured() as tokens:
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                parts = list(pool.map(cases_of, list(BY_NAME)))
        finally:
            client.reset()
    return {k: v for part in parts for k, v in part.items()}


@pytest.mark.parametrize(("name", "only", "kind", "stream", "bookmarked"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[3]}" for c in CASES])
def test_retries_run_out_with_one_clear_line_and_a_safe_state(
        outcomes, name, only, kind, stream, bookmarked):
    tap = BY_NAME[name]
    outcome, tokens = outcomes[(name, only)]
    broken = outcome.run

    where = only.split("=")[-1]
    assert_one_clear_error(broken, stream, HOST, where, LAST_FAILURE[kind])
    # every try, then it gave up (several partitions at once where child walks are concurrent)
    assert outcome.injected >= SETTINGS["max_retries"] + 1
    assert_no_secrets(outputs(broken), [*tap.secrets(), *tokens])
    assert_last_state_covers_only_emitted(tap, broken)
    assert_bookmarks_safe(tap, [broken], outcome.truth)
    if bookmarked:  # the checks above were not empty
        assert bookmarks(broken.last_state), broken.last_state
    if stream == "token":
        assert not broken.records
        assert outcome.requests == SETTINGS["max_retries"] + 1


def course_of_the_last_edit(sandbox, touched: list) -> str:
    """The announcements of the last course (in sync order) holding an edited one."""
    order = [c["id"] for c in sandbox.truth("classroom")["courses"]]
    return f"/courses/{order[max(order.index(course) for course, _ in touched)]}/announcements"


# (tap, stream edited before the run, how many records, path fragment that always fails: one
# that holds edited records, so the run cannot have emitted them all)
FROM_STATE = [
    ("tap-classroom", "announcements", 12, course_of_the_last_edit),
    ("tap-thrive", "users", 30, lambda sandbox, touched: "&page=3&perPage=10"),
]


@pytest.mark.parametrize(("name", "stream", "edited", "failing"), FROM_STATE,
                         ids=[f"{n}-{s}" for n, s, _, _ in FROM_STATE])
def test_a_failed_incremental_run_keeps_its_bookmarks_behind_what_it_emitted(
        sandbox, issued_tokens, name, stream, edited, failing):
    """From a complete sync's state, after edits, a run that runs out of retries among the
    edited records leaves every bookmark where no edited record is skipped."""
    tap = BY_NAME[name]
    config = tap.config(**tap.small_pages, **SETTINGS)
    first, _ = baseline(tap, sandbox, config)
    touched = sandbox.touch(tap.prefix, stream, edited)
    truth = sandbox.truth(tap.prefix)
    only = failing(sandbox, touched)
    sandbox.faults(api=tap.prefix, rate=1.0, kinds=["503"], only=only)

    broken = run(tap, config, state=first.last_state)

    assert_one_clear_error(broken, stream, HOST, only.split("?")[0].lstrip("&"), "HTTP 503")
    keys = catalog(tap)[stream].keys
    edited_keys = {tuple(map(str, k if isinstance(k, list) else [k])) for k in touched}
    assert edited_keys - {key_of(r, keys) for r in broken.records[stream]}
    assert assert_last_state_covers_only_emitted(tap, broken, first.last_state)
    assert assert_bookmarks_safe(tap, [first, broken], truth)
    assert_no_secrets(outputs(broken), [*tap.secrets(), *issued_tokens])
