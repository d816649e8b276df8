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
    add_debug_flag,
    add_policy_flags,
    add_request_flags,
    days,
    key_password,
    params_from_flags,
    parse_at,
    resolve_policy,
    threshold,
    wants_colour,
)

__all__ = ["DEFAULTS", "FORMATS", "register", "run"]

# Kept here (not imported from certcheck.render) so that building the parser imports nothing heavy.
FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github")
# What applies when neither a flag nor the config file says otherwise.
DEFAULTS: dict[str, Any] = {
    "fail-on": "error",
    "min-severity": "info",
    "profile": "2025-11",
    "expiry-warning-days": 30.0,
    "format": "text",
}

EPILOG = """\
examples:
  certcheck check --name example_com --cert fullchain.pem --key privkey.pem
  certcheck check --request request.json --format sarif > certcheck.sarif
  certcheck check --sign-cert sign.pem --sign-key sign.key --encrypt-cert enc.pem --encrypt-key enc.key
  certcheck check --request request.json --ignore chain.leaf_only --fail-on warning

exit status:
  0  no finding at or above --fail-on (default error)
  1  at least one finding at or above --fail-on
  2  the command could not run (bad flags, unreadable file, invalid request JSON or config)
"""


def register(sub: Any) -> None:
    check = sub.add_parser(
        "check",
        help="validate one upload request",
        description="Validate one UploadUserCertificate request. FILE '-' is standard input.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_request_flags(check)
    check.add_argument(
        "--profile", choices=("2025-11", "2024-07"), help="the API page to check against (default 2025-11)"
    )
    check.add_argument("--at", metavar="ISO-8601", help="judge validity at this time (default: now)")
    check.add_argument(
        "--expiry-warning-days",
        type=days,
        metavar="DAYS",
        help="warn when a certificate expires within DAYS (default 30)",
    )
    check.add_argument("--format", choices=FORMATS, help="output format (default text)")
    add_color_flag(check)
    add_policy_flags(check)
    add_debug_flag(check)
    check.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from certcheck.model import UploadParams
    from certcheck.redaction import quote
    from certcheck.render import RenderOptions, render
    from certcheck.report import Location
    from certcheck.validate import validate

    selection = resolve_policy(args, DEFAULTS)
    if args.format not in FORMATS:
        raise UsageError(f"--format {quote(args.format)} is not one of {', '.join(FORMATS)}")
    locations: list[Location] = []
    params = params_from_flags(args, StdinGuard(), locations)
    if params is None:  # `certcheck check` alone: nothing to check is a mistake in the command, not a finding
        raise UsageError(
            "nothing to check: give --cert and --key, the four SM flags, or --request FILE.json "
            "(see `certcheck check --help`)"
        )
    password = key_password(args.key_password_env)
    tags = params.pop("Tags", None)
    try:
        upload = UploadParams.from_api(params, key_password=password)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if tags is not None:
        upload = upload.replace(tags=tuple(tags))
    report = validate(upload, profile=args.profile, at=parse_at(args.at), expiry_warning_days=args.expiry_warning_days)
    report = selection.apply(dataclasses.replace(report, locations=tuple(locations)))
    fail_on = threshold(args.fail_on)
    colour = args.format == "text" and wants_colour(args.color, sys.stdout)
    options = RenderOptions(colour=colour, fail_on=fail_on, single=True)
    sys.stdout.write(render(args.format, selection.shown(report), options))
    return EXIT_FINDINGS if report.fails(fail_on) else EXIT_OK
