"""tap-systeme's requests, pagination, config checks and quota waits, with requests-mock."""

from __future__ import annotations

import json
import time
from email.utils import formatdate

import pytest
import requests
import requests_mock

from tap_systeme.streams import SystemeStream
from tap_systeme.tap import TapSysteme
from tapkit import ConfigError, TapError
from tapkit.retry import RetryPolicy, WaitTooLong

refill = SystemeStream.server_wait
REFILL_MARGIN = refill.margin

API = "https://api.systeme.io/api"
KEY = "unit-test-api-key-77"


def make_tap(**overrides) -> TapSysteme:
    return TapSysteme(config={"api_key": KEY, "backoff_factor": 0, **overrides})


def pages(key: str, values: list, size: int):
    """A requests-mock callback serving ``values`` (as records keyed by ``key``) in pages."""
    records = [{key: v, "name": f"n{v}"} for v in values]

    def answer(request, context):
        after = request.qs.get("startingafter", [None])[0]
        start = 0 if after is None else [str(r[key]).lower() for r in records].index(after) + 1
        page = records[start:start + size]
        return {"items": page, "hasMore": start + size < len(records)}

    return answer


def sync(tap: TapSysteme, stream: str) -> list[dict]:
    return list(tap.streams[stream].get_records(None))


def test_contacts_send_the_key_then_page_after_the_last_id():
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/contacts", json=pages("id", [907, 905, 903, 901, 899], 2))
        records = sync(make_tap(page_size=10), "contacts")
    assert [r["id"] for r in records] == [907, 905, 903, 901, 899]
    sent = mock.request_history
    assert all(r.headers["X-API-Key"] == KEY for r in sent)
    assert [r.qs for r in sent] == [{"limit": ["10"]},
                                    {"limit": ["10"], "startingafter": ["905"]},
                                    {"limit": ["10"], "startingafter": ["901"]}]


def test_contact_fields_page_after_the_last_slug():
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/contact_fields", json=pages("slug", ["phone", "city", "zip"], 2))
        records = sync(make_tap(), "contact_fields")
    assert [r["slug"] for r in records] == ["phone", "city", "zip"]
    assert mock.request_history[1].qs == {"limit": ["100"], "startingafter": ["city"]}


@pytest.mark.parametrize(("stream", "path"), [
    ("communities", "/community/communities"), ("tags", "/tags"),
    ("course_resources", "/school/courses")])
def test_paths_and_the_default_page_size(stream, path):
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}{path}", json={"items": [{"id": 1}], "hasMore": False})
        assert sync(make_tap(), stream) == [{"id": 1}]
    assert mock.request_history[0].qs == {"limit": ["100"]}


@pytest.mark.parametrize("last_page", [{"items": [], "hasMore": False},
                                       {"items": [{"id": 1}], "hasMore": False},
                                       {"items": [{"id": 1}]}])
def test_stops_on_has_more_false_or_missing(last_page):
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/tags", [{"json": {"items": [{"id": 2}], "hasMore": True}},
                                 {"json": last_page},
                                 {"json": {"items": [{"id": 0}], "hasMore": False}}])
        records = sync(make_tap(), "tags")
    assert mock.call_count == 2
    assert [r["id"] for r in records] == [2] + [r["id"] for r in last_page["items"]]


def test_an_empty_page_that_says_has_more_is_an_error_not_the_end():
    """No record, so no cursor to ask for the pages the API says remain (issue 12, item 3)."""
    with requests_mock.Mocker() as mock, pytest.raises(TapError, match="says 'hasMore' but"):
        mock.get(f"{API}/tags", [{"json": {"items": [{"id": 2}], "hasMore": True}},
                                 {"json": {"items": [], "hasMore": True}}])
        sync(make_tap(), "tags")


@pytest.mark.parametrize("size", [0, 9, 101, 1000])
def test_page_size_outside_10_to_100_is_refused(size):
    with requests_mock.Mocker() as mock, pytest.raises(ConfigError) as error:
        make_tap(page_size=size)
    message = str(error.value)
    assert "page_size" in message and "\n" not in message and KEY not in message
    assert mock.call_count == 0


@pytest.mark.parametrize("size", [10, 100])
def test_page_size_bounds_are_accepted(size):
    assert make_tap(page_size=size).config["page_size"] == size


def test_a_401_is_fatal_at_once_and_names_the_stream_without_the_key():
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/contacts", status_code=401, json={"detail": "Invalid API key"})
        with pytest.raises(TapError) as error:
            sync(make_tap(), "contacts")
    assert mock.call_count == 1
    assert str(error.value).startswith("contacts: HTTP 401")
    assert KEY not in str(error.value)


def test_a_429_without_retry_after_waits_for_the_refill(monkeypatch):
    waits = []
    monkeypatch.setattr("tapkit.retry.sleep", waits.append)
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/tags", [
            {"status_code": 429, "json": {}, "headers": {"X-RateLimit-Refill": "7"}},
            {"json": {"items": [{"id": 3}], "hasMore": False}}])
        assert sync(make_tap(), "tags") == [{"id": 3}]
    assert waits == [7 + REFILL_MARGIN]


NOW = 1_700_000_000.0


@pytest.mark.parametrize(("value", "seconds"), [
    ("1700000030", 30), ("1700000030000", 30), ("12", 12), ("0", 0), ("1699999000", 0),
    (formatdate(NOW + 45, usegmt=True), 45), ("2023-11-14T22:14:20Z", 60),
    ("99999", 99999), ("soon", None), ("", None), ("nan", None), ("-3", None)])
def test_refill_header_formats(value, seconds):
    response = requests.Response()
    response.headers["X-RateLimit-Refill"] = value
    expected = None if seconds is None else pytest.approx(seconds)
    assert refill.refill_seconds(response, now=NOW) == expected


def failed(status: int, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


def test_wait_order_retry_after_then_refill_then_exponential():
    policy = RetryPolicy(max_retries=9, backoff_factor=2, server_wait=refill)
    soon = str(int(time.time()) + 100)
    assert policy.wait(1, failed(429, **{"Retry-After": "3", "X-RateLimit-Refill": soon})) == 3
    assert policy.wait(2, failed(429, **{"X-RateLimit-Refill": "5"})) == 5 + REFILL_MARGIN
    assert policy.wait(3, failed(429, **{"X-RateLimit-Refill": "5",
                                         "X-RateLimit-Remaining": "0"})) == 5 + REFILL_MARGIN
    assert policy.wait(4, failed(429)) == 16  # fourth retry: 2 * 2**3
    # a 429 while quota is left is not about the quota; a 503 never is
    assert policy.wait(5, failed(429, **{"X-RateLimit-Refill": "5",
                                         "X-RateLimit-Remaining": "7"})) == 32
    assert policy.wait(6, failed(503, **{"X-RateLimit-Refill": "5"})) == 64
    assert policy.wait(7, None) == 128


def test_a_refill_later_than_max_retry_wait_ends_the_run():
    policy = RetryPolicy(max_wait=600, server_wait=refill)
    with pytest.raises(WaitTooLong, match="asks to wait 3600 s"):
        policy.wait(1, failed(429, **{"X-RateLimit-Refill": str(3600)}))


def test_subscriptions_page_within_one_contact_and_name_it(capsys):
    """The child walk keeps ``contact`` on every page and adds ``contactId`` to each record."""
    tap = make_tap(page_size=10, max_concurrency=1)
    for name, stream in tap.streams.items():
        stream.selected = name == "subscriptions"
    with requests_mock.Mocker() as mock:
        mock.get(f"{API}/contacts", json={"items": [{"id": 77}, {"id": 55}], "hasMore": False})
        mock.get(f"{API}/payment/subscriptions", json=pages("id", list(range(930, 918, -1)), 10))
        capsys.readouterr()
        tap.sync_all()
    sent = [r.qs for r in mock.request_history if r.path == "/api/payment/subscriptions"]
    assert sent == [{"contact": ["77"], "limit": ["10"]},
                    {"contact": ["77"], "limit": ["10"], "startingafter": ["921"]},
                    {"contact": ["55"], "limit": ["10"]},
                    {"contact": ["55"], "limit": ["10"], "startingafter": ["921"]}]
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()
           if line.startswith('{"type":"RECORD"') or line.startswith('{"type": "RECORD"')]
    assert [(m["record"]["id"], m["record"]["contactId"]) for m in out][:3] == [
        (930, 77), (929, 77), (928, 77)]
    assert {m["record"]["contactId"] for m in out} == {77, 55} and len(out) == 24
    assert {m["stream"] for m in out} == {"subscriptions"}
