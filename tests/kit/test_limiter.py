"""The client-side rate limit: a budget of N requests per window, bursts allowed, never more."""

from __future__ import annotations

import bisect
import threading

import pytest

from tapkit.limiter import RateLimiter


class FakeClock:
    """Time that moves only when a test or a sleeper moves it. A sleep from ``t`` for ``s``
    wakes at ``t + s``: the clock moves to the latest wake-up, never by the sum of sleeps that
    overlapped (threads sleeping at once do not add their sleeps up)."""

    def __init__(self, advance: bool = True) -> None:
        self.now = 100.0
        self.advance = advance
        self.slept: list[float] = []
        self._lock = threading.Lock()
        self._asked: dict[int, float] = {}

    def monotonic(self) -> float:
        with self._lock:
            self._asked[threading.get_ident()] = self.now
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(round(seconds, 6))
            if self.advance:
                since = self._asked.get(threading.get_ident(), self.now)
                self.now = max(self.now, since + seconds)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr("tapkit.limiter.monotonic", fake.monotonic)
    monkeypatch.setattr("tapkit.limiter.sleep", fake.sleep)
    return fake


def most_in_any_window(slots: list[float], window: float) -> int:
    """The largest number of ``slots`` inside any half-open span ``[t, t + window)``."""
    ordered = sorted(slots)
    return max(bisect.bisect_left(ordered, t + window - 1e-9) - i
               for i, t in enumerate(ordered))


def test_a_burst_up_to_the_budget_goes_at_once(clock):
    limiter = RateLimiter(20, window=60)  # Classroom: 1,200 requests a minute
    assert limiter.budget == 1200
    slots = [limiter.wait() for _ in range(200)]
    assert clock.slept == [] and set(slots) == {100.0}  # 200 requests: no wait at all


def test_past_the_budget_each_request_waits_for_the_window_to_free(clock):
    limiter = RateLimiter(5, window=10)  # Basecamp: 50 requests per 10 s
    slots = [limiter.wait() for _ in range(51)]
    assert slots[:50] == [100.0] * 50
    assert slots[50] == 110.0  # the 51st waits until the first is 10 s old


def test_a_long_sync_never_passes_the_quota_and_keeps_the_long_run_rate(clock):
    limiter = RateLimiter(20, window=60)
    slots = []
    for n in range(5000):
        slots.append(limiter.wait())
        clock.now += 0.001 * (n % 7)  # the network's own pace, uneven
    assert most_in_any_window(slots, 60) == 1200
    # the long-run rate is the budget per window: 5,000 requests end in the fifth minute
    assert slots[-1] - slots[0] == pytest.approx(60 * (5000 // 1200), abs=2)


def test_idle_time_frees_the_budget_again(clock):
    limiter = RateLimiter(4, window=1)
    assert [limiter.wait() for _ in range(5)] == [100.0] * 4 + [101.0]
    clock.now += 10
    assert [limiter.wait() for _ in range(4)] == [111.0] * 4


def test_a_rate_below_one_per_window_stretches_the_window():
    limiter = RateLimiter(0.5, window=1)  # the old meaning: one request every 2 s
    assert (limiter.budget, limiter.window) == (1, 2.0)


def test_off_calls_straight_through():
    limiter = RateLimiter(0)
    func = lambda: 1  # noqa: E731
    assert limiter.wrap(func) is func
    assert RateLimiter(None).wrap(func) is func


def test_threads_share_one_budget(clock):
    """Every thread records the slot ``wait`` granted it (no read of the limiter's state
    outside its lock): 30 threads on a budget of 10 per second get 10 slots per second."""
    limiter = RateLimiter(10, window=1)
    slots: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        slot = limiter.wait()
        with lock:
            slots.append(slot)

    threads = [threading.Thread(target=call) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(slots) == [100.0] * 10 + [101.0] * 10 + [102.0] * 10
