"""The suite's retry policy: which failures are retried, how long to wait before each retry, and
when a wait is too long to be worth it.

Before retry *n* the policy waits, in this order of precedence:

1. what the failed answer asks for (``Retry-After``, or an API's own header such as systeme's
   refill): a request for more than ``max_retry_wait`` seconds ends the run at once;
2. for a quota answer that asks for nothing, the API's own quota wait (:class:`QuotaWait`);
3. otherwise ``backoff_factor * 2 ** (n - 1)``.

Waits of 2 and 3 are capped at ``max_retry_wait``. Sleeping goes through :func:`sleep`, so tests
can watch the waits without waiting.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

import requests
from singer_sdk.exceptions import RetriableAPIError

from tapkit.errors import TapError, redact_url
from tapkit.quotas import QuotaWait, is_quota_answer, retry_after_seconds

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

#: Default of the ``max_retry_wait`` setting (seconds).
MAX_RETRY_WAIT = 600.0

__all__ = ["NETWORK_ERRORS", "RETRY_STATUSES", "RetryPolicy", "WaitTooLong",
           "call_with_retries", "retry_after_seconds", "sleep"]

T = TypeVar("T")


class ServerWait(Protocol):
    """How long a failed answer asks to wait before the retry (``None``: it does not say)."""

    def __call__(self, response: requests.Response | None, /) -> float | None: ...



class WaitTooLong(TapError):
    """The API asked to wait longer than ``max_retry_wait``."""


def sleep(seconds: float) -> None:
    """Wait before a retry (a module attribute, so tests can replace it)."""
    time.sleep(seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How one stream (or the token endpoint) retries."""

    max_retries: int = 3
    backoff_factor: float = 2.0
    max_wait: float = MAX_RETRY_WAIT
    #: What a failed answer asks to wait (``None``: it does not say).
    server_wait: ServerWait = retry_after_seconds
    #: The API's wait after a quota answer that asks for nothing (``None``: the backoff).
    quota_wait: QuotaWait | None = None

    @property
    def tries(self) -> int:
        return self.max_retries + 1

    def wait(self, retry: int, response: requests.Response | None) -> float:
        """Seconds to wait before retry ``retry`` (from 1) after ``response`` failed (``None``:
        no answer); raises :class:`WaitTooLong` when the API asks for more than ``max_wait``."""
        asked = self.server_wait(response) if response is not None else None
        if response is not None and asked is not None and math.isfinite(asked):
            if asked > self.max_wait:
                raise WaitTooLong(
                    f"HTTP {response.status_code} from {redact_url(response.url)}: the API asks "
                    f"to wait {asked:.0f} s before the next try, longer than max_retry_wait "
                    f"({self.max_wait:g} s); run again later or raise max_retry_wait")
            return max(asked, 0.0)
        seconds = self.backoff_factor * 2 ** (retry - 1)
        if self.quota_wait is not None and response is not None and is_quota_answer(response):
            seconds = max(seconds, self.quota_wait.seconds(retry, self.max_retries))
        return min(seconds, self.max_wait)


def call_with_retries(attempt: Callable[[], T], policy: RetryPolicy,
                      on_retry: Callable[[BaseException, int, float], None] | None = None) -> T:
    """``attempt()``, retried by ``policy`` on :class:`RetriableAPIError` and network errors;
    the last failure is raised as it is. ``on_retry(exc, n, seconds)`` runs before each wait."""
    retry = 0
    while True:
        try:
            return attempt()
        except (RetriableAPIError, *NETWORK_ERRORS) as exc:  # type: ignore[misc]
            if retry >= policy.max_retries:
                raise
            retry += 1
            response = exc.response if isinstance(exc, RetriableAPIError) else None
            seconds = policy.wait(retry, response)
            if on_retry is not None:
                on_retry(exc, retry, seconds)
            sleep(seconds)
