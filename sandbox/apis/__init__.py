"""The fake APIs: every ``FakeAPI`` subclass in this package, each served under its prefix."""

from __future__ import annotations

import importlib
import pkgutil

from sandbox.apis.base import FakeAPI

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

API_TYPES: list[type[FakeAPI]] = sorted(
    (cls for cls in FakeAPI.__subclasses__() if cls.prefix), key=lambda cls: cls.prefix)
