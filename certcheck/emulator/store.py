"""The emulator's state in SQLite: certificates, idempotency tokens, and the log of accepted calls.

One connection guarded by a lock (the HTTP server runs a thread per connection); a file database (``--db``) survives
a restart, ``None`` keeps everything in memory. No private key is ever stored: only its redacted digest.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certcheck.emulator.constants import NAME_TAKEN, TOKEN_MISMATCH
from certcheck.emulator.errors import ApiError

__all__ = ["Call", "Store", "StoredCertificate"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS certificates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    resource_id TEXT NOT NULL,
    client_token TEXT,
    common_name TEXT NOT NULL,
    sans TEXT NOT NULL,
    serial_no TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    sha2 TEXT NOT NULL,
    issuer TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    not_before INTEGER NOT NULL,
    not_after INTEGER NOT NULL,
    cert TEXT,
    sign_cert TEXT,
    encrypt_cert TEXT,
    key_digest TEXT,
    sign_key_digest TEXT,
    encrypt_key_digest TEXT,
    resource_group_id TEXT,
    tags TEXT NOT NULL,
    chain TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    action TEXT NOT NULL,
    token TEXT NOT NULL,
    content TEXT NOT NULL,
    cert_id INTEGER NOT NULL,
    resource_id TEXT,
    PRIMARY KEY (action, token)
);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    access_key_id TEXT NOT NULL,
    action TEXT NOT NULL,
    request_id TEXT NOT NULL,
    fault TEXT
);
"""

_COLUMNS = (
    "name",
    "resource_id",
    "client_token",
    "common_name",
    "sans",
    "serial_no",
    "fingerprint",
    "sha2",
    "issuer",
    "algorithm",
    "not_before",
    "not_after",
    "cert",
    "sign_cert",
    "encrypt_cert",
    "key_digest",
    "sign_key_digest",
    "encrypt_key_digest",
    "resource_group_id",
    "tags",
    "chain",
    "created",
)
_PEM_COLUMNS = ("cert", "sign_cert", "encrypt_cert")


@dataclass(frozen=True)
class StoredCertificate:
    """One uploaded certificate. ``not_before``/``not_after`` are milliseconds since the epoch (as the API gives)."""

    id: int
    name: str
    resource_id: str
    client_token: str | None
    common_name: str
    sans: str
    serial_no: str
    fingerprint: str
    sha2: str
    issuer: str
    algorithm: str
    not_before: int
    not_after: int
    cert: str | None
    sign_cert: str | None
    encrypt_cert: str | None
    key_digest: str | None
    sign_key_digest: str | None
    encrypt_key_digest: str | None
    resource_group_id: str | None
    tags: tuple[tuple[str, str], ...]
    chain: tuple[dict[str, Any], ...]
    created: float


@dataclass(frozen=True)
class Call:
    """One accepted call (signature verified, within the rate): ``ts`` is the wall-clock moment it was admitted."""

    ts: float
    access_key_id: str
    action: str
    request_id: str
    fault: str | None


class Store:
    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- UploadUserCertificate ---------------------------------------------------------------------------------

    def insert(self, fields: dict[str, Any], action: str, token: str | None, content: str) -> tuple[int, str, bool]:
        """Store a certificate atomically with its ClientToken: (CertId, ResourceId, created).

        A known token with the same content returns the first result (created False); with other content, or a
        Name already taken, ApiError.
        """
        with self._transaction() as db:
            if token:
                row = db.execute(
                    "SELECT content, cert_id, resource_id FROM tokens WHERE action = ? AND token = ?", (action, token)
                ).fetchone()
                if row is not None:
                    if row[0] != content:
                        raise ApiError(TOKEN_MISMATCH, "Use a new ClientToken for a different request.")
                    return int(row[1]), str(row[2]), False
            if db.execute("SELECT 1 FROM certificates WHERE name = ?", (fields["name"],)).fetchone():
                raise ApiError(NAME_TAKEN, "Choose another Name, or look the certificate up first.")
            values = dict(fields, tags=json.dumps(fields["tags"]), chain=json.dumps(fields["chain"]))
            cursor = db.execute(
                f"INSERT INTO certificates ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
                [values[c] for c in _COLUMNS],
            )
            cert_id = int(cursor.lastrowid or 0)
            if token:
                db.execute(
                    "INSERT INTO tokens (action, token, content, cert_id, resource_id) VALUES (?, ?, ?, ?, ?)",
                    (action, token, content, cert_id, fields["resource_id"]),
                )
            return cert_id, fields["resource_id"], True

    # --- reads -------------------------------------------------------------------------------------------------

    def get(self, cert_id: int) -> StoredCertificate | None:
        with self._lock:
            row = self._db.execute(f"SELECT id, {', '.join(_COLUMNS)} FROM certificates WHERE id = ?", (cert_id,))
            found = row.fetchone()
        return None if found is None else _certificate(found)

    def certificates(self, *, pem: bool = True) -> list[StoredCertificate]:
        """Every stored certificate, in upload order; ``pem=False`` leaves the PEM columns out (None): listings."""
        columns = _COLUMNS if pem else tuple("NULL" if c in _PEM_COLUMNS else c for c in _COLUMNS)
        with self._lock:
            rows = self._db.execute(f"SELECT id, {', '.join(columns)} FROM certificates ORDER BY id").fetchall()
        return [_certificate(r) for r in rows]

    def count(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM certificates").fetchone()[0])

    # --- DeleteUserCertificate ---------------------------------------------------------------------------------

    def delete(self, cert_id: int, action: str, token: str | None) -> bool:
        """Remove a certificate; True when it existed (or this ClientToken already deleted this very id)."""
        with self._transaction() as db:
            if token:
                row = db.execute(
                    "SELECT content, cert_id FROM tokens WHERE action = ? AND token = ?", (action, token)
                ).fetchone()
                if row is not None:
                    if int(row[1]) != cert_id:
                        raise ApiError(TOKEN_MISMATCH, "Use a new ClientToken for a different request.")
                    return True
            existed = db.execute("DELETE FROM certificates WHERE id = ?", (cert_id,)).rowcount > 0
            if existed and token:
                db.execute(
                    "INSERT INTO tokens (action, token, content, cert_id) VALUES (?, ?, ?, ?)",
                    (action, token, str(cert_id), cert_id),
                )
            return existed

    # --- the access log ----------------------------------------------------------------------------------------

    def log_call(self, call: Call) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO calls (ts, access_key_id, action, request_id, fault) VALUES (?, ?, ?, ?, ?)",
                (call.ts, call.access_key_id, call.action, call.request_id, call.fault),
            )

    def calls(self) -> list[Call]:
        """Every accepted call, in order of admission."""
        with self._lock:
            rows = self._db.execute(
                "SELECT ts, access_key_id, action, request_id, fault FROM calls ORDER BY seq"
            ).fetchall()
        return [Call(*r) for r in rows]


def _certificate(row: Sequence[Any]) -> StoredCertificate:
    data = dict(zip(("id", *_COLUMNS), row, strict=True))
    data["tags"] = tuple(tuple(t) for t in json.loads(data["tags"]))
    data["chain"] = tuple(json.loads(data["chain"]))
    return StoredCertificate(**data)
