"""Reading answers: the JSON body (decoded once per response) and the list of records in it."""

from __future__ import annotations

from typing import Any

import msgspec
import requests

from tapkit.errors import ResponseShapeError, one_line, redact_url

_decode = msgspec.json.Decoder().decode
_BODY = "_tapkit_body"
_RECORDS = "_tapkit_records"


class TruncatedBody(ValueError):
    """A body that starts like JSON but does not parse: a cut-off answer, worth a retry."""


class NotAPage(ValueError):
    """A 2xx answer that holds no page of records (an error object, an empty body, ``null``):
    a failed answer, retried like a 5xx."""


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, cached on the response so paginator and parser share one decode."""
    try:
        return getattr(response, _BODY)
    except AttributeError:
        pass
    content = response.content
    if not content.strip():
        raise NotAPage(f"the answer from {redact_url(response.url)} has an empty body")
    try:
        body = _decode(content)
    except RecursionError:
        raise ResponseShapeError(f"the answer from {redact_url(response.url)} is JSON nested "
                                 f"too deeply to read") from None
    except msgspec.DecodeError as exc:
        start = content.lstrip()[:1]
        ctype = response.headers.get("Content-Type", "")
        if start in (b"{", b"[") or "json" in ctype:
            raise TruncatedBody(f"invalid JSON from {redact_url(response.url)}: {exc}") from None
        snippet = one_line(content[:120].decode("utf-8", "replace"))
        raise ResponseShapeError(
            f"expected JSON from {redact_url(response.url)} but got {ctype or 'no content type'}: "
            f"{snippet!r}; check api_url"
        ) from None
    setattr(response, _BODY, body)
    return body


def records_in(response: requests.Response, key: str | None,
               empty_page_keys: frozenset[str] | None = None) -> list[dict]:
    """The records of one page: ``body[key]``, or the body itself when ``key`` is ``None``.

    A bare list is accepted for a keyed stream, and ``{"data": [...]}`` for an unkeyed one. A
    body without the list (an error object, ``null``, an object where a bare list belongs, a null
    or empty value at the key) is :class:`NotAPage`, except for APIs that leave the key out of an
    empty page (Google): given ``empty_page_keys``, a body holding nothing but those keys (``{}``,
    ``{"nextPageToken": ...}``) is an empty page. A list of something else than objects is a
    clear error. The result is cached on the response: the first caller (``check_page``) decides.
    """
    try:
        return getattr(response, _RECORDS)
    except AttributeError:
        pass
    body = json_body(response)
    where = f"'{key}'" if key else "the top level"
    if isinstance(body, list):
        records: Any = body
    elif not isinstance(body, dict):
        raise NotAPage(f"expected a page of records from {redact_url(response.url)}, got "
                       f"{'null' if body is None else type(body).__name__}")
    elif key is None:
        records = body.get("data")
        if records is None:
            raise NotAPage(f"expected a list at the top level of the answer from "
                           f"{redact_url(response.url)}, got an object")
    elif body.get(key) or isinstance(body.get(key), list):
        records = body[key]
    elif empty_page_keys is not None and body.keys() <= empty_page_keys:
        records = []
    else:
        raise NotAPage(f"no '{key}' list in the answer from {redact_url(response.url)}")
    if not isinstance(records, list):
        raise ResponseShapeError(
            f"expected a list of objects at {where} of the answer from "
            f"{redact_url(response.url)}, got {type(records).__name__}")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ResponseShapeError(
                f"expected a list of objects at {where} of the answer from "
                f"{redact_url(response.url)}, but item {index} is {type(record).__name__}")
    setattr(response, _RECORDS, records)
    return records


def mark_exhausted(response: requests.Response) -> None:
    """Tell the paginator not to ask for more pages after this one (bookmark reached)."""
    response._tapkit_stop = True  # type: ignore[attr-defined]


def is_exhausted(response: requests.Response) -> bool:
    """Whether :func:`mark_exhausted` was called for this response."""
    return getattr(response, "_tapkit_stop", False)
