"""Issue 12, item 9 and issue 13, point 2: waits before retries.

- A wait the API asks for (``Retry-After``, systeme's refill) longer than ``max_retry_wait`` ends
  the run at once with one line saying how long; backoff waits are cut to ``max_retry_wait``;
  ``Retry-After: NaN`` (or ``inf``) counts as absent.
- Quota answers without ``Retry-After`` wait as each API's quota needs: Google's 429
  RESOURCE_EXHAUSTED and 403 rateLimitExceeded are retried, up to a whole minute (Classroom);
  Primetric waits at least 31 s; Basecamp and systeme go by their headers.

The long waits are watched, not waited: those tests run the tap in-process against the sandbox
with :func:`tapkit.retry.sleep` replaced.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import tap_class
from tests.reliability.common import (
    BY_NAME,
    Tap,
    assert_one_clear_error,
    run,
    taps_param,
    why,
)

#: Fast retries unless a test says otherwise.
FAST = {"max_retries": 3, "backoff_factor": 0.05, "request_timeout": 5}


# -- waits the API asks for ------------------------------------------------------------------------
@taps_param()
def test_a_retry_after_longer_than_max_retry_wait_ends_the_run_at_once(tap: Tap, sandbox):
    sandbox.faults(api=tap.prefix, script={"3": "429"}, retry_after=3600)
    one = run(tap, tap.config(**FAST))  # waiting the 3600 s (or 900) would hit run's time limit
    assert_one_clear_error(one, "HTTP 429", "asks to wait 3600 s", "max_retry_wait (600 s)")
    assert sandbox.stats()[tap.prefix]["faults"] == {"429": 1}


def test_max_retry_wait_is_a_setting(sandbox):
    tap = BY_NAME["tap-thrive"]
    sandbox.faults(api=tap.prefix, script={"2": "429"}, retry_after=30)
    one = run(tap, tap.config(**FAST, max_retry_wait=10))
    assert_one_clear_error(one, "asks to wait 30 s", "max_retry_wait (10 s)")


def test_a_systeme_refill_later_than_max_retry_wait_ends_the_run_at_once(sandbox):
    tap = BY_NAME["tap-systeme"]
    sandbox.configure(tap.prefix, rate_limit=3, refill_seconds=120, retry_after=False,
                      refill_format="seconds")
    one = run(tap, tap.config(**FAST, max_retry_wait=30))
    assert_one_clear_error(one, "HTTP 429", "asks to wait 120 s", "max_retry_wait (30 s)")


@pytest.mark.parametrize("value", ["NaN", "inf", "-5"])
def test_an_unusable_retry_after_counts_as_absent(sandbox, value):
    tap = BY_NAME["tap-systeme"]
    sandbox.faults(api=tap.prefix, script={"2": "429"}, retry_after=value)
    one = run(tap, tap.config(**FAST))
    assert one.returncode == 0, why(one)
    assert "HTTP 429, retry 1 in 0.1 s" in one.stderr  # the backoff, 0.05 s
    assert sandbox.stats()[tap.prefix]["faults"] == {"429": 1}


def test_backoff_waits_are_cut_to_max_retry_wait(sandbox):
    tap = BY_NAME["tap-thrive"]
    sandbox.faults(api=tap.prefix, script={"2": "503", "3": "reset"})
    # sequential: the second and third requests are then the same page, retried twice
    one = run(tap, tap.config(**{**FAST, "backoff_factor": 1000}, max_retry_wait=0.2,
                              max_concurrency=1))
    assert one.returncode == 0, why(one)
    assert "retry 1 in 0.2 s" in one.stderr and "retry 2 in 0.2 s" in one.stderr


# -- quota waits, watched in-process -------------------------------------------------------------
@pytest.fixture
def waits(monkeypatch) -> list[float]:
    """The retry waits the tap asks for, instead of sleeping them."""
    asked: list[float] = []
    monkeypatch.setattr("tapkit.retry.sleep", asked.append)
    return asked


def sync_in_process(tap: Tap, capsys, **settings) -> dict[str, int]:
    """Sync ``tap`` in this process against the sandbox; records per stream."""
    capsys.readouterr()
    tap_class(tap.name)(config=tap.config(**{**FAST, "max_concurrency": 1, **settings})
                          ).sync_all()
    counts: dict[str, int] = {}
    for line in capsys.readouterr().out.splitlines():
        if line.startswith('{"type":"RECORD"'):
            stream = json.loads(line)["stream"]
            counts[stream] = counts.get(stream, 0) + 1
    return counts


def test_google_quota_answers_are_retried_up_to_a_whole_window(sandbox, capsys, waits):
    """Its first request (request 2; 1 is the token) fails three times with Google's quota
    answers, none with Retry-After: the waits double up to Classroom's 60 s window."""
    tap = BY_NAME["tap-classroom"]
    sandbox.faults(api=tap.prefix, script={"2": "429-exhausted", "3": "403-ratelimit",
                                           "4": "429-exhausted"})
    counts = sync_in_process(tap, capsys)
    assert waits == [15, 30, 60]
    assert counts["courses"] == len(sandbox.truth(tap.prefix)["courses"])
    assert sandbox.stats()[tap.prefix]["faults"] == {"429-exhausted": 2, "403-ratelimit": 1}


def test_quota_waits_are_bounded_by_max_retry_wait(sandbox, capsys, waits):
    tap = BY_NAME["tap-classroom"]
    sandbox.faults(api=tap.prefix, script={"2": "429-exhausted", "3": "429-exhausted",
                                           "4": "403-ratelimit"})
    sync_in_process(tap, capsys, max_retry_wait=20)
    assert waits == [15, 20, 20]


def test_primetric_waits_past_its_30_second_window(sandbox, capsys, waits):
    tap = BY_NAME["tap-primetric"]
    sandbox.faults(api=tap.prefix, script={"2": "429-bare", "4": "429-bare"})
    sync_in_process(tap, capsys)
    assert waits == [31, 31]


@pytest.mark.parametrize("name", ["tap-basecamp", "tap-systeme", "tap-thrive"])
def test_apis_with_headers_or_no_quota_window_keep_their_waits(sandbox, capsys, waits, name):
    """Retry-After is obeyed; a bare 429 gets the backoff (systeme's refill header, when the
    sandbox's quota is not used up, says nothing about this 429)."""
    tap = BY_NAME[name]
    first = "3" if tap.oauth else "2"
    sandbox.faults(api=tap.prefix, script={first: "429", "5": "429-bare"}, retry_after=0.5)
    sync_in_process(tap, capsys)
    assert waits == [0.5, 0.05]
