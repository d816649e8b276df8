"""Output formats. Every format renders a *stream* of reports, so one request and a million share one code path.

The protocol (``Format``): a format is an object made for one output by ``open_format(name, options)``, with
three methods that each return the text to write, in order:

    fmt = open_format("sarif", RenderOptions(fail_on=Severity.ERROR))
    out.write(fmt.begin())          # once: a header (SARIF's opening, a JSON array's "[")
    for report in reports:          # any number of reports, each written as soon as it is rendered
        out.write(fmt.report(report))
    out.write(fmt.end())            # once: a trailer (SARIF's rule descriptors, JUnit's whole document)

Formats stream wherever the format allows it (text, json, jsonl, github and sarif write each report's part at
once); a format whose document needs counts up front (junit) keeps only the small rendered test cases, never
the reports. ``render(name, report, options)`` is the one-report convenience that `certcheck check` uses.

``RenderOptions``:
- ``colour``: ANSI colour (text only);
- ``fail_on``: the --fail-on threshold (None: never); junit marks a test case failed at or above it;
- ``single``: the stream holds exactly one report (`check`): ``json`` then prints one object, otherwise an array.

What a format may show: findings (code, severity, field, message), ``report.source``, ``report.locations`` (the
files fields came from, see ``certcheck.report.Location``), and ``report.request.redacted()``: never a raw
request field, so no private key reaches any output (a key pasted into Name is shown by ``model.shown``).

Add a format by adding a factory to ``RENDERERS``. Formats: text, json, jsonl, sarif, junit, github.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, TextIO

from certcheck.model import Severity
from certcheck.report import Report

__all__ = [
    "FORMATS",
    "RENDERERS",
    "Format",
    "RenderOptions",
    "field_message",
    "open_format",
    "render",
    "render_stream",
]


@dataclass(frozen=True)
class RenderOptions:
    colour: bool = False
    fail_on: Severity | None = Severity.ERROR
    single: bool = False


class Format(Protocol):
    def begin(self) -> str: ...

    def report(self, report: Report) -> str: ...

    def end(self) -> str: ...


def field_message(field: str | None, message: str) -> str:
    """A finding's message led by its field (``Key: ...``) unless the message already names it first."""
    if not field or message.startswith(field):
        return message
    return f"{field}: {message}"


def _text(options: RenderOptions) -> Format:
    from certcheck.render.text import TextFormat

    return TextFormat(options)


def _json(options: RenderOptions) -> Format:
    from certcheck.render.json import JsonFormat

    return JsonFormat(options)


def _jsonl(options: RenderOptions) -> Format:
    from certcheck.render.json import JsonLinesFormat

    return JsonLinesFormat(options)


def _sarif(options: RenderOptions) -> Format:
    from certcheck.render.sarif import SarifFormat

    return SarifFormat(options)


def _junit(options: RenderOptions) -> Format:
    from certcheck.render.junit import JunitFormat

    return JunitFormat(options)


def _github(options: RenderOptions) -> Format:
    from certcheck.render.github import GithubFormat

    return GithubFormat(options)


# Factories, imported lazily: `certcheck check --format text` never loads the XML or SARIF code.
RENDERERS: dict[str, Callable[[RenderOptions], Format]] = {
    "text": _text,
    "json": _json,
    "jsonl": _jsonl,
    "sarif": _sarif,
    "junit": _junit,
    "github": _github,
}
FORMATS = tuple(RENDERERS)


def open_format(name: str, options: RenderOptions | None = None) -> Format:
    """A fresh format object for one output stream. Raises KeyError for an unknown name."""
    return RENDERERS[name](options or RenderOptions())


def render(name: str, report: Report, options: RenderOptions | None = None) -> str:
    """One report, whole: what `certcheck check` prints."""
    options = options or RenderOptions(single=True)
    fmt = open_format(name, options)
    return fmt.begin() + fmt.report(report) + fmt.end()


def render_stream(name: str, reports: Iterable[Report], out: TextIO, options: RenderOptions | None = None) -> None:
    """Many reports to ``out``, each written as soon as it is rendered."""
    fmt = open_format(name, options)
    out.write(fmt.begin())
    for report in reports:
        out.write(fmt.report(report))
    out.write(fmt.end())
