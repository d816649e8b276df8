"""The rules, one module per concern, named after the first part of the codes they raise: ``pem.truncated`` is
declared and reported in ``rules/pem.py``, ``chain.out_of_order`` in ``rules/chain.py``.

``RULES`` is the report order, declared here and nowhere else. Rules never import each other: what several of
them need is a fact of ``Documents`` (``certcheck/documents``), computed once at parse.
"""

from __future__ import annotations

from collections.abc import Iterable

from certcheck.model import Finding
from certcheck.rules import (  # noqa: F401  (bulk and source only declare codes: raised by certcheck.bulk)
    algorithm,
    bulk,
    cert,
    chain,
    fields,
    key,
    name,
    pair,
    pem,
    resource_group,
    sm,
    source,
    strength,
    tags,
    validity,
)
from certcheck.rules.engine import Context, Rule, parse_crashes, reporter, rule, run

__all__ = ["RULES", "Context", "Rule", "reporter", "rule", "run_rules"]

RULES: tuple[Rule, ...] = (
    # what the parse stage could not read, or repaired
    pem.armor,
    cert.readable,
    key.readable,
    parse_crashes,
    # the request's shape and text parameters
    fields.presence,
    sm.ignored,
    fields.sm2_in_standard_fields,
    fields.private_key_in_text,
    algorithm.supported,
    name.name,
    tags.tags,
    resource_group.shape,
    # keys, pairs, chains, dates, strength
    key.consistency,
    pair.key_belongs_to_leaf,
    chain.order_and_signatures,
    chain.expired_unneeded,
    validity.dates,
    strength.strength,
    # SM2 dual certificates (SM requests only)
    sm.shape,
    sm.roles,
    sm.issuers_and_subjects,
)


def run_rules(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Run ``rules`` (default: every rule, in report order) on one request."""
    return run(ctx, RULES if rules is None else rules)
