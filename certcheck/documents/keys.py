"""Private keys: RSA, EC and SM2, plain or (with a passphrase) encrypted; secrets never shown.

RSA keys are loaded with ``unsafe_skip_rsa_key_validation=True``: the default validation costs ~42 ms per key
(DESIGN.md), 3000x the parse. ``check_rsa_consistency`` replaces it with the algebra that matters here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field

from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from certcheck import der, pem
from certcheck.documents.certs import Algorithm

__all__ = ["PLAIN_LABELS", "KeyError_", "PrivateKey", "check_rsa_consistency", "load_private_key"]

PLAIN_LABELS = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY", "DSA PRIVATE KEY"}


class KeyError_(Exception):  # trailing underscore: the builtin KeyError means something else
    """A key that cannot be used; ``kind`` picks the finding code, the message is safe to show."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(eq=False, repr=False)
class PrivateKey:
    """A loaded private key. ``pem`` is the canonical unencrypted PEM to send: a secret."""

    field: str
    algorithm: Algorithm
    form: str  # "PKCS#1", "PKCS#8", "SEC1", with " (decrypted)" when a passphrase opened it
    pem: str = dc_field(repr=False)
    key_size: int | None = None
    curve: str | None = None
    rsa_numbers: rsa.RSAPrivateNumbers | None = dc_field(default=None, repr=False)
    ec_point: bytes | None = None  # the public point, computed by cryptography (EC) or None (SM2: see sm2_d)
    sm2_d: int | None = dc_field(default=None, repr=False)
    sm2_embedded_point: bytes | None = None  # the public point a SEC1 key carries, if any: compared, never trusted
    notes: list[str] = dc_field(default_factory=list)  # repairs worth an info finding (relabelled, decrypted)

    def public_point(self) -> bytes | None:
        """The uncompressed public point: cryptography's for EC, d*G for SM2 (computed once, ~0.3 ms)."""
        if self.algorithm is Algorithm.SM2 and self.ec_point is None and self.sm2_d is not None:
            from certcheck import sm2

            try:
                self.ec_point = sm2.encode_point(sm2.public_from_private(self.sm2_d))
            except ValueError:  # d out of range: reported by the key rule
                return None
        return self.ec_point

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.pem.encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"PrivateKey({self.field}, {self.algorithm.value}, {self.form}, <redacted sha256:{self.fingerprint}>)"

    __str__ = __repr__


def check_rsa_consistency(numbers: rsa.RSAPrivateNumbers) -> str | None:
    """Why an RSA private key is internally inconsistent, or None. A few big-int operations, ~6 us.

    Sound for what an upload needs: with n = p*q (1 < p, q < n) the key's factors are the certificate modulus'
    factors once n matches; the CRT exponents and coefficient are what OpenSSL signs with, and d is what
    other stacks use, so all are checked against e.
    """
    pub = numbers.public_numbers
    n, e = pub.n, pub.e
    p, q = numbers.p, numbers.q
    if not (1 < p < n and 1 < q < n) or p * q != n:
        return "its primes do not multiply to its modulus"
    if e < 3 or e % 2 == 0:
        return "its public exponent is not an odd number >= 3"
    if not (0 < numbers.dmp1 < p - 1 and (e * numbers.dmp1) % (p - 1) == 1):
        return "its first CRT exponent (dP) does not invert e modulo p-1"
    if not (0 < numbers.dmq1 < q - 1 and (e * numbers.dmq1) % (q - 1) == 1):
        return "its second CRT exponent (dQ) does not invert e modulo q-1"
    if not (0 < numbers.iqmp < p and (numbers.iqmp * q) % p == 1):
        return "its CRT coefficient (qInv) is not the inverse of q modulo p"
    lam = (p - 1) // math.gcd(p - 1, q - 1) * (q - 1)
    if not (0 < numbers.d < n and (e * numbers.d) % lam == 1):
        return "its private exponent d does not invert e"
    return None


# The SM2 curve OID as DER, as an "SM2 PARAMETERS" / "EC PARAMETERS" block carries it and as SEC1's [0] holds it.
SM2_CURVE_DER = bytes.fromhex("06082a811ccf5501822d")


def load_private_key(
    block: pem.Block, field_name: str, password: bytes | None, sm2_parameters: bool = False
) -> PrivateKey:
    """Load one private-key block; raise KeyError_ with a safe message when it cannot be used.

    ``sm2_parameters``: the field also held a parameters block naming SM2, which is the only way to know the
    curve of a SEC1 key that omits its own parameters (OpenSSL can write keys so).
    """
    label = block.label
    if block.header("Proc-Type") is not None and "ENCRYPTED" in (block.header("Proc-Type") or ""):
        return _load_legacy_encrypted(block, field_name, password)
    if label == "ENCRYPTED PRIVATE KEY":
        return _load_pkcs8_encrypted(block, field_name, password)
    if label == "OPENSSH PRIVATE KEY":
        raise KeyError_(
            "unreadable",
            f"{field_name} holds an OpenSSH-format key; the API takes PEM (PKCS#1/PKCS#8). "
            "Convert a copy with `ssh-keygen -p -m PEM -f KEYFILE`.",
        )
    if label not in PLAIN_LABELS:
        raise KeyError_("unreadable", f"{field_name}: '{label}' is not a private key label.")
    return _load_plain(block.der, label, field_name, sm2_parameters=sm2_parameters)


# Which format a key's DER is in, whatever its PEM label claims: the second element of the outer SEQUENCE is
# an AlgorithmIdentifier (PKCS#8), the private key OCTET STRING (SEC1) or the modulus INTEGER (PKCS#1, DSA).
_FORM_BY_SECOND_TAG = {0x30: "PKCS#8", 0x04: "SEC1", 0x02: "PKCS#1"}
# The label each format carries in canonical PEM (the API's SM example uses "EC PRIVATE KEY" for SEC1 SM2).
CANONICAL_LABEL = {"PKCS#8": "PRIVATE KEY", "SEC1": "EC PRIVATE KEY", "PKCS#1": "RSA PRIVATE KEY"}
_FORM_BY_LABEL = {"PRIVATE KEY": "PKCS#8", "RSA PRIVATE KEY": "PKCS#1", "DSA PRIVATE KEY": "PKCS#1"}


def _der_form(data: bytes, label: str) -> str:
    try:
        outer = der.read_tlv(data)
        first = der.read_tlv(data, outer.content, outer.end)
        second = der.read_tlv(data, first.end, outer.end)
    except ValueError:
        return _FORM_BY_LABEL.get(label, "SEC1")
    if first.tag == 0x02 and second.tag in _FORM_BY_SECOND_TAG:
        return _FORM_BY_SECOND_TAG[second.tag]
    return _FORM_BY_LABEL.get(label, "SEC1")


def _sec1_names_curve(data: bytes) -> bool:
    try:
        return any(t.tag == 0xA0 for t in der.children(data, der.read_tlv(data)))
    except ValueError:
        return True  # malformed: let the parsers say so


def _with_sm2_curve(data: bytes) -> bytes:
    """The SEC1 key with [0] naming the SM2 curve inserted after its private key (RFC 5915 field order)."""
    outer = der.read_tlv(data)
    fields = der.children(data, outer)
    insert_at = fields[1].end
    params = b"\xa0" + bytes([len(SM2_CURVE_DER)]) + SM2_CURVE_DER
    body = data[outer.content : insert_at] + params + data[insert_at : outer.end]
    return b"\x30" + der.encode_length(len(body)) + body


def _relabel_note(label: str, canonical: str) -> list[str]:
    if label == canonical:
        return []
    return [f"relabelled '{label}' as '{canonical}', the label that matches its contents"]


def _load_plain(
    data: bytes, label: str, field_name: str, decrypted: bool = False, sm2_parameters: bool = False
) -> PrivateKey:
    from certcheck.documents import sm2key  # pyasn1: imported only for keys cryptography cannot read

    form = _der_form(data, label)
    if form == "SEC1" and not _sec1_names_curve(data):
        if not (sm2_parameters or label == "SM2 PRIVATE KEY"):
            raise KeyError_(
                "unreadable",
                f"{field_name}: an EC private key that does not name its curve; export it again with its "
                "parameters (e.g. `openssl pkey -in KEY -out KEY.pem`).",
            )
        data = _with_sm2_curve(data)  # the canonical key names its curve: no parameters block is sent
    if label == "SM2 PRIVATE KEY":
        return _sm2_key(field_name, data, label, form, decrypted)
    try:
        key = serialization.load_der_private_key(data, None, unsafe_skip_rsa_key_validation=True)
    except (UnsupportedAlgorithm, ValueError, TypeError, InternalError) as exc:
        # InternalError: OpenSSL refusing malformed key material (seen with a corrupted Ed25519 key).
        if form == "PKCS#8":
            try:
                alg, param = sm2key.pkcs8_algorithm(data)
            except ValueError:
                alg, param = "", None
            if alg and sm2key.is_sm2_algorithm(alg, param):
                return _sm2_key(field_name, data, label, form, decrypted)
            if alg:
                raise KeyError_(
                    "unsupported",
                    f"{field_name}: a private key of algorithm {alg} "
                    f"({_describe_oid(alg)}); the API takes RSA, EC and SM2 keys.",
                ) from None
        if form == "SEC1":
            try:
                return _sm2_key(field_name, data, label, form, decrypted)
            except KeyError_ as sm2_error:
                if sm2_error.kind != "unreadable":  # an SM2 key after all, with a problem of its own
                    raise sm2_error from None
        from certcheck.containers import identify_vendor_container  # pyasn1: only on this error path

        vendor = identify_vendor_container(data)
        if vendor:
            raise KeyError_(
                "vendor",
                f"{field_name} holds {vendor}, not a PEM private key: export the key with "
                "the vendor's tool (it needs the container's password) as PKCS#8.",
            ) from None
        reason = "unsupported algorithm or curve" if isinstance(exc, UnsupportedAlgorithm) else "malformed"
        raise KeyError_("unreadable", f"{field_name}: the {label} block cannot be read as a key ({reason}).") from None
    return _from_cryptography(key, field_name, label, data, form, decrypted)


def _shown_form(form: str, decrypted: bool) -> str:
    return form + (" (decrypted)" if decrypted else "")


def _from_cryptography(key: object, field_name: str, label: str, data: bytes, form: str, decrypted: bool) -> PrivateKey:
    traditional_dsa = isinstance(key, dsa.DSAPrivateKey) and form == "PKCS#1"
    canonical = "DSA PRIVATE KEY" if traditional_dsa else CANONICAL_LABEL[form]
    text = pem.encode(canonical, data)
    form = _shown_form(form, decrypted)
    if isinstance(key, rsa.RSAPrivateKey):
        result = PrivateKey(field_name, Algorithm.RSA, form, text, key.key_size, rsa_numbers=key.private_numbers())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        result = PrivateKey(field_name, Algorithm.EC, form, text, key.curve.key_size, key.curve.name, ec_point=point)
    else:
        algorithm = {
            ed25519.Ed25519PrivateKey: Algorithm.ED25519,
            ed448.Ed448PrivateKey: Algorithm.ED448,
            dsa.DSAPrivateKey: Algorithm.DSA,
        }
        alg = next((a for cls, a in algorithm.items() if isinstance(key, cls)), Algorithm.OTHER)
        result = PrivateKey(field_name, alg, form, text)
    result.notes.extend(_relabel_note(label, canonical))
    return result


def _sm2_key(field_name: str, data: bytes, label: str, form: str, decrypted: bool) -> PrivateKey:
    from certcheck.documents import sm2key

    try:
        key = sm2key.read_sm2_pkcs8(data) if form == "PKCS#8" else sm2key.read_sm2_sec1(data)
    except sm2key.ScalarOutOfRange:
        raise KeyError_(
            "out_of_range",
            f"{field_name}: the SM2 private scalar is 0 or not below the group order n; this is not a usable SM2 key.",
        ) from None
    except ValueError as exc:
        raise KeyError_("unreadable", f"{field_name}: not a readable SM2 private key ({exc}).") from None
    # The API's own SM example labels SEC1 SM2 keys "EC PRIVATE KEY"; OpenSSL 3 writes "SM2 PRIVATE KEY".
    canonical = CANONICAL_LABEL["PKCS#8" if form == "PKCS#8" else "SEC1"]
    text = pem.encode(canonical, data)
    result = PrivateKey(
        field_name,
        Algorithm.SM2,
        _shown_form(form, decrypted),
        text,
        256,
        "sm2p256v1",
        sm2_d=key.d,
        sm2_embedded_point=key.embedded_point,
    )
    result.notes.extend(_relabel_note(label, canonical))
    return result


def _load_pkcs8_encrypted(block: pem.Block, field_name: str, password: bytes | None) -> PrivateKey:
    from certcheck.documents import pkcs8

    try:
        scheme = pkcs8.describe_encryption(block.der)
    except pkcs8.KeyDecryptError as exc:
        raise KeyError_("unreadable", f"{field_name}: unreadable encrypted private key ({exc.reason}).") from None
    return _decrypted(block, "PRIVATE KEY", scheme, field_name, password, lambda pw: pkcs8.decrypt_pkcs8(block.der, pw))


def _load_legacy_encrypted(block: pem.Block, field_name: str, password: bytes | None) -> PrivateKey:
    from certcheck.documents import legacy_pem

    dek_info = block.header("DEK-Info")
    scheme = legacy_pem.describe(dek_info)
    return _decrypted(
        block,
        block.label,
        scheme,
        field_name,
        password,
        lambda pw: legacy_pem.decrypt_legacy_pem(dek_info, block.der, pw),
    )


def _decrypted(
    block: pem.Block,
    label: str,
    scheme: str,
    field_name: str,
    password: bytes | None,
    decrypt: Callable[[bytes], bytes],
) -> PrivateKey:
    """Decrypt with the passphrase, then load the plain key as if it had been given so."""
    from certcheck.documents import pkcs8

    if password is None:
        raise KeyError_(
            "encrypted",
            f"{field_name} is encrypted ({scheme}); the API takes a plain key. Give the "
            "passphrase (--key-password-env VAR) or decrypt a copy with `openssl pkey`.",
        )
    try:
        plain = decrypt(password)
    except pkcs8.KeyDecryptError as exc:
        kind = (
            "wrong_password"
            if exc.wrong_password
            else "unreadable"
            if exc.kind == "malformed"
            else "decrypt_unsupported"
        )
        raise KeyError_(kind, f"{field_name}: cannot decrypt ({scheme}): {exc.reason}.") from None
    if not der.is_single_structure(plain):  # padding can come out right by chance with a wrong passphrase
        raise KeyError_("wrong_password", f"{field_name}: cannot decrypt ({scheme}): {pkcs8.WRONG_PASSPHRASE}.")
    key = _load_plain(plain, label, field_name, decrypted=True)
    key.notes.append(f"decrypted ({scheme}); the normalized request carries the plain key")
    return key


_KNOWN_OIDS = {
    "1.3.101.112": "Ed25519",
    "1.3.101.113": "Ed448",
    "1.2.840.10040.4.1": "DSA",
    "1.2.840.113549.1.1.10": "RSASSA-PSS",
    "1.2.840.10046.2.1": "X9.42 DH",
    "1.3.101.110": "X25519",
}


def _describe_oid(oid: str) -> str:
    return _KNOWN_OIDS.get(oid, "unknown")
