"""The child prefetcher's bookkeeping."""

from __future__ import annotations

from tapkit.concurrency import ChildPrefetcher


def test_one_worker_means_no_pool():
    assert not ChildPrefetcher(1).enabled
    assert ChildPrefetcher(4).enabled
