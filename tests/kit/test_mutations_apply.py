"""``make mutations`` stays runnable: every named mutation still finds its text exactly once in
the file it mutates, and the tests meant to catch it exist (the kit moved once under it)."""

from __future__ import annotations

import pytest

from tests.mutations import MUTATIONS, ROOT


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.name)
def test_the_mutation_applies_and_its_tests_exist(mutation):
    assert (ROOT / mutation.path).read_text().count(mutation.old) == 1, mutation.path
    for test in mutation.tests:
        assert (ROOT / test.split("::")[0]).is_file(), test
