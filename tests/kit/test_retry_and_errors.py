"""The retry policy (statuses, waits, Retry-After, exhaustion) and the fatal-error message."""

from __future__ import annotations

import email.utils
import threading
import time

import pytest
import requests

from tap_classroom.tap import TapClassroom
from tapkit import TapError
from tapkit.retry import RetryPolicy, retry_after_seconds

API = "https://classroom.example.com/v1"
TOKEN = "https://oauth.example.com/token"
SECRET = "very-secret-client-secret"
CONFIG = {"client_id": "cid", "client_secret": SECRET, "refresh_token": "very-secret-refresh",
          "api_url": API, "token_url": TOKEN, "max_requests_per_second": 0}


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Record backoff's sleeps instead of sleeping."""
    waited: list[float] = []
    test_thread = threading.get_ident()

    def record(seconds: float) -> None:  # a worker left over by an earlier test is not ours
        if threading.get_ident() == test_thread:
            waited.append(seconds)

    monkeypatch.setattr("tapkit.retry.sleep", record)
    monkeypatch.setattr("tapkit.auth.sleep", record)
    return waited


@pytest.fixture
def courses(requests_mock):
    """The courses stream of a tap whose token endpoint answers."""
    requests_mock.post(TOKEN, json={"access_token": "tok-1", "expires_in": 3600})
    return TapClassroom(config=CONFIG).streams["courses"]


def response_with(headers: dict) -> requests.Response:
    response = requests.Response()
    response.headers.update(headers)
    return response


class TestWaits:
    def test_exponential_from_backoff_factor(self):
        policy = RetryPolicy(backoff_factor=2)
        assert [policy.wait(n, None) for n in range(1, 5)] == [2, 4, 8, 16]

    def test_factor_is_a_setting(self):
        policy = RetryPolicy(backoff_factor=0.5)
        assert [policy.wait(n, None) for n in range(1, 4)] == [0.5, 1, 2]

    def test_retry_after_seconds_and_http_date(self):
        assert retry_after_seconds(response_with({"Retry-After": "7"})) == 7
        when = email.utils.formatdate(time.time() + 30, usegmt=True)
        assert 28 <= retry_after_seconds(response_with({"Retry-After": when})) <= 30
        assert retry_after_seconds(response_with({"Retry-After": "soon"})) is None
        assert retry_after_seconds(response_with({})) is None


class TestStreamRetries:
    def test_429_and_5xx_are_retried_with_retry_after_winning(self, courses, requests_mock,
                                                             sleeps):
        requests_mock.get(f"{API}/courses", [
            {"status_code": 429, "headers": {"Retry-After": "7"}, "json": {}},
            {"status_code": 503, "json": {}},
            {"status_code": 200, "json": {"courses": [{"id": "1"}]}},
        ])
        assert [r["id"] for r in courses.get_records(None)] == ["1"]
        assert sleeps == [7, 4]

    @pytest.mark.parametrize("status", [500, 502, 504])
    def test_other_retry_statuses(self, courses, requests_mock, sleeps, status):
        requests_mock.get(f"{API}/courses", [{"status_code": status, "json": {}},
                                             {"json": {"courses": [{"id": "1"}]}}])
        assert len(list(courses.get_records(None))) == 1

    def test_connection_errors_and_timeouts_are_retried(self, courses, requests_mock, sleeps):
        requests_mock.get(f"{API}/courses", [
            {"exc": requests.exceptions.ConnectionError("reset")},
            {"exc": requests.exceptions.ReadTimeout("slow")},
            {"json": {"courses": [{"id": "1"}]}}])
        assert len(list(courses.get_records(None))) == 1
        assert sleeps == [2, 4]

    def test_truncated_json_is_retried(self, courses, requests_mock, sleeps):
        requests_mock.get(f"{API}/courses", [
            {"text": '{"courses": [{"id": "1"}, {"id"', "headers": {"Content-Type":
                                                                    "application/json"}},
            {"json": {"courses": [{"id": "1"}]}}])
        assert len(list(courses.get_records(None))) == 1

    def test_exhaustion_names_stream_url_and_status(self, courses, requests_mock, sleeps):
        requests_mock.get(f"{API}/courses", status_code=503, text="upstream unavailable")
        with pytest.raises(TapError) as raised:
            list(courses.get_records(None))
        message = str(raised.value)
        assert message.startswith("courses: HTTP 503")
        assert f"{API}/courses" in message and "upstream unavailable" in message
        assert "gave up after 4 tries" in message
        assert sleeps == [2, 4, 8]
        assert requests_mock.call_count == 1 + 4

    def test_max_retries_setting(self, requests_mock, sleeps):
        requests_mock.post(TOKEN, json={"access_token": "t", "expires_in": 3600})
        requests_mock.get(f"{API}/courses", status_code=500)
        stream = TapClassroom(config={**CONFIG, "max_retries": 1}).streams["courses"]
        with pytest.raises(TapError, match="gave up after 2 tries"):
            list(stream.get_records(None))

    @pytest.mark.parametrize("status", [400, 403, 404])
    def test_other_4xx_are_fatal_at_once(self, courses, requests_mock, sleeps, status):
        requests_mock.get(f"{API}/courses", status_code=status,
                          json={"error": {"message": "Requested entity was not found."}})
        with pytest.raises(TapError, match=f"courses: HTTP {status} .*Requested entity"):
            list(courses.get_records(None))
        assert sleeps == []

    def test_no_secret_in_error_even_when_the_api_echoes_it(self, courses, requests_mock, sleeps):
        requests_mock.get(f"{API}/courses", status_code=400,
                          text=f"bad request: client_secret={SECRET} Authorization: Bearer tok-1")
        with pytest.raises(TapError) as raised:
            list(courses.get_records(None))
        assert SECRET not in str(raised.value) and "tok-1" not in str(raised.value)

    def test_object_where_list_belongs_names_stream_and_url(self, courses, requests_mock):
        requests_mock.get(f"{API}/courses", json={"courses": {"id": "1"}})
        with pytest.raises(TapError, match=r"^courses: expected a list .*/v1/courses, got dict"):
            list(courses.get_records(None))


def test_user_agent_and_timeout_come_from_settings(requests_mock):
    requests_mock.post(TOKEN, json={"access_token": "t", "expires_in": 3600})
    requests_mock.get(f"{API}/courses", json={"courses": []})
    stream = TapClassroom(config={**CONFIG, "user_agent": "acme-etl (data@acme.test)",
                                  "request_timeout": 7}).streams["courses"]
    list(stream.get_records(None))
    assert requests_mock.last_request.headers["User-Agent"] == "acme-etl (data@acme.test)"
    assert requests_mock.last_request.timeout == 7


def test_default_user_agent_names_tap_version_and_project(requests_mock):
    requests_mock.post(TOKEN, json={"access_token": "t", "expires_in": 3600})
    requests_mock.get(f"{API}/courses", json={})
    list(TapClassroom(config=CONFIG).streams["courses"].get_records(None))
    agent = requests_mock.last_request.headers["User-Agent"]
    assert agent.startswith("tap-classroom/") and "github.com" in agent
