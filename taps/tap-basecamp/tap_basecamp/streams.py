"""Basecamp streams: projects, their Schedules and schedule entries, people, Campfires and their
lines, and every recording type the tap reads (to-dos, messages, comments, documents, ...)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from tapkit import LinkedResourceStream, LinkHeaderPaginator, SuitePaginator, SuiteStream


class BasecampStream(SuiteStream):
    """Every Basecamp list: a bare JSON array per page, the next page in the ``Link`` header;
    Basecamp's ``Reason`` header (``Account Inactive`` on a 404) goes into error messages."""

    paginator: ClassVar[type[SuitePaginator] | None] = LinkHeaderPaginator
    schemas_dir = Path(__file__).parent / "schemas"
    error_headers = ("Reason",)


class ProjectsStream(BasecampStream):
    """Active projects, newest first."""

    name = "projects"
    path = "/projects.json"
    primary_keys = ("id",)
    child_context = {"project_id": "id"}
    shard_key = "id"  # ``shard`` and ``project_ids`` pick projects; what is under them follows
    shard_ids_setting = "project_ids"
    shard_context_key = "project_id"


class SchedulesStream(LinkedResourceStream, BasecampStream):
    """The Schedule resources of a project: its dock's enabled ``schedule`` tools (Basecamp 4
    allows several), each read from the tool's ``url``, with ``project_id`` added."""

    name = "schedules"
    path = "/projects/{project_id}.json"
    primary_keys = ("id",)
    parent_stream_type = ProjectsStream
    state_partitioning_keys = []  # full-table children keep no per-project state
    context_fields = ("project_id",)
    child_context = {"project_id": "project_id", "schedule_id": "id"}
    links_key = "dock"
    links_owner = "a project"
    link_filter = {"name": "schedule", "enabled": True}


class ScheduleEntriesStream(BasecampStream):
    """Active entries of one schedule."""

    name = "schedule_entries"
    path = "/buckets/{project_id}/schedules/{schedule_id}/entries.json"
    primary_keys = ("id",)
    parent_stream_type = SchedulesStream
    state_partitioning_keys = []


class PeopleStream(BasecampStream):
    """Everyone the authorizing user can see."""

    name = "people"
    path = "/people.json"
    primary_keys = ("id",)


class CampfiresStream(BasecampStream):
    """Active Campfires (chats) of active projects. One list for the account, but each
    Campfire belongs to a project: in a slice (``shard``, ``project_ids``), the Campfires, and
    so their lines, of the slice's projects."""

    name = "campfires"
    path = "/chats.json"
    primary_keys = ("id",)
    child_context = {"bucket_id": "bucket.id", "campfire_id": "id"}
    shard_key = "bucket.id"
    shard_ids_setting = "project_ids"
    shard_context_key = "bucket_id"


class CampfireLinesStream(BasecampStream):
    """The lines of one Campfire."""

    name = "campfire_lines"
    path = "/buckets/{bucket_id}/chats/{campfire_id}/lines.json"
    primary_keys = ("id",)
    parent_stream_type = CampfiresStream
    state_partitioning_keys = []


class RecordingsStream(BasecampStream):
    """One recording type across all active projects, most recently updated first.

    Paging stops at the first record older than the bookmark. The order is descending, so the
    bookmark stays in the SDK's progress markers (``is_sorted = False``) and only becomes the new
    ``replication_key_value`` once the stream completes: a run interrupted half-way restarts
    from the previous bookmark and loses nothing.
    """

    path = "/projects/recordings.json"
    primary_keys = ("id",)
    replication_key = "updated_at"
    stop_at_bookmark = True
    is_sorted = False
    params: ClassVar[dict[str, Any]] = {"sort": "updated_at", "direction": "desc"}
    #: With ``project_ids``, only those projects' recordings; with ``shard``, slice 0 only.
    setting_params = {"bucket": "project_ids"}
    list_separator = ","
    #: UTC with milliseconds, so bookmarks compare as strings do.
    utc_millis_fields = ("updated_at",)

    @classmethod
    def of_type(cls, name: str, recording_type: str) -> type[RecordingsStream]:
        """The stream ``name`` of the recordings of ``recording_type`` (``Todo``, ...)."""
        return cls.define(name, cls.path, params={"type": recording_type, **cls.params})


TodosStream = RecordingsStream.of_type("todos", "Todo")
MessagesStream = RecordingsStream.of_type("messages", "Message")
CommentsStream = RecordingsStream.of_type("comments", "Comment")
DocumentsStream = RecordingsStream.of_type("documents", "Document")
UploadsStream = RecordingsStream.of_type("uploads", "Upload")
TodolistsStream = RecordingsStream.of_type("todolists", "Todolist")
VaultsStream = RecordingsStream.of_type("vaults", "Vault")
QuestionAnswersStream = RecordingsStream.of_type("question_answers", "Question::Answer")
CardTableCardsStream = RecordingsStream.of_type("card_table_cards", "Kanban::Card")
