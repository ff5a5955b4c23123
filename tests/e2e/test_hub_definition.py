"""A Hub definition from plugins/ added to a throwaway Meltano project, run against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sandbox.credentials import tap_config
from tests.helpers import key_set

ROOT = Path(__file__).resolve().parents[2]
MELTANO = str(Path(sys.executable).parent / "meltano")
TAP = "tap-systeme"


def meltano(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([MELTANO, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})}, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_add_from_ref_in_a_fresh_project_and_run(tmp_path, sandbox):
    # the definition as published, but installed from this checkout instead of the git URL
    definition = (ROOT / "plugins" / "extractors" / f"{TAP}--singer-tap-suite.yml").read_text()
    published = "pip_url: git+https://github.com/singer-tap-suite/singer-tap-suite.git"
    assert published in definition
    ref = tmp_path / "ref.yml"
    ref.write_text(definition.replace(published, f"pip_url: -e {ROOT}"))

    meltano("init", "project", "--no_usage_stats", cwd=tmp_path)
    project = tmp_path / "project"
    meltano("add", "--plugin-type", "extractor", TAP, "--from-ref", str(ref), cwd=project)
    listed = meltano("config", "list", TAP, "--all", cwd=project).stdout
    assert "api_key" in listed and "page_size" in listed

    env = {f"TAP_SYSTEME_{k.upper()}": str(v)
           for k, v in tap_config(TAP, sandbox.url).items()
           if k not in ("backoff_factor", "max_requests_per_second")}
    run = meltano("invoke", TAP, cwd=project, env={**env, "UV_COMPILE_BYTECODE": "1"})
    records: dict[str, list[dict]] = {}
    for line in run.stdout.splitlines():
        if line.startswith('{"type":"RECORD"'):
            message = json.loads(line)
            records.setdefault(message["stream"], []).append(message["record"])
    truth = sandbox.truth("systeme")
    for stream, key in {"contacts": ("id",), "contact_fields": ("slug",)}.items():
        assert key_set(records[stream], key) == key_set(truth[stream], key), stream
