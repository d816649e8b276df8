"""``certcheck emulator serve``: the loopback CAS emulator as a process (tests, the demo, users' pipelines)."""

from __future__ import annotations

import argparse
import math
import os
import sys
from types import FrameType
from typing import Any

from certcheck.cli._common import EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["register", "run"]

KEY_ID_VAR = "ALIBABA_CLOUD_ACCESS_KEY_ID"
SECRET_VAR = "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
# Kept here (not imported from certcheck.emulator) so that registering the subcommand imports nothing heavy.
FAULT_KINDS = ("unavailable", "unavailable-after", "drop", "drop-after", "slow", "slow-after")


def register(sub: Any) -> None:
    emulator = sub.add_parser("emulator", help="a loopback emulator of the CAS endpoint (for tests and demos)")
    actions = emulator.add_subparsers(dest="emulator_command", required=True)
    serve = actions.add_parser(
        "serve",
        help="serve UploadUserCertificate and friends on loopback",
        description=(
            f"Serve the CAS API (2020-04-07) over plain HTTP for the official SDK. Credentials come from {KEY_ID_VAR} "
            f"and {SECRET_VAR}, the same variables the SDK reads. Prints 'listening on http://HOST:PORT' first; "
            "stops on SIGINT/SIGTERM."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=0, help="port (default 0: any free port, printed)")
    serve.add_argument("--db", metavar="FILE", help="SQLite file that keeps the certificates across restarts")
    serve.add_argument("--rate", type=_rate, default=100.0, help="calls per second per AccessKey (0: unlimited)")
    serve.add_argument("--fault-rate", type=_fraction, default=0.0, help="share of calls that get a fault (0..1)")
    serve.add_argument(
        "--faults",
        type=_kinds,
        default=FAULT_KINDS,
        metavar="KIND[,KIND...]",
        help=f"which faults to inject (default all: {', '.join(FAULT_KINDS)})",
    )
    serve.add_argument(
        "--slow-ms", type=_millis, default=12_000, help="how long a slow fault holds the response (default 12000)"
    )
    serve.add_argument("--latency-ms", type=_millis, default=0, help="added to every call (default 0)")
    serve.add_argument("--access-log", metavar="FILE", help="append one JSON line per accepted call")
    serve.add_argument("--profile", choices=("2025-11", "2024-07"), default="2025-11", help="validation profile")
    serve.add_argument("--seed", type=int, help="seed for the fault draws (reproducible runs)")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    key_id, secret = os.environ.get(KEY_ID_VAR, ""), os.environ.get(SECRET_VAR, "")
    if not key_id or not secret:
        print(
            f"certcheck emulator: set {KEY_ID_VAR} and {SECRET_VAR} (the credentials the emulator accepts); "
            "they are never taken from flags",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from certcheck.emulator import Emulator

    try:
        emu = Emulator(
            {key_id: secret},
            host=args.host,
            port=args.port,
            db=args.db,
            rate=args.rate,
            fault_rate=args.fault_rate,
            fault_kinds=args.faults,
            slow_ms=args.slow_ms,
            latency_ms=args.latency_ms,
            access_log=args.access_log,
            profile=args.profile,
            seed=args.seed,
        )
    except OSError as exc:  # port taken, address not local, database or log not writable
        raise UsageError(f"emulator cannot start: {exc.strerror or exc}") from None
    except Exception as exc:  # sqlite3.DatabaseError for a file that is not a database, bad option values
        raise UsageError(f"emulator cannot start: {type(exc).__name__}: {exc}") from None
    import signal  # here, not at the top: every `certcheck` start imports this module to register it
    import threading

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        emu.start()
        if args.host not in ("127.0.0.1", "localhost"):
            print(f"certcheck emulator: serving plain HTTP on {args.host}, not only loopback", file=sys.stderr)
        print(f"listening on {emu.url}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return EXIT_OK


def _port(text: str) -> int:
    value = _int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is 0..65535")
    return value


def _millis(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None


def _float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"not a finite number: {text!r}")
    return value


def _rate(text: str) -> float:
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a rate is >= 0 (0: unlimited)")
    return value


def _fraction(text: str) -> float:
    value = _float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("a fault rate is between 0 and 1")
    return value


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(f"fault kinds are {', '.join(FAULT_KINDS)}")
    return kinds
