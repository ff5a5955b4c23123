"""The SDK's standard tap, stream and attribute tests for tap-systeme, against the sandbox."""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_systeme.tap import TapSysteme

TestTapSysteme = get_tap_test_class(
    TapSysteme, config=tap_config("tap-systeme", os.environ["SANDBOX_URL"]))
