"""Origins: credentials go only to the scheme, host and port of ``api_url`` or ``token_url``.

Every request of a tap, redirects that ``requests`` follows by itself and page links included,
passes :meth:`OriginGuard.check` (see :mod:`tapkit.transport`). A request to any other origin
ends the run with one line naming both origins, before a byte is sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from tapkit.errors import TapError

DEFAULT_PORTS = {"http": 80, "https": 443}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

Origin = tuple[str, str, int]


class OriginError(TapError):
    """A redirect or page link pointed at another origin than the one the tap may talk to."""


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of ``url``, lower-cased, with the scheme's default port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a malformed port: no origin matches it
        port = -1
    return scheme, (parts.hostname or "").lower(), port or DEFAULT_PORTS.get(scheme, -1)


def show(origin: Origin) -> str:
    """``scheme://host[:port]``, the port only when it is not the scheme's default."""
    scheme, host, port = origin
    return f"{scheme}://{host}" + ("" if DEFAULT_PORTS.get(scheme) == port else f":{port}")


def setting_url(value: str, config: Mapping[str, Any]) -> str:
    """A URL setting with ``{key}`` placeholders (``{account_id}``) filled from ``config``."""
    return _PLACEHOLDER.sub(lambda m: str(config.get(m.group(1), m.group(0))), value)


class OriginGuard:
    """The origins one HTTP session may reach, each with the setting it comes from."""

    def __init__(self, allowed: Mapping[str, str]) -> None:
        """``allowed`` maps a URL (e.g. the value of ``api_url``) to its setting's name."""
        self.allowed: dict[Origin, str] = {origin_of(url): name for url, name in allowed.items()}

    def check(self, url: str) -> None:
        """Raise :class:`OriginError` unless ``url`` is on an allowed origin."""
        if not self.allowed:
            return
        origin = origin_of(url)
        if origin in self.allowed:
            return
        home, name = next(iter(self.allowed.items()))
        raise OriginError(
            f"a redirect or page link points to {show(origin)}, another origin than "
            f"{show(home)} ({name}); the tap sends its credentials only to {show(home)}, so it "
            f"stops here. If the API really moved, set {name} to the new address")
