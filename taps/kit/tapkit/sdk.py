"""Every place the kit relies on singer-sdk beyond its public API, and why; nowhere else does.

Supported: singer-sdk ``>=0.54.9,<0.55`` (:data:`SUPPORTED_SDK`, pyproject). For each seam,
``tests/kit/test_sdk_seams.py`` checks the installed SDK: the private member still exists with
the signature used here, and the SDK still calls it where the kit relies on it. An SDK release
that changes one fails there first, not in a sync.

The seams turn each private member into a public hook of the kit's own:

:class:`TapSeams` (under :class:`tapkit.SuiteTap`)
    ``_env_var_config``: the SDK reads ``<TAP>_<SETTING>`` variables with a bare ``int()``
    (a number setting stays a string); the hook :meth:`~TapSeams.env_config` reads numbers in
    any form and names a bad one. ``_validate_config``: secrets are stripped of pasted
    whitespace and numbers read before the SDK validates (:meth:`~TapSeams.prepare_config`).
    ``_handle_termination`` is the SIGTERM/SIGINT handler the SDK installs: the hook
    :meth:`~TapSeams.on_signal` waits until the block being written is out.
    ``_reset_state_progress_markers`` is the first thing ``sync_all`` does: the hook
    :meth:`~TapSeams.start_sync` says a whole run starts (streams may then be read ahead).
    :meth:`~TapSeams.write_state` writes the tap's STATE through the SDK's private state writer.
    ``_state_writer`` is that writer (streams reach it through the public ``state_writer``): the
    hook :meth:`~TapSeams.make_state_writer` replaces it once the SDK has built it.

:class:`StreamSeams` (under :class:`tapkit.SuiteStream`)
    ``_write_schema_message``: a child stream's SCHEMA would go out before every partition
    (:meth:`~StreamSeams.schema_message_due` says once; :meth:`~StreamSeams.write_schema`
    sends it again after drift). ``_generate_record_messages`` is the per-record hot path: the
    SDK's generic selection walk and conformance cost more than the records' own work
    (:meth:`~StreamSeams.record_messages`; ``_stream_version`` is read for its messages).
    ``_write_activate_version_message``: the SDK writes it before every partition of a
    full-table stream (:meth:`~StreamSeams.activate_version_due` says once).
    ``_write_state_message``: the SDK writes a STATE after every partition of a child stream
    (:meth:`~StreamSeams.state_message_due` says whether this one goes).
    ``_increment_stream_state``: a record with a null replication value would log a warning per
    record (:meth:`~StreamSeams.advances_bookmark`). ``_process_record`` and
    ``_sync_children``: per record, the SDK builds the child contexts and asks every child
    stream (and its descendants, recursively) whether it is selected, about ten calls per
    record even when no child is (:meth:`~StreamSeams.children_to_sync` asks once per
    partition). ``_get_state_partition_context`` and
    ``_request`` are called, not overridden: where a partition's state lives, and one request
    with the stream's auth, logging and answer checks.

:class:`PaginatorSeams` (under :class:`tapkit.paginators.SuitePaginator`)
    ``advance`` is public, but its state (``_page_count``, ``_finished``, ``_value``) is not:
    the loop guard (A→B→A, not only A→A) and the bookmark stop replace the SDK's ``advance``.

:class:`OAuthSeams` (under the kit's OAuth authenticators)
    ``_oauth_headers`` and ``_default_expiration`` are read: the kit's token request (own
    retries, a session that talks only to ``token_url``) replaces ``update_access_token``.

Helpers that the SDK keeps private (``singer_sdk.helpers._*``) are the kit's own here:
:class:`classproperty`, :func:`pop_deselected`, :func:`selected_schema`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from types import FrameType
from typing import Any, Generic, Protocol, TypeVar

import requests
import singer_sdk.singerlib as singer
from singer_sdk import RESTStream, Stream, Tap
from singer_sdk.authenticators import OAuthAuthenticator
from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException
from singer_sdk.helpers.types import Context
from singer_sdk.pagination import BaseAPIPaginator
from typing_extensions import override

#: The singer-sdk versions the seams are checked against (pyproject says the same).
SUPPORTED_SDK = ">=0.54.9,<0.55"

T = TypeVar("T")
TPageToken = TypeVar("TPageToken")


class classproperty(property, Generic[T]):
    """A read-only property of the class (the SDK's ``_env_var_config`` is one)."""

    def __init__(self, getter: Callable[[Any], T]) -> None:
        super().__init__(getter)

    @override
    def __get__(self, obj: Any, objtype: type | None = None) -> T:  # type: ignore[override]
        return self.fget(objtype if objtype is not None else type(obj))  # type: ignore[misc]


def pop_deselected(record: dict[str, Any], mask: Mapping[tuple[str, ...], bool],
                   breadcrumb: tuple[str, ...] = ()) -> None:
    """Drop, in place, every property of ``record`` (nested ones too) that ``mask`` deselects."""
    for name, value in list(record.items()):
        crumb = (*breadcrumb, "properties", name)
        if not mask[crumb]:
            del record[name]
        elif isinstance(value, dict):
            pop_deselected(value, mask, crumb)


def selected_schema(schema: dict, mask: Mapping[tuple[str, ...], bool]) -> dict:
    """A copy of ``schema`` without the properties ``mask`` deselects (nested ones too)."""
    copied = copy.deepcopy(schema)
    _drop_deselected(copied, mask, ())
    return copied


def _drop_deselected(schema: dict, mask: Mapping[tuple[str, ...], bool],
                     breadcrumb: tuple[str, ...]) -> None:
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    for name, sub in list(properties.items()):
        crumb = (*breadcrumb, "properties", name)
        if not mask[crumb]:
            del properties[name]
            if name in schema.get("required", []):
                schema["required"].remove(name)
        elif isinstance(sub, dict):
            _drop_deselected(sub, mask, crumb)


class StateWriting(Protocol):
    """What the SDK asks of its state writer."""

    def write_state(self, state: Any) -> None:
        """Write ``state`` as a STATE message unless it is the one written last."""


class TapSeams(Tap):
    """The tap's private SDK members, each turned into a hook."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._state_writer = self.make_state_writer(self._state_writer)  # type: ignore[assignment]

    def make_state_writer(self, sdk_writer: StateWriting) -> StateWriting:
        """The writer of the tap's STATE messages (the SDK's: ``sdk_writer``)."""
        return sdk_writer

    @classmethod
    def env_config(cls) -> dict[str, Any]:
        """Settings from ``<TAP>_<SETTING>`` variables (``--config ENV``): the SDK's reading."""
        return dict(super()._env_var_config)

    @classproperty
    @override
    def _env_var_config(cls) -> dict[str, Any]:
        return cls.env_config()

    def prepare_config(self, config: dict[str, Any], *, raise_errors: bool) -> list[str]:
        """Change ``config`` in place before the SDK validates it; the problems found."""
        return []

    @override
    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        problems = self.prepare_config(self._config, raise_errors=raise_errors)
        return problems + super()._validate_config(raise_errors=raise_errors)

    def on_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT arrived: the SDK writes the STATE and exits."""
        super()._handle_termination(signum, None)

    @override
    def _handle_termination(self, signum: int, frame: FrameType | None) -> None:
        self.on_signal(signum)

    def write_state(self) -> None:
        """Write the tap's current STATE message now."""
        self._state_writer.write_state(self.state)

    def start_sync(self) -> None:
        """``sync_all`` starts: every selected stream is about to be synced, in order."""

    @override
    def _reset_state_progress_markers(self) -> None:
        self.start_sync()
        super()._reset_state_progress_markers()


class StreamSeams(RESTStream):
    """The stream's private SDK members, each turned into a hook."""

    def schema_message_due(self) -> bool:
        """Whether the SDK's turn to write the SCHEMA writes it (the SDK: every time)."""
        return True

    def write_schema(self) -> None:
        """Write the stream's SCHEMA message now."""
        super()._write_schema_message()

    @override
    def _write_schema_message(self) -> None:
        if self.schema_message_due():
            self.write_schema()

    def record_messages(self, record: dict) -> Iterator[singer.RecordMessage]:
        """The RECORD messages of ``record`` (one per stream map): the SDK's own."""
        yield from super()._generate_record_messages(record)

    @override
    def _generate_record_messages(self, record: dict) -> Iterator[singer.RecordMessage]:  # type: ignore[override]
        return self.record_messages(record)

    def activate_version_due(self, version: int) -> bool:
        """Whether the SDK's turn to write ACTIVATE_VERSION writes it (the SDK: every time it
        syncs a partition of a full-table stream)."""
        return True

    @override
    def _write_activate_version_message(self, full_table_version: int) -> None:
        if self.activate_version_due(full_table_version):
            super()._write_activate_version_message(full_table_version)

    @property
    def stream_version(self) -> int | None:
        """The version the SDK gives this run's messages (ACTIVATE_VERSION)."""
        return self._stream_version

    def state_message_due(self) -> bool:
        """Whether the SDK's turn to write a STATE message writes it (the SDK: every time it has
        changed). A STATE not written stays pending: the stream's next turn writes it."""
        return True

    @override
    def _write_state_message(self) -> None:
        if self.state_message_due():
            super()._write_state_message()

    def advances_bookmark(self, record: dict) -> bool:
        """Whether ``record`` may move the bookmark (the SDK: every record)."""
        return True

    @override
    def _increment_stream_state(self, latest_record: dict, *,
                                context: Context | None = None) -> None:
        if self.advances_bookmark(latest_record):
            super()._increment_stream_state(latest_record, context=context)

    def children_to_sync(self) -> list[Stream]:
        """The child streams to sync after each record (the SDK asks this per record)."""
        return [c for c in self.child_streams if c.selected or c.has_selected_descendents]

    @override
    def _process_record(self, record: dict, child_context: Context | None = None,
                        partition_context: Context | None = None) -> None:
        # the SDK's, with the child contexts built only when a child stream is to be synced
        if partition_context:
            for key, value in partition_context.items():
                if key not in record:
                    record[key] = value
        if not self.children_to_sync():
            return
        for context in self.generate_child_contexts(record=record, context=child_context):
            if self.stream_maps[0].get_filter_result(record):
                self._sync_children(copy.copy(context))

    @override
    def _sync_children(self, child_context: Context | None) -> None:
        # the SDK's, over children_to_sync() instead of asking every child per record
        if child_context is None:
            self.logger.warning("Context for child streams of '%s' is null, skipping sync of "
                                "any child streams", self.name)
            return
        for child in self.children_to_sync():
            try:
                child.sync(context=child_context)
            except (AbortedSyncFailedException, AbortedSyncPausedException):
                continue  # as the SDK: an interrupted child, the others go on

    def request_answered(self, endpoint: str, response: requests.Response,
                         context: Context | None, extra_tags: dict | None) -> None:
        """An answer came (every try's): the SDK logs an ``http_request_duration`` line."""
        super()._write_request_duration_log(endpoint, response, context, extra_tags)

    @override
    def _write_request_duration_log(self, endpoint: str, response: requests.Response,
                                    context: Context | None, extra_tags: dict | None) -> None:
        self.request_answered(endpoint, response, context, extra_tags)

    def state_partition_context(self, context: Context | None) -> Context | None:
        """The part of ``context`` naming the partition's state (``state_partitioning_keys``)."""
        return self._get_state_partition_context(context)

    def send(self, prepared: requests.PreparedRequest, context: Context | None
             ) -> requests.Response:
        """One request with the stream's authenticator, answer check and metrics log."""
        return self._request(prepared, context)


class PaginatorSeams(BaseAPIPaginator[TPageToken]):
    """The paginator state that a replacement of ``advance`` has to move."""

    def count_page(self) -> None:
        """One more page was read."""
        self._page_count += 1

    def finish(self) -> None:
        """No more pages."""
        self._finished = True

    def move_to(self, value: TPageToken) -> None:
        """The next request uses ``value``."""
        self._value = value


class OAuthSeams(OAuthAuthenticator):
    """What the SDK's ``update_access_token`` reads, for a replacement of it."""

    @property
    def token_headers(self) -> dict:
        """Headers of the token request (``oauth_headers`` given to the constructor)."""
        return dict(self._oauth_headers)

    @property
    def default_expiration(self) -> int | None:
        """Seconds a token lives when the answer has no ``expires_in``."""
        return self._default_expiration
