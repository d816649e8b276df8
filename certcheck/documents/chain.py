"""Chains: which certificate of a field is the leaf, who issued whom, and in what order they should go.

Built once per field by ``parse`` and shared by the chain rule, the pair rule and the request builder. One
``Verifier`` serves a whole request, so a signature is verified once even when two fields (SignCert and
EncryptCert) carry the same intermediate; it lives only as long as that request's parse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cryptography.exceptions import InternalError, InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from certcheck._record import Record
from certcheck.documents.certs import SM2_SIGNATURE_OID, Algorithm, Certificate, same_name

__all__ = ["Chain", "Link", "SignatureCheck", "Verifier", "build_chain", "check_issued_by"]

# SHA-1 and MD5 signatures: verify_directly_issued_by refuses them ("Unsupported signature algorithm"), which made a
# valid SHA-1 signature look forged and a SHA-1 root never self-signed. They are verified with the key instead;
# strength.weak_signature_hash says what is wrong with them.
_LEGACY_SIGNATURES: dict[str, tuple[bool, Callable[[], hashes.HashAlgorithm]]] = {  # OID: (RSA?, hash)
    "1.2.840.113549.1.1.5": (True, hashes.SHA1),  # sha1WithRSAEncryption
    "1.2.840.113549.1.1.4": (True, hashes.MD5),  # md5WithRSAEncryption
    "1.2.840.10045.4.1": (False, hashes.SHA1),  # ecdsa-with-SHA1
}


class SignatureCheck(Record):
    __slots__ = ("detail", "ok", "unverifiable")
    ok: bool
    detail: str  # SM2: the user-ID variant that verified; otherwise why it failed
    unverifiable: bool  # certcheck cannot check this signature (a DSA issuer): not known to be wrong

    def __init__(self, ok: bool, detail: str, unverifiable: bool = False) -> None:
        init = object.__setattr__
        init(self, "ok", ok)
        init(self, "detail", detail)
        init(self, "unverifiable", unverifiable)


class Link(Record):
    __slots__ = ("child", "issuer", "signature")
    child: Certificate
    issuer: Certificate
    signature: SignatureCheck

    def __init__(self, child: Certificate, issuer: Certificate, signature: SignatureCheck) -> None:
        init = object.__setattr__
        init(self, "child", child)
        init(self, "issuer", issuer)
        init(self, "signature", signature)


class Chain(Record):
    """A field's certificates arranged as a path: ``ordered`` is leaf first, each issued by the next."""

    __slots__ = ("_self_signed", "duplicates", "given", "links", "ordered", "unrelated")
    given: tuple[Certificate, ...]
    ordered: tuple[Certificate, ...]
    links: tuple[Link, ...]
    duplicates: tuple[Certificate, ...]
    unrelated: tuple[Certificate, ...]
    _self_signed: frozenset[int]

    def __init__(
        self,
        given: tuple[Certificate, ...],
        ordered: tuple[Certificate, ...],
        links: tuple[Link, ...] = (),
        duplicates: tuple[Certificate, ...] = (),
        unrelated: tuple[Certificate, ...] = (),
        self_signed: frozenset[int] = frozenset(),
    ) -> None:
        init = object.__setattr__
        init(self, "given", given)
        init(self, "ordered", ordered)
        init(self, "links", links)
        init(self, "duplicates", duplicates)
        init(self, "unrelated", unrelated)
        init(self, "_self_signed", self_signed)

    def self_signed(self, cert: Certificate) -> bool:
        """Whether a certificate of the path is signed by its own key (a root, or a self-signed leaf)."""
        return id(cert) in self._self_signed

    @property
    def leaf(self) -> Certificate:
        return self.ordered[0]

    @property
    def reordered(self) -> bool:
        positions = [c.position for c in self.ordered]
        return positions != sorted(positions)


def check_issued_by(child: Certificate, issuer: Certificate) -> SignatureCheck:
    """Verify child's signature with issuer's key: ``cryptography`` for RSA/EC, certcheck._crypto.sm2 for SM2."""
    if issuer.algorithm is Algorithm.SM2:
        return _check_sm2(child, issuer)
    if issuer.algorithm not in (Algorithm.RSA, Algorithm.EC):
        return SignatureCheck(
            False, f"certcheck does not verify {issuer.algorithm.value} signatures", unverifiable=True
        )
    try:
        # With the issuer's key object (kept with a cached intermediate) over the signed bytes as given, rather
        # than verify_directly_issued_by, which builds the key and encodes the TBSCertificate again on every
        # call (~30 us against ~18 for the RSA-2048 signature itself; bench_parts.py). Names were matched already.
        key = issuer.public_key
        if key is None:
            raise ValueError("no public key")
        if child.signature_oid in _LEGACY_SIGNATURES:
            _verify_legacy(child, key)
        else:
            _verify_with_key(child, key)
    except InvalidSignature:
        return SignatureCheck(False, "the signature does not verify with the issuer's key")
    except (ValueError, TypeError, UnsupportedAlgorithm, InternalError) as exc:
        return SignatureCheck(False, f"the signature cannot be checked ({type(exc).__name__}: {_first_line(exc)})")
    return SignatureCheck(True, "")


_KEY_MISMATCH = "Signature algorithm does not match issuer key type"  # as verify_directly_issued_by says it


def _verify_with_key(child: Certificate, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> None:
    cert = child.x509
    params = cert.signature_algorithm_parameters
    if isinstance(key, rsa.RSAPublicKey):
        if not isinstance(params, (padding.PKCS1v15, padding.PSS)) or cert.signature_hash_algorithm is None:
            raise ValueError(_KEY_MISMATCH)
        key.verify(cert.signature, child.tbs, params, cert.signature_hash_algorithm)
    else:
        if not isinstance(params, ec.ECDSA):
            raise ValueError(_KEY_MISMATCH)
        key.verify(cert.signature, child.tbs, params)


def _verify_legacy(child: Certificate, key: rsa.RSAPublicKey | ec.EllipticCurvePublicKey) -> None:
    is_rsa, digest = _LEGACY_SIGNATURES[child.signature_oid]
    cert = child.x509
    if is_rsa and isinstance(key, rsa.RSAPublicKey):
        key.verify(cert.signature, child.tbs, padding.PKCS1v15(), digest())
    elif not is_rsa and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(cert.signature, child.tbs, ec.ECDSA(digest()))
    else:
        raise InvalidSignature  # an RSA signature under an EC key or the reverse


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [""])[0][:160]


def _check_sm2(child: Certificate, issuer: Certificate) -> SignatureCheck:
    from certcheck._crypto import sm2

    if child.signature_oid != SM2_SIGNATURE_OID:
        return SignatureCheck(False, f"signed with {child.signature_oid}, not SM2-with-SM3, by an SM2 issuer")
    assert issuer.point is not None
    try:
        point = sm2.decode_point(issuer.point)
    except ValueError as exc:
        return SignatureCheck(False, f"the issuer's SM2 public key is invalid ({exc})")
    variant = sm2.verify(child.tbs, child.x509.signature, point)
    if variant is None:
        return SignatureCheck(False, "the SM2 signature verifies under no user ID (default, empty, none)")
    return SignatureCheck(True, variant.value)


def build_chain(certs: tuple[Certificate, ...], verified: Verifier | None = None) -> Chain:
    """Arrange a field's certificates into a path from the leaf, noting duplicates and strangers."""
    unique: list[Certificate] = []
    duplicates: list[Certificate] = []
    seen: set[str] = set()
    for cert in certs:
        if cert.fingerprint in seen:
            duplicates.append(cert)
        else:
            seen.add(cert.fingerprint)
            unique.append(cert)
    # Signature checks are memoized across both walks (and fields): with SM2 each costs ~1 ms, and a hostile
    # field of many same-named certificates must not turn into a quadratic number of them.
    verified = verified or Verifier()
    # Names are matched by their DER bytes first (microseconds). Only when that leaves a certificate out do
    # we compare them as cryptography's Name objects, which also match names that differ in string type only.
    chain = _walk(certs, unique, duplicates, _same_der, verified)
    if chain.unrelated:
        chain = _walk(certs, unique, duplicates, _same_name, verified)
    return chain


class Verifier:
    """check_issued_by with a memory for one request: each (child, issuer) pair is verified at most once."""

    def __init__(self) -> None:
        self._done: dict[tuple[bytes, bytes], SignatureCheck] = {}

    def __call__(self, child: Certificate, issuer: Certificate) -> SignatureCheck:
        key = (child.der, issuer.der)
        if key not in self._done:
            self._done[key] = check_issued_by(child, issuer)
        return self._done[key]

    def self_signed(self, cert: Certificate) -> bool:
        """Self-issued (same names) and signed by its own key: the end of a path. A certificate whose
        subject merely equals its issuer, signed by another key (real CAs do this), is not."""
        return cert.self_issued and self(cert, cert).ok


Issues = Callable[[Certificate, Certificate], bool]  # (issuer, child): does issuer's subject name child's issuer?


def _same_der(issuer: Certificate, child: Certificate) -> bool:
    return issuer.subject_der == child.issuer_der


def _same_name(issuer: Certificate, child: Certificate) -> bool:
    return same_name(issuer, "subject", child, "issuer")


def _walk(
    given: tuple[Certificate, ...],
    unique: list[Certificate],
    duplicates: list[Certificate],
    issues: Issues,
    verified: Verifier,
) -> Chain:
    leaf = _pick_leaf(unique, issues)
    ordered = [leaf]
    links: list[Link] = []
    remaining = [c for c in unique if c is not leaf]
    current = leaf
    while remaining and not verified.self_signed(current):
        candidates = [c for c in remaining if issues(c, current)]
        if not candidates:
            break
        # The first candidate whose signature verifies; verification stops there (lazy), else the first named.
        found = next(((c, check) for c in candidates if (check := verified(current, c)).ok), None)
        issuer, check = found or (candidates[0], verified(current, candidates[0]))
        links.append(Link(current, issuer, check))
        ordered.append(issuer)
        remaining.remove(issuer)
        current = issuer
    self_signed = frozenset(id(c) for c in ordered if verified.self_signed(c))
    return Chain(given, tuple(ordered), tuple(links), tuple(duplicates), tuple(remaining), self_signed)


def _pick_leaf(unique: list[Certificate], issues: Issues) -> Certificate:
    """The certificate that issues no other one; the first given wins ties, as users put the leaf first."""
    issuers = {id(other) for cert in unique for other in unique if other is not cert and issues(other, cert)}
    candidates = [c for c in unique if id(c) not in issuers]
    if not candidates:  # a cycle of names (e.g. leaf and CA with one subject): the first non-CA, else the first
        return next((c for c in unique if not c.is_ca), unique[0])
    if candidates[0] is unique[0]:
        return unique[0]
    return next((c for c in candidates if not c.is_ca), candidates[0])


def unneeded_expired(chain: Chain, at: datetime) -> Certificate | None:
    """The last certificate of the path when it has expired and the path does not need it, else None.

    Not needed: it is a root (signed by its own key; roots are trust anchors, never sent), or it issued an
    intermediate rather than the leaf. Then a client either trusts that intermediate's issuer as a root and stops
    before it (Let's Encrypt's ISRG Root X1 cross-signed by the expired DST Root CA X3), or rejects the path
    whatever is sent. An expired direct issuer of the leaf is needed: that stays validity.expired.
    """
    if len(chain.ordered) < 2:
        return None
    last = chain.ordered[-1]
    if not (last.not_before <= last.not_after < at):
        return None
    if len(chain.ordered) >= 3 or chain.self_signed(last):
        return last
    return None
