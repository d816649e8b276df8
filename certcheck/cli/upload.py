"""``certcheck upload``: validate requests and upload the valid ones through an adapter (the official SDK by
default), paced, retried, optionally journaled. Exit 0 every request uploaded or skipped, 1 any failed or
invalid (or the run stopped early), 2 the command could not run."""

from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from certcheck.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    StdinGuard,
    UsageError,
    add_request_flags,
    key_password,
    params_from_flags,
    parse_at,
)

if TYPE_CHECKING:
    from certcheck.sources import Entry
    from certcheck.upload import RunControl, UploadOutcome

__all__ = ["register", "run"]

FORMATS = ("text", "json", "jsonl")


def register(sub: Any) -> None:
    upload = sub.add_parser(
        "upload",
        help="validate and upload requests (official SDK by default)",
        description="Validate UploadUserCertificate requests and upload the valid ones. Requests come from the "
        "request flags (as for `check`) and/or JSONL manifests. Credentials come only from the Alibaba Cloud "
        "SDK's standard chain (ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, profiles, RAM role).",
    )
    add_request_flags(upload)
    upload.add_argument(
        "--manifest",
        action="append",
        metavar="FILE.jsonl",
        help="JSON Lines: one request object per line, API parameter names, PEM inline or @path (repeatable)",
    )
    upload.add_argument("--adapter", default="aliyun", help="how to upload (default aliyun; `certcheck adapters`)")
    upload.add_argument("--dry-run", action="store_true", help="the same as --adapter dry-run: send nothing")
    upload.add_argument(
        "--endpoint",
        metavar="HOST[:PORT]|URL",
        help="service endpoint (aliyun: default cas.aliyuncs.com; http://HOST:PORT means plain HTTP)",
    )
    upload.add_argument("--connect-timeout", type=_seconds, metavar="SECONDS", help="(aliyun default 5)")
    upload.add_argument("--read-timeout", type=_seconds, metavar="SECONDS", help="(aliyun default 10)")
    upload.add_argument(
        "--rate", type=_rate, default=100.0, help="calls per second, all workers together (default 100; 0: no limit)"
    )
    upload.add_argument("--concurrency", type=_count(1, 256), default=8, help="requests in flight (default 8)")
    upload.add_argument("--retries", type=_count(0, 100), default=6, help="retries of a retryable failure (default 6)")
    upload.add_argument("--on-conflict", choices=("fail", "suffix", "skip-if-same"), default="fail")
    upload.add_argument("--journal", metavar="FILE", help="SQLite journal: a run killed and started again resumes")
    upload.add_argument("--profile", choices=("2025-11", "2024-07"), default="2025-11")
    upload.add_argument("--at", metavar="ISO-8601", help="judge validity at this time (default: now)")
    upload.add_argument("--format", default="text", choices=FORMATS)
    upload.add_argument("--fail-on", choices=("error", "warning"), default="error")
    upload.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from certcheck.model import Severity
    from certcheck.upload import Journal, JournalError, UploadError
    from certcheck.upload.protocol import Finder, load_adapter

    adapter_name = "dry-run" if args.dry_run else args.adapter
    at = parse_at(args.at)
    password = key_password(args.key_password_env)
    items = list(_flag_items(args, password))
    manifests = [_check_manifest(path) for path in args.manifest or ()]
    if not items and not manifests:
        raise UsageError("nothing to upload: give a request (--cert/--key, --request, ...) or --manifest FILE.jsonl")

    options: dict[str, Any] = {}
    for option in ("endpoint", "connect_timeout", "read_timeout"):
        if getattr(args, option) is not None:
            options[option] = getattr(args, option)
    try:
        adapter = load_adapter(adapter_name, **options)
    except LookupError as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    except ImportError as exc:
        hint = " (pip install 'certcheck[aliyun]')" if adapter_name == "aliyun" else ""
        raise UsageError(f"adapter {adapter_name!r} cannot be loaded: {exc}{hint}") from None
    except TypeError:
        raise UsageError(f"adapter {adapter_name!r} does not take {', '.join(_flag(o) for o in options)}") from None
    except (ValueError, UploadError) as exc:
        raise UsageError(f"adapter {adapter_name!r}: {exc}") from None
    try:
        if args.on_conflict == "skip-if-same" and not isinstance(adapter, Finder):
            raise UsageError(f"--on-conflict skip-if-same: the {adapter_name!r} adapter cannot look certificates up")
        journal = None
        if args.journal:
            try:
                journal = Journal(args.journal, adapter=adapter_name)
            except JournalError as exc:
                raise UsageError(f"--journal: {exc}") from None
        try:
            stream = _all_items(items, manifests, password)
            return _upload(args, adapter, journal, stream, len(items), manifests, at, Severity(args.fail_on))
        finally:
            if journal is not None:
                journal.close()
    finally:
        adapter.close()


def _upload(
    args: argparse.Namespace,
    adapter: Any,
    journal: Any,
    items: Iterator[Entry],
    flag_items: int,
    manifests: list[Path],
    at: Any,
    fail_on: Any,
) -> int:
    from certcheck.progress import Progress
    from certcheck.upload import RunControl, upload_many

    control = RunControl()
    total = None
    if sys.stderr.isatty():  # only the progress bar needs the total: do not read the manifests twice otherwise
        total = flag_items + sum(_count_lines(path) for path in manifests)
    progress = Progress(total, label="upload")
    counts: Counter[str] = Counter()
    results: list[dict[str, Any]] = []
    start = time.monotonic()
    previous = _install_interrupt(control)
    try:
        outcomes = upload_many(
            items,
            adapter,
            rate=args.rate,
            concurrency=args.concurrency,
            retries=args.retries,
            on_conflict=args.on_conflict,
            journal=journal,
            profile=args.profile,
            at=at,
            fail_on=fail_on,
            control=control,
        )
        for outcome in outcomes:
            counts[outcome.outcome] += 1
            if args.format == "json":
                results.append(outcome.as_dict())
            elif args.format == "jsonl":
                progress.print(json.dumps(outcome.as_dict(), ensure_ascii=False))
            else:
                progress.print(_text_line(outcome))
            progress.advance(outcome.outcome)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
        progress.close()
    elapsed = time.monotonic() - start
    summary = _summary(counts, elapsed, control)
    if args.format == "json":
        print(json.dumps({"results": results, "summary": summary}, ensure_ascii=False, indent=2))
    elif args.format == "jsonl":
        print(json.dumps({"summary": summary}, ensure_ascii=False))
    else:
        print(_summary_text(summary))
    good = counts["failed"] == 0 and counts["invalid"] == 0 and control.reason is None
    return EXIT_OK if good else EXIT_FINDINGS


def _install_interrupt(control: RunControl) -> Any:
    """Ctrl-C once: take no new requests, let those in flight finish. Twice: give up waits too. Three times: quit."""
    presses = 0

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal presses
        presses += 1
        if presses == 1:
            control.stop("interrupted (Ctrl-C): requests in flight were finished, no new ones were started")
            note = "\ncertcheck: stopping after the requests in flight (Ctrl-C again to stop waiting)"
            print(note, file=sys.stderr)
        elif presses == 2:
            control.abort("interrupted (Ctrl-C twice)")
        else:
            raise KeyboardInterrupt

    try:
        return signal.signal(signal.SIGINT, handler)
    except ValueError:  # not the main thread (an embedding application): leave its handling alone
        return None


def _flag_items(args: argparse.Namespace, password: bytes | None) -> Iterator[Any]:
    from certcheck.model import UploadParams

    params = params_from_flags(args, StdinGuard())
    if params is None:
        return
    tags = params.pop("Tags", None)
    try:
        upload = UploadParams.from_api(params, key_password=password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if tags is not None:
        upload = upload.replace(tags=tuple(tags))
    from certcheck.sources import Entry

    yield Entry(args.request or "flags", upload)


def _check_manifest(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise UsageError(f"--manifest: {text!r} is not a readable regular file")
    return path


def _all_items(items: list[Any], manifests: list[Path], password: bytes | None) -> Iterator[Entry]:
    from certcheck.sources import Entry, SourceError, read_manifest

    yield from items
    for path in manifests:
        try:
            yield from read_manifest(path, key_password=password)
        except SourceError as exc:  # the manifest vanished or became unreadable after the start
            yield Entry(str(path), None, str(exc))


def _count_lines(path: Path) -> int:
    count = 0
    try:
        with open(path, "rb") as handle:
            for line in handle:
                stripped = line.strip()
                if stripped and not stripped.startswith(b"#"):
                    count += 1
    except OSError:
        pass
    return count


def _text_line(outcome: UploadOutcome) -> str:
    parts = [f"{outcome.outcome:<8}", outcome.name if outcome.name is not None else "(no name)", outcome.source]
    if outcome.cert_id is not None:
        parts.append(f"CertId {outcome.cert_id}")
    if outcome.attempts:
        parts.append(f"attempts {outcome.attempts}")
    if outcome.error_code:
        parts.append(f"{outcome.error_code}: {outcome.error_message or ''}".rstrip(": "))
    if outcome.note:
        parts.append(f"({outcome.note})")
    return "  ".join(parts)


def _summary(counts: Counter[str], elapsed: float, control: RunControl) -> dict[str, Any]:
    total = sum(counts.values())
    return {
        "requests": total,
        "uploaded": counts["uploaded"],
        "skipped": counts["skipped"],
        "failed": counts["failed"],
        "invalid": counts["invalid"],
        "not_started": control.not_started,
        "calls": control.calls,
        "seconds": round(elapsed, 3),
        "uploads_per_second": round(counts["uploaded"] / elapsed, 2) if elapsed > 0 else None,
        "stopped": control.reason,
    }


def _summary_text(summary: dict[str, Any]) -> str:
    text = (
        f"{summary['requests']} request(s): {summary['uploaded']} uploaded, {summary['skipped']} skipped, "
        f"{summary['failed']} failed, {summary['invalid']} invalid; {summary['calls']} call(s) in "
        f"{summary['seconds']:.1f} s"
    )
    if summary["uploaded"] and summary["uploads_per_second"] is not None:
        text += f" ({summary['uploads_per_second']:.1f} uploads/s)"
    if summary["stopped"]:
        text += f"\nstopped early: {summary['stopped']}"
        if summary["not_started"]:
            text += f" ({summary['not_started']} queued request(s) not started)"
    return text


def _flag(option: str) -> str:
    return "--" + option.replace("_", "-")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not (math.isfinite(value) and 0 < value <= 3600):
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 3600 seconds")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of calls per second") from None
    if not (math.isfinite(value) and 0 <= value <= 100_000):
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100000")
    return value


def _count(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not between {low} and {high}")
        return value

    return parse
