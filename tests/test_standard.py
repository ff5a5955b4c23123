"""The SDK's standard tap, stream and attribute tests for every tap of the registry, against the
session sandbox: one test class per tap (``TestTapClassroom``, ...).

The catalog selects every stream, opt-in ones too (systeme's ``subscriptions``), so the stream
tests cover them (the SDK's dry run forces streams on but keeps the properties of an unselected
one off).
"""

from __future__ import annotations

import os
from typing import Any

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from taps.registry import TAPS
from tests.helpers import tap_class


def everything_selected(cls: Any, config: dict) -> dict:
    catalog = cls(config=config, validate_config=False).catalog_dict
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = True
    return catalog


for _tap in TAPS:
    _cls = tap_class(_tap.name)
    _config = tap_config(_tap.name, os.environ["SANDBOX_URL"])
    globals()[f"Test{_cls.__name__}"] = get_tap_test_class(
        _cls, config=_config, catalog=everything_selected(_cls, _config))
