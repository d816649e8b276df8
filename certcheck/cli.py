"""The ``certcheck`` command. Exit status: 0 clean, 1 findings at/above --fail-on, 2 could not run."""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from certcheck.model import PEM_FIELDS, Severity, Tag, UploadParams
from certcheck.validate import MAX_WARNING_DAYS

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
# Read at most this much of any file: far above the PEM size limit (so a 10 MB paste is a finding, not a
# crash) yet bounded, so a wrong path to a disk image cannot exhaust memory.
READ_CAP = 64 * 1024 * 1024

_PEM_FLAGS = {
    "cert": "Cert",
    "key": "Key",
    "sign_cert": "SignCert",
    "sign_key": "SignPrivateKey",
    "encrypt_cert": "EncryptCert",
    "encrypt_key": "EncryptPrivateKey",
}


class UsageError(Exception):
    """The command cannot run (bad flag value, unreadable file): exit 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certcheck",
        description="Check certificate uploads for Alibaba Cloud's UploadUserCertificate API before they are sent.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser(
        "check",
        help="validate one upload request",
        description="Validate one UploadUserCertificate request. FILE '-' is standard input.",
    )
    check.add_argument("--name", help="the certificate's Name")
    for flag, api in _PEM_FLAGS.items():
        check.add_argument(f"--{flag.replace('_', '-')}", dest=flag, metavar="FILE", help=f"PEM file for {api}")
    check.add_argument("--resource-group-id", metavar="TEXT")
    check.add_argument("--tag", action="append", metavar="KEY=VALUE", help="a tag (repeatable)")
    check.add_argument(
        "--request",
        metavar="FILE.json",
        help="a JSON object with the API's parameter names; "
        "PEM fields hold PEM or @path (relative to the JSON file); flags override it",
    )
    check.add_argument(
        "--key-password-env",
        metavar="VAR",
        help="environment variable holding the passphrase of encrypted private keys",
    )
    check.add_argument("--profile", choices=("2025-11", "2024-07"), default="2025-11")
    check.add_argument("--at", metavar="ISO-8601", help="judge validity at this time (default: now)")
    check.add_argument(
        "--expiry-warning-days",
        type=_days,
        default=30,
        metavar="DAYS",
        help="warn when a certificate expires within DAYS (default 30)",
    )
    check.add_argument("--format", default="text", help="text or json (default text)")
    check.add_argument("--fail-on", choices=("error", "warning", "never"), default="error")
    rules = sub.add_parser("rules", help="list every finding code with its severity and source")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Names and tags can hold anything (lone surrogates from JSON, text the terminal's encoding lacks):
        # escape what cannot be written rather than fail after the work is done.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad flags, 0 on --help: keep its code
        return int(exc.code or 0)
    try:
        if args.command == "rules":
            return _rules(args.format)
        return _check(args)
    except UsageError as exc:
        print(f"certcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # never a traceback; the type only, as a message might quote a key
        print(f"certcheck: internal error ({type(exc).__name__}); please report it", file=sys.stderr)
        return EXIT_USAGE


def _check(args: argparse.Namespace) -> int:
    from certcheck.render import RENDERERS
    from certcheck.validate import validate

    if args.format not in RENDERERS:
        raise UsageError(f"unknown --format {args.format!r}; choose one of {', '.join(RENDERERS)}")
    stdin_used: list[str] = []
    params = _load_request(Path(args.request), stdin_used) if args.request else {}
    if args.name is not None:
        params["Name"] = args.name
    if args.resource_group_id is not None:
        params["ResourceGroupId"] = args.resource_group_id
    for flag, api in _PEM_FLAGS.items():
        path = getattr(args, flag)
        if path is not None:
            params[api] = _read(path, f"--{flag.replace('_', '-')}", stdin_used)
    if args.tag is not None:
        params["Tags"] = [_tag(text) for text in args.tag]
    password = None
    if args.key_password_env:
        value = os.environ.get(args.key_password_env)
        if value is None:
            raise UsageError(f"--key-password-env: the environment variable {args.key_password_env} is not set")
        password = os.fsencode(value)  # the variable's own bytes, whatever the locale
    tags = params.pop("Tags", None)
    try:
        upload = UploadParams.from_api(params, key_password=password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if tags is not None:
        upload = upload.replace(tags=tuple(tags))
    report = validate(upload, profile=args.profile, at=_parse_at(args.at), expiry_warning_days=args.expiry_warning_days)
    # NO_COLOR (no-color.org): any non-empty value turns colour off.
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(RENDERERS[args.format](report, colour))
    threshold = None if args.fail_on == "never" else Severity(args.fail_on)
    return EXIT_FINDINGS if report.fails(threshold) else EXIT_OK


def _read(path: str, what: str, stdin_used: list[str]) -> bytes:
    if path == "-":
        if stdin_used:
            raise UsageError(f"{what}: standard input is already used by {stdin_used[0]}")
        stdin_used.append(what)
        return sys.stdin.buffer.read(READ_CAP)
    try:
        with open(path, "rb") as handle:
            return handle.read(READ_CAP)
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{what}: cannot read {path!r}: {reason}") from None


def _load_request(path: Path, stdin_used: list[str]) -> dict[str, Any]:
    raw = _read(str(path), "--request", stdin_used)
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UsageError(f"--request: {path} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"--request: {path} must hold a JSON object with the API's parameter names")
    base = path.parent if str(path) != "-" else Path.cwd()
    params: dict[str, Any] = {}
    for name, value in data.items():
        if name == "Tags":
            params["Tags"] = _tags_from_json(value)
        elif name in PEM_FIELDS and isinstance(value, str) and value.startswith("@"):
            params[name] = _read(str(base / value[1:]), f"--request {name}", stdin_used)
        else:
            params[name] = value
    return params


def _tags_from_json(value: Any) -> list[Tag]:
    try:
        return list(UploadParams.from_api({"Tags": value}).tags or ())
    except ValueError as exc:
        raise UsageError(f"--request: {exc}") from None


def _tag(text: str) -> Tag:
    key, _, value = text.partition("=")
    return Tag(key, value)


def _parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise UsageError(f"--at: {text!r} is not an ISO-8601 time (e.g. 2026-06-01T00:00:00Z)") from None
    return moment


def _days(text: str) -> float:
    """--expiry-warning-days: a finite number of days from 0 to a century."""
    try:
        days = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not (math.isfinite(days) and 0 <= days <= MAX_WARNING_DAYS):
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and {MAX_WARNING_DAYS} days")
    return days


def _rules(fmt: str) -> int:
    from certcheck.codes import catalogue, catalogue_markdown

    codes = catalogue()
    if fmt == "markdown":
        sys.stdout.write(catalogue_markdown())
        return EXIT_OK
    if fmt == "json":
        print(
            json.dumps(
                [
                    {
                        "code": c.code,
                        "severity": c.severity.value,
                        "summary": c.summary,
                        "citation": c.citation,
                    }
                    for c in codes.values()
                ],
                indent=2,
            )
        )
    else:
        for c in codes.values():
            print(f"{c.code:<32} {c.severity.value:<8} {c.summary}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
