"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and any other SARIF consumer.

One run; one ``reportingDescriptor`` per finding code that occurs (summary, help, citation, a link to its section
of docs/codes.md, default level from its severity); one ``result`` per finding, located at the file the finding's
field came from (``Report.locations``), at the line of that file's first PEM block. Findings about a later block
of a chain still point at the file's first block: the parse stage does not keep block offsets.

Streamed: JSON members may come in any order, so the results are written as they come and the tool section
(whose rule list is only known at the end) closes the run.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from certcheck.model import Finding, Severity, shown
from certcheck.render import RenderOptions, field_message
from certcheck.report import Location, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
# GitHub shows "problem.severity" (error, warning, recommendation) for non-security alerts.
PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}
_INDENT = " " * 8


def artifact_location(path: str) -> dict[str, str]:
    """A relative path stays relative to the checkout (%SRCROOT%, what code scanning expects); an absolute one
    becomes a file URI."""
    if PurePosixPath(path).is_absolute():
        return {"uri": "file://" + quote(path)}
    if PureWindowsPath(path).is_absolute():
        return {"uri": "file:///" + quote(PureWindowsPath(path).as_posix())}
    return {"uri": quote(PurePosixPath(path.replace("\\", "/")).as_posix()), "uriBaseId": "%SRCROOT%"}


def _dumps(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + _INDENT)


class SarifFormat:
    def __init__(self, options: RenderOptions) -> None:
        self.rules: dict[str, int] = {}
        self.descriptors: list[dict[str, Any]] = []
        self.results = 0

    def begin(self) -> str:
        return (
            "{\n"
            f'  "$schema": "{SCHEMA}",\n'
            '  "version": "2.1.0",\n'
            '  "runs": [\n'
            "    {\n"
            '      "columnKind": "unicodeCodePoints",\n'
            '      "results": ['
        )

    def report(self, report: Report) -> str:
        parts = []
        for finding in report.findings:
            result = self._result(report, finding)
            parts.append(("\n" if self.results == 0 else ",\n") + _INDENT + _dumps(result))
            self.results += 1
        return "".join(parts)

    def end(self) -> str:
        import certcheck
        from certcheck.codes import PROJECT_URL

        driver = {
            "name": "certcheck",
            "version": certcheck.__version__,
            "semanticVersion": certcheck.__version__,
            "informationUri": PROJECT_URL,
            "rules": self.descriptors,
        }
        tool = json.dumps({"driver": driver}, indent=2, ensure_ascii=False).replace("\n", "\n      ")
        closing = "\n      ]" if self.results else "]"
        return f'{closing},\n      "tool": {tool}\n    }}\n  ]\n}}\n'

    def _rule_index(self, finding: Finding) -> int:
        index = self.rules.get(finding.code)
        if index is None:
            index = self.rules[finding.code] = len(self.descriptors)
            self.descriptors.append(descriptor(finding.code, finding.severity))
        return index

    def _result(self, report: Report, finding: Finding) -> dict[str, Any]:
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "ruleIndex": self._rule_index(finding),
            "level": LEVELS[finding.severity],
            "message": {"text": field_message(finding.field, finding.message)},
        }
        location = report.location(finding.field)
        if location is not None:
            result["locations"] = [_location(location)]
        properties: dict[str, Any] = {}
        if finding.field:
            properties["field"] = finding.field
        if report.source is not None:
            properties["source"] = report.source
        name = report.request.get("Name") if report.request is not None else None
        if name:
            properties["requestName"] = shown("Name", name)
        if properties:
            result["properties"] = properties
        return result


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": artifact_location(location.path)}
    physical["region"] = {"startLine": location.line or 1}
    return {"physicalLocation": physical}


def descriptor(code: str, severity: Severity) -> dict[str, Any]:
    """The reportingDescriptor of one finding code, from its declaration."""
    from certcheck.codes import catalogue, doc_url

    declared = catalogue().get(code)
    summary = declared.summary if declared else code
    level = LEVELS[declared.severity if declared else severity]
    help_text = summary
    markdown = f"**{summary}**"
    if declared and declared.trigger:
        markdown += f"\n\nTriggered by: {declared.trigger}"
        help_text += f" Triggered by: {declared.trigger}"
    if declared and declared.fix:
        markdown += f"\n\nFix: {declared.fix}"
        help_text += f" Fix: {declared.fix}"
    if declared:
        markdown += f"\n\nSource: {declared.citation}"
    markdown += f"\n\n[{code} in certcheck's finding codes]({doc_url(code)})"
    properties: dict[str, Any] = {
        "tags": [code.split(".", 1)[0]],
        "problem.severity": PROBLEM_SEVERITY[declared.severity if declared else severity],
    }
    if declared:
        properties["citation"] = declared.citation
    return {
        "id": code,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary} {declared.trigger}".strip() if declared else summary},
        "help": {"text": help_text, "markdown": markdown},
        "helpUri": doc_url(code),
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }
