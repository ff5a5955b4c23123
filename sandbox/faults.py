"""Fault injection: by rate (seeded) or by scripted request number, per API."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

#: Every kind the server knows how to inject.
KINDS = ("429", "429-bare", "500", "502", "503", "504", "reset", "slow", "401", "truncate",
         "badjson", "403", "404", *("429-exhausted", "403-ratelimit"))
#: Google's quota answers, without Retry-After: 429 RESOURCE_EXHAUSTED, and the 403 with reason
#: rateLimitExceeded that some Google APIs send instead.
QUOTA_KINDS = ("429-exhausted", "403-ratelimit")


@dataclass
class FaultPlan:
    """Which requests of one API fail, and how."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("429", "503")
    seed: int = 0
    #: request number (1-based, counted per API) -> kind
    script: dict[int, str] = field(default_factory=dict)
    #: never fail the same URL more than this many times in a row (0 = no limit)
    max_consecutive: int = 0
    retry_after: float | str = 1.0
    slow_seconds: float = 5.0
    #: only requests whose path contains this text are faulted (rate faults)
    only: str = ""
    #: regular expression -> kind: every request whose path and query match fails so, always
    #: (e.g. ``{"/courses/600000007919/": "403"}`` for one course the token cannot read)
    paths: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.kinds) | set(self.script.values()) | set(self.paths.values())
        unknown -= set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
        self._paths = [(re.compile(pattern), kind) for pattern, kind in self.paths.items()]
        self._random = random.Random(self.seed)
        self._lock = threading.Lock()
        self._streak: dict[str, int] = {}
        self.injected: dict[str, int] = {}

    @classmethod
    def from_dict(cls, spec: dict[str, Any]) -> FaultPlan:
        spec = dict(spec)
        spec["script"] = {int(k): str(v) for k, v in (spec.get("script") or {}).items()}
        spec["kinds"] = tuple(spec.get("kinds") or cls.kinds)
        return cls(**spec)

    def pick(self, number: int, url: str, is_token_request: bool) -> str | None:
        """The fault for request ``number`` to ``url``, or ``None`` to answer normally."""
        with self._lock:
            kind = self.script.get(number) or next(
                (k for pattern, k in self._paths if pattern.search(url)), None)
            fixed = kind is not None  # scripted and path faults ignore max_consecutive
            if (kind is None and self.rate and (not self.only or self.only in url)
                    and self._random.random() < self.rate):
                kind = self._random.choice(self.kinds)
            if kind == "401" and is_token_request:
                kind = "503"
            streak = self._streak.get(url, 0)
            if kind and not fixed and self.max_consecutive and (
                    streak >= self.max_consecutive):
                kind = None
            self._streak[url] = streak + 1 if kind else 0
            if kind:
                self.injected[kind] = self.injected.get(kind, 0) + 1
            return kind
