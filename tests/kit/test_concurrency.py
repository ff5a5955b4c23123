"""The read-ahead pool's bookkeeping."""

from __future__ import annotations

from tapkit.concurrency import Prefetcher


def test_one_worker_means_no_pool():
    assert not Prefetcher(1).enabled
    assert Prefetcher(4).enabled
