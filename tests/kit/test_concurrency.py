"""The client-side rate limit and the child prefetcher's bookkeeping."""

from __future__ import annotations

import threading

from tapkit.concurrency import ChildPrefetcher, RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_rate_limiter_spaces_calls(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr("tapkit.concurrency.time.monotonic", clock.monotonic)
    monkeypatch.setattr("tapkit.concurrency.time.sleep", clock.sleep)
    limiter = RateLimiter(4)  # one call every 0.25 s
    calls = [limiter.wrap(lambda: clock.now)() for _ in range(4)]
    assert calls == [100.0, 100.25, 100.5, 100.75]
    clock.now += 10  # idle time is not banked
    assert limiter.wrap(lambda: clock.now)() == 110.75


def test_rate_limiter_off_calls_straight_through():
    limiter = RateLimiter(0)
    func = lambda: 1  # noqa: E731
    assert limiter.wrap(func) is func


def test_rate_limiter_is_shared_by_threads(monkeypatch):
    clock = FakeClock()
    lock = threading.Lock()
    monkeypatch.setattr("tapkit.concurrency.time.monotonic", clock.monotonic)
    monkeypatch.setattr("tapkit.concurrency.time.sleep", lambda s: None)
    limiter = RateLimiter(10)
    slots: list[float] = []

    def call() -> None:
        limiter.wait()
        with lock:
            slots.append(limiter._next)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(round(s, 6) for s in slots) == [round(100.1 + 0.1 * i, 6) for i in range(20)]


def test_one_worker_means_no_pool():
    assert not ChildPrefetcher(1).enabled
    assert ChildPrefetcher(4).enabled
