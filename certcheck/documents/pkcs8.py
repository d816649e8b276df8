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
from typing import Any, ClassVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from pyasn1.type import univ
from pyasn1_modules import rfc5958, rfc7292, rfc8018

from certcheck.containers import decode_exact as _decode

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


_PBES2 = "1.2.840.113549.1.5.13"
_PBKDF2 = "1.2.840.113549.1.5.12"
_KDF_NAMES = {"1.3.6.1.4.1.11591.4.11": "scrypt"}

# PRF OID -> (hashlib name, display name)
_PRFS: dict[str, tuple[str, str]] = {
    "1.2.840.113549.2.7": ("sha1", "SHA1"),
    "1.2.840.113549.2.8": ("sha224", "SHA224"),
    "1.2.840.113549.2.9": ("sha256", "SHA256"),
    "1.2.840.113549.2.10": ("sha384", "SHA384"),
    "1.2.840.113549.2.11": ("sha512", "SHA512"),
    "1.2.840.113549.2.12": ("sha512_224", "SHA512/224"),
    "1.2.840.113549.2.13": ("sha512_256", "SHA512/256"),
    "1.2.156.10197.1.401.2": ("sm3", "SM3"),
    "1.2.156.10197.1.401.3.1": ("sm3", "SM3"),
}


@dataclass(frozen=True)
class _CipherSpec:
    name: str
    key_size: int
    block_size: int
    make: Callable[[bytes], BlockCipherAlgorithm]


_CIPHERS: dict[str, _CipherSpec] = {
    "2.16.840.1.101.3.4.1.2": _CipherSpec("AES-128-CBC", 16, 16, algorithms.AES),
    "2.16.840.1.101.3.4.1.22": _CipherSpec("AES-192-CBC", 24, 16, algorithms.AES),
    "2.16.840.1.101.3.4.1.42": _CipherSpec("AES-256-CBC", 32, 16, algorithms.AES),
    "1.2.156.10197.1.104.2": _CipherSpec("SM4-CBC", 16, 16, algorithms.SM4),
    "1.2.840.113549.3.7": _CipherSpec("DES-EDE3-CBC", 24, 8, TripleDES),
}

_P12 = "1.2.840.113549.1.12.1."
_PKCS12_3DES_KEY_SIZE = {_P12 + "3": 24, _P12 + "4": 16}
_LEGACY_NAMES = {
    "1.2.840.113549.1.5.1": "PBES1 pbeWithMD2AndDES-CBC",
    "1.2.840.113549.1.5.3": "PBES1 pbeWithMD5AndDES-CBC",
    "1.2.840.113549.1.5.4": "PBES1 pbeWithMD2AndRC2-CBC",
    "1.2.840.113549.1.5.6": "PBES1 pbeWithMD5AndRC2-CBC",
    "1.2.840.113549.1.5.10": "PBES1 pbeWithSHA1AndDES-CBC",
    "1.2.840.113549.1.5.11": "PBES1 pbeWithSHA1AndRC2-CBC",
    _P12 + "1": "PKCS#12 pbeWithSHAAnd128BitRC4",
    _P12 + "2": "PKCS#12 pbeWithSHAAnd40BitRC4",
    _P12 + "3": "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
    _P12 + "4": "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
    _P12 + "5": "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
    _P12 + "6": "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
}


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


def _params(alg: Any) -> bytes | None:
    return bytes(alg["parameters"]) if alg["parameters"].isValue else None


def _parse(der: bytes) -> tuple[_Pbes2 | _Legacy | str, bytes]:
    """-> (scheme, encrypted data); the scheme is an OID string when it is unknown."""
    epki = _decode(der, rfc5958.EncryptedPrivateKeyInfo())
    if epki is None:
        raise MalformedEncryptedKeyError("not a valid EncryptedPrivateKeyInfo")
    oid, params = str(epki["encryptionAlgorithm"]["algorithm"]), _params(epki["encryptionAlgorithm"])
    data = bytes(epki["encryptedData"])
    if oid == _PBES2:
        return _parse_pbes2(params), data
    if oid in _LEGACY_NAMES:
        p = _decode(params or b"", rfc7292.Pkcs_12PbeParams())
        salt, iterations = (None, 0) if p is None else (bytes(p["salt"]), int(p["iterations"]))
        return _Legacy(oid, salt, iterations), data
    return oid, data


def _parse_pbes2(params: bytes | None) -> _Pbes2:
    p = _decode(params or b"", rfc8018.PBES2_params())
    if p is None:
        raise MalformedEncryptedKeyError("invalid PBES2 parameters")
    kdf, enc = p["keyDerivationFunc"], p["encryptionScheme"]
    enc_params = _params(enc)
    iv = _decode(enc_params, univ.OctetString()) if enc_params is not None else None
    iv_bytes = None if iv is None else bytes(iv)
    kdf_oid, cipher_oid = str(kdf["algorithm"]), str(enc["algorithm"])
    if kdf_oid != _PBKDF2:
        return _Pbes2(kdf_oid, "", None, 0, None, cipher_oid, iv_bytes)
    k = _decode(_params(kdf) or b"", rfc8018.PBKDF2_params())
    if k is None:
        raise MalformedEncryptedKeyError("invalid PBKDF2 parameters")
    salt = bytes(k["salt"]["specified"]) if k["salt"].getName() == "specified" else None
    key_length = int(k["keyLength"]) if k["keyLength"].isValue else None
    prf = str(k["prf"]["algorithm"])
    return _Pbes2(kdf_oid, prf, salt, int(k["iterationCount"]), key_length, cipher_oid, iv_bytes)


def describe_encryption(der: bytes) -> str:
    """Human description, e.g. "PBES2 (PBKDF2-HMAC-SM3, 65536 iterations, SM4-CBC)"."""
    scheme, _ = _parse(der)
    if isinstance(scheme, str):
        return f"unknown encryption scheme {scheme}"
    if isinstance(scheme, _Legacy):
        name = _LEGACY_NAMES[scheme.oid]
        return f"{name} ({scheme.iterations} iterations)" if scheme.salt is not None else name
    cipher = _CIPHERS[scheme.cipher_oid].name if scheme.cipher_oid in _CIPHERS else f"cipher {scheme.cipher_oid}"
    if scheme.kdf_oid != _PBKDF2:
        return f"PBES2 ({_KDF_NAMES.get(scheme.kdf_oid, 'KDF ' + scheme.kdf_oid)}, {cipher})"
    prf = f"PBKDF2-HMAC-{_PRFS[scheme.prf_oid][1]}" if scheme.prf_oid in _PRFS else f"PBKDF2 PRF {scheme.prf_oid}"
    return f"PBES2 ({prf}, {scheme.iterations} iterations, {cipher})"


def decrypt_pkcs8(der: bytes, password: bytes) -> bytes:
    """EncryptedPrivateKeyInfo DER -> PrivateKeyInfo/OneAsymmetricKey DER (checked to decode as one)."""
    scheme, data = _parse(der)
    if isinstance(scheme, str):
        raise UnsupportedEncryptionError(f"unsupported encryption scheme {scheme}")
    if isinstance(scheme, _Legacy):
        plain = _decrypt_pkcs12_3des(scheme, data, password)
    else:
        plain = _decrypt_pbes2(scheme, data, password)
    info = _decode(plain, rfc5958.OneAsymmetricKey())
    if info is None or int(info["version"]) not in (0, 1):
        raise WrongPassphraseError(WRONG_PASSPHRASE)
    return plain


def _check_iterations(n: int) -> None:
    if not 1 <= n <= MAX_ITERATIONS:
        raise UnsupportedEncryptionError(f"iteration count {n} is outside the accepted range 1..{MAX_ITERATIONS}")


def _decrypt_pbes2(s: _Pbes2, data: bytes, password: bytes) -> bytes:
    if s.kdf_oid != _PBKDF2:
        name = _KDF_NAMES.get(s.kdf_oid, s.kdf_oid)
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


# Pure-Python SM3 (gmssl's) runs ~5 ms per block: GmSSL's 65536 iterations would take minutes per key.
# Beyond this many iterations, refusing with a reason beats a pipeline that seems to hang.
MAX_PURE_PYTHON_ITERATIONS = 2048


def _pbkdf2_sm3_python(password: bytes, salt: bytes, iterations: int, length: int) -> bytes:
    try:
        from certcheck.sm2 import sm3, sm3_is_pure_python  # lazy: that module is optional at import time
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
