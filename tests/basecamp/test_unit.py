"""tap-basecamp in-process with requests-mock: requests, auth, pages, bookmarks and errors."""

from __future__ import annotations

import json
import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock

from tap_basecamp.streams import TodosStream
from tap_basecamp.tap import TapBasecamp
from tapkit import ConfigError, TapError

API = "https://3.basecampapi.com/12345"
TOKEN_URL = "https://launchpad.37signals.com/authorization/token"
RECORDINGS = f"{API}/projects/recordings.json"
CONFIG = {"account_id": "12345", "client_id": "cid-1", "client_secret": "csecret-xyz",
          "refresh_token": "rtoken-xyz", "user_agent": "Acme ELT (data@acme.example)",
          "backoff_factor": 0, "max_requests_per_second": 0}


def tap(state: dict | None = None, **overrides) -> TapBasecamp:
    return TapBasecamp(config={**CONFIG, **overrides}, state=state or {})


def sync(stream_name: str, capsys, state: dict | None = None, **overrides) -> list[dict]:
    """Sync one stream (and its children) of a fresh tap; the Singer messages it printed."""
    instance = tap(state, **overrides)
    instance.streams[stream_name].sync()
    return messages(capsys)


def messages(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]


def records(msgs: list[dict], stream: str) -> list[dict]:
    return [m["record"] for m in msgs if m["type"] == "RECORD" and m["stream"] == stream]


def todo(n: int, updated: str) -> dict:
    return {"id": n, "type": "Todo", "title": f"t{n}", "updated_at": updated}


@pytest.fixture
def api():
    with requests_mock.Mocker() as mock:
        mock.post(TOKEN_URL, json={"access_token": "at-1", "token_type": "Bearer",
                                   "expires_in": 1209600})
        yield mock


def test_refresh_grant_bearer_user_agent_and_account_in_url(api, capsys):
    api.get(f"{API}/projects.json", json=[])
    sync("projects", capsys)
    token, listing = api.request_history
    assert parse_qs(token.text) == {"grant_type": ["refresh_token"], "client_id": ["cid-1"],
                                    "client_secret": ["csecret-xyz"],
                                    "refresh_token": ["rtoken-xyz"]}
    assert token.headers["User-Agent"] == "Acme ELT (data@acme.example)"
    assert listing.url == f"{API}/projects.json"
    assert listing.headers["Authorization"] == "Bearer at-1"
    assert listing.headers["User-Agent"] == "Acme ELT (data@acme.example)"


def test_link_header_is_followed_as_is_without_doubling_params(api, capsys):
    page2 = f"{RECORDINGS}?type=Todo&sort=updated_at&direction=desc&page=2"
    api.get(RECORDINGS, json=[todo(1, "2024-05-02T00:00:00.000Z")],
            headers={"Link": f'<{page2}>; rel="next"', "X-Total-Count": "2"})
    api.get(page2, json=[todo(2, "2024-05-01T00:00:00.000Z")], headers={"Link": ""})
    msgs = sync("todos", capsys)
    first, second = api.request_history[1:]
    assert parse_qs(urlsplit(first.url).query) == {
        "type": ["Todo"], "sort": ["updated_at"], "direction": ["desc"]}
    assert second.url == page2
    assert [r["id"] for r in records(msgs, "todos")] == [1, 2]


def test_messages_ask_for_their_type(api, capsys):
    api.get(RECORDINGS, json=[{"id": 9, "type": "Message", "subject": "Hi ✓",
                               "updated_at": "2024-05-01T00:00:00.000Z"}])
    msgs = sync("messages", capsys)
    assert parse_qs(urlsplit(api.request_history[1].url).query)["type"] == ["Message"]
    assert records(msgs, "messages")[0]["subject"] == "Hi ✓"


def test_a_data_envelope_is_accepted(api, capsys):
    api.get(f"{API}/projects.json", json={"data": [{"id": 1, "name": "P"}]})
    api.get(f"{API}/projects/1.json", json={"id": 1, "dock": []})
    assert [r["id"] for r in records(sync("projects", capsys), "projects")] == [1]


def test_schedules_are_the_enabled_schedule_tools_of_the_dock(api, capsys):
    api.get(f"{API}/projects.json", json=[{"id": 7, "name": "Leto"}])
    api.get(f"{API}/projects/7.json", json={"id": 7, "dock": [
        {"id": 1, "name": "message_board", "enabled": True},
        {"id": 2, "name": "schedule", "title": "Schedule", "enabled": True, "position": 5},
        {"id": 3, "name": "schedule", "title": "Old", "enabled": False, "position": None},
        {"id": 4, "name": "schedule", "title": "Launch", "enabled": True, "position": 9},
        {"id": 5, "name": "kanban_board", "enabled": True}]})
    for schedule in (2, 4):
        api.get(f"{API}/buckets/7/schedules/{schedule}/entries.json",
                json=[{"id": 100 + schedule, "summary": "Kickoff"}])
    msgs = sync("projects", capsys)
    assert [(r["id"], r["project_id"]) for r in records(msgs, "schedules")] == [(2, 7), (4, 7)]
    assert [r["id"] for r in records(msgs, "schedule_entries")] == [102, 104]
    assert not any("/schedules/3/" in r.url for r in api.request_history)


def test_paging_stops_at_the_bookmark(api, capsys):
    page2 = f"{RECORDINGS}?type=Todo&sort=updated_at&direction=desc&page=2"
    api.get(RECORDINGS, json=[todo(1, "2024-06-02T00:00:00.000Z"),
                              todo(2, "2024-06-01T00:00:00.000Z"),
                              todo(3, "2024-05-01T00:00:00.000Z")],
            headers={"Link": f'<{page2}>; rel="next"'})
    later = api.get(page2, json=[todo(4, "2024-04-01T00:00:00.000Z")])
    state = {"bookmarks": {"todos": {"replication_key": "updated_at",
                                     "replication_key_value": "2024-06-01T00:00:00.000Z"}}}
    msgs = sync("todos", capsys, state=state)
    assert [r["id"] for r in records(msgs, "todos")] == [1, 2]  # the equal one comes again
    assert not later.called


def test_start_date_is_the_first_bookmark(api, capsys):
    api.get(RECORDINGS, json=[todo(1, "2024-06-02T00:00:00.000Z"),
                              todo(2, "2023-06-01T00:00:00.000Z")])
    msgs = sync("todos", capsys, start_date="2024-01-01T00:00:00Z")
    assert [r["id"] for r in records(msgs, "todos")] == [1]


def test_offsets_in_updated_at_become_utc(api, capsys):
    api.get(RECORDINGS, json=[todo(1, "2016-02-24T16:27:28.313-06:00")])
    msgs = sync("todos", capsys)
    assert records(msgs, "todos")[0]["updated_at"] == "2016-02-24T22:27:28.313Z"


def test_404_is_fatal_at_once_and_names_the_url(api):
    api.get(f"{API}/projects.json", status_code=404, json={"status": 404, "error": "Not Found"},
            headers={"Reason": "Account Inactive"})
    with pytest.raises(TapError) as caught:
        list(tap().streams["projects"].get_records(None))
    text = str(caught.value)
    assert "HTTP 404" in text and f"{API}/projects.json" in text
    assert "Reason: Account Inactive" in text and "projects:" in text
    assert len(api.request_history) == 2  # the token, then one try


def test_429_waits_what_retry_after_says(api, capsys, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    api.get(f"{API}/projects.json", [
        {"status_code": 429, "headers": {"Retry-After": "7"}, "json": {}},
        {"status_code": 200, "json": []}])
    sync("projects", capsys)
    assert waits == [7.0]


def test_an_interrupted_run_keeps_the_old_bookmark_and_resumes_without_loss(
        api, capsys, monkeypatch):
    """STATE written mid-stream keeps the old bookmark: newer values stay in progress markers."""
    monkeypatch.setattr(TodosStream, "STATE_MSG_FREQUENCY", 2)
    old = "2024-01-01T00:00:00.000Z"
    state = {"bookmarks": {"todos": {"replication_key": "updated_at",
                                     "replication_key_value": old}}}
    page2 = f"{RECORDINGS}?type=Todo&sort=updated_at&direction=desc&page=2"
    api.get(RECORDINGS, json=[todo(n, f"2024-06-{30 - n:02d}T00:00:00.000Z")
                              for n in range(1, 6)], headers={"Link": f'<{page2}>; rel="next"'})
    api.get(page2, status_code=503, json={})
    with pytest.raises(TapError, match="503"):
        tap(state, max_retries=0).streams["todos"].sync()
    first = messages(capsys)
    states = [m["value"]["bookmarks"]["todos"] for m in first if m["type"] == "STATE"]
    assert states and all(s["replication_key_value"] == old for s in states)
    assert states[-1]["progress_markers"]["replication_key_value"] == "2024-06-29T00:00:00.000Z"

    api.get(f"{API}/projects.json", json=[])
    api.get(f"{RECORDINGS}?type=Message", json=[])
    api.get(page2, json=[todo(6, "2024-06-20T00:00:00.000Z"), todo(7, "2023-01-01T00:00:00Z")])
    tap([m for m in first if m["type"] == "STATE"][-1]["value"]).sync_all()
    second = messages(capsys)
    emitted = {r["id"] for r in records(first, "todos") + records(second, "todos")}
    assert emitted == {1, 2, 3, 4, 5, 6}
    final = [m for m in second if m["type"] == "STATE"][-1]["value"]["bookmarks"]["todos"]
    assert final == {"replication_key": "updated_at",
                     "replication_key_value": "2024-06-29T00:00:00.000Z"}


@pytest.mark.parametrize(("overrides", "expected"), [
    ({"account_id": "acme"}, "'account_id' must be the numeric Basecamp account id"),
    ({"user_agent": " "}, "'user_agent' must not be empty"),
    ({"refresh_token": None}, "'refresh_token' is a required property"),
])
def test_bad_config_is_refused_before_any_request(overrides, expected):
    config = {k: v for k, v in {**CONFIG, **overrides}.items() if v is not None}
    with pytest.raises(ConfigError, match=expected) as caught:
        TapBasecamp(config=config)
    assert "csecret-xyz" not in str(caught.value)


def test_numeric_account_id_and_a_user_agent_without_contact(caplog):
    with caplog.at_level(logging.WARNING):
        instance = TapBasecamp(config={**CONFIG, "account_id": 12345, "user_agent": "Acme"})
    assert "names no contact" in caplog.text
    assert instance.streams["projects"].get_url(None) == f"{API}/projects.json"
