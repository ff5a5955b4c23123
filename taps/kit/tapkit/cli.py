"""The command line: whatever goes wrong, the run ends with one line on stderr and exit code 1.

The SDK runs ``--config`` parsing, ``--discover`` and ``--test`` in click callbacks, before (and
outside) the tap's ``invoke``; :class:`SuiteCommand` wraps all of click's ``main``, so failures
there, click's usage errors and unexpected exceptions end the same way as a failed sync: one
ERROR line, no traceback (it is logged at DEBUG level, for ``--log-level debug`` style setups).
"""

from __future__ import annotations

import logging
import os
import sys
import weakref
from collections.abc import Iterable
from typing import Any, NoReturn, Protocol

import click
from singer_sdk.plugin_base import SingerCommand
from typing_extensions import override

from tapkit.errors import TapError, one_line, redact
from tapkit.writer import flush_all


class HasSecrets(Protocol):
    @property
    def secret_values(self) -> Iterable[str]: ...


#: The taps of this process, whose secrets no unexpected error message may show.
_taps: weakref.WeakSet[Any] = weakref.WeakSet()


def watch_secrets(tap: HasSecrets) -> None:
    """Mask ``tap``'s secret values in every line :func:`exit_with` prints."""
    _taps.add(tap)


def _secrets() -> list[str]:
    values: list[str] = []
    for tap in list(_taps):
        try:
            values += list(tap.secret_values)
        except Exception:
            continue
    return values


def exit_with(logger_name: str, message: str, code: int = 1) -> NoReturn:
    """Log ``message`` as the run's one ERROR line, write out what is buffered, and exit at once
    (worker threads may still be waiting on answers or backing off)."""
    logging.getLogger(logger_name).error("%s", redact(message, _secrets()))
    flush_all()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


class SuiteCommand(SingerCommand):
    """The SDK's command, with every failure turned into one line."""

    @override
    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             **extra: Any) -> NoReturn:
        name = self.name or "tap"
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except TapError as exc:
            exit_with(name, str(exc))
        except click.ClickException as exc:
            exit_with(name, f"{name}: {one_line(exc.format_message())} (see {name} --help)",
                      exc.exit_code or 1)
        except (click.Abort, KeyboardInterrupt):
            exit_with(name, f"{name}: interrupted", 130)
        except RecursionError:
            exit_with(name, f"{name}: input nested too deeply to read (JSON deeper than the "
                            f"decoder allows)")
        except Exception as exc:
            logging.getLogger(name).debug("unexpected failure", exc_info=True)
            exit_with(name, f"{name}: unexpected {type(exc).__name__}: {one_line(str(exc), 300)}")
        sys.exit(code if isinstance(code, int) else 0)
