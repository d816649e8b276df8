"""Where upload requests come from: files, request JSON objects, JSONL manifests (and, later, directory trees).

Everything here reads bounded amounts from regular files only, and reports a problem with one input as a
``SourceError`` (the CLI turns it into a usage error for a single request, a manifest into a failed entry), so
one unreadable file never takes a whole run down. The reading itself (``read_file``, ``SourceError``) lives in
``certcheck/_files.py``, re-exported here, so that `certcheck check` does not import this module.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from certcheck._files import READ_CAP, SourceError, _open_regular, read_file
from certcheck.model import PEM_FIELDS, UploadParams
from certcheck.report import Location

__all__ = [
    "LINE_CAP",
    "READ_CAP",
    "Entry",
    "SourceError",
    "build_params",
    "params_from_json",
    "read_file",
    "read_manifest",
    "read_pkcs12",
]

# One manifest line (one request, PEM inline): four fields at the 256 KiB PEM limit plus JSON escaping fit.
LINE_CAP = 4 * 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One request from a source: its params, or why it could not be read. ``source`` says where it came from.

    ``code`` is the finding an Entry without params becomes: ``source.unreadable`` (its files or line could not
    be read), or ``source.unmatched`` (a file of a scanned directory that belongs to no request).
    """

    source: str
    params: UploadParams | None
    error: str | None = None
    code: str = "source.unreadable"
    locations: tuple[Location, ...] = ()  # the files each field came from, for formats that point at files


def params_from_json(data: Any, base: Path, what: str) -> dict[str, Any]:
    """API-named parameters from one decoded JSON object; ``@path`` in a PEM field is read relative to ``base``.

    Returns the raw mapping (tags still as JSON) so callers can override fields before building UploadParams.
    """
    if not isinstance(data, Mapping):
        raise SourceError(f"{what}: expected a JSON object with the API's parameter names")
    params: dict[str, Any] = {}
    for name, value in data.items():
        if name in PEM_FIELDS and isinstance(value, str) and value.startswith("@"):
            params[name] = read_file(base / value[1:], f"{what} {name}")
        else:
            params[name] = value
    return params


def read_pkcs12(data: bytes, password: bytes | None, what: str) -> tuple[str, str]:
    """Cert (the certificate, then the chain the file carries) and Key (unencrypted PKCS#8 PEM) from a PKCS#12
    / PFX file, opened with ``password`` (tried as none and as empty when not given). SourceError otherwise."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    loaded = None
    for attempt in [password] if password is not None else [None, b""]:
        try:
            loaded = pkcs12.load_pkcs12(data, attempt)
            break
        except Exception:  # wrong password, not PKCS#12, an algorithm cryptography lacks: said below
            continue
    if loaded is None:
        hint = "the passphrase (--key-password-env) is wrong" if password is not None else "it needs a passphrase"
        raise SourceError(
            f"{what}: cannot open the PKCS#12 file: {hint}, or it is not PKCS#12 (SM2 PFX files need their "
            "vendor's tool)"
        )
    if loaded.key is None or loaded.cert is None:
        raise SourceError(f"{what}: the PKCS#12 file holds no {'private key' if loaded.key is None else 'certificate'}")
    certs = [loaded.cert.certificate, *(c.certificate for c in loaded.additional_certs)]
    cert_pem = "".join(c.public_bytes(serialization.Encoding.PEM).decode("ascii") for c in certs)
    key_pem = loaded.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return cert_pem, key_pem


def build_params(params: Mapping[str, Any], what: str, key_password: bytes | None = None) -> UploadParams:
    try:
        return UploadParams.from_api(params, key_password=key_password)
    except ValueError as exc:
        raise SourceError(f"{what}: {exc}") from None


def read_manifest(path: str | Path, *, key_password: bytes | None = None) -> Iterator[Entry]:
    """Requests from a JSON Lines manifest, streamed: one object per line with the API's parameter names.

    Blank lines and ``#`` comment lines are skipped; a malformed line becomes an Entry with an error (the run
    goes on). The manifest itself being unreadable raises SourceError. Memory stays bounded by the longest
    line (at most LINE_CAP), however long the manifest.
    """
    path = Path(path)
    handle = _open_regular(path, "--manifest")
    with handle:
        for number, raw in enumerate(iter(lambda: handle.readline(LINE_CAP + 1), b""), 1):
            if len(raw) > LINE_CAP and not raw.endswith(b"\n"):
                _skip_rest_of_line(handle)
                yield Entry(f"{path}:{number}", None, f"line {number}: longer than {LINE_CAP} bytes")
                continue
            line = raw.strip()
            if not line or line.startswith(b"#"):
                continue
            yield _manifest_entry(line, path, number, key_password)


def _manifest_entry(line: bytes, path: Path, number: int, key_password: bytes | None) -> Entry:
    import json  # here: `certcheck check` with flags alone never reads JSON

    source, what = f"{path}:{number}", f"line {number}"
    try:
        try:
            data = json.loads(line)
        except (ValueError, RecursionError) as exc:
            raise SourceError(f"{what}: not valid JSON ({exc})") from None
        params = params_from_json(data, path.parent, what)
        return Entry(source, build_params(params, what, key_password))
    except SourceError as exc:
        return Entry(source, None, str(exc))


def _skip_rest_of_line(handle: BinaryIO) -> None:
    while (chunk := handle.readline(1 << 20)) and not chunk.endswith(b"\n"):
        pass
