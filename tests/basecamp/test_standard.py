"""The SDK's standard tap, stream and attribute tests for tap-basecamp, against the sandbox."""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_basecamp.tap import TapBasecamp

TestTapBasecamp = get_tap_test_class(
    TapBasecamp, config=tap_config("tap-basecamp", os.environ["SANDBOX_URL"]))
