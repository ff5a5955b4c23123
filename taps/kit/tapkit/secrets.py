"""Secret settings as users paste them, and every form a secret takes on the wire.

A pasted ``api_key``, ``password``, ``client_secret`` or ``refresh_token`` often carries spaces or
a trailing newline: they are stripped before use. A secret with a line break or another control
character inside it cannot go into an HTTP header (``http.client`` would print it in its error):
the config is refused, naming the setting, never the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def strip_secrets(config: MutableMapping[str, Any], keys: Iterable[str]) -> None:
    """Strip surrounding whitespace from the string values of ``keys`` in ``config``."""
    for key in keys:
        value = config.get(key)
        if isinstance(value, str) and value != value.strip():
            config[key] = value.strip()


def secret_problems(config: Mapping[str, Any], keys: Iterable[str]) -> list[str]:
    """One sentence per secret setting that is empty or holds a control character."""
    problems = []
    for key in sorted(keys):
        value = config.get(key)
        if not isinstance(value, str) or key not in config:
            continue
        if not value:
            problems.append(f"'{key}' is empty")
        elif _CONTROL.search(value):
            problems.append(f"'{key}' holds a line break or another control character "
                            f"(value not shown); copy it again without them")
    return problems


def wire_forms(auth: Any) -> list[str]:
    """What an authenticator puts on the wire besides the settings themselves: its header values
    and their credentials without the scheme (the base64 of HTTP Basic's ``user:password``)."""
    forms = [str(s) for s in getattr(auth, "secrets", []) if s]
    for value in (getattr(auth, "auth_headers", None) or {}).values():
        text = str(value)
        forms += [text, text.split(" ", 1)[-1]]
    return [f for f in forms if f]
