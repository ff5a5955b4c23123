"""Reading settings: config and state files, numbers in any form, checks JSON Schema cannot do.

The SDK reads numbers in config files as ``Decimal`` and leaves number settings from the
environment (``--config ENV``) as strings (integers it converts with a bare ``int()``); here every
integer and number setting becomes an ``int`` or a ``float``, driven by the settings' JSON
Schema, and a value that is no number is one sentence naming the setting.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from dotenv import find_dotenv, load_dotenv

from tapkit.times import parse_time


def _kinds(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type", [])
    return ({kind} if isinstance(kind, str) else set(kind)) - {"null"}


def numeric_kind(schema: Mapping[str, Any]) -> str | None:
    """``"integer"`` or ``"number"`` for a setting that can only be a number, else ``None``."""
    kinds = _kinds(schema)
    if kinds == {"integer"}:
        return "integer"
    if kinds and kinds <= {"integer", "number"}:
        return "number"
    return None


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def coerce_numbers(config: dict[str, Any], schema: Mapping[str, Any],
                   prefix: str = "") -> list[str]:
    """Turn every integer and number setting in ``config`` (also in nested objects) into an
    ``int`` or ``float``, in place; return the problems found, one sentence each."""
    problems = []
    for key, prop in (schema.get("properties") or {}).items():
        if key not in config or config[key] is None:
            continue
        value, name = config[key], f"{prefix}{key}"
        if isinstance(value, dict) and "properties" in prop:
            problems += coerce_numbers(value, prop, f"{name}.")
            continue
        kind = numeric_kind(prop)
        if kind is None:
            continue
        number = _as_number(value)
        if number is None:
            shown = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
            problems.append(f"'{name}' must be {'an integer' if kind == 'integer' else 'a number'}"
                            f", got {shown[:60]}")
        elif kind == "integer":
            if number != number.to_integral_value():
                problems.append(f"'{name}' must be an integer (a whole number), got {value}")
            else:
                config[key] = int(number)
        else:
            config[key] = float(number)
    return problems


TRUTHY = ("true", "1", "yes", "on")
_logger = logging.getLogger(__name__)


def _types(schema: Mapping[str, Any]) -> set[str]:
    kinds = set()
    for option in schema.get("anyOf", [schema]):
        kind = option.get("type", []) if isinstance(option, Mapping) else []
        kinds |= {kind} if isinstance(kind, str) else set(kind)
    return kinds


def env_value(schema: Mapping[str, Any], text: str) -> Any:
    """A setting's value from its variable's text, read as its JSON Schema type says (as the
    SDK reads it: an array or object as JSON, an array of strings also as ``a,b,c``)."""
    kinds = _types(schema)
    if "integer" in kinds:
        try:
            return int(text)
        except ValueError:
            return text  # the config checks name the setting
    if "boolean" in kinds:
        return text.lower() in TRUTHY
    if "array" in kinds:
        try:
            return json.loads(text)
        except ValueError:
            if "string" not in _types(schema.get("items") or {}):
                raise
            _logger.warning("Parsing array of the form 'x,y,z' is deprecated and will be "
                            "removed in future versions.")
            return text.split(",")
    if "object" in kinds:
        return json.loads(text)
    return text


def environment_config(schema: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """Settings from ``<PREFIX><SETTING>`` variables (after loading a ``.env`` file, as the SDK
    does): numbers as the strings they are (for :func:`coerce_numbers`, whose errors name the
    setting), everything else by :func:`env_value`."""
    load_dotenv(find_dotenv(), override=True)
    config: dict[str, Any] = {}
    for key, prop in (schema.get("properties") or {}).items():
        variable = prefix + key.upper().replace("-", "_")
        if variable not in os.environ:
            continue
        text = os.environ[variable]
        _logger.info("Parsing '%s' config from env variable '%s'.", key, variable)
        config[key] = text if numeric_kind(prop) else env_value(prop, text)
    return config


def json_problem(text: str) -> str | None:
    """Why ``text`` is not a JSON object, or ``None`` if it is one."""
    try:
        value = json.loads(text)
    except RecursionError:
        return "its JSON is nested too deeply to read"
    except ValueError as exc:
        where = (f": line {exc.lineno} column {exc.colno}"
                 if isinstance(exc, json.JSONDecodeError) else "")
        return f"it is not valid JSON ({getattr(exc, 'msg', exc)}{where})"
    if not isinstance(value, dict):
        return f"it must hold a JSON object, not {type(value).__name__}"
    return None


def file_problem(path: str) -> str | None:
    """Why the JSON file at ``path`` cannot be read as an object, or ``None``."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return "there is no such file"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    except UnicodeDecodeError:
        return "it is not UTF-8 text"
    return json_problem(text)


def url_problems(key: str, value: Any, *, query_allowed: bool = True) -> list[str]:
    """A URL setting must be http(s) with a host and a valid port (and no query string where
    paths are appended to it)."""
    if not value:
        return []
    text = str(value)
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [f"'{key}' must be an http(s) URL like https://host/path, got {text!r}"]
    if parts.netloc.endswith(":"):
        return [f"'{key}' has an empty port (an unset variable?), got {text!r}"]
    try:
        parts.port  # noqa: B018  (raises on a port that is no number or out of range)
    except ValueError as exc:
        return [f"'{key}' has an invalid port ({exc}), got {text!r}"]
    if not query_allowed and (parts.query or parts.fragment or text.endswith(("?", "#"))):
        return [f"'{key}' must not have a query string or fragment (stream paths are appended "
                f"to it), got {text!r}"]
    if any(ord(c) < 33 or ord(c) == 127 for c in text):
        return [f"'{key}' must not contain spaces or control characters, got {text!r}"]
    return []


def header_problems(key: str, value: Any) -> list[str]:
    """A setting sent as an HTTP header value must be one line of printable text."""
    if value is None:
        return []
    text = str(value)
    if any((ord(c) < 32 and c != "\t") or ord(c) == 127 for c in text):
        return [f"'{key}' must be one line of printable text (it is sent as an HTTP header), "
                f"but it holds a line break or another control character"]
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return [f"'{key}' must be plain Latin-1 text (it is sent as an HTTP header), got "
                f"{text!r}"]
    return []


def date_problems(config: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    """Every ``date-time`` setting must be an ISO 8601 date or date-time, and ``end_date`` not
    before ``start_date``."""
    problems = []
    for key, prop in (schema.get("properties") or {}).items():
        value = config.get(key)
        if value is None or prop.get("format") != "date-time":
            continue
        try:
            parse_time(value)
        except (TypeError, ValueError):
            problems.append(f"'{key}' must be an ISO 8601 date-time like 2024-01-01T00:00:00Z, "
                            f"got {value!r}")
    if not problems and config.get("start_date") and config.get("end_date") and parse_time(
            config["end_date"]) < parse_time(config["start_date"]):
        problems.append("'end_date' must not be earlier than 'start_date'")
    return problems
