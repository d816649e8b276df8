"""PEM armor: find the blocks in what a user pasted, repair what is unambiguous, refuse what is not.

Users paste PEM in every shape: CRLF, one line with spaces (the form the API's own examples show), blank lines
between blocks, text around the blocks, re-wrapped base64. Whatever is repaired is noted once per field, whatever
cannot be read is a problem naming the field; ``rules/pem.py`` turns both into findings. Nothing here raises on
bad input, and reading is linear in the input whatever it holds (each character is scanned a bounded number of
times; ``tests/test_pem.py`` feeds it a field of nothing but BEGIN lines).
"""

from __future__ import annotations

import base64
import binascii
import re

from certcheck._crypto import der
from certcheck._lazy_re import LazyPattern
from certcheck._record import Record
from certcheck.model import Problem

__all__ = ["MAX_FIELD_BYTES", "Armor", "Block", "encode", "read"]

# A certificate is 1-3 KB and a long chain a few times that; 256 KiB is far above any real field and far
# below what would make parsing slow. Checked before anything is decoded.
MAX_FIELD_BYTES = 256 * 1024
# One finding per damaged block, up to this many: a field of thousands of broken blocks is one story.
MAX_FINDINGS_PER_FIELD = 5

# The codes this module's problems carry; rules/pem.py declares and reports them.
TOO_LARGE, BINARY, DER_GIVEN, NO_ARMOR, NOT_PEM = (
    "pem.too_large",
    "pem.binary",
    "pem.der",
    "pem.no_armor",
    "pem.not_pem",
)
TRUNCATED, BAD_BASE64, CORRUPT, REPAIRED = "pem.truncated", "pem.bad_base64", "pem.corrupt", "pem.repaired"

# The characters of a PEM label ("CERTIFICATE", "EC PRIVATE KEY"), as the canonical path accepts them.
_LABEL_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "


class _Patterns:
    """The general path's expressions, compiled on first use: canonical input, the common case, never needs
    them (benchmarks/bench_startup.py)."""

    begin = LazyPattern(r"-----BEGIN ([A-Z0-9][A-Z0-9 ]*?)-----")
    base64 = LazyPattern(r"[A-Za-z0-9+/]*={0,2}")
    header_line = LazyPattern(r"([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)")
    header_name = LazyPattern(r"[A-Za-z][A-Za-z0-9-]*")
    path_like = LazyPattern(r"@?(?:[~.]?/|[A-Za-z]:\\)?[\w.\-/\\]+\.(?:pem|crt|cer|key|der|p12|pfx)", re.I)


_RE = _Patterns()


class Block(Record):
    """One PEM block: its label, RFC 1421 headers (``Proc-Type``, ``DEK-Info``) and decoded bytes."""

    __slots__ = ("canonical", "der", "headers", "label", "position")
    label: str
    der: bytes
    headers: tuple[tuple[str, str], ...]
    position: int  # 1-based, among the blocks of the field
    # The block exactly as given, when that already is canonical PEM (LF, 64 columns, no headers): the
    # normalized request then reuses it instead of encoding the DER again.
    canonical: str | None

    def __init__(
        self,
        label: str,
        der: bytes,
        headers: tuple[tuple[str, str], ...],
        position: int,
        canonical: str | None = None,
    ) -> None:
        init = object.__setattr__
        init(self, "label", label)
        init(self, "der", der)
        init(self, "headers", headers)
        init(self, "position", position)
        init(self, "canonical", canonical)

    @property
    def is_private(self) -> bool:
        return "PRIVATE KEY" in self.label

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def __repr__(self) -> str:
        # A private key block never shows its bytes, not even in a debugger or a log of a repr.
        body = "<redacted>" if self.is_private else f"{len(self.der)} bytes"
        return f"Block({self.label!r}, #{self.position}, {body})"


class Armor(Record):
    """What one field held: its blocks, and problems with the armor itself."""

    __slots__ = ("blocks", "problems")
    blocks: tuple[Block, ...]
    problems: tuple[Problem, ...]

    def __init__(self, blocks: tuple[Block, ...], problems: tuple[Problem, ...]) -> None:
        init = object.__setattr__
        init(self, "blocks", blocks)
        init(self, "problems", problems)


def encode(label: str, data: bytes, headers: tuple[tuple[str, str], ...] = ()) -> str:
    """Canonical PEM: LF line ends, 64-column base64, one trailing newline (RFC 1421 headers if given)."""
    b64 = base64.b64encode(data).decode("ascii")
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    head = [*(f"{name}: {value}" for name, value in headers), ""] if headers else []
    return "\n".join([f"-----BEGIN {label}-----", *head, *lines, f"-----END {label}-----"]) + "\n"


def read(field: str, data: str | bytes, *, limit: int = MAX_FIELD_BYTES) -> Armor:
    """Split a field into PEM blocks; never raises on bad input."""
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8", "surrogatepass"))
    if size > limit:
        return _fail(
            TOO_LARGE,
            field,
            f"{field} is {size:,} bytes, over the {limit:,}-byte limit: a certificate "
            f"chain or key is a few KB. Was the wrong file given?",
        )
    # Files arrive as bytes (the CLI, bulk): ASCII bytes are the same text, and canonical PEM is ASCII. Taking them
    # the general way cost `certcheck check` ~0.3 ms (two more patterns compiled, each block split into lines).
    text_given = data if isinstance(data, str) else data.decode("ascii") if data.isascii() else None
    if text_given is not None:
        fast = _read_canonical(field, text_given)
        if fast is not None:
            return fast
    repairs: list[str] = []
    text = _as_text(field, data, repairs)
    if isinstance(text, Problem):
        return Armor((), (text,))
    if "-----\\n" in text or "\\n-----END " in text or "-----\\r\\n" in text:
        # Line breaks that arrived as the two characters \n (PEM copied out of a JSON string or a web form);
        # JSON may also escape "/" as "\/". A backslash is never part of PEM, so this is unambiguous.
        repairs.append("line breaks written as the characters \\n (copied from JSON?)")
        text = text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\\r", "\n").replace("\\/", "/")
    if "\r" in text:
        repairs.append("Windows (CRLF) line endings")
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    blocks: list[Block] = []
    problems: list[Problem] = []
    pos = 0
    outside: list[str] = []
    while True:
        begin = _RE.begin.search(text, pos)
        if begin is None:
            outside.append(text[pos:])
            break
        outside.append(text[pos : begin.start()])
        label = begin.group(1).strip()
        end_marker = f"-----END {label}-----"
        # Linear whatever the input: the END line is looked for only up to the next BEGIN line, so a field of
        # BEGIN lines without END is scanned once, not once per BEGIN line.
        following = text.find("-----BEGIN ", begin.end())
        end = text.find(end_marker, begin.end(), following if following >= 0 else len(text))
        if end < 0:
            problems.append(
                Problem(
                    TRUNCATED,
                    field,
                    f"{field}: block {len(blocks) + 1} (-----BEGIN {label}-----) has no "
                    f"'{end_marker}' line: the paste was cut short.",
                )
            )
            if following < 0:
                break
            pos = following
            continue
        whole = text[begin.start() : end + len(end_marker)]
        block = _decode_body(field, label, whole, begin.end() - begin.start(), len(blocks) + 1, repairs)
        if isinstance(block, Problem):
            problems.append(block)
        else:
            blocks.append(block)
        pos = end + len(end_marker)

    if len(problems) > MAX_FINDINGS_PER_FIELD:
        extra = len(problems) - MAX_FINDINGS_PER_FIELD
        problems = problems[:MAX_FINDINGS_PER_FIELD]
        problems.append(Problem(problems[-1].code, field, f"{field}: {extra} more damaged blocks not listed."))
    if not blocks and not problems:
        return Armor((), (_no_blocks(field, text),))
    _note_outside(outside, repairs)
    if repairs:
        unique = list(dict.fromkeys(repairs))
        problems.insert(
            0,
            Problem(
                REPAIRED, field, f"{field}: repaired {', '.join(unique)}; the normalized request carries canonical PEM."
            ),
        )
    return Armor(tuple(blocks), tuple(problems))


def _read_canonical(field: str, text: str) -> Armor | None:
    """The field when it is nothing but canonical blocks that decode to DER; None sends it the general way.

    Canonical: "-----BEGIN LABEL-----", base64 in lines of exactly 64 characters and a last line of 1 to 64, the
    matching END line, each line ending in LF, nothing between or around the blocks. Checked with string methods
    and a decoding that must encode back to the same text, instead of a regular expression (benchmarks/bench_parts.py,
    the "pem_canonical" rows): every request reads its certificate and key fields this way.
    """
    blocks: list[Block] = []
    pos, size = 0, len(text)
    while pos < size:
        if not text.startswith("-----BEGIN ", pos):
            return None
        head_end = text.find("-----\n", pos + 11)
        label = text[pos + 11 : head_end]
        if head_end < 0 or not _plain_label(label):
            return None
        end_line = f"\n-----END {label}-----\n"
        body_start = head_end + 6
        body_end = text.find(end_line, body_start) + 1  # the body keeps its last LF; 0: no END line
        raw = _canonical_der(text[body_start:body_end]) if body_end else None
        if raw is None or not der.is_single_structure(raw, sequence="PARAMETERS" not in label):
            return None
        after = body_end + len(end_line) - 1
        blocks.append(Block(label, raw, (), len(blocks) + 1, text[pos:after]))
        pos = after
    return Armor(tuple(blocks), ()) if blocks else None


def _plain_label(label: str) -> bool:
    """Upper-case letters and digits, words separated by single spaces."""
    return bool(label) and not label.strip(_LABEL_CHARACTERS) and label.strip() == label and "  " not in label


def _canonical_der(body: str) -> bytes | None:
    """The bytes of a body in canonical form (``_wrapped_at_64``, and base64 that encodes back to itself); None
    when it is not (both paths call it: what one takes as canonical, so does the other)."""
    if not _wrapped_at_64(body):
        return None
    b64 = body.replace("\n", "")
    try:
        raw = binascii.a2b_base64(b64)
    except ValueError:  # binascii.Error, or a non-ASCII character: the general path says what is wrong
        return None
    # a2b_base64 skips characters outside the alphabet: encoding the bytes again must give the text back
    # (which also rules out misplaced padding and unused bits that are set).
    return raw if binascii.b2a_base64(raw, newline=False) == b64.encode("ascii") else None


def _wrapped_at_64(body: str) -> bool:
    """Whether ``body`` is lines of 64 characters and a last line of 1 to 64, each ending in LF."""
    size = len(body)
    full = (size - 1) // 65  # lines before the last one
    return size >= 2 and body[-2] != "\n" and body.count("\n") == full + 1 and body[64 : size - 1 : 65] == "\n" * full


def _fail(code: str, field: str, message: str) -> Armor:
    return Armor((), (Problem(code, field, message),))


def _as_text(field: str, data: str | bytes, repairs: list[str]) -> str | Problem:
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            repairs.append("a UTF-8 byte order mark")
            data = data[3:]
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a BOM, as Windows editors save "Unicode"
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                return Problem(BINARY, field, f"{field} starts like UTF-16 text but does not decode as it.")
            repairs.append("UTF-16 text encoding")
            return text
        converted = _der_as_pem(data)
        if converted is not None:  # DER certificates (or one key) are unambiguous: converted, with a note
            repairs.append(converted[1])
            return converted[0]
        if der.is_single_structure(data):
            guess = _der_guess(data)
            if "PKCS#12" in guess:
                return Problem(
                    DER_GIVEN,
                    field,
                    f"{field} holds a PKCS#12 (PFX) keystore, not PEM: give the file with `--pfx FILE "
                    "--key-password-env VAR` (certcheck takes Cert and Key out of it), or export PEM with "
                    "`openssl pkcs12 -in FILE -nodes`.",
                )
            return Problem(
                DER_GIVEN,
                field,
                f"{field} holds DER (binary ASN.1){guess}, not PEM. Convert it, e.g. "
                "`openssl x509 -inform der -in FILE -out FILE.pem` for a certificate or "
                "`openssl pkey -inform der -in FILE -out FILE.pem` for a key.",
            )
        if b"\x00" in data:
            return Problem(
                BINARY, field, f"{field} holds binary data ({len(data):,} bytes with NUL bytes), not PEM text."
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if b"-----BEGIN " not in data:
                return Problem(
                    BINARY, field, f"{field} is neither PEM text nor UTF-8 ({len(data):,} bytes): a binary file?"
                )
            # PEM blocks are ASCII: other bytes can only be in surrounding text (dropped) or a damaged body.
            repairs.append("text in a non-UTF-8 encoding")
            text = data.decode("latin-1")
    else:
        text = data
    if text.startswith("\ufeff"):
        repairs.append("a byte order mark")
        text = text[1:]
    return text


def _der_as_pem(data: bytes) -> tuple[str, str] | None:
    """DER certificates (one, or several back to back, as some tools export a chain) or one DER private key, as
    PEM text and the repair to note; None when the bytes are not that."""
    from cryptography import x509

    from certcheck.redaction import is_private_key_der

    try:
        first = der.read_tlv(data)
    except ValueError:
        return None
    if first.tag != der.SEQUENCE:
        return None
    if first.end == len(data) and is_private_key_der(data):
        try:
            encrypted = der.children(data, first)[0].tag == der.SEQUENCE
        except ValueError:  # starts like a key, but is no complete DER structure: not this repair
            return None
        label = "ENCRYPTED PRIVATE KEY" if encrypted else "PRIVATE KEY"
        return encode(label, data), "a DER (binary) private key, converted to PEM"
    parts: list[bytes] = []
    pos = 0
    while pos < len(data) and len(parts) < 64:
        try:
            tlv = der.read_tlv(data, pos)
            x509.load_der_x509_certificate(data[pos : tlv.end])
        except Exception:  # not a certificate (cryptography's own exception types included): not this repair
            return None
        parts.append(data[pos : tlv.end])
        pos = tlv.end
    if pos != len(data):
        return None
    what = "a DER (binary) certificate" if len(parts) == 1 else f"{len(parts)} DER (binary) certificates"
    return "".join(encode("CERTIFICATE", part) for part in parts), f"{what}, converted to PEM"


def _der_guess(data: bytes) -> str:
    """What some DER bytes are, for the message (only on this error path, so imports stay lazy)."""
    from cryptography import x509

    from certcheck._crypto.containers import identify_vendor_container

    try:
        x509.load_der_x509_certificate(data)
    except Exception:  # only a guess for a message: any failure means not a certificate
        vendor = identify_vendor_container(data)
        return f": {vendor}, which needs its vendor's tool (or openssl pkcs12) to export a PEM key" if vendor else ""
    return ": a certificate"


def _decode_body(field: str, label: str, whole: str, head: int, position: int, repairs: list[str]) -> Block | Problem:
    """``whole`` is the block from BEGIN to END line inclusive; its body starts ``head`` characters in."""
    body = whole[head : len(whole) - len(label) - 14]  # 14: "-----END " + "-----"
    raw = _canonical_der(body[1:]) if body.startswith("\n") else None
    if raw is not None and der.is_single_structure(raw, sequence="PARAMETERS" not in label):
        # The common case, decoded without looking at each line; kept as given when the BEGIN line is exact too.
        return Block(label, raw, (), position, whole + "\n" if head == len(label) + 16 else None)
    headers: list[tuple[str, str]] = []
    lines = [line.strip() for line in body.split("\n")]
    lines = [line for line in lines if line]
    b64_lines: list[str] = []
    one_line = False
    for line in lines:
        match = _RE.header_line.fullmatch(line) if not b64_lines else None
        if match is None:
            one_line = one_line or " " in line or "\t" in line
            b64_lines.extend(line.split())
            continue
        name, value = match.groups()
        if name.lower() in ("proc-type", "dek-info") and " " in value:
            # A one-line paste flattens headers and base64 together: take "Name: value" pairs off the front.
            one_line = True
            tokens = line.split()
            while len(tokens) > 1 and tokens[0].endswith(":") and _RE.header_name.fullmatch(tokens[0][:-1]):
                headers.append((tokens[0][:-1], tokens[1]))
                tokens = tokens[2:]
            b64_lines.extend(tokens)
        else:
            headers.append((name, value))
    if one_line:
        repairs.append("a one-line paste (spaces in place of line breaks)")
    elif b64_lines and (any(len(x) != 64 for x in b64_lines[:-1]) or len(b64_lines[-1]) > 64):
        repairs.append("base64 wrapped at other than 64 columns")
    if headers and "PRIVATE KEY" not in label:
        repairs.append(f"headers inside a {label} block (dropped)")
        headers = []
    return _decode_base64(field, label, "".join(b64_lines), tuple(headers), position)


def _decode_base64(
    field: str,
    label: str,
    b64: str,
    headers: tuple[tuple[str, str], ...],
    position: int,
) -> Block | Problem:
    if not _RE.base64.fullmatch(b64):
        bad = next((c for c in b64.rstrip("=") if not (c.isalnum() and c.isascii()) and c not in "+/"), "=")
        return Problem(
            BAD_BASE64,
            field,
            f"{field}: block {position} ({label}) contains {bad!r}, which is not base64: the "
            "content was altered or mangled by an editor.",
        )
    if len(b64) % 4:
        return Problem(
            BAD_BASE64,
            field,
            f"{field}: block {position} ({label}) has {len(b64)} base64 characters, not a "
            "multiple of 4: characters are missing.",
        )
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        return Problem(BAD_BASE64, field, f"{field}: block {position} ({label}) is not valid base64.")
    legacy_encrypted = any(k.lower() == "proc-type" and "ENCRYPTED" in v for k, v in headers)
    # Parameter blocks (EC/SM2 PARAMETERS) may hold a bare OID; everything else is a SEQUENCE.
    if not legacy_encrypted and not der.is_single_structure(raw, sequence="PARAMETERS" not in label):
        return Problem(
            CORRUPT,
            field,
            f"{field}: block {position} ({label}) decodes to {len(raw):,} bytes that are not one "
            "complete DER structure: the block was cut or corrupted.",
        )
    return Block(label, raw, headers, position)


def _note_outside(outside: list[str], repairs: list[str]) -> None:
    if any(chunk.strip() for chunk in outside):
        repairs.append("text outside the PEM blocks (dropped)")
    elif any("\n\n" in chunk for chunk in outside[1:-1]):
        repairs.append("blank lines between blocks")


def _no_blocks(field: str, text: str) -> Problem:
    compact = "".join(text.split())
    if compact and _RE.base64.fullmatch(compact) and len(compact) % 4 == 0:
        try:
            raw = base64.b64decode(compact, validate=True)
        except binascii.Error:
            raw = b""
        if der.is_single_structure(raw):
            return Problem(
                NO_ARMOR,
                field,
                f"{field} holds base64{_der_guess(raw)} without the -----BEGIN ...----- and "
                "-----END ...----- lines. Add the armor lines (or export the file again as PEM).",
            )
    stripped = text.strip()
    if _RE.path_like.fullmatch(stripped):
        return Problem(
            NOT_PEM,
            field,
            f"{field} holds what looks like a file name ({stripped[:80]!r}), not its content: "
            "pass the file's PEM content.",
        )
    return Problem(
        NOT_PEM,
        field,
        f"{field} has no PEM block: expected text starting with '-----BEGIN CERTIFICATE-----' "
        "or '-----BEGIN PRIVATE KEY-----'.",
    )
