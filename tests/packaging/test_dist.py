"""``make dist``: six distributions; each tap's wheel installs alone (with the kit's) into an
empty environment and runs."""

from __future__ import annotations

import json
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from taps.registry import BY_NAME as TAPS
from tests.dist import KIT, ROOT, UV, VERSION, built_dist


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    return built_dist(tmp_path_factory)


def test_six_distributions_each_a_wheel_and_an_sdist(dist):
    names = [KIT, *TAPS]
    files = {p.name for p in dist.iterdir() if not p.name.startswith(".")}
    expected = {f"{n.replace('-', '_')}-{VERSION}{suffix}" for n in names
                for suffix in ("-py3-none-any.whl", ".tar.gz")}
    assert files == expected


@pytest.mark.parametrize("name", [KIT, *TAPS])
def test_each_distribution_carries_its_license_readme_and_files(dist, name):
    stem = f"{name.replace('-', '_')}-{VERSION}"
    with zipfile.ZipFile(dist / f"{stem}-py3-none-any.whl") as wheel:
        members = wheel.namelist()
        metadata = wheel.read(f"{stem}.dist-info/METADATA").decode()
    assert f"{stem}.dist-info/licenses/LICENSE" in members
    assert "License-Expression: Apache-2.0" in metadata
    assert f"Name: {name}\nVersion: {VERSION}" in metadata
    package = "tapkit" if name == KIT else name.replace("-", "_")
    assert f"{package}/__init__.py" in members
    if name != KIT:
        assert f"Requires-Dist: {KIT}=={VERSION}" in metadata
        assert any(m.startswith(f"{package}/schemas/") and m.endswith(".json") for m in members)
        assert "Requires-Python: >=3.10" in metadata
    with tarfile.open(dist / f"{stem}.tar.gz") as sdist:
        assert f"{stem}/LICENSE" in sdist.getnames()


def test_every_license_is_the_repository_license():
    licenses = [ROOT / "taps" / "kit" / "LICENSE", *(ROOT / "taps" / t / "LICENSE" for t in TAPS)]
    assert all(p.read_text() == (ROOT / "LICENSE").read_text() for p in licenses)
    assert "Apache License" in (ROOT / "LICENSE").read_text()


@pytest.mark.parametrize("tap", list(TAPS))
def test_a_tap_wheel_installs_alone_and_runs(dist, tap, tmp_path):
    """Only the tap's wheel is asked for; the kit comes from dist/ too (the SDK and the rest
    from the package index or uv's cache)."""
    venv = tmp_path / "venv"
    subprocess.run([UV, "venv", "-q", str(venv)], check=True, capture_output=True)
    done = subprocess.run([UV, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                           "--find-links", str(dist), f"{tap}=={VERSION}"],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = subprocess.run([UV, "pip", "list", "--python", str(venv / "bin" / "python"),
                                "--format", "json"], capture_output=True, text=True, check=True)
    names = {p["name"] for p in json.loads(installed.stdout)}
    assert {tap, KIT} <= names and not (set(TAPS) - {tap}) & names
    about = subprocess.run([str(venv / "bin" / tap), "--about", "--format", "json"],
                           capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path)
    assert about.returncode == 0, about.stderr[-2000:]
    info = json.loads(about.stdout)
    assert info["name"] == tap and info["version"] == VERSION
    # the wheel's code, not this checkout's
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            f"import {tap.replace('-', '_')}, tapkit; "
                            f"print({tap.replace('-', '_')}.__file__, tapkit.__file__)"],
                           capture_output=True, text=True, check=True, cwd=tmp_path)
    assert str(ROOT) not in where.stdout and str(venv) in where.stdout
