"""The SDK's standard tap, stream and attribute tests for tap-classroom, against the sandbox."""

from __future__ import annotations

import os

from singer_sdk.testing import get_tap_test_class

from sandbox.credentials import tap_config
from tap_classroom.tap import TapClassroom

TestTapClassroom = get_tap_test_class(
    TapClassroom, config=tap_config("tap-classroom", os.environ["SANDBOX_URL"]))
