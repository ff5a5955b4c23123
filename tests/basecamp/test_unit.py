"""tap-basecamp in-process with requests-mock: requests, auth, pages, bookmarks and errors."""

from __future__ import annotations

import json
import logging
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests_mock

from tap_basecamp.streams import TodosStream
from tap_basecamp.tap import TapBasecamp
from tapkit import TapError
from tapkit.linked import same_origin

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


def schedule(n: int, project: int = 7, host: str = API) -> dict:
    """A dock tool of kind ``schedule`` pointing at its Schedule resource."""
    return {"id": n, "name": "schedule", "title": f"S{n}", "enabled": True, "position": 5,
            "url": f"{host}/buckets/{project}/schedules/{n}.json"}


def test_schedules_are_the_resources_of_the_enabled_schedule_tools_of_the_dock(api, capsys):
    api.get(f"{API}/projects.json", json=[{"id": 7, "name": "Leto"}])
    api.get(f"{API}/projects/7.json", json={"id": 7, "dock": [
        {"id": 1, "name": "message_board", "enabled": True,
         "url": f"{API}/buckets/7/message_boards/1.json"},
        schedule(2), {**schedule(3), "enabled": False}, schedule(4),
        {"id": 5, "name": "kanban_board", "enabled": True,
         "url": f"{API}/buckets/7/card_tables/5.json"}]})
    for n in (2, 4):
        api.get(f"{API}/buckets/7/schedules/{n}.json", json={
            "id": n, "type": "Schedule", "entries_count": n, "title": "Schedule ✓",
            "bucket": {"id": 7, "name": "Leto", "type": "Project"}})
        api.get(f"{API}/buckets/7/schedules/{n}/entries.json",
                json=[{"id": 100 + n, "summary": "Kickoff"}])
    msgs = sync("projects", capsys)
    assert records(msgs, "schedules") == [
        {"id": n, "type": "Schedule", "entries_count": n, "title": "Schedule ✓",
         "bucket": {"id": 7, "name": "Leto", "type": "Project"}, "project_id": 7}
        for n in (2, 4)]
    assert [r["id"] for r in records(msgs, "schedule_entries")] == [102, 104]
    asked = [r.url for r in api.request_history]
    assert not any("/schedules/3" in url or "/card_tables/" in url or "/message_boards/" in url
                   for url in asked)
    assert all(r.headers["Authorization"] == "Bearer at-1" for r in api.request_history[1:])


def test_a_schedule_url_on_another_origin_is_never_requested(api, capsys):
    api.get(f"{API}/projects.json", json=[{"id": 7}])
    api.get(f"{API}/projects/7.json", json={"id": 7, "dock": [
        schedule(2, host="https://evil.example/12345")]})
    elsewhere = api.get("https://evil.example/12345/buckets/7/schedules/2.json", json={"id": 2})
    with pytest.raises(TapError) as caught:
        sync("projects", capsys)
    assert not elsewhere.called
    text = str(caught.value)
    assert text.startswith("schedules: ") and "https://evil.example/12345" in text
    assert "not on the origin of api_url" in text


@pytest.mark.parametrize(("url", "same"), [
    (f"{API}/buckets/1/schedules/2.json", True),
    ("https://3.basecampapi.com:443/999/x.json", True),  # another account, the same origin
    ("HTTPS://3.BASECAMPAPI.COM/12345/x.json", True),
    ("http://3.basecampapi.com/12345/x.json", False),
    ("https://3.basecampapi.com:8443/12345/x.json", False),
    ("https://3.basecampapi.com.evil.example/12345/x.json", False),
    ("https://3.basecampapi.com:99999/x.json", False),
])
def test_same_origin_compares_scheme_host_and_port(url, same):
    assert same_origin(url, API) is same


def test_a_failed_schedule_request_is_retried_like_any_page(api, capsys, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)
    api.get(f"{API}/projects.json", json=[{"id": 7}])
    api.get(f"{API}/projects/7.json", json={"id": 7, "dock": [schedule(2)]})
    api.get(f"{API}/buckets/7/schedules/2.json", [
        {"status_code": 429, "headers": {"Retry-After": "3"}, "json": {}},
        {"status_code": 200, "json": {"id": 2}}])
    api.get(f"{API}/buckets/7/schedules/2/entries.json", json=[])
    msgs = sync("projects", capsys)
    assert records(msgs, "schedules") == [{"id": 2, "project_id": 7}]
    assert waits == [3.0]


def test_a_schedule_answer_that_is_not_an_object_is_a_clear_error(api, capsys):
    api.get(f"{API}/projects.json", json=[{"id": 7}])
    api.get(f"{API}/projects/7.json", json={"id": 7, "dock": [schedule(2)]})
    api.get(f"{API}/buckets/7/schedules/2.json", json=[{"id": 2}])
    with pytest.raises(TapError, match="schedules: expected one JSON object from"):
        sync("projects", capsys)


def test_campfire_lines_take_the_bucket_and_campfire_ids_from_the_campfire(api, capsys):
    api.get(f"{API}/chats.json", json=[
        {"id": 11, "type": "Chat::Transcript", "bucket": {"id": 7, "type": "Project"}},
        {"id": 12, "type": "Chat::Transcript", "bucket": {"id": 8, "type": "Project"}}])
    for bucket, chat in ((7, 11), (8, 12)):
        api.get(f"{API}/buckets/{bucket}/chats/{chat}/lines.json",
                json=[{"id": chat * 10, "content": "Bonjour ☀️"}])
    msgs = sync("campfires", capsys)
    assert [r["id"] for r in records(msgs, "campfires")] == [11, 12]
    assert records(msgs, "campfire_lines") == [{"id": 110, "content": "Bonjour ☀️"},
                                               {"id": 120, "content": "Bonjour ☀️"}]


def test_a_campfire_without_a_bucket_is_a_clear_error(api, capsys):
    api.get(f"{API}/chats.json", json=[{"id": 11, "type": "Chat::Transcript"}])
    with pytest.raises(TapError, match=re.escape("campfires: record 11 has no 'bucket.id', "
                                                 "so its campfire_lines cannot be read")):
        sync("campfires", capsys)


@pytest.mark.parametrize(("stream", "kind"), [
    ("todos", "Todo"), ("messages", "Message"), ("comments", "Comment"),
    ("documents", "Document"), ("uploads", "Upload"), ("todolists", "Todolist"),
    ("vaults", "Vault"), ("question_answers", "Question::Answer"),
    ("card_table_cards", "Kanban::Card")])
def test_each_recording_stream_asks_for_its_type_newest_first(api, capsys, stream, kind):
    api.get(RECORDINGS, json=[{"id": 9, "type": kind, "updated_at": "2024-05-01T00:00:00Z"}])
    msgs = sync(stream, capsys)
    assert parse_qs(urlsplit(api.request_history[1].url).query) == {
        "type": [kind], "sort": ["updated_at"], "direction": ["desc"]}
    assert records(msgs, stream) == [{"id": 9, "type": kind,
                                      "updated_at": "2024-05-01T00:00:00.000Z"}]


def test_people_and_campfires_are_plain_lists(api, capsys):
    api.get(f"{API}/people.json", json=[{"id": 1, "name": "Zoë"}])
    assert records(sync("people", capsys), "people") == [{"id": 1, "name": "Zoë"}]


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

    for path in ("projects.json", "people.json", "chats.json"):
        api.get(f"{API}/{path}", json=[])
    for kind in ("Message", "Comment", "Document", "Upload", "Todolist", "Vault",
                 "Question::Answer", "Kanban::Card"):
        api.get(f"{RECORDINGS}?type={kind}", json=[])
    api.get(page2, json=[todo(6, "2024-06-20T00:00:00.000Z"), todo(7, "2023-01-01T00:00:00Z")])
    tap([m for m in first if m["type"] == "STATE"][-1]["value"]).sync_all()
    second = messages(capsys)
    emitted = {r["id"] for r in records(first, "todos") + records(second, "todos")}
    assert emitted == {1, 2, 3, 4, 5, 6}
    final = [m for m in second if m["type"] == "STATE"][-1]["value"]["bookmarks"]["todos"]
    assert final == {"replication_key": "updated_at",
                     "replication_key_value": "2024-06-29T00:00:00.000Z"}


def test_numeric_account_id_and_a_user_agent_without_contact(caplog):
    with caplog.at_level(logging.WARNING):
        instance = TapBasecamp(config={**CONFIG, "account_id": 12345, "user_agent": "Acme"})
    assert "names no contact" in caplog.text
    assert instance.streams["projects"].get_url(None) == f"{API}/projects.json"
