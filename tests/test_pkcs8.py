"""certcheck._crypto.pkcs8: encrypted PKCS#8, with GmSSL's files and the openssl command line as oracles."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder
from pyasn1.codec.der import encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5958, rfc8018

import certcheck._crypto.sm2
from certcheck._crypto import pkcs8
from certcheck._crypto.pkcs8 import (
    KeyDecryptError,
    MalformedEncryptedKeyError,
    UnsupportedEncryptionError,
    WrongPassphraseError,
    decrypt_pkcs8,
    describe_encryption,
)

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "sm2"
GMSSL_KEYS = ["cakey.pem", "signkey.pem", "enckey.pem"]
GMSSL_DESCRIPTION = "PBES2 (PBKDF2-HMAC-SM3, 65536 iterations, SM4-CBC)"
PASSWORD = "pässwörd-Ω1".encode()  # non-ASCII: PKCS#12 PBE turns it into UTF-16 like OpenSSL does

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line")


def pem_der(path: Path) -> bytes:
    body = path.read_text().split("-----")[2]
    return base64.b64decode("".join(body.split()))


def openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def assert_secret_free(exc: BaseException, *secrets: bytes) -> None:
    """Neither the message, repr, args nor any chained exception may carry a secret."""
    texts = [str(exc), repr(exc), repr(exc.args), getattr(exc, "reason", "")]
    assert exc.__cause__ is None and exc.__context__ is None
    for secret in secrets:
        for form in {secret.hex(), secret.hex().upper(), repr(secret), secret.decode("latin-1")}:
            for text in texts:
                assert form not in text


# --- GmSSL 3 keys: PBKDF2-HMAC-SM3 (GmSSL OID), SM4-CBC -----------------------------------------------


@pytest.mark.parametrize("name", GMSSL_KEYS)
def test_gmssl_keys_decrypt(name: str) -> None:
    der = pem_der(CORPUS / "gmssl-generated" / name)
    assert describe_encryption(der) == GMSSL_DESCRIPTION
    plain = decrypt_pkcs8(der, b"1234")
    info, rest = decoder.decode(plain, asn1Spec=rfc5958.OneAsymmetricKey())
    assert rest == b""
    assert str(info["privateKeyAlgorithm"]["algorithm"]) == "1.2.840.10045.2.1"


@pytest.mark.parametrize("name", GMSSL_KEYS)
def test_gmssl_wrong_password(name: str) -> None:
    der = pem_der(CORPUS / "gmssl-generated" / name)
    plain = decrypt_pkcs8(der, b"1234")
    with pytest.raises(WrongPassphraseError) as caught:
        decrypt_pkcs8(der, b"hunter2-secret")
    exc = caught.value
    assert isinstance(exc, KeyDecryptError) and exc.wrong_password and exc.kind == "wrong-passphrase"
    assert exc.reason == "wrong passphrase or corrupted data"
    assert_secret_free(exc, b"hunter2-secret", plain, plain[-40:])


def _rebuild(der: bytes, **changes: Any) -> bytes:
    """Re-encode an EncryptedPrivateKeyInfo with some PBES2/PBKDF2 fields changed (prf, iterations, ...)."""
    epki, _ = decoder.decode(der, asn1Spec=rfc5958.EncryptedPrivateKeyInfo())
    pbes2, _ = decoder.decode(bytes(epki["encryptionAlgorithm"]["parameters"]), asn1Spec=rfc8018.PBES2_params())
    kdf, _ = decoder.decode(bytes(pbes2["keyDerivationFunc"]["parameters"]), asn1Spec=rfc8018.PBKDF2_params())
    if "prf" in changes:
        kdf["prf"]["algorithm"] = univ.ObjectIdentifier(changes["prf"])
    if "iterations" in changes:
        kdf["iterationCount"] = changes["iterations"]
    if "key_length" in changes:
        kdf["keyLength"] = changes["key_length"]
    pbes2["keyDerivationFunc"]["parameters"] = univ.Any(encoder.encode(kdf))
    if "cipher" in changes:
        pbes2["encryptionScheme"]["algorithm"] = univ.ObjectIdentifier(changes["cipher"])
    if "iv" in changes:
        pbes2["encryptionScheme"]["parameters"] = univ.Any(encoder.encode(univ.OctetString(changes["iv"])))
    epki["encryptionAlgorithm"]["parameters"] = univ.Any(encoder.encode(pbes2))
    if "data" in changes:
        epki["encryptedData"] = changes["data"]
    return bytes(encoder.encode(epki))


def test_openssl_hmac_sm3_oid_decrypts_the_same() -> None:
    """OpenSSL/Tongsuo name HMAC-SM3 1.2.156.10197.1.401.3.1; same PRF, so GmSSL's ciphertext still opens."""
    der = pem_der(CORPUS / "gmssl-generated" / "signkey.pem")
    relabelled = _rebuild(der, prf="1.2.156.10197.1.401.3.1")
    assert relabelled != der
    assert describe_encryption(relabelled) == GMSSL_DESCRIPTION
    assert decrypt_pkcs8(relabelled, b"1234") == decrypt_pkcs8(der, b"1234")


# --- openssl 3 as an oracle ------------------------------------------------------------------------------

SCHEMES = {
    "aes256-sha256": (["-v2", "aes-256-cbc", "-v2prf", "hmacWithSHA256"], "PBKDF2-HMAC-SHA256", "AES-256-CBC"),
    "sm4": (["-v2", "sm4-cbc"], "PBKDF2-HMAC-SHA256", "SM4-CBC"),
    "des3": (["-v2", "des3"], "PBKDF2-HMAC-SHA256", "DES-EDE3-CBC"),
    "aes128-sha1": (["-v2", "aes-128-cbc", "-v2prf", "hmacWithSHA1"], "PBKDF2-HMAC-SHA1", "AES-128-CBC"),
    "aes192-sha512": (["-v2", "aes-192-cbc", "-v2prf", "hmacWithSHA512"], "PBKDF2-HMAC-SHA512", "AES-192-CBC"),
    "p12-3des": (["-v1", "PBE-SHA1-3DES"], "pbeWithSHAAnd3-KeyTripleDES-CBC", ""),
    "p12-2des": (["-v1", "PBE-SHA1-2DES"], "pbeWithSHAAnd2-KeyTripleDES-CBC", ""),
}
KEY_TYPES = {
    "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
    "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "sm2": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"],
}


@pytest.fixture(scope="session")
def openssl_keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes, bytes]]:
    """(key, scheme) id -> (encrypted DER, original plain PKCS#8 DER, openssl's own decryption)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command line")
    tmp = tmp_path_factory.mktemp("pkcs8")
    password = PASSWORD.decode()
    out: dict[str, tuple[bytes, bytes, bytes]] = {}
    for key_name, genargs in KEY_TYPES.items():
        pem = tmp / f"{key_name}.pem"
        openssl("genpkey", *genargs, "-out", str(pem))
        plain = openssl("pkcs8", "-topk8", "-nocrypt", "-in", str(pem), "-outform", "DER")
        for scheme, (args, _, _) in SCHEMES.items():
            enc_path = tmp / f"{key_name}-{scheme}.der"
            openssl(
                "pkcs8",
                "-topk8",
                "-in",
                str(pem),
                *args,
                "-passout",
                f"pass:{password}",
                "-outform",
                "DER",
                "-out",
                str(enc_path),
            )
            oracle = openssl(
                "pkcs8",
                "-inform",
                "DER",
                "-in",
                str(enc_path),
                "-passin",
                f"pass:{password}",
                "-topk8",
                "-nocrypt",
                "-outform",
                "DER",
            )
            out[f"{key_name}-{scheme}"] = (enc_path.read_bytes(), plain, oracle)
    return out


@needs_openssl
@pytest.mark.parametrize("key_name", KEY_TYPES)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_against_openssl(openssl_keys: dict[str, tuple[bytes, bytes, bytes]], key_name: str, scheme: str) -> None:
    enc, plain, oracle = openssl_keys[f"{key_name}-{scheme}"]
    assert decrypt_pkcs8(enc, PASSWORD) == oracle == plain
    _, prf, cipher = SCHEMES[scheme]
    description = describe_encryption(enc)
    assert prf in description and cipher in description and "2048 iterations" in description
    with pytest.raises(WrongPassphraseError) as caught:
        decrypt_pkcs8(enc, PASSWORD + b"x")
    assert_secret_free(caught.value, PASSWORD, PASSWORD + b"x", plain[-40:])


@needs_openssl
def test_scrypt_is_unsupported_by_name(tmp_path: Path) -> None:
    pem = tmp_path / "k.pem"
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(pem))
    enc = openssl("pkcs8", "-topk8", "-scrypt", "-in", str(pem), "-passout", "pass:pw", "-outform", "DER")
    assert describe_encryption(enc) == "PBES2 (scrypt, AES-256-CBC)"
    with pytest.raises(UnsupportedEncryptionError, match="scrypt"):
        decrypt_pkcs8(enc, b"pw")


# --- SM3 fallbacks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", [b"", b"pw", b"x" * 64, b"y" * 100])
@pytest.mark.parametrize(("iterations", "length"), [(1, 16), (3, 32), (50, 70)])
def test_generic_pbkdf2_matches_hashlib(password: bytes, iterations: int, length: int) -> None:
    def sha256(data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    expected = hashlib.pbkdf2_hmac("sha256", password, b"salt", iterations, length)
    assert pkcs8.pbkdf2_generic(sha256, 64, password, b"salt", iterations, length) == expected


def test_sm3_backends_agree() -> None:
    args = (b"1234", b"some salt", 7, 48)
    python = pkcs8._pbkdf2_sm3_python(*args)
    for backend in (pkcs8._pbkdf2_sm3_hashlib, pkcs8._pbkdf2_sm3_cryptography):
        result = backend(*args)
        if result is not None:  # a backend may be missing on some platforms
            assert result == python


def test_gmssl_key_through_pure_python_sm3(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = 0
    real_sm3 = certcheck._crypto.sm2.sm3

    def counting_sm3(data: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return real_sm3(data)

    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_hashlib", lambda *a: None)
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_cryptography", lambda *a: None)
    monkeypatch.setattr(certcheck._crypto.sm2, "sm3", counting_sm3)
    der = pem_der(CORPUS / "gmssl-generated" / "cakey.pem")
    decrypt_pkcs8(der, b"1234")
    assert calls >= 65536 * 2


def test_cryptography_sm3_backend_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    real = pkcs8._pbkdf2_sm3_cryptography
    if real(b"pw", b"salt", 1, 16) is None:
        pytest.skip("this cryptography build has no SM3")
    der = pem_der(CORPUS / "gmssl-generated" / "enckey.pem")
    expected = decrypt_pkcs8(der, b"1234")
    used: list[bool] = []

    def spy(*args: Any) -> bytes | None:
        out = real(*args)
        used.append(out is not None)
        return out

    def no_fallback(*args: Any) -> bytes:
        raise AssertionError("fell through to pure-Python SM3")

    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_hashlib", lambda *a: None)
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_cryptography", spy)
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_python", no_fallback)
    assert decrypt_pkcs8(der, b"1234") == expected
    assert used == [True]


def test_no_sm3_anywhere_is_unsupported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_hashlib", lambda *a: None)
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_cryptography", lambda *a: None)
    monkeypatch.setitem(sys.modules, "certcheck._crypto.sm2", None)  # makes the import fail
    der = pem_der(CORPUS / "gmssl-generated" / "cakey.pem")
    with pytest.raises(UnsupportedEncryptionError, match="SM3"):
        decrypt_pkcs8(der, b"1234")


# --- refusals and malformed input -------------------------------------------------------------------------

GMSSL_DER = pem_der(CORPUS / "gmssl-generated" / "cakey.pem")


def test_iteration_cap_refuses_fast() -> None:
    hostile = _rebuild(GMSSL_DER, iterations=2**40)
    assert "1099511627776 iterations" in describe_encryption(hostile)
    start = time.monotonic()
    with pytest.raises(UnsupportedEncryptionError, match="iteration count 1099511627776"):
        decrypt_pkcs8(hostile, b"1234")
    assert time.monotonic() - start < 1


@pytest.mark.parametrize(
    ("changes", "error", "reason"),
    [
        ({"prf": "1.2.3.4"}, UnsupportedEncryptionError, "unsupported PRF 1.2.3.4"),
        ({"cipher": "1.2.3.5"}, UnsupportedEncryptionError, "unsupported cipher 1.2.3.5"),
        ({"key_length": 32}, MalformedEncryptedKeyError, "key length 32"),
        ({"iv": b"short"}, MalformedEncryptedKeyError, "IV"),
        ({"data": b"\x00" * 17}, MalformedEncryptedKeyError, "whole number of cipher blocks"),
        ({"data": b""}, MalformedEncryptedKeyError, "whole number of cipher blocks"),
        ({"data": b"\x00" * 160}, WrongPassphraseError, "wrong passphrase"),
    ],
)
def test_bad_parameters(changes: dict[str, Any], error: type[KeyDecryptError], reason: str) -> None:
    with pytest.raises(error, match=reason) as caught:
        decrypt_pkcs8(_rebuild(GMSSL_DER, **changes), b"1234")
    assert_secret_free(caught.value, b"1234")


def _legacy(oid: str) -> bytes:
    params = encoder.encode(
        univ.Sequence()
        .setComponentByPosition(0, univ.OctetString(b"12345678"))
        .setComponentByPosition(1, univ.Integer(2048))
    )
    epki = rfc5958.EncryptedPrivateKeyInfo()
    epki["encryptionAlgorithm"]["algorithm"] = univ.ObjectIdentifier(oid)
    epki["encryptionAlgorithm"]["parameters"] = univ.Any(params)
    epki["encryptedData"] = b"\x00" * 64
    return bytes(encoder.encode(epki))


@pytest.mark.parametrize(
    ("oid", "name"),
    [
        ("1.2.840.113549.1.5.3", "PBES1 pbeWithMD5AndDES-CBC"),
        ("1.2.840.113549.1.5.10", "PBES1 pbeWithSHA1AndDES-CBC"),
        ("1.2.840.113549.1.12.1.6", "PKCS#12 pbeWithSHAAnd40BitRC2-CBC"),
        ("1.2.840.113549.1.12.1.1", "PKCS#12 pbeWithSHAAnd128BitRC4"),
    ],
)
def test_legacy_schemes_refused_by_name(oid: str, name: str) -> None:
    der = _legacy(oid)
    assert describe_encryption(der) == f"{name} (2048 iterations)"
    with pytest.raises(UnsupportedEncryptionError, match=name):
        decrypt_pkcs8(der, b"pw")


def test_unknown_scheme() -> None:
    der = _legacy("1.2.3.4.5")
    assert describe_encryption(der) == "unknown encryption scheme 1.2.3.4.5"
    with pytest.raises(UnsupportedEncryptionError, match=r"1\.2\.3\.4\.5"):
        decrypt_pkcs8(der, b"pw")


def test_every_truncation_is_malformed() -> None:
    for cut in range(len(GMSSL_DER)):
        with pytest.raises(MalformedEncryptedKeyError):
            describe_encryption(GMSSL_DER[:cut])
    with pytest.raises(MalformedEncryptedKeyError):
        decrypt_pkcs8(GMSSL_DER + b"\x00", b"1234")


LENGTH_BYTES = st.sampled_from([0x80, 0x81, 0x82, 0x84, 0x88, 0x8F, 0xFF, 0x00])


@pytest.fixture(scope="module")
def cheap_key(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """An SM2 key under PBKDF2 with 1 iteration and SM4, so fuzzing reaches the whole decrypt path quickly."""
    if shutil.which("openssl") is None:
        return _rebuild(GMSSL_DER, iterations=1)  # still parses; the password just no longer fits
    pem = tmp_path_factory.mktemp("cheap") / "k.pem"
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", str(pem))
    args = ["-v2", "sm4-cbc", "-iter", "1", "-passout", "pass:1234", "-outform", "DER"]
    der = openssl("pkcs8", "-topk8", "-in", str(pem), *args)
    decrypt_pkcs8(der, b"1234")
    return der


def test_huge_lengths_everywhere(cheap_key: bytes) -> None:
    """A long-form length of 2**63 or more at any offset (pyasn1 raises OverflowError on those)."""
    for pos in range(len(cheap_key) - 1):
        blob = cheap_key[:pos] + b"\x88\xff" + cheap_key[pos + 2 :]
        with contextlib.suppress(KeyDecryptError):
            describe_encryption(blob)
        with contextlib.suppress(KeyDecryptError):
            decrypt_pkcs8(blob, b"1234")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_only_key_decrypt_errors(cheap_key: bytes, data: st.DataObject) -> None:
    mode = data.draw(st.sampled_from(["random", "flip", "length", "splice"]))
    if mode == "random":
        blob = data.draw(st.binary(max_size=300))
    elif mode in ("flip", "length"):  # "length": bytes that read as long-form DER lengths (found OverflowError)
        pos = data.draw(st.integers(0, len(cheap_key) - 1))
        new = cheap_key[pos] ^ data.draw(st.integers(1, 255)) if mode == "flip" else data.draw(LENGTH_BYTES)
        blob = cheap_key[:pos] + bytes([new]) + cheap_key[pos + 1 :]
    else:
        pos = data.draw(st.integers(0, len(cheap_key)))
        blob = cheap_key[:pos] + data.draw(st.binary(max_size=20)) + cheap_key[pos:]
    for call in (lambda: describe_encryption(blob), lambda: decrypt_pkcs8(blob, b"1234")):
        try:
            call()
        except KeyDecryptError as exc:
            assert exc.reason and exc.__context__ is None


def test_pure_python_sm3_refuses_gmssl_iteration_counts_instead_of_hanging(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_hashlib", lambda *a: None)
    monkeypatch.setattr(pkcs8, "_pbkdf2_sm3_cryptography", lambda *a: None)
    monkeypatch.setattr(certcheck._crypto.sm2, "_sm3_impl", certcheck._crypto.sm2._sm3_python)
    der = pem_der(CORPUS / "gmssl-generated" / "cakey.pem")
    with pytest.raises(pkcs8.UnsupportedEncryptionError, match="SM3"):
        decrypt_pkcs8(der, b"1234")
