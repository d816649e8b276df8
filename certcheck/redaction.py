"""Recognise private key material in free text, whatever its form, so it is never shown.

People paste keys where they do not belong: into Name, a tag, a JSON member name, a command-line flag. A key
arrives armored (``-----BEGIN PRIVATE KEY-----``), as the bare base64 body without its armor lines (what a web
form's "copy" often takes), or as DER in hex (``openssl asn1parse``/``xxd -p`` output, ``30:82:...``). All three
are recognised here by decoding and looking for the *structure* of a private key, not by guessing from
characters: a PKCS#1 RSA/DSA key, a PKCS#8 (RFC 5958) key, a SEC1 (RFC 5915) EC/SM2 key, or a PKCS#8
EncryptedPrivateKeyInfo. Only the start of the structure is needed, so a key cut short in a paste is still
recognised.

Cost: texts shorter than ``MIN_RUN`` characters (every real name and tag) return at once; otherwise the work is
a few linear passes (regular expressions and base64/hex decoding at each alignment) over at most ``SCAN_CHARS``
characters. A text longer than that (no parameter may be; it is refused for its length) is searched for armor
whole but decoded only at its start: output shows no more than its first ``MAX_SHOWN`` characters anyway.
"""

from __future__ import annotations

import binascii
import hashlib

from certcheck._lazy_re import LazyPattern

__all__ = ["MAX_SHOWN", "contains_private_key", "is_private_key_der", "quote", "redact", "show_text", "withhold"]

# The shortest key worth recognising: an Ed25519 PKCS#8 key is 64 base64 characters, 96 hex digits.
MIN_RUN = 60
# How much of a user's free text (Name, a tag, ResourceGroupId, a member name) output shows: longer values are
# cut and their length given, so a 60 MB Name cannot become 60 MB of output.
MAX_SHOWN = 200

# The largest key in its widest form (RSA-8192 PKCS#8 in colon hex) is ~15 KB: decode up to four times that.
SCAN_CHARS = 64 * 1024

ARMOR = "PRIVATE KEY-----"


class _Patterns:
    """Compiled on first use: only a text of ``MIN_RUN`` characters or more is searched, and a clean
    `certcheck check` shows none, while compiling them all costs ~0.4 ms of every start
    (benchmarks/bench_startup.py)."""

    # The armor line followed by its body (after blank space, escaped line breaks and RFC 1421 headers).
    armored_body = LazyPattern(
        r"PRIVATE KEY-----(?:\s|\\[nrt])*(?:(?:Proc-Type|DEK-Info):[^\n\\]*(?:\s|\\[nrt])+)*[A-Za-z0-9+/]{40}"
    )
    # Line breaks that arrive escaped (copied out of JSON or a shell string) or as whitespace, and hex separators.
    noise = LazyPattern(r"\\[nrt]|[\s:]+")
    b64_run = LazyPattern(rf"[A-Za-z0-9+/]{{{MIN_RUN},}}")
    b64url_run = LazyPattern(rf"[A-Za-z0-9_-]{{{MIN_RUN},}}")
    hex_run = LazyPattern(rf"(?:0x)?[0-9A-Fa-f]{{{MIN_RUN},}}")
    # A DER SEQUENCE header (short, 1- or 2-byte length) followed by INTEGER 0/1 (a key's version) or a
    # SEQUENCE (an EncryptedPrivateKeyInfo's algorithm). Every candidate is then checked structurally.
    candidate = LazyPattern(rb"\x30(?:[\x00-\x7f]|\x81[\x80-\xff]|\x82[\x00-\xff]{2})(?:\x02\x01[\x00\x01]|\x30)")


_RE = _Patterns()
# PKCS#5 (PBES1/PBES2) and PKCS#12 PBE algorithm OIDs, as the start of their DER contents.
_PBE_OIDS = (bytes.fromhex("2a864886f70d0105"), bytes.fromhex("2a864886f70d010c01"))


def contains_private_key(text: str) -> bool:
    """True when ``text`` holds private key material, armored, as bare base64 or as DER hex."""
    if len(text) < MIN_RUN:
        return False
    if ARMOR in text and _RE.armored_body.search(text):
        return True  # armor and its base64 body: a key (the words "-----BEGIN PRIVATE KEY-----" alone are not)
    compact = _RE.noise.sub("", text[:SCAN_CHARS])
    if len(compact) < MIN_RUN:
        return False
    for run in _RE.b64_run.findall(compact):
        if any(_key_in(_b64(run, start)) for start in range(4)):
            return True
    for run in _RE.b64url_run.findall(compact):
        if ("-" in run or "_" in run) and any(_key_in(_b64(run.translate(_URLSAFE), s)) for s in range(4)):
            return True
    for run in _RE.hex_run.findall(compact):
        digits = run[2:] if run[:2].lower() == "0x" else run
        if any(_key_in(_hex(digits, start)) for start in range(2)):
            return True
    return False


_URLSAFE = str.maketrans("-_", "+/")


def _b64(run: str, start: int) -> bytes:
    chunk = run[start:]
    chunk = chunk[: len(chunk) - len(chunk) % 4]
    try:
        return binascii.a2b_base64(chunk)
    except binascii.Error:
        return b""


def _hex(run: str, start: int) -> bytes:
    chunk = run[start:]
    try:
        return bytes.fromhex(chunk[: len(chunk) - len(chunk) % 2])
    except ValueError:
        return b""


def _key_in(data: bytes) -> bool:
    return any(_is_key_at(data, m.start()) for m in _RE.candidate.finditer(data))


def is_private_key_der(data: bytes) -> bool:
    """Whether DER bytes start like a private key (PKCS#1, PKCS#8, SEC1, EncryptedPrivateKeyInfo)."""
    return _is_key_at(data, 0)


def _header(data: bytes, i: int) -> tuple[int, int, int] | None:
    """(tag, declared length, start of contents) of the TLV at ``i``; the contents may run past the end."""
    if i + 2 > len(data):
        return None
    tag, first = data[i], data[i + 1]
    if first < 0x80:
        return tag, first, i + 2
    count = first & 0x7F
    if not 1 <= count <= 3 or i + 2 + count > len(data):
        return None
    return tag, int.from_bytes(data[i + 2 : i + 2 + count], "big"), i + 2 + count


def _is_key_at(data: bytes, i: int) -> bool:
    outer = _header(data, i)
    if outer is None or outer[0] != 0x30:
        return False
    first = _header(data, outer[2])
    if first is None:
        return False
    if first[0] == 0x30:  # EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier (a PBE OID), OCTET STRING }
        oid = _header(data, first[2])
        if oid is None or oid[0] != 0x06:
            return False
        value = data[oid[2] : oid[2] + oid[1]]
        return any(value.startswith(prefix) for prefix in _PBE_OIDS)
    if first[:2] != (0x02, 1):
        return False
    version = data[first[2]]
    second = _header(data, first[2] + 1)
    if second is None:
        return False
    tag, length, contents = second
    if tag == 0x02 and version == 0:  # PKCS#1 RSAPrivateKey / OpenSSL DSA: version 0, then a long INTEGER
        return length >= 16
    if tag == 0x30:  # PKCS#8: version 0 or 1, AlgorithmIdentifier { OID, ... }, then an OCTET STRING
        oid = _header(data, contents)
        after = contents + length  # where the OCTET STRING starts (a v1 certificate has a Name there)
        return oid is not None and oid[0] == 0x06 and 3 <= oid[1] <= 32 and (after >= len(data) or data[after] == 0x04)
    if tag == 0x04 and version == 1:  # SEC1 ECPrivateKey: version 1, then the private scalar
        return 16 <= length <= 80
    return False


def redact(secret: str | bytes) -> str:
    """How a private key is shown everywhere: a short digest that identifies it without revealing it."""
    data = secret.encode("utf-8", "surrogatepass") if isinstance(secret, str) else secret
    return f"<redacted sha256:{hashlib.sha256(data).hexdigest()[:12]}>"


def show_text(value: str, limit: int = MAX_SHOWN) -> str:
    """User-given free text as output may show it: redacted when it holds a private key, cut when long."""
    if contains_private_key(value):
        return redact(value)
    if len(value) > limit:
        return f"{value[: limit // 2]}...<{len(value):,} characters>"
    return value


def quote(value: object, limit: int = 60) -> str:
    """A user-given value quoted inside a repr or an exception message: never a key, never megabytes."""
    if not isinstance(value, str):
        return f"<{type(value).__name__}>"
    if contains_private_key(value):
        return redact(value)
    if len(value) > limit:
        return f"{value[: limit // 2]!r}...<{len(value):,} characters>"
    return repr(value)


def withhold(message: str) -> str:
    """A message, unless it quotes private key material (then a notice in its place): the last line of defence."""
    if contains_private_key(message):
        return "(message withheld: it would have quoted private key material)"
    return message
