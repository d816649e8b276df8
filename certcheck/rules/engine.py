"""The rule engine: each rule is a pure function of the Context that declares the codes it can raise.

A rule that raises becomes a ``rule.crashed`` finding for that request (the pkilint way): one broken rule never
takes the whole report down. A rule yielding a code it did not declare is a bug the test suite catches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from certcheck.codes import RULE_CRASHED, Code
from certcheck.documents import Documents
from certcheck.model import Finding
from certcheck.profiles import Profile

__all__ = ["RULES", "Context", "Rule", "rule", "run_rules"]


@dataclass(frozen=True)
class Context:
    """All a rule may look at: no I/O, no clock of its own, no globals."""

    docs: Documents
    profile: Profile
    at: datetime
    expiry_warning: timedelta


Check = Callable[[Context], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    name: str  # the module's concern and function, e.g. "chain.order"
    summary: str
    codes: tuple[Code, ...]
    check: Check


RULES: list[Rule] = []


def rule(*codes: Code) -> Callable[[Check], Check]:
    """Register a check function as a rule raising ``codes``; its docstring's first line is its summary."""

    def register(check: Check) -> Check:
        module = check.__module__.rsplit(".", 1)[-1]
        summary = (check.__doc__ or "").strip().splitlines()[0] if check.__doc__ else check.__name__
        RULES.append(Rule(f"{module}.{check.__name__}", summary, codes, check))
        return check

    return register


def run_rules(ctx: Context, rules: Iterable[Rule] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    for each in RULES if rules is None else rules:
        try:
            findings.extend(each.check(ctx))
        except Exception as exc:  # any crash becomes a finding, by design
            # Only the exception's type: its message could quote key material.
            findings.append(
                RULE_CRASHED(
                    None,
                    f"rule {each.name} crashed ({type(exc).__name__}); the request "
                    "was not fully checked. Please report this with the input's shape.",
                )
            )
    return findings
