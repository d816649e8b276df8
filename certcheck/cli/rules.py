"""``certcheck rules``: the catalogue of finding codes."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from certcheck.cli._common import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    rules = sub.add_parser("rules", help="list every finding code with its severity and source")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    rules.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from certcheck.codes import catalogue, catalogue_markdown

    codes = catalogue()
    if args.format == "markdown":
        sys.stdout.write(catalogue_markdown())
        return EXIT_OK
    if args.format == "json":
        rows = [
            {"code": c.code, "severity": c.severity.value, "summary": c.summary, "citation": c.citation}
            for c in codes.values()
        ]
        print(json.dumps(rows, indent=2))
    else:
        for c in codes.values():
            print(f"{c.code:<32} {c.severity.value:<8} {c.summary}")
    return EXIT_OK
