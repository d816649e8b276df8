"""``certcheck journal FILE``: list what an upload journal recorded (``--format jsonl`` exports it)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from certcheck.cli._common import EXIT_OK, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    journal = sub.add_parser(
        "journal",
        help="list an upload journal",
        description="List the requests an upload journal (certcheck upload --journal FILE) recorded.",
    )
    journal.add_argument("file", metavar="FILE")
    journal.add_argument("--format", choices=("text", "jsonl"), default="text")
    journal.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from certcheck.upload.journal import Journal, JournalError

    try:
        journal = Journal(args.file, create=False)
    except JournalError as exc:
        raise UsageError(str(exc)) from None
    with journal:
        if args.format == "jsonl":
            for entry in journal.entries():
                print(json.dumps(entry.as_dict(), ensure_ascii=False))
            return EXIT_OK
        count = 0
        for entry in journal.entries():
            count += 1
            parts = [f"{entry.state:<8}", entry.sent_name or entry.name or "(no name)", entry.source]
            if entry.cert_id is not None:
                parts.append(f"CertId {entry.cert_id}")
            parts.append(f"attempts {entry.attempts}")
            if entry.error_code:
                parts.append(f"{entry.error_code}: {entry.error_message or ''}".rstrip(": "))
            print("  ".join(parts))
        counts = journal.counts()
        summary = ", ".join(f"{counts.get(state, 0)} {state}" for state in _STATES if counts.get(state))
        print(f"{count} request(s) in {args.file} (adapter {journal.adapter or 'unknown'}): {summary or 'empty'}")
    return EXIT_OK


_STATES = ("uploaded", "skipped", "failed", "invalid", "sending")
