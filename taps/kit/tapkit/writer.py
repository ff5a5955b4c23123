"""Singer output: msgspec-encoded lines, written in blocks instead of one flush per message.

The buffer is written out at every STATE message, when it grows past a block, when half a second
has passed since the last write, and at the end of the sync. A STATE therefore never reaches the
target before the records it covers, and a killed run loses only records that no STATE has
vouched for yet (the next run reads them again).

Bytes leave the buffer only once ``os.write`` says they reached stdout, so the buffer always
holds exactly what is still to be written, in whole lines. A stop signal that arrives while a
block is being written waits (:meth:`BufferedMsgSpecWriter.request_stop`) until the block is
out: the last STATE goes after the records it covers, never into the middle of a line.
"""

from __future__ import annotations

import atexit
import contextlib
import errno
import os
import select
import sys
import time
import weakref
from collections.abc import Callable

from singer_sdk.contrib.msgspec import MsgSpecWriter, encoder
from singer_sdk.singerlib.encoding.simple import Message
from typing_extensions import override

from tapkit.errors import TapError

BLOCK = 256 * 1024
MAX_DELAY = 0.5
_writers: weakref.WeakSet[BufferedMsgSpecWriter] = weakref.WeakSet()


class OutputError(TapError):
    """stdout takes no more output: the target closed it, the disk is full, or it is closed."""


def flush_all() -> None:
    """Write out what every writer still holds (before an exit that skips ``atexit``); output
    that can no longer be written is dropped (the run already failed)."""
    for writer in list(_writers):
        with contextlib.suppress(OutputError):
            writer.flush()


atexit.register(flush_all)


def _output_error(exc: OSError | None) -> OutputError:
    code = getattr(exc, "errno", None)
    if code == errno.EPIPE:
        what = "the output was closed before the sync finished (the target stopped reading)"
    elif code == errno.ENOSPC:
        what = "the output could not be written: no space left on the device"
    elif exc is None or code == errno.EBADF:
        what = "the output (stdout) is closed"
    else:
        what = f"the output could not be written: {exc.strerror or exc}"
    return OutputError(f"{what}; records after the last STATE were not delivered: run again "
                       f"from that STATE")


class BufferedMsgSpecWriter(MsgSpecWriter):
    """The SDK's msgspec writer with block-buffered output, flushed at every STATE."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()
        self._flushed_at = time.monotonic()
        self._writing = False
        self._on_stop: Callable[[], None] | None = None
        self._failed = False
        #: Messages written so far (what a STATE vouches for is counted in them).
        self.messages = 0
        _writers.add(self)

    @override
    def write_message(self, message: Message) -> None:
        if self._failed:
            return
        payload = message.to_dict()
        self.messages += 1
        # one append per message: the buffer only ever holds whole lines
        self._buffer += encoder.encode(payload) + b"\n"
        if (payload.get("type") == "STATE" or len(self._buffer) >= BLOCK
                or time.monotonic() - self._flushed_at >= MAX_DELAY):
            self.flush()

    def state_line(self, state: dict) -> bytes:
        """The STATE message of ``state`` as :meth:`write_message` would encode it."""
        return encoder.encode({"type": "STATE", "value": state}) + b"\n"

    def write_state_line(self, line: bytes) -> None:
        """Write a line from :meth:`state_line` (a STATE: the buffer is written out)."""
        if not self._failed:
            self._buffer += line
            self.flush()

    def flush(self) -> None:
        """Write out everything buffered so far; then run a stop requested meanwhile."""
        if self._writing:
            return  # re-entered from a signal handler: the flush under way writes it all
        self._writing = True
        try:
            self._write_out()
        finally:
            self._writing = False
            self._flushed_at = time.monotonic()
            if self._on_stop is not None:
                stop, self._on_stop = self._on_stop, None
                stop()

    def request_stop(self, stop: Callable[[], None]) -> None:
        """Run ``stop`` (which writes the last STATE and exits) now, or, when a signal arrives
        while a block is being written, right after that block is out."""
        if self._writing:
            self._on_stop = stop
        else:
            stop()

    def _write_out(self) -> None:
        if self._failed or not self._buffer:
            return
        out = sys.stdout
        try:
            if out is None:
                raise _output_error(None)
            out.flush()  # anything printed through sys.stdout goes first
            try:
                fd = out.fileno()
            except (AttributeError, OSError, ValueError):
                fd = None  # an in-memory stdout (tests): no file descriptor to write to
            while self._buffer:
                chunk = self._buffer[:BLOCK]  # a copy: the buffer may grow while it is written
                if fd is None:
                    out.buffer.write(bytes(chunk)) if hasattr(out, "buffer") else out.write(
                        chunk.decode())
                    written = len(chunk)
                else:
                    written = _write(fd, chunk)
                del self._buffer[:written]
            if fd is None:
                out.flush()
        except OSError as exc:
            self._fail()
            raise _output_error(exc) from None
        except OutputError:
            self._fail()
            raise

    def _fail(self) -> None:
        self._failed = True
        self._buffer.clear()


def _write(fd: int, data: bytearray) -> int:
    """``os.write``, waiting while a non-blocking stdout is full."""
    while True:
        try:
            return os.write(fd, data)
        except BlockingIOError:
            select.select([], [fd], [])


#: A STATE after a child stream's partition goes out once this many messages or partitions
#: have gone by since the last STATE (:meth:`EncodedStateWriter.interim_due`).
INTERIM_STATE_MESSAGES = 1000
INTERIM_STATE_PARTITIONS = 100


class EncodedStateWriter:
    """The tap's STATE writer: a STATE goes out only when it differs from the last one written,
    as the SDK's writer does, but compared as the encoded line. The SDK's writer deep-copies the
    whole state after every write and builds the message with ``dataclasses.asdict``: with a
    state that lists every parent read (Classroom's per-course streams), that is quadratic in
    the parents and was most of a many-partition sync's CPU time.

    The SDK also writes a STATE after every partition of a child stream: 7,800 for a Classroom
    sync of 866 courses, each listing every course read so far (53 MB of STATE for 61 MB of
    records). :meth:`interim_due` lets one of those through per
    :data:`INTERIM_STATE_MESSAGES` messages or :data:`INTERIM_STATE_PARTITIONS` partitions; every
    other STATE (a top-level stream's, the end of the sync, a stop) goes out as before. Counted
    in messages, not seconds, so that the output is the same at any speed."""

    def __init__(self, writer: BufferedMsgSpecWriter) -> None:
        self._writer = writer
        self._last: bytes | None = None
        self._messages_then = 0
        self._held = 0

    def write_state(self, state: dict) -> None:
        """Write ``state`` as a STATE message unless it is the one written last."""
        line = self._writer.state_line(state)
        self._messages_then, self._held = self._writer.messages, 0
        if line != self._last:
            self._writer.write_state_line(line)
            self._last = line

    def interim_due(self) -> bool:
        """Whether the STATE after a child stream's partition goes out (else it is held: the
        next STATE written carries it)."""
        if (self._writer.messages - self._messages_then >= INTERIM_STATE_MESSAGES
                or self._held + 1 >= INTERIM_STATE_PARTITIONS):
            return True
        self._held += 1
        return False
