"""Issue 12, item 10: every number setting works as an integer, a float or a Decimal (the SDK
reads JSON numbers with a fraction as ``Decimal``) and from ``--config ENV``, where every value is
a string; a value that is no number is one line naming the setting, never a traceback."""

from __future__ import annotations

import pytest

from tests.helpers import run_tap
from tests.reliability.common import BY_NAME, assert_no_secrets, assert_one_clear_error, why

TAP = BY_NAME["tap-systeme"]
PREFIX = "TAP_SYSTEME_"


def env_of(config: dict) -> dict[str, str]:
    return {PREFIX + k.upper(): str(v) for k, v in config.items()}


def test_numbers_with_a_fraction_in_the_config_file(sandbox):
    config = TAP.config(max_requests_per_second=1000.5, backoff_factor=0.5,
                        request_timeout=30.0, max_retries=2.0, page_size=50.0)
    one = run_tap(TAP.name, config, timeout=120)
    assert one.returncode == 0, why(one)
    assert len(one.records["contacts"]) == len(sandbox.truth(TAP.prefix)["contacts"])


def test_every_setting_from_the_environment(sandbox):
    """``--config ENV`` alone: numbers, integers and strings all come as strings."""
    config = TAP.config(max_requests_per_second=1000.5, backoff_factor=0.5,
                        request_timeout=30, max_retries=2, page_size=50, max_concurrency=2)
    one = run_tap(TAP.name, {}, "--config", "ENV", env=env_of(config), timeout=120)
    assert one.returncode == 0, why(one)
    assert len(one.records["contacts"]) == len(sandbox.truth(TAP.prefix)["contacts"])
    requests = sandbox.requests(TAP.prefix)
    assert requests and all(r["query"].get("limit") == ["50"] for r in requests)


@pytest.mark.parametrize(("setting", "value", "words"), [
    ("page_size", "ten", ["'page_size'", "integer", "'ten'"]),
    ("page_size", "12.5", ["'page_size'", "integer"]),
    ("backoff_factor", "fast", ["'backoff_factor'", "number", "'fast'"]),
    ("max_requests_per_second", "nan", ["'max_requests_per_second'", "number"]),
])
def test_a_bad_number_from_the_environment_is_one_line_naming_the_setting(sandbox, setting,
                                                                         value, words):
    env = {**env_of(TAP.config()), PREFIX + setting.upper(): value}
    one = run_tap(TAP.name, {}, "--config", "ENV", env=env, timeout=120)
    assert_one_clear_error(one, *words)
    assert sandbox.stats()[TAP.prefix]["requests"] == 0
    assert_no_secrets([one.stdout, one.stderr], TAP.secrets())
