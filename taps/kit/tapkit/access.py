"""Partial access: a 403 or 404 on one partition skips that partition, not the whole run.

A token may list a course it cannot read (403), and a course or project may be deleted between
the parent list and its children (404). Such an answer raises :class:`InaccessibleError`;
:meth:`AccessReport.partition` turns it into a warning and a skipped partition, the run goes on,
and the run ends with one summary line. Still fatal: a 401 (after the authenticator's one
refresh), any 4xx before the run's first successful answer (the configuration is wrong), a 404
from a top-level stream (its path is wrong), Google's quota 403 (``rateLimitExceeded``),
Basecamp's ``Reason: Account Inactive`` 404, and everything when ``skip_inaccessible`` is false.

A skipped partition moves no bookmark: the stream's (or partition's) bookmark and progress
markers go back to what they were before it started, even if some of its pages were read.
Other kit code asks :meth:`AccessReport.was_skipped` (or overrides
``SuiteStream.on_partition_skipped``) to learn that a partition was not read in full.
"""

from __future__ import annotations

import contextlib
import copy
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import requests

from tapkit.errors import TapError
from tapkit.state import PARENTS

if TYPE_CHECKING:
    from tapkit.stream import SuiteStream

#: The statuses that mean "this partition is not readable by these credentials (any more)".
ACCESS_STATUSES = frozenset({403, 404})
#: Google's reasons for a 403 that is a quota answer, not an access problem.
QUOTA_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded",
                           "dailyLimitExceeded"})


class InaccessibleError(TapError):
    """A 403 or 404 that means "no access to this partition" (skipped unless fatal)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def is_quota_answer(response: requests.Response) -> bool:
    """Whether a 403 carries one of Google's quota reasons (``error.errors[].reason`` or
    ``error.details[].reason``)."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return False
    if not isinstance(error, dict):
        return False
    entries = [*(error.get("errors") or []), *(error.get("details") or [])]
    return any(isinstance(e, dict) and e.get("reason") in QUOTA_REASONS for e in entries)


def is_inaccessible(response: requests.Response) -> bool:
    """Whether ``response`` is a 403/404 about access to what it asked for."""
    status = response.status_code
    if status not in ACCESS_STATUSES:
        return False
    if status == 404 and response.headers.get("Reason", "").lower() == "account inactive":
        return False  # Basecamp: the whole account is gone, not one project
    return not (status == 403 and is_quota_answer(response))


def describe(context: Mapping[str, Any] | None) -> str:
    """``courseId=1, ...`` for a warning."""
    return ", ".join(f"{k}={v}" for k, v in (context or {}).items()) or "the whole stream"


def _frozen(stream: str, context: Mapping[str, Any] | None) -> tuple:
    return stream, tuple(sorted((k, str(v)) for k, v in (context or {}).items()))


class AccessReport:
    """One per tap run: whether any request succeeded yet, and what was skipped."""

    def __init__(self, skip_inaccessible: bool = True) -> None:
        self.skip_inaccessible = skip_inaccessible
        #: Set by the first successful answer of the run; before it every 4xx is fatal.
        self.answered = False
        #: (stream, status, whole stream?) -> skipped partitions
        self.counts: Counter[tuple[str, int, bool]] = Counter()
        self._skipped: set[tuple] = set()
        self._lock = threading.Lock()

    def was_skipped(self, stream: str, context: dict | None) -> bool:
        """Whether this run skipped ``stream``'s partition ``context`` (not read in full)."""
        return _frozen(stream, context) in self._skipped

    @contextlib.contextmanager
    def partition(self, stream: SuiteStream, context: Mapping[str, Any] | None
                  ) -> Iterator[None]:
        """Around the reading of one partition: on an :class:`InaccessibleError` that may be
        skipped, restore the bookmark, warn, record the skip and end the partition quietly."""
        state = stream.get_context_state(context) if stream.replication_key else {}
        # the bookmark and progress markers (a few values), not the lists that grow with the
        # parents: those the skipped partition never touched
        kept = ("partitions", PARENTS)
        saved = {k: copy.deepcopy(v) for k, v in state.items() if k not in kept}
        try:
            yield
        except InaccessibleError as exc:
            self._check_skippable(stream, exc)
            for key in [k for k in state if k not in kept]:
                del state[key]
            state.update(saved)  # the bookmark as it was before the partition started
            self._record(stream, context, exc)
            stream.on_partition_skipped(context, exc.status)

    def _check_skippable(self, stream: SuiteStream, exc: InaccessibleError) -> None:
        if not self.answered:
            raise TapError(f"{exc} (on the run's first request: check the configuration)"
                           ) from None
        if not self.skip_inaccessible:
            raise TapError(f"{exc} (skip_inaccessible is false)") from None
        if stream.parent_stream_type is None and exc.status != 403:
            raise TapError(str(exc)) from None

    def _record(self, stream: SuiteStream, context: Mapping[str, Any] | None,
                exc: InaccessibleError) -> None:
        why = str(exc).removeprefix(f"{stream.name}: ")
        with self._lock:
            self.counts[(stream.name, exc.status, stream.parent_stream_type is None)] += 1
            self._skipped.add(_frozen(stream.name, context))
        if stream.parent_stream_type is None:
            stream.logger.warning(
                "%s: skipped the whole stream: %s. The credentials lack the scope or permission "
                "to read it: grant it, or deselect the stream (skip_inaccessible: false makes "
                "this fatal)", stream.name, why)
        else:
            stream.logger.warning("%s: skipped the partition %s: %s", stream.name,
                                  describe(context), why)

    def summary(self) -> str | None:
        """One line naming every skip of the run, or ``None`` when nothing was skipped."""
        if not self.counts:
            return None
        parts = [f"{stream} {'whole stream' if whole else n} (HTTP {status})"
                 for (stream, status, whole), n in sorted(self.counts.items())]
        return ("Skipped for lack of access, records missing from this run (stream, "
                "partitions, status): " + ", ".join(parts))


def inaccessible_or_fatal(response: requests.Response, message: str) -> TapError:
    """The error a 4xx answer raises: :class:`InaccessibleError` when it may be skipped."""
    if is_inaccessible(response):
        return InaccessibleError(message, response.status_code)
    return TapError(message)


def access_report_for(config: Mapping[str, Any]) -> AccessReport:
    """A fresh report for one run, from the ``skip_inaccessible`` setting (default true)."""
    return AccessReport(bool(config.get("skip_inaccessible", True)))
