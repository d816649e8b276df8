"""The rule engine: each rule is a pure function of the Context that declares the codes it can raise.

Every finding comes from a rule, parse-level ones included: the parse stage records ``Problem`` facts with a
code, and a ``reporter`` rule that declares those codes turns them into findings. So one declaration (code,
severity, summary, citation) covers every code, and the test that rules raise only declared codes covers all.

A rule that raises becomes a ``rule.crashed`` finding for that request (the pkilint way): one broken rule never
takes the whole report down; its traceback goes to the debug log (``--debug``), never into the findings. A rule
that cannot apply to a request's kind (``kinds``) is not run at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta

from certcheck._debug import log_crash
from certcheck._record import Record
from certcheck.codes import RULE_CRASHED, Code
from certcheck.documents import Documents, Kind
from certcheck.model import Finding
from certcheck.profiles import Profile

__all__ = ["Context", "Rule", "reporter", "rule", "run", "run_applicable"]


class Context(Record):
    """All a rule may look at: no I/O, no clock of its own, no globals."""

    __slots__ = ("at", "docs", "expiry_warning", "profile")
    docs: Documents
    profile: Profile
    at: datetime
    expiry_warning: timedelta

    def __init__(self, docs: Documents, profile: Profile, at: datetime, expiry_warning: timedelta) -> None:
        init = object.__setattr__
        init(self, "docs", docs)
        init(self, "profile", profile)
        init(self, "at", at)
        init(self, "expiry_warning", expiry_warning)


Check = Callable[[Context], Iterable[Finding]]
Kinds = frozenset["Kind | None"]


class Rule(Record):
    __slots__ = ("check", "codes", "kinds", "name", "summary")
    name: str  # the module's concern and function, e.g. "chain.order_and_signatures"
    summary: str
    codes: tuple[Code, ...]
    check: Check
    kinds: Kinds | None  # the request kinds it can apply to; None: every request

    def __init__(
        self, name: str, summary: str, codes: tuple[Code, ...], check: Check, kinds: Kinds | None = None
    ) -> None:
        self._set(name=name, summary=summary, codes=codes, check=check, kinds=kinds)

    def applies(self, kind: Kind | None) -> bool:
        return self.kinds is None or kind in self.kinds


def rule(*codes: Code, kinds: Iterable[Kind | None] | None = None) -> Callable[[Check], Rule]:
    """Make a check function a rule raising ``codes``; its docstring's first line is its summary.

    The rule is listed, in report order, in ``certcheck/rules/__init__.py``.
    """

    def make(check: Check) -> Rule:
        module = check.__module__.rsplit(".", 1)[-1]
        summary = (check.__doc__ or "").strip().splitlines()[0] if check.__doc__ else check.__name__
        return Rule(f"{module}.{check.__name__}", summary, codes, check, None if kinds is None else frozenset(kinds))

    return make


def reporter(name: str, summary: str, *codes: Code) -> Rule:
    """A rule that reports the parse stage's problems carrying ``codes``, in the order they were found."""
    wanted = {c.code: c for c in codes}

    def check(ctx: Context) -> Iterator[Finding]:
        for problem in ctx.docs.problems:
            code = wanted.get(problem.code)
            if code is not None:
                yield code(problem.field, problem.message)

    return Rule(name, summary, codes, check)


# Reading a field crashed inside certcheck (documents.parse contained it to that field).
parse_crashes = reporter(
    "engine.parse_crashes", "A crash while reading one field is reported for that field.", RULE_CRASHED
)


def run(ctx: Context, rules: Iterable[Rule]) -> list[Finding]:
    """Run the rules that apply to the request's kind, in the order given."""
    kind = ctx.docs.kind
    return run_applicable(ctx, [each for each in rules if each.applies(kind)])


def run_applicable(ctx: Context, rules: Iterable[Rule]) -> list[Finding]:
    """Run ``rules``, already chosen for the request's kind; a crash in one becomes a rule.crashed finding."""
    findings: list[Finding] = []
    for each in rules:
        try:
            findings.extend(each.check(ctx))
        except Exception as exc:  # any crash becomes a finding, by design
            log_crash(f"rule {each.name}", exc)
            # Only the exception's type: its message could quote key material.
            findings.append(
                RULE_CRASHED(
                    None,
                    f"rule {each.name} crashed ({type(exc).__name__}); the request "
                    "was not fully checked. Please report this with the input's shape "
                    "(`certcheck check --debug` logs where it happened).",
                )
            )
    return findings
