"""Key containers that are not PEM private keys but get pasted as if they were: PKCS#12, CFCA .sm2 files,
SM2EnvelopedKey (GB/T 35276), SKF ENVELOPEDKEYBLOB (GM/T 0016).

Recognised only to say what they are: opening them needs the vendor's tool or a password first. Used by the
PEM layer (a DER or unarmored blob) and the key loader (a blob under a private-key label).
"""

from __future__ import annotations

import struct
from typing import Any

from pyasn1.codec.ber import decoder
from pyasn1.error import PyAsn1Error
from pyasn1.type import namedtype, univ
from pyasn1_modules import rfc5280, rfc7292

__all__ = ["decode_exact", "identify_vendor_container"]


def decode_exact(data: bytes, spec: Any) -> Any | None:
    """Exactly one value of ``spec``, else None: no exception escapes (pyasn1 raises several kinds on hostile
    input, OverflowError on huge lengths among them), so none can be chained into a message."""
    try:
        value, rest = decoder.decode(data, asn1Spec=spec)
    except (PyAsn1Error, ValueError, TypeError, IndexError, OverflowError, RecursionError):
        return None
    return None if rest else value


_SM2_CIPHER = univ.Sequence(  # GB/T 35276 / GM/T 0009
    componentType=namedtype.NamedTypes(
        namedtype.NamedType("x", univ.Integer()),
        namedtype.NamedType("y", univ.Integer()),
        namedtype.NamedType("hash", univ.OctetString()),
        namedtype.NamedType("cipherText", univ.OctetString()),
    )
)


# GB/T 35276 7.4: an SM2 key pair encrypted to someone's public key
_SM2_ENVELOPED_KEY = univ.Sequence(
    componentType=namedtype.NamedTypes(
        namedtype.NamedType("symAlgID", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("symEncryptedKey", _SM2_CIPHER),
        namedtype.NamedType("sm2PublicKey", univ.BitString()),
        namedtype.NamedType("sm2EncryptedPrivateKey", univ.BitString()),
    )
)


_CFCA_PART = univ.Sequence(
    componentType=namedtype.NamedTypes(
        namedtype.NamedType("contentType", univ.ObjectIdentifier()),
        namedtype.OptionalNamedType("algorithm", univ.ObjectIdentifier()),
        namedtype.NamedType("content", univ.OctetString()),
    )
)


# CFCA SADK "PKCS12_SM2" (.sm2 files): version, SM4-encrypted scalar, certificate
_CFCA_SM2 = univ.Sequence(
    componentType=namedtype.NamedTypes(
        namedtype.NamedType("version", univ.Integer()),
        namedtype.NamedType("encryptedKey", _CFCA_PART),
        namedtype.NamedType("certificate", _CFCA_PART),
    )
)


_CFCA_SM2_DATA = "1.2.156.10197.6.1.4.2.1"
_SM4 = "1.2.156.10197.1.104"
# GM/T 0016 ENVELOPEDKEYBLOB, little-endian: Version=1, ulSymmAlgID (SM1/SSF33/SM4 ECB), ulBits=256,
# cbEncryptedPriKey[64], PubKey {BitLen=256, X[64], Y[64]}, ECCCipherBlob {X[64], Y[64], HASH[32], CipherLen,
# Cipher[]}.
_SKF_HEADER = struct.Struct("<III64sI")
_SKF_MIN_SIZE = _SKF_HEADER.size + 128 + 64 + 64 + 32 + 4
_SKF_ECB_ALGS = {0x101, 0x201, 0x401}


def identify_vendor_container(der: bytes) -> str | None:
    """Name a key container that is not a PEM private key (to complete "the field holds ..."), or None."""
    pfx = decode_exact(der, rfc7292.PFX())
    if pfx is not None and int(pfx["version"]) == 3:
        return "a PKCS#12 (PFX) keystore"
    cfca = decode_exact(der, _CFCA_SM2)
    if cfca is not None and str(cfca["encryptedKey"]["contentType"]) == _CFCA_SM2_DATA:
        alg = cfca["encryptedKey"]["algorithm"]
        if alg.isValue and (str(alg) == _SM4 or str(alg).startswith(_SM4 + ".")):
            return "a CFCA SM2 key file (.sm2, SADK PKCS12_SM2)"
    if decode_exact(der, _SM2_ENVELOPED_KEY) is not None:
        return "an SM2EnvelopedKey (GB/T 35276 / GM/T 0010 key envelope)"
    if len(der) >= _SKF_MIN_SIZE:
        version, alg_id, bits, _, bit_len = _SKF_HEADER.unpack_from(der)
        if version == 1 and alg_id in _SKF_ECB_ALGS and bits == 256 and bit_len == 256:
            return "an SKF ENVELOPEDKEYBLOB (GM/T 0016 key envelope)"
    return None
