"""The rules, one module per concern. Importing this package registers them all, in report order."""

from certcheck.rules import (  # noqa: F401, I001  (imported to register their rules, in this order)
    fields,
    algorithm,
    name,
    tags,
    resource_group,
    key,
    pair,
    chain,
    validity,
    strength,
    sm,
    estate,
)
from certcheck.rules.engine import RULES, Context, Rule, rule, run_rules

__all__ = ["RULES", "Context", "Rule", "rule", "run_rules"]
