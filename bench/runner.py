"""One tap's side-by-side measurement: parity passes, then timed runs of the tap, the tap with
its drift check off, the bare loop and dlt, interleaved; then the tap again at a tenth of the
volume for the memory goal."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from bench import drift, parity
from bench.measure import Sample, record_keys, timed_run
from bench.options import NO_DRIFT, ROOT, Options
from bench.sandbox_proc import RunningSandbox, sandbox
from bench.specs import TapSpec
from sandbox.credentials import tap_config

BIN = Path(sys.executable).parent


@dataclass
class TapResult:
    """Everything measured for one tap."""

    spec: TapSpec
    volume: int
    records: int
    samples: dict[str, list[Sample]]
    verdict: parity.Parity
    small_volume: int = 0
    small: list[Sample] = field(default_factory=list)
    #: Per contender (and ``truth``): the fingerprint of its set of primary keys.
    digests: dict[str, str] = field(default_factory=dict)
    #: The drift check's cost on the per-record path, measured in-process (bench/drift.py).
    drift_path: drift.DriftCost | None = None
    #: How long measuring this tap took, everything included.
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """The machine-readable results (``latest.json``)."""
        return {
            "tap": self.spec.tap, "volume": self.volume, "records": self.records,
            "rates": {kind: self.rate(kind) for kind in self.samples},
            "samples": {kind: [asdict(s) for s in samples]
                        for kind, samples in self.samples.items()},
            "small_volume": self.small_volume, "small": [asdict(s) for s in self.small],
            "memory_ratio": self.memory_ratio if self.small else None,
            "drift_cost": self.drift_cost,
            "drift_path": asdict(self.drift_path) if self.drift_path else None,
            "parity": self.verdict.ok, "seconds": round(self.seconds, 1),
            "problems": self.verdict.problems, "digests": self.digests,
        }

    def median(self, kind: str, attr: str) -> float:
        values = [getattr(s, attr) for s in self.samples.get(kind, [])]
        return median(values) if values else float("nan")

    def rate(self, kind: str) -> float:
        """Records per second, from the median wall time."""
        return self.records / self.median(kind, "wall") if self.samples.get(kind) else float("nan")

    @property
    def drift_cost(self) -> float:
        """The share of throughput the schema drift check costs (tap vs tap-nodrift)."""
        return 1 - self.rate("tap") / self.rate(NO_DRIFT)

    @property
    def memory_ratio(self) -> float:
        """Peak RSS at the full volume over peak RSS at a tenth of it."""
        if not self.small:
            return float("nan")
        return self.median("tap", "rss_mb") / median(s.rss_mb for s in self.small)


class Contenders:
    """The command lines of the tap, the bare loop and dlt against one sandbox."""

    def __init__(self, spec: TapSpec, url: str, options: Options, workdir: Path,
                 overrides: dict | None = None) -> None:
        self.spec, self.url, self.options = spec, url, options
        workdir.mkdir(parents=True, exist_ok=True)
        self.config = workdir / f"{spec.tap}.json"
        settings = spec.tap_overrides() if overrides is None else overrides
        self.config.write_text(json.dumps(tap_config(spec.tap, url, **settings)))
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.dlt_env = {**self.env, "RUNTIME__DLTHUB_TELEMETRY": "false",
                        "RUNTIME__LOG_LEVEL": "WARNING", "DLT_DATA_DIR": str(workdir / "dlt"),
                        "DLT_PROJECT_DIR": str(workdir)}

    def command(self, kind: str, records: bool = False) -> tuple[list[str], dict[str, str]]:
        """The command line and environment of ``kind`` (tap, tap-nodrift, limit or dlt)."""
        if kind == "tap":
            return [str(BIN / self.spec.tap), "--config", str(self.config)], self.env
        if kind == NO_DRIFT:
            return ([str(BIN / self.spec.tap), "--config", str(self.config)],
                    {**self.env, "TAPKIT_DRIFT_CHECK": "off"})
        if kind == "limit":
            return [sys.executable, "-m", "bench.limit", self.spec.name, self.url], self.env
        extra = ["--records"] if records else []
        return ([str(self.options.dlt_python), "-m", "bench.dlt_sources", self.spec.name,
                 self.url, *extra], self.dlt_env)


def timed(box: RunningSandbox, contenders: Contenders, kind: str) -> Sample:
    """One timed run of ``kind``, with the sandbox's counters reset first."""
    box.client.reset()
    api = contenders.spec.api
    cmd, env = contenders.command(kind)
    return timed_run(cmd, env, box.cpu_seconds,
                     lambda: int(box.client.stats()[api]["requests"]), cwd=str(ROOT))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_tap(spec: TapSpec, options: Options) -> TapResult:
    """Parity passes, timed runs and the small-volume run of one tap."""
    started = time.perf_counter()
    volume = max(10, round(options.volume * spec.volume_factor))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        with sandbox(volume, [spec.api]) as box:
            log(f"[{spec.name}] sandbox at volume {volume} up in {box.startup_seconds:.1f} s")
            contenders = Contenders(spec, box.url, options, workdir)
            begun = time.perf_counter()
            truth = parity.truth_keys(box.client, spec)
            log(f"[{spec.name}] truth: {parity.count(truth)} records "
                f"({time.perf_counter() - begun:.1f} s)")
            extracted: dict[str, parity.Keys] = {}
            requested: dict[str, Counter[tuple]] = {}
            for kind in options.kinds:
                box.client.reset()
                cmd, env = contenders.command(kind, records=True)
                begun = time.perf_counter()
                extracted[kind] = record_keys(cmd, env, spec, cwd=str(ROOT))
                requested[kind] = parity.pages(box.client, spec.api)
                log(f"[{spec.name}] parity pass {kind}: {parity.count(extracted[kind])} "
                    f"records, {sum(requested[kind].values())} requests, "
                    f"{time.perf_counter() - begun:.1f} s")
            verdict = parity.check(truth, extracted, requested)
            samples: dict[str, list[Sample]] = {kind: [] for kind in options.timed_kinds}
            for repeat in range(options.repeats):
                for kind in options.timed_kinds:
                    sample = timed(box, contenders, kind)
                    samples[kind].append(sample)
                    log(f"[{spec.name}] run {repeat + 1}/{options.repeats} {kind}: "
                        f"{sample.wall:.2f} s, {sample.rss_mb:.0f} MiB, "
                        f"sandbox {sample.server_cpu:.2f} s CPU")
            begun = time.perf_counter()
            drift_path = drift.measure(spec, box.client.truth(spec.api))
            log(f"[{spec.name}] per-record path: {drift_path.on_us:.1f} us with the drift check, "
                f"{drift_path.off_us:.1f} us without ({time.perf_counter() - begun:.0f} s)")
        result = TapResult(spec, volume, parity.count(truth), samples, verdict,
                           digests={who: parity.digest(keys)
                                    for who, keys in {"truth": truth, **extracted}.items()},
                           drift_path=drift_path)
        if options.goals:
            result.small_volume = max(10, volume // 10)
            with sandbox(result.small_volume, [spec.api]) as box:
                small = Contenders(spec, box.url, options, workdir)
                for _ in range(options.repeats):
                    result.small.append(timed(box, small, "tap"))
            log(f"[{spec.name}] tap at volume {result.small_volume}: "
                f"{median(s.rss_mb for s in result.small):.0f} MiB")
    result.seconds = time.perf_counter() - started
    log(f"[{spec.name}] done in {result.seconds:.0f} s")
    return result
