"""The Hub definitions of plugins/ added to one fresh Meltano project (``meltano add
--from-ref``, installed from the built wheels), configured through ``meltano config set`` and
through the environment, and run against the sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from sandbox.credentials import tap_config
from taps.registry import BY_NAME as TAPS
from tests.dist import built_dist, pip_url
from tests.helpers import key_set

ROOT = Path(__file__).resolve().parents[2]
MELTANO = str(Path(sys.executable).parent / "meltano")
#: Per tap: one small top-level stream with a nested object, the API's name, the key, and the
#: object flattening must spread into columns.
PROBE = {"tap-classroom": ("courses", "classroom", ("id",), "teacherFolder"),
         "tap-thrive": ("content", "thrive", ("id",), "duration"),
         "tap-primetric": ("people", "primetric", ("uuid",), "roles"),
         "tap-basecamp": ("people", "basecamp", ("id",), "company"),
         "tap-systeme": ("enrollments", "systeme", ("id",), "contact")}
TARGET_JSONL = {"name": "target-jsonl", "namespace": "target_jsonl", "variant": "andyh1203",
                "pip_url": "target-jsonl==0.1.4", "executable": "target-jsonl",
                "settings": [{"name": "destination_path", "kind": "string"},
                             {"name": "do_timestamp_file", "kind": "boolean"}]}


def meltano(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([MELTANO, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600, check=False, env={**os.environ, **QUIET, **(env or {})})
    assert done.returncode == 0, f"meltano {' '.join(args)}: {done.stderr[-3000:]}"
    return done


QUIET = {"MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "UV_COMPILE_BYTECODE": "0"}
#: Runs Meltano's command line once per argument list, in one process (each command as typed,
#: without paying Meltano's start-up for every one of them).
BATCH = """
import json, sys
from meltano.cli import cli
for args in json.loads(sys.argv[1]):
    try:
        cli.main(args, prog_name="meltano", standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
"""


def meltano_batch(commands: list[list[str]], cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", BATCH, json.dumps(commands)], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **QUIET})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def definition(tap: str) -> dict:
    return YAML(typ="safe").load(
        (ROOT / "plugins" / "extractors" / f"{tap}--singer-tap-suite.yml").read_text())


def env_prefix(tap: str) -> str:
    return tap.upper().replace("-", "_")


def sandbox_env(tap: str, url: str) -> dict[str, str]:
    """The sandbox's settings as environment variables (numbers included)."""
    return {f"{env_prefix(tap)}_{k.upper()}": str(v) for k, v in tap_config(tap, url).items()}


def as_published(tap: str, dist: Path) -> dict:
    """The definition as published, installed from the built wheels (README: "Before the
    packages are published")."""
    published = definition(tap)
    assert published["pip_url"] == f"{tap}==0.2.0"
    return {**published, "pip_url": pip_url(tap, dist)}


def fresh_project(folder: Path) -> Path:
    meltano("init", "project", "--no_usage_stats", cwd=folder)
    return folder / "project"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A fresh Meltano project (uv venvs) with the five definitions and target-jsonl."""
    dist = built_dist(tmp_path_factory)
    folder = tmp_path_factory.mktemp("fresh")
    project = fresh_project(folder)
    commands = [["config", "set", "meltano", "venv.backend", "uv"]]
    for name, plugin_type, body in [*((t, "extractor", as_published(t, dist)) for t in TAPS),
                                    ("target-jsonl", "loader", TARGET_JSONL)]:
        ref = folder / f"{name}.yml"
        YAML().dump(body, ref)
        commands.append(["add", "--plugin-type", plugin_type, name, "--from-ref", str(ref),
                         "--no-install"])
    meltano_batch(commands, project)
    meltano("install", cwd=project)
    return project


def alias(tap: str, stream: str) -> str:
    return f"{tap[4:]}_{stream}"


def run_all(project: Path, out: Path, env: dict[str, str]) -> dict[str, list[dict]]:
    """One ``meltano run`` of every tap into target-jsonl, each on its probe stream; the records
    written per tap (the stream maps give each tap's stream a name of its own)."""
    out.mkdir()
    select = {f"{env_prefix(t)}__SELECT": json.dumps([f"{PROBE[t][0]}.*"]) for t in TAPS}
    blocks = [arg for t in TAPS for arg in (t, "target-jsonl")]
    meltano("run", "--full-refresh", *blocks, cwd=project,
            env={**env, **select, "TARGET_JSONL_DESTINATION_PATH": str(out),
                 "TARGET_JSONL_DO_TIMESTAMP_FILE": "false"})
    written = {alias(t, PROBE[t][0]): t for t in TAPS}
    assert sorted(p.stem for p in out.iterdir()) == sorted(written)
    return {tap: [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
            for name, tap in written.items()}


def test_settings_set_through_meltano_and_the_environment_reach_every_tap(
        project, sandbox, tmp_path):
    """A boolean (flattening_enabled), an object (stream_maps), an integer and a number
    (backoff_factor, max_requests_per_second), first with `meltano config set`, then from the
    environment over what meltano.yml holds; each run must exit 0 and show the settings."""
    env = {k: v for t in TAPS for k, v in sandbox_env(t, sandbox.url).items()
           if not k.endswith(("_BACKOFF_FACTOR", "_MAX_REQUESTS_PER_SECOND"))}
    commands = []
    for tap, (stream, *_) in PROBE.items():
        maps = {stream: {"__alias__": alias(tap, stream), "source": "'config set'"}}
        for setting, value in [("flattening_enabled", "true"), ("flattening_max_depth", "1"),
                               ("stream_maps", json.dumps(maps)), ("backoff_factor", "0.5")]:
            commands.append(["config", "set", tap, setting, value])
    meltano_batch(commands, project)
    records = run_all(project, tmp_path / "set", env)
    for tap, (stream, api, key, nested) in PROBE.items():
        assert key_set(records[tap], key) == key_set(sandbox.truth(api)[stream], key), tap
        assert {r["source"] for r in records[tap]} == {"config set"}, tap
        assert nested not in records[tap][0], tap
        assert any(k.startswith(f"{nested}__") for r in records[tap] for k in r), tap

    for tap, (stream, *_) in PROBE.items():
        prefix = env_prefix(tap)
        env.update({f"{prefix}_FLATTENING_ENABLED": "false", f"{prefix}_BACKOFF_FACTOR": "0.25",
                    f"{prefix}_MAX_REQUESTS_PER_SECOND": "1000.5", f"{prefix}_STREAM_MAPS":
                    json.dumps({stream: {"__alias__": alias(tap, stream),
                                         "source": "'environment'"}})})
    records = run_all(project, tmp_path / "env", env)
    for tap, (stream, api, key, nested) in PROBE.items():
        assert key_set(records[tap], key) == key_set(sandbox.truth(api)[stream], key), tap
        assert {r["source"] for r in records[tap]} == {"environment"}, tap
        assert not any(k.startswith(f"{nested}__") for r in records[tap] for k in r), tap


class LocalHub:
    """A Meltano Hub API on 127.0.0.1 serving one extractor definition (what ``meltano add``
    fetches: the extractors' index, then the variant's definition)."""

    def __init__(self, tap: str, definition: dict) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                name = f"{tap}--{definition['variant']}"
                answers = {"/plugins/extractors/index": {tap: {
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


def test_added_from_the_hub_the_definition_leaves_opt_in_streams_off(
        tmp_path, tmp_path_factory, sandbox):
    """Meltano selects ``*.*`` unless told otherwise, whatever the tap marks opt-in: the
    definition's ``select`` (kept in the project's lock file) must leave subscriptions out."""
    tap = "tap-systeme"
    project = fresh_project(tmp_path)
    meltano("config", "set", "meltano", "venv.backend", "uv", cwd=project)
    with LocalHub(tap, as_published(tap, built_dist(tmp_path_factory))) as hub:
        meltano("add", "--plugin-type", "extractor", tap, cwd=project,
                env={"MELTANO_HUB_API_ROOT": hub.root})

    run = meltano("invoke", tap, cwd=project, env=sandbox_env(tap, sandbox.url))
    schemas, records = streams_of(run.stdout)
    truth = sandbox.truth("systeme")
    default = {s for s in truth if s != "subscriptions"}
    assert schemas == default, sorted(schemas ^ default)
    for stream, key in {"contacts": ("id",), "contact_fields": ("slug",)}.items():
        assert key_set(records[stream], key) == key_set(truth[stream], key), stream
