"""What the schema drift check costs on the per-record path, measured without the network.

Each stream of the tap syncs in this process over its records from the sandbox's truth, served
as pre-encoded pages of 100 (decoded as the tap decodes a page; no HTTP, output to /dev/null),
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
    module = importlib.import_module(f"tap_{spec.name}.tap")
    return next(v for k, v in vars(module).items() if k.lower() == f"tap{spec.name}")


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


def _sync_all(spec: TapSpec, pages: dict[str, list[bytes]], check: str) -> float:
    """CPU seconds of syncing every stream over ``pages`` with the check ``on`` or ``off``."""
    os.environ["TAPKIT_DRIFT_CHECK"] = check
    decode = msgspec.json.Decoder().decode
    tap = _tap_class(spec)(config=tap_config(spec.tap, "http://127.0.0.1:9", **spec.config))
    spent = 0.0
    for name, stream_pages in pages.items():
        stream = tap.streams[name]
        for other in tap.streams.values():
            other.selected = other is stream
        stream.request_records = lambda context, p=stream_pages: (  # type: ignore[method-assign]
            record for page in p for record in decode(page))
        with _quiet():
            started = time.process_time()
            stream.sync()
            tap.message_writer.flush()
            spent += time.process_time() - started
    return spent


def measure(spec: TapSpec, truth: dict[str, list[dict]]) -> DriftCost:
    """The per-record cost of the check over ``truth`` (the sandbox's records per stream)."""
    encode = msgspec.json.Encoder().encode
    pages = {name: [encode(records[i:i + PAGE]) for i in range(0, len(records), PAGE)]
             for name, records in truth.items() if name in spec.keys and records}
    count = sum(len(truth[name]) for name in pages)
    before = os.environ.get("TAPKIT_DRIFT_CHECK")
    times: dict[str, list[float]] = {"on": [], "off": []}
    try:
        for _ in range(ROUNDS):
            for check in ("off", "on"):
                times[check].append(_sync_all(spec, pages, check))
    finally:
        if before is None:
            os.environ.pop("TAPKIT_DRIFT_CHECK", None)
        else:
            os.environ["TAPKIT_DRIFT_CHECK"] = before
    return DriftCost(count, min(times["on"]) / count * 1e6, min(times["off"]) / count * 1e6)
