"""PEM armor: find the blocks in what a user pasted, repair what is unambiguous, refuse what is not.

Users paste PEM in every shape: CRLF, one line with spaces (the form the API's own examples show), blank lines
between blocks, text around the blocks, re-wrapped base64. Whatever is repaired is reported once per field as an
info finding; whatever cannot be read is an error finding naming the field. Nothing here raises on bad input.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from certcheck import der
from certcheck.codes import RFC7468, declare
from certcheck.model import Finding, Severity

__all__ = ["MAX_FIELD_BYTES", "Armor", "Block", "encode", "read"]

# A certificate is 1-3 KB and a long chain a few times that; 256 KiB is far above any real field and far
# below what would make parsing slow. Checked before anything is decoded.
MAX_FIELD_BYTES = 256 * 1024
# One finding per damaged block, up to this many: a field of thousands of broken blocks is one story.
MAX_FINDINGS_PER_FIELD = 5

TOO_LARGE = declare("pem.too_large", Severity.ERROR, "The field is larger than any real certificate or key.", RFC7468)
BINARY = declare("pem.binary", Severity.ERROR, "The field holds binary data, not PEM text.", RFC7468)
DER_GIVEN = declare("pem.der", Severity.ERROR, "The field holds DER (binary ASN.1); the API takes PEM.", RFC7468)
NO_ARMOR = declare(
    "pem.no_armor", Severity.ERROR, "Base64 without -----BEGIN/END----- lines: the armor is missing.", RFC7468
)
NOT_PEM = declare("pem.not_pem", Severity.ERROR, "No PEM block was found in the field.", RFC7468)
TRUNCATED = declare("pem.truncated", Severity.ERROR, "A PEM block has no matching END line.", RFC7468)
BAD_BASE64 = declare("pem.bad_base64", Severity.ERROR, "A PEM block's body is not valid base64.", RFC7468)
CORRUPT = declare("pem.corrupt", Severity.ERROR, "A PEM block decodes, but not to one complete DER structure.", RFC7468)
REPAIRED = declare(
    "pem.repaired",
    Severity.INFO,
    "The PEM was reformatted (line endings, one-line paste, wrapping, surrounding text); the normalized request "
    "carries canonical PEM.",
    RFC7468,
)

_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9][A-Z0-9 ]*?)-----")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_HEADER_LINE = re.compile(r"([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)")
# A body already in canonical form: full 64-column lines, then one last line of at most 64.
_CANONICAL_BODY = re.compile(r"\n(?:[A-Za-z0-9+/]{64}\n)*(?=[A-Za-z0-9+/=]{1,64}\n\Z)[A-Za-z0-9+/]+={0,2}\n")
_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_PATH_LIKE = re.compile(r"@?(?:[~.]?/|[A-Za-z]:\\)?[\w.\-/\\]+\.(?:pem|crt|cer|key|der|p12|pfx)", re.I)


@dataclass(frozen=True, repr=False)
class Block:
    """One PEM block: its label, RFC 1421 headers (``Proc-Type``, ``DEK-Info``) and decoded bytes."""

    label: str
    der: bytes
    headers: tuple[tuple[str, str], ...]
    position: int  # 1-based, among the blocks of the field

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


@dataclass
class Armor:
    """What one field held: its blocks, and findings about the armor itself."""

    blocks: list[Block]
    findings: list[Finding]


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
            TOO_LARGE(
                field,
                f"{field} is {size:,} bytes, over the {limit:,}-byte limit: a certificate "
                f"chain or key is a few KB. Was the wrong file given?",
            )
        )
    repairs: list[str] = []
    text = _as_text(field, data, repairs)
    if isinstance(text, Finding):
        return _fail(text)
    if "\r" in text:
        repairs.append("Windows (CRLF) line endings")
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    blocks: list[Block] = []
    findings: list[Finding] = []
    pos = 0
    outside: list[str] = []
    while True:
        begin = _BEGIN.search(text, pos)
        if begin is None:
            outside.append(text[pos:])
            break
        outside.append(text[pos : begin.start()])
        label = begin.group(1).strip()
        end_marker = f"-----END {label}-----"
        end = text.find(end_marker, begin.end())
        following = text.find("-----BEGIN ", begin.end(), end if end >= 0 else len(text))
        if end < 0 or following >= 0:
            findings.append(
                TRUNCATED(
                    field,
                    f"{field}: block {len(blocks) + 1} (-----BEGIN {label}-----) has no "
                    f"'{end_marker}' line: the paste was cut short.",
                )
            )
            if following < 0:
                break
            pos = following
            continue
        block_or_finding = _decode_body(field, label, text[begin.end() : end], len(blocks) + 1, repairs)
        if isinstance(block_or_finding, Finding):
            findings.append(block_or_finding)
        else:
            blocks.append(block_or_finding)
        pos = end + len(end_marker)

    if len(findings) > MAX_FINDINGS_PER_FIELD:
        extra = len(findings) - MAX_FINDINGS_PER_FIELD
        findings = findings[:MAX_FINDINGS_PER_FIELD]
        first = findings[-1]
        findings.append(Finding(first.code, first.severity, field, f"{field}: {extra} more damaged blocks not listed."))
    if not blocks and not findings:
        return _fail(_no_blocks(field, text))
    _note_outside(outside, repairs)
    if repairs:
        unique = list(dict.fromkeys(repairs))
        findings.insert(
            0,
            REPAIRED(field, f"{field}: repaired {', '.join(unique)}; the normalized request carries canonical PEM."),
        )
    return Armor(blocks, findings)


def _fail(finding: Finding) -> Armor:
    return Armor([], [finding])


def _as_text(field: str, data: str | bytes, repairs: list[str]) -> str | Finding:
    if isinstance(data, bytes):
        if data.startswith(b"\xef\xbb\xbf"):
            repairs.append("a UTF-8 byte order mark")
            data = data[3:]
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a BOM, as Windows editors save "Unicode"
            try:
                text = data.decode("utf-16")
            except UnicodeDecodeError:
                return BINARY(field, f"{field} starts like UTF-16 text but does not decode as it.")
            repairs.append("UTF-16 text encoding")
            return text
        if der.is_single_structure(data):
            return DER_GIVEN(
                field,
                f"{field} holds DER (binary ASN.1){_der_guess(data)}, not PEM. Convert it, e.g. "
                "`openssl x509 -inform der -in FILE -out FILE.pem` for a certificate or "
                "`openssl pkey -inform der -in FILE -out FILE.pem` for a key.",
            )
        if b"\x00" in data:
            return BINARY(field, f"{field} holds binary data ({len(data):,} bytes with NUL bytes), not PEM text.")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if b"-----BEGIN " not in data:
                return BINARY(field, f"{field} is neither PEM text nor UTF-8 ({len(data):,} bytes): a binary file?")
            # PEM blocks are ASCII: other bytes can only be in surrounding text (dropped) or a damaged body.
            repairs.append("text in a non-UTF-8 encoding")
            text = data.decode("latin-1")
    else:
        text = data
    if text.startswith("\ufeff"):
        repairs.append("a byte order mark")
        text = text[1:]
    return text


def _der_guess(data: bytes) -> str:
    """What some DER bytes are, for the message (only on this error path, so imports stay lazy)."""
    from cryptography import x509

    from certcheck.containers import identify_vendor_container

    try:
        x509.load_der_x509_certificate(data)
    except Exception:  # only a guess for a message: any failure means not a certificate
        vendor = identify_vendor_container(data)
        return f": {vendor}, which needs its vendor's tool (or openssl pkcs12) to export a PEM key" if vendor else ""
    return ": a certificate"


def _decode_body(field: str, label: str, body: str, position: int, repairs: list[str]) -> Block | Finding:
    if _CANONICAL_BODY.fullmatch(body):  # the common case, decoded without looking at each line
        return _decode_base64(field, label, body.replace("\n", ""), (), position, charset_checked=True)
    headers: list[tuple[str, str]] = []
    lines = [line.strip() for line in body.split("\n")]
    lines = [line for line in lines if line]
    b64_lines: list[str] = []
    one_line = False
    for line in lines:
        match = _HEADER_LINE.fullmatch(line) if not b64_lines else None
        if match is None:
            one_line = one_line or " " in line or "\t" in line
            b64_lines.extend(line.split())
            continue
        name, value = match.groups()
        if name.lower() in ("proc-type", "dek-info") and " " in value:
            # A one-line paste flattens headers and base64 together: take "Name: value" pairs off the front.
            one_line = True
            tokens = line.split()
            while len(tokens) > 1 and tokens[0].endswith(":") and _HEADER_NAME.fullmatch(tokens[0][:-1]):
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
    charset_checked: bool = False,
) -> Block | Finding:
    if not charset_checked and not _BASE64.fullmatch(b64):
        bad = next((c for c in b64.rstrip("=") if not (c.isalnum() and c.isascii()) and c not in "+/"), "=")
        return BAD_BASE64(
            field,
            f"{field}: block {position} ({label}) contains {bad!r}, which is not base64: the "
            "content was altered or mangled by an editor.",
        )
    if len(b64) % 4:
        return BAD_BASE64(
            field,
            f"{field}: block {position} ({label}) has {len(b64)} base64 characters, not a "
            "multiple of 4: characters are missing.",
        )
    try:
        raw = base64.b64decode(b64, validate=True)
    except binascii.Error:
        return BAD_BASE64(field, f"{field}: block {position} ({label}) is not valid base64.")
    legacy_encrypted = any(k.lower() == "proc-type" and "ENCRYPTED" in v for k, v in headers)
    # Parameter blocks (EC/SM2 PARAMETERS) may hold a bare OID; everything else is a SEQUENCE.
    if not legacy_encrypted and not der.is_single_structure(raw, sequence="PARAMETERS" not in label):
        return CORRUPT(
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


def _no_blocks(field: str, text: str) -> Finding:
    compact = "".join(text.split())
    if compact and _BASE64.fullmatch(compact) and len(compact) % 4 == 0:
        try:
            raw = base64.b64decode(compact, validate=True)
        except binascii.Error:
            raw = b""
        if der.is_single_structure(raw):
            return NO_ARMOR(
                field,
                f"{field} holds base64{_der_guess(raw)} without the -----BEGIN ...----- and "
                "-----END ...----- lines. Add the armor lines (or export the file again as PEM).",
            )
    stripped = text.strip()
    if _PATH_LIKE.fullmatch(stripped):
        return NOT_PEM(
            field,
            f"{field} holds what looks like a file name ({stripped[:80]!r}), not its content: "
            "pass the file's PEM content.",
        )
    return NOT_PEM(
        field,
        f"{field} has no PEM block: expected text starting with '-----BEGIN CERTIFICATE-----' "
        "or '-----BEGIN PRIVATE KEY-----'.",
    )
