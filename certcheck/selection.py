"""Which findings a run keeps (``--select`` / ``--ignore``) and which it shows (``--min-severity``).

A pattern is a finding code (``pair.key_mismatch``) or a prefix of codes ending at a dot (``chain.``; ``chain``
means the same). A pattern that matches no known code is an error, so a typo in an ignore list never silently
turns a check off (zlint does the same).

When both lists match a code, the more specific pattern wins (the longer one; on a tie, ``ignore``):
``--ignore chain. --select chain.bad_signature`` keeps only chain.bad_signature of the chain codes. Without
``select`` every code is selected.

Two independent thresholds: ``Selection.apply`` drops the findings that are not selected (they count for
nothing, the exit status included); ``Selection.shown`` further drops, for display only, the findings below
``min_severity``. The exit threshold (``--fail-on``) is judged on ``apply``'s report, whatever is shown.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from certcheck.model import Finding, Severity
from certcheck.report import Report

__all__ = ["Selection", "SelectionError", "matches"]


class SelectionError(ValueError):
    """A pattern matches no known finding code."""


def _normal(pattern: str) -> str:
    return pattern.strip().lower()


def matches(pattern: str, code: str) -> bool:
    """True when ``pattern`` (a code, or a dotted prefix such as ``chain.`` or ``chain``) covers ``code``."""
    pattern = _normal(pattern)
    if code == pattern:
        return True
    prefix = pattern if pattern.endswith(".") else pattern + "."
    return code.startswith(prefix)


@dataclass(frozen=True)
class Selection:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    min_severity: Severity = Severity.INFO

    @classmethod
    def build(
        cls,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        min_severity: Severity | str = Severity.INFO,
        known: Iterable[str] | None = None,
        names: tuple[str, str] = ("--select", "--ignore"),
    ) -> Selection:
        """A checked selection: every pattern must match at least one of ``known`` (default: the catalogue).

        ``names`` are how errors name the two lists (a config file says ``ignore in certcheck.toml``)."""
        if known is None:
            from certcheck.codes import catalogue

            known = catalogue()
        codes = sorted(known)
        chosen = cls(tuple(_normal(p) for p in select), tuple(_normal(p) for p in ignore), Severity(min_severity))
        for option, patterns in zip(names, (chosen.select, chosen.ignore), strict=True):
            for pattern in patterns:
                if not pattern or not any(matches(pattern, code) for code in codes):
                    raise SelectionError(_unknown(option, pattern, codes))
        return chosen

    def wants(self, code: str) -> bool:
        """True when findings with ``code`` are kept."""
        best_select = max((len(p) for p in self.select if matches(p, code)), default=-1 if self.select else 0)
        best_ignore = max((len(p) for p in self.ignore if matches(p, code)), default=-1)
        return best_select > best_ignore

    def keeps(self, finding: Finding) -> bool:
        return self.wants(finding.code)

    def shows(self, finding: Finding) -> bool:
        return self.wants(finding.code) and finding.severity.rank >= self.min_severity.rank

    def apply(self, report: Report) -> Report:
        """The report with the findings that are not selected removed (what the exit status is judged on)."""
        if not self.select and not self.ignore:
            return report
        return dataclasses.replace(report, findings=tuple(f for f in report.findings if self.keeps(f)))

    def shown(self, report: Report) -> Report:
        """The report as displayed: selected findings at or above ``min_severity``."""
        if not self.select and not self.ignore and self.min_severity is Severity.INFO:
            return report
        return dataclasses.replace(report, findings=tuple(f for f in report.findings if self.shows(f)))


def _unknown(option: str, pattern: str, codes: list[str]) -> str:
    prefixes = sorted({code.split(".", 1)[0] + "." for code in codes})
    import difflib  # only to suggest a code for a typo: not worth its import on every start

    close = difflib.get_close_matches(pattern, codes + prefixes, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else f"; prefixes: {' '.join(prefixes)}"
    return f"{option}: {pattern!r} matches no finding code (see `certcheck rules`){hint}"
