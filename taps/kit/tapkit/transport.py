"""The HTTP transport of every tap: an adapter that every request passes, redirects included.

It does two things ``requests`` does not:

- **origins**: a request to an origin its :class:`~tapkit.origins.OriginGuard` does not allow is
  refused before it is sent (a redirect to another host keeps ``X-API-Key``; a page link would
  carry the token);
- **deadlines**: ``timeout`` bounds the whole answer, headers and body, not each socket read. At
  the deadline a watchdog thread shuts the connection's socket down, the blocked read returns,
  and the request fails with :class:`requests.exceptions.ReadTimeout` (retried like any timeout).
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from typing_extensions import override
from urllib3 import ProxyManager
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tapkit.origins import OriginGuard

#: Per thread: the deadline of the request this thread is sending, if any.
_current = threading.local()


class _Deadline:
    """One request's deadline; ``expire`` cuts its connection."""

    def __init__(self) -> None:
        self.expired = self.done = False
        self.connection: Any = None

    def expire(self) -> None:
        if self.done:
            return
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is None:  # still connecting (bounded by the connect timeout): look again soon
            WATCHDOG.arm(time.monotonic() + 0.05, self.expire)
            return
        with contextlib.suppress(OSError):  # the plain socket's shutdown, also under TLS
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # wakes the blocked read


class Watchdog:
    """One daemon thread that runs callbacks at their (monotonic) deadlines."""

    def __init__(self) -> None:
        self._heap: list[list[Any]] = []
        self._cond = threading.Condition()
        self._ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._cancelled = 0

    def arm(self, when: float, action: Callable[[], None]) -> list[Any]:
        """Run ``action`` at ``when`` unless :meth:`disarm` is called first."""
        entry = [when, next(self._ids), action]
        with self._cond:
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="tapkit-deadlines",
                                                daemon=True)
                self._thread.start()
            if self._heap[0] is entry:
                self._cond.notify()
        return entry

    def disarm(self, entry: list[Any]) -> None:
        with self._cond:
            if entry[2] is not None:
                entry[2] = None
                self._cancelled += 1
            if self._cancelled > 256 and self._cancelled * 2 > len(self._heap):
                self._heap = [e for e in self._heap if e[2] is not None]
                heapq.heapify(self._heap)
                self._cancelled = 0

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][2] is None:
                    heapq.heappop(self._heap)
                    self._cancelled = max(0, self._cancelled - 1)
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                action = heapq.heappop(self._heap)[2]
            action()


WATCHDOG = Watchdog()


class _TrackedPool:
    """Remembers, per thread, which connection the current request got from the pool."""

    def _get_conn(self, timeout: float | None = None) -> Any:
        conn = super()._get_conn(timeout)  # type: ignore[misc]
        deadline = getattr(_current, "deadline", None)
        if deadline is not None:
            deadline.connection = conn
        return conn


class _TrackedHTTPPool(_TrackedPool, HTTPConnectionPool):
    pass


class _TrackedHTTPSPool(_TrackedPool, HTTPSConnectionPool):
    pass


TRACKED_POOLS = {"http": _TrackedHTTPPool, "https": _TrackedHTTPSPool}


def _total_seconds(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        parts = [float(t) for t in timeout if t is not None]
        return sum(parts) if parts else None
    return None if timeout is None else float(timeout)


class SuiteAdapter(HTTPAdapter):
    """``HTTPAdapter`` with an origin guard and whole-answer deadlines."""

    def __init__(self, guard: OriginGuard | None = None, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(**kwargs)

    @override
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(TRACKED_POOLS)

    @override
    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):  # not SOCKS, whose pools are its own
            manager.pool_classes_by_scheme = dict(TRACKED_POOLS)
        return manager

    @override
    def send(self, request: requests.PreparedRequest, stream: bool = False,  # type: ignore[override]
             timeout: Any = None, **kwargs: Any) -> requests.Response:
        if self.guard is not None:
            self.guard.check(str(request.url))
        seconds = _total_seconds(timeout)
        if not seconds:
            return super().send(request, stream=stream, timeout=timeout, **kwargs)
        deadline = _Deadline()
        _current.deadline = deadline
        entry = WATCHDOG.arm(time.monotonic() + seconds, deadline.expire)
        try:
            response = super().send(request, stream=True, timeout=timeout, **kwargs)
            if not stream:
                response.content  # noqa: B018  (read the whole body before the deadline)
        except Exception:
            if deadline.expired:
                raise requests.exceptions.ReadTimeout(
                    f"no complete answer within {seconds:g} s", request=request) from None
            raise
        finally:
            deadline.done = True
            WATCHDOG.disarm(entry)
            _current.deadline = None
        return response


def guarded_session(allowed: Mapping[str, str], pool_size: int = 10,
                    user_agent: str | None = None) -> requests.Session:
    """A keep-alive session whose requests go only to the origins of ``allowed`` (URL ->
    setting name), each answer bounded by the ``timeout`` it is sent with."""
    session = requests.Session()
    adapter = SuiteAdapter(OriginGuard(allowed), pool_connections=4, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    if user_agent:
        session.headers["User-Agent"] = user_agent
    return session
