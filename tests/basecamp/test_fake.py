"""The sandbox's Basecamp fake behaves as Basecamp documents (checked over plain HTTP)."""

from __future__ import annotations

import http.client
import os
from urllib.parse import urlsplit

import pytest
import requests

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
