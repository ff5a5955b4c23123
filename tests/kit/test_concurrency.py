"""The read-ahead pool (tapkit.concurrency): bounded buffers, order, errors, no threads left."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from tapkit import concurrency
from tapkit.concurrency import BUFFER, CHUNK, Prefetcher, Task


def test_one_worker_means_no_pool():
    assert not Prefetcher(1).enabled
    assert Prefetcher(4).enabled


class Counting:
    """A source of ``total`` items that counts how many were taken from it, and where."""

    def __init__(self, total: int, fail_after: int | None = None) -> None:
        self.total, self.fail_after = total, fail_after
        self.produced = 0
        self.threads: set[str] = set()
        self.parked = threading.Event()

    def __call__(self) -> Iterator[int]:
        for n in range(self.total):
            if n == self.fail_after:
                raise RuntimeError("stream: HTTP 500 (gave up after 4 tries)")
            self.threads.add(threading.current_thread().name)
            self.produced += 1
            yield n


def wait_until_parked(task: Task) -> None:
    with task._cond:
        assert task._cond.wait_for(lambda: task._state in (concurrency._PARKED,
                                                            concurrency._DONE), timeout=30)


def test_a_worker_reads_at_most_a_buffer_ahead_then_parks():
    pool = Prefetcher(4)
    source = Counting(50_000)
    task = pool.submit(source, (0, 0))
    wait_until_parked(task)
    assert task._state == concurrency._PARKED
    assert source.produced <= BUFFER + CHUNK  # not the whole partition
    assert list(task) == list(range(50_000))  # in order, all of them, resumed as read
    assert any(name.startswith("tapkit-ahead") for name in source.threads)
    pool.shutdown()


def test_the_error_comes_after_the_items_before_it():
    pool = Prefetcher(2)
    task = pool.submit(Counting(1000, fail_after=250), (0, 0))
    seen = []
    with pytest.raises(RuntimeError, match="HTTP 500"):
        for item in task:
            seen.append(item)
    assert seen == list(range(250))
    pool.shutdown()


class NoPool(Prefetcher):
    """A pool whose workers never come: every task stays queued."""

    def push(self, task: Task, priority: tuple | None = None) -> None:
        pass


def test_a_task_not_started_is_read_by_its_reader_itself():
    source = Counting(500)
    task = NoPool(4).submit(source, (0, 0))
    assert list(task) == list(range(500))  # no deadlock waiting for a worker
    assert source.threads == {threading.current_thread().name}


def test_shutdown_cancels_parked_reads_and_leaves_no_thread():
    pool = Prefetcher(3)
    tasks = [pool.submit(Counting(10_000), (0, n)) for n in range(3)]
    for task in tasks:
        wait_until_parked(task)
    pool._tasks.update({("s", (n,)): task for n, task in enumerate(tasks)})
    threads = list(pool._threads)
    assert threads
    pool.shutdown()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert all(task.cancelled for task in tasks)
