"""The rule catalog. Importing this package registers every rule module in it (REGISTRY)."""

import importlib
import pkgutil

from hv.rules.base import REGISTRY, Check, Context, Rule, select_rules

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "base":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["REGISTRY", "Check", "Context", "Rule", "select_rules"]
