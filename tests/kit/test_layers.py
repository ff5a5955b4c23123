"""The layers: the kit imports no tap and not the tap registry (taps/registry.py); the registry
imports nothing of the suite (it is data, read by plugins, sandbox, bench and tests)."""

from __future__ import annotations

import ast
from pathlib import Path

TAPS = Path(__file__).resolve().parents[2] / "taps"


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names; relative imports as ``.name``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_the_kit_imports_no_tap_and_not_the_registry():
    for path in sorted((TAPS / "tapkit").rglob("*.py")):
        bad = {n for n in imported(path)
               if n.split(".")[0] in ("taps", "registry") or n.startswith("tap_")}
        assert not bad, f"{path.name} imports {bad}"


def test_the_registry_is_data_only():
    assert imported(TAPS / "registry.py") <= {"__future__", "dataclasses", "typing"}
