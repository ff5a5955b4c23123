"""Issue 12, item 7: secrets in the forms users and servers give them. Pasted whitespace around a
secret is stripped before use; a line break inside one is refused without printing it; a
secret a server echoes is masked even where the 200-character cut of the answer splits it, and
so is the base64 of HTTP Basic's ``user:password``."""

from __future__ import annotations

import base64

import pytest

from sandbox.credentials import CREDENTIALS
from tests.helpers import run_tap
from tests.reliability.common import (
    ALL_SECRETS,
    BY_NAME,
    TAPS,
    Tap,
    assert_no_secrets,
    assert_one_clear_error,
    taps_param,
    why,
)
from tests.reliability.scripted import (
    ACCESS_TOKEN,
    FIRST_PATH,
    TOKEN_PATH,
    Scripted,
    ScriptedServer,
    config_for,
    fake_api,
)

SECRET_KEYS = ("api_key", "password", "client_secret", "refresh_token")
#: Characters before an echoed secret: the 200-character cut of the body then falls inside it.
PADDING = "E" * 190


def secrets_of(tap: Tap) -> dict[str, str]:
    return {k: v for k, v in CREDENTIALS[tap.name].items() if k in SECRET_KEYS}


def basic_of(tap: str) -> str:
    creds = CREDENTIALS[tap]
    return base64.b64encode(f"{creds['username']}:{creds['password']}".encode()).decode()


@taps_param()
def test_pasted_whitespace_around_secrets_is_stripped(tap: Tap, sandbox):
    pasted = {k: f"  {v} \r\n" for k, v in secrets_of(tap).items()}
    run = run_tap(tap.name, tap.config(**pasted), timeout=120)
    assert run.returncode == 0, why(run)
    assert sum(map(len, run.records.values())) > 0
    assert_no_secrets([run.stdout, run.stderr], [*ALL_SECRETS, *tap.secrets()])


@taps_param()
def test_a_line_break_inside_a_secret_is_refused_without_printing_it(tap: Tap, sandbox):
    key, value = next(iter(secrets_of(tap).items()))
    broken = value[:8] + "\n" + value[8:]
    run = run_tap(tap.name, tap.config(**{key: broken}), timeout=60)
    assert_one_clear_error(run, f"'{key}'", "line break")
    assert_no_secrets([run.stdout, run.stderr], [value[:8], value[8:], *ALL_SECRETS])
    assert sandbox.stats()[tap.prefix]["requests"] == 0


#: Per tap: where the echoing server sits (the token endpoint or the first API request) and the
#: secret it echoes there.
ECHOES = {
    "tap-classroom": ("token", CREDENTIALS["tap-classroom"]["client_secret"]),
    "tap-primetric": ("token", CREDENTIALS["tap-primetric"]["client_secret"]),
    "tap-basecamp": ("token", CREDENTIALS["tap-basecamp"]["refresh_token"]),
    "tap-thrive": ("api", basic_of("tap-thrive")),
    "tap-systeme": ("api", CREDENTIALS["tap-systeme"]["api_key"]),
}


def echoing_run(tap: str, where: str, body: str):
    echo = lambda request: Scripted(400, body.encode())  # noqa: E731
    routes = {FIRST_PATH[tap]: echo} if where == "api" else {}
    with ScriptedServer(fake_api(tap, routes, token=echo if where == "token" else None)) as api:
        run = run_tap(tap, config_for(tap, api.url), timeout=60)
    assert api.to(FIRST_PATH[tap] if where == "api" else TOKEN_PATH[tap])
    return run


@pytest.mark.parametrize("tap", list(ECHOES))
@pytest.mark.parametrize("shape", ["across the cut", "whole"])
def test_an_echoed_secret_is_masked_wherever_it_falls(tap, shape):
    where, secret = ECHOES[tap]
    body = PADDING + secret + "E" * 40 if shape == "across the cut" else f"you sent {secret}"
    run = echoing_run(tap, where, body)
    line = assert_one_clear_error(run, "HTTP 400")
    assert ("EEEEEEEE" if shape == "across the cut" else "you sent") in line  # the body shows
    assert_no_secrets([run.stdout, run.stderr], [secret, secret[:9], *ALL_SECRETS])


def test_an_echoed_access_token_is_masked_across_the_cut():
    run = echoing_run("tap-classroom", "api", PADDING + ACCESS_TOKEN)
    assert_one_clear_error(run, "HTTP 400", "EEEEEEEE")
    assert_no_secrets([run.stdout, run.stderr], [ACCESS_TOKEN, ACCESS_TOKEN[:9]])


def test_every_tap_is_covered():
    assert set(ECHOES) == set(BY_NAME) == {t.name for t in TAPS}
