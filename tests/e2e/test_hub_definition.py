"""A Hub definition from plugins/ added to a throwaway Meltano project, run against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ruamel.yaml import YAML

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


def sandbox_env(sandbox) -> dict[str, str]:
    return {f"TAP_SYSTEME_{k.upper()}": str(v) for k, v in tap_config(TAP, sandbox.url).items()
            if k not in ("backoff_factor", "max_requests_per_second")}


def streams_of(stdout: str) -> tuple[set[str], dict[str, list[dict]]]:
    """The streams a run sent a SCHEMA for, and its records per stream."""
    schemas: set[str] = set()
    records: dict[str, list[dict]] = {}
    for line in stdout.splitlines():
        if line.startswith('{"type":"SCHEMA"'):
            schemas.add(json.loads(line)["stream"])
        elif line.startswith('{"type":"RECORD"'):
            message = json.loads(line)
            records.setdefault(message["stream"], []).append(message["record"])
    return schemas, records


class LocalHub:
    """A Meltano Hub API on 127.0.0.1 serving one extractor definition (what ``meltano add``
    fetches: the extractors' index, then the variant's definition)."""

    def __init__(self, definition: dict) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = f"{TAP}--{definition['variant']}"
                answers = {"/plugins/extractors/index": {TAP: {
                               "logo_url": None, "default_variant": definition["variant"],
                               "variants": {definition["variant"]: {
                                   "ref": f"{outer.root}/plugins/extractors/{name}"}}}},
                           f"/plugins/extractors/{name}": definition}
                body = answers.get(self.path.removeprefix(outer.path))
                data = json.dumps(body).encode()
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.path = "/meltano/api/v1"
        self.root = f"http://127.0.0.1:{self.server.server_port}{self.path}"

    def __enter__(self) -> LocalHub:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_added_from_the_hub_the_definition_leaves_opt_in_streams_off(tmp_path, sandbox):
    """Meltano selects ``*.*`` unless told otherwise, whatever the tap marks opt-in: the
    definition's ``select`` (kept in the project's lock file) must leave subscriptions out."""
    definition = YAML(typ="safe").load(
        (ROOT / "plugins" / "extractors" / f"{TAP}--singer-tap-suite.yml").read_text())
    definition["pip_url"] = f"-e {ROOT}"  # installed from this checkout, not the git URL
    meltano("init", "project", "--no_usage_stats", cwd=tmp_path)
    project = tmp_path / "project"
    with LocalHub(definition) as hub:
        meltano("add", "--plugin-type", "extractor", TAP, cwd=project,
                env={"MELTANO_HUB_API_ROOT": hub.root, "UV_COMPILE_BYTECODE": "1"})

    run = meltano("invoke", TAP, cwd=project, env=sandbox_env(sandbox))
    schemas, records = streams_of(run.stdout)
    truth = sandbox.truth("systeme")
    default = {s for s in truth if s != "subscriptions"}
    assert schemas == default, sorted(schemas ^ default)
    for stream, key in {"contacts": ("id",), "contact_fields": ("slug",)}.items():
        assert key_set(records[stream], key) == key_set(truth[stream], key), stream


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

    run = meltano("invoke", TAP, cwd=project,
                  env={**sandbox_env(sandbox), "UV_COMPILE_BYTECODE": "1"})
    _, records = streams_of(run.stdout)
    truth = sandbox.truth("systeme")
    for stream, key in {"contacts": ("id",), "contact_fields": ("slug",)}.items():
        assert key_set(records[stream], key) == key_set(truth[stream], key), stream
