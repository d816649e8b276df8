"""Key containers that are not PEM private keys but get pasted as if they were: PKCS#12, CFCA .sm2 files,
SM2EnvelopedKey (GB/T 35276), SKF ENVELOPEDKEYBLOB (GM/T 0016).

Recognised only to say what they are: opening them needs the vendor's tool or a password first. Used by the
PEM layer (a DER or unarmored blob) and the key loader (a blob under a private-key label).
"""

from __future__ import annotations

import struct

from certcheck._crypto import der, oids

__all__ = ["identify_vendor_container"]


# GM/T 0016 ENVELOPEDKEYBLOB, little-endian: Version=1, ulSymmAlgID (SM1/SSF33/SM4 ECB), ulBits=256,
# cbEncryptedPriKey[64], PubKey {BitLen=256, X[64], Y[64]}, ECCCipherBlob {X[64], Y[64], HASH[32], CipherLen,
# Cipher[]}.
_SKF_HEADER = struct.Struct("<III64sI")
_SKF_MIN_SIZE = _SKF_HEADER.size + 128 + 64 + 64 + 32 + 4
_SKF_ECB_ALGS = {0x101, 0x201, 0x401}


def identify_vendor_container(data: bytes) -> str | None:
    """Name a key container that is not a PEM private key (to complete "the field holds ..."), or None."""
    for looks_like, name in (
        (_pkcs12, "a PKCS#12 (PFX) keystore"),
        (_cfca_sm2, "a CFCA SM2 key file (.sm2, SADK PKCS12_SM2)"),
        (_sm2_enveloped_key, "an SM2EnvelopedKey (GB/T 35276 / GM/T 0010 key envelope)"),
    ):
        try:
            if looks_like(data):
                return name
        except ValueError:  # not that structure
            pass
    if len(data) >= _SKF_MIN_SIZE:
        version, alg_id, bits, _, bit_len = _SKF_HEADER.unpack_from(data)
        if version == 1 and alg_id in _SKF_ECB_ALGS and bits == 256 and bit_len == 256:
            return "an SKF ENVELOPEDKEYBLOB (GM/T 0016 key envelope)"
    return None


def _pkcs12(data: bytes) -> bool:
    """RFC 7292 PFX: SEQUENCE { version 3, authSafe ContentInfo, macData OPTIONAL }."""
    parts = der.sequence_of(data)
    if not 2 <= len(parts) <= 3 or der.integer(data, parts[0]) != 3 or parts[1].tag != der.SEQUENCE:
        return False
    content_info = der.children(data, parts[1])
    return bool(content_info) and content_info[0].tag == der.OID and (len(parts) == 2 or parts[2].tag == der.SEQUENCE)


def _cfca_sm2(data: bytes) -> bool:
    """CFCA SADK "PKCS12_SM2" (.sm2 files): { version, { sm2Data, SM4, encrypted d }, { sm2Data, certificate } }."""
    parts = der.sequence_of(data)
    if len(parts) != 3 or parts[0].tag != der.INTEGER or parts[2].tag != der.SEQUENCE:
        return False
    key_part = der.children(data, der.expect(data, der.SEQUENCE, parts[1].start))
    if len(key_part) != 3 or key_part[2].tag != der.OCTET_STRING:
        return False
    algorithm = der.oid(data, key_part[1])
    return der.oid(data, key_part[0]) == oids.CFCA_SM2_DATA and (
        algorithm == oids.SM4 or algorithm.startswith(oids.SM4 + ".")
    )


def _sm2_enveloped_key(data: bytes) -> bool:
    """GB/T 35276 7.4: { symAlgID, symEncryptedKey SM2Cipher, sm2PublicKey BIT STRING, encrypted key BIT STRING }."""
    parts = der.sequence_of(data)
    tags = [p.tag for p in parts]
    if tags != [der.SEQUENCE, der.SEQUENCE, der.BIT_STRING, der.BIT_STRING]:
        return False
    cipher = [p.tag for p in der.children(data, parts[1])]  # SM2Cipher: x, y, hash, cipherText
    return cipher == [der.INTEGER, der.INTEGER, der.OCTET_STRING, der.OCTET_STRING]
