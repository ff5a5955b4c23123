"""Smoke test of ``python -m bench --quick``: every tap, no dlt, no timing assertions."""

from __future__ import annotations

import json
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
