"""Singer output: msgspec-encoded lines, written in blocks instead of one flush per message.

The buffer is written out at every STATE message, when it grows past a block, when half a second
has passed since the last write, and at the end of the sync. A STATE therefore never reaches the
target before the records it covers, and a killed run loses only records that no STATE has
vouched for yet (the next run reads them again).
"""

from __future__ import annotations

import atexit
import sys
import time
import weakref

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib.encoding.simple import Message

BLOCK = 256 * 1024
MAX_DELAY = 0.5
_writers: weakref.WeakSet[BufferedMsgSpecWriter] = weakref.WeakSet()


def flush_all() -> None:
    """Write out what every writer still holds (before an exit that skips ``atexit``)."""
    for writer in list(_writers):
        writer.flush()


atexit.register(flush_all)


class BufferedMsgSpecWriter(MsgSpecWriter):
    """The SDK's msgspec writer with block-buffered output, flushed at every STATE."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._flushed_at = time.monotonic()
        _writers.add(self)

    def write_message(self, message: Message) -> None:
        payload = message.to_dict()
        # one append per message, so a signal handler writing STATE never splits a line
        self._buffer += encoder.encode(payload) + b"\n"
        if (payload.get("type") == "STATE" or len(self._buffer) >= BLOCK
                or time.monotonic() - self._flushed_at >= MAX_DELAY):
            self.flush()

    def flush(self) -> None:
        """Write out everything buffered so far."""
        if self._buffer:
            data = bytes(self._buffer)
            self._buffer.clear()
            sys.stdout.buffer.write(data)
        sys.stdout.flush()
        self._flushed_at = time.monotonic()
