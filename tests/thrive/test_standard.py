"""The SDK's standard tap, stream and attribute tests for tap-thrive, against the sandbox."""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_thrive.tap import TapThrive

TestTapThrive = get_tap_test_class(TapThrive, config=tap_config("tap-thrive",
                                                                os.environ["SANDBOX_URL"]))
