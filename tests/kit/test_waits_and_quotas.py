"""The retry policy's waits (max_retry_wait, unusable Retry-After), quota answers and per-API
quota waits, with plain responses and requests-mock."""

from __future__ import annotations

import email.utils
import threading
import time

import pytest
import requests

from tap_classroom.tap import TapClassroom
from tapkit import TapError
from tapkit.quotas import QuotaWait, RefillHeaderWait, is_quota_answer
from tapkit.retry import RetryPolicy, WaitTooLong, retry_after_seconds

API = "https://classroom.example.com/v1"
TOKEN = "https://oauth.example.com/token"
CONFIG = {"client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken",
          "api_url": API, "token_url": TOKEN, "max_requests_per_second": 0}


def answer(status: int = 429, json: object = None, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    response._content = requests.compat.json.dumps(json).encode() if json is not None else b""
    response.url = f"{API}/courses"
    return response


@pytest.mark.parametrize("value", ["NaN", "nan", "inf", "-inf", "-5", "soon", "", "1e999",
                                   "Mon, 99 Foo 2024 00:00:00 GMT"])
def test_unusable_retry_after_counts_as_absent(value):
    assert retry_after_seconds(answer(**{"Retry-After": value})) is None


def test_retry_after_in_the_past_means_now_and_is_not_capped():
    past = email.utils.formatdate(time.time() - 60, usegmt=True)
    assert retry_after_seconds(answer(**{"Retry-After": past})) == 0
    assert retry_after_seconds(answer(**{"Retry-After": "3600"})) == 3600


class TestMaxRetryWait:
    def test_an_asked_wait_beyond_it_is_fatal_and_says_how_long(self):
        policy = RetryPolicy(max_wait=600)
        assert policy.wait(1, answer(**{"Retry-After": "600"})) == 600
        with pytest.raises(WaitTooLong, match=r"asks to wait 601 s .*max_retry_wait \(600 s\)"):
            policy.wait(1, answer(**{"Retry-After": "601"}))

    def test_backoff_is_cut_to_it(self):
        policy = RetryPolicy(backoff_factor=100, max_wait=150)
        assert [policy.wait(n, None) for n in (1, 2, 3)] == [100, 150, 150]

    def test_quota_waits_are_cut_to_it(self):
        policy = RetryPolicy(max_wait=20, quota_wait=QuotaWait(window=60))
        assert [policy.wait(n, answer()) for n in (1, 2, 3)] == [15, 20, 20]


class TestQuotaAnswers:
    def test_429_is_one(self):
        assert is_quota_answer(answer(429))

    @pytest.mark.parametrize("reason", ["rateLimitExceeded", "userRateLimitExceeded"])
    def test_a_google_403_with_a_rate_limit_reason_is_one(self, reason):
        body = {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Rate Limit",
                          "errors": [{"domain": "usageLimits", "reason": reason}]}}
        assert is_quota_answer(answer(403, body))

    def test_the_error_info_form_is_one(self):
        body = {"error": {"code": 403, "details": [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
             "reason": "RATE_LIMIT_EXCEEDED"}]}}
        assert is_quota_answer(answer(403, body))

    @pytest.mark.parametrize("body", [
        {"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "The caller does not "
                   "have permission", "errors": [{"reason": "forbidden"}]}},
        {"error": "rateLimitExceeded"}, ["rateLimitExceeded"], None])
    def test_other_403s_are_not(self, body):
        assert not is_quota_answer(answer(403, body))

    def test_a_non_json_403_is_not(self):
        response = answer(403)
        response._content = b"<html>rateLimitExceeded</html>"
        assert not is_quota_answer(response)


class TestQuotaWaits:
    def test_classroom_doubles_up_to_its_minute(self):
        window = QuotaWait(window=60)
        assert [window.seconds(n, 3) for n in (1, 2, 3)] == [15, 30, 60]
        assert window.seconds(1, 1) == 60

    def test_primetric_waits_past_its_30_seconds(self):
        window = QuotaWait(window=30, minimum=31)
        assert [window.seconds(n, 3) for n in (1, 2, 3)] == [31, 31, 31]

    def test_only_quota_answers_get_the_quota_wait(self):
        policy = RetryPolicy(backoff_factor=2, quota_wait=QuotaWait(window=60))
        assert policy.wait(1, answer(503)) == 2
        assert policy.wait(1, None) == 2
        assert policy.wait(1, answer(429)) == 15
        assert policy.wait(1, answer(429, **{"Retry-After": "3"})) == 3  # the header wins

    def test_the_refill_header_waits_uncapped_and_ignores_nonsense(self):
        refill = RefillHeaderWait()
        assert refill(answer(429, **{"X-RateLimit-Refill": "3600"})) == 3600.25
        assert refill(answer(429, **{"X-RateLimit-Refill": "NaN"})) is None
        assert refill(answer(429, **{"X-RateLimit-Refill": "5",
                                     "X-RateLimit-Remaining": "3"})) is None


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    waited: list[float] = []
    test_thread = threading.get_ident()

    def record(seconds: float) -> None:  # a worker left over by an earlier test is not ours
        if threading.get_ident() == test_thread:
            waited.append(seconds)

    monkeypatch.setattr("tapkit.retry.sleep", record)
    return waited


def courses(requests_mock, **config):
    requests_mock.post(TOKEN, json={"access_token": "tok", "expires_in": 3600})
    return TapClassroom(config={**CONFIG, **config}).streams["courses"]


def test_a_google_rate_limit_403_is_retried_after_the_quota_wait(requests_mock, sleeps):
    stream = courses(requests_mock)
    limited = {"error": {"code": 403, "errors": [{"reason": "userRateLimitExceeded"}]}}
    requests_mock.get(f"{API}/courses", [{"status_code": 403, "json": limited},
                                         {"json": {"courses": [{"id": "1"}]}}])
    assert [r["id"] for r in stream.get_records(None)] == ["1"]
    assert sleeps == [15]


def test_a_403_about_permissions_stays_fatal_at_once(requests_mock, sleeps):
    stream = courses(requests_mock)
    denied = {"error": {"code": 403, "status": "PERMISSION_DENIED",
                        "message": "The caller does not have permission"}}
    requests_mock.get(f"{API}/courses", status_code=403, json=denied)
    with pytest.raises(TapError, match="HTTP 403"):
        list(stream.get_records(None))
    assert sleeps == []


def test_a_retry_after_beyond_max_retry_wait_ends_at_once(requests_mock, sleeps):
    stream = courses(requests_mock, max_retry_wait=60)
    api = requests_mock.get(f"{API}/courses", status_code=429, headers={"Retry-After": "61"},
                            json={})
    with pytest.raises(TapError, match="asks to wait 61 s"):
        list(stream.get_records(None))
    assert api.call_count == 1 and sleeps == []
