"""Part 4: a server that repeats a page token, a next URL or a Link header forever is stopped
with one clear error; an HTML page, an object or a string where a list belongs, or a list of
something else than objects, is one clear error naming the stream and the URL, never a
traceback. Each case runs the real executable against a tiny misbehaving server (fakes.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from tests.helpers import TapRun, run_tap
from tests.reliability.common import ALL_SECRETS, assert_no_secrets, assert_one_clear_error
from tests.reliability.fakes import CAP, FAKE_TOKEN, FAKES, MisbehavingServer

SETTINGS = {"max_retries": 1, "backoff_factor": 0.01, "request_timeout": 5}
CASES = [(tap, mode) for tap, fake in FAKES.items() for mode in fake.modes]


@dataclass
class Outcome:
    run: TapRun
    url: str
    hits: int


def _run(case: tuple[str, str]) -> Outcome:
    tap, mode = case
    api = FAKES[tap](mode)
    with MisbehavingServer(api) as server:
        one = run_tap(tap, {**api.config(), **SETTINGS}, timeout=60)
    return Outcome(one, server.url, api.hits)


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], Outcome]:
    """Every case, run two at a time up front (they share nothing)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(_run, CASES), strict=True))


def check(outcome: Outcome, tap: str) -> str:
    fake = FAKES[tap]
    path = fake.target[0]
    line = assert_one_clear_error(outcome.run, fake.stream, urlsplit(outcome.url).netloc, path)
    assert_no_secrets([outcome.run.stdout, outcome.run.stderr], [*ALL_SECRETS, FAKE_TOKEN])
    return line


LOOPS = [(t, m) for t, m in CASES if m in ("repeat", "cycle")]
SHAPES = [(t, m) for t, m in CASES if m not in ("repeat", "cycle")]


@pytest.mark.parametrize(("tap", "mode"), LOOPS, ids=[f"{t}-{m}" for t, m in LOOPS])
def test_a_page_loop_is_stopped_with_one_clear_error(outcomes, tap, mode):
    outcome = outcomes[(tap, mode)]
    line = check(outcome, tap)
    assert outcome.hits < CAP, f"followed the loop {outcome.hits} times"
    assert "again" in line or "loop" in line, line
    records = outcome.run.records[FAKES[tap].stream]
    assert len(records) <= 4 * 2, f"{len(records)} records from a loop"


@pytest.mark.parametrize(("tap", "mode"), SHAPES, ids=[f"{t}-{m}" for t, m in SHAPES])
def test_a_wrong_shape_is_one_clear_error(outcomes, tap, mode):
    outcome = outcomes[(tap, mode)]
    line = check(outcome, tap)
    if tap == "tap-basecamp" and mode == "object":
        # an object where the bare list belongs is no page (an error object, most likely):
        # retried like a 5xx (test_pages.py), then the same one clear line
        assert outcome.hits == 1 + SETTINGS["max_retries"], line
    else:
        assert outcome.hits == 1, line  # not retried: a wrong shape is no transient fault
    if mode == "html":
        assert "html" in line.lower(), line
