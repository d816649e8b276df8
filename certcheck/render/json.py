"""``--format json``: the documented object (README, "JSON output"). Keys are redacted by Report.as_dict."""

from __future__ import annotations

import json

from certcheck.report import Report


def render_json(report: Report, colour: bool = False) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n"
