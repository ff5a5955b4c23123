"""Streams whose records are the resources that the links in another answer point at (HATEOAS).

The partition's request (``path``) answers with one JSON object holding a list of links at
``links_key``; the links matching ``link_filter`` are followed: each one's ``link_field`` is an
absolute URL requested as it is (with the same retries, rate limit and errors as any page), and
its JSON object becomes one record. A URL on another origin than ``api_url`` is never requested:
the token goes only to the API's origin.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar
from urllib.parse import urlparse

import requests
from singer_sdk.helpers.types import Context
from singer_sdk.streams.rest import PageContext
from typing_extensions import override

from tapkit.errors import ResponseShapeError, TapError, redact_url
from tapkit.origins import origin_of
from tapkit.paginators import SuitePaginator
from tapkit.responses import NotAPage, json_body
from tapkit.stream import SuiteStream

#: Per thread: whether the answer being checked is a followed link's.
_following = threading.local()


def same_origin(url: str, base: str) -> bool:
    """Whether ``url`` has the scheme, host and port of ``base`` (default ports made explicit)."""
    return origin_of(url) == origin_of(base)


class LinkedResourceStream(SuiteStream):
    """One object per partition, listing links; each link followed is a record."""

    paginator: ClassVar[type[SuitePaginator] | None] = None  # one object, not a list
    #: Key of the list of links in the partition's answer (Basecamp's project ``dock``).
    links_key: ClassVar[str] = "links"
    #: What the partition's answer is, for error messages (``"a project"``).
    links_owner: ClassVar[str] = "an object"
    #: Fields a link must have, with these values, to be followed.
    link_filter: ClassVar[dict[str, Any]] = {}
    #: The field of a link holding the URL to follow.
    link_field: ClassVar[str] = "url"

    @override
    def check_page(self, response: requests.Response) -> None:
        """The partition's object with its list of links, or a linked resource: one JSON object
        each; anything else is a failed answer."""
        body = json_body(response)
        wants_links = not getattr(_following, "active", False)
        if not isinstance(body, dict) or (wants_links
                                          and not isinstance(body.get(self.links_key), list)):
            what = (f"{self.links_owner} with a '{self.links_key}' list" if wants_links
                    else "one JSON object")
            raise NotAPage(f"expected {what} from {redact_url(response.url)}")

    @override
    def parse_response(self, response: requests.Response) -> Iterator[dict]:
        """The links of the partition's answer to follow."""
        body = json_body(response)
        links = body.get(self.links_key) if isinstance(body, dict) else None
        if not isinstance(links, list):
            raise ResponseShapeError(f"expected {self.links_owner} with a '{self.links_key}' "
                                     f"list from {redact_url(response.url)}")
        for link in links:
            if isinstance(link, dict) and all(link.get(k) == v
                                              for k, v in self.link_filter.items()):
                yield link

    @override
    def request_records(self, context: Context | None) -> Iterable[dict]:
        for link in super().request_records(context):
            yield self.fetch_linked(link, context)

    def fetch_linked(self, link: dict, context: Context | None) -> dict:
        url = link.get(self.link_field)
        if not isinstance(url, str) or not url:
            raise ResponseShapeError(f"{self.name}: a link without '{self.link_field}': "
                                     f"{link.get('id', link)!r}")
        if not same_origin(url, self.url_base):
            raise TapError(
                f"{self.name}: the API links to {redact_url(url)}, which is not on the origin "
                f"of api_url ({redact_url(self.url_base)}); the tap sends its token only there. "
                f"Set api_url to the API's own host")
        http = self.get_http_request(page=PageContext(stream_context=context,
                                                      next_page_token=urlparse(url)))
        prepared = self.build_prepared_request(method=http.method, url=http.url, params={},
                                               headers=http.headers)
        _following.active = True
        try:
            response = self.request_decorator(self.send)(prepared, context)
        finally:
            _following.active = False
        body = json_body(response)
        if not isinstance(body, dict):
            raise ResponseShapeError(f"{self.name}: expected one JSON object from "
                                     f"{redact_url(response.url)}, got {type(body).__name__}")
        return body
