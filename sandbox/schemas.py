"""Postgres schema names of `make demo` and the e2e tests. ``SCHEMA_PREFIX`` (default empty:
``demo_tap_classroom``, ``e2e_tap_classroom``, ...) lets two people share one Postgres."""

from __future__ import annotations

import os
import re


def schema_name(name: str) -> str:
    """``name`` behind the ``SCHEMA_PREFIX`` environment variable (letters, digits, ``_``)."""
    prefix = os.environ.get("SCHEMA_PREFIX", "")
    if not re.fullmatch(r"[A-Za-z0-9_]*", prefix):
        raise SystemExit(f"SCHEMA_PREFIX may hold only letters, digits and _, got {prefix!r}")
    return f"{prefix}{name}"
