"""Errors that end a run with one clear line, and the redaction that keeps secrets out of them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

from singer_sdk.exceptions import FatalAPIError

#: Query parameters whose values are never printed, whatever the API.
SECRET_PARAMS = frozenset(
    {"access_token", "refresh_token", "client_secret", "api_key", "apikey", "key", "password",
     "token", "code", "signature", "sig"}
)
MASK = "***"


class TapError(FatalAPIError):
    """A failure the tap cannot get past: printed as one line, exit code 1."""


class ConfigError(TapError):
    """A setting is missing or malformed; raised before any request is sent."""


class PaginationLoopError(TapError):
    """The API handed back a page token or URL the tap has already followed."""


class ResponseShapeError(TapError):
    """A 2xx answer whose body is not the JSON shape the stream expects."""


def redact_url(url: str | None) -> str:
    """Return ``url`` with credentials and secret-looking query values masked."""
    if not url:
        return ""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [(k, MASK if k.lower() in SECRET_PARAMS else v)
         for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="*:/,-",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """Replace every secret value, as it is or URL-encoded, (and bearer/basic credentials)."""
    forms = {form for s in secrets if s and len(s) >= 4
             for form in (s, quote_plus(s), quote(s, safe=""))}
    for secret in sorted(forms, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return re.sub(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+", r"\1 " + MASK, text)


def one_line(text: str, limit: int = 300) -> str:
    """Collapse whitespace and cut ``text`` to ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
