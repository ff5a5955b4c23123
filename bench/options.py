"""The bench's options: command-line flags, with ``BENCH_*`` environment variables as defaults."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

from bench.specs import SPECS, spec_for

ROOT = Path(__file__).resolve().parent.parent
QUICK_VOLUME = 2000
#: The tap with its schema drift check off (TAPKIT_DRIFT_CHECK=off), timed only.
NO_DRIFT = "tap-nodrift"


@dataclass
class Options:
    """What one bench run measures."""

    volume: int
    repeats: int
    taps: list[str]
    dlt: bool
    goals: bool
    out: Path
    dlt_python: Path
    #: Per-request latency of the latency goals (env BENCH_LATENCY_MS, default 100).
    latency_ms: float = 100.0

    @property
    def kinds(self) -> tuple[str, ...]:
        return ("tap", "limit", "dlt") if self.dlt else ("tap", "limit")

    @property
    def timed_kinds(self) -> tuple[str, ...]:
        """The timed contenders: the tap also runs with its drift check off (``tap-nodrift``),
        next to the tap, so the report shows what the check costs."""
        return ("tap", NO_DRIFT, *self.kinds[1:])


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def parse(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Each tap's records/s against a bare Python loop over the same pages and "
                    "dlt's rest_api source built from its seed; peak RSS, parity, and the "
                    "memory and latency goals. Results go to bench/results/latest.md.")
    parser.add_argument("--volume", type=int,
                        help="sandbox volume (records per API, about; env BENCH_VOLUME, "
                             "default 100000)")
    parser.add_argument("--repeats", type=int,
                        help="timed runs of each measurement (env BENCH_REPEATS, default 3)")
    parser.add_argument("--taps", help="comma-separated taps (env BENCH_TAPS, default all): "
                        + ",".join(SPECS))
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: volume {QUICK_VOLUME}, 1 repeat, no goals")
    parser.add_argument("--no-dlt", action="store_true", help="skip dlt (no .venv-bench needed)")
    parser.add_argument("--no-goals", action="store_true",
                        help="skip the goals beside the table (10x memory, per-record path, "
                        "latency, bounded memory)")
    parser.add_argument("--goals", action="store_true", help="measure the goals in --quick too")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "latest.md",
                        help="where the markdown table goes")
    parser.add_argument("--dlt-python", type=Path, default=ROOT / ".venv-bench" / "bin" / "python",
                        help="python of the venv that has dlt (make bench creates it)")
    args = parser.parse_args(argv)
    quick = args.quick
    taps_text = args.taps or os.environ.get("BENCH_TAPS", "").strip() or ",".join(SPECS)
    taps = [spec_for(t.strip()).name for t in taps_text.split(",") if t.strip()]
    volume = args.volume or (QUICK_VOLUME if quick else _env_int("BENCH_VOLUME", 100_000))
    repeats = args.repeats or (1 if quick else _env_int("BENCH_REPEATS", 3))
    if volume < 10 or repeats < 1:
        parser.error("volume must be at least 10 and repeats at least 1")
    goals = not args.no_goals and (args.goals or not quick)
    if not args.no_dlt and not args.dlt_python.exists():
        parser.error(f"{args.dlt_python} is missing: run `make bench` once (it creates "
                     ".venv-bench with dlt) or pass --no-dlt")
    return Options(volume=volume, repeats=repeats, taps=taps, dlt=not args.no_dlt, goals=goals,
                   out=args.out, dlt_python=args.dlt_python,
                   latency_ms=float(os.environ.get("BENCH_LATENCY_MS") or 100))
