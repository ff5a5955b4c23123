"""Quota answers and how long each API's quota asks the tap to wait.

- :func:`retry_after_seconds`: what ``Retry-After`` asks for (an unusable value counts as absent).
- :func:`is_quota_answer`: a 429, or a 403 whose JSON error names a rate limit (Google's
  ``rateLimitExceeded`` / ``userRateLimitExceeded``, or ``RATE_LIMIT_EXCEEDED`` in its details).
- :class:`QuotaWait`: an API's wait after a quota answer without ``Retry-After``, from the shape
  of its quota (a window of so many seconds); declared per stream as ``quota_wait``.
- :class:`RefillHeaderWait`: ``Retry-After``, else the refill time a header announces
  (systeme.io's ``X-RateLimit-Refill``); declared per stream as ``server_wait``.
"""

from __future__ import annotations

import email.utils
import math
import time
from dataclasses import dataclass
from typing import Any

import requests

from tapkit.times import parse_time

#: Reasons of a 403 that is a quota answer (compared lower-case, without ``_``).
RATE_LIMIT_REASONS = frozenset({"ratelimitexceeded", "userratelimitexceeded"})


def _reasons(body: Any) -> set[str]:
    """Every ``reason`` in a Google-style JSON error body, normalized."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set()
    items = [*(error.get("errors") or []), *(error.get("details") or [])]
    return {str(item.get("reason", "")).lower().replace("_", "") for item in items
            if isinstance(item, dict)}


def is_quota_answer(response: requests.Response) -> bool:
    """A 429, or a 403 whose error body gives a rate-limit reason."""
    if response.status_code == 429:
        return True
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return bool(_reasons(body) & RATE_LIMIT_REASONS)


def retry_after_seconds(response: requests.Response | None,
                        now: float | None = None) -> float | None:
    """Seconds the ``Retry-After`` header asks for (delta-seconds or HTTP date), else ``None``.

    A value that is not a finite, non-negative number of seconds nor a date (``NaN``, ``inf``,
    ``-5``, ``soon``) counts as absent; a date in the past means "now".
    """
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
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        try:
            seconds = when.timestamp() - (time.time() if now is None else now)
        except (OverflowError, OSError, ValueError):
            return None
        return max(seconds, 0.0) if math.isfinite(seconds) else None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


@dataclass(frozen=True)
class QuotaWait:
    """The wait after a quota answer that does not say how long to wait.

    ``window`` is the span the API counts its quota over. The waits double up to one full window
    before the last retry (3 retries of a 60 s window: 15, 30, 60 s), so a slightly exceeded
    quota costs a short wait and a used-up one a whole window; never less than ``minimum``.
    """

    window: float
    minimum: float = 0.0

    def seconds(self, retry: int, retries: int) -> float:
        """The wait before retry ``retry`` of ``retries``."""
        return max(self.minimum, self.window / 2 ** max(0, retries - retry))


@dataclass(frozen=True)
class RefillHeaderWait:
    """``Retry-After`` when present; else, on a 429 that says the quota is used up (the
    ``remaining`` header absent or 0), the time until the refill the ``refill`` header announces
    (a unix time in seconds or milliseconds, seconds to wait, or a date), plus ``margin``."""

    refill: str = "X-RateLimit-Refill"
    remaining: str = "X-RateLimit-Remaining"
    margin: float = 0.25

    def __call__(self, response: requests.Response | None) -> float | None:
        wait = retry_after_seconds(response)
        if (wait is None and response is not None and response.status_code == 429
                and self.used_up(response)):
            hint = self.refill_seconds(response)
            wait = None if hint is None else hint + self.margin
        return wait

    def used_up(self, response: requests.Response) -> bool:
        """Whether a 429 comes from the used-up quota (not said otherwise by ``remaining``)."""
        remaining = response.headers.get(self.remaining, "").strip()
        try:
            return float(remaining) <= 0 if remaining else True
        except ValueError:
            return True

    def refill_seconds(self, response: requests.Response | None,
                       now: float | None = None) -> float | None:
        """Seconds until the announced refill, or ``None`` if the header says nothing usable."""
        if response is None:
            return None
        value = response.headers.get(self.refill, "").strip()
        if not value:
            return None
        now = time.time() if now is None else now
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is not None:
            if not math.isfinite(number) or number < 0:
                return None
            if number > 1e12:  # unix milliseconds
                seconds = number / 1000 - now
            elif number > 1e9:  # unix seconds
                seconds = number - now
            else:
                seconds = number
        else:
            try:
                seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
            except (TypeError, ValueError, IndexError, OverflowError):
                try:
                    seconds = parse_time(value).timestamp() - now
                except (ValueError, OverflowError):
                    return None
        return max(seconds, 0.0)
