"""The base stream of every tap: settings become requests, answers become records.

A tap's stream is a declaration: ``name``, ``path``, ``records_key``, ``primary_keys``,
``replication_key``, ``paginator``, ``params`` and ``parent_stream_type``; its schema is
``schemas/<name>.json`` next to the tap. Everything else lives here once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast
from urllib.parse import ParseResult

import requests
import singer_sdk.singerlib as singer
from singer_sdk import Stream
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.helpers.types import Context
from singer_sdk.mapper import SameRecordTransform
from singer_sdk.schema.source import SchemaDirectory, StreamSchema
from singer_sdk.streams.rest import HTTPRequest, PageContext
from typing_extensions import override

from tapkit.access import InaccessibleError, inaccessible_or_fatal
from tapkit.concurrency import Task
from tapkit.declarations import Declarations
from tapkit.drift import DriftGuard
from tapkit.errors import TapError, one_line, redact, redact_url
from tapkit.logs import said_before
from tapkit.metrics import PerStreamMetrics
from tapkit.paginators import SuitePaginator
from tapkit.quotas import QuotaWait, is_quota_answer
from tapkit.records import Conformer, boolean_conformer
from tapkit.responses import NotAPage, TruncatedBody, mark_exhausted, records_in
from tapkit.retry import (
    NETWORK_ERRORS,
    RETRY_STATUSES,
    RetryPolicy,
    ServerWait,
    call_with_retries,
    retry_after_seconds,
)
from tapkit.sdk import pop_deselected
from tapkit.shards import in_scope, runs_in_this_slice
from tapkit.state import PartitionStarts, partition_key
from tapkit.times import parse_time

if TYPE_CHECKING:
    from tapkit.tap import SuiteTap


S = TypeVar("S", bound="SuiteStream")

#: Per thread: where the partition each stream is reading starts (a newest-first walk stops
#: there).
_reading = threading.local()


#: About how many records the pages read ahead of one walk hold at once.
PAGES_AHEAD_RECORDS = 1000

#: ``time_extracted``: read from the clock at most once a millisecond (a clock call per record
#: costs as much as the rest of the message), as [monotonic time of the reading, the reading].
_clock: list = [float("-inf"), None]


def _extracted_now() -> datetime:
    now = time.monotonic()
    if now - _clock[0] >= 0.001:
        _clock[0], _clock[1] = now, datetime.now(timezone.utc)
    return _clock[1]


def _quiet_sdk_failure_line(record: logging.LogRecord) -> bool:
    """Drop the SDK's generic "unhandled error" line: the tap prints the one that says why."""
    return not str(record.msg).startswith("An unhandled error occurred while syncing")


class SuiteStream(PerStreamMetrics, PartitionStarts, Declarations):
    """A REST stream driven by class attributes (also those of :mod:`tapkit.declarations`) and
    the suite's common settings."""

    #: Key of the record list in the JSON body; ``None`` for a bare top-level array.
    records_key: ClassVar[str | None] = None
    #: Paginator class; ``for_stream`` builds one per partition.
    paginator: ClassVar[type[SuitePaginator] | None] = None
    #: The most records a page may hold on this endpoint (``page_size`` is cut to it).
    max_page_size: ClassVar[int | None] = None
    #: Answer headers that say why a request failed, added to the error message.
    error_headers: ClassVar[tuple[str, ...]] = ()
    #: The API leaves ``records_key`` out of an empty page (Google): a body holding nothing but
    #: these keys is an empty page. ``None``: a body without the list is a failed answer.
    empty_page_keys: ClassVar[frozenset[str] | None] = None
    #: Records come newest first: stop paging at the first record older than the bookmark.
    stop_at_bookmark: ClassVar[bool] = False
    #: Folder of ``<stream name>.json`` schema files; set once per tap.
    schemas_dir: ClassVar[Path | None] = None
    #: How long a failed answer asks to wait before the retry (``None``: it does not say).
    server_wait: ClassVar[ServerWait] = staticmethod(retry_after_seconds)
    #: The API's wait after a quota answer that does not say (``None``: the backoff).
    quota_wait: ClassVar[QuotaWait | None] = None
    #: What a 401 asks the user to check.
    credentials_hint: ClassVar[str] = "check the credentials"
    #: Slices (tapkit.shards): the record field whose value places a record in a slice (set on
    #: the parents a big account fans out over), the setting listing explicit ids of those
    #: parents, and the child context key that carries the value to their children.
    shard_key: ClassVar[str | None] = None
    shard_ids_setting: ClassVar[str | None] = None
    shard_context_key: ClassVar[str | None] = None
    #: JSON input needs none of the SDK's generic conformance (see _generate_record_messages).
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    @classmethod
    def define(cls: type[S], name: str, path: str, **attributes: Any) -> type[S]:
        """A stream declared in one line, e.g. ``TagsStream = Base.define("tags", "/tags")``."""
        class_name = "".join(part.capitalize() for part in name.split("_")) + "Stream"
        return type(class_name, (cls,), {"name": name, "path": path,
                                         "__module__": cls.__module__, **attributes})

    @override
    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "schemas_dir" in cls.__dict__ and cls.schemas_dir is not None:
            cls.schema = StreamSchema(SchemaDirectory(cls.schemas_dir))  # type: ignore[assignment]

    def __init__(self, tap: SuiteTap, **kwargs: Any) -> None:
        super().__init__(tap, **kwargs)
        self._suite_tap = tap
        self.logger.addFilter(_quiet_sdk_failure_line)

    @override
    def log(self, message: str, *args: Any, level: int = logging.INFO, **kwargs: Any) -> None:
        """The SDK's, less the lines it repeats for every partition (tapkit.logs), dropped
        before a log record is built."""
        if not said_before(self.logger, message, args):
            super().log(message, *args, level=level, **kwargs)

    # -- requests ----------------------------------------------------------------------------
    @property
    @override
    def url_base(self) -> str:
        return str(self.config["api_url"]).rstrip("/")

    @property
    @override
    def authenticator(self) -> Any:
        return self._suite_tap.authenticator

    @property
    @override
    def requests_session(self) -> requests.Session:
        """One keep-alive session per tap, shared by its streams and their worker threads."""
        return self._suite_tap.http_session

    @property
    @override
    def timeout(self) -> int:
        return int(self.config.get("request_timeout", 60))

    @cached_property
    @override
    def user_agent(self) -> str:
        return str(self.config.get("user_agent") or self._suite_tap.default_user_agent)

    @property
    @override
    def http_headers(self) -> dict:
        return {"User-Agent": self.user_agent, "Accept": "application/json"}

    @override
    def get_new_paginator(self) -> SuitePaginator | None:
        return self.paginator.for_stream(self) if self.paginator else None

    @override
    def get_http_request(self, *, page: PageContext) -> HTTPRequest:
        """Apply the paginator's token: follow a URL as it is, or merge query parameters."""
        request = super().get_http_request(page=page)
        token = page.next_page_token
        if isinstance(token, ParseResult):
            request.url, request.params = token.geturl(), {}
        elif token:
            request.params = {**request.params, **token}
        return request

    # -- answers -----------------------------------------------------------------------------
    @override
    def validate_response(self, response: requests.Response) -> None:
        """429/5xx are retried; other 4xx are fatal with a clear message; a 2xx must be a page:
        a cut-off body or an answer that is no page (see :meth:`check_page`) is retried too."""
        status = response.status_code
        if status in RETRY_STATUSES or is_quota_answer(response):
            raise RetriableAPIError(self.response_error_message(response), response)
        if status >= 400:
            raise inaccessible_or_fatal(response, self.response_error_message(response))
        try:
            self.check_page(response)
        except TruncatedBody as exc:
            raise RetriableAPIError(str(exc), response) from None
        except NotAPage as exc:
            body = one_line(self.redact(response.text or ""), 200)
            raise RetriableAPIError(f"{self.name}: {exc}{': ' + body if body else ''}",
                                    response) from None
        self._suite_tap.access.answered = True

    def check_page(self, response: requests.Response) -> None:
        """Raise :class:`NotAPage` unless the answer is a page of this stream's records."""
        records_in(response, self.records_key, self.empty_page_keys)

    @override
    def response_error_message(self, response: requests.Response) -> str:
        body = one_line(self.redact(response.text or ""), 200)  # redact first: no cut secret
        hint = {401: f" ({self.unauthorized_hint()})", 403: " (check the credentials' scopes "
                "and permissions)", 404: " (check api_url and the ids in it)"}.get(
                    response.status_code, "")
        reasons = "".join(f" [{name}: {response.headers[name]}]" for name in self.error_headers
                          if response.headers.get(name))
        return self.redact(f"{self.name}: HTTP {response.status_code} {response.reason} from "
                           f"{response.request.method} {redact_url(response.url)}{hint}: {body}"
                           f"{reasons}")

    @override
    def parse_response(self, response: requests.Response) -> Iterable[dict]:
        records = records_in(response, self.records_key, self.empty_page_keys)
        floor = _reading.__dict__.get(self.name) if self.stop_at_bookmark else None
        if floor is None:
            yield from records
            return
        for record in records:
            value = record.get(self.replication_key or "")
            if value and parse_time(value) < floor:
                mark_exhausted(response)
                return
            yield record

    # -- retries and errors --------------------------------------------------------------------
    @cached_property
    def retry_policy(self) -> RetryPolicy:
        """The retry settings with this stream's (its API's) server and quota waits."""
        return self._suite_tap.retry_policy(self.server_wait, self.quota_wait)

    @override
    def backoff_max_tries(self) -> int:
        return self.retry_policy.tries

    def unauthorized_hint(self) -> str:
        """What a final 401 asks to check (the authenticator knows best when it has a say)."""
        hint = getattr(self.authenticator, "unauthorized_hint", None)
        return hint() if callable(hint) else self.credentials_hint

    def log_retry(self, exc: BaseException, retry: int, seconds: float) -> None:
        what = (f"HTTP {exc.response.status_code}" if isinstance(exc, RetriableAPIError)
                and exc.response is not None else type(exc).__name__)
        self.logger.warning("%s: %s, retry %d in %.1f s", self.name, what, retry, seconds)

    @override
    def request_decorator(self, func: Any) -> Any:
        func = self._suite_tap.rate_limiter.wrap(func)
        policy = self.retry_policy

        def request(prepared: requests.PreparedRequest, context: Context | None) -> Any:
            try:
                return call_with_retries(lambda: func(prepared, context), policy,
                                         self.log_retry)
            except RetriableAPIError as exc:
                raise TapError(f"{exc} (gave up after {policy.tries} tries)") from None
            except NETWORK_ERRORS as exc:
                raise TapError(self.redact(
                    f"{self.name}: no answer from {prepared.method} {redact_url(prepared.url)} "
                    f"after {policy.tries} tries ({type(exc).__name__})")) from None

        return request

    @override
    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The SDK's page walk; where the API tells the page count up front
        (``SuitePaginator.pages_ahead``), the next pages are requested ahead, up to
        ``max_concurrency`` at once, and their answers taken in order, so the walk (records,
        stops, loop guard, errors) is the sequential one."""
        paginator = self.get_new_paginator()
        prefetcher = self._suite_tap.prefetcher
        if paginator is None or not prefetcher.enabled or (
                type(paginator).pages_ahead is SuitePaginator.pages_ahead):
            yield from super().request_records(context)
            return
        decorated = self.request_decorator(self._request)
        ahead: dict[Any, Task] = {}
        try:
            with self.get_http_request_counter() as counter:
                counter.with_context(context)
                while not paginator.finished:
                    token = paginator.current_value
                    task = ahead.pop(SuitePaginator._fingerprint(token), None)
                    if task is not None:
                        prepared, response = task.result()
                    else:
                        prepared = self.page_request(context, token)
                        response = decorated(prepared, context)
                    counter.increment()
                    self.update_sync_costs(prepared, response, context)
                    for later in paginator.pages_ahead(response, self._pages_ahead(response)):
                        key = SuitePaginator._fingerprint(later)
                        if key not in ahead:
                            ahead[key] = prefetcher.submit(self._page_fetch(context, later,
                                                                            decorated))
                    records = list(self.parse_response(response))
                    if not records and not paginator.continue_if_empty(response):
                        break
                    yield from records
                    paginator.advance(response)
        finally:
            for task in ahead.values():
                task.cancel()

    def _pages_ahead(self, response: requests.Response) -> int:
        """How many pages to read ahead: ``max_concurrency``, fewer where pages are big (about
        :data:`PAGES_AHEAD_RECORDS` records in flight; a quarter of that in a stream read ahead
        by a worker, whose pages wait for their turn anyway), so memory does not grow with
        them."""
        try:
            size = max(1, len(records_in(response, self.records_key, self.empty_page_keys)))
        except Exception:
            size = 1
        budget = PAGES_AHEAD_RECORDS
        if threading.current_thread() is not threading.main_thread():
            budget //= 4
        return min(self._suite_tap.prefetcher.workers, budget // size)

    def page_request(self, context: Context | None, token: Any) -> requests.PreparedRequest:
        """The request of the page ``token`` (what the SDK's ``_prepare_request`` builds)."""
        http = self.get_http_request(page=PageContext(stream_context=context,
                                                      next_page_token=token))
        body = {"json": http.data} if self.payload_as_json else {"data": http.data}
        return self.build_prepared_request(method=http.method, url=http.url,
                                           params=http.encode_params(), headers=http.headers,
                                           **body)

    def _page_fetch(self, context: Context | None, token: Any, decorated: Callable[..., Any]
                    ) -> Callable[[], Iterator[tuple[requests.PreparedRequest, Any]]]:
        prepared = self.page_request(context, token)  # here: the window is this thread's

        def fetch() -> Iterator[tuple[requests.PreparedRequest, Any]]:
            yield prepared, decorated(prepared, context)

        return fetch

    @override
    def state_message_due(self) -> bool:
        """A top-level stream's STATE goes out at every turn; a child stream's, after one of its
        partitions, only now and then (:meth:`tapkit.writer.EncodedStateWriter.interim_due`):
        the next STATE written, at the latest the one that ends the sync, carries it."""
        if self.parent_stream_type is None:
            return True
        due = getattr(self._suite_tap.state_writer, "interim_due", None)
        return due() if due is not None else True

    @override
    def schema_message_due(self) -> bool:
        """The SCHEMA goes once per run, not again before every partition of a child stream."""
        first = not self.__dict__.get("_schema_written")
        self._schema_written = True
        return first

    # -- the per-record hot path -------------------------------------------------------------
    @cached_property
    def _conform(self) -> Conformer | None:
        """Booleans as the SDK conforms them, needed only with the drift check off: with it on,
        a boolean-only field holds a bool, or it was widened and the value stays as it came."""
        return boolean_conformer(self.schema)

    @cached_property
    def _everything_selected(self) -> bool:
        return all(self.mask.values())

    @cached_property
    def _drift(self) -> DriftGuard:
        return DriftGuard(self)

    @override
    def record_messages(self, record: dict) -> Iterator[singer.RecordMessage]:
        """The SDK's version without per-record work that JSON input does not need: the
        selection walk only when something is deselected, conformance only of boolean fields;
        plus the drift check (tapkit.drift): a value its field does not declare widens the
        SCHEMA, sent again before the record, which goes out unchanged."""
        if not self._everything_selected:
            pop_deselected(record, self.mask)
        check = self._drift.check
        if check is None:
            if self._conform is not None:
                record = self._conform(record)
        elif not check(record) and self._drift.widen_for(record):
            self.write_schema()  # again, widened (past the once-per-run guard)
        extracted = _extracted_now()
        if self._identity_map is not None:  # no stream maps: the record as it is
            yield singer.RecordMessage(stream=self._identity_map, record=record,
                                       version=self.stream_version, time_extracted=extracted)
            return
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield singer.RecordMessage(stream=stream_map.stream_alias, record=mapped,
                                           version=self.stream_version,
                                           time_extracted=extracted)

    @override
    def activate_version_due(self, version: int) -> bool:
        """ACTIVATE_VERSION once per stream and version (``emit_activate_version_messages``),
        not once per partition: every course's rows carry the same version."""
        if self.__dict__.get("_activated_version") == version:
            return False
        self.__dict__["_activated_version"] = version
        return True

    @cached_property
    def _identity_map(self) -> str | None:
        """The stream's alias when its only map passes records through unchanged (no
        stream maps, no flattening), so the per-record transform can be skipped."""
        maps = self.stream_maps
        if len(maps) == 1 and type(maps[0]) is SameRecordTransform and not (
                maps[0].flattening_options and maps[0].flattening_enabled):
            return maps[0].stream_alias
        return None

    # -- partitions, concurrency -------------------------------------------------------------
    @override
    def children_to_sync(self) -> list[Stream]:
        """The selection asked once per partition (:meth:`get_records` refreshes it), not once
        per record."""
        cached = self.__dict__.get("_children_to_sync")
        return self.refresh_child_selection() if cached is None else cached

    def refresh_child_selection(self) -> list[Stream]:
        """The child streams to sync, asked now, kept for this partition's records."""
        children = super().children_to_sync()
        self.__dict__["_children_to_sync"] = children
        return children

    @override
    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """The partition's records: read ahead by a worker, or read now; children and next
        streams read ahead. A 403/404 that may be skipped ends the partition here (see
        tapkit.access). Once the SDK has written them all, a partition read in full is recorded
        as read."""
        prefetcher = self._suite_tap.prefetcher
        children = self.refresh_child_selection()  # once per partition, not per record
        top = self.parent_stream_type is None
        if top and prefetcher.enabled:
            prefetcher.streams_ahead(self, self._suite_tap.access.answered)
        with self._suite_tap.access.partition(self, context):
            records = prefetcher.take(self, context)
            if records is None:
                records = self._read_partition(context, self.partition_start(context))
            records = in_scope(self, records)  # a sliced run: only its parents (tapkit.shards)
            if top and prefetcher.enabled and not self._suite_tap.access.answered:
                records = self._ahead_after_first(records)
            if children and prefetcher.enabled:
                yield from prefetcher.lookahead(self, records, context,
                                                cast("list[SuiteStream]", children))
                prefetcher.forget({child.name for child in children})
            else:
                yield from records
            # the SDK asks for the next record only after writing this one: all are written now
            self._record_partition_read(context)

    def _ahead_after_first(self, records: Iterable[dict]) -> Iterator[dict]:
        """``records``; once the first is in (the run's first good answer), the next streams
        are read ahead too."""
        iterator = iter(records)
        for record in iterator:
            self._suite_tap.prefetcher.streams_ahead(self, self._suite_tap.access.answered)
            yield record
            yield from iterator

    def streams_in_sync_order(self) -> list[SuiteStream]:
        """The top-level streams this run syncs, in the SDK's order (``Tap.sync_all``)."""
        return [s for s in self._suite_tap.streams.values()
                if isinstance(s, SuiteStream) and s.parent_stream_type is None
                and (s.selected or s.has_selected_descendents) and runs_in_this_slice(s)]

    def page_records(self) -> int | None:
        """How many records a full page holds, where the stream asks for a page size (the
        ``page_size`` setting, cut to ``max_page_size``); ``None``: the server decides."""
        size = self.config.get("page_size")
        if not size:
            return None
        return min(int(size), self.max_page_size) if self.max_page_size else int(size)

    def reads_ahead_whole(self) -> bool:
        """Whether the whole stream may be read ahead of its turn: one partition (no
        partitions in the state) and not a stream that skips its sync."""
        return not self.partitions

    @property  # type: ignore[explicit-override]  # it has @override: mypy misses it with a setter
    @override
    def selected(self) -> bool:
        """Selected, and not skipped in this slice: a stream over the whole account runs in
        slice 0 only (see :mod:`tapkit.shards`)."""
        if not super().selected:
            return False
        in_slice = self.__dict__.get("_in_this_slice")
        if in_slice is None:
            in_slice = self._in_this_slice = runs_in_this_slice(self)
        if in_slice:
            return True
        if not self.__dict__.get("_told_slice"):
            self._told_slice = True
            self.logger.info("%s: not under a sliced parent, so it runs in slice 0 only; "
                             "skipped in slice %s", self.name, self.config.get("shard"))
        return False

    @selected.setter
    @override
    def selected(self, value: bool | None) -> None:
        Declarations.selected.fset(self, value)  # type: ignore[attr-defined]

    @override
    def log_sync_costs(self) -> None:
        """The SDK calls this on every stream once all are synced: after the last one, the tap
        finishes the sync (:meth:`tapkit.SuiteTap.finish_sync`)."""
        super().log_sync_costs()
        if list(self._suite_tap.streams.values())[-1] is self:
            self._suite_tap.finish_sync()

    def on_partition_skipped(self, context: Context | None, status: int) -> None:
        """Hook: the partition ``context`` answered ``status`` (403/404) and was skipped, after
        its bookmark was put back. ``self._suite_tap.access.was_skipped(name, context)`` tells
        the same later. Whatever records it read before are written but do not count."""

    def partition_reader(self, context: Context | None
                         ) -> tuple[Callable[[], Iterator[dict]], Callable[[], None]]:
        """For a worker: the read of one partition (where it starts taken now, on the main
        thread), and what a thread does before it resumes that read (where it starts, for
        :meth:`reading_from` and a newest-first stop)."""
        start = self.partition_start(context)

        def enter() -> None:
            _reading.__dict__[self.name] = start

        return (lambda: self._read_partition(context, start)), enter

    def reading_from(self) -> datetime | None:
        """Where the partition this thread is reading starts (:meth:`partition_start`, taken
        when its walk began): for a date window in ``get_url_params``, which may run on a worker
        thread, where the state must not be read."""
        return _reading.__dict__.get(self.name)

    def _read_partition(self, context: Context | None,
                        start: datetime | None) -> Iterator[dict[str, Any]]:
        """Walk one partition's pages. It counts as read in full only when this walk ends
        normally: a partition skipped (partial access) or cut short must return or raise before
        the last line."""
        _reading.__dict__[self.name] = start
        key = partition_key(context)
        self._partitions_done.discard(key)
        try:
            yield from self.request_records(context)
        except InaccessibleError:
            raise
        except TapError as exc:
            text = str(exc)
            raise type(exc)(text if text.startswith(f"{self.name}:") else f"{self.name}: {text}"
                            ) from None
        except FatalAPIError as exc:
            raise TapError(f"{self.name}: {exc}") from None
        self._partitions_done.add(key)

    def redact(self, text: str) -> str:
        """Mask every secret setting (and bearer/basic credentials) in ``text``."""
        return redact(text, self._suite_tap.secret_values)

