"""The SDK's standard tap, stream and attribute tests for every tap of the registry, against the
session sandbox: one test class per tap (``TestTapClassroom``, ...).

A tap with opt-in streams (systeme's ``subscriptions``) gets a catalog selecting every stream,
so the stream tests cover them too (the SDK's dry run forces streams on but keeps the properties
of an unselected one off); the others keep their default catalog.
"""

from __future__ import annotations

import os
from typing import Any

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from taps.registry import TAPS
from tests.helpers import tap_class


def everything_selected(cls: Any, config: dict) -> dict | None:
    """A catalog selecting every stream, or ``None`` when that is the default one."""
    catalog = cls(config=config, validate_config=False).catalog_dict
    roots = [item["metadata"] for entry in catalog["streams"] for item in entry["metadata"]
             if item["breadcrumb"] == []]
    if all(meta.get("selected-by-default", True) for meta in roots):
        return None
    for meta in roots:
        meta["selected"] = True
    return catalog


for _tap in TAPS:
    _cls = tap_class(_tap.name)
    _config = tap_config(_tap.name, os.environ["SANDBOX_URL"])
    globals()[f"Test{_cls.__name__}"] = get_tap_test_class(
        _cls, config=_config, catalog=everything_selected(_cls, _config))
