"""The sandbox's fake Thrive API behaves as the documented API does."""

from __future__ import annotations

import os
from datetime import timedelta

import requests

from sandbox.credentials import CREDENTIALS
from tapkit.times import parse_time

TAP = "tap-thrive"


class TestTheFakeAPI:
    """The sandbox behaves as the documented API does."""

    def get(self, path: str, auth=None, **params) -> requests.Response:
        creds = CREDENTIALS[TAP]
        return requests.get(f"{os.environ['SANDBOX_URL']}/thrive/rest/v1{path}", params=params,
                            auth=auth or (creds["username"], creds["password"]), timeout=10)

    def test_basic_auth_is_checked(self, sandbox):
        assert requests.get(f"{os.environ['SANDBOX_URL']}/thrive/rest/v1/users",
                            timeout=10).status_code == 401
        assert self.get("/users", auth=("eu-west-000042", "nope")).status_code == 401
        assert self.get("/users").status_code == 200

    def test_pages_and_the_pagination_object(self, sandbox):
        truth = sandbox.truth("thrive")["users"]
        body = self.get("/users", page=2, perPage=100).json()
        assert body["pagination"] == {"totalResults": len(truth), "page": 2, "perPage": 100,
                                      "totalPages": -(-len(truth) // 100)}
        assert [r["id"] for r in body["results"]] == sorted(r["id"] for r in truth)[100:200]
        assert self.get("/users", page=99, perPage=100).json()["results"] == []
        assert self.get("/users", perPage=1000).status_code == 200
        assert self.get("/users", perPage=1001).status_code == 400
        assert self.get("/users", page=0).status_code == 400
        assert self.get("/users").json()["pagination"]["perPage"] == 100  # documented defaults
        assert self.get("/activities").json()["pagination"]["perPage"] == 20

    def test_time_filters(self, sandbox):
        users = sandbox.truth("thrive")["users"]
        pivot = sorted(r["updatedAt"] for r in users)[len(users) // 2]
        newer = self.get("/users", updatedSince=pivot, perPage=1000).json()["results"]
        assert {r["id"] for r in newer} == {r["id"] for r in users if r["updatedAt"] >= pivot}
        assert self.get("/users", updatedSince="yesterday").status_code == 400
        window = self.get("/activities", timestampFrom="2024-02-01 00:00:00",
                          timestampTo="2024-02-29 23:59:59", perPage=1000).json()["results"]
        assert window and all("2024-02-01" <= r["date"][:10] <= "2024-02-29" for r in window)
        assert all(len(r["date"]) == 24 and r["date"].endswith("Z") for r in window)
        assert self.get("/activities", timestampFrom="2024-02-01T00:00:00Z").status_code == 400
        viewed = self.get("/activities", actions="viewed,liked", perPage=1000).json()["results"]
        assert viewed and {r["type"] for r in viewed} == {"viewed", "liked"}

    def test_late_events_sort_by_when_they_were_recorded(self, sandbox):
        date = "2024-03-01T10:00:00.000Z"
        sandbox.configure("thrive", stamp={"stream": "activities", "at": date, "count": 1})
        results = self.get("/activities", perPage=1000, page=1).json()["results"]
        dates = [r["date"] for r in results]
        assert dates[-1] == date and dates != sorted(dates)
        assert parse_time(dates[-2]) - parse_time(date) > timedelta(days=30)
