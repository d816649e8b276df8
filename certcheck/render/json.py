"""``--format json`` and ``--format jsonl``: the documented object (README, "JSON output"), keys redacted by
Report.as_dict. ``json`` prints one object for one report (`check`) and an array for a stream; ``jsonl`` one
compact object per line."""

from __future__ import annotations

import json

from certcheck.render import RenderOptions
from certcheck.report import Report


def render_json(report: Report, colour: bool = False) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"


class JsonFormat:
    def __init__(self, options: RenderOptions) -> None:
        self.single = options.single
        self.count = 0

    def begin(self) -> str:
        return "" if self.single else "["

    def report(self, report: Report) -> str:
        if self.single:
            return render_json(report)
        text = json.dumps(report.as_dict(), indent=2, ensure_ascii=False).replace("\n", "\n  ")
        self.count += 1
        return ("\n  " if self.count == 1 else ",\n  ") + text

    def end(self) -> str:
        if self.single:
            return ""
        return "\n]\n" if self.count else "]\n"


class JsonLinesFormat:
    def __init__(self, options: RenderOptions) -> None:
        pass

    def begin(self) -> str:
        return ""

    def report(self, report: Report) -> str:
        return json.dumps(report.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"

    def end(self) -> str:
        return ""
