"""The fake APIs: every ``FakeAPI`` subclass in this package, each served under its prefix."""

from __future__ import annotations

import importlib
import pkgutil

from sandbox.apis.base import FakeAPI

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

def _all_subclasses(cls: type[FakeAPI]) -> list[type[FakeAPI]]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_all_subclasses(direct))]


API_TYPES: list[type[FakeAPI]] = sorted(
    (cls for cls in _all_subclasses(FakeAPI) if cls.prefix), key=lambda cls: cls.prefix)
