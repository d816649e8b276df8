"""``--format text``: for people. Colour only when asked (a TTY without NO_COLOR)."""

from __future__ import annotations

import functools
import re

from certcheck.model import KEY_FIELDS, Severity
from certcheck.render import RenderOptions
from certcheck.report import Report


# Messages quote certificate names, tag keys and the like: text the user controls. A control character in it
# (a newline, an ANSI escape) could forge a finding line or repaint the terminal, so it is shown escaped.
@functools.cache
def _control() -> re.Pattern[str]:
    return re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _safe(text: str) -> str:
    if text.isascii() and text.isprintable():  # most messages: nothing to escape, no pattern to compile
        return text
    return _control().sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def render_text(report: Report, colour: bool = False) -> str:
    lines = []
    verdict = _paint("OK", "32;1", colour) if report.ok else _paint("FAIL", "31;1", colour)
    what = ", ".join(
        x for x in (f"{report.kind} request" if report.kind else "no request", report.algorithm or "") if x
    )
    counts = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s in Severity if (n := report.count(s)))
    source = f"{_safe(report.source)}: " if report.source else ""
    lines.append(f"{source}{verdict}  {what}" + (f"  ({counts})" if counts else ""))
    ordered = sorted(report.findings, key=lambda f: -f.severity.rank)
    width = max((len(f.code) for f in ordered), default=0)
    for finding in ordered:
        label = _paint(f"{finding.severity.value:<7}", _COLOURS[finding.severity], colour)
        lines.append(f"  {label} {finding.code:<{width}}  {_safe(finding.message)}")
    if report.request is not None:
        parts = []
        for name, value in report.request.redacted().items():
            if name == "Tags":
                parts.append(f"Tags={len(report.request.tags)}")
            elif name == "TagsNotShown":
                continue
            elif name in KEY_FIELDS or name in ("Name", "ResourceGroupId", "ClientToken"):
                parts.append(f"{name}={value}")
            else:
                parts.append(f"{name}={value.count('-----BEGIN ')} certificate(s)")
        lines.append("  request: " + _safe(", ".join(parts)))
    return "\n".join(lines) + "\n"


class TextFormat:
    """One block per report, as ``render_text`` draws it."""

    def __init__(self, options: RenderOptions) -> None:
        self.colour = options.colour

    def begin(self) -> str:
        return ""

    def report(self, report: Report) -> str:
        return render_text(report, self.colour)

    def end(self) -> str:
        return ""
