"""Smoke test of ``python -m bench --quick``: every tap, no dlt, no timing assertions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import COLUMNS
from bench.specs import SPECS

ROOT = Path(__file__).resolve().parents[2]
#: Every tap: each bare loop walks its tap's table of streams, which must keep up with the tap.
TAPS = list(SPECS)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess,
                                                                 Path]:
    out = tmp_path_factory.mktemp("bench") / "latest.md"
    answer = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--taps", ",".join(TAPS), "--no-dlt",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    return answer, out


def table_rows(markdown: str) -> list[list[str]]:
    """The cells of the first markdown table in ``markdown``."""
    rows, started = [], False
    for line in markdown.splitlines():
        if line.startswith("|"):
            started = True
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif started:
            break
    return rows


def test_quick_mode_succeeds_and_saves_the_table(quick_run) -> None:
    answer, out = quick_run
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert out.exists() and out.with_suffix(".json").exists()
    assert out.read_text().strip() == answer.stdout.strip()


def test_table_shape(quick_run) -> None:
    _, out = quick_run
    header, rule, *rows = table_rows(out.read_text())
    assert header == COLUMNS
    assert set(rule) == {"---"}
    assert [row[0] for row in rows] == [f"tap-{tap}" for tap in TAPS]
    for cells in rows:
        row = dict(zip(header, cells, strict=True))
        assert int(row["records"].replace(",", "")) > 0
        for column in ("tap rec/s", "limit rec/s", "tap/limit", "tap RSS MiB", "limit RSS MiB"):
            assert float(row[column].replace(",", "")) > 0, (row["tap"], column)
        assert row["dlt rec/s"] == row["tap/dlt"] == row["dlt RSS MiB"] == "-"  # --no-dlt
        assert row["drift check cost"].endswith(" %")  # the tap timed with the check off too
        assert row["parity"] == "PASS", row["tap"]


@pytest.mark.parametrize("name", TAPS)
def test_tap_and_bare_loop_extract_the_same_keys_and_pages(quick_run, name: str) -> None:
    _, out = quick_run
    taps = {t["tap"]: t for t in json.loads(out.with_suffix(".json").read_text())["taps"]}
    tap = taps[f"tap-{name}"]
    assert tap["parity"] is True, tap["problems"]
    assert tap["digests"]["tap"] == tap["digests"]["limit"] == tap["digests"]["truth"]
    assert tap["samples"]["tap"][0]["requests"] == tap["samples"]["limit"][0]["requests"]
    assert tap["samples"]["tap-nodrift"][0]["requests"] == tap["samples"]["tap"][0]["requests"]
    assert isinstance(tap["drift_cost"], float)


#: The goals of issue 17 shrunk to seconds: a few courses, pages and milliseconds.
SMALL_GOALS = {"BENCH_HOTPATH_COURSES": "3000", "BENCH_LATENCY_MS": "5",
               "BENCH_LATENCY_COURSES": "2", "BENCH_LATENCY_VOLUME": "300",
               "BENCH_LATENCY_PAGES": "5", "BENCH_MEMORY_COURSES": "2",
               "BENCH_MEMORY_SUBMISSIONS": "2500"}


def test_the_goals_table_side_by_side(tmp_path) -> None:
    """Goals 1-3 in one run: a row each with its ratio, bound and verdict; the JSON keeps them."""
    out = tmp_path / "latest.md"
    answer = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--goals", "--taps", "classroom",
         "--no-dlt", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, **SMALL_GOALS})
    assert answer.returncode == 0, answer.stderr[-3000:]
    markdown = out.read_text()
    start = markdown.index("| goal |")
    header, _, *rows = table_rows(markdown[start:])
    assert header == ["goal", "case", "measured (medians)", "ratio", "bound", "verdict"]
    assert [row[0].split()[0] for row in rows] == ["1", "2", "2", "2", "3"]
    assert [row[1].split(",")[0] for row in rows] == [
        "tap-classroom", "tap-classroom", "tap-primetric", "tap-thrive", "tap-classroom"]
    for row in rows:
        assert float(row[3]) > 0 and row[5] in ("met", "NOT met"), row
    goals = json.loads(out.with_suffix(".json").read_text())["goals"]
    assert goals["hotpath"]["records"] == 3000
    assert set(goals["latency"]) == {"tap-classroom", "tap-primetric", "tap-thrive"}
    assert goals["latency"]["tap-thrive"]["requests"] >= 5  # users over (at least) 5 pages
    assert goals["memory"]["records"] == 2 * 2501
