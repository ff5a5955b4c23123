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


class FakeStream:
    """A top-level stream as the pool sees it: its page size and a reader of its records."""

    def __init__(self, name: str, page: int | None, order: list[FakeStream]) -> None:
        self.name, self.page, self.order = name, page, order
        order.append(self)

    def reads_ahead_whole(self) -> bool:
        return True

    def page_records(self) -> int | None:
        return self.page

    def streams_in_sync_order(self) -> list[FakeStream]:
        return self.order

    def partition_reader(self, context: object) -> tuple:
        return (lambda: iter(range(self.page or 10))), None


def test_of_the_streams_read_ahead_only_a_few_with_big_pages_wait_at_once():
    pool = Prefetcher(8)
    pool.whole_run = True
    order: list[FakeStream] = []
    first = FakeStream("first", 1000, order)
    big = [FakeStream(f"big{n}", 1000, order) for n in range(4)]
    FakeStream("small", 100, order)  # after the big ones: scheduled in order, so it waits too
    pool.streams_ahead(first, answered=True)  # type: ignore[arg-type]
    ahead = {name for name, _ in pool._tasks}
    assert ahead == {"big0"} and concurrency.LARGE_AHEAD == 1
    for n, stream in enumerate(big[:-1]):  # the sync reaches each: the next big one may go
        assert pool.take(stream, None) is not None  # type: ignore[arg-type]
        pool.streams_ahead(stream, answered=True)  # type: ignore[arg-type]
        assert {name for name, _ in pool._tasks if name.startswith("big")} == {f"big{n + 1}"}
    assert {name for name, _ in pool._tasks} == {"big3", "small"}  # small: behind big3
    pool.shutdown()


def test_streams_whose_server_decides_the_page_size_are_all_read_ahead():
    pool = Prefetcher(8)
    pool.whole_run = True
    order: list[FakeStream] = []
    first = FakeStream("first", None, order)
    for n in range(4):
        FakeStream(f"s{n}", None, order)
    pool.streams_ahead(first, answered=True)  # type: ignore[arg-type]
    assert {name for name, _ in pool._tasks} == {"s0", "s1", "s2", "s3"}
    pool.shutdown()


def test_a_pool_keeps_glibc_to_one_malloc_arena(monkeypatch: pytest.MonkeyPatch):
    calls: list[tuple[int, int]] = []

    class Libc:
        def mallopt(self, param: int, value: int) -> int:
            calls.append((param, value))
            return 1

    monkeypatch.setattr(concurrency.ctypes, "CDLL", lambda name: Libc())
    Prefetcher(1)
    assert calls == []  # no pool, no threads
    Prefetcher(4).shutdown()
    assert calls == [(concurrency.M_ARENA_MAX, 1)]

    def no_libc(name: object) -> object:
        raise OSError("no libc here")

    monkeypatch.setattr(concurrency.ctypes, "CDLL", no_libc)
    Prefetcher(4).shutdown()  # without glibc: nothing to do, no error
