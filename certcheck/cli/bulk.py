"""``certcheck bulk SOURCE...``: check whole estates (directory trees, explicit files, JSONL manifests) on every core.

Exit status: 0 nothing at or above --fail-on, 1 some request failed, 2 the command could not run, 130 interrupted
(Ctrl-C: the workers are shut down and the summary so far is printed).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from certcheck.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    UsageError,
    add_color_flag,
    add_policy_flags,
    days,
    key_password,
    parse_at,
    resolve_policy,
    threshold,
    wants_colour,
)
from certcheck.cli.check import DEFAULTS, FORMATS  # bulk renders the same reports, with the same defaults

if TYPE_CHECKING:
    from certcheck.bulk import Result
    from certcheck.model import Severity
    from certcheck.report import Report

__all__ = ["EXIT_INTERRUPTED", "register", "run"]

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EPILOG = """\
examples:
  certcheck bulk /etc/letsencrypt/live
  certcheck bulk /etc/letsencrypt ~/.acme.sh /srv/tls --html estate.html
  certcheck bulk live/example.com/*.pem
  certcheck bulk export.jsonl --format jsonl > reports.jsonl
  certcheck bulk /srv/tls --scheduler tcp://scheduler:8786

exit status:
  0    no request with a finding at or above --fail-on (default error)
  1    at least one
  2    the command could not run (no such source, bad flag, unreachable scheduler)
  130  interrupted (Ctrl-C): the summary so far is printed
"""


def register(sub: Any) -> None:
    bulk = sub.add_parser(
        "bulk",
        help="check many requests: certbot/acme.sh/plain/SM directory trees, explicit files, JSONL manifests",
        description=(
            "Check every request found in SOURCEs: directories (walked for certbot live/<name>/, acme.sh "
            "<domain>[_ecc]/, SM sign/enc pairs, plain certificate + key pairs), certificate and key files "
            "(grouped by directory and base name), and JSONL manifests (*.jsonl). Each request gets a Name "
            "derived from its directory or file names (see README, 'Names in bulk runs')."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    bulk.add_argument("sources", nargs="+", metavar="SOURCE", help="a directory, a certificate/key file, or a .jsonl")
    bulk.add_argument(
        "--jobs", type=_jobs, default=None, metavar="N", help="worker processes (default: every core; 1: in process)"
    )
    bulk.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask cluster (needs certcheck[dask])")
    bulk.add_argument("--format", choices=FORMATS, help="output format (default text); jsonl: one object per line")
    bulk.add_argument("--html", metavar="FILE", help="also write the estate report, one self-contained HTML file")
    bulk.add_argument(
        "--profile", choices=("2025-11", "2024-07"), help="the API page to check against (default 2025-11)"
    )
    bulk.add_argument("--at", metavar="ISO-8601", help="judge validity at this time (default: now)")
    bulk.add_argument(
        "--expiry-warning-days",
        type=days,
        metavar="DAYS",
        help="warn when a certificate expires within DAYS (default 30)",
    )
    add_color_flag(bulk)
    add_policy_flags(bulk)
    bulk.add_argument(
        "--key-password-env",
        metavar="VAR",
        help="environment variable holding the passphrase of encrypted private keys",
    )
    bulk.add_argument("--batch-size", type=_jobs, default=None, metavar="N", help=argparse.SUPPRESS)
    bulk.set_defaults(run=run)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: at least 1")
    return value


@dataclass
class Summary:
    """What the end of a run says: counts, findings by code, the slowest request."""

    requests: int = 0
    passed: int = 0
    failed: int = 0
    unmatched: int = 0
    any_failed: bool = False  # a request, or a stray file under --fail-on warning
    by_code: Counter[str] = field(default_factory=Counter)
    slowest: tuple[float, str] = (0.0, "")
    started: float = field(default_factory=time.monotonic)

    def add(self, report: Report, seconds: float, threshold: Severity | None) -> None:
        self.by_code.update(f.code for f in report.findings)
        self.any_failed = self.any_failed or report.fails(threshold)
        if report.request is None and [f.code for f in report.findings] == ["source.unmatched"]:
            self.unmatched += 1
            return
        self.requests += 1
        if report.fails(threshold):
            self.failed += 1
        else:
            self.passed += 1
        if seconds > self.slowest[0]:
            self.slowest = (seconds, report.source or "")

    def lines(self, total: int | None, interrupted: bool, ignored: int) -> list[str]:
        elapsed = time.monotonic() - self.started
        rate = self.requests / elapsed if elapsed > 0 else 0.0
        head = f"{self.requests} request{'s' if self.requests != 1 else ''}: {self.passed} passed, {self.failed} failed"
        lines = [head + f" ({elapsed:.1f} s, {rate:.0f}/s)"]
        if interrupted:
            lines.insert(0, f"interrupted: {self.requests + self.unmatched} of {total} checked")
        if self.unmatched:
            lines.append(f"{self.unmatched} file(s) belong to no request (source.unmatched)")
        if ignored:
            lines.append(f"{ignored} other file(s) passed over (not certificates or keys: README, .conf, .csr...)")
        if self.by_code:
            lines.append("findings by code:")
            width = max(len(code) for code in self.by_code)
            for code, count in sorted(self.by_code.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {code:<{width}}  {count}")
        if self.slowest[1]:
            lines.append(f"slowest: {self.slowest[1]} ({self.slowest[0] * 1000:.1f} ms)")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "passed": self.passed,
            "failed": self.failed,
            "unmatched_files": self.unmatched,
            "by_code": dict(sorted(self.by_code.items())),
            "slowest": {"source": self.slowest[1], "seconds": round(self.slowest[0], 6)} if self.slowest[1] else None,
        }


def run(args: argparse.Namespace) -> int:
    from certcheck.profiles import get_profile
    from certcheck.render import RenderOptions, open_format
    from certcheck.sources import SourceError
    from certcheck.sources.estate import duplicate_names, entries, plan
    from certcheck.sources.tree import Scan

    selection = resolve_policy(args, DEFAULTS)
    if args.scheduler and args.jobs:
        raise UsageError("--jobs and --scheduler exclude each other: the Dask cluster has its own workers")
    password = key_password(args.key_password_env)
    at = parse_at(args.at)
    fail_on = threshold(args.fail_on)
    max_chars = get_profile(args.profile).name_max_chars
    html = _open_html(args.html) if args.html else None

    summary = Summary()
    interrupted = False
    total: int | None = None
    scan = Scan()
    executor, closer = _executor(args.scheduler)
    out = sys.stdout
    colour = args.format == "text" and wants_colour(args.color, out)
    fmt = open_format(args.format, RenderOptions(colour=colour, fail_on=fail_on))
    progress = _progress()
    try:
        try:
            duplicates, total = duplicate_names(plan(args.sources, max_chars=max_chars))
            if progress is not None:
                progress.total = total
                progress.label = "checking"
            results = _results(
                args, entries(plan(args.sources, scan, max_chars=max_chars), password), duplicates, at, executor, total
            )
            out.write(fmt.begin())
            try:
                with _CtrlC() as ctrl_c:
                    for result in results:
                        report = selection.apply(result.report)
                        summary.add(report, result.seconds, fail_on)
                        if html is not None:
                            html.add(report)
                        out.write(fmt.report(selection.shown(report)))
                        if progress is not None:
                            progress.advance("failed" if report.fails(fail_on) else None)
                        if ctrl_c.pressed:
                            interrupted = True
                            break
            finally:
                results.close()  # cancels what is queued and shuts the workers down
        except SourceError as exc:
            raise UsageError(str(exc)) from None
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if progress is not None:
                progress.close()
            closer()
        out.write(fmt.end())
        out.flush()
    except BrokenPipeError:
        return EXIT_OK
    if html is not None:
        _write_html(args.html, html, at, args.expiry_warning_days, summary)
    summary_lines = summary.lines(total, interrupted, scan.ignored)
    to = sys.stdout if args.format == "text" else sys.stderr
    to.write("\n" if args.format == "text" else "")
    to.write("\n".join(summary_lines) + "\n")
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_FINDINGS if summary.any_failed else EXIT_OK


SMALL_RUN = 64  # fewer requests than this: checked in process unless --jobs says otherwise (no pool to start)


def _results(
    args: argparse.Namespace, requests: Iterator[Any], duplicates: set[str], at: Any, executor: Any, total: int
) -> Generator[Result, None, None]:
    from certcheck.bulk import iter_results

    jobs = args.jobs if args.jobs is not None else (1 if total < SMALL_RUN else os.cpu_count() or 1)
    return iter_results(
        requests,
        profile=args.profile,
        at=at,
        expiry_warning_days=args.expiry_warning_days,
        executor=executor,
        jobs=None if executor is not None else jobs,
        batch_size=args.batch_size,
        duplicate_names=duplicates,
    )


def _executor(scheduler: str | None) -> tuple[Any, Any]:
    """A Dask executor for --scheduler (and how to close its client), or None for a local pool."""
    if not scheduler:
        return None, lambda: None
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask's distributed package: pip install 'certcheck[dask]'") from None
    try:
        client = Client(scheduler, timeout="5s")  # type: ignore[no-untyped-call]
    except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address
        raise UsageError(f"--scheduler: cannot connect to {scheduler} ({type(exc).__name__}: {exc})") from None
    return client.get_executor(pure=False), client.close  # type: ignore[no-untyped-call]


def _open_html(path: str) -> Any:
    from certcheck.render.html import Estate

    try:
        with open(path, "a", encoding="utf-8"):
            pass  # fail now, not after an hour of checking
    except OSError as exc:
        raise UsageError(f"--html: cannot write {path!r}: {exc.strerror or exc}") from None
    return Estate()


def _write_html(path: str, estate: Any, at: Any, warning_days: float, summary: Summary) -> None:
    from datetime import datetime, timezone

    moment = at or datetime.now(timezone.utc)
    text = estate.render(moment, warning_days)
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        print(f"certcheck: --html: cannot write {path!r}: {exc.strerror or exc}", file=sys.stderr)


class _CtrlC:
    """The first Ctrl-C asks the run to stop after the report being written (never in the middle of a line of
    output); a second one interrupts at once."""

    def __init__(self) -> None:
        self.pressed = False
        self.previous: Any = None

    def __enter__(self) -> _CtrlC:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        import signal

        self.pressed = True
        signal.signal(signal.SIGINT, self.previous)

    def __exit__(self, *exc: object) -> None:
        import signal

        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _progress() -> Any:
    """The shared progress line (certcheck.progress): on a terminal only, on stderr."""
    if not sys.stderr.isatty():
        return None
    from certcheck.progress import Progress

    return Progress(stream=sys.stderr, enabled=True)
