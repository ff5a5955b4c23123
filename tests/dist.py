"""The built distributions (``uv build --all-packages``, what ``make dist`` runs), once per test
session, shared by the pytest-xdist workers of that session."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UV = shutil.which("uv", path=str(BIN)) or "uv"
VERSION = "0.2.0"
KIT = "singer-tap-suite-kit"


def session_dir(factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this session sees (the workers' common base temp)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_dist(factory: pytest.TempPathFactory) -> Path:
    """The folder holding every wheel and sdist, built by the first worker that asks."""
    shared = session_dir(factory)
    out = shared / "dist"
    with (shared / "dist.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / ".complete").exists():
            shutil.rmtree(out, ignore_errors=True)
            done = subprocess.run([UV, "build", "--all-packages", "--out-dir", str(out)],
                                  cwd=ROOT, capture_output=True, text=True, timeout=600,
                                  check=False)
            assert done.returncode == 0, done.stderr[-3000:]
            (out / ".complete").touch()
    return out


def pip_url(tap: str, dist: Path) -> str:
    """A Meltano ``pip_url`` for the published name, found in ``dist`` (no index needed for the
    suite's own packages)."""
    return f"{tap}=={VERSION} --find-links {dist}"
