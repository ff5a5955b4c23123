"""What the benchmark knows about each tap: its sandbox API, primary keys and page size.

Imported by the bench, the bare loops and the dlt children (which run in ``.venv-bench``), so it
uses the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TapSpec:
    """One tap as the benchmark drives it."""

    name: str  #: short name: classroom, thrive, ...
    tap: str  #: executable and key of ``sandbox.credentials.CREDENTIALS``
    api: str  #: the sandbox prefix serving its fake API
    keys: dict[str, tuple[str, ...]]  #: stream -> primary key fields (TAPS.md)
    #: Sent as the tap's ``page_size`` setting, and used by the bare loop and dlt, so all three
    #: ask for the same pages; ``None`` where the tap has no such setting (the server decides).
    page_size: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    #: Share of the bench volume this tap's sandbox gets: below 1 where the fake API's serving
    #: cost grows with the square of the volume (see bench/README.md), so that the fake does
    #: not drown the client being measured.
    volume_factor: float = 1.0

    def tap_overrides(self) -> dict[str, Any]:
        """Settings added to ``tap_config`` for the throughput runs."""
        extra = {"page_size": self.page_size} if self.page_size else {}
        return {**extra, **self.config}


SPECS: dict[str, TapSpec] = {spec.name: spec for spec in [
    TapSpec("classroom", "tap-classroom", "classroom", {
        "courses": ("id",), "teachers": ("courseId", "userId"),
        "students": ("courseId", "userId"), "announcements": ("courseId", "id"),
        "coursework": ("courseId", "id"),
        "studentsubmissions": ("courseId", "courseWorkId", "id")},
        page_size=1000),  # the fake's maximum (Google documents none)
    TapSpec("thrive", "tap-thrive", "thrive", {
        "content": ("id",), "users": ("id",), "activities": ("id",)},
        page_size=1000),  # the API's maximum perPage
    TapSpec("primetric", "tap-primetric", "primetric", {
        "assignments": ("uuid",), "employees": ("uuid",), "hashtags": ("uuid",)}),
    TapSpec("basecamp", "tap-basecamp", "basecamp", {
        "projects": ("id",), "schedules": ("id",), "schedule_entries": ("id",),
        "todos": ("id",), "messages": ("id",)}),  # geared pages: 15, 30, 50, then 100
    TapSpec("systeme", "tap-systeme", "systeme", {
        "communities": ("id",), "contacts": ("id",), "tags": ("id",),
        "contact_fields": ("slug",), "course_resources": ("id",)},
        page_size=100),  # the API's maximum limit
]}


def spec_for(name: str) -> TapSpec:
    """The spec of ``name`` (``classroom`` or ``tap-classroom``)."""
    short = name.removeprefix("tap-")
    if short not in SPECS:
        raise KeyError(f"unknown tap {name!r}; known: {', '.join(SPECS)}")
    return SPECS[short]
