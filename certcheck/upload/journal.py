"""The upload journal: an SQLite file that makes a bulk upload safe to kill and run again.

Each request is recorded BEFORE it is sent (state ``sending``, with the Name and ClientToken of the attempt) and
updated after, keyed by the request's own ClientToken. A run killed at any instant (SIGKILL included) and started
again with the same journal and inputs skips what finished and re-sends what was in flight with the ClientToken
it was sent with (the service answers a repeated token with the same CertId), so nothing is sent twice and
nothing is lost. Every write is its own committed transaction (WAL): a killed process loses at most the write it
was making, which is always one the next run can redo.

No key material is stored: names (redacted if they hold a key), sources, tokens, ids, outcomes, error codes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from certcheck.model import shown

__all__ = ["FORMAT", "STATES", "Journal", "JournalEntry", "JournalError"]

FORMAT = "certcheck-journal-1"
# sending: recorded before a call, the outcome not known yet. The others are a finished attempt's outcome.
STATES = ("sending", "uploaded", "skipped", "failed", "invalid")
DONE = frozenset({"uploaded", "skipped"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS uploads (
    token         TEXT PRIMARY KEY,  -- the request's own ClientToken: the same request in every run
    source        TEXT NOT NULL,
    name          TEXT,              -- the Name asked for
    state         TEXT NOT NULL,
    sent_name     TEXT,              -- the Name and ClientToken of the call in flight or last made
    sent_token    TEXT,              -- (the suffix policy changes both)
    cert_id       INTEGER,
    request_id    TEXT,
    resource_id   TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    updated       REAL NOT NULL
);
"""


class JournalError(Exception):
    """The journal file cannot be used (not a journal, another adapter's, unreadable)."""


@dataclass(frozen=True)
class JournalEntry:
    token: str
    source: str
    name: str | None
    state: str
    sent_name: str | None
    sent_token: str | None
    cert_id: int | None
    request_id: str | None
    resource_id: str | None
    attempts: int
    error_code: str | None
    error_message: str | None
    updated: float

    @property
    def done(self) -> bool:
        return self.state in DONE

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    """Thread-safe. ``adapter`` names what the uploads went through: a journal of dry runs must not make a real
    run skip its requests, so a journal refuses to be reused with another adapter."""

    def __init__(self, path: str | Path, *, adapter: str | None = None, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise JournalError(f"{self.path}: no such journal")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses no commit
            tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables and not {"meta", "uploads"} <= tables:
                raise JournalError(f"{self.path}: not a certcheck journal")
            if not tables and not create:
                raise JournalError(f"{self.path}: not a certcheck journal")
            self._db.executescript(_SCHEMA)
            meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            self._close_quietly()
            raise JournalError(f"{self.path}: not a certcheck journal ({exc})") from None
        except JournalError:
            self._close_quietly()
            raise
        if meta.get("format", FORMAT) != FORMAT:
            self._close_quietly()
            raise JournalError(f"{self.path}: journal format {meta['format']!r}, expected {FORMAT!r}")
        recorded = meta.get("adapter")
        if adapter is not None and recorded is not None and recorded != adapter:
            self._close_quietly()
            raise JournalError(
                f"{self.path} records uploads through the {recorded!r} adapter, not {adapter!r}: use another journal"
            )
        if "format" not in meta:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
        if adapter is not None and recorded is None:
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('adapter', ?)", (adapter,))
        self.adapter = recorded or adapter
        self._lock = threading.Lock()

    def _close_quietly(self) -> None:
        with contextlib.suppress(Exception):
            self._db.close()

    def get(self, token: str) -> JournalEntry | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM uploads WHERE token = ?", (token,)).fetchone()
        return JournalEntry(*row) if row else None

    def begin(self, token: str, source: str, name: str | None, sent_name: str | None, sent_token: str) -> None:
        """Record that a call is about to be made (committed before it is)."""
        with self._lock:
            self._db.execute(
                "INSERT INTO uploads (token, source, name, state, sent_name, sent_token, attempts, updated) "
                "VALUES (?, ?, ?, 'sending', ?, ?, 0, ?) ON CONFLICT(token) DO UPDATE SET "
                "source = excluded.source, state = 'sending', sent_name = excluded.sent_name, "
                "sent_token = excluded.sent_token, error_code = NULL, error_message = NULL, updated = excluded.updated",
                (token, source, _safe(name), _safe(sent_name), sent_token, time.time()),
            )

    def finish(
        self,
        token: str,
        source: str,
        name: str | None,
        state: str,
        *,
        cert_id: int | None = None,
        request_id: str | None = None,
        resource_id: str | None = None,
        attempts: int = 0,
        error_code: str | None = None,
        error_message: str | None = None,
        sent_name: str | None = None,
    ) -> None:
        """Record a request's outcome; ``attempts`` (calls made this time) adds to what earlier runs made."""
        if state not in STATES or state == "sending":
            raise ValueError(f"not a final state: {state!r}")
        with self._lock:
            self._db.execute(
                "INSERT INTO uploads (token, source, name, state, sent_name, cert_id, request_id, resource_id, "
                "attempts, error_code, error_message, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(token) DO UPDATE SET source = excluded.source, state = excluded.state, "
                "sent_name = COALESCE(excluded.sent_name, uploads.sent_name), cert_id = excluded.cert_id, "
                "request_id = excluded.request_id, resource_id = excluded.resource_id, "
                "attempts = uploads.attempts + excluded.attempts, error_code = excluded.error_code, "
                "error_message = excluded.error_message, updated = excluded.updated",
                (
                    token,
                    source,
                    _safe(name),
                    state,
                    _safe(sent_name),
                    cert_id,
                    request_id,
                    resource_id,
                    attempts,
                    error_code,
                    error_message,
                    time.time(),
                ),
            )

    def entries(self) -> Iterator[JournalEntry]:
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM uploads ORDER BY updated, token").fetchall()
        for row in rows:
            yield JournalEntry(*row)

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM uploads GROUP BY state").fetchall()
        return {state: count for state, count in rows}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r}, adapter={self.adapter!r})"


_COLUMNS = (
    "token, source, name, state, sent_name, sent_token, cert_id, request_id, resource_id, attempts, "
    "error_code, error_message, updated"
)


def _safe(name: str | None) -> str | None:
    return None if name is None else shown("Name", name)


def entry_json(entry: JournalEntry) -> str:
    return json.dumps(entry.as_dict(), ensure_ascii=False)
