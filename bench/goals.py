"""The latency goal: tap-classroom over ~100 courses with 20 ms per request, default settings
against ``max_concurrency: 1``. (The memory goal is measured per tap in ``runner``.)"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from bench.options import Options
from bench.runner import BIN, Contenders, log
from bench.sandbox_proc import sandbox
from bench.specs import SPECS
from sandbox.apis.classroom import ClassroomAPI


@dataclass
class LatencyResult:
    """Wall times of full syncs under latency, with default settings and sequentially."""

    courses: int
    latency_ms: float
    has_setting: bool
    default: list[float] = field(default_factory=list)
    sequential: list[float] = field(default_factory=list)
    requests: int = 0

    @property
    def ratio(self) -> float:
        return median(self.default) / median(self.sequential)


def classroom_volume(courses: int, seed: int = 1) -> tuple[int, int]:
    """The smallest sandbox volume whose Classroom fake lists at least ``courses`` courses."""
    volume = courses * 125
    while True:
        listed = len(ClassroomAPI(seed, volume).truth()["courses"])
        if listed >= courses:
            return volume, listed
        volume += 125


def has_setting(tap: str, name: str) -> bool:
    """Whether ``tap --about`` lists the setting ``name``."""
    about = subprocess.run([str(BIN / tap), "--about", "--format", "json"], capture_output=True,
                           text=True, check=True)
    return name in json.loads(about.stdout).get("settings", {}).get("properties", {})


def measure_latency(options: Options) -> LatencyResult:
    spec = SPECS["classroom"]
    volume, courses = classroom_volume(options.latency_courses)
    result = LatencyResult(courses, options.latency_ms, has_setting(spec.tap, "max_concurrency"))
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp, sandbox(volume, [spec.api]) as box:
        workdir = Path(tmp)
        runs = {"default": Contenders(spec, box.url, options, workdir / "d", overrides={}),
                "sequential": Contenders(spec, box.url, options, workdir / "s",
                                         overrides={"max_concurrency": 1})}
        for _ in range(options.repeats):
            for name, contenders in runs.items():
                box.client.reset()
                box.client.latency(options.latency_ms)
                cmd, env = contenders.command("tap")
                started = time.perf_counter()
                subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=True)
                getattr(result, name).append(time.perf_counter() - started)
                result.requests = int(box.client.stats()[spec.api]["requests"])
                log(f"[latency] {name}: {getattr(result, name)[-1]:.2f} s, "
                    f"{result.requests} requests")
    return result
