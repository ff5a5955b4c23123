"""The sandbox's Basecamp fake behaves as Basecamp documents (checked over plain HTTP)."""

from __future__ import annotations

import http.client
import os
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from sandbox.apis.basecamp import gear_slice
from sandbox.credentials import CREDENTIALS

CREDS = CREDENTIALS["tap-basecamp"]
UA = {"User-Agent": "fake tests (tests@example.com)"}


def root() -> str:
    return f"{os.environ['SANDBOX_URL']}/basecamp"


def api(path: str) -> str:
    return f"{root()}/{CREDS['account_id']}{path}"


def status_without_user_agent(url: str, headers: dict[str, str]) -> int:
    """GET ``url`` with no User-Agent at all (requests and urllib3 always add one)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    connection.request("GET", parts.path, headers={k: v for k, v in headers.items()
                                                   if k != "User-Agent"})
    status = connection.getresponse().status
    connection.close()
    return status


def token(**params) -> requests.Response:
    return requests.post(f"{root()}/launchpad/authorization/token", timeout=10, **params)


@pytest.fixture
def auth(sandbox) -> dict[str, str]:
    answer = token(data={"grant_type": "refresh_token", "client_id": CREDS["client_id"],
                         "client_secret": CREDS["client_secret"],
                         "refresh_token": CREDS["refresh_token"]})
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 14 * 24 * 3600
    return {**UA, "Authorization": f"Bearer {answer.json()['access_token']}"}


def test_legacy_refresh_in_the_query_string_and_wrong_secrets(sandbox):
    legacy = {"type": "refresh", "client_id": CREDS["client_id"],
              "client_secret": CREDS["client_secret"], "refresh_token": CREDS["refresh_token"]}
    assert token(params=legacy).json()["token_type"] == "Bearer"
    assert token(params={**legacy, "client_secret": "nope"}).status_code == 401
    assert token(params={**legacy, "refresh_token": "nope"}).status_code == 400
    assert token(params={**legacy, "type": "web_server"}).status_code == 400


def test_user_agent_bearer_and_type_are_required(auth):
    assert status_without_user_agent(api("/projects.json"), auth) == 400
    assert requests.get(api("/projects.json"), headers=UA, timeout=10).status_code == 401
    for query in ({}, {"type": "Todos"}):
        answer = requests.get(api("/projects/recordings.json"), params=query, headers=auth,
                              timeout=10)
        assert answer.status_code == 400 and "type" in answer.json()["error"]
    assert requests.get(f"{root()}/1/projects.json", headers=auth, timeout=10).status_code == 404


def test_geared_pages_linked_by_absolute_urls(sandbox, auth):
    url = api("/projects/recordings.json?type=Todo&sort=updated_at&direction=desc")
    sizes, stamps = [], []
    while url:
        answer = requests.get(url, headers=auth, timeout=10)
        assert isinstance(answer.json(), list)
        sizes.append(len(answer.json()))
        stamps += [r["updated_at"] for r in answer.json()]
        total = int(answer.headers["X-Total-Count"])
        url = answer.links.get("next", {}).get("url")
        assert url is None or url.startswith(root() + "/")
    assert sizes[:4] == [15, 30, 50, 100] and all(s == 100 for s in sizes[4:-1])
    assert sum(sizes) == total == len(sandbox.truth("basecamp")["todos"])
    assert stamps == sorted(stamps, reverse=True)


def test_projects_newest_first_with_docks_and_archived_on_request(sandbox, auth):
    projects = requests.get(api("/projects.json"), headers=auth, timeout=10).json()
    created = [p["created_at"] for p in projects]
    assert created == sorted(created, reverse=True)
    tools = [t for p in projects for t in p["dock"]]
    assert {t["name"] for t in tools} >= {"message_board", "todoset", "schedule", "vault"}
    assert any(t["name"] == "schedule" and not t["enabled"] for t in tools)
    archived = requests.get(api("/projects.json"), params={"status": "archived"}, headers=auth,
                            timeout=10).json()
    assert archived and all(p["status"] == "archived" for p in archived)
    one = requests.get(api(f"/projects/{projects[0]['id']}.json"), headers=auth, timeout=10)
    assert one.json()["dock"] == projects[0]["dock"]


def test_rate_limit_and_inactive_account_on_demand(sandbox, auth):
    sandbox.configure("basecamp", rate_limit=[2, 30])
    answers = [requests.get(api("/projects.json"), headers=auth, timeout=10) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2].headers["Retry-After"]) <= 30
    sandbox.configure("basecamp", rate_limit=None, account_inactive=True)
    answer = requests.get(api("/projects.json"), headers=auth, timeout=10)
    assert answer.status_code == 404 and answer.headers["Reason"] == "Account Inactive"


def test_a_user_agent_must_name_a_contact(auth):
    for agent, status in (("Acme ELT", 400), ("Acme ELT (data@acme.example)", 200),
                          ("Acme ELT (+https://acme.example/elt)", 200)):
        answer = requests.get(api("/people.json"), timeout=10,
                              headers={**auth, "User-Agent": agent})
        assert answer.status_code == status, agent
        if status == 400:
            assert "User-Agent" in answer.json()["error"]


Walk = tuple[list[dict], list[int], list[requests.Response]]


def walk(url: str, headers: dict[str, str]) -> Walk:
    """Every page from ``url`` on, by the ``Link`` header: records, page sizes, answers."""
    records, sizes, answers = [], [], []
    while url:
        answer = requests.get(url, headers=headers, timeout=10)
        assert answer.status_code == 200 and isinstance(answer.json(), list)
        records += answer.json()
        sizes.append(len(answer.json()))
        answers.append(answer)
        url = answer.links.get("next", {}).get("url")
    return records, sizes, answers


def geared_sizes(total: int) -> list[int]:
    """The page sizes of a list of ``total`` records: 15, 30, 50, then 100 a page."""
    sizes, page = [], 1
    while not sizes or sum(sizes) < total:
        start, end = gear_slice(page)
        sizes.append(min(end, total) - start)
        page += 1
    return sizes


@pytest.mark.parametrize("path", ["/people.json", "/chats.json",
                                  "/projects/recordings.json?type=Comment"])
def test_new_lists_are_geared_bare_arrays_linked_by_the_link_header(sandbox, auth, path):
    records, sizes, answers = walk(api(path), auth)
    assert len(sizes) >= 2 and sizes == geared_sizes(len(records))
    assert all(int(a.headers["X-Total-Count"]) == len(records) for a in answers)
    assert "Link" not in answers[-1].headers and all("Link" in a.headers for a in answers[:-1])
    assert len({r["id"] for r in records}) == len(records)


def test_campfire_lines_live_under_their_bucket(sandbox, auth):
    campfires, _, _ = walk(api("/chats.json"), auth)
    per_campfire = Counter(x["parent"]["id"] for x in sandbox.truth("basecamp")["campfire_lines"])
    campfire = max(campfires, key=lambda c: per_campfire[c["id"]])
    lines_url = campfire["lines_url"]
    assert lines_url == api(f"/buckets/{campfire['bucket']['id']}/chats/{campfire['id']}"
                            "/lines.json")
    lines, _, _ = walk(lines_url, auth)
    flat, _, _ = walk(api(f"/chats/{campfire['id']}/lines.json"), auth)
    assert lines == flat and all(x["parent"]["id"] == campfire["id"] for x in lines)
    stamps = [x["created_at"] for x in lines]
    assert stamps == sorted(stamps, reverse=True)  # newest first
    wrong = api(f"/buckets/{campfire['bucket']['id'] + 1}/chats/{campfire['id']}/lines.json")
    assert requests.get(wrong, headers=auth, timeout=10).status_code == 404


def test_dock_urls_lead_to_the_schedule_resource_on_the_same_host(sandbox, auth):
    projects, _, _ = walk(api("/projects.json"), auth)
    tools = [(p, t) for p in projects for t in p["dock"] if t["name"] == "schedule"]
    assert any(not t["enabled"] for _, t in tools)
    for project, tool in tools:
        assert tool["url"].startswith(api("/buckets/"))  # the API's own host, not 3.basecampapi
        answer = requests.get(tool["url"], headers=auth, timeout=10)
        assert answer.status_code == 200
        schedule = answer.json()
        assert schedule["id"] == tool["id"] and schedule["type"] == "Schedule"
        assert schedule["bucket"]["id"] == project["id"]
        assert schedule["creator"]["name"] and isinstance(schedule["entries_count"], int)
        entries, _, _ = walk(schedule["entries_url"], auth)
        assert len(entries) == schedule["entries_count"]
    other = tools[0][1]["url"].replace(f"/buckets/{tools[0][0]['id']}/",
                                       f"/buckets/{tools[0][0]['id'] + 1}/")
    assert requests.get(other, headers=auth, timeout=10).status_code == 404


@pytest.mark.parametrize("kind", ["Comment", "Document", "Upload", "Todolist", "Vault",
                                  "Question::Answer", "Kanban::Card", "Kanban::Step"])
def test_recordings_of_every_type_filter_by_status_and_sort(sandbox, auth, kind):
    url = api("/projects/recordings.json")
    default, _, _ = walk(f"{url}?{urlencode({'type': kind})}", auth)
    assert default and {r["type"] for r in default} == {kind}
    assert {r["status"] for r in default} == {"active"}
    created = [r["created_at"] for r in default]
    assert created == sorted(created, reverse=True)  # created_at, newest first by default
    ascending = {"type": kind, "sort": "updated_at", "direction": "asc"}
    oldest, _, _ = walk(f"{url}?{urlencode(ascending)}", auth)
    assert [r["updated_at"] for r in oldest] == sorted(r["updated_at"] for r in default)
    trashed, _, _ = walk(f"{url}?{urlencode({'type': kind, 'status': 'trashed'})}", auth)
    assert {r["status"] for r in trashed} <= {"trashed"}
    assert not {r["id"] for r in trashed} & {r["id"] for r in default}
    unknown = requests.get(url, params={"type": "Kanban::Column"}, headers=auth, timeout=10)
    assert unknown.status_code == 400


def test_people_are_everyone_with_nulls_unicode_and_companies(sandbox, auth):
    people, _, _ = walk(api("/people.json"), auth)
    creators = {r["creator"]["id"] for r in sandbox.truth("basecamp")["todos"]}
    assert creators < {p["id"] for p in people}  # some people created nothing yet
    assert any("company" not in p for p in people) and any(p["company"] for p in people
                                                           if "company" in p)
    assert any(p["location"] is None for p in people)
    assert any(not p["email_address"].isascii() or not p["name"].isascii() for p in people)
