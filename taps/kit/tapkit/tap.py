"""The base tap: common settings, config checks, one cached authenticator, clean exits."""

from __future__ import annotations

import io
import os
import sys
from datetime import datetime, timezone
from functools import cached_property
from importlib import metadata
from typing import Any, ClassVar, NoReturn, cast

import click
import requests
from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError
from typing_extensions import override

from tapkit.access import AccessReport, access_report_for
from tapkit.auth import AuthFactory
from tapkit.cli import SuiteCommand, exit_with, watch_secrets
from tapkit.concurrency import Prefetcher
from tapkit.config import (
    coerce_numbers,
    date_problems,
    environment_config,
    file_problem,
    header_problems,
    json_problem,
    url_problems,
)
from tapkit.errors import ConfigError, TapError, redact
from tapkit.limiter import RateLimiter
from tapkit.logs import readable_logs
from tapkit.origins import setting_url
from tapkit.quotas import QuotaWait
from tapkit.retry import MAX_RETRY_WAIT, RetryPolicy, ServerWait
from tapkit.sdk import StateWriting, TapSeams
from tapkit.secrets import secret_problems, strip_secrets, wire_forms
from tapkit.shards import prune_parents, scope_problems
from tapkit.state import StateError, bookmark_streams, check_state
from tapkit.transport import guarded_session
from tapkit.writer import BufferedMsgSpecWriter, EncodedStateWriter, OutputError, flush_all

PROJECT_URL = "https://github.com/singer-tap-suite/singer-tap-suite"


def common_settings(api_url: str, requests_per_second: float | None = None,
                    concurrency: int = 8, rate_window: float = 1,
                    api_url_description: str = "", user_agent_description: str = ""
                    ) -> list[th.Property]:
    """The settings of TAPS.md every tap has, with ``api_url`` defaulting to the real API, plus
    the concurrency and rate-limit settings (defaults per tap, from the API's quota: a budget of
    ``requests_per_second * rate_window`` requests per ``rate_window`` seconds). A tap whose API
    says more about ``api_url`` or ``user_agent`` gives their descriptions."""
    rate_default: dict[str, Any] = {"default": requests_per_second} if requests_per_second else {}
    settings: list[th.Property] = [
        th.Property("api_url", th.URIType, default=api_url,
                    description=api_url_description
                    or "Base URL of the API; stream paths are appended to it."),
        th.Property("user_agent", th.StringType,
                    description=user_agent_description
                    or "User-Agent sent on every request (default: tap name, version and "
                       "project URL)."),
        th.Property("request_timeout", th.IntegerType(minimum=1), default=60,
                    description="Seconds to wait for each whole answer (headers and body)."),
        th.Property("max_retries", th.IntegerType(minimum=0), default=3,
                    description="Retries after the first try on 429, 500, 502, 503, 504, "
                                "connection errors and timeouts."),
        th.Property("backoff_factor", th.NumberType(minimum=0), default=2,
                    description="Retry n waits backoff_factor * 2**(n-1) seconds, unless the "
                                "answer's Retry-After says otherwise."),
        th.Property("max_retry_wait", th.NumberType(minimum=0), default=int(MAX_RETRY_WAIT),
                    description="Longest wait in seconds before a retry: a backoff or quota "
                                "wait is cut to it, and an API asking (Retry-After) for a "
                                "longer wait ends the run at once."),
        th.Property("max_concurrency", th.IntegerType(minimum=1), default=concurrency,
                    description="Worker threads reading ahead (child partitions, the next "
                                "streams, pages where the page count is known); 1 reads "
                                "everything one after the other."),
        th.Property("max_requests_per_second", th.NumberType(minimum=0),
                    **rate_default,
                    description="Client-side limit on requests per second across all workers "
                                "(the long-run rate), to stay within the API's quota; 0 or "
                                "unset: no limit."),
        th.Property("rate_limit_window", th.NumberType(minimum=0), default=rate_window,
                    description="Seconds the rate limit counts over: up to "
                                "max_requests_per_second * rate_limit_window requests may go at "
                                "once, and never more in any such span (the API's quota "
                                "window)."),
        th.Property("skip_inaccessible", th.BooleanType, default=True,
                    description="Skip, with a warning, a partition (one course, one project...) "
                                "that answers 403 or 404, and a stream that answers 403, instead "
                                "of failing the run; false: fail on them."),
        th.Property("emit_activate_version_messages", th.BooleanType, default=False,
                    description="Send ACTIVATE_VERSION before each full-table stream (rosters, "
                                "lists), so a target that handles it (target-postgres) removes "
                                "the rows the source no longer has; leave off when slices or "
                                "course/project lists load into one table."),
    ]
    return settings


def states_setting(name: str, param: str, states: list[str], default: str) -> th.Property:
    """A list of values out of an API's state names ``states``, sent as the repeated query
    parameter ``param``; ``default`` says what the API does when it is unset."""
    return th.Property(name, th.ArrayType(th.StringType(allowed_values=states)),
                       description=f"States to list (any of {', '.join(states)}), sent as "
                                   f"repeated {param}; unset: {default}.")


def start_date_setting(required: bool = False, description: str = "") -> th.Property:
    """The ``start_date`` setting (ISO 8601 date or date-time, UTC)."""
    return th.Property("start_date", th.DateTimeType, required=required,
                       description=description or "Earliest record time to sync (ISO 8601).")


class SuiteTap(TapSeams):
    """A Singer tap of the suite; subclasses set ``name``, ``config_jsonschema``,
    ``stream_types`` and ``auth``."""

    stream_types: ClassVar[list[type]] = []
    #: Builds the authenticator: an OAuth authenticator class, or :class:`HTTPBasicAuth`,
    #: :class:`HeaderKeyAuth` with the settings they read.
    auth: ClassVar[AuthFactory | None] = None
    message_writer_class = BufferedMsgSpecWriter
    #: Settings holding URLs, checked before any request.
    url_settings: ClassVar[tuple[str, ...]] = ("api_url", "token_url")

    @override
    def make_state_writer(self, sdk_writer: StateWriting) -> StateWriting:
        writer = self.message_writer
        if isinstance(writer, BufferedMsgSpecWriter):
            return EncodedStateWriter(writer)
        return sdk_writer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        watch_secrets(self)
        try:
            super().__init__(*args, **kwargs)
        except ConfigValidationError as exc:
            raise ConfigError(self._config_message(exc.errors)) from None
        if kwargs.get("validate_config", True):
            self.check_config()
        readable_logs(self.name, self.streams)

    # -- configuration -------------------------------------------------------------------------
    @classmethod
    def secret_keys(cls) -> set[str]:
        """Names of the settings marked secret."""
        return {k for k, v in cls.config_jsonschema.get("properties", {}).items()
                if v.get("secret") or v.get("writeOnly")}

    @property
    def secret_values(self) -> list[str]:
        """The values of the secret settings (and live tokens), never to be printed."""
        config = self.__dict__.get("_config") or {}
        values = [str(config[k]) for k in self.secret_keys() if config.get(k)]
        return values + wire_forms(self.__dict__.get("authenticator"))

    def _config_message(self, errors: list[str]) -> str:
        msgs = [redact(e, self.secret_values) for e in errors]
        return (f"{self.name}: invalid config: {'; '.join(msgs)}. Fix the config file "
                f"(or {self.name.upper().replace('-', '_')}_* variables) and run again.")

    @classmethod
    @override
    def env_config(cls) -> dict[str, Any]:
        """Settings from ``<TAP>_<SETTING>`` variables (``--config ENV``), numbers included."""
        schema = cls.config_jsonschema
        cls.append_builtin_config(schema)
        return environment_config(schema, cls._env_var_prefix)

    @override
    def prepare_config(self, config: dict[str, Any], *, raise_errors: bool) -> list[str]:
        """Secrets without pasted whitespace, numbers as ``int``/``float`` whatever form they
        came in (then the SDK validates)."""
        strip_secrets(config, self.secret_keys())
        schema = self.config_jsonschema
        self.append_builtin_config(schema)
        problems = coerce_numbers(config, schema)
        if problems and raise_errors:
            raise ConfigError(self._config_message(problems))
        return problems

    def check_config(self) -> None:
        """Checks JSON Schema cannot express (well-formed URLs, dates, header values), before
        any request; subclasses add their own."""
        problems = []
        for key in self.url_settings:
            problems += url_problems(key, self.config.get(key), query_allowed=key != "api_url")
        problems += header_problems("user_agent", self.config.get("user_agent"))
        problems += date_problems(self.config, self.config_jsonschema)
        problems += secret_problems(self.config, self.secret_keys())
        problems += scope_problems(self.config, self.config_jsonschema, self.stream_types)
        problems += self.extra_config_problems()
        if problems:
            raise ConfigError(self._config_message(problems))

    def extra_config_problems(self) -> list[str]:
        """Tap-specific config problems, one sentence each."""
        return []

    # -- shared by all streams -----------------------------------------------------------------
    @cached_property
    def default_user_agent(self) -> str:
        try:
            version = metadata.version(self.name)  # each tap is a distribution of its own
        except metadata.PackageNotFoundError:  # pragma: no cover
            version = "0.0.0"
        return f"{self.name}/{version} (+{PROJECT_URL})"

    @cached_property
    def http_session(self) -> requests.Session:
        """The tap's keep-alive HTTP session, with a connection per worker, talking only to the
        origin of ``api_url`` (see :mod:`tapkit.transport`)."""
        session = guarded_session(self.allowed_origins("api_url"),
                                  pool_size=int(self.config.get("max_concurrency", 8)) + 2)
        # requests reads the proxy variables of the whole environment on every request; with
        # none set there is nothing to find, so skip that walk (proxies still work when set)
        session.trust_env = any(k.lower().endswith("_proxy") for k in os.environ)
        return session

    def allowed_origins(self, *settings: str) -> dict[str, str]:
        """The URLs of ``settings`` (placeholders such as ``{account_id}`` filled), to their
        setting's name: the only origins that get the tap's credentials."""
        return {setting_url(str(self.config[k]), self.config): k for k in settings
                if self.config.get(k)}

    @cached_property
    def prefetcher(self) -> Prefetcher:
        """The run's read-ahead pool: child partitions, next streams, pages (tapkit.concurrency)."""
        return Prefetcher(int(self.config.get("max_concurrency", 1)))

    @cached_property
    def access(self) -> AccessReport:
        """The run's partial-access bookkeeping (tapkit.access)."""
        return access_report_for(self.config)

    @cached_property
    def rate_limiter(self) -> RateLimiter:
        return RateLimiter(float(self.config.get("max_requests_per_second") or 0),
                           float(self.config.get("rate_limit_window") or 1))

    @cached_property
    def authenticator(self) -> Any:
        """One authenticator per tap instance (built by ``auth``), shared by its streams and
        their threads."""
        if self.auth is None:
            raise NotImplementedError(f"{type(self).__name__} declares no 'auth'")
        return self.auth.from_config(self.config, **self.retry_settings())

    @property
    def sync_started_at(self) -> datetime:
        """The moment this run started (UTC): the default end of every time window."""
        return datetime.fromtimestamp(self.initialized_at / 1000, tz=timezone.utc)

    def retry_settings(self) -> dict[str, Any]:
        """Keyword arguments that carry the retry and timeout settings into an authenticator."""
        return {"timeout": int(self.config.get("request_timeout", 60)),
                "max_retries": int(self.config.get("max_retries", 3)),
                "backoff_factor": float(self.config.get("backoff_factor", 2)),
                "max_retry_wait": self.max_retry_wait,
                "allowed": self.allowed_origins("token_url"),
                "user_agent": self.config.get("user_agent") or self.default_user_agent}

    @property
    def max_retry_wait(self) -> float:
        return float(self.config.get("max_retry_wait", MAX_RETRY_WAIT))

    def retry_policy(self, server_wait: ServerWait, quota_wait: QuotaWait | None
                     ) -> RetryPolicy:
        """How a stream with these waits retries, under the retry settings."""
        return RetryPolicy(max_retries=int(self.config.get("max_retries", 3)),
                           backoff_factor=float(self.config.get("backoff_factor", 2)),
                           max_wait=self.max_retry_wait, server_wait=server_wait,
                           quota_wait=quota_wait)

    @override
    def discover_streams(self) -> list:
        return [stream_type(tap=self) for stream_type in self.stream_types]

    @override
    def start_sync(self) -> None:
        """A whole run starts: a fresh worker pool (one a failed earlier sync left is stopped)
        that may read the next streams ahead."""
        self.__dict__.pop("prefetcher", Prefetcher(1)).shutdown()
        self.prefetcher.whole_run = True

    def finish_sync(self) -> None:
        """After the SDK synced every stream (called from the last stream's
        ``log_sync_costs``): report partial access, write the STATE, write out what is still
        buffered, stop the worker pool. A new pool and access report serve the next sync."""
        if summary := self.access.summary():
            self.logger.warning("%s", summary)
        self.write_state()  # a child stream's last STATE may have been held (state_message_due)
        self.flush_output()
        self.__dict__.pop("prefetcher", Prefetcher(1)).shutdown()
        self.__dict__.pop("access", None)

    def flush_output(self) -> None:
        """Write out whatever output the tap's writer still buffers."""
        writer = self.message_writer
        if isinstance(writer, BufferedMsgSpecWriter):
            writer.flush()

    @override
    def load_state(self, state: dict[str, Any]) -> None:
        """Refuse a state this tap cannot resume from; warn about bookmarks in the future."""
        try:
            check_state(state, bookmark_streams(self.stream_types), self.logger)
        except StateError as exc:
            raise StateError(f"{self.name}: {exc}") from None
        super().load_state(state)
        prune_parents(cast(dict, self.state), self.stream_types, self.config)

    @override
    def on_signal(self, signum: int) -> None:
        """On SIGTERM/SIGINT: once the block being written is out (never in the middle of a
        line), write the last STATE and exit non-zero (the run did not finish). A second signal
        while that block is still being written stops at once."""

        def stop() -> NoReturn:
            try:
                self.write_state()
                flush_all()
            finally:
                self.logger.warning("Stopped by signal %d before the sync finished", signum)
                sys.stderr.flush()
                # at once: worker threads may be waiting on answers or backing off
                os._exit(128 + signum)

        writer = self.message_writer
        if self.__dict__.get("_stopping") or not isinstance(writer, BufferedMsgSpecWriter):
            stop()
        self._stopping = True
        writer.request_stop(stop)

    # -- command line ----------------------------------------------------------------------------
    @classmethod
    @override
    def get_singer_command(cls) -> click.Command:
        """The SDK's command, ending every failure with one line (see :mod:`tapkit.cli`)."""
        command = super().get_singer_command()
        command.__class__ = SuiteCommand  # the SDK builds a SingerCommand; same fields
        return command

    @classmethod
    @override
    def cb_config(cls, ctx: click.Context, param: click.Option, value: tuple[str, ...]) -> Any:
        """``--config`` files must exist and hold JSON objects (``ENV`` reads the environment)."""
        for path in value:
            if path != "ENV" and (problem := file_problem(path)):
                raise ConfigError(f"{cls.name}: cannot use the config file {path!r}: {problem}")
        return super().cb_config(ctx, param, value)

    @classmethod
    @override
    def invoke(cls, *args: Any, **kwargs: Any) -> None:
        """Run the tap; a :class:`TapError` ends it with one line on stderr and exit code 1."""
        try:
            for what in ("state", "catalog"):
                if kwargs.get(what) is not None:
                    kwargs[what] = io.StringIO(cls._checked_json(kwargs[what], what))
            super().invoke(*args, **kwargs)
        except OutputError as exc:
            exit_with(cls.name, f"{cls.name}: {exc}")
        except TapError as exc:
            exit_with(cls.name, str(exc))

    @classmethod
    def _checked_json(cls, handle: Any, what: str) -> str:
        name = getattr(handle, "name", what)
        try:
            text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise StateError(f"{cls.name}: cannot read the {what} file {name!r}: {exc}") from None
        if problem := json_problem(text):
            error = StateError if what == "state" else ConfigError
            raise error(f"{cls.name}: invalid {what}: the file {name!r} cannot be used: "
                        f"{problem}") from None
        return text
