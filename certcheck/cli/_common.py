"""What the subcommands share: exit codes, usage errors, reading files named on the command line."""

from __future__ import annotations

import argparse
import math
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from certcheck._files import READ_CAP, SourceError, read_file  # not certcheck.sources: see certcheck/_files.py
from certcheck.model import PEM_FIELDS, Tag
from certcheck.redaction import quote

__all__ = [
    "EXIT_FINDINGS",
    "EXIT_OK",
    "EXIT_USAGE",
    "PEM_FLAGS",
    "StdinGuard",
    "UsageError",
    "add_color_flag",
    "add_debug_flag",
    "add_policy_flags",
    "add_request_flags",
    "days",
    "enable_debug_log",
    "key_password",
    "params_from_flags",
    "parse_at",
    "resolve_policy",
    "threshold",
    "wants_colour",
]

if TYPE_CHECKING:
    from certcheck.model import Severity
    from certcheck.report import Location
    from certcheck.selection import Selection

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

PEM_FLAGS = {
    "cert": "Cert",
    "key": "Key",
    "sign_cert": "SignCert",
    "sign_key": "SignPrivateKey",
    "encrypt_cert": "EncryptCert",
    "encrypt_key": "EncryptPrivateKey",
}


class UsageError(Exception):
    """The command cannot run (bad flag value, unreadable file): exit 2."""


class StdinGuard:
    """Reads files named on the command line; ``-`` is standard input, which only one flag may use."""

    def __init__(self) -> None:
        self.used_by: str | None = None

    def read(self, path: str, what: str) -> bytes:
        if path == "-":
            if self.used_by is not None:
                raise UsageError(f"{what}: standard input is already used by {self.used_by}")
            self.used_by = what
            return sys.stdin.buffer.read(READ_CAP)
        try:
            return read_file(path, what)
        except SourceError as exc:
            raise UsageError(str(exc)) from None


def add_request_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that describe one upload request (shared by `check` and `upload`)."""
    parser.add_argument("--name", help="the certificate's Name")
    for flag, api in PEM_FLAGS.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", dest=flag, metavar="FILE", help=f"PEM file for {api}")
    parser.add_argument(
        "--chain",
        metavar="FILE",
        help="intermediate certificates appended to Cert (certbot's chain.pem next to cert.pem)",
    )
    parser.add_argument(
        "--pfx",
        metavar="FILE",
        help="a PKCS#12 / PFX file giving Cert (certificate and chain) and Key; passphrase via --key-password-env",
    )
    parser.add_argument("--resource-group-id", metavar="TEXT")
    parser.add_argument("--tag", action="append", metavar="KEY=VALUE", help="a tag (repeatable)")
    parser.add_argument(
        "--request",
        metavar="FILE.json",
        help="a JSON object with the API's parameter names; "
        "PEM fields hold PEM or @path (relative to the JSON file); flags override it",
    )
    parser.add_argument(
        "--key-password-env",
        metavar="VAR",
        help="environment variable holding the passphrase of encrypted private keys",
    )


def add_debug_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        help="log where a crash inside certcheck happened (a rule.crashed finding) on stderr: the traceback's "
        "frames and exception type, never its message or key material",
    )


def enable_debug_log() -> None:
    """Send the ``certcheck`` logger's DEBUG records to stderr (``--debug``); logging loads only then."""
    import logging

    from certcheck._debug import LOGGER

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("certcheck debug: %(message)s"))
    log = logging.getLogger(LOGGER)
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)


def add_color_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour text output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR forces it), always, "
        "never (default auto)",
    )


SEVERITIES = ("error", "warning", "info")


def add_policy_flags(parser: argparse.ArgumentParser) -> None:
    """Selection, thresholds and the config file (shared by `check`, `bulk` and `upload`).

    Defaults are None so that ``resolve_policy`` can tell a flag from a config value: flags win."""
    group = parser.add_argument_group("findings, thresholds and the config file")
    group.add_argument(
        "--select",
        action="append",
        metavar="CODE|PREFIX",
        help="keep only findings with this code or code prefix, e.g. pair.key_mismatch or chain. (repeatable)",
    )
    group.add_argument(
        "--ignore",
        action="append",
        metavar="CODE|PREFIX",
        help="drop findings with this code or prefix (repeatable); an unknown code is a usage error",
    )
    group.add_argument(
        "--fail-on",
        choices=("error", "warning", "never"),
        help="exit 1 when a finding is at or above this severity (default error)",
    )
    group.add_argument(
        "--min-severity",
        choices=SEVERITIES,
        help="show only findings at or above this severity (default info); does not change the exit status",
    )
    group.add_argument(
        "--config",
        metavar="FILE",
        help="read settings from FILE (default: certcheck.toml or [tool.certcheck] in pyproject.toml, "
        "found from the working directory upwards)",
    )
    group.add_argument("--no-config", action="store_true", help="ignore any config file")


def resolve_policy(args: argparse.Namespace, defaults: dict[str, Any]) -> Selection:
    """Fill the options left unset on the command line from the config file, then from ``defaults``
    (keys as in the config: ``fail-on``, ``profile``...); return the checked selection. Usage errors: exit 2."""
    from pathlib import Path

    from certcheck.config import Config, ConfigError, find_config, load_config
    from certcheck.selection import Selection, SelectionError

    config = Config()
    if args.config and args.no_config:
        raise UsageError("--config and --no-config cannot be used together")
    try:
        if args.config:
            config = load_config(Path(args.config))
        elif not args.no_config:
            found = find_config()
            if found is not None:
                config = load_config(found)
    except ConfigError as exc:
        raise UsageError(f"config {exc}") from None
    sources = {}
    for key in ("select", "ignore", "fail-on", "min-severity", "profile", "expiry-warning-days", "format"):
        attr = key.replace("-", "_")
        if not hasattr(args, attr):
            continue  # a setting this subcommand does not have
        if getattr(args, attr) is not None:
            sources[key] = "flag"
        elif key in config.values:
            setattr(args, attr, config.values[key])
            sources[key] = "config"
        else:
            setattr(args, attr, defaults.get(key))
    names = tuple(
        f"{key} in {config.path}" if sources.get(key) == "config" else f"--{key}" for key in ("select", "ignore")
    )
    try:
        return Selection.build(
            args.select or (), args.ignore or (), args.min_severity or "info", names=(names[0], names[1])
        )
    except SelectionError as exc:
        raise UsageError(str(exc)) from None


def threshold(fail_on: str) -> Severity | None:
    """--fail-on as a severity (None: never)."""
    from certcheck.model import Severity

    return None if fail_on == "never" else Severity(fail_on)


def wants_colour(choice: str, stream: Any) -> bool:
    """--color: always/never win; auto means a terminal, NO_COLOR (no-color.org) off, FORCE_COLOR
    (force-color.org) on; both set: NO_COLOR wins. Each counts only when set to a non-empty value."""
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def params_from_flags(
    args: argparse.Namespace, stdin: StdinGuard, locations: list[Location] | None = None
) -> dict[str, Any] | None:
    """The request the flags of ``add_request_flags`` describe, under API names; None when no flag gave one.

    ``locations``, when given, receives where each field came from (for renderers that point at files).
    """
    from certcheck.report import Location

    found: list[Location] = []
    params = _load_request(args.request, stdin, found) if args.request else {}
    if args.name is not None:
        params["Name"] = args.name
    if args.resource_group_id is not None:
        params["ResourceGroupId"] = args.resource_group_id
    for flag, api in PEM_FLAGS.items():
        path = getattr(args, flag)
        if path is not None:
            params[api] = stdin.read(path, f"--{flag.replace('_', '-')}")
            found = [loc for loc in found if loc.field != api]
            if path != "-":
                found.append(Location.of_file(api, path, params[api]))
    pfx = getattr(args, "pfx", None)
    if pfx is not None:
        if args.cert is not None or args.key is not None:
            raise UsageError("--pfx gives Cert and Key itself: drop --cert and --key")
        from certcheck.sources import read_pkcs12

        data = stdin.read(pfx, "--pfx")
        try:
            params["Cert"], params["Key"] = read_pkcs12(data, key_password(args.key_password_env), "--pfx")
        except SourceError as exc:
            raise UsageError(str(exc)) from None
        found = [loc for loc in found if loc.field not in ("Cert", "Key")]
        if pfx != "-":
            found += [Location("Cert", pfx), Location("Key", pfx)]
    chain = getattr(args, "chain", None)
    if chain is not None:
        if not params.get("Cert"):
            raise UsageError("--chain adds intermediates to Cert: give --cert (or --pfx, or Cert in --request) too")
        # Chain is not an API parameter: its certificates go after the leaf in Cert, as fullchain.pem has them.
        params["Cert"] = _joined(params["Cert"], stdin.read(chain, "--chain"))
    if args.tag is not None:
        params["Tags"] = [_tag(text) for text in args.tag]
    if locations is not None:
        locations.extend(found)
    return params if params or args.request else None


def _joined(cert: str | bytes, chain: bytes) -> bytes:
    """Cert then the chain file, each as PEM text (a DER file on either side is converted first)."""
    parts = []
    for part in (cert, chain):
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        if data[:1] == b"\x30":  # DER: re-armored so the two files join as text
            from certcheck import pem

            data = "".join(pem.encode(b.label, b.der) for b in pem.read("Cert", data).blocks).encode() or data
        parts.append(data.rstrip(b"\r\n") + b"\n")
    return b"".join(parts)


def key_password(variable: str | None) -> bytes | None:
    """The passphrase named by --key-password-env: never taken from the command line itself."""
    if not variable:
        return None
    value = os.environ.get(variable)
    if value is None:
        raise UsageError(f"--key-password-env: the environment variable {quote(variable)} is not set")
    return os.fsencode(value)  # the variable's own bytes, whatever the locale


def _load_request(path_text: str, stdin: StdinGuard, locations: list[Location]) -> dict[str, Any]:
    import json

    from certcheck.sources import params_from_json

    raw = stdin.read(path_text, "--request")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise UsageError(f"--request: {quote(path_text, 200)} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"--request: {quote(path_text, 200)} must hold a JSON object with the API's parameter names")
    base = Path(path_text).parent if path_text != "-" else Path.cwd()
    try:
        params = params_from_json(data, base, "--request")
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    if "Tags" in params:
        params["Tags"] = _tags_from_json(params["Tags"])
    if path_text != "-":
        from certcheck.report import Location

        locations.append(Location(None, path_text))
        for name in PEM_FIELDS:
            value = data.get(name)
            if isinstance(value, str) and value.startswith("@"):
                locations.append(Location.of_file(name, os.path.normpath(base / value[1:]), params[name]))
    return params


def _tags_from_json(value: Any) -> list[Tag]:
    from certcheck.model import UploadParams

    try:
        return list(UploadParams.from_api({"Tags": value}).tags or ())
    except ValueError as exc:
        raise UsageError(f"--request: {exc}") from None


def _tag(text: str) -> Tag:
    key, _, value = text.partition("=")
    return Tag(key, value)


def parse_at(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        if moment.tzinfo is not None:
            moment = moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise UsageError(f"--at: {quote(text)} is not an ISO-8601 time (e.g. 2026-06-01T00:00:00Z)") from None
    return moment


def days(text: str) -> float:
    """--expiry-warning-days: a finite number of days from 0 to a century."""
    from certcheck.validate import MAX_WARNING_DAYS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quote(text)} is not a number of days") from None
    if not (math.isfinite(value) and 0 <= value <= MAX_WARNING_DAYS):
        raise argparse.ArgumentTypeError(f"{quote(text)} is not between 0 and {MAX_WARNING_DAYS} days")
    return value
