"""Pieces the seed adaptations share: the refresh-token grant, the hasMore/last-key and
short-page paginators, and the resources of a tap's table of streams (bench/specs.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import BasePaginator, PageNumberPaginator
from requests import Request, Response

from bench.specs import Stream


def refresh_token_auth(token_url: str, creds: dict[str, Any]) -> OAuth2ClientCredentials:
    """dlt has no ``oauth2`` auth type and no refresh-token grant; its client-credentials auth
    posts ``access_token_request_data`` after ``grant_type``, so that field turns it into one."""
    return OAuth2ClientCredentials(
        access_token_url=token_url, client_id=creds["client_id"],
        client_secret=creds["client_secret"],
        access_token_request_data={"grant_type": "refresh_token",
                                   "refresh_token": creds["refresh_token"]})


class LastKeyPaginator(BasePaginator):
    """``startingAfter=<key of the last item>`` while ``hasMore`` is true and the page is not
    empty: what the seed's ``cursor`` + ``stop_condition`` describe and no dlt paginator does."""

    def __init__(self, key: str = "id", cursor_param: str = "startingAfter",
                 more_path: str = "hasMore") -> None:
        super().__init__()
        self.key, self.cursor_param, self.more_path = key, cursor_param, more_path
        self.cursor: Any = None

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        more = bool(response.json().get(self.more_path))
        self.cursor = data[-1].get(self.key) if data else None
        self._has_next_page = more and self.cursor is not None

    def update_request(self, request: Request) -> None:
        request.params = {**(request.params or {}), self.cursor_param: self.cursor}


class ShortPagePaginator(PageNumberPaginator):
    """``page`` from 1 until a short or empty page: a bare JSON array has no total, and dlt's
    page_number paginator stops on an empty page only (one request more than the tap)."""

    def __init__(self, page_size: int) -> None:
        super().__init__(base_page=1, page_param="page", total_path=None)
        self.page_size = page_size

    def _stop_after_this_page(self, data: list[Any] | None = None) -> bool:
        return not data or len(data) < self.page_size


def _matches(wanted: dict[str, Any]) -> Callable[[dict], bool]:
    return lambda record: all(record.get(k) == v for k, v in wanted.items())


def _carry(parent: str, fields: dict[str, str]) -> Callable[[dict], dict]:
    """A map step: each record gets ``field`` from the parent's ``source`` (dlt's
    ``include_from_parent`` names it ``_<parent>_<source>``), unless it has it already."""
    names = {f"_{parent}_{source}": field for field, source in fields.items()}

    def carry(record: dict) -> dict:
        for included, field in names.items():
            record.setdefault(field, record[included])
        for included in names:
            record.pop(included, None)
        return record

    return carry


def _child_of(config: dict[str, Any], parent: str, resolve: dict[str, str],
              carry: dict[str, str]) -> dict[str, Any]:
    """``config`` walked per record of ``parent``: ``resolve`` binds path placeholders to parent
    fields, ``carry`` copies parent fields into the records (record field -> parent field)."""
    params = config["endpoint"].setdefault("params", {})
    for placeholder, source in resolve.items():
        params[placeholder] = {"type": "resolve", "resource": parent, "field": source}
    if carry:
        config["include_from_parent"] = list(dict.fromkeys(carry.values()))
        config.setdefault("processing_steps", []).append({"map": _carry(parent, carry)})
    return config


def table_resources(streams: Iterable[Stream],
                    endpoint: Callable[[Stream], dict[str, Any]]) -> list[dict[str, Any]]:
    """The resource configs of a tap's streams. ``endpoint`` gives each stream's endpoint in its
    seed's shape (path, data_selector, paginator, params); the rest is the table's: primary key,
    the parent walk (``resolve`` params), the parent ids the tap writes into records
    (``include_from_parent`` and a map step), the ``where`` filter, and for a ``link`` stream a
    hidden resource of the links whose targets a child resource then requests."""
    out: list[dict[str, Any]] = []
    for stream in streams:
        listed = f"{stream.name}_links" if stream.link else stream.name
        config: dict[str, Any] = {"name": listed, "primary_key": list(stream.key),
                                  "endpoint": endpoint(stream)}
        if stream.parent:
            _child_of(config, stream.parent, stream.context,
                      {field: stream.context[field] for field in stream.add})
        if stream.where:
            config.setdefault("processing_steps", []).append(
                {"filter": _matches(stream.where)})
        out.append(config)
        if stream.link:
            config["selected"] = False  # only the linked resources are the stream's records
            out.append(_child_of(
                {"name": stream.name, "primary_key": list(stream.key), "endpoint": {
                    "path": "{link}", "data_selector": "$", "paginator": {"type": "single_page"}}},
                listed, {"link": stream.link}, {field: field for field in stream.add}))
    return out
