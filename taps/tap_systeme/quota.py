"""systeme.io's quota: after a 429, wait for the refill the ``X-RateLimit-Refill`` header announces.

The docs say a 429 comes when the account's shared quota is used up and that ``X-RateLimit-Refill``
tells when it is replenished; they do not say whether the 429 carries ``Retry-After`` nor the
header's exact format. So: ``Retry-After`` wins when present; otherwise a 429 that says the quota
is used up (``X-RateLimit-Remaining`` absent or 0) waits until the announced refill (a unix
timestamp in seconds or milliseconds, seconds to wait, or a date); otherwise, and for 5xx, the
suite's exponential backoff applies.
"""

from __future__ import annotations

import email.utils
import time

import requests

from tapkit.retry import MAX_RETRY_AFTER, retry_after_seconds
from tapkit.times import parse_time

REFILL_HEADER = "X-RateLimit-Refill"
REMAINING_HEADER = "X-RateLimit-Remaining"
#: Added to the announced refill, so a retry does not land a moment before it.
REFILL_MARGIN = 0.25


def refill_seconds(response: requests.Response | None, now: float | None = None) -> float | None:
    """Seconds until the quota refill announced by ``response``, or ``None`` if it says nothing."""
    if response is None:
        return None
    value = response.headers.get(REFILL_HEADER, "").strip()
    if not value:
        return None
    now = time.time() if now is None else now
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number > 1e12:  # unix milliseconds
            seconds = number / 1000 - now
        elif number > 1e9:  # unix seconds
            seconds = number - now
        else:
            seconds = number
    else:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError):
            try:
                seconds = parse_time(value).timestamp() - now
            except ValueError:
                return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def quota_exhausted(response: requests.Response) -> bool:
    """Whether a 429 comes from the used-up quota (not said otherwise by the remaining count)."""
    remaining = response.headers.get(REMAINING_HEADER, "").strip()
    try:
        return float(remaining) <= 0 if remaining else True
    except ValueError:
        return True


def quota_wait(response: requests.Response | None) -> float | None:
    """``Retry-After`` when present, else on a quota 429 the announced refill, else ``None``."""
    wait = retry_after_seconds(response)
    if (wait is None and response is not None and response.status_code == 429
            and quota_exhausted(response)):
        hint = refill_seconds(response)
        wait = None if hint is None else hint + REFILL_MARGIN
    return wait
