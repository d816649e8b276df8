"""Requests found on disk: directory trees in the layouts people have, and explicit files.

Layouts, recognised per directory (README, "certcheck bulk: sources"):

* certbot ``live/<name>/``: ``fullchain.pem`` + ``privkey.pem``; ``cert.pem`` + ``chain.pem`` when there is no
  fullchain. Pointed at a certbot root (``/etc/letsencrypt``), only ``live/`` is walked (``archive/`` holds the
  same certificates under numbered names, ``keys/`` and ``csr/`` old keys and requests).
* acme.sh ``<domain>/`` and ``<domain>_ecc/``: ``fullchain.cer`` + ``<domain>.key``.
* SM pairs in one directory: ``sign`` and ``enc`` certificates and keys (``sign.crt`` + ``sign.key``,
  ``server_sign.crt``, ``signcert.pem`` + ``signkey.pem``, ...), one SM request per prefix.
* plain: one certificate file (``*.crt``, ``*.pem``, ``*.cer``) and one key file (``*.key``, or a ``.pem``
  whose name says key); several of them pair by base name (``a.crt`` + ``a.key``, ``b.pem`` + ``b.key``).

Explicit files (``certcheck bulk a.pem a.key ...``) are grouped by directory and then by the same layouts, so
``live/example.com/*.pem`` is one certbot request. Each request gets a Name derived from its directory,
domain or base name (``derive_name``) and its ``source`` (the directory, or the files).

Certificate and key files that belong to no request become ``source.unmatched`` entries; other files (a
README, acme.sh's ``.conf`` and ``.csr``) are companions or unrelated, and are counted, not reported.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from certcheck.model import UploadParams
from certcheck.report import Location
from certcheck.sources import Entry, SourceError, read_file

__all__ = ["Planned", "Scan", "derive_name", "plan_files", "plan_tree"]

UNMATCHED = "unmatched"  # a Planned of this layout is a file that belongs to no request
UNREADABLE = "unreadable"  # ... or a directory that could not be listed

CERT_EXTENSIONS = (".pem", ".crt", ".cer", ".cert")
KEY_EXTENSIONS = (".key",)
# Files that look like certificate or key material: left over, they are reported.
MATERIAL_EXTENSIONS = (*CERT_EXTENSIONS, *KEY_EXTENSIONS, ".der", ".p12", ".pfx", ".p7b", ".jks")
# Directories never worth walking into.
SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}
# Companion files a layout produces that are not part of the request.
COMPANIONS = {"readme", "readme.md", "readme.txt"}

NAME_MAX = 64  # the 2025-11 page's limit; the 2024-07 page allows 128


@dataclass(frozen=True)
class Planned:
    """One request found on disk: its derived Name, where it came from, and which file is which field."""

    name: str
    source: str
    layout: str  # "certbot", "acme.sh", "sm", "plain", "files"
    fields: tuple[tuple[str, tuple[str, ...]], ...]  # API field -> the files concatenated into it

    def entry(self, key_password: bytes | None = None) -> Entry:
        """Read the files (bounded, regular files only); a file that cannot be read makes an Entry with an error."""
        if self.layout == UNMATCHED:
            message = (
                "a certificate or key file that belongs to no request (certbot, acme.sh, SM pair, or a "
                "certificate and key with the same base name); it was not checked."
            )
            return Entry(self.source, None, message, code="source.unmatched", locations=(Location(None, self.source),))
        if self.layout == UNREADABLE:
            return Entry(self.source, None, f"{self.source}: {self.name}")
        locations: list[Location] = []
        try:
            params: dict[str, bytes] = {}
            for api_name, paths in self.fields:
                parts = []
                for path in paths:
                    data = read_file(path, api_name)
                    locations.append(Location.of_file(api_name, path, data))
                    parts.append(_with_newline(data))
                params[api_name] = b"".join(parts)
        except SourceError as exc:
            return Entry(self.source, None, str(exc))
        return Entry(
            self.source,
            UploadParams(
                name=self.name,
                cert=params.get("Cert"),
                key=params.get("Key"),
                sign_cert=params.get("SignCert"),
                sign_private_key=params.get("SignPrivateKey"),
                encrypt_cert=params.get("EncryptCert"),
                encrypt_private_key=params.get("EncryptPrivateKey"),
                key_password=key_password,
            ),
            locations=tuple(locations),
        )


@dataclass
class Scan:
    """What a walk passed over: files that are no certificate material (a README, acme.sh's ``.conf``)."""

    ignored: int = 0


def _unmatched(path: str) -> Planned:
    return Planned("", path, UNMATCHED, ())


def _with_newline(data: bytes) -> bytes:
    return data if not data or data.endswith(b"\n") else data + b"\n"


def derive_name(base: str, max_chars: int = NAME_MAX) -> str:
    """A Name the API takes, from a directory, domain or file base name (README, "Names in bulk runs").

    ``*.`` at the start becomes ``wildcard_``; every run of characters other than ASCII letters, digits, ``_``
    and ``-`` becomes ``_`` (``example.com`` -> ``example_com``); ``_`` and ``-`` are trimmed from both ends;
    nothing left gives ``cert``. A result longer than ``max_chars`` keeps its start and ends with ``_`` and 8 hex
    digits of the SHA-256 of the original, so two long names stay distinct.
    """
    text = "wildcard_" + base[2:] if base.startswith("*.") else base
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_-") or "cert"
    if len(name) > max_chars:
        digest = hashlib.sha256(base.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        name = name[: max_chars - 9].rstrip("_-") + "_" + digest
    return name


# --- one directory's files -> requests ------------------------------------------------------------------------

_SM = re.compile(r"^(?P<prefix>(?:.*[-_.])?)(?P<role>sign|enc)(?P<what>[-_]?(?:cert|crt|key))?(?P<ext>\.[a-z]+)$")


def _is_key_name(lower: str) -> bool:
    stem, ext = os.path.splitext(lower)
    if ext in KEY_EXTENSIONS:
        return True
    return ext == ".pem" and bool(re.search(r"(^|[-_.])(priv)?key$|^privkey", stem))


def _group(
    directory: str, names: list[str], explicit: bool, max_chars: int
) -> tuple[list[Planned], list[str], list[str]]:
    """The requests among ``names`` (files of ``directory``): (requests, leftover material, other files)."""
    path = Path(directory)
    lower = {n.lower(): n for n in names}
    used: set[str] = set()
    requests: list[Planned] = []
    dir_name = path.name or str(path)

    Fields = tuple[tuple[str, tuple[str, ...]], ...]
    fields: Fields

    def full(*files: str) -> tuple[str, ...]:
        return tuple(str(path / lower[f]) for f in files)

    def source(files: Iterable[str]) -> str:
        return str(path) if not explicit else " + ".join(str(path / lower[f]) for f in files)

    # certbot
    if "privkey.pem" in lower and ("fullchain.pem" in lower or "cert.pem" in lower):
        if "fullchain.pem" in lower:
            cert_files: tuple[str, ...] = ("fullchain.pem",)
        else:
            cert_files = ("cert.pem", "chain.pem") if "chain.pem" in lower else ("cert.pem",)
        fields = (("Cert", full(*cert_files)), ("Key", full("privkey.pem")))
        requests.append(
            Planned(derive_name(dir_name, max_chars), source((*cert_files, "privkey.pem")), "certbot", fields)
        )
        used.update({"privkey.pem", "fullchain.pem", "cert.pem", "chain.pem"} & lower.keys())
    # acme.sh: <domain>/ or <domain>_ecc/ with fullchain.cer and <domain>.key
    domain = dir_name[:-4] if dir_name.lower().endswith("_ecc") else dir_name
    if "fullchain.cer" in lower and f"{domain.lower()}.key" in lower:
        key_file = f"{domain.lower()}.key"
        fields = (("Cert", full("fullchain.cer")), ("Key", full(key_file)))
        requests.append(
            Planned(derive_name(dir_name, max_chars), source(("fullchain.cer", key_file)), "acme.sh", fields)
        )
        companions = {f"{domain.lower()}{suffix}" for suffix in (".cer", ".conf", ".csr", ".csr.conf", ".ssl.conf")}
        used.update(({"fullchain.cer", key_file, "ca.cer"} | companions) & lower.keys())
    # SM pairs, one request per prefix
    sm: dict[str, dict[str, str]] = {}
    for low in lower:
        if low in used:
            continue
        match = _SM.match(low)
        if match is None:
            continue
        ext, what = match["ext"], (match["what"] or "").lstrip("-_")
        is_key = what == "key" or (ext in KEY_EXTENSIONS and what != "cert")
        if not is_key and ext not in CERT_EXTENSIONS:
            continue
        slot = (
            ("SignPrivateKey" if is_key else "SignCert")
            if match["role"] == "sign"
            else ("EncryptPrivateKey" if is_key else "EncryptCert")
        )
        sm.setdefault(match["prefix"], {})[slot] = low
    complete = {p: slots for p, slots in sm.items() if len(slots) == 4}
    for prefix, slots in sorted(complete.items()):
        order = ("SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey")
        fields = tuple((api, full(slots[api])) for api in order)
        label = dir_name if len(complete) == 1 or not prefix.strip("-_.") else f"{dir_name}_{prefix.strip('-_.')}"
        requests.append(Planned(derive_name(label, max_chars), source(slots[a] for a in order), "sm", fields))
        used.update(slots.values())
    # plain pairs: by base name, or the directory's one certificate and one key
    rest = [low for low in lower if low not in used and low.endswith(MATERIAL_EXTENSIONS)]
    keys = [low for low in rest if _is_key_name(low)]
    certs = [low for low in rest if low not in keys and low.endswith(CERT_EXTENSIONS)]
    chains = [c for c in certs if re.search(r"(^|[-_.])(chain|ca|ca-bundle|bundle|intermediate)s?\.[a-z]+$", c)]
    leaves = [c for c in certs if c not in chains]
    pairs: list[tuple[str, str, str]] = []  # (name base, cert, key)
    if len(leaves) == 1 and len(keys) == 1:
        cert_stem, key_stem = _base(leaves[0]), _base(keys[0])
        # One pair in the directory: the directory names it (api.internal/server.crt -> api_internal), unless
        # these are explicit files whose base names agree (a.pem + a.key -> a).
        named = _base(lower[leaves[0]]) if explicit and cert_stem == key_stem else dir_name
        pairs.append((named, leaves[0], keys[0]))
    else:
        by_base = {_base(k): k for k in keys}
        for cert in leaves:
            key = by_base.get(_base(cert))
            if key is not None:
                pairs.append((_base(lower[cert]), cert, key))
    if not explicit and len(pairs) == 1 and not requests:
        pairs = [(dir_name, pairs[0][1], pairs[0][2])]  # the directory's one request: the directory names it
    for base, cert, key in pairs:
        own_chain = [c for c in chains if _base(c) == _base(cert) and c not in used]
        if not own_chain and len(pairs) == 1:
            own_chain = [c for c in chains if c not in used]
        cert_files = (cert, *sorted(own_chain))
        fields = (("Cert", full(*cert_files)), ("Key", full(key)))
        layout = "plain" if not explicit else "files"
        requests.append(Planned(derive_name(base, max_chars), source((*cert_files, key)), layout, fields))
        used.update((*cert_files, key))
    if len(requests) > 1:  # the directory alone no longer says which request: name the files
        requests = [
            Planned(r.name, " + ".join(f for _, files in r.fields for f in files), r.layout, r.fields) for r in requests
        ]
    leftover = [
        str(path / lower[low]) for low in sorted(lower) if low not in used and low.endswith(MATERIAL_EXTENSIONS)
    ]
    other = [
        lower[low]
        for low in lower
        if low not in used and not low.endswith(MATERIAL_EXTENSIONS) and low not in COMPANIONS
    ]
    return requests, leftover, other


def _base(name: str) -> str:
    """``example.com.crt`` -> ``example.com``; ``-key.pem``, ``.key.pem``, ``-chain.pem`` suffixes dropped too."""
    stem = name.rsplit(".", 1)[0]
    suffix = r"([-_.](priv)?key|[-_.](chain|ca|ca-bundle|bundle|intermediate)s?|[-_.](cert|crt|fullchain))$"
    return re.sub(suffix, "", stem, flags=re.IGNORECASE) or stem


# --- walking ---------------------------------------------------------------------------------------------------


def plan_tree(root: str | Path, scan: Scan | None = None, *, max_chars: int = NAME_MAX) -> Iterator[Planned]:
    """Every request under ``root``, directory by directory in sorted order (so runs are reproducible).

    Symlinked files are followed (certbot's ``live/`` links into ``archive/``); symlinked directories are
    not (no loops). Leftover material comes as ``unmatched`` Planned items, where it was found; an unreadable
    directory raises SourceError when it is the root, and is an ``unreadable`` item below it.
    """
    scan = scan if scan is not None else Scan()
    start = Path(root)
    if not start.is_dir():
        raise SourceError(f"{root}: not a directory")
    stack = [start]
    first = True
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            if first:
                raise SourceError(f"{directory}: cannot list: {exc.strerror or exc}") from None
            yield Planned(f"cannot list: {exc.strerror or exc}", str(directory), UNREADABLE, ())
            continue
        first = False
        names = {e.name for e in entries}
        if "live" in names and ({"archive", "renewal"} & names) and (Path(directory) / "live").is_dir():
            # A certbot root: live/ has every current certificate; archive/ the same files under numbered names
            # (and old ones), keys/ and csr/ old keys and requests. Walk live/ only.
            stack.append(Path(directory) / "live")
            continue
        files: list[str] = []
        subdirs: list[Path] = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        subdirs.append(Path(entry.path))
                elif not entry.is_dir():
                    # Regular files, symlinks to them (certbot's live/), and also FIFOs, devices and dangling
                    # links: grouped like files, they fail at reading with a clear error instead of vanishing.
                    files.append(entry.name)
                else:
                    scan.ignored += 1  # a symlink to a directory: not followed (no loops)
            except OSError:
                scan.ignored += 1
        if files:
            requests, leftover, other = _group(str(directory), files, explicit=False, max_chars=max_chars)
            yield from requests
            yield from map(_unmatched, leftover)
            scan.ignored += len(other)
        stack.extend(reversed(subdirs))


def plan_files(paths: Iterable[str], scan: Scan | None = None, *, max_chars: int = NAME_MAX) -> Iterator[Planned]:
    """Requests from files named one by one, grouped by directory, then by layout and base name."""
    scan = scan if scan is not None else Scan()
    by_dir: dict[str, list[str]] = {}
    for text in paths:
        path = Path(text)
        by_dir.setdefault(str(path.parent), [])
        if path.name not in by_dir[str(path.parent)]:
            by_dir[str(path.parent)].append(path.name)
    for directory, names in by_dir.items():
        requests, leftover, other = _group(directory, names, explicit=True, max_chars=max_chars)
        yield from requests
        yield from map(_unmatched, leftover)
        yield from (_unmatched(str(Path(directory) / name)) for name in other)  # named explicitly: never silent
