"""Bad configs, every tap's in this one place.

Part 5: a missing required setting (each of every registry tap's), a wrong type, a malformed URL
or an out-of-range number is rejected before any request (the sandbox counts none), with exit code
1 and one line naming the setting and what it expects; a secret given with the wrong type is not
echoed either. Credentials the API refuses end the run with one line naming its answer, without
the secret."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from sandbox.client import SandboxClient
from taps.registry import TAPS as REGISTRY
from tests.helpers import TapRun, assert_one_clear_error, run_tap, tap_class
from tests.reliability.common import ALL_SECRETS, BY_NAME, assert_no_secrets, why

WRONG_SECRET = 918273645  # a secret setting given as a number

# (tap, case id, overrides (None removes the setting), words the error line must contain)
CASES = [
    ("tap-classroom", "missing", {"client_id": None}, ["'client_id'", "required"]),
    ("tap-classroom", "wrong-type", {"page_size": "ten"}, ["page_size", "integer"]),
    ("tap-classroom", "bad-url", {"api_url": "classroom.googleapis.com/v1"},
     ["'api_url'", "http(s) URL"]),
    ("tap-classroom", "bad-token-url", {"token_url": "ftp://oauth2.googleapis.com/token"},
     ["'token_url'", "http(s) URL"]),
    ("tap-classroom", "out-of-range", {"page_size": 0}, ["page_size", "minimum of 1"]),
    ("tap-classroom", "secret-type", {"client_secret": WRONG_SECRET},
     ["client_secret", "string"]),
    ("tap-thrive", "missing", {"start_date": None}, ["'start_date'", "required"]),
    ("tap-thrive", "wrong-type", {"request_timeout": "soon"}, ["request_timeout", "integer"]),
    ("tap-thrive", "bad-url", {"api_url": "https://"}, ["'api_url'", "http(s) URL"]),
    ("tap-thrive", "out-of-range", {"page_size": 1001}, ["page_size", "maximum of 1000"]),
    ("tap-thrive", "bad-date", {"start_date": "yesterday"}, ["'start_date'", "ISO 8601"]),
    ("tap-thrive", "secret-type", {"password": WRONG_SECRET}, ["password", "string"]),
    ("tap-primetric", "missing", {"client_secret": None}, ["'client_secret'", "required"]),
    ("tap-primetric", "wrong-type", {"backoff_factor": "fast"}, ["backoff_factor", "number"]),
    ("tap-primetric", "bad-url", {"api_url": "api.primetric.com/beta"},
     ["'api_url'", "http(s) URL"]),
    ("tap-primetric", "out-of-range", {"max_retries": -1}, ["max_retries", "minimum of 0"]),
    ("tap-primetric", "secret-type", {"client_secret": WRONG_SECRET},
     ["client_secret", "string"]),
    ("tap-basecamp", "missing", {"refresh_token": None}, ["'refresh_token'", "required"]),
    ("tap-basecamp", "wrong-type", {"max_retries": "many"}, ["max_retries", "integer"]),
    ("tap-basecamp", "bad-url", {"api_url": "3.basecampapi.com/{account_id}"},
     ["'api_url'", "http(s) URL"]),
    ("tap-basecamp", "out-of-range", {"request_timeout": 0},
     ["request_timeout", "minimum of 1"]),
    ("tap-basecamp", "bad-account", {"account_id": "acme"}, ["'account_id'", "numeric"]),
    ("tap-basecamp", "secret-type", {"refresh_token": WRONG_SECRET},
     ["refresh_token", "string"]),
    ("tap-systeme", "missing", {"api_key": None}, ["'api_key'", "required"]),
    ("tap-systeme", "wrong-type", {"page_size": "ten"}, ["page_size", "integer"]),
    ("tap-systeme", "bad-url", {"api_url": "mailto:api@systeme.io"},
     ["'api_url'", "http(s) URL"]),
    ("tap-systeme", "out-of-range", {"page_size": 101}, ["page_size", "maximum of 100"]),
    ("tap-systeme", "secret-type", {"api_key": WRONG_SECRET}, ["api_key", "string"]),
    ("tap-thrive", "bad-end-date", {"end_date": "soon"}, ["'end_date'", "ISO 8601"]),
    ("tap-thrive", "end-before-start", {"end_date": "2023-01-01T00:00:00Z"},
     ["'end_date' must not be earlier than 'start_date'"]),
    ("tap-primetric", "bad-token-url", {"token_url": "api.primetric.com/auth/token/"},
     ["'token_url'", "http(s) URL"]),
    ("tap-basecamp", "empty-user-agent", {"user_agent": " "}, ["'user_agent' must not be empty"]),
    ("tap-systeme", "below-range", {"page_size": 9}, ["page_size", "minimum of 10"]),
]
#: Every required setting of every registry tap, missing.
CASES += [(tap.name, f"missing-{key}", {key: None}, [f"'{key}'", "required"])
          for tap in REGISTRY for key in tap_class(tap.name).config_jsonschema["required"]
          if not any(c[0] == tap.name and c[2] == {key: None} for c in CASES)]

# (tap, overrides the API refuses, words the error line must contain)
REFUSED = [
    ("tap-classroom", {"client_secret": "wrong-secret-value"}, ["token request to"]),
    ("tap-classroom", {"refresh_token": "wrong-refresh-token"}, ["HTTP 400"]),
    ("tap-thrive", {"password": "wrong-api-key-000"}, ["HTTP 401"]),
    ("tap-thrive", {"username": "eu-west-999999"}, ["HTTP 401"]),
    ("tap-primetric", {"client_secret": "sbx-primetric-WRONG-1f2e3d"},
     ["HTTP 401", "invalid_client"]),
    ("tap-basecamp", {"client_secret": "wrong-secret-value"}, ["HTTP 401"]),
    ("tap-basecamp", {"refresh_token": "wrong-refresh-token"}, ["HTTP 400"]),
    ("tap-systeme", {"api_key": "wrong-systeme-key-42"}, ["HTTP 401"]),
]


@dataclass
class Outcome:
    run: TapRun
    requests: int


def _config(tap: str, overrides: dict) -> dict:
    config = BY_NAME[tap].config(**{k: v for k, v in overrides.items() if v is not None})
    return {k: v for k, v in config.items() if overrides.get(k, "") is not None}


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], Outcome]:
    """Every case, two taps at a time; one tap's cases one after another, so the requests its
    sandbox API counted during a case are that case's."""
    client = SandboxClient(os.environ["SANDBOX_URL"])
    client.reset()

    def cases_of(tap: str) -> dict[tuple[str, str], Outcome]:
        out = {}
        prefix = BY_NAME[tap].prefix
        for name, case, overrides, _ in (c for c in CASES if c[0] == tap):
            before = client.stats()[prefix]["requests"]
            one = run_tap(tap, _config(name, overrides), timeout=60)
            out[(tap, case)] = Outcome(one, client.stats()[prefix]["requests"] - before)
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(cases_of, list(BY_NAME)))
    return {k: v for part in results for k, v in part.items()}


@pytest.mark.parametrize(("tap", "case", "overrides", "words"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_bad_config_is_refused_before_any_request(outcomes, tap, case, overrides, words):
    outcome = outcomes[(tap, case)]
    one = outcome.run
    assert one.returncode == 1, why(one)
    assert outcome.requests == 0, f"{outcome.requests} requests reached the sandbox"
    assert not one.messages, one.stdout[:500]
    assert "Traceback" not in one.stderr, one.stderr[-3000:]
    assert len(one.error_lines) == 1, why(one)
    line = one.error_lines[0]
    for word in words:
        assert word in line, f"{word!r} not in: {line}"
    assert_no_secrets([one.stdout, one.stderr], [*ALL_SECRETS, str(WRONG_SECRET)])


@pytest.mark.parametrize(("tap", "overrides", "words"), REFUSED,
                         ids=[f"{c[0]}-{next(iter(c[1]))}" for c in REFUSED])
def test_refused_credentials_are_one_clear_line_without_secrets(sandbox, tap, overrides, words):
    one = run_tap(tap, BY_NAME[tap].config(**overrides), env={"LOGLEVEL": "DEBUG"}, timeout=60)
    assert_one_clear_error(one, *words)
    assert not one.records
    assert_no_secrets([one.stdout, one.stderr], [*ALL_SECRETS, *overrides.values()])
