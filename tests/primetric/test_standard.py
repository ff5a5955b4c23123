"""The SDK's standard tap, stream and attribute tests, against the session sandbox."""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_primetric.tap import TapPrimetric

TestTapPrimetric = get_tap_test_class(
    TapPrimetric, config=tap_config("tap-primetric", os.environ["SANDBOX_URL"]))
