"""Parity: the keys each contender extracted against the sandbox's truth, and whether they
asked for the same pages."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from bench.specs import VOLATILE_PARAMS, TapSpec
from sandbox.client import SandboxClient

Keys = dict[str, set[tuple]]


def truth_keys(client: SandboxClient, spec: TapSpec) -> Keys:
    """Per stream, the primary keys a correct full sync emits (the sandbox's ground truth)."""
    truth = client.truth(spec.api)
    return {stream: {tuple(str(r.get(f)) for f in spec.keys[stream]) for r in records}
            for stream, records in truth.items() if stream in spec.keys}


def count(keys: Keys) -> int:
    return sum(len(v) for v in keys.values())


def digest(keys: Keys) -> str:
    """A short fingerprint of a whole key set, to compare contenders without keeping it."""
    text = repr(sorted((stream, sorted(values)) for stream, values in keys.items()))
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def differences(got: Keys, want: Keys) -> list[str]:
    """One phrase per stream whose keys differ: how many are missing and how many extra."""
    out = []
    for stream in sorted(set(got) | set(want)):
        mine, theirs = got.get(stream, set()), want.get(stream, set())
        if mine != theirs:
            out.append(f"{stream}: {len(theirs - mine)} missing, {len(mine - theirs)} extra")
    return out


def pages(client: SandboxClient, api: str) -> Counter[tuple]:
    """The API GET requests logged since the last reset, as comparable fingerprints (the upper
    bounds of time windows aside: they are "now", which differs between runs)."""
    return Counter(
        (entry["path"], tuple(sorted((k, tuple(v)) for k, v in entry["query"].items()
                                     if k not in VOLATILE_PARAMS)))
        for entry in client.requests(api) if entry["method"] == "GET")


@dataclass
class Parity:
    """The parity verdict of one tap."""

    truth: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check(truth: Keys, extracted: dict[str, Keys], requested: dict[str, Counter[tuple]],
          reference: str = "tap") -> Parity:
    """Each contender's keys must equal the truth, and its pages the reference's pages."""
    problems = []
    for who, keys in extracted.items():
        problems += [f"{who} {d}" for d in differences(keys, truth)]
    base = requested.get(reference)
    for who, seen in requested.items():
        if who == reference or base is None or seen == base:
            continue
        problems.append(f"{who} asked for other pages than the {reference}: "
                        f"{sum(seen.values())} requests vs {sum(base.values())}, "
                        f"{sum((seen - base).values())} not asked by the {reference}, "
                        f"{sum((base - seen).values())} not asked by {who}")
    return Parity(truth=count(truth), problems=problems)
