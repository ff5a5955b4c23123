"""tap-thrive's requests (auth, paging, time windows, bookmarks) against requests-mock."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock

from tap_thrive.tap import TapThrive
from tapkit import TapError

API = "https://thrive.test/rest/v1"
SECRET = "unit-thrive-key-7f3a"
CONFIG = {"username": "eu-west-000001", "password": SECRET, "api_url": API,
          "start_date": "2024-01-01T00:00:00Z", "backoff_factor": 0}
PATHS = {"content": "/contents", "users": "/users", "activities": "/activities"}


def query(request) -> dict[str, str]:
    """The request's query (requests-mock's ``qs`` lower-cases values)."""
    return {k: v[-1] for k, v in parse_qs(urlsplit(request.url).query).items()}


class Pages:
    """Answers ``page``/``perPage`` over ``records`` as Thrive does."""

    def __init__(self, records: list[dict], pagination: bool = True) -> None:
        self.records, self.pagination = records, pagination

    def __call__(self, request, context) -> dict:
        q = query(request)
        page, per_page = int(q["page"]), int(q["perPage"])
        body: dict = {"results": self.records[(page - 1) * per_page: page * per_page]}
        if self.pagination:
            body["pagination"] = {"totalResults": len(self.records), "page": page,
                                  "perPage": per_page,
                                  "totalPages": -(-len(self.records) // per_page)}
        return body


def content(n: int, updated: str = "2024-03-01T00:00:00.000Z") -> dict:
    return {"id": f"c{n:03d}", "title": f"Item {n}", "updatedAt": updated}


def activity(n: int, date: str = "2024-03-01T00:00:00.000Z") -> dict:
    return {"id": f"a{n:03d}", "date": date, "type": "viewed", "user": "u1", "data": {}}


def serve(mock: requests_mock.Mocker, **lists: list[dict]) -> None:
    for stream, path in PATHS.items():
        mock.get(API + path, json=Pages(lists.get(stream, [])))


def sync(capsys, config: dict | None = None, state: dict | None = None,
         streams: tuple[str, ...] = tuple(PATHS)) -> tuple[TapThrive, list[dict]]:
    """Run a whole sync in-process; the tap and the Singer messages it wrote."""
    tap = TapThrive(config={**CONFIG, **(config or {})}, state=state)
    for name, stream in tap.streams.items():
        stream.selected = name in streams
    capsys.readouterr()
    tap.sync_all()
    out = capsys.readouterr().out
    return tap, [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def records(messages: list[dict], stream: str) -> list[dict]:
    return [m["record"] for m in messages if m["type"] == "RECORD" and m["stream"] == stream]


def bookmarks(messages: list[dict]) -> dict:
    return [m["value"] for m in messages if m["type"] == "STATE"][-1]["bookmarks"]


def calls(mock: requests_mock.Mocker, stream: str) -> list[dict[str, str]]:
    return [query(r) for r in mock.request_history if r.path.endswith(PATHS[stream])]


def test_basic_auth_and_page_numbers_from_one(capsys):
    with requests_mock.Mocker() as mock:
        serve(mock, content=[content(n) for n in range(5)])
        _, messages = sync(capsys, {"page_size": 2}, streams=("content",))
    token = base64.b64encode(f"eu-west-000001:{SECRET}".encode()).decode()
    assert all(r.headers["Authorization"] == f"Basic {token}" for r in mock.request_history)
    assert all(r.headers["User-Agent"].startswith("tap-thrive/") for r in mock.request_history)
    assert calls(mock, "content") == [{"page": "1", "perPage": "2"}, {"page": "2", "perPage": "2"},
                                      {"page": "3", "perPage": "2"}]
    assert [r["id"] for r in records(messages, "content")] == [f"c{n:03d}" for n in range(5)]


def test_default_page_size_is_200(capsys):
    with requests_mock.Mocker() as mock:
        serve(mock, users=[content(1)])
        sync(capsys, streams=("users",))
    assert calls(mock, "users") == [{"page": "1", "perPage": "200"}]


@pytest.mark.parametrize(("pagination", "count", "expected_pages"), [
    (True, 4, 2),    # totalPages reached after a full page: no third request
    (False, 4, 3),   # no pagination object: a full page is followed by an empty one
    (False, 3, 2),   # a short page ends it
    (True, 0, 1),    # an empty first page
])
def test_paging_stops_at_total_pages_or_a_short_or_empty_page(capsys, pagination, count,
                                                                expected_pages):
    with requests_mock.Mocker() as mock:
        mock.get(API + "/contents", json=Pages([content(n) for n in range(count)], pagination))
        _, messages = sync(capsys, {"page_size": 2}, streams=("content",))
    assert len(calls(mock, "content")) == expected_pages
    assert len(records(messages, "content")) == count


def test_first_sync_of_content_and_users_ignores_start_date(capsys):
    old = "2019-05-05T00:00:00.000Z"
    with requests_mock.Mocker() as mock:
        serve(mock, content=[content(1, old)], users=[content(2, old)])
        _, messages = sync(capsys, {"start_date": "2024-06-01T00:00:00Z"},
                           streams=("content", "users"))
    assert all("updatedSince" not in q for s in ("content", "users") for q in calls(mock, s))
    assert len(records(messages, "content")) == len(records(messages, "users")) == 1


def test_later_sync_sends_the_bookmark_as_updated_since_on_every_page(capsys):
    state = {"bookmarks": {
        "content": {"replication_key": "updatedAt",
                    "replication_key_value": "2024-05-01T10:00:00.123Z"},
        "users": {"replication_key": "updatedAt",
                  "replication_key_value": "2024-05-02T08:30:00.5+02:00"}}}
    with requests_mock.Mocker() as mock:
        serve(mock, content=[content(n, "2024-05-01T10:00:00.123Z") for n in range(3)],
              users=[content(9, "2024-05-02T06:30:00.500Z")])
        _, messages = sync(capsys, {"page_size": 2, "start_date": "2025-01-01T00:00:00Z"},
                           state=state, streams=("content", "users"))
    assert {q["updatedSince"] for q in calls(mock, "content")} == {"2024-05-01T10:00:00.123Z"}
    assert len(calls(mock, "content")) == 2
    assert [q["updatedSince"] for q in calls(mock, "users")] == ["2024-05-02T06:30:00.500Z"]
    # a record exactly at the bookmark is emitted again and keeps the bookmark
    assert len(records(messages, "content")) == 3
    assert bookmarks(messages)["content"]["replication_key_value"] == "2024-05-01T10:00:00.123Z"


def test_the_bookmark_is_the_largest_value_whatever_the_order(capsys):
    stamps = ["2024-03-05T00:00:00.000Z", "2024-04-01T12:00:00.999Z", "2024-02-01T00:00:00.000Z"]
    with requests_mock.Mocker() as mock:
        serve(mock, content=[content(n, s) for n, s in enumerate(stamps)],
              activities=[activity(n, s) for n, s in enumerate(stamps)])
        tap, messages = sync(capsys, streams=("content", "activities"))
    assert not tap.streams["content"].is_sorted
    marks = bookmarks(messages)
    assert marks["content"]["replication_key_value"] == "2024-04-01T12:00:00.999Z"
    assert marks["activities"]["replication_key_value"] == "2024-04-01T12:00:00.999Z"


def test_activities_window_from_start_date_to_end_date(capsys):
    with requests_mock.Mocker() as mock:
        serve(mock, activities=[activity(n) for n in range(3)])
        sync(capsys, {"start_date": "2024-01-02T03:04:05.678+01:00",
                      "end_date": "2024-06-30T23:59:59Z", "page_size": 2},
             streams=("activities",))
    assert calls(mock, "activities") == [
        {"timestampFrom": "2024-01-02 02:04:05", "timestampTo": "2024-06-30 23:59:59",
         "page": str(page), "perPage": "2"} for page in (1, 2)]


def test_activities_window_ends_at_the_run_start_on_every_page(capsys):
    pages = Pages([activity(n) for n in range(5)])

    def slow_first_page(request, context):  # the clock moves on to a later second meanwhile
        if query(request)["page"] == "1":
            time.sleep(1.001 - time.time() % 1)
        return pages(request, context)

    with requests_mock.Mocker() as mock:
        mock.get(API + "/activities", json=slow_first_page)
        tap, _ = sync(capsys, {"page_size": 2}, streams=("activities",))
    windows = {(q["timestampFrom"], q["timestampTo"]) for q in calls(mock, "activities")}
    assert len(calls(mock, "activities")) == 3
    assert windows == {("2024-01-01 00:00:00",
                        tap.sync_started_at.strftime("%Y-%m-%d %H:%M:%S"))}


@pytest.mark.parametrize(("bookmark", "expected_from"), [
    ("2024-04-01T12:00:00.999Z", "2024-04-01 12:00:00"),  # the second of the bookmark: re-read
    ("2023-06-01T00:00:00.000Z", "2024-01-01 00:00:00"),  # start_date moved later wins
])
def test_activities_resume_from_the_bookmark(capsys, bookmark, expected_from):
    state = {"bookmarks": {"activities": {"replication_key": "date",
                                          "replication_key_value": bookmark}}}
    with requests_mock.Mocker() as mock:
        serve(mock, activities=[activity(1, bookmark)])
        _, messages = sync(capsys, state=state, streams=("activities",))
    assert [q["timestampFrom"] for q in calls(mock, "activities")] == [expected_from]
    if expected_from.startswith("2024-04"):
        assert [r["id"] for r in records(messages, "activities")] == ["a001"]


def test_no_request_when_the_bookmark_is_past_end_date(capsys):
    state = {"bookmarks": {"activities": {"replication_key": "date",
                                          "replication_key_value": "2024-08-01T00:00:00Z"}}}
    with requests_mock.Mocker() as mock:
        serve(mock)
        sync(capsys, {"end_date": "2024-07-01T00:00:00Z"}, state=state, streams=("activities",))
    assert calls(mock, "activities") == []


def test_a_401_is_one_fatal_line_without_the_key(capsys):
    with requests_mock.Mocker() as mock:
        mock.get(API + "/contents", status_code=401, json={"message": "Unauthorized"})
        with pytest.raises(TapError) as caught:
            sync(capsys, streams=("content",))
    text = str(caught.value)
    assert text.startswith("content: HTTP 401") and "tenant id" in text and "\n" not in text
    assert SECRET not in text and len(mock.request_history) == 1


def test_429_and_5xx_are_retried_but_400_is_not(capsys):
    with requests_mock.Mocker() as mock:
        mock.get(API + "/users", [{"status_code": 429, "json": {}},
                                  {"status_code": 503, "json": {}},
                                  {"json": Pages([content(1)])}])
        _, messages = sync(capsys, streams=("users",))
        assert len(records(messages, "users")) == 1
        mock.get(API + "/contents", status_code=400, json={"message": "perPage too large"})
        with pytest.raises(TapError, match=r"content: HTTP 400 .*perPage too large"):
            sync(capsys, streams=("content",))
    assert len(calls(mock, "content")) == 1
