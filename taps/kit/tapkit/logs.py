"""Logs a person can read: the SDK's lines about a whole stream once per stream, not once per
partition (course, project, assignment...), and no warning that contradicts what the kit does."""

from __future__ import annotations

import logging
import threading
from typing import Any

from typing_extensions import override

#: The SDK's lines that say the same for every partition of a stream (its first argument is the
#: stream's name).
PER_STREAM = ("Starting incremental sync of '%s' with bookmark value: %s",
              "Beginning sync of '%s' in %s mode with context keys: %s")
#: The SDK's lines that say the same for every partition of a stream, logged by the stream's own
#: logger (the stream is the logger's name).
PER_STREAM_LOGGER = ("Pagination stopped after %d pages because no records were found in the "
                     "last response",)
#: Logged by the SDK for a stream with ``is_sorted = False``; the kit's bookmark of such a
#: stream only moves when the stream has been read to the end, so a run that stops half-way
#: starts again from the previous bookmark and loses nothing (README: State and incremental sync).
UNSORTED = "Stream is assumed to be unsorted, progress is not resumable if interrupted"
UNSORTED_NOTE = (" (the bookmark moves when the stream has been read to the end: an interrupted "
                 "run starts again from the previous one)")


class OncePerStream(logging.Filter):
    """Lets the first of each :data:`PER_STREAM` and :data:`PER_STREAM_LOGGER` line of a stream
    through, and says once how the bookmark of an unsorted stream moves."""

    def __init__(self, unsorted: set[str]) -> None:
        super().__init__()
        self.unsorted = unsorted
        self.seen: set[tuple[str, Any]] = set()
        self.lock = threading.Lock()

    @staticmethod
    def key(message: object, args: object, logger_name: str) -> Any:
        """The stream a once-per-stream line is about (``None``: not such a line)."""
        if message in PER_STREAM_LOGGER:
            return logger_name
        if message in PER_STREAM and isinstance(args, tuple):
            return args[0]
        return None

    def said(self, message: str, stream: Any) -> bool:
        """Whether the line ``message`` about ``stream`` went through already."""
        return (message, stream) in self.seen

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        stream = self.key(record.msg, record.args, record.name)
        if stream is None:
            return True
        with self.lock:
            if (record.msg, stream) in self.seen:
                return False
            self.seen.add((record.msg, stream))
        if record.msg == PER_STREAM[0] and stream in self.unsorted:
            record.msg += UNSORTED_NOTE
        return True


class NoUnsortedWarning(logging.Filter):
    """Drops :data:`UNSORTED` (the kit's own line says how such a stream's bookmark moves)."""

    @override
    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != UNSORTED


def readable_logs(tap_name: str, streams: dict[str, Any]) -> None:
    """Install the filters for one run of ``tap_name`` (replacing those of an earlier run in the
    same process)."""
    unsorted = {n for n, s in streams.items() if s.replication_key and not s.is_sorted}
    once = OncePerStream(unsorted)
    for name in streams:
        _replace(logging.getLogger(tap_name).getChild(name), once)
    _replace(logging.getLogger("singer_sdk"), NoUnsortedWarning())


def said_before(logger: logging.Logger, message: str, args: tuple) -> bool:
    """Whether ``logger``'s :class:`OncePerStream` filter would drop this line, which then need
    not be built (the SDK logs these for each of thousands of partitions)."""
    for once in logger.filters:
        if isinstance(once, OncePerStream):
            stream = once.key(message, args, logger.name)
            return stream is not None and once.said(message, stream)
    return False


def _replace(logger: logging.Logger, new: logging.Filter) -> None:
    for old in [f for f in logger.filters if type(f) is type(new)]:
        logger.removeFilter(old)
    logger.addFilter(new)
