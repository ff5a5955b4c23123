"""tap-primetric against requests-mock: token flow, expiry, 401 re-auth, ``next`` handling."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import requests_mock

from tap_primetric.streams import AssignmentsStream
from tap_primetric.tap import TapPrimetric
from tapkit import ConfigError, PaginationLoopError, TapError
from tests.primetric.catalog import BARE_ARRAYS, KEYS

API = "https://api.primetric.com/beta"
TOKEN_URL = "https://api.primetric.com/auth/token/"
SECRET = "pm-secret-Zq81vX"
CONFIG = {"client_id": "pm-client", "client_secret": SECRET, "backoff_factor": 0}


def make_tap(**overrides) -> TapPrimetric:
    return TapPrimetric(config={**CONFIG, **overrides}, parse_env_config=False)


def page(uuids: list[str], next_: object = None) -> dict:
    return {"count": len(uuids), "next": next_, "previous": None,
            "results": [{"uuid": u} for u in uuids]}


def token_answers(*tokens: str, expires_in: int = 3600) -> list[dict]:
    return [{"json": {"access_token": t, "expires_in": expires_in, "token_type": "Bearer"}}
            for t in tokens]


def uuids(tap: TapPrimetric, stream: str = "assignments") -> list[str]:
    return [r["uuid"] for r in tap.streams[stream].get_records(None)]


def api_calls(mock: requests_mock.Mocker) -> list:
    return [r for r in mock.request_history if r.url.startswith(API)]


@pytest.fixture
def mock():
    with requests_mock.Mocker() as m:
        yield m


class TestToken:
    def test_client_credentials_form_post_then_bearer(self, mock):
        token = mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/assignments", json=page(["a1", "a2"]))
        assert uuids(make_tap()) == ["a1", "a2"]
        sent = token.last_request
        assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert parse_qs(sent.text) == {"grant_type": ["client_credentials"],
                                       "client_id": ["pm-client"], "client_secret": [SECRET]}
        call = api_calls(mock)[0]
        assert call.headers["Authorization"] == "Bearer tok-1"
        assert call.headers["User-Agent"].startswith("tap-primetric/")

    def test_one_token_serves_every_stream(self, mock):
        token = mock.post(TOKEN_URL, token_answers("tok-1", "tok-2"))
        for path in ("assignments", "employees", "hash_tags"):
            mock.get(f"{API}/{path}", json=page([f"{path}-1"]))
        tap = make_tap()
        for stream in ("assignments", "employees", "hashtags"):
            assert len(uuids(tap, stream)) == 1
        assert token.call_count == 1
        assert {c.headers["Authorization"] for c in api_calls(mock)} == {"Bearer tok-1"}

    def test_token_renewed_shortly_before_expires_in(self, mock, monkeypatch):
        """Each page takes 1,700 s of a fake clock: the 3,600 s token is replaced on page 3,
        200 s before it would expire, not after a 401."""
        clock = [datetime(2024, 1, 1, tzinfo=timezone.utc)]
        monkeypatch.setattr("tapkit.auth.utc_now", lambda: clock[0])

        def answer(request, context):
            clock[0] += timedelta(seconds=1700)
            number = int(parse_qs(urlsplit(request.url).query).get("page", ["1"])[0])
            return page([f"a{number}"], f"{API}/assignments?page={number + 1}"
                        if number < 3 else None)

        token = mock.post(TOKEN_URL, token_answers("tok-1", "tok-2"))
        mock.get(f"{API}/assignments", json=answer)
        assert uuids(make_tap()) == ["a1", "a2", "a3"]
        assert token.call_count == 2
        assert [c.headers["Authorization"] for c in api_calls(mock)] == [
            "Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]

    def test_401_mid_sync_gets_one_new_token_and_one_retry(self, mock):
        def answer(request, context):
            if "page=2" in request.url and request.headers["Authorization"] == "Bearer tok-1":
                context.status_code = 401
                return {"detail": "Authentication credentials were not provided."}
            return page(["a2"]) if "page=2" in request.url else page(
                ["a1"], f"{API}/assignments?page=2")

        token = mock.post(TOKEN_URL, token_answers("tok-1", "tok-2"))
        mock.get(f"{API}/assignments", json=answer)
        assert uuids(make_tap()) == ["a1", "a2"]
        assert token.call_count == 2
        assert [(c.url.rsplit("/", 1)[-1], c.headers["Authorization"])
                for c in api_calls(mock)] == [("assignments", "Bearer tok-1"),
                                              ("assignments?page=2", "Bearer tok-1"),
                                              ("assignments?page=2", "Bearer tok-2")]

    def test_401_after_the_new_token_is_fatal_and_names_the_stream(self, mock):
        token = mock.post(TOKEN_URL, token_answers("tok-1", "tok-2", "tok-3"))
        mock.get(f"{API}/employees", status_code=401, json={"detail": "Invalid token."})
        with pytest.raises(TapError) as caught:
            uuids(make_tap(), "employees")
        message = str(caught.value)
        assert message.startswith("employees: HTTP 401")
        assert "Invalid token." in message and f"{API}/employees" in message
        assert SECRET not in message and "tok-" not in message
        assert token.call_count == 2 and len(api_calls(mock)) == 2

    def test_token_error_never_shows_the_secret(self, mock):
        mock.post(TOKEN_URL, status_code=401,
                  json={"error": "invalid_client", "echo": f"client_secret={SECRET}"})
        with pytest.raises(ConfigError) as caught:
            uuids(make_tap())
        message = str(caught.value)
        assert "HTTP 401" in message and "invalid_client" in message and TOKEN_URL in message
        assert SECRET not in message
        assert not api_calls(mock)

    def test_token_endpoint_503_is_retried(self, mock):
        token = mock.post(TOKEN_URL, [{"status_code": 503, "json": {}},
                                      *token_answers("tok-1")])
        mock.get(f"{API}/hash_tags", json=page(["h1"]))
        assert uuids(make_tap(), "hashtags") == ["h1"]
        assert token.call_count == 2

    def test_unreachable_token_endpoint_is_one_clear_error(self, mock):
        mock.post(TOKEN_URL, exc=requests.exceptions.ConnectTimeout)
        with pytest.raises(TapError, match="could not reach the token endpoint") as caught:
            uuids(make_tap(max_retries=1))
        assert SECRET not in str(caught.value)


class TestNext:
    def test_absolute_next_is_requested_as_it_is(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        nxt = f"{API}/assignments?page=2&page_size=100"
        mock.get(f"{API}/assignments", [{"json": page(["a1"], nxt)}, {"json": page(["a2"])}])
        assert uuids(make_tap()) == ["a1", "a2"]
        assert [c.url for c in api_calls(mock)] == [f"{API}/assignments", nxt]

    def test_first_request_params_are_not_added_again(self, mock):
        class Filtered(AssignmentsStream):
            params = {"status": "1"}

        mock.post(TOKEN_URL, token_answers("tok-1"))
        nxt = f"{API}/assignments?page=2&status=1"
        mock.get(f"{API}/assignments", [{"json": page(["a1"], nxt)}, {"json": page(["a2"])}])
        stream = Filtered(make_tap())
        assert [r["uuid"] for r in stream.get_records(None)] == ["a1", "a2"]
        assert [c.qs for c in api_calls(mock)] == [{"status": ["1"]},
                                                   {"page": ["2"], "status": ["1"]}]

    def test_a_token_value_goes_back_as_the_next_parameter(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/employees", [{"json": page(["e1"], "cD0yMDI0LTAx")},
                                      {"json": page(["e2"], "cD0yMDI0LTAy")},
                                      {"json": page(["e3"])}])
        assert uuids(make_tap(), "employees") == ["e1", "e2", "e3"]
        assert [c.url.split("?")[-1] for c in api_calls(mock)[1:]] == [
            "next=cD0yMDI0LTAx", "next=cD0yMDI0LTAy"]

    def test_a_value_that_is_not_an_absolute_url_goes_back_as_next(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/hash_tags", [{"json": page(["h1"], "/beta/hash_tags?page=2")},
                                      {"json": page(["h2"])}])
        assert uuids(make_tap(), "hashtags") == ["h1", "h2"]
        assert api_calls(mock)[1].qs == {"next": ["/beta/hash_tags?page=2"]}

    @pytest.mark.parametrize("body", [{"results": [{"uuid": "a1"}]}, page(["a1"], None),
                                      page(["a1"], "")], ids=["absent", "null", "empty"])
    def test_absent_null_or_empty_next_stops(self, mock, body):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/assignments", json=body)
        assert uuids(make_tap()) == ["a1"]
        assert len(api_calls(mock)) == 1

    def test_an_empty_page_with_a_next_is_followed(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/employees", [{"json": page([], f"{API}/employees?page=2")},
                                      {"json": page(["e1"])}])
        assert uuids(make_tap(), "employees") == ["e1"]

    def test_an_empty_last_page_stops(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/employees", json=page([]))
        assert uuids(make_tap(), "employees") == []
        assert len(api_calls(mock)) == 1

    def test_the_same_next_twice_is_an_error_naming_the_stream(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        nxt = f"{API}/assignments?page=2"
        mock.get(f"{API}/assignments", json=page(["a1"], nxt))
        with pytest.raises(PaginationLoopError) as caught:
            uuids(make_tap())
        message = str(caught.value)
        assert message.startswith("assignments: ") and "page=2" in message
        assert "again" in message
        assert len(api_calls(mock)) == 2

    def test_transient_answers_are_retried(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/assignments", [{"status_code": 429, "json": {"detail": "Throttled."}},
                                        {"status_code": 503, "text": "busy"},
                                        {"json": page(["a1"])}])
        assert uuids(make_tap()) == ["a1"]
        assert len(api_calls(mock)) == 3

    def test_other_4xx_is_fatal_at_once(self, mock):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(f"{API}/assignments", status_code=404, json={"detail": "Invalid page."})
        with pytest.raises(TapError, match=r"^assignments: HTTP 404 .*Invalid page\."):
            uuids(make_tap())
        assert len(api_calls(mock)) == 1


class TestConfig:
    def test_defaults_point_at_the_real_api(self):
        tap = make_tap()
        assert tap.config["api_url"] == "https://api.primetric.com/beta"
        assert tap.config["token_url"] == TOKEN_URL
        assert tap.secret_keys() == {"client_secret"}
        assert {s.name: tuple(s.primary_keys) for s in tap.streams.values()} == KEYS
        assert [s.name for s in tap.streams.values()] == list(KEYS)  # TAPS.md's order
        assert not any(s.replication_key for s in tap.streams.values())


class TestBareArrays:
    """``organization/identity_providers`` and ``rag_ratings``: one bare array, no pages."""

    @pytest.mark.parametrize("stream", list(BARE_ARRAYS))
    def test_one_request_answers_the_whole_list(self, mock, stream):
        (key,) = KEYS[stream]
        mock.post(TOKEN_URL, token_answers("tok-1"))
        mock.get(API + BARE_ARRAYS[stream], json=[{key: "r1"}, {key: "r2", "name": "Żółw"}])
        records = list(make_tap().streams[stream].get_records(None))
        assert [r[key] for r in records] == ["r1", "r2"]
        assert [(c.path, c.qs) for c in api_calls(mock)] == [
            ("/beta" + BARE_ARRAYS[stream], {})]

    @pytest.mark.parametrize("stream", list(BARE_ARRAYS))
    def test_a_page_where_the_array_belongs_is_a_clear_error_not_a_walk(self, mock, stream):
        mock.post(TOKEN_URL, token_answers("tok-1"))
        url = API + BARE_ARRAYS[stream]
        mock.get(url, json=page(["p1"], f"{url}?page=2"))
        with pytest.raises(TapError) as caught:  # a failed answer: retried, then one line
            list(make_tap(max_retries=1, backoff_factor=0).streams[stream].get_records(None))
        assert str(caught.value).startswith(f"{stream}: expected a list at the top level")
        assert len(api_calls(mock)) == 2
