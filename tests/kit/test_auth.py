"""Authenticators: OAuth grants, token reuse and expiry, 401 re-auth, Basic and API key."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import requests

from tapkit import (
    APIKeyAuthenticator,
    BasicAuthenticator,
    ClientCredentialsAuthenticator,
    ConfigError,
    RefreshTokenAuthenticator,
    TapError,
)

TOKEN = "https://auth.example.com/token"
API = "https://api.example.com/v1/things"


def refresh_auth(**kwargs) -> RefreshTokenAuthenticator:
    return RefreshTokenAuthenticator(token_url=TOKEN, client_id="cid", client_secret="csecret",
                                     refresh_token="rtoken", backoff_factor=0, **kwargs)


def call(auth, session: requests.Session | None = None) -> requests.Response:
    return (session or requests.Session()).get(API, auth=auth, timeout=5)


def form(request) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in request.text.split("&"))


class TestOAuthGrants:
    def test_refresh_token_grant_is_form_encoded(self, requests_mock):
        requests_mock.post(TOKEN, json={"access_token": "a1", "expires_in": 3600})
        requests_mock.get(API, json={})
        call(refresh_auth())
        token_request = requests_mock.request_history[0]
        assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
        assert form(token_request) == {"grant_type": "refresh_token", "client_id": "cid",
                                       "client_secret": "csecret", "refresh_token": "rtoken"}
        assert requests_mock.last_request.headers["Authorization"] == "Bearer a1"

    def test_client_credentials_grant(self, requests_mock):
        requests_mock.post(TOKEN, json={"access_token": "a1", "expires_in": 3600})
        requests_mock.get(API, json={})
        call(ClientCredentialsAuthenticator(token_url=TOKEN, client_id="cid",
                                            client_secret="csecret"))
        assert form(requests_mock.request_history[0]) == {
            "grant_type": "client_credentials", "client_id": "cid", "client_secret": "csecret"}


class TestTokenLifetime:
    def test_token_is_reused_until_expiry(self, requests_mock):
        token = requests_mock.post(TOKEN, json={"access_token": "a1", "expires_in": 3600})
        requests_mock.get(API, json={})
        auth = refresh_auth()
        for _ in range(5):
            call(auth)
        assert token.call_count == 1

    def test_token_is_renewed_before_expires_in_runs_out(self, requests_mock):
        token = requests_mock.post(TOKEN, [{"json": {"access_token": "a1", "expires_in": 600}},
                                           {"json": {"access_token": "a2", "expires_in": 600}}])
        requests_mock.get(API, json={})
        auth = refresh_auth()
        call(auth)
        auth.last_refreshed -= timedelta(seconds=545)  # 55 s left: inside the safety margin
        call(auth)
        assert token.call_count == 2
        assert requests_mock.last_request.headers["Authorization"] == "Bearer a2"

    def test_rotated_refresh_token_is_kept(self, requests_mock):
        requests_mock.post(TOKEN, json={"access_token": "a1", "expires_in": 1,
                                        "refresh_token": "rtoken-2"})
        requests_mock.get(API, json={})
        auth = refresh_auth()
        call(auth)
        assert auth.oauth_request_body["refresh_token"] == "rtoken-2"


class TestReauthOn401:
    def test_one_new_token_and_one_retry(self, requests_mock):
        token = requests_mock.post(TOKEN, [{"json": {"access_token": "old", "expires_in": 3600}},
                                           {"json": {"access_token": "new", "expires_in": 3600}}])
        api = requests_mock.get(API, [{"status_code": 401, "json": {}},
                                      {"status_code": 200, "json": {"ok": 1}}])
        response = call(refresh_auth())
        assert response.status_code == 200 and response.json() == {"ok": 1}
        assert token.call_count == 2 and api.call_count == 2
        assert api.request_history[1].headers["Authorization"] == "Bearer new"

    def test_second_401_is_returned_not_retried_forever(self, requests_mock):
        requests_mock.post(TOKEN, json={"access_token": "x", "expires_in": 3600})
        api = requests_mock.get(API, status_code=401, json={})
        assert call(refresh_auth()).status_code == 401
        assert api.call_count == 2


class TestTokenEndpointFailures:
    def test_rejected_credentials_give_one_clear_line_without_secrets(self, requests_mock):
        requests_mock.post(TOKEN, status_code=400,
                           json={"error": "invalid_grant", "echo": "csecret rtoken"})
        with pytest.raises(ConfigError) as raised:
            call(refresh_auth())
        message = str(raised.value)
        assert "HTTP 400" in message and "invalid_grant" in message and TOKEN in message
        assert "check client_id, client_secret, refresh_token" in message
        assert "csecret" not in message and "rtoken" not in message and "\n" not in message

    def test_transient_token_failures_are_retried(self, requests_mock):
        token = requests_mock.post(TOKEN, [{"status_code": 503},
                                           {"exc": requests.exceptions.ConnectTimeout},
                                           {"json": {"access_token": "a1", "expires_in": 60}}])
        requests_mock.get(API, json={})
        assert call(refresh_auth()).status_code == 200
        assert token.call_count == 3

    def test_unreachable_token_endpoint_gives_up(self, requests_mock):
        requests_mock.post(TOKEN, exc=requests.exceptions.ConnectionError)
        with pytest.raises(TapError, match="could not reach the token endpoint"):
            call(refresh_auth(max_retries=1))

    def test_answer_without_access_token(self, requests_mock):
        requests_mock.post(TOKEN, json={"token_type": "Bearer"})
        with pytest.raises(TapError, match="without an access_token"):
            call(refresh_auth())


def test_basic_and_api_key_headers(requests_mock):
    requests_mock.get(API, json={})
    call(BasicAuthenticator(username="eu-west-000001", password="pw"))
    expected = base64.b64encode(b"eu-west-000001:pw").decode()
    assert requests_mock.last_request.headers["Authorization"] == f"Basic {expected}"
    call(APIKeyAuthenticator(key="X-API-Key", value="k-123", location="header"))
    assert requests_mock.last_request.headers["X-API-Key"] == "k-123"


def test_cut_off_token_answer_is_retried(requests_mock):
    token = requests_mock.post(TOKEN, [{"text": '{"access_tok', "status_code": 200},
                                       {"json": {"access_token": "a1", "expires_in": 60}}])
    requests_mock.get(API, json={})
    assert call(refresh_auth()).status_code == 200
    assert token.call_count == 2


def test_url_encoded_secrets_are_masked_too(requests_mock):
    auth = RefreshTokenAuthenticator(token_url=TOKEN, client_id="cid", client_secret="s+cr/t=1",
                                     refresh_token="rtoken", backoff_factor=0)
    requests_mock.post(TOKEN, status_code=400,
                       text="got client_secret=s%2Bcr%2Ft%3D1&refresh_token=rtoken")
    with pytest.raises(ConfigError) as raised:
        call(auth)
    assert "s%2Bcr%2Ft%3D1" not in str(raised.value) and "rtoken" not in str(raised.value)
