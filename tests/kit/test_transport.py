"""The transport's watchdog: deadlines run in order, disarmed ones never."""

from __future__ import annotations

import threading
import time

from tapkit.transport import Watchdog


def test_deadlines_run_in_order_and_disarmed_ones_do_not():
    watchdog = Watchdog()
    ran: list[str] = []
    done = threading.Event()
    now = time.monotonic()
    watchdog.arm(now + 0.2, lambda: (ran.append("late"), done.set()))
    cancelled = watchdog.arm(now + 0.05, lambda: ran.append("cancelled"))
    watchdog.arm(now + 0.1, lambda: ran.append("early"))
    watchdog.disarm(cancelled)
    assert done.wait(5)
    assert ran == ["early", "late"]


def test_many_disarmed_deadlines_do_not_pile_up():
    watchdog = Watchdog()
    later = time.monotonic() + 3600
    for _ in range(2000):
        watchdog.disarm(watchdog.arm(later, lambda: None))
    assert len(watchdog._heap) < 600
