"""Bounded reads of regular files, and the error for an input that cannot be read.

Part of ``certcheck.sources``, which re-exports all of it (import it from there). It lives apart so that
`certcheck check`, which reads the files named by its flags and nothing else, does not import ``sources``
with its ``Entry`` dataclass and manifest reading: ~0.6 ms of every start (benchmarks/bench_startup.py).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from certcheck.redaction import quote

__all__ = ["READ_CAP", "SourceError", "read_file"]

# Read at most this much of any file: far above the PEM size limit (so a 10 MB paste is a finding, not a
# crash) yet bounded, so a wrong path to a disk image cannot exhaust memory.
READ_CAP = 64 * 1024 * 1024


class SourceError(Exception):
    """One input cannot be read (missing file, not a regular file, invalid JSON, unknown parameter)."""

    __module__ = "certcheck.sources"  # where users import it from (and where pickle finds it)


def read_file(path: str | Path, what: str) -> bytes:
    """A regular file's bytes, at most READ_CAP."""
    with _open_regular(path, what) as handle:
        try:
            return handle.read(READ_CAP)
        except OSError as exc:
            raise SourceError(f"{what}: cannot read {quote(str(path), 200)}: {exc.strerror or exc}") from None


def _open_regular(path: str | Path, what: str) -> BinaryIO:
    """Open a regular file for reading. Anything else (a FIFO, a device, a directory) is refused: opening a
    FIFO would block forever, and a device has no end. Symlinks are followed (/etc/letsencrypt uses them)."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise SourceError(f"{what}: {quote(str(path), 200)} is not a regular file")
        return open(path, "rb")
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise SourceError(f"{what}: cannot read {quote(str(path), 200)}: {reason}") from None
