"""The SDK's standard tap, stream and attribute tests for tap-systeme, against the sandbox.

The catalog selects every stream, opt-in ``subscriptions`` too, so the stream tests cover it
(the SDK's dry run forces streams on but keeps the properties of an unselected one off).
"""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_systeme.tap import TapSysteme

CONFIG = tap_config("tap-systeme", os.environ["SANDBOX_URL"])


def everything_selected() -> dict:
    catalog = TapSysteme(config=CONFIG, validate_config=False).catalog_dict
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = True
    return catalog


TestTapSysteme = get_tap_test_class(TapSysteme, config=CONFIG, catalog=everything_selected())
