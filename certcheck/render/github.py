"""``--format github``: GitHub Actions workflow commands, one annotation per finding.

    ::error file=certs/site.pem,line=1,title=pair.key_mismatch::Key: The private key does not belong ...

``error`` / ``warning`` / ``notice`` follow the severity. Escaped as the Actions runner unescapes them: in the
message ``%`` -> ``%25``, CR -> ``%0D``, LF -> ``%0A``; in properties (file, title) also ``:`` -> ``%3A`` and
``,`` -> ``%2C``. Other control characters (ANSI escapes in a pasted Name) are shown as ``\\xNN`` so they cannot
repaint the log.
"""

from __future__ import annotations

import re

from certcheck.model import Finding, Severity
from certcheck.render import RenderOptions, field_message
from certcheck.report import Report

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# Control characters except CR and LF (which the escaping below encodes), bidi and invisible format characters.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def escape_data(text: str) -> str:
    return _visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormat:
    def __init__(self, options: RenderOptions) -> None:
        pass

    def begin(self) -> str:
        return ""

    def report(self, report: Report) -> str:
        return "".join(annotation(report, finding) for finding in report.findings)

    def end(self) -> str:
        return ""


def annotation(report: Report, finding: Finding) -> str:
    properties = []
    location = report.location(finding.field)
    if location is not None:
        properties.append(f"file={escape_property(location.path)}")
        if location.line is not None:
            properties.append(f"line={location.line}")
    properties.append(f"title={escape_property(finding.code)}")
    where = f"{report.source}: " if report.source is not None and location is None else ""
    text = where + field_message(finding.field, finding.message)
    return f"::{COMMANDS[finding.severity]} {','.join(properties)}::{escape_data(text)}\n"
