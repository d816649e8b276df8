"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure): one test case per request.

A request fails its test case when a finding is at or above --fail-on; the failure lists those findings, and
every finding is in the case's ``system-out``. A case is named by the request's Name and where it came from.
The document needs its counts up front, so each case is rendered as its report arrives and only those small
strings are kept until ``end()``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from certcheck.model import Finding, shown
from certcheck.render import RenderOptions, field_message
from certcheck.report import Report

# What XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF), plus C1 controls and
# invisible format characters: shown as \xNN escapes.
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff\ufffe\uffff]"
)


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _text(text: str) -> str:
    return escape(_clean(text))


def _attr(text: str) -> str:
    return quoteattr(_clean(text), {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _line(finding: Finding) -> str:
    return f"{finding.severity.value} {finding.code}: {field_message(finding.field, finding.message)}"


def case_name(report: Report, number: int) -> str:
    """``Name (source)``: the request's Name (a pasted key shown redacted) and where it came from."""
    name = report.request.get("Name") if report.request is not None else None
    label = shown("Name", name) if name else f"request {number}"
    where = report.source
    if where is None:
        location = report.location("SignCert" if report.kind == "sm" else "Cert")
        where = location.path if location is not None else None
    return f"{label} ({where})" if where else label


class JunitFormat:
    def __init__(self, options: RenderOptions) -> None:
        self.fail_on = options.fail_on
        self.cases: list[str] = []
        self.failures = 0

    def begin(self) -> str:
        return ""

    def report(self, report: Report) -> str:
        number = len(self.cases) + 1
        attrs = f"classname={_attr('certcheck')} name={_attr(case_name(report, number))}"
        location = report.location("SignCert" if report.kind == "sm" else "Cert")
        if location is not None:
            attrs += f" file={_attr(location.path)}"
            if location.line is not None:
                attrs += f' line="{location.line}"'
        body = []
        if report.fails(self.fail_on):
            self.failures += 1
            assert self.fail_on is not None
            failing = [f for f in report.findings if f.severity.rank >= self.fail_on.rank]
            codes = ", ".join(dict.fromkeys(f.code for f in failing))
            message = f"{len(failing)} finding{'s' if len(failing) != 1 else ''} at or above {self.fail_on.value}: "
            body.append(
                f"      <failure type={_attr(failing[0].code)} message={_attr(message + codes)}>"
                + _text("\n".join(_line(f) for f in failing))
                + "</failure>"
            )
        if report.findings:
            body.append("      <system-out>" + _text("\n".join(_line(f) for f in report.findings)) + "</system-out>")
        if body:
            self.cases.append(f"    <testcase {attrs}>\n" + "\n".join(body) + "\n    </testcase>\n")
        else:
            self.cases.append(f"    <testcase {attrs}/>\n")
        return ""

    def end(self) -> str:
        counts = f'tests="{len(self.cases)}" failures="{self.failures}" errors="0" skipped="0"'
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="certcheck" {counts}>\n'
            f'  <testsuite name="certcheck" {counts}>\n' + "".join(self.cases) + "  </testsuite>\n</testsuites>\n"
        )
