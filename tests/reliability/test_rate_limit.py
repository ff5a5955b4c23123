"""Issue 13, point 2: the client-side limit has the API's own shape, a budget of requests per
window with bursts allowed. With tap-classroom's defaults (20 requests per second over a 60 s
window: Google's 1,200 a minute) a sync of a few hundred requests runs as fast as the network
allows, where spacing every request 1/20 s apart took at least (requests - 1) / 20 seconds.
That the budget is never passed over a long sync is checked with a fake clock in
tests/kit/test_limiter.py."""

from __future__ import annotations

import time

from tests.reliability.common import BY_NAME, run, why


def test_a_sync_within_the_budget_is_not_spaced_out(sandbox):
    tap = BY_NAME["tap-classroom"]
    config = tap.config(page_size=2)
    del config["max_requests_per_second"]  # the tap's defaults, not the sandbox's "no limit"
    started = time.monotonic()
    one = run(tap, config)
    elapsed = time.monotonic() - started
    assert one.returncode == 0, why(one)
    requests = sandbox.stats()[tap.prefix]["requests"]
    spaced = (requests - 1) / 20  # the least time evenly spaced requests would take
    assert requests >= 300 and spaced >= 15
    assert elapsed < spaced * 0.7, f"{requests} requests took {elapsed:.1f} s"
