"""tap-systeme's streams beyond the seed (TAPS.md "Coverage beyond the seeds") against the
sandbox: enrollments, memberships, newsletters, the opt-in subscriptions of each contact, and
course descriptions."""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
import requests

from sandbox.credentials import CREDENTIALS, tap_config
from tests import helpers
from tests.helpers import run_tap
from tests.thrive.checks import assert_records_match_schemas, discovered, selecting

TAP, API = "tap-systeme", "systeme"
DEFAULT = ("communities", "contacts", "tags", "contact_fields", "course_resources",
           "enrollments", "memberships", "newsletters")
KEYS = {**{s: ("id",) for s in DEFAULT}, "contact_fields": ("slug",), "subscriptions": ("id",)}
SUBSCRIPTIONS = "/api/payment/subscriptions"


def config(**overrides):
    return tap_config(TAP, os.environ["SANDBOX_URL"], **overrides)


def everything() -> dict:
    return selecting(discovered(TAP, config()), tuple(KEYS))


def test_discover_lists_nine_streams_and_subscriptions_are_opt_in(sandbox):
    catalog = discovered(TAP, config())
    found = {s["tap_stream_id"]: s for s in catalog["streams"]}
    assert {name: tuple(s["key_properties"]) for name, s in found.items()} == KEYS
    assert all(s.get("replication_method") == "FULL_TABLE" for s in found.values())
    opt_in = {name for name, s in found.items()
              if next(m["metadata"] for m in s["metadata"] if m["breadcrumb"] == [])
              .get("selected-by-default") is False}
    assert opt_in == {"subscriptions"}
    assert sandbox.stats()[API]["requests"] == 0


def test_a_default_run_leaves_the_opt_in_subscriptions_out(sandbox):
    run = run_tap(TAP, config())
    helpers.assert_matches_truth(run, sandbox.truth(API), {s: KEYS[s] for s in DEFAULT})
    assert set(run.records) == set(DEFAULT)
    assert not [r for r in sandbox.requests(API) if r["path"] == SUBSCRIPTIONS]


def test_selected_subscriptions_are_read_contact_by_contact(sandbox):
    run = run_tap(TAP, config(), catalog=everything())
    truth = sandbox.truth(API)
    helpers.assert_matches_truth(run, truth, KEYS)
    assert run.records["subscriptions"] == truth["subscriptions"]  # whole, with contactId
    asked = [r["query"] for r in sandbox.requests(API) if r["path"] == SUBSCRIPTIONS]
    assert Counter(q["contact"][0] for q in asked) == Counter(
        str(c["id"]) for c in truth["contacts"])  # one walk per contact, never without one
    assert all(q["limit"] == ["100"] for q in asked)


def test_every_record_matches_the_schema_it_was_sent_with(sandbox):
    run = run_tap(TAP, config(), catalog=everything())
    assert run.returncode == 0, run.stderr[-2000:]
    assert set(assert_records_match_schemas(run)) == set(KEYS)


def test_new_lists_page_after_the_last_id(sandbox):
    run = run_tap(TAP, config(page_size=10), catalog=everything())
    truth = sandbox.truth(API)
    helpers.assert_matches_truth(run, truth, KEYS)
    for stream, path in (("enrollments", "/api/school/enrollments"),
                         ("memberships", "/api/community/memberships")):
        cursors = [r["query"].get("startingAfter", [None])[0] for r in sandbox.requests(API)
                   if r["path"] == path]
        expected = [None, *(str(x["id"]) for x in truth[stream][9::10])]
        assert cursors == expected[: len(cursors)], stream
        assert len(cursors) == -(-len(truth[stream]) // 10), stream


def test_courses_carry_their_description(sandbox):
    run = run_tap(TAP, config(), catalog=selecting(discovered(TAP, config()),
                                                    ("course_resources",)))
    assert run.returncode == 0, run.stderr[-2000:]
    schema = next(m["schema"] for m in run.messages if m["type"] == "SCHEMA")
    assert schema["properties"]["description"]["type"] == ["string", "null"]
    descriptions = [r["description"] for r in run.records["course_resources"]]
    assert None in descriptions and any(d and not d.isascii() for d in descriptions)


class TestTheFakeAPI:
    """The sandbox serves the new lists as the real API does."""

    def get(self, path, **params):
        return requests.get(f"{os.environ['SANDBOX_URL']}/systeme/api{path}", params=params,
                            headers={"X-API-Key": CREDENTIALS[TAP]["api_key"]}, timeout=10)

    def test_subscriptions_need_a_contact(self, sandbox):
        missing = self.get("/payment/subscriptions")
        assert missing.status_code == 400 and "contact" in missing.json()["detail"]
        assert self.get("/payment/subscriptions", contact="x").status_code == 400
        truth = sandbox.truth(API)
        payer = truth["subscriptions"][0]["contactId"]
        mine = self.get("/payment/subscriptions", contact=payer).json()
        assert {s["id"] for s in mine["items"]} == {
            s["id"] for s in truth["subscriptions"] if s["contactId"] == payer}
        assert "contactId" not in mine["items"][0]  # the API does not name the contact

    @pytest.mark.parametrize("path", ["/school/enrollments", "/community/memberships",
                                      "/mailing/newsletters", "/payment/subscriptions"])
    def test_limit_bounds_and_has_more(self, sandbox, path):
        contact = sandbox.truth(API)["subscriptions"][0]["contactId"]
        params = {"contact": contact} if "payment" in path else {}
        assert self.get(path, limit=9, **params).status_code == 400
        assert self.get(path, limit=101, **params).status_code == 400
        body = self.get(path, limit=10, **params).json()
        assert set(body) == {"items", "hasMore"}

    def test_filters_filter(self, sandbox):
        truth = sandbox.truth(API)
        enrollment, membership = truth["enrollments"][0], truth["memberships"][0]
        by_contact = self.get("/school/enrollments", contact=enrollment["contact"]["id"],
                              limit=100).json()["items"]
        assert by_contact and all(e["contact"]["id"] == enrollment["contact"]["id"]
                                  for e in by_contact)
        by_course = self.get("/school/enrollments", course=enrollment["course"]["id"],
                             limit=100).json()["items"]
        assert {e["id"] for e in by_course} == {e["id"] for e in truth["enrollments"]
                                                if e["course"]["id"] == enrollment["course"]["id"]}
        in_community = self.get("/community/memberships",
                                community=membership["community"]["id"]).json()["items"]
        assert in_community and all(m["community"]["id"] == membership["community"]["id"]
                                    for m in in_community)
        assert self.get("/community/memberships", contact="nobody").status_code == 400

    def test_nested_objects_nulls_and_unicode(self, sandbox):
        truth = sandbox.truth(API)
        text = json.dumps(truth, ensure_ascii=False)
        assert "✉️" in text and "Über" in text
        assert all(isinstance(e["course"], dict) and isinstance(e["contact"], dict)
                   for e in truth["enrollments"])
        assert any(n["content"]["previewText"] is None for n in truth["newsletters"])
        assert any(s["pricePlan"] is None for s in truth["subscriptions"])
        assert any(s["pricePlan"] and s["pricePlan"]["recurringOptions"] is None
                   for s in truth["subscriptions"])
