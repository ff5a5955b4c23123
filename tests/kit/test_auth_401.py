"""401s under concurrency: a token another worker replaced meanwhile gets the current token and
another try, a bounded number of times; each request gets one token refresh of its own, after
which a 401 is final; the final 401's hint."""

from __future__ import annotations

import requests

from tapkit import RefreshTokenAuthenticator
from tapkit.auth import MAX_401_RETRIES

TOKEN = "https://auth.example.com/token"
API = "https://api.example.com/v1/things"


def auth() -> RefreshTokenAuthenticator:
    return RefreshTokenAuthenticator(token_url=TOKEN, client_id="cid", client_secret="csecret",
                                     refresh_token="rtoken", backoff_factor=0)


def call(authenticator) -> requests.Response:
    return requests.Session().get(API, auth=authenticator, timeout=5)


def tokens(requests_mock, *names: str):
    return requests_mock.post(TOKEN, [{"json": {"access_token": n, "expires_in": 3600}}
                                      for n in names])


def sent(requests_mock) -> list[str]:
    return [r.headers["Authorization"][7:] for r in requests_mock.request_history
            if r.url == API]


def test_a_retry_refused_for_a_replaced_token_gets_the_current_one(requests_mock):
    """Another worker replaced the token while this request's retry was in flight."""
    authenticator = auth()
    tokens(requests_mock, "t1", "t2", "t3")
    replaced = []

    def answer(request, context):
        used = request.headers["Authorization"][7:]
        if used == "t2" and not replaced:  # meanwhile, another worker got t3
            authenticator.invalidate("t2")
            authenticator.ensure_token()
            replaced.append(True)
        context.status_code = 401 if used in ("t1", "t2") else 200
        return {}

    requests_mock.get(API, json=answer)
    assert call(authenticator).status_code == 200
    assert sent(requests_mock) == ["t1", "t2", "t3"]


def test_a_request_whose_token_a_worker_replaced_still_gets_its_own_refresh(requests_mock):
    """Its first retry went out with the token another worker had fetched, which was refused
    too: this request has not had its own refresh yet, so it gets one."""
    authenticator = auth()
    tokens(requests_mock, "t1", "t2", "t3")
    requests_mock.get(API, [{"json": {}}, {"status_code": 401, "json": {}},
                            {"status_code": 401, "json": {}}, {"json": {}}])
    assert call(authenticator).status_code == 200  # t1 accepted
    authenticator.invalidate("t1")
    authenticator.ensure_token()  # meanwhile another worker replaced t1 with t2
    request = requests.Request("GET", API, headers={"Authorization": "Bearer t1"}).prepare()
    response = requests.Session().send(request, timeout=5)
    assert authenticator._reauth_on_401(response).status_code == 200
    assert sent(requests_mock) == ["t1", "t1", "t2", "t3"]


def test_after_its_own_refresh_a_refused_token_is_final_even_once_one_was_accepted(
        requests_mock):
    """The contract: one token refresh and one retry, then the 401 is fatal."""
    authenticator = auth()
    token = tokens(requests_mock, "t1", "t2", "t3")
    requests_mock.get(API, [{"json": {}}, {"status_code": 401, "json": {}}])
    assert call(authenticator).status_code == 200  # t1 accepted
    assert call(authenticator).status_code == 401  # t1 refused, then t2 refused
    assert sent(requests_mock) == ["t1", "t1", "t2"]
    assert token.call_count == 2


def test_the_retries_are_bounded(requests_mock):
    """Tokens replaced by other workers after every refusal: at most MAX_401_RETRIES tries."""
    authenticator = auth()
    token = requests_mock.post(TOKEN, [{"json": {"access_token": f"t{n}", "expires_in": 3600}}
                                       for n in range(1, 10)])

    def answer(request, context):
        authenticator.invalidate()
        authenticator.ensure_token()  # meanwhile another worker replaced the token
        context.status_code = 401
        return {}

    requests_mock.get(API, json=answer)
    assert call(authenticator).status_code == 401
    assert len(sent(requests_mock)) == 1 + MAX_401_RETRIES
    assert token.call_count == 1 + 1 + MAX_401_RETRIES


def test_a_new_token_refused_before_any_was_accepted_is_final(requests_mock):
    authenticator = auth()
    tokens(requests_mock, "t1", "t2", "t3")
    requests_mock.get(API, status_code=401, json={})
    assert call(authenticator).status_code == 401
    assert sent(requests_mock) == ["t1", "t2"]
    assert "scopes" in authenticator.unauthorized_hint()


def test_the_final_hint_does_not_blame_credentials_the_api_accepted(requests_mock):
    authenticator = auth()
    tokens(requests_mock, "t1", "t2", "t3", "t4")
    requests_mock.get(API, [{"json": {}}, {"status_code": 401, "json": {}}])
    call(authenticator)
    assert call(authenticator).status_code == 401
    hint = authenticator.unauthorized_hint()
    assert "revoked" in hint and "client_secret" not in hint


def test_a_request_that_carried_no_token_is_not_resent_with_one(requests_mock):
    """A redirect to another host drops the Authorization header: a 401 from there gets
    nothing (the origin guard stops such redirects before they are sent anyway)."""
    authenticator = auth()
    tokens(requests_mock, "t1")
    response = requests.Response()
    response.status_code = 401
    response.request = requests.Request("GET", API).prepare()
    assert authenticator._reauth_on_401(response) is response
