"""The five pagination styles of the suite, as subclasses of the SDK's paginator bases.

A page token is a *request patch*: a ``dict`` of query parameters to set on the next request, or a
parsed absolute URL (``ParseResult``) to request as it is. :class:`tapkit.stream.SuiteStream`
applies either one, so a stream only names its paginator class. Every paginator remembers the
tokens it has followed and stops with :class:`PaginationLoopError` when one comes back
(A→A and A→B→A alike), and stops early when the stream marked the page as past its bookmark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import ParseResult, parse_qs, urlencode, urljoin, urlparse

import requests
from singer_sdk.pagination import BaseHATEOASPaginator, HeaderLinkPaginator
from typing_extensions import override

from tapkit.errors import PaginationLoopError, ResponseShapeError, redact_url
from tapkit.responses import is_exhausted, json_body, records_in
from tapkit.sdk import PaginatorSeams

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream

Token = dict[str, Any] | ParseResult | None


class SuitePaginator(PaginatorSeams[Token]):
    """Base of the suite's paginators: loop guard, bookmark stop, construction from a stream."""

    @classmethod
    def for_stream(cls, stream: SuiteStream) -> SuitePaginator:
        """Build a fresh paginator for one partition of ``stream``."""
        return cls()  # type: ignore[call-arg]  # subclasses whose constructor needs more say so

    def pages_ahead(self, response: requests.Response, count: int) -> list[Token]:
        """The tokens of up to ``count`` pages after the current one (``response``), where the
        API tells the page count up front, so they can be read ahead; ``[]`` elsewhere."""
        return []

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        """An empty page that still points at a next page is followed (Google, DRF, Link)."""
        return not is_exhausted(response) and self.has_more(response) and bool(
            self.get_next(response))

    @override
    def advance(self, response: requests.Response) -> None:
        """Move to the next page, or finish; a token seen before raises instead of looping."""
        self.count_page()
        if is_exhausted(response) or not self.has_more(response):
            self.finish()
            return
        new_value = self.get_next(response)
        if not new_value:
            self.finish()
            return
        seen: set = self.__dict__.setdefault("_seen", {self._fingerprint(self.current_value)})
        fingerprint = self._fingerprint(new_value)
        if fingerprint in seen:
            msg = (
                f"the API sent page token {self._describe(new_value)} again after "
                f"{self.count} pages (at {redact_url(response.url)}); stopping, not looping"
            )
            raise PaginationLoopError(msg)
        seen.add(fingerprint)
        self.move_to(new_value)

    @staticmethod
    def _fingerprint(token: Token) -> Any:
        if isinstance(token, dict):
            return tuple(sorted((k, str(v)) for k, v in token.items()))
        return token.geturl() if isinstance(token, ParseResult) else token

    @staticmethod
    def _describe(token: Token) -> str:
        return redact_url(token.geturl()) if isinstance(token, ParseResult) else repr(token)


class TokenCursorPaginator(SuitePaginator):
    """Google style: ``pageToken=<nextPageToken>``; stop when the token is absent or empty.

    An empty page (Google omits the list key) that still carries a token is followed.
    """

    def __init__(self, page_size: int | None = None, token_param: str = "pageToken",
                 token_field: str = "nextPageToken", size_param: str = "pageSize") -> None:
        self.token_param, self.token_field, self.size_param = token_param, token_field, size_param
        self.size = {size_param: page_size} if page_size else {}
        super().__init__(dict(self.size))

    @classmethod
    @override
    def for_stream(cls, stream: SuiteStream) -> TokenCursorPaginator:
        return cls(page_size=stream.config.get("page_size"))

    def _token(self, response: requests.Response) -> str | None:
        body = json_body(response)
        token = body.get(self.token_field) if isinstance(body, dict) else None
        return str(token) if token else None

    @override
    def get_next(self, response: requests.Response) -> Token:
        token = self._token(response)
        return {**self.size, self.token_param: token} if token else None


class PageNumberPaginator(SuitePaginator):
    """Thrive style: ``page`` from 1 and ``perPage``; stop on an empty or short page, or when
    ``pagination.totalPages`` is reached."""

    def __init__(self, page_size: int, records_key: str | None = "results",
                 page_param: str = "page", size_param: str = "perPage") -> None:
        self.page_size, self.records_key = page_size, records_key
        self.page_param, self.size_param = page_param, size_param
        super().__init__({page_param: 1, size_param: page_size})

    @classmethod
    @override
    def for_stream(cls, stream: SuiteStream) -> PageNumberPaginator:
        """``perPage``: the ``page_size`` setting (200 unset), cut to the stream's
        ``max_page_size``."""
        size = int(stream.config.get("page_size") or 200)
        ceiling = stream.max_page_size
        return cls(page_size=min(size, ceiling) if ceiling else size,
                   records_key=stream.records_key)

    @property
    def page(self) -> int:
        """The page number of the current request."""
        value = self.current_value
        return int(value[self.page_param]) if isinstance(value, dict) else 1

    @override
    def has_more(self, response: requests.Response) -> bool:
        body = json_body(response)
        meta = body.get("pagination") if isinstance(body, dict) else None
        if isinstance(meta, dict) and meta.get("totalPages") is not None:
            return self.page < int(meta["totalPages"])
        return len(records_in(response, self.records_key)) >= self.page_size

    @override
    def pages_ahead(self, response: requests.Response, count: int) -> list[Token]:
        """The next pages up to ``pagination.totalPages`` (none without it)."""
        body = json_body(response)
        meta = body.get("pagination") if isinstance(body, dict) else None
        if not isinstance(meta, dict) or meta.get("totalPages") is None:
            return []
        page, total = self.page, int(meta["totalPages"])
        return [{self.page_param: n, self.size_param: self.page_size}
                for n in range(page + 1, min(total, page + count) + 1)]

    @override
    def continue_if_empty(self, response: requests.Response) -> bool:
        """An empty page goes on only where ``pagination.totalPages`` says more remain."""
        return not is_exhausted(response) and self.has_more(response)

    @override
    def advance(self, response: requests.Response) -> None:
        """Page numbers are the tap's own, so the loop guard compares pages: a server that
        ignores ``page`` and answers the same page again is stopped, not followed."""
        records = records_in(response, self.records_key)
        page = (len(records), repr(records[0]) if records else "", repr(records[-1:]))
        if page == self.__dict__.get("_previous_page") and records:
            msg = (f"the API answered page {self.page} with the same "
                   f"records as the page before (at {redact_url(response.url)}); it ignores "
                   f"'{self.page_param}': stopping, not looping")
            raise PaginationLoopError(msg)
        self._previous_page = page
        super().advance(response)

    @override
    def get_next(self, response: requests.Response) -> Token:
        page = self.page
        return {self.page_param: page + 1, self.size_param: self.page_size}


class NextInBodyPaginator(SuitePaginator, BaseHATEOASPaginator):
    """Primetric (Django REST) style: the body's ``next`` is an absolute URL to request as it is,
    or any other non-empty value to send back as ``next=<value>``; absent, null or empty stops."""

    def __init__(self, field: str = "next", param: str = "next") -> None:
        self.field, self.param = field, param
        BaseHATEOASPaginator.__init__(self)

    @override
    def get_next_url(self, response: requests.Response) -> str | None:
        body = json_body(response)
        value = body.get(self.field) if isinstance(body, dict) else None
        return str(value) if value not in (None, "", False) else None

    @override
    def pages_ahead(self, response: requests.Response, count: int) -> list[Token]:
        """Django REST's page-number pages: with the body's ``count`` and a ``next`` URL whose
        ``page`` is this page's number plus one, the pages up to the last, as that URL with
        ``page`` changed. A guess the API may contradict: a page is used only when its answer's
        ``next`` names exactly the URL read ahead (else it is requested again)."""
        body = json_body(response)
        if not isinstance(body, dict):
            return []
        total, records, following = body.get("count"), body.get("results"), self.get_next(response)
        if not (isinstance(total, int) and isinstance(records, list) and records
                and isinstance(following, ParseResult)):
            return []
        query = parse_qs(following.query, keep_blank_values=True)
        number = query.get("page", [""])[-1]
        if not number.isdigit():
            return []
        last = -(-total // len(records))
        first = int(number)
        return [following._replace(query=urlencode({**query, "page": [str(n)]}, doseq=True))
                for n in range(first, min(last, first + count - 1) + 1)]

    @override
    def get_next(self, response: requests.Response) -> Token:  # type: ignore[override]
        value = self.get_next_url(response)
        if value is None:
            return None
        parsed = urlparse(value)
        if parsed.scheme in ("http", "https") and parsed.netloc:
            return parsed
        return {self.param: value}  # TAPS.md: any value but an absolute URL goes back as is


class LinkHeaderPaginator(SuitePaginator, HeaderLinkPaginator):
    """Basecamp/GitHub style: follow ``Link: <url>; rel="next"`` as it is; stop when absent."""

    def __init__(self) -> None:
        HeaderLinkPaginator.__init__(self)

    @override
    def get_next(self, response: requests.Response) -> Token:  # type: ignore[override]
        url = self.get_next_url(response)
        return urlparse(urljoin(response.url, url)) if url else None


class HasMorePaginator(SuitePaginator):
    """systeme.io style: ``limit=<size>``, then ``startingAfter=<key of the last record>``;
    stop when ``hasMore`` is false (an empty page that says ``hasMore`` is an error)."""

    def __init__(self, page_size: int, key_field: str = "id", records_key: str = "items",
                 size_param: str = "limit", cursor_param: str = "startingAfter",
                 more_field: str = "hasMore") -> None:
        self.key_field, self.records_key = key_field, records_key
        self.cursor_param, self.more_field = cursor_param, more_field
        self.size = {size_param: page_size}
        super().__init__(dict(self.size))

    @classmethod
    @override
    def for_stream(cls, stream: SuiteStream) -> HasMorePaginator:
        return cls(page_size=int(stream.config.get("page_size") or 100),
                   key_field=stream.primary_keys[0],
                   records_key=stream.records_key or "items")

    @override
    def has_more(self, response: requests.Response) -> bool:
        body = json_body(response)
        return bool(isinstance(body, dict) and body.get(self.more_field))

    @override
    def get_next(self, response: requests.Response) -> Token:
        """The cursor after the page's last record. ``hasMore`` with no cursor to go on with
        (an empty page, a last record without its key) stops the run: ending the walk there
        would drop the pages the API says remain."""
        records = records_in(response, self.records_key)
        last = records[-1].get(self.key_field) if records else None
        if last in (None, ""):
            what = (f"its last record has no '{self.key_field}'" if records
                    else "the page is empty")
            raise ResponseShapeError(
                f"the answer from {redact_url(response.url)} says '{self.more_field}' but "
                f"{what}, so there is no '{self.cursor_param}' to ask for the rest with")
        return {**self.size, self.cursor_param: last}
