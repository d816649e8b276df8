"""OpenSSL's legacy PEM encryption (``Proc-Type: 4,ENCRYPTED`` + ``DEK-Info: CIPHER,IV``), any key type.

Written here rather than left to ``cryptography`` because its loader cannot open SM2 keys (OpenSSL 3 writes
``SM2 PRIVATE KEY`` blocks this way) and reports every failure, wrong passphrase or unknown cipher alike, as
one ValueError. The scheme: key = EVP_BytesToKey(MD5, passphrase, salt = IV[:8], one round), then CBC.
"""

from __future__ import annotations

import binascii
import hashlib
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, algorithms

from certcheck._crypto.pkcs8 import MalformedEncryptedKeyError, UnsupportedEncryptionError, cbc_decrypt

try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # cryptography < 43, before 3DES moved to "decrepit"
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

__all__ = ["decrypt_legacy_pem", "describe"]

# DEK-Info cipher name -> (key bytes, block cipher)
_CIPHERS: dict[str, tuple[int, Callable[[bytes], BlockCipherAlgorithm]]] = {
    "AES-128-CBC": (16, algorithms.AES),
    "AES-192-CBC": (24, algorithms.AES),
    "AES-256-CBC": (32, algorithms.AES),
    "DES-EDE3-CBC": (24, TripleDES),
    "DES-CBC": (8, TripleDES),  # TripleDES with one 8-byte key is single DES
    "SM4-CBC": (16, algorithms.SM4),
}


def describe(dek_info: str | None) -> str:
    cipher = (dek_info or "").split(",")[0].strip().upper() or "unknown cipher"
    return f"legacy PEM encryption, {cipher}"


def _bytes_to_key(password: bytes, salt: bytes, length: int) -> bytes:
    derived, block = b"", b""
    while len(derived) < length:
        block = hashlib.md5(block + password + salt).digest()  # MD5: the format's own KDF, not our choice
        derived += block
    return derived[:length]


def decrypt_legacy_pem(dek_info: str | None, data: bytes, password: bytes) -> bytes:
    """The plain DER of a legacy-encrypted PEM body; KeyDecryptError subclasses say why not."""
    name, _, iv_hex = (dek_info or "").partition(",")
    spec = _CIPHERS.get(name.strip().upper())
    if spec is None:
        raise UnsupportedEncryptionError(f"unsupported legacy PEM cipher {name.strip()[:40] or '(none)'}")
    key_size, make = spec
    try:
        iv = binascii.unhexlify(iv_hex.strip())
    except (binascii.Error, ValueError):
        raise MalformedEncryptedKeyError("DEK-Info has no valid hexadecimal IV") from None
    algorithm = make(_bytes_to_key(password, iv[:8], key_size) * (3 if make is TripleDES and key_size == 8 else 1))
    if len(iv) * 8 != algorithm.block_size:
        raise MalformedEncryptedKeyError(f"DEK-Info IV does not fit {name.strip()}")
    return cbc_decrypt(algorithm, iv, data)
