"""``certcheck adapters``: the upload adapters installed (entry-point group ``certcheck.adapters``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from certcheck.cli._common import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    adapters = sub.add_parser(
        "adapters",
        help="list the upload adapters installed",
        description="List the upload adapters `certcheck upload --adapter NAME` can use.",
    )
    adapters.add_argument("--format", choices=("text", "json"), default="text")
    adapters.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from certcheck.upload.protocol import available_adapters, load_factory

    rows: list[dict[str, str]] = []
    for info in available_adapters().values():
        status = "available"
        try:
            factory = load_factory(info.name)
            check = getattr(factory, "unavailable", None)
            problem = check() if callable(check) else None
            if problem:
                status = f"not usable: {problem}"
        except Exception as exc:  # a broken third-party package must not break the listing
            status = f"cannot be loaded ({type(exc).__name__}: {exc})"
        rows.append({"name": info.name, "target": info.target, "package": info.distribution or "", "status": status})
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        origin = f"from {row['package']}" if row["package"] else "built in"
        print(f"{row['name']:<{width}}  {row['status']}  ({row['target']}, {origin})")
    return EXIT_OK
