"""Smoke test of ``python -m bench --quick``: one tap, no dlt, no timing assertions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import COLUMNS

ROOT = Path(__file__).resolve().parents[2]
TAP = "classroom"  # a parent -> child walk: the shape most likely to drift from the bare loop


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess,
                                                                 Path]:
    out = tmp_path_factory.mktemp("bench") / "latest.md"
    answer = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--taps", TAP, "--no-dlt", "--out", str(out)],
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
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["tap"] == f"tap-{TAP}"
    assert int(row["records"].replace(",", "")) > 0
    for column in ("tap rec/s", "limit rec/s", "tap/limit", "tap RSS MiB", "limit RSS MiB"):
        assert float(row[column].replace(",", "")) > 0, column
    assert row["dlt rec/s"] == row["tap/dlt"] == row["dlt RSS MiB"] == "-"  # --no-dlt
    assert row["drift check cost"].endswith(" %")  # the tap timed with its drift check off too
    assert row["parity"] == "PASS"


def test_tap_and_bare_loop_extract_the_same_keys_and_pages(quick_run) -> None:
    _, out = quick_run
    (tap,) = json.loads(out.with_suffix(".json").read_text())["taps"]
    assert tap["parity"] is True, tap["problems"]
    assert tap["digests"]["tap"] == tap["digests"]["limit"] == tap["digests"]["truth"]
    assert tap["samples"]["tap"][0]["requests"] == tap["samples"]["limit"][0]["requests"]
    assert tap["samples"]["tap-nodrift"][0]["requests"] == tap["samples"]["tap"][0]["requests"]
    assert isinstance(tap["drift_cost"], float)
