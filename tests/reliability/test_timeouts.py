"""Issue 12, item 8: ``request_timeout`` bounds the whole answer, not each socket read. An answer
that trickles one byte at a time (its body, or its status line and headers too) is cut at the
timeout and retried like any timeout, from the API and from the token endpoint alike."""

from __future__ import annotations

import threading

import pytest

from tests.helpers import run_tap
from tests.reliability.common import assert_one_clear_error, why
from tests.reliability.scripted import (
    FIRST_PATH,
    TOKEN_PATH,
    Scripted,
    ScriptedServer,
    config_for,
    empty,
    fake_api,
)

#: Each trickling answer would take hours; the run must be done long before this.
LIMIT = 45
SETTINGS = {"request_timeout": 1, "max_retries": 2, "backoff_factor": 0.01}


def trickle_first(tap: str, trickle_all: bool):
    """An answer that trickles the first time (one byte every 0.2 s, never ending), and is a
    normal empty page afterwards."""
    seen = []
    lock = threading.Lock()

    def answer(request) -> Scripted:
        with lock:
            seen.append(request.path)
            first = len(seen) == 1
        if first:
            return Scripted(200, empty(tap, request.path), trickle=0.2, trickle_all=trickle_all)
        if request.path == TOKEN_PATH.get(tap):
            return Scripted(200, {"access_token": "tok", "expires_in": 3600})
        return Scripted(200, empty(tap, request.path))

    return answer


@pytest.mark.parametrize("trickle_all", [False, True], ids=["body", "headers-and-body"])
@pytest.mark.parametrize("tap", ["tap-systeme", "tap-thrive"])
def test_a_trickling_api_answer_is_cut_at_the_timeout_and_retried(tap, trickle_all):
    first = FIRST_PATH[tap]
    with ScriptedServer(fake_api(tap, {first: trickle_first(tap, trickle_all)})) as api:
        run = run_tap(tap, config_for(tap, api.url, **SETTINGS), timeout=LIMIT)
    assert run.returncode == 0, why(run)
    assert len(api.to(first)) == 2  # the trickle, then the retry
    assert "ReadTimeout, retry 1" in run.stderr


@pytest.mark.parametrize("tap", ["tap-primetric", "tap-classroom"])
def test_a_trickling_token_answer_is_cut_at_the_timeout_and_retried(tap):
    token = trickle_first(tap, trickle_all=False)
    with ScriptedServer(fake_api(tap, token=token)) as api:
        run = run_tap(tap, config_for(tap, api.url, **SETTINGS), timeout=LIMIT)
    assert run.returncode == 0, why(run)
    assert len(api.to(TOKEN_PATH[tap])) == 2


def test_an_answer_that_always_trickles_ends_the_run_with_one_line():
    tap = "tap-systeme"
    always = lambda request: Scripted(200, empty(tap, request.path), trickle=0.2)  # noqa: E731
    with ScriptedServer(fake_api(tap, {FIRST_PATH[tap]: always})) as api:
        run = run_tap(tap, config_for(tap, api.url, **SETTINGS), timeout=LIMIT)
    assert_one_clear_error(run, "no answer", "after 3 tries", "ReadTimeout")
    assert len(api.to(FIRST_PATH[tap])) == 3
