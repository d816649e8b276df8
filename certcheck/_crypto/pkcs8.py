"""Decrypt encrypted PKCS#8 (EncryptedPrivateKeyInfo, RFC 5958 / RFC 8018), Chinese SM3/SM4 included.

Supported: PBES2 + PBKDF2 with PRF HMAC-SHA1 (the default), -SHA224/256/384/512, -SHA512/224,
-SHA512/256, HMAC-SM3 (GmSSL OID 1.2.156.10197.1.401.2 and OpenSSL/Tongsuo OID 1.2.156.10197.1.401.3.1),
with AES-128/192/256-CBC, SM4-CBC or DES-EDE3-CBC; and PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC and
2-KeyTripleDES-CBC (legacy Java and OpenSSL 1.0 keys). Implemented here rather than delegated to
`cryptography`, which loads no SM2 key and so cannot hand back an SM2 plaintext. Refused as unsupported
(named in the reason): PBES1, the PKCS#12 RC2/RC4 schemes, scrypt and any other KDF.

Nothing here ever puts the password or decrypted bytes into an exception; errors are raised outside `except`
blocks so that no library exception (whose text might quote plaintext) is chained as `__context__`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from certcheck._crypto import der, oids, pkix

try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # cryptography < 43, before 3DES moved to "decrepit"
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

# A hostile file could ask for billions of iterations; 10M takes a few seconds with OpenSSL's PBKDF2.
MAX_ITERATIONS = 10_000_000
WRONG_PASSPHRASE = "wrong passphrase or corrupted data"


class KeyDecryptError(Exception):
    """Base class; `reason` is safe to show (never contains the password or key material)."""

    kind: ClassVar[str] = "error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def wrong_password(self) -> bool:
        return isinstance(self, WrongPassphraseError)


class WrongPassphraseError(KeyDecryptError):
    kind = "wrong-passphrase"


class UnsupportedEncryptionError(KeyDecryptError):
    kind = "unsupported"


class MalformedEncryptedKeyError(KeyDecryptError):
    kind = "malformed"


_PBES2 = oids.PBES2
_PBKDF2 = oids.PBKDF2

# PRF OID -> (hashlib name, display name)
_PRFS: dict[str, tuple[str, str]] = {
    oids.HMAC_SHA1: ("sha1", "SHA1"),
    oids.HMAC_SHA224: ("sha224", "SHA224"),
    oids.HMAC_SHA256: ("sha256", "SHA256"),
    oids.HMAC_SHA384: ("sha384", "SHA384"),
    oids.HMAC_SHA512: ("sha512", "SHA512"),
    oids.HMAC_SHA512_224: ("sha512_224", "SHA512/224"),
    oids.HMAC_SHA512_256: ("sha512_256", "SHA512/256"),
    oids.HMAC_SM3_GMSSL: ("sm3", "SM3"),
    oids.HMAC_SM3: ("sm3", "SM3"),
}


@dataclass(frozen=True)
class _CipherSpec:
    name: str
    key_size: int
    block_size: int
    make: Callable[[bytes], BlockCipherAlgorithm]


_CIPHERS: dict[str, _CipherSpec] = {
    oids.AES128_CBC: _CipherSpec("AES-128-CBC", 16, 16, algorithms.AES),
    oids.AES192_CBC: _CipherSpec("AES-192-CBC", 24, 16, algorithms.AES),
    oids.AES256_CBC: _CipherSpec("AES-256-CBC", 32, 16, algorithms.AES),
    oids.SM4_CBC: _CipherSpec("SM4-CBC", 16, 16, algorithms.SM4),
    oids.DES_EDE3_CBC: _CipherSpec("DES-EDE3-CBC", 24, 8, TripleDES),
}

_PKCS12_3DES_KEY_SIZE = {oids.PKCS12_3DES_3KEY: 24, oids.PKCS12_3DES_2KEY: 16}
# PBES1 and the PKCS#12 schemes: named in refusals, and two of them (3DES) decrypted
_LEGACY_NAMES = {oid: name for oid, name in oids.NAMES.items() if name.startswith(("PBES1 ", "PKCS#12 "))}


@dataclass(frozen=True)
class _Pbes2:
    kdf_oid: str
    prf_oid: str  # "" unless the KDF is PBKDF2
    salt: bytes | None  # None: PBKDF2 "otherSource" salt
    iterations: int
    key_length: int | None
    cipher_oid: str
    iv: bytes | None  # None: missing or not an OCTET STRING


@dataclass(frozen=True)
class _Legacy:
    oid: str
    salt: bytes | None  # None when the parameters do not parse
    iterations: int


def _parse(data: bytes) -> tuple[_Pbes2 | _Legacy | str, bytes]:
    """-> (scheme, encrypted data); the scheme is an OID string when it is unknown.

    Every error is raised outside the ``except`` that caught the reader's, so none is chained (module docstring).
    """
    outer = der.attempt(_encrypted_private_key_info, data)
    if outer is None:
        raise MalformedEncryptedKeyError("not a valid EncryptedPrivateKeyInfo")
    oid, params, encrypted = outer
    if oid == _PBES2:
        pbes2 = der.attempt(_pbes2_params, params or b"")
        if pbes2 is None:
            raise MalformedEncryptedKeyError("invalid PBES2 parameters")
        kdf_oid, kdf_params, cipher_oid, iv = pbes2
        if kdf_oid != _PBKDF2:
            return _Pbes2(kdf_oid, "", None, 0, None, cipher_oid, iv), encrypted
        pbkdf2 = der.attempt(_pbkdf2_params, kdf_params or b"")
        if pbkdf2 is None:
            raise MalformedEncryptedKeyError("invalid PBKDF2 parameters")
        prf, salt, iterations, key_length = pbkdf2
        return _Pbes2(kdf_oid, prf, salt, iterations, key_length, cipher_oid, iv), encrypted
    if oid in _LEGACY_NAMES:
        legacy = der.attempt(_legacy_params, params or b"")
        return _Legacy(oid, *(legacy or (None, 0))), encrypted
    return oid, encrypted


def _encrypted_private_key_info(data: bytes) -> tuple[str, bytes | None, bytes]:
    parts = der.sequence_of(data)
    if len(parts) != 2 or parts[1].tag != der.OCTET_STRING:
        raise ValueError("shape")
    oid, params = pkix.algorithm_identifier(data, parts[0])
    return oid, params, parts[1].value(data)


def _legacy_params(raw: bytes) -> tuple[bytes, int]:
    """PKCS#12 / PBES1 parameters: SEQUENCE { salt OCTET STRING, iterations INTEGER }."""
    fields = der.sequence_of(raw)
    if len(fields) != 2 or fields[0].tag != der.OCTET_STRING:
        raise ValueError("shape")
    return fields[0].value(raw), der.integer(raw, fields[1])


def _pbes2_params(raw: bytes) -> tuple[str, bytes | None, str, bytes | None]:
    """(KDF OID, KDF parameters, cipher OID, IV or None)."""
    fields = der.sequence_of(raw)
    if len(fields) != 2:
        raise ValueError("shape")
    kdf_oid, kdf_params = pkix.algorithm_identifier(raw, fields[0])
    cipher_oid, enc_params = pkix.algorithm_identifier(raw, fields[1])
    return kdf_oid, kdf_params, cipher_oid, _octets(enc_params)


def _pbkdf2_params(raw: bytes) -> tuple[str, bytes | None, int, int | None]:
    """PBKDF2-params: salt CHOICE, iterationCount, keyLength OPTIONAL, prf DEFAULT hmacWithSHA1."""
    fields = der.sequence_of(raw)
    if not 2 <= len(fields) <= 4:
        raise ValueError("shape")
    salt = fields[0].value(raw) if fields[0].tag == der.OCTET_STRING else None
    if salt is None and fields[0].tag != der.SEQUENCE:  # otherSource is an AlgorithmIdentifier
        raise ValueError("shape")
    iterations = der.integer(raw, fields[1])
    rest = fields[2:]
    key_length = None
    if rest and rest[0].tag == der.INTEGER:
        key_length = der.integer(raw, rest[0])
        rest = rest[1:]
    if len(rest) > 1:
        raise ValueError("shape")
    prf = pkix.algorithm_identifier(raw, rest[0])[0] if rest else oids.HMAC_SHA1
    return prf, salt, iterations, key_length


def _octets(raw: bytes | None) -> bytes | None:
    """The contents of an OCTET STRING given as DER, or None when it is not exactly one."""
    tlv = der.attempt(der.read_tlv, raw) if raw is not None else None
    if raw is None or tlv is None or tlv.tag != der.OCTET_STRING or tlv.end != len(raw):
        return None
    return tlv.value(raw)


def describe_encryption(data: bytes) -> str:
    """Human description, e.g. "PBES2 (PBKDF2-HMAC-SM3, 65536 iterations, SM4-CBC)"."""
    scheme, _ = _parse(data)
    if isinstance(scheme, str):
        return f"unknown encryption scheme {scheme}"
    if isinstance(scheme, _Legacy):
        name = _LEGACY_NAMES[scheme.oid]
        return f"{name} ({scheme.iterations} iterations)" if scheme.salt is not None else name
    cipher = _CIPHERS[scheme.cipher_oid].name if scheme.cipher_oid in _CIPHERS else f"cipher {scheme.cipher_oid}"
    if scheme.kdf_oid != _PBKDF2:
        return f"PBES2 ({oids.NAMES.get(scheme.kdf_oid, 'KDF ' + scheme.kdf_oid)}, {cipher})"
    prf = f"PBKDF2-HMAC-{_PRFS[scheme.prf_oid][1]}" if scheme.prf_oid in _PRFS else f"PBKDF2 PRF {scheme.prf_oid}"
    return f"PBES2 ({prf}, {scheme.iterations} iterations, {cipher})"


def decrypt_pkcs8(data: bytes, password: bytes) -> bytes:
    """EncryptedPrivateKeyInfo DER -> PrivateKeyInfo/OneAsymmetricKey DER (checked to decode as one)."""
    scheme, data = _parse(data)
    if isinstance(scheme, str):
        raise UnsupportedEncryptionError(f"unsupported encryption scheme {scheme}")
    if isinstance(scheme, _Legacy):
        plain = _decrypt_pkcs12_3des(scheme, data, password)
    else:
        plain = _decrypt_pbes2(scheme, data, password)
    info = der.attempt(pkix.private_key_info, plain)
    if info is None or info.version not in (0, 1):
        raise WrongPassphraseError(WRONG_PASSPHRASE)
    return plain


def _check_iterations(n: int) -> None:
    if not 1 <= n <= MAX_ITERATIONS:
        raise UnsupportedEncryptionError(f"iteration count {n} is outside the accepted range 1..{MAX_ITERATIONS}")


def _decrypt_pbes2(s: _Pbes2, data: bytes, password: bytes) -> bytes:
    if s.kdf_oid != _PBKDF2:
        name = oids.NAMES.get(s.kdf_oid, s.kdf_oid)
        raise UnsupportedEncryptionError(f"unsupported key derivation function {name}")
    if s.prf_oid not in _PRFS:
        raise UnsupportedEncryptionError(f"unsupported PRF {s.prf_oid}")
    cipher = _CIPHERS.get(s.cipher_oid)
    if cipher is None:
        raise UnsupportedEncryptionError(f"unsupported cipher {s.cipher_oid}")
    if s.salt is None:
        raise UnsupportedEncryptionError("unsupported PBKDF2 salt source (otherSource)")
    _check_iterations(s.iterations)
    if s.key_length is not None and s.key_length != cipher.key_size:
        raise MalformedEncryptedKeyError(f"PBKDF2 key length {s.key_length} does not fit {cipher.name}")
    if s.iv is None or len(s.iv) != cipher.block_size:
        raise MalformedEncryptedKeyError(f"missing or invalid IV for {cipher.name}")
    key = _pbkdf2(_PRFS[s.prf_oid][0], password, s.salt, s.iterations, cipher.key_size)
    return cbc_decrypt(cipher.make(key), s.iv, data)


def cbc_decrypt(alg: BlockCipherAlgorithm, iv: bytes, data: bytes) -> bytes:
    """CBC-decrypt and strip PKCS#7 padding; bad padding means a wrong passphrase (or corrupted data)."""
    block = alg.block_size // 8
    if not data or len(data) % block:
        raise MalformedEncryptedKeyError("encrypted data is not a whole number of cipher blocks")
    decryptor = Cipher(alg, modes.CBC(iv)).decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    pad = padded[-1]
    if not 1 <= pad <= block or padded[-pad:] != bytes([pad]) * pad:
        raise WrongPassphraseError(WRONG_PASSPHRASE)
    return padded[:-pad]


# --- PBKDF2 --------------------------------------------------------------------------------


def _pbkdf2(hash_name: str, password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    if hash_name == "sm3":
        return _pbkdf2_sm3(password, salt, iterations, length)
    return hashlib.pbkdf2_hmac(hash_name, password, salt, iterations, length)


def _pbkdf2_sm3(password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    """hashlib has SM3 only where its OpenSSL does; `cryptography`'s wheels usually do; else pure Python."""
    for backend in (_pbkdf2_sm3_hashlib, _pbkdf2_sm3_cryptography):
        out = backend(password, salt, iterations, length)
        if out is not None:
            return out
    return _pbkdf2_sm3_python(password, salt, iterations, length)


def _pbkdf2_sm3_hashlib(password: bytes, salt: bytes, iterations: int, length: int) -> bytes | None:
    try:
        return hashlib.pbkdf2_hmac("sm3", password, salt, iterations, length)
    except ValueError:  # "unsupported hash type"
        return None


def _pbkdf2_sm3_cryptography(password: bytes, salt: bytes, iterations: int, length: int) -> bytes | None:
    try:
        return PBKDF2HMAC(hashes.SM3(), length, salt, iterations).derive(password)
    except UnsupportedAlgorithm:
        return None


# Pure-Python SM3 runs ~0.7 ms per block: GmSSL's 65536 iterations would take minutes per key.
# Beyond this many iterations, refusing with a reason beats a pipeline that seems to hang.
MAX_PURE_PYTHON_ITERATIONS = 2048


def _pbkdf2_sm3_python(password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    try:
        from certcheck._crypto.sm2 import sm3, sm3_is_pure_python  # lazy: that module is optional at import time
    except ImportError:
        raise UnsupportedEncryptionError("SM3 is not available on this platform") from None
    if sm3_is_pure_python() and iterations > MAX_PURE_PYTHON_ITERATIONS:
        raise UnsupportedEncryptionError(
            f"PBKDF2-HMAC-SM3 with {iterations} iterations needs an SM3 implementation in OpenSSL (hashlib or "
            "cryptography), which this platform lacks; decrypt the key with `gmssl` or `openssl` first"
        )
    return pbkdf2_generic(sm3, 64, password, salt, iterations, length)


def pbkdf2_generic(
    digest: Callable[[bytes], bytes],
    block_size: int,
    password: bytes,
    salt: bytes,
    iterations: int,
    length: int,
) -> bytes:
    """PBKDF2 (RFC 8018 5.2) with HMAC (RFC 2104) over any one-shot hash function."""
    if len(password) > block_size:
        password = digest(password)
    key = password.ljust(block_size, b"\0")
    inner, outer = bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)

    def prf(message: bytes) -> bytes:
        return digest(outer + digest(inner + message))

    out = b""
    counter = 1
    while len(out) < length:
        u = prf(salt + counter.to_bytes(4, "big"))
        acc = int.from_bytes(u, "big")
        for _ in range(iterations - 1):
            u = prf(u)
            acc ^= int.from_bytes(u, "big")
        out += acc.to_bytes(len(u), "big")
        counter += 1
    return out[:length]


# --- PKCS#12 PBE (RFC 7292 appendix B) ------------------------------------------------------


def _decrypt_pkcs12_3des(s: _Legacy, data: bytes, password: bytes) -> bytes:
    key_size = _PKCS12_3DES_KEY_SIZE.get(s.oid)
    if key_size is None:
        raise UnsupportedEncryptionError(f"unsupported encryption scheme {_LEGACY_NAMES[s.oid]}")
    if s.salt is None:
        raise MalformedEncryptedKeyError(f"invalid {_LEGACY_NAMES[s.oid]} parameters")
    _check_iterations(s.iterations)
    try:  # OpenSSL's rule: UTF-8 passwords become UTF-16BE, anything else is widened byte by byte
        bmp = password.decode("utf-8").encode("utf-16-be")
    except UnicodeDecodeError:
        bmp = b"".join(b"\0" + bytes([c]) for c in password)
    bmp += b"\0\0"
    key = _pkcs12_kdf(bmp, s.salt, 1, s.iterations, key_size)
    iv = _pkcs12_kdf(bmp, s.salt, 2, s.iterations, 8)
    if len(key) == 16:  # two-key 3DES is K1 K2 K1; cryptography deprecates 16-byte keys
        key += key[:8]
    return cbc_decrypt(TripleDES(key), iv, data)


def _pkcs12_kdf(password: bytes, salt: bytes, purpose: int, iterations: int, length: int) -> bytes:
    v = 64  # SHA-1 block size
    work = bytearray(_repeat(salt, v * -(-len(salt) // v)) + _repeat(password, v * -(-len(password) // v)))
    out = b""
    while True:
        a = hashlib.sha1(bytes([purpose]) * v + work).digest()
        for _ in range(iterations - 1):
            a = hashlib.sha1(a).digest()
        out += a
        if len(out) >= length:
            return out[:length]
        b = int.from_bytes(_repeat(a, v), "big")
        for j in range(0, len(work), v):
            block = (int.from_bytes(work[j : j + v], "big") + b + 1) % (1 << (8 * v))
            work[j : j + v] = block.to_bytes(v, "big")


def _repeat(x: bytes, length: int) -> bytes:
    return (x * -(-length // len(x)))[:length] if x else b""
