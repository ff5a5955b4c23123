"""Every command in the READMEs works as written: the blocks that need only the local sandbox run
(in a folder of their own, against the session's sandbox); the others (Meltano in your own
project, make, a real API) are checked without running: valid shell, programs that exist, make
targets the Makefile has, Meltano commands and options Meltano 4 knows, files that exist. And no
tracked file holds a merge conflict marker."""

from __future__ import annotations

import functools
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from plugins.generate import full_schema, tap_class
from taps.registry import BY_NAME as TAPS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
READMES = ["README.md", *(f"taps/{t}/README.md" for t in TAPS)]
SHELLS = ("bash", "sh", "shell")
#: Programs a block that runs for real may use (everything else is checked, not run).
RUNNABLE = {"python", *TAPS, "grep", "tail", "cat"}


def blocks(readme: str, languages: tuple[str, ...] = SHELLS) -> list[str]:
    text = (ROOT / readme).read_text()
    return [m.group(2) for m in re.finditer(r"^```(\w+)\n(.*?)^```$", text, re.S | re.M)
            if m.group(1) in languages]


def commands(block: str) -> list[list[str]]:
    """The block's commands (line continuations joined, comments dropped), split on pipes."""
    out = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        command: list[str] = []
        for word in [*words, "|"]:
            if word in ("|", "&", "&&", ";") or word.startswith(">"):
                if command:
                    out.append(command)
                command = [] if word != ">" else ["__redirect__"]
            elif command != ["__redirect__"]:
                command.append(word)
    return [c for c in out if c and c != ["__redirect__"]]


def program(command: list[str]) -> str:
    words = [w for w in command if not re.fullmatch(r"[A-Z_]+=.*", w)]  # VAR=value prefixes
    return Path(words[0]).name if words else ""


def test_every_readme_has_commands():
    for readme in READMES:
        assert blocks(readme), readme


@pytest.mark.parametrize("readme", READMES)
def test_shell_blocks_are_valid_shell(readme):
    for block in blocks(readme):
        done = subprocess.run(["bash", "-n"], input=block, capture_output=True, text=True)
        assert done.returncode == 0, f"{readme}: {done.stderr}\n{block}"


def makefile_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return {t for line in re.findall(r"^([a-z][\w .-]*):", text, re.M) for t in line.split()}


@functools.cache
def meltano_help(path: tuple[str, ...]) -> str:
    done = subprocess.run([str(BIN / "meltano"), *path, "--help"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, f"meltano {' '.join(path)}: {done.stderr[-500:]}"
    return done.stdout


def check_meltano(command: list[str]) -> None:
    """The subcommand and its options exist in Meltano 4 (``--help`` of the words before the
    first argument), and a --from-ref file exists."""
    words = command[command.index("meltano") + 1:] if "meltano" in command else command[1:]
    path: list[str] = []
    for word in words:
        if word.startswith("-") or len(path) >= 2 or (
                path and path[-1] in ("set", "run", "add", "invoke")):
            break
        path.append(word)
    usage = meltano_help(tuple(path))
    for option in (w.split("=")[0] for w in words if w.startswith("--")):
        assert option in usage, f"meltano {' '.join(path)} has no {option}"
    if "--from-ref" in words:
        assert (ROOT / words[words.index("--from-ref") + 1]).exists()
    if path[:2] == ["config", "set"]:
        plugin, setting = words[2], words[3]
        tap = plugin.removesuffix("-second")
        if tap in TAPS:
            assert setting in full_schema(tap_class(tap))["properties"], (plugin, setting)


@pytest.mark.parametrize("readme", READMES)
def test_commands_that_need_more_than_the_sandbox_name_real_things(readme):
    targets = makefile_targets()
    for block in blocks(readme):
        for command in commands(block):
            name = program(command)
            if name in RUNNABLE:
                continue
            if name == "make":
                asked = [w for w in command[1:] if "=" not in w and not w.startswith("-")]
                assert set(asked) <= targets, (readme, command)
            elif name == "meltano":
                check_meltano(command)
            elif name in ("kill", "export", "python3", "pip", "cd"):
                continue
            else:
                assert (BIN / name).exists() or name.startswith("/tmp/"), (readme, command)


@pytest.mark.parametrize("readme", READMES)
def test_commands_that_need_only_the_sandbox_run(readme, sandbox, tmp_path):
    """Each README's runnable blocks, in order, in one folder, with the repository's tools on
    PATH and SANDBOX_PORT pointing at the session's sandbox."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "PYTHONPATH": str(ROOT), "SANDBOX_PORT": str(urlsplit(sandbox.url).port)}
    ran = 0
    for block in blocks(readme):
        if all(program(c) in RUNNABLE for c in commands(block)):
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", block], cwd=tmp_path,
                                  env=env, capture_output=True, text=True, timeout=300,
                                  check=False)
            assert done.returncode == 0, f"{readme}:\n{block}\n{done.stderr[-2000:]}"
            ran += 1
    if readme != "README.md":
        assert ran and (tmp_path / "more.jsonl").exists()
        records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()
                   if line.startswith('{"type":"RECORD"')]
        assert records


@pytest.mark.parametrize("tap", list(TAPS))
def test_the_sample_config_is_a_valid_config(tap):
    """The README's config.json sample: valid JSON, every required setting, no unknown one."""
    samples = [json.loads(b) for b in blocks(f"taps/{tap}/README.md", ("json",))]
    configs = [s for s in samples if isinstance(s, dict)]
    assert configs
    schema = tap_class(tap).config_jsonschema
    for config in configs:
        assert set(config) <= set(schema["properties"]), tap
    assert any(set(schema.get("required", [])) <= set(c) for c in configs), tap


def test_no_tracked_file_holds_a_conflict_marker():
    """A merge left ``<<<<<<<`` in the README once."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    starts = ("<" * 7 + " ", ">" * 7 + " ", "<" * 7 + "\n", ">" * 7 + "\n")
    found = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file():
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        found += [f"{name}:{n}" for n, line in enumerate(text.splitlines(True), 1)
                  if line.startswith(starts)]
    assert not found, found
