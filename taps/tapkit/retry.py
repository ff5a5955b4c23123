"""The suite's retry policy: which failures are retried, and how long to wait before each retry."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Generator

import requests
from singer_sdk.exceptions import RetriableAPIError

#: HTTP statuses retried with backoff; every other 4xx is fatal at once.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

#: Exceptions (besides :class:`RetriableAPIError`) that mean "the network failed, try again".
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

#: A server asking for more than this many seconds is obeyed only up to it.
MAX_RETRY_AFTER = 900.0


def retry_after_seconds(response: requests.Response | None,
                        now: float | None = None) -> float | None:
    """Seconds the ``Retry-After`` header asks for (delta-seconds or HTTP date), else ``None``."""
    if response is None:
        return None
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


ServerWait = Callable[[requests.Response | None], float | None]


def wait_times(backoff_factor: float, server_wait: ServerWait = retry_after_seconds,
               ) -> Generator[float, BaseException | None, None]:
    """Backoff wait generator: what the failed answer asks for (``Retry-After`` by default, or an
    API's own ``server_wait``), else exponential.

    ``backoff`` primes it with ``None`` and then sends each exception; retry *n* waits
    ``backoff_factor * 2 ** (n - 1)`` seconds.
    """
    exc = yield 0.0
    attempt = 0
    while True:
        attempt += 1
        response = exc.response if isinstance(exc, RetriableAPIError) else None
        asked = server_wait(response)
        exc = yield asked if asked is not None else backoff_factor * 2 ** (attempt - 1)
