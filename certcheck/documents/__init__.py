"""Parse stage: UploadParams -> Documents (certificates and keys per field, plus every parse problem).

Decides the request's kind first, from which fields are present, so fields the API will ignore are not even
parsed (the 2025 page: SM fields are "invalid if Cert and Key are not empty").
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from certcheck import pem
from certcheck.codes import RFC5280, RFC5958, RFC7468, declare
from certcheck.documents.certs import Algorithm, Certificate, load_certificate
from certcheck.documents.chain import Chain, build_chain
from certcheck.documents.keys import SM2_CURVE_DER, KeyError_, PrivateKey, load_private_key
from certcheck.model import Finding, Severity, UploadParams

__all__ = [
    "SM_PAIRS",
    "STANDARD_PAIRS",
    "Algorithm",
    "Certificate",
    "Chain",
    "Documents",
    "Kind",
    "PrivateKey",
    "parse",
]

# Real chains are a leaf and one to three intermediates (plus maybe a root). The bound keeps chain building
# (one signature check per link, ~1.5 ms for SM2) fast however hostile the field.
MAX_CERTIFICATES = 10

CERT_TOO_MANY = declare(
    "cert.too_many",
    Severity.ERROR,
    f"A certificate field holds more than {MAX_CERTIFICATES} certificates; only the first {MAX_CERTIFICATES} are read.",
    RFC5280,
)
CERT_BAD_KEY = declare(
    "cert.bad_public_key",
    Severity.ERROR,
    "A certificate's SM2 public key is not a point on the SM2 curve.",
    "GB/T 32918 / GM/T 0003 (SM2)",
)
CERT_UNREADABLE = declare(
    "cert.unreadable", Severity.ERROR, "A CERTIFICATE block is not a readable X.509 certificate.", RFC5280
)
KEY_IN_CERT_FIELD = declare(
    "pem.key_in_cert_field", Severity.ERROR, "A private key was given in a certificate field.", RFC7468
)
CERT_IN_KEY_FIELD = declare(
    "pem.cert_in_key_field",
    Severity.ERROR,
    "A certificate was given in a private-key field (the API pages' own Key example makes this mistake).",
    RFC7468,
)
UNEXPECTED_BLOCK = declare(
    "pem.unexpected_block",
    Severity.ERROR,
    "A PEM block of a kind the field does not take (CSR, public key, CRL, PKCS#7...).",
    RFC7468,
)
KEY_MISSING = declare("key.missing", Severity.ERROR, "A private-key field holds no private key block.", RFC5958)
KEY_MULTIPLE = declare("key.multiple", Severity.ERROR, "A private-key field holds more than one key.", RFC5958)
KEY_UNREADABLE = declare("key.unreadable", Severity.ERROR, "A private-key block cannot be read as a key.", RFC5958)
KEY_ENCRYPTED = declare(
    "key.encrypted",
    Severity.ERROR,
    "The private key is encrypted and no passphrase was given; the API takes a plain key.",
    RFC5958,
)
KEY_WRONG_PASSWORD = declare(
    "key.wrong_password", Severity.ERROR, "The passphrase does not decrypt the private key.", RFC5958
)
KEY_DECRYPT_UNSUPPORTED = declare(
    "key.decrypt_unsupported",
    Severity.ERROR,
    "The private key is encrypted with a scheme certcheck cannot decrypt.",
    RFC5958,
)
KEY_VENDOR = declare(
    "key.vendor_container",
    Severity.ERROR,
    "The field holds a vendor key container (PKCS#12, SM2EnvelopedKey, CFCA), not a PEM private key.",
    RFC5958,
)
KEY_UNSUPPORTED = declare(
    "key.unsupported_algorithm",
    Severity.ERROR,
    "The private key's algorithm is not one the API takes.",
    RFC5958,
)
KEY_OUT_OF_RANGE = declare(
    "key.out_of_range",
    Severity.ERROR,
    "The SM2 private scalar d is outside [1, n-2].",
    "GB/T 32918 / GM/T 0003 (SM2)",
)
KEY_NOTE = declare(
    "key.normalized",
    Severity.INFO,
    "The private key was decrypted or relabelled for the normalized request.",
    RFC5958,
)

_KEY_ERRORS = {
    "unreadable": KEY_UNREADABLE,
    "encrypted": KEY_ENCRYPTED,
    "wrong_password": KEY_WRONG_PASSWORD,
    "decrypt_unsupported": KEY_DECRYPT_UNSUPPORTED,
    "vendor": KEY_VENDOR,
    "unsupported": KEY_UNSUPPORTED,
    "out_of_range": KEY_OUT_OF_RANGE,
}

_CERT_LABELS = {"CERTIFICATE", "X509 CERTIFICATE"}
_PARAMETER_LABELS = {"EC PARAMETERS", "SM2 PARAMETERS"}
_OTHER_LABELS = {
    "CERTIFICATE REQUEST": "a certificate signing request (CSR), not a certificate",
    "NEW CERTIFICATE REQUEST": "a certificate signing request (CSR), not a certificate",
    "PUBLIC KEY": "a public key, not a certificate or private key",
    "RSA PUBLIC KEY": "a public key, not a certificate or private key",
    "X509 CRL": "a certificate revocation list",
    "PKCS7": "a PKCS#7 bundle; extract the certificates with `openssl pkcs7 -print_certs`",
    "TRUSTED CERTIFICATE": "an OpenSSL trusted certificate; re-export it with `openssl x509`",
}

STANDARD_PAIRS = (("Cert", "Key"),)
SM_PAIRS = (("SignCert", "SignPrivateKey"), ("EncryptCert", "EncryptPrivateKey"))
SM_FIELDS = ("SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey")


class Kind(str, enum.Enum):
    STANDARD = "standard"  # Cert + Key
    SM = "sm"  # the four SM fields

    def __str__(self) -> str:
        return self.value


@dataclass(eq=False)
class Documents:
    """Everything parsed from one request. Rules read it; nothing here changes after ``parse``."""

    params: UploadParams
    kind: Kind | None
    certs: dict[str, list[Certificate]] = field(default_factory=dict)
    keys: dict[str, PrivateKey] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    ignored: tuple[str, ...] = ()  # SM fields present but ignored because Cert and Key are given
    _chains: dict[str, Chain] = field(default_factory=dict, repr=False)

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """(certificate field, key field) pairs this request's kind uses."""
        if self.kind is Kind.STANDARD:
            return STANDARD_PAIRS
        if self.kind is Kind.SM:
            return SM_PAIRS
        return ()

    @property
    def cert_fields(self) -> list[str]:
        return [c for c, _ in self.pairs if self.certs.get(c)]

    def chain(self, cert_field: str) -> Chain | None:
        if cert_field not in self._chains:
            certs = self.certs.get(cert_field)
            if not certs:
                return None
            self._chains[cert_field] = build_chain(certs)
        return self._chains[cert_field]

    def leaf(self, cert_field: str) -> Certificate | None:
        chain = self.chain(cert_field)
        return chain.leaf if chain else None

    @property
    def algorithm(self) -> Algorithm | None:
        """The public-key algorithm of the request's leaf (Cert, or SignCert for an SM request)."""
        if not self.pairs:
            return None
        leaf = self.leaf(self.pairs[0][0])
        return leaf.algorithm if leaf else None


def decide_kind(params: UploadParams) -> tuple[Kind | None, tuple[str, ...]]:
    """The request's kind and the SM fields it ignores, from which fields are present."""
    sm_given = tuple(f for f in SM_FIELDS if params.given(f))
    if params.given("Cert") and params.given("Key"):
        return Kind.STANDARD, sm_given
    if sm_given:
        return Kind.SM, ()
    if params.given("Cert") or params.given("Key"):
        return Kind.STANDARD, ()
    return None, ()


def parse(params: UploadParams) -> Documents:
    kind, ignored = decide_kind(params)
    docs = Documents(params, kind, ignored=ignored)
    fields_to_read = [f for pair in docs.pairs for f in pair]
    for name in fields_to_read:
        value = params.get(name)
        if not params.given(name):
            continue
        armor = pem.read(name, value)
        docs.findings.extend(armor.findings)
        if name in ("Cert", "SignCert", "EncryptCert"):
            _read_certs(docs, name, armor)
        else:
            _read_key(docs, name, armor, params.key_password)
    return docs


def _read_certs(docs: Documents, name: str, armor: pem.Armor) -> None:
    certs: list[Certificate] = []
    cert_blocks = sum(1 for b in armor.blocks if b.label in _CERT_LABELS)
    if cert_blocks > MAX_CERTIFICATES:
        docs.findings.append(
            CERT_TOO_MANY(
                name,
                f"{name} holds {cert_blocks} certificates; a chain is the leaf and its intermediates. Only the "
                f"first {MAX_CERTIFICATES} were read: remove the extra certificates (a CA bundle was pasted?).",
            )
        )
    attempted = 0  # unreadable blocks count too: 4,000 broken certificates are not 4,000 findings
    for block in armor.blocks:
        if block.label in _CERT_LABELS and attempted >= MAX_CERTIFICATES:
            continue
        if block.label in _CERT_LABELS:
            attempted += 1
            cert = _read_certificate(docs, name, block)
            if cert is not None:
                certs.append(cert)
        elif block.is_private:
            docs.findings.append(
                KEY_IN_CERT_FIELD(
                    name,
                    f"{name}: block {block.position} is a private key "
                    f"({block.label}); it belongs in the key field, not here.",
                )
            )
        else:
            what = _OTHER_LABELS.get(block.label, f"a '{block.label}' block")
            docs.findings.append(UNEXPECTED_BLOCK(name, f"{name}: block {block.position} is {what}."))
    if certs:
        docs.certs[name] = certs


def _read_certificate(docs: Documents, name: str, block: pem.Block) -> Certificate | None:
    try:
        cert = load_certificate(name, block.position, block.der)
    except ValueError as exc:
        message = f"{name}: block {block.position} is not a readable X.509 certificate ({_short(exc)})."
        docs.findings.append(CERT_UNREADABLE(name, message))
        return None
    if cert.algorithm is Algorithm.SM2 and not _valid_sm2_point(cert.point):
        docs.findings.append(
            CERT_BAD_KEY(
                name,
                f"{name}: {cert.label()} carries an SM2 public key that is not a point on the SM2 curve: the "
                "certificate is corrupt, and nothing can match or verify against it.",
            )
        )
    return cert


def _read_key(docs: Documents, name: str, armor: pem.Armor, password: bytes | None) -> None:
    key_blocks = [b for b in armor.blocks if b.is_private]
    for block in armor.blocks:
        if block.label in _CERT_LABELS:
            docs.findings.append(
                CERT_IN_KEY_FIELD(
                    name,
                    f"{name}: block {block.position} is a certificate; this "
                    "field takes the private key (-----BEGIN PRIVATE KEY-----"
                    " or RSA/EC PRIVATE KEY).",
                )
            )
        elif not block.is_private and block.label not in _PARAMETER_LABELS:
            what = _OTHER_LABELS.get(block.label, f"a '{block.label}' block")
            docs.findings.append(UNEXPECTED_BLOCK(name, f"{name}: block {block.position} is {what}."))
    if len(key_blocks) > 1:
        docs.findings.append(
            KEY_MULTIPLE(
                name,
                f"{name} holds {len(key_blocks)} private keys; give exactly one, the key of the leaf certificate.",
            )
        )
        return
    if not key_blocks:
        if armor.blocks and not any(b.label in _CERT_LABELS for b in armor.blocks):
            docs.findings.append(KEY_MISSING(name, f"{name} holds no private key block."))
        return
    try:
        sm2_parameters = any(
            b.label == "SM2 PARAMETERS" or (b.label in _PARAMETER_LABELS and b.der == SM2_CURVE_DER)
            for b in armor.blocks
        )
        key = load_private_key(key_blocks[0], name, password, sm2_parameters)
    except KeyError_ as exc:
        docs.findings.append(_KEY_ERRORS[exc.kind](name, str(exc)))
        return
    docs.keys[name] = key
    dropped = sorted({b.label for b in armor.blocks if b.label in _PARAMETER_LABELS})
    if dropped:
        key.notes.append(f"dropped the {' and '.join(dropped)} block: the normalized key names its curve itself")
    for note in key.notes:
        docs.findings.append(KEY_NOTE(name, f"{name}: {note}."))


def _valid_sm2_point(point: bytes | None) -> bool:
    from certcheck import sm2

    try:
        sm2.decode_point(point or b"")
    except ValueError:
        return False
    return True


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
