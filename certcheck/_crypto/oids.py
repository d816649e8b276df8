"""The one table of object identifiers certcheck names: algorithms, curves, PBES2 pieces, signature hashes."""

from __future__ import annotations

__all__ = ["NAMES", "describe"]

# Public-key algorithms and curves
RSA = "1.2.840.113549.1.1.1"
RSA_PSS = "1.2.840.113549.1.1.10"
EC_PUBLIC_KEY = "1.2.840.10045.2.1"
PRIME_FIELD = "1.2.840.10045.1.1"
DSA = "1.2.840.10040.4.1"
ED25519 = "1.3.101.112"
ED448 = "1.3.101.113"
X25519 = "1.3.101.110"
DH_X942 = "1.2.840.10046.2.1"
SM2 = "1.2.156.10197.1.301"  # the curve sm2p256v1, and the SM2 key algorithm
SM2_SIGN, SM2_EXCHANGE, SM2_ENCRYPT = SM2 + ".1", SM2 + ".2", SM2 + ".3"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
P256, P384, P521, SECP256K1 = "1.2.840.10045.3.1.7", "1.3.132.0.34", "1.3.132.0.35", "1.3.132.0.10"

# Encrypted private keys (RFC 8018, RFC 7292, GM/T)
PBES2 = "1.2.840.113549.1.5.13"
PBKDF2 = "1.2.840.113549.1.5.12"
SCRYPT = "1.3.6.1.4.1.11591.4.11"
HMAC_SHA1 = "1.2.840.113549.2.7"
HMAC_SHA224 = "1.2.840.113549.2.8"
HMAC_SHA256 = "1.2.840.113549.2.9"
HMAC_SHA384 = "1.2.840.113549.2.10"
HMAC_SHA512 = "1.2.840.113549.2.11"
HMAC_SHA512_224 = "1.2.840.113549.2.12"
HMAC_SHA512_256 = "1.2.840.113549.2.13"
HMAC_SM3_GMSSL = "1.2.156.10197.1.401.2"
HMAC_SM3 = "1.2.156.10197.1.401.3.1"
AES128_CBC = "2.16.840.1.101.3.4.1.2"
AES192_CBC = "2.16.840.1.101.3.4.1.22"
AES256_CBC = "2.16.840.1.101.3.4.1.42"
SM4 = "1.2.156.10197.1.104"
SM4_CBC = SM4 + ".2"
DES_EDE3_CBC = "1.2.840.113549.3.7"
PKCS12_PBE = "1.2.840.113549.1.12.1."  # prefix of the six PKCS#12 schemes below
PKCS12_3DES_3KEY = PKCS12_PBE + "3"
PKCS12_3DES_2KEY = PKCS12_PBE + "4"

# Containers (PKCS#7 / CMS content types, CFCA)
PKCS7_DATA = "1.2.840.113549.1.7.1"
CFCA_SM2_DATA = "1.2.156.10197.6.1.4.2.1"

NAMES: dict[str, str] = {
    RSA: "rsaEncryption",
    RSA_PSS: "RSASSA-PSS",
    EC_PUBLIC_KEY: "ecPublicKey",
    DSA: "DSA",
    ED25519: "Ed25519",
    ED448: "Ed448",
    X25519: "X25519",
    DH_X942: "X9.42 DH",
    SM2: "SM2",
    SM2_WITH_SM3: "SM2-with-SM3",
    P256: "P-256",
    P384: "P-384",
    P521: "P-521",
    SECP256K1: "secp256k1",
    SCRYPT: "scrypt",
    "1.2.840.113549.1.5.1": "PBES1 pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "PBES1 pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "PBES1 pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "PBES1 pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "PBES1 pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "PBES1 pbeWithSHA1AndRC2-CBC",
    PKCS12_PBE + "1": "PKCS#12 pbeWithSHAAnd128BitRC4",
    PKCS12_PBE + "2": "PKCS#12 pbeWithSHAAnd40BitRC4",
    PKCS12_3DES_3KEY: "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
    PKCS12_3DES_2KEY: "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
    PKCS12_PBE + "5": "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
    PKCS12_PBE + "6": "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
    # signature algorithms with a weak hash (strength.weak_signature_hash)
    "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
    "1.2.840.10045.4.1": "ecdsa-with-SHA1",
    "1.2.840.10040.4.3": "dsa-with-SHA1",
    "1.3.14.3.2.29": "sha1WithRSASignature",
    "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
    "1.2.840.113549.1.1.2": "md2WithRSAEncryption",
}

# The hash of the signature algorithms above that clients reject.
WEAK_SIGNATURE_HASHES: dict[str, str] = {
    "1.2.840.113549.1.1.5": "SHA-1",
    "1.2.840.10045.4.1": "SHA-1",
    "1.2.840.10040.4.3": "SHA-1",
    "1.3.14.3.2.29": "SHA-1",
    "1.2.840.113549.1.1.4": "MD5",
    "1.2.840.113549.1.1.2": "MD2",
}


def describe(oid: str) -> str:
    """``"Ed25519 (1.3.101.112)"``, or the bare OID when it has no name here."""
    return f"{NAMES[oid]} ({oid})" if oid in NAMES else oid


def name(oid: str) -> str:
    """The short name alone, or ``"unknown"``."""
    return NAMES.get(oid, "unknown")
