"""The rules, one module per concern, named after the first part of the codes they raise: ``pem.truncated`` is
declared and reported in ``rules/pem.py``, ``chain.out_of_order`` in ``rules/chain.py``.

``RULES`` is the report order, declared here and nowhere else. Rules never import each other: what several of
them need is a fact of ``Documents`` (``certcheck/documents``), computed once at parse.
"""

from __future__ import annotations

from collections.abc import Iterable

from certcheck.documents import Kind
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
from certcheck.rules.engine import Context, Rule, parse_crashes, reporter, rule, run, run_applicable

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
    chain.issuers_are_cas,
    cert.extensions,
    validity.dates,
    strength.strength,
    # SM2 dual certificates (SM requests only)
    sm.shape,
    sm.roles,
    sm.issuers_and_subjects,
)


# The rules that apply to each request kind, in report order: chosen once per kind, not per rule per request.
# Kept with the RULES tuple they were chosen from, so a RULES replaced at run time (tests, plugins) starts afresh.
_applicable: tuple[tuple[Rule, ...], dict[Kind | None, tuple[Rule, ...]]] = ((), {})


def run_rules(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    """Run ``rules`` (default: every rule, in report order) on one request."""
    global _applicable
    if rules is not None:
        return run(ctx, rules)
    kind = ctx.docs.kind
    chosen_from, by_kind = _applicable
    if chosen_from is not RULES:
        chosen_from, by_kind = _applicable = (RULES, {})
    applicable = by_kind.get(kind)
    if applicable is None:
        applicable = by_kind[kind] = tuple(r for r in RULES if r.applies(kind))
    return run_applicable(ctx, applicable)
