"""What the schema drift check costs on the per-record path, measured without the network.

Each stream of the tap syncs in this process over its records from the sandbox's truth, served
as pre-encoded pages of 100 (decoded as the tap decodes a page; no HTTP, output to /dev/null),
per parent with the context the tap gives it where its records carry their parent's id,
alternately with ``TAPKIT_DRIFT_CHECK`` on and off, ``ROUNDS`` times; the cost compares the
fastest CPU time of each. Whole-process timings (the ``tap-nodrift`` contender) move by 5-10 %
between runs on a shared machine; this one isolates the part of the work the check changes.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import msgspec

from bench.specs import TapSpec
from sandbox.credentials import tap_config
from taps.registry import BY_NAME

ROUNDS = 5
PAGE = 100


@dataclass
class DriftCost:
    """CPU microseconds per record of the per-record path, with and without the check."""

    records: int
    on_us: float
    off_us: float

    @property
    def cost(self) -> float:
        return self.on_us / self.off_us - 1


def _tap_class(spec: TapSpec) -> type:
    module, _, name = BY_NAME[spec.tap].tap_class.partition(":")
    return getattr(importlib.import_module(module), name)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    real = sys.stdout
    logging.disable(logging.WARNING)
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        try:
            yield
        finally:
            sys.stdout = real
            logging.disable(logging.NOTSET)


#: Per stream, its partitions: the context the tap syncs it with, and its pages.
Partitions = dict[str, list[tuple[dict | None, list[bytes]]]]


def _partitions(spec: TapSpec, truth: dict[str, list[dict]]) -> Partitions:
    """The truth's records as pre-encoded pages; a stream whose records carry their parent's id
    (``add`` in the spec: the tap writes it from the context) gets one partition per parent, so
    that it syncs with the context the tap gives it."""
    encode = msgspec.json.Encoder().encode
    out: Partitions = {}
    for stream in spec.streams:
        records = truth.get(stream.name) or []
        groups: dict[tuple, list[dict]] = {}
        for record in records:
            groups.setdefault(tuple(record.get(f) for f in stream.add), []).append(record)
        if records:
            out[stream.name] = [
                (dict(zip(stream.add, values, strict=True)) if stream.add else None,
                 [encode(rows[i:i + PAGE]) for i in range(0, len(rows), PAGE)])
                for values, rows in groups.items()]
    return out


def _sync_all(spec: TapSpec, partitions: Partitions, check: str) -> float:
    """CPU seconds of syncing every stream over ``partitions`` with the check ``on`` or
    ``off``."""
    os.environ["TAPKIT_DRIFT_CHECK"] = check
    decode = msgspec.json.Decoder().decode
    tap = _tap_class(spec)(config=tap_config(spec.tap, "http://127.0.0.1:9", **spec.config))
    spent = 0.0
    for name, parts in partitions.items():
        stream = tap.streams[name]
        for other in tap.streams.values():
            other.selected = other is stream
        for context, stream_pages in parts:
            stream.request_records = lambda ctx, p=stream_pages: (  # type: ignore[method-assign]
                record for page in p for record in decode(page))
            with _quiet():
                started = time.process_time()
                stream.sync(context)
                tap.message_writer.flush()
                spent += time.process_time() - started
    return spent


def measure(spec: TapSpec, truth: dict[str, list[dict]]) -> DriftCost:
    """The per-record cost of the check over ``truth`` (the sandbox's records per stream)."""
    partitions = _partitions(spec, truth)
    count = sum(len(truth[name]) for name in partitions)
    before = os.environ.get("TAPKIT_DRIFT_CHECK")
    times: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for _ in range(ROUNDS):
            for check in ("off", "on"):
                times[check].append(_sync_all(spec, partitions, check))
    finally:
        if before is None:
            os.environ.pop("TAPKIT_DRIFT_CHECK", None)
        else:
            os.environ["TAPKIT_DRIFT_CHECK"] = before
    return DriftCost(count, min(times["on"]) / count * 1e6, min(times["off"]) / count * 1e6)
