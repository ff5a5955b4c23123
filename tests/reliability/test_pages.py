"""Issue 12, items 2 and 3: a 200 answer that is no page (an error object without the list, an
empty body, a null list, an object where a bare list belongs) is a failed answer: retried like a
5xx, then one clear line, never a walk that ends quietly with records missing. An empty page
while the API says more pages remain is followed to the next page; where there is no cursor to
go on with (systeme ``{"items": [], "hasMore": true}``) the run stops with one line.

Each case runs the real executable against the tiny fakes of fakes.py, whose target list answers
as the mode says."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from tests.helpers import TapRun, run_tap
from tests.reliability.common import ALL_SECRETS, assert_no_secrets, assert_one_clear_error, why
from tests.reliability.fakes import FAKE_TOKEN, FAKES, FakeAPI, MisbehavingServer, Reply, Request

SETTINGS = {"max_retries": 1, "backoff_factor": 0.01, "request_timeout": 5}
ERROR_OBJECT = {"message": "Internal error", "code": 500}
#: Answers that are no page: every try gets one, so the run fails after 1 + max_retries tries.
NOT_A_PAGE = ("error-object", "empty-body", "null-list")


def null_list(api: FakeAPI) -> Any:
    """The API's envelope with ``null`` where the list belongs (a bare ``null`` for Basecamp)."""
    return {"tap-classroom": {"students": None}, "tap-thrive": {"results": None},
            "tap-primetric": {"count": 0, "next": None, "results": None},
            "tap-basecamp": None, "tap-systeme": {"items": None, "hasMore": False}}[api.tap]


def first_empty_page(api: FakeAPI, request: Request) -> Reply:
    """An empty first page that says a second one follows, in the API's own words."""
    url = f"{api.base}{request.path}?{urlencode({**request.query, 'page': '2'})}"
    return {
        "tap-classroom": lambda: Reply(200, {"nextPageToken": "p2"}),
        "tap-thrive": lambda: Reply(200, {"results": [], "pagination": {
            "totalResults": 2, "totalPages": 2, "page": 1, "perPage": 2}}),
        "tap-primetric": lambda: Reply(200, {"count": 2, "next": url, "results": []}),
        "tap-basecamp": lambda: Reply(200, [], {"Link": f'<{url}>; rel="next"'}),
        "tap-systeme": lambda: Reply(200, {"items": [], "hasMore": True}),
    }[api.tap]()


def is_second_page(request: Request) -> bool:
    return request.query.get("pageToken") == "p2" or request.query.get("page") == "2"


def second_page(api: FakeAPI, request: Request) -> Reply:
    records = [api.record(1), api.record(2)]
    if api.tap == "tap-thrive":  # the page asked for is the last one
        page = int(request.query.get("page", 1))
        return Reply(200, {"results": records, "pagination": {
            "totalResults": 2, "totalPages": page, "page": page, "perPage": 2}})
    return api.page(request, records, None)


def with_pages(base: type[FakeAPI]) -> type[FakeAPI]:
    """``base`` whose target list answers in this module's modes."""

    class PageModes(base):  # type: ignore[misc, valid-type]
        def handle(self, request: Request) -> Reply:
            path, wanted = self.target
            on_target = request.path == path and all(
                request.query.get(k) == v for k, v in wanted.items())
            if not on_target or not self.authorized(request):
                return super().handle(request)
            self.hits += 1
            if self.mode == "error-object" or (self.mode == "flaky" and self.hits == 1):
                return Reply(200, ERROR_OBJECT)
            if self.mode == "empty-body":
                return Reply(200, b"")
            if self.mode == "null-list":
                return Reply(200, null_list(self))
            if self.mode == "empty-gap" and not is_second_page(request):
                return first_empty_page(self, request)
            return second_page(self, request)

    return PageModes


MODES = (*NOT_A_PAGE, "flaky", "empty-gap")
CASES = [(tap, mode) for tap in FAKES for mode in MODES]


@dataclass
class Outcome:
    run: TapRun
    url: str
    hits: int


def _run(case: tuple[str, str]) -> Outcome:
    tap, mode = case
    api = with_pages(FAKES[tap])(mode)
    with MisbehavingServer(api) as server:
        one = run_tap(tap, {**api.config(), **SETTINGS}, timeout=60)
    return Outcome(one, server.url, api.hits)


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], Outcome]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(CASES, pool.map(_run, CASES), strict=True))


def assert_clear_failure(outcome: Outcome, tap: str) -> str:
    fake = FAKES[tap]
    line = assert_one_clear_error(outcome.run, fake.stream, urlsplit(outcome.url).netloc,
                                  fake.target[0])
    assert_no_secrets([outcome.run.stdout, outcome.run.stderr], [*ALL_SECRETS, FAKE_TOKEN])
    return line


NOT_A_PAGE_CASES = [c for c in CASES if c[1] in NOT_A_PAGE]


@pytest.mark.parametrize(("tap", "mode"), NOT_A_PAGE_CASES,
                         ids=[f"{t}-{m}" for t, m in NOT_A_PAGE_CASES])
def test_an_answer_that_is_no_page_is_retried_then_one_clear_error(outcomes, tap, mode):
    outcome = outcomes[(tap, mode)]
    line = assert_clear_failure(outcome, tap)
    assert outcome.hits == 1 + SETTINGS["max_retries"], f"{outcome.hits} tries: {line}"
    assert "gave up" in line, line


@pytest.mark.parametrize("tap", list(FAKES))
def test_an_answer_that_is_no_page_once_is_retried_and_nothing_is_lost(outcomes, tap):
    outcome = outcomes[(tap, "flaky")]
    assert outcome.run.returncode == 0, why(outcome.run)
    assert outcome.hits == 2
    assert len(outcome.run.records[FAKES[tap].stream]) == 2


FOLLOWED = [t for t in FAKES if t != "tap-systeme"]


@pytest.mark.parametrize("tap", FOLLOWED)
def test_an_empty_page_that_points_further_is_followed(outcomes, tap):
    outcome = outcomes[(tap, "empty-gap")]
    assert outcome.run.returncode == 0, why(outcome.run)
    assert len(outcome.run.records[FAKES[tap].stream]) == 2, "the second page was never read"


def test_an_empty_page_that_says_has_more_without_a_cursor_is_one_clear_error(outcomes):
    outcome = outcomes[("tap-systeme", "empty-gap")]
    line = assert_clear_failure(outcome, "tap-systeme")
    assert "hasMore" in line, line
