"""``certcheck config``: show which config file applies and what it sets; ``--example`` prints a starting point."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from certcheck.cli._common import EXIT_OK, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    config = sub.add_parser(
        "config",
        help="show the config file in effect, or print an example one",
        description="Show which config file applies here (certcheck.toml, or [tool.certcheck] in pyproject.toml, "
        "found from the working directory upwards) and the settings it makes.",
        epilog="examples:\n  certcheck config --example > certcheck.toml\n  certcheck config",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    config.add_argument("--example", action="store_true", help="print a commented example certcheck.toml")
    config.add_argument("--config", metavar="FILE", help="check this file instead of looking for one")
    config.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from certcheck.config import EXAMPLE, ConfigError, find_config, load_config

    if args.example:
        sys.stdout.write(EXAMPLE)
        return EXIT_OK
    path = Path(args.config) if args.config else find_config()
    if path is None:
        print("no config file (certcheck.toml or [tool.certcheck] in pyproject.toml) from here upwards")
        return EXIT_OK
    try:
        config = load_config(path)
    except ConfigError as exc:
        raise UsageError(f"config {exc}") from None
    print(f"config file: {config.path}")
    for key, value in config.values.items():
        shown = list(value) if isinstance(value, tuple) else value
        print(f"  {key} = {shown!r}")
    if config.values:
        from certcheck.selection import Selection, SelectionError

        try:
            Selection.build(config.get("select", ()), config.get("ignore", ()), names=("select", "ignore"))
        except SelectionError as exc:
            raise UsageError(f"config {path}: {exc}") from None
    return EXIT_OK
