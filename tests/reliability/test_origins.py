"""Issue 12, item 6: credentials go only to the origin (scheme, host, port) of api_url or
token_url. A redirect or a page link to another origin ends the run with one line naming both
origins, before anything reaches that origin; same-origin redirects and links keep working."""

from __future__ import annotations

import pytest

from sandbox.credentials import CREDENTIALS
from tapkit.origins import origin_of, show
from taps.registry import TAPS as REGISTRY
from tests.helpers import run_tap
from tests.reliability.common import ALL_SECRETS, assert_no_secrets, assert_one_clear_error
from tests.reliability.scripted import (
    ACCESS_TOKEN,
    FIRST_PATH,
    TOKEN_PATH,
    Scripted,
    ScriptedServer,
    config_for,
    empty,
    fake_api,
)

TAPS = list(FIRST_PATH)
OAUTH = [tap.name for tap in REGISTRY if tap.oauth]


def origin(url: str) -> str:
    return show(origin_of(url))


def foreign_answer(tap: str):
    """What the other origin answers: a 401 to OAuth taps (which today re-send their token
    after a 401), an empty page to the others."""
    return lambda request: Scripted(401, {"error": "who are you"}) if tap in OAUTH else (
        Scripted(200, empty(tap, request.path)))


def run_against(tap: str, home_routes, foreign) -> tuple:
    with ScriptedServer(foreign) as other:
        routes = home_routes(other.url)
        with ScriptedServer(fake_api(tap, routes)) as home:
            run = run_tap(tap, config_for(tap, home.url), timeout=60)
    return run, home, other


@pytest.mark.parametrize("tap", TAPS)
def test_a_redirect_to_another_origin_stops_the_run_before_it_gets_there(tap):
    first = FIRST_PATH[tap]

    def routes(elsewhere: str) -> dict:
        return {first: lambda r: Scripted(302, b"", {"Location": elsewhere + r.path})}

    run, home, other = run_against(tap, routes, foreign_answer(tap))

    asked = [r.path for r in home.requests if r.path != TOKEN_PATH.get(tap)]
    assert asked == [first], "the first request of the run was not the redirected one"
    assert other.requests == [], [r.headers for r in other.requests]
    assert_one_clear_error(run, origin(home.url), origin(other.url))
    assert_no_secrets([run.stdout, run.stderr], [*ALL_SECRETS, ACCESS_TOKEN])


@pytest.mark.parametrize(("tap", "path", "page"), [
    ("tap-basecamp", "/999999999/projects/recordings.json",
     lambda elsewhere: Scripted(200, [{"id": 1, "status": "active", "type": "Todo",
                                       "updated_at": "2024-01-01T00:00:00.000Z"}],
                                {"Link": f'<{elsewhere}/999999999/projects/recordings.json'
                                         f'?type=Todo&page=2>; rel="next"'})),
    ("tap-primetric", "/beta/assignments",
     lambda elsewhere: Scripted(200, {"count": 2, "previous": None, "results": [
         {"uuid": "00000000-0000-4000-8000-000000000001"}],
         "next": f"{elsewhere}/beta/assignments?page=2"})),
])
def test_a_page_link_to_another_origin_is_not_followed(tap, path, page):
    run, home, other = run_against(tap, lambda elsewhere: {path: lambda r: page(elsewhere)},
                                   foreign_answer(tap))

    assert home.to(path)
    assert other.requests == [], [r.headers for r in other.requests]
    assert_one_clear_error(run, origin(home.url), origin(other.url))


@pytest.mark.parametrize("tap", TAPS)
def test_redirects_within_the_origin_are_followed(tap):
    first = FIRST_PATH[tap]
    moved = first.replace(".json", "") + "-moved"
    routes = {first: lambda r: Scripted(307, b"", {"Location": moved}),
              moved: lambda r: Scripted(200, empty(tap, first))}
    with ScriptedServer(fake_api(tap, routes)) as home:
        run = run_tap(tap, config_for(tap, home.url), timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert home.to(moved), "the redirect was not followed"
    key = {"tap-systeme": "x-api-key"}.get(tap, "authorization")
    assert all(r.headers.get(key) for r in home.to(moved)), "credentials dropped at home"


def test_the_token_endpoint_does_not_redirect_the_secret_elsewhere():
    """A 307 keeps the POST body (client_secret) on the way: the other origin gets nothing."""
    tap = "tap-primetric"
    with ScriptedServer(lambda r: Scripted(200, {"access_token": "stolen"})) as other:
        token = lambda r: Scripted(307, b"", {"Location": other.url + r.path})  # noqa: E731
        with ScriptedServer(fake_api(tap, token=token)) as home:
            run = run_tap(tap, config_for(tap, home.url), timeout=60)
    assert other.requests == []
    assert_one_clear_error(run, origin(home.url), origin(other.url), "token_url")
    assert CREDENTIALS[tap]["client_secret"] not in run.stderr
