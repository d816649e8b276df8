"""``certcheck check``: validate one upload request and report its findings."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from certcheck.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    StdinGuard,
    UsageError,
    add_request_flags,
    days,
    key_password,
    params_from_flags,
    parse_at,
)

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="validate one upload request",
        description="Validate one UploadUserCertificate request. FILE '-' is standard input.",
    )
    add_request_flags(check)
    check.add_argument("--profile", choices=("2025-11", "2024-07"), default="2025-11")
    check.add_argument("--at", metavar="ISO-8601", help="judge validity at this time (default: now)")
    check.add_argument(
        "--expiry-warning-days",
        type=days,
        default=30,
        metavar="DAYS",
        help="warn when a certificate expires within DAYS (default 30)",
    )
    check.add_argument("--format", default="text", help="text or json (default text)")
    check.add_argument("--fail-on", choices=("error", "warning", "never"), default="error")
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from certcheck.model import Severity, UploadParams
    from certcheck.render import RENDERERS
    from certcheck.validate import validate

    if args.format not in RENDERERS:
        raise UsageError(f"unknown --format {args.format!r}; choose one of {', '.join(RENDERERS)}")
    params = params_from_flags(args, StdinGuard()) or {}
    password = key_password(args.key_password_env)
    tags = params.pop("Tags", None)
    try:
        upload = UploadParams.from_api(params, key_password=password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if tags is not None:
        upload = upload.replace(tags=tuple(tags))
    report = validate(upload, profile=args.profile, at=parse_at(args.at), expiry_warning_days=args.expiry_warning_days)
    # NO_COLOR (no-color.org): any non-empty value turns colour off.
    colour = args.format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    sys.stdout.write(RENDERERS[args.format](report, colour))
    threshold = None if args.fail_on == "never" else Severity(args.fail_on)
    return EXIT_FINDINGS if report.fails(threshold) else EXIT_OK
