"""The markdown report: the main table, where the time went, the goals, parity and the seed
adaptations."""

from __future__ import annotations

import math
import platform
from datetime import datetime, timezone
from statistics import median

from bench.dlt_sources.adaptations import ADAPTATIONS
from bench.drift import ROUNDS
from bench.goals import (
    BOUNDED_MEMORY_RATIO,
    HOTPATH_RATIO,
    LATENCY_RATIO,
    GoalResults,
)
from bench.options import NO_DRIFT, Options
from bench.runner import TapResult

COLUMNS = ["tap", "volume", "records", "tap rec/s", "limit rec/s", "dlt rec/s", "tap/dlt",
           "tap/limit", "tap RSS MiB", "limit RSS MiB", "dlt RSS MiB", "tap RSS 10x/1x",
           "drift check cost", "parity"]
THROUGHPUT_VS_DLT, THROUGHPUT_VS_LIMIT, MEMORY_RATIO = 2.0, 0.5, 1.2
DRIFT_COST = 0.10


def _num(value: float, digits: int = 0) -> str:
    if value is None or math.isnan(value):
        return "-"
    return f"{value:,.{digits}f}"


def _percent(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{value * 100:.1f} %"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [_row(header), _row(["---"] * len(header)), *(_row(r) for r in rows)]


def main_rows(results: list[TapResult], errors: dict[str, str]) -> list[list[str]]:
    rows = []
    for r in results:
        rows.append([
            r.spec.tap, _num(r.volume), _num(r.records), _num(r.rate("tap")),
            _num(r.rate("limit")), _num(r.rate("dlt")), _num(r.rate("tap") / r.rate("dlt"), 2),
            _num(r.rate("tap") / r.rate("limit"), 2), _num(r.median("tap", "rss_mb")),
            _num(r.median("limit", "rss_mb")), _num(r.median("dlt", "rss_mb")),
            _num(r.memory_ratio, 2), _percent(r.drift_cost), "PASS" if r.verdict.ok else "FAIL"])
    for tap, error in errors.items():
        lines = error.strip().splitlines() or ["?"]
        line = lines[-1] if lines[0].startswith("Traceback") else lines[0]  # the exception
        rows.append([tap, *["-"] * (len(COLUMNS) - 2), f"ERROR: {line}"])
    return rows


def time_rows(results: list[TapResult]) -> list[list[str]]:
    rows = []
    for r in results:
        for kind, samples in r.samples.items():
            rows.append([r.spec.tap, kind, _num(r.median(kind, "wall"), 2),
                         _num(r.median(kind, "cpu"), 2), _num(r.median(kind, "server_cpu"), 2),
                         _num(r.median(kind, "requests")),
                         " ".join(f"{s.wall:.2f}" for s in samples)])
    return rows


def goal_lines(results: list[TapResult], goals: GoalResults | None) -> list[str]:
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    lines = []
    for r in results:
        vs_dlt = r.rate("tap") / r.rate("dlt")
        vs_limit = r.rate("tap") / r.rate("limit")
        cpu = {kind: r.median(kind, "cpu") for kind in r.samples}
        parts = []
        if not math.isnan(vs_dlt):
            parts.append(f"tap/dlt {vs_dlt:.3f} (goal >= {THROUGHPUT_VS_DLT}: "
                         f"{verdict(vs_dlt >= THROUGHPUT_VS_DLT)}; client CPU only "
                         f"{cpu['dlt'] / cpu['tap']:.2f})")
        parts.append(f"tap/limit {vs_limit:.3f} (goal >= {THROUGHPUT_VS_LIMIT}: "
                     f"{verdict(vs_limit >= THROUGHPUT_VS_LIMIT)}; client CPU only "
                     f"{cpu['limit'] / cpu['tap']:.2f})")
        cost = r.drift_cost
        if not math.isnan(cost):
            cpu_cost = 1 - cpu[NO_DRIFT] / cpu["tap"]
            parts.append(f"drift check {r.rate('tap'):,.0f} rec/s vs {r.rate(NO_DRIFT):,.0f} "
                         f"without: costs {cost * 100:.1f} % of throughput (goal <= "
                         f"{DRIFT_COST * 100:.0f} %: {verdict(cost <= DRIFT_COST)}; client CPU "
                         f"{cpu_cost * 100:.1f} %)")
        if r.drift_path is not None:
            path = r.drift_path
            parts.append(f"per-record path in-process ({path.records:,} records, best of "
                         f"{ROUNDS}): {path.on_us:.1f} us with the drift check vs "
                         f"{path.off_us:.1f} us without, {path.cost * 100:+.1f} % (goal <= "
                         f"{DRIFT_COST * 100:.0f} %: {verdict(path.cost <= DRIFT_COST)})")
        if r.small:
            parts.append(f"peak RSS {r.median('tap', 'rss_mb'):.0f} MiB at volume {r.volume:,} "
                         f"vs {median(s.rss_mb for s in r.small):.0f} MiB at "
                         f"{r.small_volume:,}: {r.memory_ratio:.2f}x (goal <= {MEMORY_RATIO}: "
                         f"{verdict(r.memory_ratio <= MEMORY_RATIO)})")
        lines.append(f"- {r.spec.tap}: " + "; ".join(parts))
    if goals is not None:
        lines += goals_table(goals)
    return lines


def goals_table(goals: GoalResults) -> list[str]:
    """Goals 1-3 of issue 17 side by side: one row each, the ratio and its bound."""
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    rows = []
    if (hot := goals.hotpath) is not None:
        ratio = 1 / hot.time_ratio  # rec/s of the tap over rec/s of the loop
        rows.append(["1 per-record path", f"tap-classroom, {hot.records:,} courses in pages of "
                     "1,000, no child selected, no client-side limit",
                     f"tap {hot.records / hot.wall('a'):,.0f} rec/s vs bare loop "
                     f"{hot.records / hot.wall('b'):,.0f} rec/s", f"{ratio:.2f}",
                     f">= {HOTPATH_RATIO}", verdict(ratio >= HOTPATH_RATIO)])
    for tap, pair in goals.latency.items():
        bound = LATENCY_RATIO[tap]
        rows.append([f"2 latency {goals.latency_ms:g} ms", f"{tap}, {pair.case} "
                     f"({pair.requests} requests)", f"default {pair.wall('a'):.2f} s vs "
                     f"`max_concurrency: 1` {pair.wall('b'):.2f} s", f"{pair.time_ratio:.2f}",
                     f"<= {bound}", verdict(pair.time_ratio <= bound)])
    if (mem := goals.memory) is not None:
        rows.append(["3 bounded memory", f"tap-classroom, {mem.case}",
                     f"peak RSS {mem.rss('a'):.0f} MiB at `max_concurrency` 8 vs "
                     f"{mem.rss('b'):.0f} MiB at 1 (wall {mem.wall('a'):.1f} s vs "
                     f"{mem.wall('b'):.1f} s)", f"{mem.rss_ratio:.2f}",
                     f"<= {BOUNDED_MEMORY_RATIO}", verdict(mem.rss_ratio <= BOUNDED_MEMORY_RATIO)])
    if not rows:
        return []
    return ["", *_table(["goal", "case", "measured (medians)", "ratio", "bound", "verdict"],
                        rows), "", "Goal 4 (10x the records, peak RSS) is the `RSS at 10x` "
            "column of the main table, goal 1's other bounds the tap/limit and tap/dlt lines "
            "above."]


def render(options: Options, results: list[TapResult], errors: dict[str, str],
           goals: GoalResults | None, versions: dict[str, str]) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    kinds = ", ".join(options.timed_kinds)
    out = [
        "# Benchmark",
        "",
        f"{when}; {platform.python_implementation()} {platform.python_version()}, "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + f"; {options.repeats} timed run(s) of each of {kinds}, medians; bench volume "
        f"{options.volume:,}.",
        "",
        *_table(COLUMNS, main_rows(results, errors)),
        "",
        "rec/s: records (the sandbox's truth) / median wall time of a full sync in its own "
        "process, output to /dev/null. limit: one requests.Session + msgspec over the same "
        "pages. dlt: rest_api_source from the seed, `pipeline.extract` only. RSS: peak resident "
        "set of that process. 10x/1x: the tap's peak RSS at this volume over a tenth of it. "
        "drift check cost: 1 - tap rec/s / rec/s of the same tap with TAPKIT_DRIFT_CHECK=off "
        f"(`{NO_DRIFT}`, timed next to it; negative: within the noise).",
        "",
        "## Where the time went (medians)",
        "",
        *_table(["tap", "run", "wall s", "client CPU s", "sandbox CPU s", "requests",
                 "each run s"], time_rows(results)),
        "",
        "Every contender pages sequentially over one connection, so it waits while the sandbox "
        "works: the sandbox's CPU time is part of each wall time above, and where it is large "
        "(Basecamp's walk is thousands of small requests, each a millisecond or so of the "
        "fake's CPU) it squeezes the wall-time ratios towards 1. The goals below also give the "
        "ratios of client CPU seconds (records/CPU-s), which leave the fake API out.",
        "",
        "Measuring each tap (parity passes, timed runs, per-record path, small volume) took: "
        + ", ".join(f"{r.spec.tap} {r.seconds:.0f} s" for r in results) + ".",
        "",
        "## Goals",
        "",
        *goal_lines(results, goals),
        "",
    ]
    failed = [r for r in results if not r.verdict.ok]
    if failed or errors:
        out += ["## Parity problems", ""]
        out += [f"- {r.spec.tap}: {p}" for r in failed for p in r.verdict.problems]
        out += [f"- {tap}: {error}" for tap, error in errors.items()]
        out.append("")
    else:
        out += ["Parity: for every tap, the primary keys of the tap, the bare loop"
                + (" and dlt" if options.dlt else "") + " equal the sandbox's truth, and "
                "they asked for the same pages.", ""]
    if options.dlt:
        out += ["## How the seeds were adapted for dlt", ""]
        for r in results:
            out.append(f"- {r.spec.tap}:")
            out += [f"  - {a}" for a in ADAPTATIONS[r.spec.name]]
        out.append("")
    return "\n".join(out)
