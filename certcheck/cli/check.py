"""``certcheck check``: validate one upload request and report its findings."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from certcheck.cli._common import (
    EXIT_FINDINGS,
    EXIT_OK,
    StdinGuard,
    UsageError,
    add_color_flag,
    add_request_flags,
    days,
    key_password,
    params_from_flags,
    parse_at,
    wants_colour,
)

__all__ = ["register", "run"]

# Kept here (not imported from certcheck.render) so that building the parser imports nothing heavy.
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github")


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
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default text)")
    check.add_argument("--fail-on", choices=("error", "warning", "never"), default="error")
    add_color_flag(check)
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from certcheck.model import Severity, UploadParams
    from certcheck.render import RenderOptions, render
    from certcheck.report import Location
    from certcheck.validate import validate

    locations: list[Location] = []
    params = params_from_flags(args, StdinGuard(), locations) or {}
    password = key_password(args.key_password_env)
    tags = params.pop("Tags", None)
    try:
        upload = UploadParams.from_api(params, key_password=password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if tags is not None:
        upload = upload.replace(tags=tuple(tags))
    report = validate(upload, profile=args.profile, at=parse_at(args.at), expiry_warning_days=args.expiry_warning_days)
    report = dataclasses.replace(report, locations=tuple(locations))
    threshold = None if args.fail_on == "never" else Severity(args.fail_on)
    colour = args.format == "text" and wants_colour(args.color, sys.stdout)
    sys.stdout.write(render(args.format, report, RenderOptions(colour=colour, fail_on=threshold, single=True)))
    return EXIT_FINDINGS if report.fails(threshold) else EXIT_OK
