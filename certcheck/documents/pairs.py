"""Facts about keys and certificates together: does a key belong to a certificate, are the SM pairs crossed.

Pure functions of what the parse stage loaded: every public point (d*G for SM2) was computed once, at parse, so
a match is a comparison of numbers or bytes, microseconds however often a rule asks.
"""

from __future__ import annotations

from certcheck.documents.certs import Algorithm, Certificate
from certcheck.documents.keys import PrivateKey

__all__ = ["key_fits", "looks_swapped"]


def key_fits(key: PrivateKey, cert: Certificate) -> bool:
    """True when ``key`` is the private half of ``cert``'s public key."""
    if key.algorithm is not cert.algorithm:
        return False
    if key.algorithm is Algorithm.RSA:
        if key.rsa_numbers is None or cert.rsa_public is None:
            return False
        mine = key.rsa_numbers.public_numbers
        return (mine.n, mine.e) == cert.rsa_public
    if key.algorithm is Algorithm.EC:
        return key.curve == cert.curve and key.public_point is not None and key.public_point == cert.point
    if key.algorithm is Algorithm.SM2:  # both points are uncompressed encodings when valid
        return cert.point_valid and key.public_point is not None and key.public_point == cert.point
    return False


def looks_swapped(
    sign_leaf: Certificate | None,
    enc_leaf: Certificate | None,
    sign_key: PrivateKey | None,
    enc_key: PrivateKey | None,
) -> bool:
    """The signing key fits the encryption certificate and vice versa (and not its own: two distinct pairs)."""
    if not (sign_leaf and enc_leaf and sign_key and enc_key):
        return False
    return key_fits(sign_key, enc_leaf) and key_fits(enc_key, sign_leaf) and not key_fits(sign_key, sign_leaf)
