"""The safety net, checked: named mutations of the kit, each of which some test must catch.

    make mutations                              # every mutation
    python -m tests.mutations conformer-off ... # some of them; --list names them all

Each mutation is applied to a fresh copy of the tree in a temporary folder (the working tree is
never touched), then the tests that should catch it run against that copy (``PYTHONPATH`` puts
the copy's packages, ``taps/kit`` and ``taps/tap-*``, before the editable install, for the pytest
process and every tap it starts). A mutation the tests catch is *killed*; one they do not catch
*survived*: the exit code is 1 if any survived. Not part of ``make test``; a run takes a minute.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KIT = "taps/kit/tapkit"


@dataclass(frozen=True)
class Mutation:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``path``; ``tests`` must
    then fail."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTATIONS = (
    Mutation("conformer-off", f"{KIT}/records.py",
             '    types = _types(schema) - {"null"}\n',
             '    return None\n    types = _types(schema) - {"null"}\n',
             ("tests/kit/test_records.py", "tests/kit/test_drift.py")),
    Mutation("conformer-not-applied", f"{KIT}/stream.py",
             "            if self._conform is not None:\n",
             "            if False:\n",
             ("tests/kit/test_drift.py",)),
    Mutation("concurrency-off", f"{KIT}/concurrency.py",
             "        return self.workers > 1\n",
             "        return False\n",
             ("tests/classroom/test_sandbox_sync.py::"
              "test_concurrent_child_walks_emit_exactly_the_sequential_stream",
              "tests/basecamp/test_coverage.py::"
              "test_campfire_lines_are_the_same_with_8_workers_as_with_1")),
    Mutation("retry-after-cap-removed", f"{KIT}/retry.py",
             "            if asked > self.max_wait:\n",
             "            if False:\n",
             ("tests/kit/test_waits_and_quotas.py", "tests/systeme/test_unit.py")),
    Mutation("max-retry-wait-cut-removed", f"{KIT}/retry.py",
             "        return min(seconds, self.max_wait)\n",
             "        return seconds\n",
             ("tests/kit/test_waits_and_quotas.py",)),
    Mutation("rate-limit-off", f"{KIT}/limiter.py",
             "        self.enabled = rate > 0\n",
             "        self.enabled = False\n",
             ("tests/kit/test_limiter.py",)),
    Mutation("origin-guard-off", f"{KIT}/origins.py",
             "        if not self.allowed:\n",
             "        if True:\n",
             ("tests/kit/test_origins_and_secrets.py",)),
    Mutation("secret-redaction-off", f"{KIT}/errors.py",
             "    forms = {form for s in secrets if s and len(s) >= 4\n",
             "    return text\n    forms = {form for s in secrets if s and len(s) >= 4\n",
             ("tests/kit/test_origins_and_secrets.py", "tests/kit/test_auth.py")),
    Mutation("bookmark-moved-on-a-skipped-partition", f"{KIT}/access.py",
             "state.update(saved)  # the bookmark as it was",
             "pass  # the bookmark as it was",
             ("tests/reliability/test_access.py",)),
    Mutation("child-state-never-held", f"{KIT}/writer.py",
             "        self._held += 1\n        return False\n",
             "        return True\n",
             ("tests/kit/test_state_writer.py",)),
    Mutation("no-state-at-the-end-of-the-sync", f"{KIT}/tap.py",
             "        self.write_state()  # a child stream's last STATE",
             "        pass  # a child stream's last STATE",
             ("tests/kit/test_state_writer.py",)),
    Mutation("metrics-records-left-in-the-counter", f"{KIT}/metrics.py",
             "            if counter is not None:\n                counter.exit()\n",
             "            if False:\n                counter.exit()\n",
             ("tests/kit/test_metrics.py",)),
    Mutation("metrics-request-not-counted", f"{KIT}/metrics.py",
             "        self.metric_totals.answer(response.status_code, "
             "response.elapsed.total_seconds())\n",
             "        pass\n",
             ("tests/kit/test_metrics.py",)),
)


def copy_tree(destination: Path) -> None:
    """The working tree's files (tracked and new, not ignored ones such as .venv) into
    ``destination``."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def apply(tree: Path, mutation: Mutation) -> None:
    path = tree / mutation.path
    text = path.read_text()
    if text.count(mutation.old) != 1:
        raise SystemExit(f"{mutation.name}: the text to mutate is not in {mutation.path} exactly "
                         "once (the kit changed: update tests/mutations.py)")
    path.write_text(text.replace(mutation.old, mutation.new))


def caught(tree: Path, mutation: Mutation) -> tuple[bool, str]:
    """Run the mutation's tests in ``tree``; whether a test failed, and the summary line. Any
    other outcome (no test collected, an internal error) stops the script: it proves nothing."""
    packages = [tree / "taps" / "kit", *sorted((tree / "taps").glob("tap-*"))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, packages), str(tree)]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    kit = subprocess.run([sys.executable, "-c", "import tapkit; print(tapkit.__file__)"],
                         cwd=tree, env=env, capture_output=True, text=True, check=True)
    if not Path(kit.stdout.strip()).is_relative_to(tree):
        raise SystemExit(f"the tests would import the kit from {kit.stdout.strip()}, not the copy")
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-n0", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, *mutation.tests], cwd=tree, env=env, capture_output=True,
                          text=True, check=False)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else done.stderr.strip()[-300:]
    if done.returncode not in (0, 1):
        raise SystemExit(f"{mutation.name}: pytest exited {done.returncode}: {summary}")
    return done.returncode == 1, summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="mutations to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args()
    if args.list:
        for mutation in MUTATIONS:
            print(f"{mutation.name}: {mutation.path}")
        return 0
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"unknown mutation(s): {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    survived = []
    with tempfile.TemporaryDirectory(prefix="mutations-") as tmp:
        pristine = Path(tmp) / "pristine"
        copy_tree(pristine)
        for mutation in chosen:
            tree = Path(tmp) / mutation.name
            shutil.copytree(pristine, tree)
            apply(tree, mutation)
            started = time.monotonic()
            killed, summary = caught(tree, mutation)
            verdict = "killed" if killed else "SURVIVED"
            print(f"{verdict:8}  {mutation.name:38} {time.monotonic() - started:5.0f} s  "
                  f"({summary})", flush=True)
            if not killed:
                survived.append(mutation.name)
            shutil.rmtree(tree, ignore_errors=True)
    if survived:
        print(f"{len(survived)} of {len(chosen)} mutations survived: {', '.join(survived)}")
        return 1
    print(f"all {len(chosen)} mutations killed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
