"""The registry's taps in ``meltano.yml``: an extractor each (its settings are filled from the tap
by plugins/generate.py), the sandbox environment's config (the fake's URLs and credentials) and
the jobs (``<fake>-to-postgres``, and a place in the ``suite-to-*`` jobs)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from taps.registry import Tap

SANDBOX_URL = "$SANDBOX_URL"
SUITE_JOBS = {"suite-to-postgres": "target-postgres", "suite-to-jsonl": "target-jsonl"}


def _entry(entries: list[dict[str, Any]], name: str, new: dict[str, Any]) -> dict[str, Any]:
    """The entry named ``name``; ``new`` inserted after the last registry-made one if absent."""
    found = next((e for e in entries if e["name"] == name), None)
    if found is None:
        at = next((i for i, e in enumerate(entries) if "inherit_from" in e
                   or e["name"].endswith("-second")), len(entries))
        entries.insert(at, new)
        found = new
    return found


def add_registry_taps(project: dict[str, Any], taps: Iterable[Tap]) -> None:
    """Bring ``project`` (a loaded meltano.yml) up to date with ``taps``, in place."""
    extractors = project["plugins"]["extractors"]
    sandbox = next(e for e in project["environments"] if e["name"] == "sandbox")
    configs = sandbox["config"]["plugins"]["extractors"]
    jobs = project["jobs"]
    for tap in taps:
        _entry(extractors, tap.name, {"name": tap.name,
                                       "pip_url": f"-e taps/kit -e taps/{tap.name}"})
        config = _entry(configs, tap.name, {"name": tap.name, "config": {}})["config"]
        for key, path in tap.urls.items():
            config[key] = SANDBOX_URL + path
        for key, value in tap.credentials.items():
            config[key] = value
        job = f"{tap.fake}-to-postgres"
        if not any(j["name"] == job for j in jobs):
            at = next((i for i, j in enumerate(jobs) if j["name"] in SUITE_JOBS), len(jobs))
            jobs.insert(at, {"name": job, "tasks": [f"{tap.name} target-postgres"]})
        for suite in (j for j in jobs if j["name"] in SUITE_JOBS):
            task = f"{tap.name} {SUITE_JOBS[suite['name']]}"
            if task not in suite["tasks"]:
                suite["tasks"].append(task)
