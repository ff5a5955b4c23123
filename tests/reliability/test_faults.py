"""Part 1: under seeded random faults on about 10% of requests, every tap emits exactly the
records of a fault-free run: nothing lost, nothing duplicated, content unchanged."""

from __future__ import annotations

from tests.reliability.common import (
    OAUTH_TAPS,
    TAPS,
    Tap,
    assert_no_secrets,
    assert_same_records,
    baseline,
    outputs,
    run,
    taps_param,
    why,
)

#: Kinds injected at random (and each once by script): all but 401, see ONE_401.
KINDS = ["429", "429-bare", "500", "502", "503", "504", "reset", "slow", "truncate", "badjson"]
#: A 401 means "token expired or revoked" only to an OAuth tap (to an API key or Basic
#: credentials it is a wrong credential, fatal by contract), and even there a 401 on the one
#: retry after a token refresh is fatal by contract. Concurrent child walks make any later
#: revocation hit requests in flight, whose retries a second 401 could hit; so an OAuth tap gets
#: one 401, on its first API request (request 1 is its token request), before any walk starts.
ONE_401 = {"2": "401"}
MAX_RETRIES = 3
#: request_timeout is 1 s and a slow answer takes 2 s, so "slow" is a client-side timeout.
SETTINGS = {"request_timeout": 1, "max_retries": MAX_RETRIES, "backoff_factor": 0.01}
#: Random faults fail one URL at most MAX_RETRIES - 1 times in a row, which leaves room for one
#: scripted fault (scripted faults ignore max_consecutive): never more than MAX_RETRIES.
PLAN = {"rate": 0.1, "max_consecutive": MAX_RETRIES - 1, "retry_after": 0.05,
        "slow_seconds": 2}
SEEDS = {tap.name: 11 + number for number, tap in enumerate(TAPS)}


def clean_run(tap: Tap, sandbox, **settings):
    """A fault-free run, then counters reset so scripted request numbers count from 1."""
    config = tap.config(**tap.small_pages, **settings)
    clean, requests = baseline(tap, sandbox, config)
    sandbox.reset()  # counters, faults, latency; the data stays
    if tap.sandbox_options:
        sandbox.configure(tap.prefix, **tap.sandbox_options)
    return config, clean, requests


@taps_param()
def test_random_faults_lose_and_duplicate_nothing(tap: Tap, sandbox, issued_tokens):
    config, clean, requests = clean_run(tap, sandbox, **SETTINGS)
    # Besides the random ones, each kind at least once, spread out.
    step = MAX_RETRIES + 2
    assert requests > step * (len(KINDS) + 1), f"{tap}: too few requests ({requests})"
    script = {str(step * (n + 2)): kind for n, kind in enumerate(KINDS)}
    if tap.oauth:
        script.update(ONE_401)
    sandbox.faults(api=tap.prefix, kinds=KINDS, seed=SEEDS[tap.name], script=script, **PLAN)

    faulty = run(tap, config)

    assert faulty.returncode == 0, why(faulty)
    injected = sandbox.stats()[tap.prefix]["faults"]
    assert set(injected) == set(script.values()), injected
    assert sum(injected.values()) > requests * 0.1 + len(script) / 2, injected
    assert_same_records(tap, faulty, clean)
    assert "retry" in faulty.stderr
    assert_no_secrets(outputs(clean, faulty), [*tap.secrets(), *issued_tokens])
    if tap.oauth:
        assert len(issued_tokens) >= 2  # a new token after the injected 401


TOKEN_FAULTS = ["truncate", "reset", "429-bare", "slow", "503"]


@taps_param(OAUTH_TAPS)
def test_faults_at_the_token_endpoint_are_retried(tap: Tap, sandbox, issued_tokens):
    config, clean, _ = clean_run(tap, sandbox, request_timeout=1, backoff_factor=0.01,
                                 max_retries=len(TOKEN_FAULTS))
    # The first requests of a run are its token requests; each failure is retried at once.
    sandbox.faults(api=tap.prefix, script={str(n + 1): k for n, k in enumerate(TOKEN_FAULTS)},
                   retry_after=0.05, slow_seconds=2)
    faulty = run(tap, config)
    assert faulty.returncode == 0, why(faulty)
    stats = sandbox.stats()[tap.prefix]
    assert stats["faults"] == dict.fromkeys(TOKEN_FAULTS, 1)
    assert_same_records(tap, faulty, clean)
    assert_no_secrets(outputs(clean, faulty), [*tap.secrets(), *issued_tokens])


@taps_param(OAUTH_TAPS)
def test_a_cut_off_json_token_answer_is_retried(tap: Tap, sandbox, issued_tokens):
    config, clean, _ = clean_run(tap, sandbox, backoff_factor=0.01)
    sandbox.faults(api=tap.prefix, script={"1": "badjson"})
    faulty = run(tap, config)
    assert faulty.returncode == 0, why(faulty)
    assert_same_records(tap, faulty, clean)
    assert_no_secrets(outputs(clean, faulty), [*tap.secrets(), *issued_tokens])

