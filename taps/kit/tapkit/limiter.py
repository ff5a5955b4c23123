"""The client-side request limit, in the shape of the API's quota: N requests per window.

An API's quota is a budget over a window (Google: 1,200 requests a minute; Basecamp: 50 per
10 s), not an even spacing. :class:`RateLimiter` lets a burst of up to ``budget`` requests go at
once and never more than ``budget`` in any span of ``window`` seconds (a sliding window over
the send times of the last ``budget`` requests), so a short sync runs as fast as the network
allows and a long one still settles at ``budget / window`` requests per second.

A token bucket of the same size would not do: refilled at ``budget / window`` per second, it
lets ``2 * budget`` requests through in the first window and passes the quota.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

#: How long a request waits for its slot; module attributes, so tests can use a fake clock.
monotonic = time.monotonic
sleep = time.sleep


class RateLimiter:
    """At most ``per_second * window`` requests in any ``window`` seconds, across every thread
    (``per_second`` 0 or ``None``: no limit)."""

    def __init__(self, per_second: float | None, window: float = 1.0) -> None:
        rate = float(per_second or 0)
        self.enabled = rate > 0
        # a whole number of requests per window; the window stretched to keep the rate exact
        self.budget = max(1, math.floor(rate * float(window) + 1e-9)) if self.enabled else 0
        self.window = self.budget / rate if self.enabled else 0.0
        self._sent: deque[float] = deque(maxlen=self.budget or 1)
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Wait for a free slot; return the (monotonic) time the slot was granted for."""
        if not self.enabled:
            return monotonic()
        with self._lock:
            now = monotonic()
            slot = now
            if len(self._sent) == self.budget:
                slot = max(now, self._sent[0] + self.window)
            self._sent.append(slot)  # the oldest of the last ``budget`` slots drops out
        if slot > now:
            sleep(slot - now)
        return slot

    def wrap(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """``func`` with a wait for a free slot before every call."""
        if not self.enabled:
            return func

        def limited(*args: Any, **kwargs: Any) -> Any:
            self.wait()
            return func(*args, **kwargs)

        return limited
