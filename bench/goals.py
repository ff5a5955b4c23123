"""The goals measured beside the main table (issue 17; the 10x memory goal is per tap, in
``runner``):

- **hot path** (goal 1): tap-classroom over many courses in pages of 1,000, no child stream
  selected and no client-side limit, against the bare loop over the same pages (bench/bulk.py);
- **latency** (goal 2): whole syncs with a per-request latency, default settings against
  ``max_concurrency: 1``: tap-classroom over a few courses, tap-primetric (every stream),
  tap-thrive ``users`` over a fixed number of pages;
- **bounded memory** (goal 3): tap-classroom over a few courses with very many submissions each,
  peak RSS at ``max_concurrency`` 8 against 1 (each run its own process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

from bench.bulk import bulk_sandbox
from bench.measure import Sample, timed_run
from bench.options import ROOT, Options
from bench.runner import BIN, log
from bench.sandbox_proc import sandbox
from sandbox.apis.classroom import ClassroomAPI
from sandbox.client import SandboxClient
from sandbox.credentials import tap_config

HOTPATH_RATIO = 0.5
LATENCY_RATIO = {"tap-classroom": 0.2, "tap-primetric": 0.3, "tap-thrive": 0.3}
BOUNDED_MEMORY_RATIO = 1.5


@dataclass
class Pair:
    """Runs of one case in two settings (``a`` against ``b``): wall times and peak RSS."""

    case: str
    a: list[Sample] = field(default_factory=list)
    b: list[Sample] = field(default_factory=list)
    records: int = 0
    requests: int = 0

    def wall(self, side: str) -> float:
        return median(s.wall for s in getattr(self, side))

    def rss(self, side: str) -> float:
        return median(s.rss_mb for s in getattr(self, side))

    @property
    def time_ratio(self) -> float:
        return self.wall("a") / self.wall("b")

    @property
    def rss_ratio(self) -> float:
        return self.rss("a") / self.rss("b")


@dataclass
class GoalResults:
    """Everything ``measure_goals`` measured (``None``: not measured)."""

    hotpath: Pair | None = None
    latency: dict[str, Pair] = field(default_factory=dict)
    latency_ms: float = 0.0
    memory: Pair | None = None
    shapes: dict[str, str] = field(default_factory=dict)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def classroom_volume(courses: int, seed: int = 1) -> tuple[int, int]:
    """The smallest sandbox volume whose Classroom fake lists at least ``courses`` courses."""
    volume = courses * 125
    while True:
        listed = len(ClassroomAPI(seed, volume).truth()["courses"])
        if listed >= courses:
            return volume, listed
        volume += 125


def select_only(tap: str, config: Path, streams: list[str], out: Path) -> Path:
    """A catalog of ``tap`` (from ``--discover``) selecting only ``streams``."""
    found = subprocess.run([str(BIN / tap), "--config", str(config), "--discover"],
                           capture_output=True, text=True, check=True)
    catalog = json.loads(found.stdout)
    for entry in catalog["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] in streams
    out.write_text(json.dumps(catalog))
    return out


class Case:
    """One tap against one running fake, in any number of settings."""

    def __init__(self, tap: str, box: SandboxClient, workdir: Path,
                 streams: list[str] | None = None, **settings: Any) -> None:
        self.tap, self.box, self.workdir, self.settings = tap, box, workdir, settings
        workdir.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.catalog = None
        if streams:
            self.catalog = select_only(tap, self._config("discover"), streams,
                                       workdir / "catalog.json")

    def _config(self, name: str, **more: Any) -> Path:
        path = self.workdir / f"{name}.json"
        path.write_text(json.dumps(tap_config(self.tap, self.box.url,
                                              **{**self.settings, **more})))
        return path

    def command(self, name: str, **more: Any) -> list[str]:
        cmd = [str(BIN / self.tap), "--config", str(self._config(name, **more))]
        return cmd + (["--catalog", str(self.catalog)] if self.catalog else [])

    def run(self, cmd: list[str]) -> Sample:
        """One run in its own process (the fake's latency stays as set)."""
        before = self._requests()
        sample = timed_run(cmd, self.env, self._no_cpu, self._requests, cwd=str(ROOT))
        sample.requests -= before
        return sample

    @staticmethod
    def _no_cpu() -> float:
        return 0.0

    def _requests(self) -> int:
        return sum(int(a["requests"]) for a in self.box.stats().values())


def _pair(case: Case, name: str, a: list[str], b: list[str], repeats: int) -> Pair:
    pair = Pair(name)
    for _ in range(repeats):
        for side, cmd in (("a", a), ("b", b)):
            sample = case.run(cmd)
            getattr(pair, side).append(sample)
            pair.requests = sample.requests
            log(f"[goals] {name} {side}: {sample.wall:.2f} s, {sample.rss_mb:.0f} MiB, "
                f"{sample.requests} requests")
    return pair


def measure_hotpath(options: Options, workdir: Path) -> Pair:
    courses = _env_int("BENCH_HOTPATH_COURSES", 200_000 if options.volume >= 50_000 else 20_000)
    with bulk_sandbox(courses, 0) as box:
        case = Case("tap-classroom", box, workdir / "hot", ["courses"], page_size=1000,
                    max_requests_per_second=0)
        loop = [sys.executable, "-m", "bench.bulk", "loop", box.url, "courses"]
        pair = _pair(case, f"hot path ({courses:,} courses)", case.command("tap"), loop,
                     options.repeats)
    pair.records = courses
    return pair


def measure_latency(options: Options, workdir: Path, latency_ms: float
                    ) -> dict[str, Pair]:
    """Default settings (``a``) against ``max_concurrency: 1`` (``b``) under latency."""
    pairs: dict[str, Pair] = {}
    courses = _env_int("BENCH_LATENCY_COURSES", 20)
    pages = _env_int("BENCH_LATENCY_PAGES", 50)
    volume = _env_int("BENCH_LATENCY_VOLUME", 5000)
    cases: list[tuple[str, str, Callable[[], AbstractContextManager[Any]], list[str] | None,
                      dict[str, Any]]] = [
        ("tap-classroom", f"{courses} courses, every stream",
         lambda: sandbox(classroom_volume(courses)[0], ["classroom"]), None, {}),
        ("tap-primetric", f"every stream at volume {volume}",
         lambda: sandbox(volume, ["primetric"]), None, {}),
        ("tap-thrive", f"users over {pages} pages",
         lambda: sandbox(volume, ["thrive"]), ["users"], {}),
    ]
    for tap, shape, start, streams, settings in cases:
        with start() as running:
            box = running.client
            if tap == "tap-thrive":
                users = len(box.truth("thrive")["users"])
                settings = {"page_size": max(1, -(-users // pages))}
            case = Case(tap, box, workdir / tap, streams, **settings)
            box.latency(latency_ms)
            pair = _pair(case, f"latency {tap}", case.command("default"),
                         case.command("sequential", max_concurrency=1), options.repeats)
            pair.case = shape
            pairs[tap] = pair
    return pairs


def measure_memory(options: Options, workdir: Path) -> Pair:
    """Peak RSS at ``max_concurrency`` 8 (``a``) against 1 (``b``)."""
    courses = _env_int("BENCH_MEMORY_COURSES", 8)
    subs = _env_int("BENCH_MEMORY_SUBMISSIONS", 60_000 if options.volume >= 50_000 else 6_000)
    with bulk_sandbox(courses, subs) as box:
        case = Case("tap-classroom", box, workdir / "mem", ["courses", "studentsubmissions"],
                    page_size=1000, max_requests_per_second=0)
        pair = _pair(case, f"memory ({courses} courses x {subs:,} submissions)",
                     case.command("eight", max_concurrency=8),
                     case.command("one", max_concurrency=1), options.repeats)
    pair.case = f"{courses} courses x {subs:,} submissions"
    pair.records = courses * (subs + 1)
    return pair


def measure_goals(options: Options) -> GoalResults:
    results = GoalResults(latency_ms=options.latency_ms)
    with tempfile.TemporaryDirectory(prefix="bench-goals-") as tmp:
        workdir = Path(tmp)
        results.hotpath = measure_hotpath(options, workdir)
        results.latency = measure_latency(options, workdir, options.latency_ms)
        results.memory = measure_memory(options, workdir)
    return results

