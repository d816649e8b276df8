"""Parse stage: UploadParams -> Documents, the facts every rule reads.

Decides the request's kind first, from which fields are present, so fields the API will ignore are not even
parsed (the 2025 page: SM fields are "invalid if Cert and Key are not empty"). Then, per field: PEM armor,
certificates or the key, and every problem found on the way as a ``Problem`` carrying its finding code. The
rules (``certcheck/rules``) turn problems into findings; nothing here decides a finding's severity or wording
beyond the message.

``Documents`` is frozen: everything several rules need (chains with their verified signatures, which key fits
which leaf, whether the SM pairs are crossed) is computed here, once, before any rule runs.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from certcheck import pem
from certcheck._debug import log_crash
from certcheck._record import Record
from certcheck.documents.certs import Algorithm, Certificate, load_certificate
from certcheck.documents.chain import Chain, Verifier, build_chain
from certcheck.documents.keys import SM2_CURVE_DER, KeyProblem, PrivateKey, load_private_key
from certcheck.documents.pairs import key_fits, looks_swapped
from certcheck.model import Problem, UploadParams

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
# (one signature check per link, ~1 ms for SM2) fast however hostile the field.
MAX_CERTIFICATES = 10

# The codes of the problems found here; rules/cert.py, rules/pem.py and rules/key.py declare and report them.
CERT_TOO_MANY, CERT_BAD_KEY, CERT_UNREADABLE = "cert.too_many", "cert.bad_public_key", "cert.unreadable"
KEY_IN_CERT_FIELD, CERT_IN_KEY_FIELD = "pem.key_in_cert_field", "pem.cert_in_key_field"
UNEXPECTED_BLOCK, COMBINED = "pem.unexpected_block", "pem.combined"
KEY_MISSING, KEY_MULTIPLE, KEY_NOTE = "key.missing", "key.multiple", "key.normalized"
CRASHED = "rule.crashed"  # reading a field failed inside certcheck: a bug, reported for that field alone

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

_EMPTY: Mapping[str, Any] = MappingProxyType({})

STANDARD_PAIRS = (("Cert", "Key"),)
SM_PAIRS = (("SignCert", "SignPrivateKey"), ("EncryptCert", "EncryptPrivateKey"))
SM_FIELDS = ("SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey")
CERT_FIELDS = frozenset({"Cert", "SignCert", "EncryptCert"})


class Kind(str, enum.Enum):
    STANDARD = "standard"  # Cert + Key
    SM = "sm"  # the four SM fields

    def __str__(self) -> str:
        return self.value


class Documents(Record):
    """Everything parsed from one request, and the facts derived from it. Rules read it; nothing changes it."""

    __slots__ = (
        "cert_fields",
        "certs",
        "chains",
        "ignored",
        "keys",
        "kind",
        "matches",
        "pairs",
        "params",
        "problems",
        "swapped",
    )
    params: UploadParams
    kind: Kind | None
    ignored: tuple[str, ...]  # SM fields present but ignored because Cert and Key are given
    certs: Mapping[str, tuple[Certificate, ...]]
    keys: Mapping[str, PrivateKey]
    chains: Mapping[str, Chain]
    problems: tuple[Problem, ...]
    matches: Mapping[str, bool]  # key field -> the key fits its pair's leaf
    swapped: bool  # SM: each key fits the other pair's leaf (and not its own)
    pairs: tuple[tuple[str, str], ...]  # (certificate field, key field) pairs this request's kind uses
    cert_fields: tuple[str, ...]  # the certificate fields of those pairs that hold a chain

    def __init__(
        self,
        params: UploadParams,
        kind: Kind | None,
        ignored: tuple[str, ...] = (),
        certs: Mapping[str, tuple[Certificate, ...]] = _EMPTY,
        keys: Mapping[str, PrivateKey] = _EMPTY,
        chains: Mapping[str, Chain] = _EMPTY,
        problems: tuple[Problem, ...] = (),
        matches: Mapping[str, bool] = _EMPTY,
        swapped: bool = False,
    ) -> None:
        init = object.__setattr__
        init(self, "params", params)
        init(self, "kind", kind)
        init(self, "ignored", ignored)
        init(self, "certs", certs)
        init(self, "keys", keys)
        init(self, "chains", chains)
        init(self, "problems", problems)
        init(self, "matches", matches)
        init(self, "swapped", swapped)
        # Every rule asks for these: computed once rather than on each of ~15 reads a request.
        init(self, "pairs", _pairs(kind))
        init(self, "cert_fields", tuple(c for c, _ in self.pairs if c in chains))

    def chain(self, cert_field: str) -> Chain | None:
        return self.chains.get(cert_field)

    def leaf(self, cert_field: str) -> Certificate | None:
        chain = self.chains.get(cert_field)
        return chain.leaf if chain else None

    @property
    def algorithm(self) -> Algorithm | None:
        """The public-key algorithm of the request's leaf (Cert, or SignCert for an SM request)."""
        if not self.pairs:
            return None
        leaf = self.leaf(self.pairs[0][0])
        return leaf.algorithm if leaf else None


def _pairs(kind: Kind | None) -> tuple[tuple[str, str], ...]:
    if kind is Kind.STANDARD:
        return STANDARD_PAIRS
    if kind is Kind.SM:
        return SM_PAIRS
    return ()


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


def split_combined(params: UploadParams) -> tuple[UploadParams, list[Problem]]:
    """A combined PEM (certificates and one private key in one file, as HAProxy and many panels use) given as
    Cert alone, as Key alone, or as both Cert and Key: split into Cert and Key, with a note. Anything else
    (two keys, a key next to a different Key, no certificate) is left for the usual findings."""
    cert_given, key_given = params.given("Cert"), params.given("Key")
    if cert_given and key_given and not _same_content(params.cert, params.key):
        return params, []
    source = "Cert" if cert_given else "Key" if key_given else None
    if source is None:
        return params, []
    armor = pem.read(source, params.get(source))
    key_blocks = [b for b in armor.blocks if b.is_private]
    cert_blocks = [b for b in armor.blocks if b.label in _CERT_LABELS]
    if len(key_blocks) != 1 or not cert_blocks:
        return params, []
    key_part = [b for b in armor.blocks if b.is_private or b.label in _PARAMETER_LABELS]
    cert_part = [b for b in armor.blocks if b not in key_part]
    split = params.replace(
        cert="".join(pem.encode(b.label, b.der) for b in cert_part),
        key="".join(pem.encode(b.label, b.der, b.headers) for b in key_part),
    )
    given = "Cert and Key both" if cert_given and key_given else source
    note = Problem(
        COMBINED,
        source,
        f"{given} held {len(cert_blocks)} certificate(s) and the private key together (a combined PEM file); "
        "they were split: the certificates into Cert, the key into Key.",
    )
    repairs = [p for p in armor.problems if p.code == pem.REPAIRED]
    return split, [note, *repairs]


def _same_content(first: object, second: object) -> bool:
    if type(first) is type(second):  # the usual case: no copy of either PEM to compare them
        return first == second
    if isinstance(first, str):
        first = first.encode("utf-8", "surrogatepass")
    if isinstance(second, str):
        second = second.encode("utf-8", "surrogatepass")
    return first == second


def parse(params: UploadParams) -> Documents:
    problems: list[Problem] = []
    try:
        params, notes = split_combined(params)
        problems.extend(notes)
    except Exception as exc:  # a bug: the request is read as given
        problems.append(_crashed("Cert", "splitting a combined PEM", exc))
    kind, ignored = decide_kind(params)
    certs: dict[str, tuple[Certificate, ...]] = {}
    keys: dict[str, PrivateKey] = {}
    pairs = _pairs(kind)
    for name in (f for pair in pairs for f in pair):
        if not params.given(name):
            continue
        # A failure inside certcheck while reading one field is that field's finding; the rest is still checked.
        try:
            armor = pem.read(name, params.get(name))
            problems.extend(armor.problems)
            if name in CERT_FIELDS:
                field_certs = _read_certs(name, armor, problems)
                if field_certs:
                    certs[name] = field_certs
            else:
                key = _read_key(name, armor, params.key_password, problems)
                if key is not None:
                    keys[name] = key
        except Exception as exc:  # a bug: reported, logged for --debug, and contained
            problems.append(_crashed(name, f"reading {name}", exc))
    chains: dict[str, Chain] = {}
    verifier = Verifier()  # shared by the fields of this request, dropped with it
    for name, field_certs in certs.items():
        try:
            chains[name] = build_chain(field_certs, verifier)
        except Exception as exc:
            problems.append(_crashed(name, f"building the chain of {name}", exc))
    matches: dict[str, bool] = {}
    for cert_field, key_field in pairs:
        leaf, key = chains[cert_field].leaf if cert_field in chains else None, keys.get(key_field)
        if leaf is not None and key is not None:
            matches[key_field] = key_fits(key, leaf)
    swapped = kind is Kind.SM and looks_swapped(
        chains["SignCert"].leaf if "SignCert" in chains else None,
        chains["EncryptCert"].leaf if "EncryptCert" in chains else None,
        keys.get("SignPrivateKey"),
        keys.get("EncryptPrivateKey"),
    )
    return Documents(
        params,
        kind,
        ignored,
        MappingProxyType(certs),
        MappingProxyType(keys),
        MappingProxyType(chains),
        tuple(problems),
        MappingProxyType(matches),
        swapped,
    )


def _crashed(name: str, what: str, exc: Exception) -> Problem:
    log_crash(what, exc)
    # Only the exception's type: its message could quote key material.
    return Problem(
        CRASHED,
        name,
        f"{what} crashed inside certcheck ({type(exc).__name__}); this field was not checked. Please report it "
        "with the input's shape (`certcheck check --debug` logs where it happened).",
    )


def _read_certs(name: str, armor: pem.Armor, problems: list[Problem]) -> tuple[Certificate, ...]:
    certs: list[Certificate] = []
    cert_blocks = sum(1 for b in armor.blocks if b.label in _CERT_LABELS)
    if cert_blocks > MAX_CERTIFICATES:
        problems.append(
            Problem(
                CERT_TOO_MANY,
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
            cert = _read_certificate(name, block, problems)
            if cert is not None:
                certs.append(cert)
        elif block.is_private:
            problems.append(
                Problem(
                    KEY_IN_CERT_FIELD,
                    name,
                    f"{name}: block {block.position} is a private key "
                    f"({block.label}); it belongs in the key field, not here.",
                )
            )
        else:
            what = _OTHER_LABELS.get(block.label, f"a '{block.label}' block")
            problems.append(Problem(UNEXPECTED_BLOCK, name, f"{name}: block {block.position} is {what}."))
    return tuple(certs)


def _read_certificate(name: str, block: pem.Block, problems: list[Problem]) -> Certificate | None:
    canonical = block.canonical if block.label == "CERTIFICATE" else None
    try:
        cert = load_certificate(name, block.position, block.der, canonical)
    except ValueError as exc:
        message = f"{name}: block {block.position} is not a readable X.509 certificate ({_short(exc)})."
        problems.append(Problem(CERT_UNREADABLE, name, message))
        return None
    if not cert.point_valid:
        problems.append(
            Problem(
                CERT_BAD_KEY,
                name,
                f"{name}: {cert.label()} carries an SM2 public key that is not a point on the SM2 curve: the "
                "certificate is corrupt, and nothing can match or verify against it.",
            )
        )
    return cert


def _read_key(name: str, armor: pem.Armor, password: bytes | None, problems: list[Problem]) -> PrivateKey | None:
    key_blocks = [b for b in armor.blocks if b.is_private]
    for block in armor.blocks:
        if block.label in _CERT_LABELS:
            problems.append(
                Problem(
                    CERT_IN_KEY_FIELD,
                    name,
                    f"{name}: block {block.position} is a certificate; this "
                    "field takes the private key (-----BEGIN PRIVATE KEY-----"
                    " or RSA/EC PRIVATE KEY).",
                )
            )
        elif not block.is_private and block.label not in _PARAMETER_LABELS:
            what = _OTHER_LABELS.get(block.label, f"a '{block.label}' block")
            problems.append(Problem(UNEXPECTED_BLOCK, name, f"{name}: block {block.position} is {what}."))
    if len(key_blocks) > 1:
        problems.append(
            Problem(
                KEY_MULTIPLE,
                name,
                f"{name} holds {len(key_blocks)} private keys; give exactly one, the key of the leaf certificate.",
            )
        )
        return None
    if not key_blocks:
        if armor.blocks and not any(b.label in _CERT_LABELS for b in armor.blocks):
            problems.append(Problem(KEY_MISSING, name, f"{name} holds no private key block."))
        return None
    sm2_parameters = any(
        b.label == "SM2 PARAMETERS" or (b.label in _PARAMETER_LABELS and b.der == SM2_CURVE_DER) for b in armor.blocks
    )
    try:
        key = load_private_key(key_blocks[0], name, password, sm2_parameters)
    except KeyProblem as problem:
        problems.append(Problem(problem.code, name, str(problem)))
        return None
    dropped = sorted({b.label for b in armor.blocks if b.label in _PARAMETER_LABELS})
    if dropped:
        key = key.with_note(f"dropped the {' and '.join(dropped)} block: the normalized key names its curve itself")
    problems.extend(Problem(KEY_NOTE, name, f"{name}: {note}.") for note in key.notes)
    return key


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
