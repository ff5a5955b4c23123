"""Part 6: every tap, through success, faults and failures, at DEBUG level too, never prints a
secret: not the sandbox's credentials, not wrong ones it was given, not an access token a server
issued, not even when a server echoes them back in an error. (Every other reliability test scans
its runs the same way.)"""

from __future__ import annotations

import base64
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, quote_plus

import pytest

from sandbox.client import SandboxClient
from sandbox.credentials import CREDENTIALS, SECRET_SETTINGS
from tests.helpers import TapRun, run_tap
from tests.reliability.common import (
    ALL_SECRETS,
    TAPS,
    Tap,
    assert_no_secrets,
    issued_tokens_captured,
    taps_param,
    why,
)
from tests.reliability.fakes import FAKE_TOKEN, FAKES, MisbehavingServer

DEBUG = {"LOGLEVEL": "DEBUG"}
SETTINGS = {"max_retries": 3, "backoff_factor": 0.01, "request_timeout": 5}


def wrong_secrets(tap: Tap) -> dict[str, str]:
    keys = [k for k in CREDENTIALS[tap.name] if k in SECRET_SETTINGS]
    # with characters that form and URL encoding change
    return {k: f"wrong+{k.replace('_', '-')}/{tap.prefix}=5e1f&9c" for k in keys}


def wrong_basic(tap: Tap) -> list[str]:
    """What HTTP Basic makes of the wrong password."""
    wrong = wrong_secrets(tap)
    if "password" not in wrong:
        return []
    pair = f"{CREDENTIALS[tap.name]['username']}:{wrong['password']}".encode()
    return [base64.b64encode(pair).decode()]


def faults_for(tap: Tap) -> dict[str, str]:
    """Scripted faults; an OAuth tap's token is revoked on its first API request (request 1 is
    its token request), before concurrent child walks start (see test_faults.ONE_401)."""
    script = {str(3 * (n + 2)): kind for n, kind in enumerate(["429", "503", "reset",
                                                               "truncate"])}
    return {**script, "2": "401"} if tap.oauth else script


@dataclass
class Runs:
    about: TapRun
    faults: TapRun
    wrong: TapRun
    echoed: TapRun | None
    tokens: list[str]
    tokens_issued: int


def _fake_run(tap: Tap, mode: str, overrides: dict[str, str]) -> TapRun:
    api = FAKES[tap.name](mode)
    with MisbehavingServer(api) as server:
        one = run_tap(tap.name, {**api.config(), **overrides, **SETTINGS}, timeout=60,
                      env=DEBUG)
    assert server.requests, f"{tap}: the fake got no request"
    return one


@pytest.fixture(scope="module")
def runs() -> dict[str, Runs]:
    """Per tap: --about, a DEBUG sync through faults, a DEBUG run whose wrong credentials a
    server echoes back and, for OAuth, one whose access token the API echoes back; two at a
    time (the sandbox keeps faults and counters per API)."""
    client = SandboxClient(os.environ["SANDBOX_URL"])
    client.reset()
    for tap in TAPS:
        client.faults(api=tap.prefix, script=faults_for(tap), retry_after=0.05)
    def runs_of(tap: Tap) -> Runs:
        config = tap.config(**SETTINGS)
        faults = run_tap(tap.name, config, timeout=120, env=DEBUG)
        return Runs(
            about=run_tap(tap.name, config, "--about", "--format=json", timeout=60),
            faults=faults,
            wrong=_fake_run(tap, "echo-token" if tap.oauth else "echo-api",
                            wrong_secrets(tap)),
            echoed=_fake_run(tap, "echo-api", {}) if tap.oauth else None,
            tokens=tokens, tokens_issued=client.stats()[tap.prefix]["tokens_issued"])

    with issued_tokens_captured() as tokens:
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                return dict(zip([t.name for t in TAPS], pool.map(runs_of, TAPS), strict=True))
        finally:
            client.reset()


@taps_param()
def test_nothing_printed_holds_a_secret(runs, tap: Tap):
    got = runs[tap.name]
    secrets = [*ALL_SECRETS, *tap.secrets(), *wrong_secrets(tap).values(), *wrong_basic(tap),
               FAKE_TOKEN, *got.tokens]
    printed = [got.about.stdout, got.about.stderr]
    for one in (got.faults, got.wrong, got.echoed):
        if one is not None:
            printed += [one.stdout, one.stderr]
    assert_no_secrets(printed, secrets)


@taps_param()
def test_no_secret_is_printed_url_or_form_encoded(runs, tap: Tap):
    got = runs[tap.name]
    secrets = [*tap.secrets(), *wrong_secrets(tap).values(), FAKE_TOKEN, *got.tokens]
    encoded = {e for s in secrets for e in (quote_plus(s), quote(s, safe="")) if e != s}
    assert encoded
    printed = [part for one in (got.faults, got.wrong, got.echoed) if one is not None
               for part in (one.stdout, one.stderr)]
    assert_no_secrets(printed, encoded)


@taps_param()
def test_the_scanned_runs_went_where_secrets_could_leak(runs, tap: Tap):
    """So that the scan above is not empty: the about output lists the secret settings, the
    faulted run succeeded at DEBUG level after retries (and a new token for OAuth), and the
    failures printed the echoing server's answer."""
    got = runs[tap.name]
    assert got.about.returncode == 0 and all(k in got.about.stdout
                                              for k in wrong_secrets(tap))
    assert got.faults.returncode == 0, why(got.faults)
    assert "DEBUG" in got.faults.stderr and "retry" in got.faults.stderr
    assert sum(map(len, got.faults.records.values())) > 100
    if tap.oauth:
        assert got.tokens_issued >= 2  # a new one after the injected 401
    for one in (got.wrong, got.echoed):
        if one is None:
            continue
        assert one.returncode == 1, why(one)
        assert len(one.error_lines) == 1, why(one)
        assert "you_sent" in one.error_lines[0] or '"form"' in one.error_lines[0], (
            one.error_lines[0])
