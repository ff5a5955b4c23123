"""tapkit.access: which answers are access problems, the skip bookkeeping, and what stays fatal."""

from __future__ import annotations

import re

import pytest
import requests

from tap_basecamp.tap import TapBasecamp
from tap_classroom.tap import TapClassroom
from tapkit import TapError
from tapkit.access import AccessReport, is_inaccessible

API = "https://classroom.example.com/v1"
TOKEN = "https://oauth.example.com/token"
CONFIG = {"client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken",
          "api_url": API, "token_url": TOKEN, "max_requests_per_second": 0, "max_retries": 0,
          "max_concurrency": 1}
QUOTA_403 = {"error": {"code": 403, "message": "Quota exceeded", "status": "PERMISSION_DENIED",
                       "errors": [{"reason": "userRateLimitExceeded", "domain": "usageLimits"}]}}
DENIED_403 = {"error": {"code": 403, "message": "The caller does not have permission",
                        "status": "PERMISSION_DENIED"}}


def answer(status: int, body: bytes = b"{}", **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code, response._content = status, body
    response.headers.update(headers)
    return response


@pytest.mark.parametrize(("response", "expected"), [
    (answer(403, b'{"error": {"status": "PERMISSION_DENIED"}}'), True),
    (answer(404), True),
    (answer(404, b"", Reason="Not Found"), True),
    (answer(403, b"not json"), True),
    (answer(403, b'{"error": {"errors": [{"reason": "rateLimitExceeded"}]}}'), False),
    (answer(403, b'{"error": {"details": [{"reason": "userRateLimitExceeded"}]}}'), False),
    (answer(404, b'{"status": 404}', Reason="Account Inactive"), False),
    (answer(400), False),
    (answer(401), False),
    (answer(429), False),
])
def test_which_answers_are_access_problems(response, expected):
    assert is_inaccessible(response) is expected


def test_summary_names_stream_count_and_status():
    report = AccessReport()
    assert report.summary() is None
    report.counts.update({("coursework", 403, False): 2, ("guardians", 403, True): 1,
                          ("teachers", 404, False): 1})
    assert report.summary().endswith(
        "(stream, partitions, status): coursework 2 (HTTP 403), guardians whole stream "
        "(HTTP 403), teachers 1 (HTTP 404)")


@pytest.fixture
def classroom(requests_mock):
    """Two courses; every list under them empty unless a test says otherwise."""
    requests_mock.post(TOKEN, json={"access_token": "tok", "expires_in": 3600})
    requests_mock.get(f"{API}/courses", json={"courses": [{"id": "c1"}, {"id": "c2"}]})
    requests_mock.get(re.compile(rf"{re.escape(API)}/courses/c\d/.*"), json={})
    requests_mock.get(re.compile(rf"{re.escape(API)}/(invitations|userProfiles/-/).*"), json={})
    return requests_mock


def test_a_skipped_partition_is_recorded_and_the_hook_called(classroom, capsys):
    classroom.get(f"{API}/courses/c1/courseWork", status_code=403, json=DENIED_403)
    tap = TapClassroom(config=CONFIG)
    calls = []
    stream = tap.streams["coursework"]
    stream.on_partition_skipped = lambda context, status: calls.append((dict(context), status))
    report = tap.access
    tap.sync_all()
    assert calls == [({"courseId": "c1"}, 403)]
    assert report.was_skipped("coursework", {"courseId": "c1"})
    assert not report.was_skipped("coursework", {"courseId": "c2"})
    assert not report.was_skipped("teachers", {"courseId": "c1"})
    assert report.counts == {("coursework", 403, False): 1}


def test_googles_quota_403_is_not_an_access_problem(classroom):
    classroom.get(f"{API}/courses/c1/courseWork", status_code=403, json=QUOTA_403)
    with pytest.raises(TapError, match=r"coursework: HTTP 403 .*userRateLimitExceeded"):
        TapClassroom(config=CONFIG).sync_all()


def test_a_top_level_404_after_the_first_request_stays_fatal(classroom):
    classroom.get(f"{API}/courses", [{"json": {"courses": [{"id": "c1"}],
                                               "nextPageToken": "p2"}},
                                     {"status_code": 404, "json": {}}])
    with pytest.raises(TapError, match="courses: HTTP 404"):
        TapClassroom(config=CONFIG).sync_all()


def test_basecamp_account_inactive_stays_fatal_on_a_child(requests_mock):
    api = "https://3.basecampapi.com/12345"
    requests_mock.post("https://launchpad.37signals.com/authorization/token",
                       json={"access_token": "at", "expires_in": 1209600})
    requests_mock.get(re.compile(rf"{re.escape(api)}/projects/recordings\.json.*"), json=[])
    requests_mock.get(f"{api}/projects.json", json=[{"id": 7, "name": "P"}])
    requests_mock.get(f"{api}/chats.json", json=[])
    requests_mock.get(f"{api}/people.json", json=[])
    requests_mock.get(f"{api}/projects/7.json", status_code=404, json={"status": 404},
                      headers={"Reason": "Account Inactive"})
    tap = TapBasecamp(config={"account_id": "12345", "client_id": "c", "client_secret": "s",
                              "refresh_token": "r", "user_agent": "Acme (data@acme.example)",
                              "max_retries": 0, "max_concurrency": 1})
    with pytest.raises(TapError, match=r"schedules: HTTP 404 .*Reason: Account Inactive"):
        tap.sync_all()


def test_a_401_on_a_child_stays_fatal_after_the_one_refresh(classroom):
    classroom.get(f"{API}/courses/c1/teachers", status_code=401, json={})
    with pytest.raises(TapError, match="teachers: HTTP 401"):
        TapClassroom(config=CONFIG).sync_all()
    assert classroom.request_history[-1].url.endswith("/courses/c1/teachers")
    assert sum(r.url.endswith("/courses/c1/teachers") for r in classroom.request_history) == 2
