"""Reading answers: the JSON body (decoded once per response) and the list of records in it."""

from __future__ import annotations

from typing import Any

import msgspec
import requests

from tapkit.errors import ResponseShapeError, one_line, redact_url

_decode = msgspec.json.Decoder().decode
_BODY = "_tapkit_body"


class TruncatedBody(ValueError):
    """A body that starts like JSON but does not parse: a cut-off answer, worth a retry."""


def json_body(response: requests.Response) -> Any:
    """The decoded JSON body, cached on the response so paginator and parser share one decode."""
    try:
        return getattr(response, _BODY)
    except AttributeError:
        pass
    content = response.content
    try:
        body = _decode(content) if content.strip() else {}
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


def records_in(response: requests.Response, key: str | None) -> list[dict]:
    """The records of one page: ``body[key]``, or the body itself when ``key`` is ``None``.

    A missing or null key is an empty page (Google omits it); a bare list is accepted for a
    keyed stream and ``{"data": [...]}`` for an unkeyed one. Anything else is a clear error.
    """
    body = json_body(response)
    if key is None:
        records = body.get("data", body) if isinstance(body, dict) else body
    elif isinstance(body, dict):
        records = body.get(key) or []
    else:
        records = body
    where = f"'{key}'" if key else "the top level"
    if not isinstance(records, list):
        raise ResponseShapeError(
            f"expected a list of objects at {where} of the answer from "
            f"{redact_url(response.url)}, got {type(records).__name__}")
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise ResponseShapeError(
                f"expected a list of objects at {where} of the answer from "
                f"{redact_url(response.url)}, but item {index} is {type(record).__name__}")
    return records


def mark_exhausted(response: requests.Response) -> None:
    """Tell the paginator not to ask for more pages after this one (bookmark reached)."""
    response._tapkit_stop = True  # type: ignore[attr-defined]


def is_exhausted(response: requests.Response) -> bool:
    """Whether :func:`mark_exhausted` was called for this response."""
    return getattr(response, "_tapkit_stop", False)
