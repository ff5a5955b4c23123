"""``python -m bench``: measure every tap, print the table and save bench/results/latest.md."""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from dataclasses import asdict
from importlib import metadata

from bench.goals import GoalResults, measure_goals
from bench.measure import ChildFailed
from bench.options import Options, parse
from bench.report import render
from bench.runner import TapResult, log, measure_tap
from bench.specs import SPECS


def versions(options: Options) -> dict[str, str]:
    """Versions of the SDK, msgspec and (when measured) dlt."""
    found = {name: metadata.version(name) for name in ("singer-sdk", "msgspec")}
    if options.dlt:
        answer = subprocess.run([str(options.dlt_python), "-c",
                                 "import dlt; print(dlt.__version__)"],
                                capture_output=True, text=True)
        found["dlt"] = answer.stdout.strip() or "?"
    return found


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    results: list[TapResult] = []
    errors: dict[str, str] = {}
    for name in options.taps:
        spec = SPECS[name]
        try:
            results.append(measure_tap(spec, options))
        except ChildFailed as exc:
            errors[spec.tap] = str(exc)
            log(f"[{name}] failed: {exc}")
        except Exception:  # keep measuring the other taps
            errors[spec.tap] = traceback.format_exc()
            log(f"[{name}] failed:\n{errors[spec.tap]}")
    goals: GoalResults | None = None
    if options.goals:
        try:
            goals = measure_goals(options)
        except Exception:  # the table is still worth saving
            errors["goals"] = traceback.format_exc()
            log(f"[goals] failed:\n{errors['goals']}")
    report = render(options, results, errors, goals, versions(options))
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(report + "\n")
    summary = {"taps": [r.summary() for r in results], "errors": errors,
               "goals": asdict(goals) if goals else None, "volume": options.volume,
               "repeats": options.repeats}
    options.out.with_suffix(".json").write_text(json.dumps(summary, indent=1, default=str))
    print(report)
    print(f"(saved to {options.out})", file=sys.stderr)
    return 1 if errors or any(not r.verdict.ok for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
