"""The ``certcheck`` command. Exit status: 0 clean, 1 findings (or failures) at/above --fail-on, 2 could not run.

One module per subcommand. Each has ``register(subparsers)``, which adds its parser and sets ``run`` (a function
of the parsed ``argparse.Namespace`` returning the exit status) as the parser's default. ``register`` must import
nothing heavy: every subcommand module is imported on every start, so `certcheck check` stays fast; a
subcommand imports what it needs inside its ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from certcheck.cli._common import EXIT_OK, EXIT_USAGE, UsageError
from certcheck.redaction import withhold

__all__ = ["SUBCOMMANDS", "main"]

# The subcommand modules under certcheck.cli, in the order `certcheck --help` lists them.
SUBCOMMANDS = ("check", "bulk", "upload", "journal", "adapters", "rules", "config", "emulator")

EPILOG = """\
examples:
  certcheck check --name example_com --cert fullchain.pem --key privkey.pem
  certcheck check --request request.json --format sarif > certcheck.sarif
  certcheck bulk /etc/letsencrypt/live --html estate.html
  certcheck upload --manifest requests.jsonl --journal upload.journal
  certcheck rules                  every finding code
  certcheck rules pair.key_mismatch
  certcheck config --example > certcheck.toml

exit status:
  0  nothing at or above --fail-on (default error)
  1  findings (or failures) at or above --fail-on
  2  the command could not run (bad flags, unreadable file, invalid config)

`certcheck COMMAND --help` shows each command's options.
"""


class _Parser(argparse.ArgumentParser):
    """argparse quotes a bad value in its error ("invalid choice: ..."): never when that value is a key."""

    _width: int | None = None  # the terminal's, less argparse's margin: asked once per parser

    def error(self, message: str) -> NoReturn:
        super().error(withhold(message))

    def _get_formatter(self) -> argparse.HelpFormatter:
        # argparse asks shutil for the terminal width each time it builds a formatter (once per flag), and
        # importing shutil brings bz2, lzma and zlib along: ~1.5 ms of every start. os answers alone, and once
        # per parser: asking for each of `check`'s 28 flags cost ~0.1 ms.
        if self._width is None:
            self._width = _terminal_width()
        return self.formatter_class(prog=self.prog, width=self._width)  # type: ignore[call-arg]


def _terminal_width() -> int:
    """What shutil.get_terminal_size() would say, minus argparse's margin of 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return (columns if columns > 0 else 80) - 2


def _chosen(argv: Sequence[str] | None) -> str | None:
    """The subcommand ``argv`` runs, when it names one (the first argument that is not an option)."""
    args = sys.argv[1:] if argv is None else argv
    first = next((a for a in args if not a.startswith("-")), None)
    return first if first in SUBCOMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    from certcheck import __version__

    parser = _Parser(
        prog="certcheck",
        description="Check certificate uploads for Alibaba Cloud's UploadUserCertificate API before they are sent.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"certcheck {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = _chosen(argv)
    for name in SUBCOMMANDS:
        # When argv names the subcommand to run, the others are not built: their flags would only cost
        # start-up time (~2 ms each, benchmarks/bench_startup.py). `certcheck --help` still lists them all.
        if chosen is None or name == chosen:
            importlib.import_module(f"certcheck.cli.{name}").register(sub)
    return parser


def _subparser(parser: argparse.ArgumentParser, command: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and command in action.choices:
            chosen: argparse.ArgumentParser = action.choices[command]
            return chosen
    return None


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Names and tags can hold anything (lone surrogates from JSON, text the terminal's encoding lacks):
        # escape what cannot be written rather than fail after the work is done.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad flags, 0 on --help: keep its code
        return int(exc.code or 0)
    if getattr(args, "debug", False):
        from certcheck.cli._common import enable_debug_log

        enable_debug_log()
    try:
        status: int = args.run(args)
        return status
    except UsageError as exc:
        # The subcommand's own usage, as argparse does for a bad flag: the user sees the flags that apply.
        command = getattr(args, "command", None)
        sub = _subparser(parser, command)
        message = withhold(str(exc))  # a usage error may quote a value given: never when it is a key
        if sub is not None:
            sub.print_usage(sys.stderr)
            print(f"{sub.prog}: error: {message}", file=sys.stderr)
        else:
            print(f"certcheck: {message}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a traceback; the type only, as a message might quote a key
        from certcheck._debug import log_crash

        log_crash(f"certcheck {getattr(args, 'command', '')}".strip(), exc)  # frames only, and only with --debug
        print(f"certcheck: internal error ({type(exc).__name__}); please report it", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
