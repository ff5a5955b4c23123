"""The five paginators over realistic answers and their edge cases."""

from __future__ import annotations

from urllib.parse import ParseResult

import pytest
import requests
import requests_mock

from tapkit import (
    HasMorePaginator,
    LinkHeaderPaginator,
    NextInBodyPaginator,
    PageNumberPaginator,
    PaginationLoopError,
    ResponseShapeError,
    TokenCursorPaginator,
)
from tapkit.responses import mark_exhausted

URL = "https://api.example.com/v1/items"


def answer(**kwargs) -> requests.Response:
    """A real ``requests.Response`` built by requests-mock."""
    with requests_mock.Mocker() as mock:
        mock.get(URL, **kwargs)
        return requests.get(URL, timeout=5)


def walk(paginator, pages: list[requests.Response]) -> list:
    """Advance through ``pages`` and return the tokens the paginator produced."""
    tokens = [paginator.current_value]
    for page in pages:
        paginator.advance(page)
        if paginator.finished:
            break
        tokens.append(paginator.current_value)
    return tokens


class TestTokenCursor:
    def test_follows_next_page_token_and_keeps_page_size(self):
        p = TokenCursorPaginator(page_size=50)
        tokens = walk(p, [answer(json={"courses": [{"id": "1"}], "nextPageToken": "abc"}),
                          answer(json={"courses": [{"id": "2"}]})])
        assert tokens == [{"pageSize": 50}, {"pageSize": 50, "pageToken": "abc"}]
        assert p.finished

    def test_no_page_size_means_server_default(self):
        assert TokenCursorPaginator().current_value == {}

    @pytest.mark.parametrize("body", [{"courses": []}, {"courses": [{"id": "1"}],
                                                         "nextPageToken": ""}, {}])
    def test_stops_on_absent_or_empty_token(self, body):
        p = TokenCursorPaginator()
        p.advance(answer(json=body))
        assert p.finished

    def test_empty_page_with_list_key_missing_but_token_continues(self):
        p = TokenCursorPaginator()
        page = answer(json={"nextPageToken": "t2"})
        assert p.continue_if_empty(page)
        p.advance(page)
        assert p.current_value == {"pageToken": "t2"}

    def test_repeated_token_is_an_error_not_a_loop(self):
        p = TokenCursorPaginator()
        p.advance(answer(json={"courses": [{}], "nextPageToken": "A"}))
        with pytest.raises(PaginationLoopError, match="'pageToken': 'A'"):
            p.advance(answer(json={"courses": [{}], "nextPageToken": "A"}))

    def test_cycle_a_b_a_is_caught(self):
        p = TokenCursorPaginator()
        p.advance(answer(json={"nextPageToken": "A"}))
        p.advance(answer(json={"nextPageToken": "B"}))
        with pytest.raises(PaginationLoopError, match="after 3 pages"):
            p.advance(answer(json={"nextPageToken": "A"}))

    def test_bookmark_stop_finishes_even_with_a_token(self):
        p = TokenCursorPaginator()
        page = answer(json={"announcements": [{}], "nextPageToken": "more"})
        mark_exhausted(page)
        p.advance(page)
        assert p.finished


class TestPageNumber:
    def test_pages_until_short_page(self):
        p = PageNumberPaginator(page_size=2)
        tokens = walk(p, [answer(json={"results": [{}, {}]}), answer(json={"results": [{}]})])
        assert tokens == [{"page": 1, "perPage": 2}, {"page": 2, "perPage": 2}]
        assert p.finished

    def test_stops_at_total_pages_even_on_full_page(self):
        p = PageNumberPaginator(page_size=2)
        body = {"results": [{}, {}], "pagination": {"totalPages": 1, "page": 1}}
        p.advance(answer(json=body))
        assert p.finished

    def test_continues_while_total_pages_not_reached(self):
        p = PageNumberPaginator(page_size=2)
        p.advance(answer(json={"results": [{}, {}], "pagination": {"totalPages": 3}}))
        assert p.current_value == {"page": 2, "perPage": 2}

    def test_empty_page_stops(self):
        p = PageNumberPaginator(page_size=2)
        p.advance(answer(json={"results": []}))
        assert p.finished

    def test_object_where_list_belongs_is_a_clear_error(self):
        p = PageNumberPaginator(page_size=2)
        with pytest.raises(ResponseShapeError, match="'results'"):
            p.advance(answer(json={"results": {"id": 1}}))


class TestNextInBody:
    def test_absolute_url_is_followed_as_it_is(self):
        p = NextInBodyPaginator()
        p.advance(answer(json={"results": [{}], "next": "https://api.example.com/v1/items?page=2"}))
        assert isinstance(p.current_value, ParseResult)
        assert p.current_value.geturl() == "https://api.example.com/v1/items?page=2"

    def test_a_relative_path_is_a_value_not_a_url(self):
        p = NextInBodyPaginator()
        p.advance(answer(json={"results": [{}], "next": "/v1/items?cursor=xyz"}))
        assert p.current_value == {"next": "/v1/items?cursor=xyz"}

    def test_other_values_go_back_as_next_param(self):
        p = NextInBodyPaginator()
        p.advance(answer(json={"results": [{}], "next": "cD0yMDI0"}))
        assert p.current_value == {"next": "cD0yMDI0"}

    @pytest.mark.parametrize("body", [{"results": [{}]}, {"results": [{}], "next": None},
                                      {"results": [{}], "next": ""}])
    def test_absent_null_or_empty_stops(self, body):
        p = NextInBodyPaginator()
        p.advance(answer(json=body))
        assert p.finished

    def test_same_next_twice_is_an_error(self):
        p = NextInBodyPaginator()
        body = {"results": [{}], "next": "https://api.example.com/v1/items?page=2"}
        p.advance(answer(json=body))
        with pytest.raises(PaginationLoopError, match="page=2"):
            p.advance(answer(json=body))


class TestLinkHeader:
    def test_picks_rel_next_among_several_rels(self):
        link = ('<https://api.example.com/v1/items?page=1>; rel="first", '
                '<https://api.example.com/v1/items?page=3>; rel="next", '
                '<https://api.example.com/v1/items?page=9>; rel="last"')
        p = LinkHeaderPaginator()
        p.advance(answer(json=[{}], headers={"Link": link}))
        assert p.current_value.geturl() == "https://api.example.com/v1/items?page=3"

    def test_no_link_stops(self):
        p = LinkHeaderPaginator()
        p.advance(answer(json=[{}]))
        assert p.finished

    def test_repeated_link_is_an_error(self):
        p = LinkHeaderPaginator()
        link = {"Link": '<https://api.example.com/v1/items?page=2>; rel="next"'}
        p.advance(answer(json=[{}], headers=link))
        with pytest.raises(PaginationLoopError):
            p.advance(answer(json=[{}], headers=link))


class TestHasMore:
    def test_starting_after_is_the_last_key(self):
        p = HasMorePaginator(page_size=10)
        p.advance(answer(json={"items": [{"id": 9}, {"id": 7}], "hasMore": True}))
        assert p.current_value == {"limit": 10, "startingAfter": 7}

    def test_uses_the_primary_key_field(self):
        p = HasMorePaginator(page_size=10, key_field="slug")
        p.advance(answer(json={"items": [{"slug": "a"}, {"slug": "phone"}], "hasMore": True}))
        assert p.current_value["startingAfter"] == "phone"

    def test_has_more_false_stops(self):
        p = HasMorePaginator(page_size=10)
        p.advance(answer(json={"items": [{"id": 1}], "hasMore": False}))
        assert p.finished

    @pytest.mark.parametrize("items", [[], [{"id": 3}, {"name": "no id"}]])
    def test_has_more_without_a_cursor_is_an_error_not_the_end(self, items):
        p = HasMorePaginator(page_size=10)
        with pytest.raises(ResponseShapeError, match="says 'hasMore' but"):
            p.advance(answer(json={"items": items, "hasMore": True}))

    def test_repeated_cursor_is_an_error(self):
        p = HasMorePaginator(page_size=10)
        body = {"items": [{"id": 5}], "hasMore": True}
        p.advance(answer(json=body))
        with pytest.raises(PaginationLoopError):
            p.advance(answer(json=body))


def test_html_instead_of_json_is_a_clear_error():
    p = TokenCursorPaginator()
    page = answer(text="<html><body>Sign in</body></html>", headers={"Content-Type": "text/html"})
    with pytest.raises(ResponseShapeError, match=r"expected JSON .* text/html"):
        p.advance(page)


@pytest.mark.parametrize(("paginator", "page", "follows"), [
    (TokenCursorPaginator(), {"json": {"nextPageToken": "t"}}, True),
    (NextInBodyPaginator(), {"json": {"results": [], "next": "https://api.example.com/p2"}}, True),
    (LinkHeaderPaginator(), {"json": [], "headers": {"Link": '<https://x.test/p2>; rel="next"'}},
     True),
    (NextInBodyPaginator(), {"json": {"results": [], "next": None}}, False),
    (PageNumberPaginator(page_size=2), {"json": {"results": []}}, False),
    (PageNumberPaginator(page_size=2),
     {"json": {"results": [], "pagination": {"page": 1, "totalPages": 3}}}, True),
    (PageNumberPaginator(page_size=2),
     {"json": {"results": [], "pagination": {"page": 1, "totalPages": 1}}}, False),
    (HasMorePaginator(page_size=10), {"json": {"items": [], "hasMore": False}}, False),
])
def test_empty_page_is_followed_only_when_it_points_further(paginator, page, follows):
    assert paginator.continue_if_empty(answer(**page)) is follows


def test_empty_page_past_the_bookmark_is_not_followed():
    page = answer(json={"nextPageToken": "t"})
    mark_exhausted(page)
    assert not TokenCursorPaginator().continue_if_empty(page)


def test_total_pages_wins_over_a_short_page():
    p = PageNumberPaginator(page_size=5)
    p.advance(answer(json={"results": [{}, {}], "pagination": {"totalPages": 3, "page": 1}}))
    assert p.current_value == {"page": 2, "perPage": 5}


def test_page_number_server_ignoring_page_is_stopped():
    p = PageNumberPaginator(page_size=2)
    same = {"results": [{"id": 1}, {"id": 2}], "pagination": {"page": 1, "totalPages": 9}}
    p.advance(answer(json=same))
    with pytest.raises(PaginationLoopError, match="same records as the page before"):
        p.advance(answer(json=same))


def test_a_list_with_a_non_object_item_is_a_clear_error():
    p = HasMorePaginator(page_size=10)
    with pytest.raises(ResponseShapeError, match="item 1 is int"):
        p.advance(answer(json={"items": [{"id": 1}, 2], "hasMore": True}))


class TestPagesAhead:
    """Issue 17: the pages a walk may read ahead, where the API tells the page count."""

    def test_page_numbers_up_to_total_pages(self):
        p = PageNumberPaginator(page_size=2)
        page = answer(json={"results": [{"id": 1}, {"id": 2}], "pagination": {"totalPages": 5}})
        assert p.pages_ahead(page, 3) == [{"page": n, "perPage": 2} for n in (2, 3, 4)]
        assert p.pages_ahead(page, 10) == [{"page": n, "perPage": 2} for n in (2, 3, 4, 5)]

    def test_no_total_pages_no_pages_ahead(self):
        page = answer(json=[{"id": 1}, {"id": 2}])
        assert PageNumberPaginator(page_size=2, records_key=None).pages_ahead(page, 8) == []

    def test_drf_count_and_page_numbered_next(self):
        body = {"count": 7, "next": f"{URL}?page=2&q=a+b", "results": [{"id": 1}, {"id": 2}]}
        ahead = NextInBodyPaginator().pages_ahead(answer(json=body), 8)
        assert [t.geturl() for t in ahead] == [f"{URL}?page={n}&q=a+b" for n in (2, 3, 4)]

    @pytest.mark.parametrize("body", [
        {"count": 7, "next": f"{URL}?cursor=abc", "results": [{"id": 1}]},  # not page numbers
        {"next": f"{URL}?page=2", "results": [{"id": 1}]},  # no count
        {"count": 7, "next": None, "results": [{"id": 1}]},  # the last page
    ])
    def test_drf_without_a_page_count_reads_nothing_ahead(self, body):
        assert NextInBodyPaginator().pages_ahead(answer(json=body), 8) == []

    def test_other_paginators_read_nothing_ahead(self):
        page = answer(json={"items": [{"id": 1}], "nextPageToken": "t", "hasMore": True})
        assert TokenCursorPaginator().pages_ahead(page, 8) == []
        assert HasMorePaginator(page_size=1).pages_ahead(page, 8) == []
