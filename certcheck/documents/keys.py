"""Private keys: RSA, EC and SM2, plain or (with a passphrase) encrypted; secrets never shown.

RSA keys are loaded with ``unsafe_skip_rsa_key_validation=True``: the default validation costs ~42 ms per key,
3000x the parse (``benchmarks/bench_standard.py`` prints both). ``check_rsa_consistency`` replaces it with the
algebra that matters here. SM2 keys are read by ``certcheck._crypto.sm2key``, imported only when a key turns out
to be SM2, and their public point d*G is computed here, once per key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from cryptography.exceptions import InternalError, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa

from certcheck import pem
from certcheck._crypto import der
from certcheck._record import Record
from certcheck.documents.certs import SM2_ALGORITHMS, Algorithm

__all__ = ["PLAIN_LABELS", "KeyProblem", "PrivateKey", "check_rsa_consistency", "load_private_key"]

PLAIN_LABELS = {"PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "SM2 PRIVATE KEY", "DSA PRIVATE KEY"}

# The codes a KeyProblem carries; rules/key.py declares and reports them.
UNREADABLE, ENCRYPTED, WRONG_PASSWORD = "key.unreadable", "key.encrypted", "key.wrong_password"
DECRYPT_UNSUPPORTED, VENDOR, UNSUPPORTED = (
    "key.decrypt_unsupported",
    "key.vendor_container",
    "key.unsupported_algorithm",
)
OUT_OF_RANGE = "key.out_of_range"


class KeyProblem(Exception):
    """A key that cannot be used; ``code`` is the finding code, the message is safe to show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class PrivateKey(Record):
    """A loaded private key. ``pem`` is the canonical unencrypted PEM to send: a secret (never in a repr)."""

    __slots__ = (
        "algorithm",
        "curve",
        "field",
        "form",
        "key_size",
        "notes",
        "pem",
        "public_point",
        "rsa_numbers",
        "sm2_d",
        "sm2_embedded_point",
    )
    field: str
    algorithm: Algorithm
    form: str  # "PKCS#1", "PKCS#8", "SEC1", with " (decrypted)" when a passphrase opened it
    pem: str
    key_size: int | None
    curve: str | None
    rsa_numbers: rsa.RSAPrivateNumbers | None
    # The uncompressed public point: cryptography's for EC, d*G for SM2 (computed once, at parse).
    public_point: bytes | None
    sm2_d: int | None
    sm2_embedded_point: bytes | None  # the public point a SEC1 key carries, if any: compared, never trusted
    notes: tuple[str, ...]  # repairs worth an info finding (relabelled, decrypted)

    def __init__(
        self,
        field: str,
        algorithm: Algorithm,
        form: str,
        pem: str,
        key_size: int | None = None,
        curve: str | None = None,
        *,
        rsa_numbers: rsa.RSAPrivateNumbers | None = None,
        public_point: bytes | None = None,
        sm2_d: int | None = None,
        sm2_embedded_point: bytes | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        init = object.__setattr__
        init(self, "field", field)
        init(self, "algorithm", algorithm)
        init(self, "form", form)
        init(self, "pem", pem)
        init(self, "key_size", key_size)
        init(self, "curve", curve)
        init(self, "rsa_numbers", rsa_numbers)
        init(self, "public_point", public_point)
        init(self, "sm2_d", sm2_d)
        init(self, "sm2_embedded_point", sm2_embedded_point)
        init(self, "notes", notes)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.pem.encode()).hexdigest()[:12]

    def with_note(self, note: str) -> PrivateKey:
        """The same key with one more note (the parse stage adds them as it learns more)."""
        return PrivateKey(
            self.field,
            self.algorithm,
            self.form,
            self.pem,
            self.key_size,
            self.curve,
            rsa_numbers=self.rsa_numbers,
            public_point=self.public_point,
            sm2_d=self.sm2_d,
            sm2_embedded_point=self.sm2_embedded_point,
            notes=(*self.notes, note),
        )

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
    # e*d = 1 mod lcm(p-1, q-1) exactly when d = dP mod p-1 and d = dQ mod q-1 (dP, dQ invert e, checked
    # above): two reductions instead of a gcd of 1024-bit numbers.
    d = numbers.d
    if not (0 < d < n and d % (p - 1) == numbers.dmp1 and d % (q - 1) == numbers.dmq1):
        return "its private exponent d does not invert e"
    return None


def _load_der_private_key(data: bytes) -> object:
    """``serialization.load_der_private_key(data, None, unsafe_skip_rsa_key_validation=True)``.

    Called through the binding that function wraps where it exists: importing the ``serialization`` package
    also imports its SSH and cipher modules, ~5 ms of every `certcheck check` start (bench_startup.py).
    """
    try:
        from cryptography.hazmat.bindings._rust import openssl as rust_openssl

        load = rust_openssl.keys.load_der_private_key
    except (ImportError, AttributeError):  # another cryptography layout: the public function
        from cryptography.hazmat.primitives.serialization import load_der_private_key as load
    return load(data, None, unsafe_skip_rsa_key_validation=True)


# The SM2 curve OID as DER, as an "SM2 PARAMETERS" / "EC PARAMETERS" block carries it and as SEC1's [0] holds it.
SM2_CURVE_DER = bytes.fromhex("06082a811ccf5501822d")


def load_private_key(
    block: pem.Block, field_name: str, password: bytes | None, sm2_parameters: bool = False
) -> PrivateKey:
    """Load one private-key block; raise KeyProblem with a safe message when it cannot be used.

    ``sm2_parameters``: the field also held a parameters block naming SM2, which is the only way to know the
    curve of a SEC1 key that omits its own parameters (OpenSSL can write keys so).
    """
    label = block.label
    if "ENCRYPTED" in (block.header("Proc-Type") or ""):
        return _load_legacy_encrypted(block, field_name, password)
    if label == "ENCRYPTED PRIVATE KEY":
        return _load_pkcs8_encrypted(block, field_name, password)
    if label == "OPENSSH PRIVATE KEY":
        raise KeyProblem(
            UNREADABLE,
            f"{field_name} holds an OpenSSH-format key; the API takes PEM (PKCS#1/PKCS#8). "
            "Convert a copy with `ssh-keygen -p -m PEM -f KEYFILE`.",
        )
    if label not in PLAIN_LABELS:
        raise KeyProblem(UNREADABLE, f"{field_name}: '{label}' is not a private key label.")
    return _load_plain(block.der, label, field_name, sm2_parameters=sm2_parameters, canonical=block.canonical)


# Which format a key's DER is in, whatever its PEM label claims: the second element of the outer SEQUENCE is
# an AlgorithmIdentifier (PKCS#8), the private key OCTET STRING (SEC1) or the modulus INTEGER (PKCS#1, DSA).
_FORM_BY_SECOND_TAG = {0x30: "PKCS#8", 0x04: "SEC1", 0x02: "PKCS#1"}
# The label each format carries in canonical PEM (the API's SM example uses "EC PRIVATE KEY" for SEC1 SM2).
CANONICAL_LABEL = {"PKCS#8": "PRIVATE KEY", "SEC1": "EC PRIVATE KEY", "PKCS#1": "RSA PRIVATE KEY"}
_FORM_BY_LABEL = {"PRIVATE KEY": "PKCS#8", "RSA PRIVATE KEY": "PKCS#1", "DSA PRIVATE KEY": "PKCS#1"}


def _der_form(data: bytes, label: str) -> tuple[str, bool]:
    """(the key's format, whether it is a PKCS#8 key whose AlgorithmIdentifier names SM2 outright)."""
    try:
        outer = der.read_tlv(data)
        first = der.read_tlv(data, outer.content, outer.end)
        second = der.read_tlv(data, first.end, outer.end)
    except ValueError:
        return _FORM_BY_LABEL.get(label, "SEC1"), False
    if first.tag == der.INTEGER and second.tag in _FORM_BY_SECOND_TAG:
        form = _FORM_BY_SECOND_TAG[second.tag]
        return form, form == "PKCS#8" and second.raw(data) in SM2_ALGORITHMS
    return _FORM_BY_LABEL.get(label, "SEC1"), False


def _sec1_names_curve(data: bytes) -> bool:
    try:
        return any(t.tag == 0xA0 for t in der.children(data, der.read_tlv(data)))
    except ValueError:
        return True  # malformed: let the parsers say so


def _with_sm2_curve(data: bytes) -> bytes:
    """The SEC1 key with [0] naming the SM2 curve inserted after its private key (RFC 5915 field order).

    ValueError when the key does not even have a version and a private key to insert after."""
    outer = der.read_tlv(data)
    fields = der.children(data, outer)
    if len(fields) < 2:
        raise ValueError("an ECPrivateKey needs a version and a private key")
    insert_at = fields[1].end
    params = b"\xa0" + bytes([len(SM2_CURVE_DER)]) + SM2_CURVE_DER
    body = data[outer.content : insert_at] + params + data[insert_at : outer.end]
    return b"\x30" + der.encode_length(len(body)) + body


def _relabel_note(label: str, canonical: str) -> tuple[str, ...]:
    if label == canonical:
        return ()
    return (f"relabelled '{label}' as '{canonical}', the label that matches its contents",)


def _load_plain(
    data: bytes,
    label: str,
    field_name: str,
    decrypted: bool = False,
    sm2_parameters: bool = False,
    canonical: str | None = None,
) -> PrivateKey:
    form, sm2_pkcs8 = _der_form(data, label)
    if sm2_pkcs8:  # cryptography loads no SM2 key: straight to the SM2 reader
        return _sm2_key(field_name, data, label, form, decrypted)
    if form == "SEC1" and not _sec1_names_curve(data):
        if not (sm2_parameters or label == "SM2 PRIVATE KEY"):
            raise KeyProblem(
                UNREADABLE,
                f"{field_name}: an EC private key that does not name its curve; export it again with its "
                "parameters (e.g. `openssl pkey -in KEY -out KEY.pem`).",
            )
        try:
            data = _with_sm2_curve(data)  # the canonical key names its curve: no parameters block is sent
        except ValueError:
            raise KeyProblem(UNREADABLE, f"{field_name}: the {label} block is not a readable EC private key.") from None
        canonical = None
    if label == "SM2 PRIVATE KEY":
        return _sm2_key(field_name, data, label, form, decrypted)
    try:
        key = _load_der_private_key(data)
    except (UnsupportedAlgorithm, ValueError, TypeError, InternalError) as exc:
        # InternalError: OpenSSL refusing malformed key material (seen with a corrupted Ed25519 key).
        return _not_for_cryptography(data, label, field_name, form, decrypted, exc)
    return _from_cryptography(key, field_name, label, data, form, decrypted, canonical)


def _not_for_cryptography(
    data: bytes, label: str, field_name: str, form: str, decrypted: bool, exc: Exception
) -> PrivateKey:
    """A key cryptography refused: SM2 (read here), another algorithm (named), a vendor container, or junk."""
    from certcheck._crypto import oids, sm2key

    if form == "PKCS#8":
        try:
            alg, param = sm2key.pkcs8_algorithm(data)
        except ValueError:
            alg, param = "", None
        if alg and sm2key.is_sm2_algorithm(alg, param):
            return _sm2_key(field_name, data, label, form, decrypted)
        if alg:
            raise KeyProblem(
                UNSUPPORTED,
                f"{field_name}: a private key of algorithm {alg} "
                f"({oids.name(alg)}); the API takes RSA, EC and SM2 keys.",
            )
    if form == "SEC1":
        try:
            return _sm2_key(field_name, data, label, form, decrypted)
        except KeyProblem as sm2_problem:
            if sm2_problem.code != UNREADABLE:  # an SM2 key after all, with a problem of its own
                raise
    from certcheck._crypto.containers import identify_vendor_container  # only on this error path

    vendor = identify_vendor_container(data)
    if vendor:
        raise KeyProblem(
            VENDOR,
            f"{field_name} holds {vendor}, not a PEM private key: export the key with "
            "the vendor's tool (it needs the container's password) as PKCS#8.",
        )
    reason = "unsupported algorithm or curve" if isinstance(exc, UnsupportedAlgorithm) else "malformed"
    raise KeyProblem(UNREADABLE, f"{field_name}: the {label} block cannot be read as a key ({reason}).")


def _shown_form(form: str, decrypted: bool) -> str:
    return form + (" (decrypted)" if decrypted else "")


def _from_cryptography(
    key: object, field_name: str, label: str, data: bytes, form: str, decrypted: bool, canonical: str | None
) -> PrivateKey:
    traditional_dsa = isinstance(key, dsa.DSAPrivateKey) and form == "PKCS#1"
    canonical_label = "DSA PRIVATE KEY" if traditional_dsa else CANONICAL_LABEL[form]
    # Canonical input is sent as given; anything else is encoded again from the DER.
    text = canonical if canonical is not None and label == canonical_label else pem.encode(canonical_label, data)
    shown = _shown_form(form, decrypted)
    notes = _relabel_note(label, canonical_label)
    if isinstance(key, rsa.RSAPrivateKey):
        return PrivateKey(
            field_name, Algorithm.RSA, shown, text, key.key_size, rsa_numbers=key.private_numbers(), notes=notes
        )
    if isinstance(key, ec.EllipticCurvePrivateKey):
        numbers = key.public_key().public_numbers()  # no serialization import for one encoding
        width = (key.curve.key_size + 7) // 8
        point = b"\x04" + numbers.x.to_bytes(width, "big") + numbers.y.to_bytes(width, "big")
        return PrivateKey(
            field_name, Algorithm.EC, shown, text, key.curve.key_size, key.curve.name, public_point=point, notes=notes
        )
    algorithm = {
        ed25519.Ed25519PrivateKey: Algorithm.ED25519,
        ed448.Ed448PrivateKey: Algorithm.ED448,
        dsa.DSAPrivateKey: Algorithm.DSA,
    }
    alg = next((a for cls, a in algorithm.items() if isinstance(key, cls)), Algorithm.OTHER)
    return PrivateKey(field_name, alg, shown, text, notes=notes)


def _sm2_key(field_name: str, data: bytes, label: str, form: str, decrypted: bool) -> PrivateKey:
    from certcheck._crypto import sm2, sm2key

    try:
        key = sm2key.read_sm2_pkcs8(data) if form == "PKCS#8" else sm2key.read_sm2_sec1(data)
    except sm2key.ScalarOutOfRange:
        raise KeyProblem(
            OUT_OF_RANGE,
            f"{field_name}: the SM2 private scalar is outside [1, n-2]; this is not a usable SM2 key.",
        ) from None
    except ValueError as exc:
        raise KeyProblem(UNREADABLE, f"{field_name}: not a readable SM2 private key ({exc}).") from None
    # The API's own SM example labels SEC1 SM2 keys "EC PRIVATE KEY"; OpenSSL 3 writes "SM2 PRIVATE KEY".
    canonical = CANONICAL_LABEL["PKCS#8" if form == "PKCS#8" else "SEC1"]
    return PrivateKey(
        field_name,
        Algorithm.SM2,
        _shown_form(form, decrypted),
        pem.encode(canonical, data),
        256,
        "sm2p256v1",
        public_point=sm2.encode_point(sm2.public_from_private(key.d)),  # d*G: once per key, ~0.3 ms
        sm2_d=key.d,
        sm2_embedded_point=key.embedded_point,
        notes=_relabel_note(label, canonical),
    )


def _load_pkcs8_encrypted(block: pem.Block, field_name: str, password: bytes | None) -> PrivateKey:
    from certcheck._crypto import pkcs8

    try:
        scheme = pkcs8.describe_encryption(block.der)
    except pkcs8.KeyDecryptError as exc:
        raise KeyProblem(UNREADABLE, f"{field_name}: unreadable encrypted private key ({exc.reason}).") from None
    return _decrypted(block, "PRIVATE KEY", scheme, field_name, password, lambda pw: pkcs8.decrypt_pkcs8(block.der, pw))


def _load_legacy_encrypted(block: pem.Block, field_name: str, password: bytes | None) -> PrivateKey:
    from certcheck._crypto import legacy_pem

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
    from certcheck._crypto import pkcs8

    if password is None:
        raise KeyProblem(
            ENCRYPTED,
            f"{field_name} is encrypted ({scheme}); the API takes a plain key. Give the "
            "passphrase (--key-password-env VAR) or decrypt a copy with `openssl pkey`.",
        )
    try:
        plain = decrypt(password)
    except pkcs8.KeyDecryptError as exc:
        code = WRONG_PASSWORD if exc.wrong_password else UNREADABLE if exc.kind == "malformed" else DECRYPT_UNSUPPORTED
        raise KeyProblem(code, f"{field_name}: cannot decrypt ({scheme}): {exc.reason}.") from None
    if not der.is_single_structure(plain):  # padding can come out right by chance with a wrong passphrase
        raise KeyProblem(WRONG_PASSWORD, f"{field_name}: cannot decrypt ({scheme}): {pkcs8.WRONG_PASSPHRASE}.")
    key = _load_plain(plain, label, field_name, decrypted=True)
    return key.with_note(f"decrypted ({scheme}); the normalized request carries the plain key")
