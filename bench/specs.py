"""What the benchmark knows about each tap: its sandbox API, page size and one table of its
default-selected streams (path, records, key, parent walk), from which the bare loops and the
dlt sources request the tap's pages.

Imported by the bench, the bare loops and the dlt children (which run in ``.venv-bench``), so it
uses the standard library only (and the tap registry, which does too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from taps.registry import BY_NAME

SPACED = "spaced"  #: ``2024-05-01 10:00:00`` (UTC): Thrive's ``timestamp*``, ``entryDate*``, ...
ISO_MILLIS = "iso"  #: ``2024-05-01T10:00:00.000Z``: Thrive's ``updatedAtFrom`` / ``updatedAtTo``


def format_time(moment: datetime, time_format: str) -> str:
    """``moment`` in UTC as a window parameter of ``time_format`` is written."""
    moment = moment.astimezone(timezone.utc)
    if time_format == ISO_MILLIS:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    return moment.strftime("%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class Window:
    """A server-side time window the tap sends on its first sync: ``since`` = start_date,
    ``until`` = the moment the run started (so it differs between runs: parity ignores it)."""

    since: str  #: query parameter of the lower bound
    until: str  #: query parameter of the upper bound
    cursor: str  #: record field the window filters on
    time_format: str = SPACED  #: :data:`SPACED` or :data:`ISO_MILLIS`


@dataclass(frozen=True)
class Stream:
    """One stream as the tap requests it (its ``streams.py`` and TAPS.md)."""

    name: str
    #: Relative to the tap's ``api_url``; ``{placeholders}`` come from ``context``.
    path: str
    key: tuple[str, ...]  #: primary key fields
    #: Where the list is in the body: a key, or ``None`` for a bare JSON array.
    records: str | None = None
    params: dict[str, Any] = field(default_factory=dict)  #: fixed query parameters
    parent: str | None = None  #: the stream whose records this one is walked per
    #: Placeholder -> dotted field of the parent record (``{"bucket_id": "bucket.id"}``).
    context: dict[str, str] = field(default_factory=dict)
    #: Context keys the tap writes into each record (records that lack their parent's id).
    add: tuple[str, ...] = ()
    paged: bool = True  #: ``False``: one request answers the whole list
    #: The most the endpoint takes per page (Thrive's assignments: 100): the page size is capped.
    max_page_size: int | None = None
    window: Window | None = None
    #: Keep only the listed records whose fields equal these (Basecamp's dock: enabled schedules).
    where: dict[str, Any] = field(default_factory=dict)
    #: Field of each listed record holding the URL of the resource that is the stream's record
    #: (Basecamp's schedules: each dock entry's ``url`` is requested, its answer emitted).
    link: str | None = None


@dataclass(frozen=True)
class TapSpec:
    """One tap as the benchmark drives it."""

    name: str  #: short name: classroom, thrive, ...
    tap: str  #: executable and key of ``sandbox.credentials.CREDENTIALS``
    api: str  #: the sandbox prefix serving its fake API
    streams: tuple[Stream, ...]  #: every stream a default run selects, parents first
    #: Sent as the tap's ``page_size`` setting, and used by the bare loop and dlt, so all three
    #: ask for the same pages; ``None`` where the tap has no such setting (the server decides).
    page_size: int | None = None
    config: dict[str, Any] = field(default_factory=dict)
    #: Share of the bench volume this tap's sandbox gets: the fakes hold between 0.9 and 1.9
    #: default-selected records per unit of volume, so that each tap extracts about the bench
    #: volume in records (bench/README.md).
    volume_factor: float = 1.0

    @property
    def keys(self) -> dict[str, tuple[str, ...]]:
        """Stream -> primary key fields."""
        return {s.name: s.key for s in self.streams}

    def stream(self, name: str) -> Stream:
        return next(s for s in self.streams if s.name == name)

    def page_size_of(self, stream: Stream, default: int) -> int:
        """The page size the tap sends for ``stream`` (``default`` when the spec sets none)."""
        size = self.page_size or default
        return min(size, stream.max_page_size) if stream.max_page_size else size

    def tap_overrides(self) -> dict[str, Any]:
        """Settings added to ``tap_config`` for the throughput runs."""
        extra = {"page_size": self.page_size} if self.page_size else {}
        return {**extra, **self.config}


def _classroom() -> tuple[Stream, ...]:
    course = {"parent": "courses", "context": {"courseId": "id"}}
    newest = {"orderBy": "updateTime desc"}
    return (
        Stream("courses", "/courses", ("id",), "courses"),
        Stream("teachers", "/courses/{courseId}/teachers", ("courseId", "userId"), "teachers",
               **course),
        Stream("students", "/courses/{courseId}/students", ("courseId", "userId"), "students",
               **course),
        Stream("announcements", "/courses/{courseId}/announcements", ("courseId", "id"),
               "announcements", newest, **course),
        Stream("coursework", "/courses/{courseId}/courseWork", ("courseId", "id"), "courseWork",
               newest, **course),
        Stream("studentsubmissions", "/courses/{courseId}/courseWork/-/studentSubmissions",
               ("courseId", "courseWorkId", "id"), "studentSubmissions", **course),
        Stream("topics", "/courses/{courseId}/topics", ("courseId", "topicId"), "topic",
               **course),
        Stream("courseworkmaterials", "/courses/{courseId}/courseWorkMaterials",
               ("courseId", "id"), "courseWorkMaterial", newest, **course),
        Stream("aliases", "/courses/{courseId}/aliases", ("courseId", "alias"), "aliases",
               add=("courseId",), **course),
        Stream("invitations", "/invitations?courseId={courseId}", ("id",), "invitations",
               **course),
        Stream("guardians", "/userProfiles/-/guardians", ("studentId", "guardianId"),
               "guardians"),
        Stream("guardian_invitations",
               "/userProfiles/-/guardianInvitations?states=PENDING&states=COMPLETE",
               ("invitationId",), "guardianInvitations"),
    )


def _thrive() -> tuple[Stream, ...]:
    def event(since: str, until: str, cursor: str, fmt: str = SPACED) -> Window:
        return Window(since, until, cursor, fmt)

    results = "results"
    return (
        Stream("content", "/contents", ("id",), results),
        Stream("users", "/users", ("id",), results),
        Stream("activities", "/activities", ("id",), results,
               window=event("timestampFrom", "timestampTo", "date")),
        Stream("audiences", "/audiences", ("id",), results),
        Stream("audience_members", "/audiences/{audienceId}/members", ("audienceId", "userId"),
               results, parent="audiences", context={"audienceId": "id"}, add=("audienceId",)),
        Stream("assignments", "/assignments", ("id",), max_page_size=100),
        Stream("enrolments", "/assignments/{assignmentId}/enrolments", ("id",),
               parent="assignments", context={"assignmentId": "id"}, add=("assignmentId",),
               max_page_size=100,
               window=event("updatedAtFrom", "updatedAtTo", "updatedAt", ISO_MILLIS)),
        Stream("completions", "/learning/completions", ("id",),
               window=event("completedDateRangeStart", "completedDateRangeEnd", "completedAt")),
        Stream("cpd_entries", "/cpdEntries", ("logEntryId",), results,
               window=event("entryDateFrom", "entryDateTo", "entryDate")),
        Stream("cpd_categories", "/cpdCategories", ("categoryId",), results),
        Stream("cpd_requirements", "/cpdRequirementSummaries", ("audienceRequirementId",),
               results),
        Stream("tags", "/tags", ("id",), results),
    )


def _primetric() -> tuple[Stream, ...]:
    organization = ["clients", "company_groups", "departments", "positions", "rag_scopes",
                    "roles", "seniorities", "tags", "teams", "timeoff_types"]
    paths = {"assignments": "/assignments", "employees": "/employees",
             "hashtags": "/hash_tags",
             **{f"organization_{name}": f"/organization/{name}" for name in organization},
             "people": "/people", "projects": "/projects",
             "projects_vacancies": "/projects_vacancies", "skills": "/skills",
             "timeoffs": "/timeoffs", "worklogs": "/worklogs"}
    return (*(Stream(name, path, ("uuid",), "results") for name, path in paths.items()),
            # the two bare arrays the API answers whole, in one request
            Stream("organization_identity_providers", "/organization/identity_providers",
                   ("uuid",), paged=False),
            Stream("rag_ratings", "/rag_ratings", ("project_id",), paged=False))


def _basecamp() -> tuple[Stream, ...]:
    newest = {"sort": "updated_at", "direction": "desc"}
    recordings = {"todos": "Todo", "messages": "Message", "comments": "Comment",
                  "documents": "Document", "uploads": "Upload", "todolists": "Todolist",
                  "vaults": "Vault", "question_answers": "Question::Answer",
                  "card_table_cards": "Kanban::Card"}
    return (
        Stream("projects", "/projects.json", ("id",)),
        Stream("schedules", "/projects/{project_id}.json", ("id",), "dock", parent="projects",
               context={"project_id": "id"}, add=("project_id",), paged=False,
               where={"name": "schedule", "enabled": True}, link="url"),
        Stream("schedule_entries", "/buckets/{project_id}/schedules/{schedule_id}/entries.json",
               ("id",), parent="schedules",
               context={"project_id": "project_id", "schedule_id": "id"}),
        Stream("people", "/people.json", ("id",)),
        Stream("campfires", "/chats.json", ("id",)),
        Stream("campfire_lines", "/buckets/{bucket_id}/chats/{campfire_id}/lines.json", ("id",),
               parent="campfires", context={"bucket_id": "bucket.id", "campfire_id": "id"}),
        *(Stream(name, "/projects/recordings.json", ("id",), params={"type": kind, **newest})
          for name, kind in recordings.items()),
    )


def _systeme() -> tuple[Stream, ...]:
    # subscriptions (one walk per contact) is opt-in: a default run leaves it out.
    paths = {"communities": "/community/communities", "contacts": "/contacts", "tags": "/tags",
             "contact_fields": "/contact_fields", "course_resources": "/school/courses",
             "enrollments": "/school/enrollments", "memberships": "/community/memberships",
             "newsletters": "/mailing/newsletters"}
    return tuple(Stream(name, path, ("slug",) if name == "contact_fields" else ("id",), "items")
                 for name, path in paths.items())


def _spec(tap: str, streams: tuple[Stream, ...], **options: Any) -> TapSpec:
    """The spec of registry tap ``tap`` (its executable and sandbox fake from the registry)."""
    entry = BY_NAME[tap]
    return TapSpec(entry.fake, entry.name, entry.fake, streams, **options)


SPECS: dict[str, TapSpec] = {spec.name: spec for spec in [
    # ~0.87 records per unit; page_size 1000: the fake's maximum (Google documents none)
    _spec("tap-classroom", _classroom(), page_size=1000, volume_factor=1.15),
    # ~1.8 records per unit; page_size 1000: the API's maximum perPage (100 where capped)
    _spec("tap-thrive", _thrive(), page_size=1000, volume_factor=0.55),
    # ~1.8 records per unit; no page size setting: the server's 100
    _spec("tap-primetric", _primetric(), volume_factor=0.55),
    # ~1.85 records per unit; geared pages: 15, 30, 50, then 100
    _spec("tap-basecamp", _basecamp(), volume_factor=0.54),
    # ~1.18 records per unit (subscriptions aside); page_size 100: the API's maximum limit
    _spec("tap-systeme", _systeme(), page_size=100, volume_factor=0.85),
]}

#: Query parameters whose value is the moment of the run (a window's upper bound), not the page.
VOLATILE_PARAMS = frozenset(s.window.until for spec in SPECS.values() for s in spec.streams
                            if s.window)


def spec_for(name: str) -> TapSpec:
    """The spec of ``name`` (``classroom`` or ``tap-classroom``)."""
    short = name.removeprefix("tap-")
    if short not in SPECS:
        raise KeyError(f"unknown tap {name!r}; known: {', '.join(SPECS)}")
    return SPECS[short]
