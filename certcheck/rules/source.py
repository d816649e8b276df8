"""Codes about where a request of a bulk run came from (``certcheck.sources``): raised by ``certcheck.bulk`` for
an Entry without params, not by a rule of the engine (there is no request to look at)."""

from __future__ import annotations

from certcheck.codes import CERTCHECK, declare
from certcheck.model import Severity

__all__ = ["SOURCE_UNMATCHED", "SOURCE_UNREADABLE"]

SOURCE_UNREADABLE = declare(
    "source.unreadable",
    Severity.ERROR,
    "A request's files (or its manifest line) could not be read; the request was not checked.",
    CERTCHECK,
    trigger="A file of the request is missing, not a regular file (a FIFO, a dangling link), or unreadable; a "
    "manifest line is not valid JSON or names an unknown parameter.",
    fix="Fix the file's permissions or the manifest line; the rest of the run is not affected.",
    example="Cert: cannot read 'live/example.com/fullchain.pem': Permission denied",
)
SOURCE_UNMATCHED = declare(
    "source.unmatched",
    Severity.WARNING,
    "A certificate or key file in a scanned directory belongs to no request of a known layout (certbot, acme.sh, "
    "plain pair, SM pair); it was not checked.",
    CERTCHECK,
    trigger="certcheck bulk walked a directory with a certificate or key file that pairs with nothing: a key "
    "without its certificate, an old backup, a lone CA file.",
    fix="Remove the stray file, or name it like its pair (a.crt + a.key), or give the pair as explicit files.",
    example=(
        "a certificate or key file that belongs to no request (certbot, acme.sh, SM pair, or a certificate and key "
        "with the same base name); it was not checked."
    ),
)
