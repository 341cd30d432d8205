"""The rule catalog. Importing this package registers every built-in rule in REGISTRY."""

from hv.rules import ids, imp  # noqa: F401
from hv.rules.base import REGISTRY, Check, Context, Rule

__all__ = ["REGISTRY", "Check", "Context", "Rule"]
