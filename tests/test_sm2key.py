"""certcheck._crypto.sm2key: SM2 keys and SPKIs from the corpus and openssl, vendor containers, bad input."""

from __future__ import annotations

import base64
import contextlib
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyasn1.codec.ber import decoder
from pyasn1.codec.der import encoder
from pyasn1.type import univ
from pyasn1_modules import rfc5280

from certcheck._crypto.containers import identify_vendor_container
from certcheck._crypto.sm2 import N
from certcheck._crypto.sm2key import (
    Sm2PrivateKey,
    is_sm2_algorithm,
    pkcs8_algorithm,
    read_sm2_pkcs8,
    read_sm2_sec1,
    read_spki,
)

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "corpus" / "sm2"
TONGSUO = CORPUS / "tongsuo"
P256_OID = "1.2.840.10045.3.1.7"
# Written out, not imported: expectations taken from the module under test would agree with it even when wrong.
SM2_OID = "1.2.156.10197.1.301"
EC_PUBLIC_KEY_OID = "1.2.840.10045.2.1"
RSA_OID = "1.2.840.113549.1.1.1"

needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line")


def pem_blocks(path: Path) -> list[bytes]:
    text = path.read_text()
    bodies = re.findall(r"-----BEGIN [^-]+-----(.*?)-----END", text, re.S)
    return [base64.b64decode("".join(body.split())) for body in bodies]


def openssl(*args: str, data: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def openssl_priv_pub(path: Path) -> tuple[int, bytes]:
    """The private scalar and public point `openssl pkey -text` prints (the oracle)."""
    text = openssl("pkey", "-in", str(path), "-text", "-noout").decode()
    priv = re.search(r"priv:\s*([0-9a-f:\s]+)pub:", text)
    pub = re.search(r"pub:\s*([0-9a-f:\s]+)", text)
    assert priv and pub
    return int(re.sub(r"[:\s]", "", priv.group(1)), 16), bytes.fromhex(re.sub(r"[:\s]", "", pub.group(1)))


def spki_of(cert_der: bytes) -> bytes:
    cert, _ = decoder.decode(cert_der, asn1Spec=rfc5280.Certificate())
    return bytes(encoder.encode(cert["tbsCertificate"]["subjectPublicKeyInfo"]))


# --- private keys from the corpus ------------------------------------------------------------------------

CORPUS_KEYS = {
    "server_sign.key": ("PKCS#8", EC_PUBLIC_KEY_OID),
    "server_enc.key": ("PKCS#8", EC_PUBLIC_KEY_OID),
    "sm2.key": ("PKCS#8", EC_PUBLIC_KEY_OID),
    "sm2-root.key": ("PKCS#8", SM2_OID),
    "sm2_begin_ec.key": ("SEC1", None),
    "sm2_begin_sm2.key": ("SEC1", None),
}


def read_corpus_key(name: str) -> Sm2PrivateKey:
    der = pem_blocks(TONGSUO / name)[0]
    form, alg = CORPUS_KEYS[name]
    if form == "SEC1":
        with pytest.raises(ValueError):
            pkcs8_algorithm(der)
        return read_sm2_sec1(der)
    assert pkcs8_algorithm(der) == (alg, SM2_OID)
    assert is_sm2_algorithm(*pkcs8_algorithm(der))
    with pytest.raises(ValueError):
        read_sm2_sec1(der)
    return read_sm2_pkcs8(der)


@needs_openssl
@pytest.mark.parametrize("name", CORPUS_KEYS)
def test_corpus_keys_match_openssl(name: str) -> None:
    key = read_corpus_key(name)
    d, pub = openssl_priv_pub(TONGSUO / name)
    assert key.d == d
    assert key.embedded_point == pub


def test_sec1_and_pkcs8_forms_of_the_same_key() -> None:
    pkcs8_key, sec1_key, standalone = (read_corpus_key(n) for n in ("sm2.key", "sm2_begin_ec.key", "sm2_begin_sm2.key"))
    assert sec1_key == pkcs8_key
    assert standalone.d != pkcs8_key.d
    # both match sm2-cert.pem (README); compare the embedded point with the certificate's
    cert_point = read_spki(spki_of(pem_blocks(TONGSUO / "sm2-cert.pem")[0])).public_key
    assert pkcs8_key.embedded_point == cert_point
    assert (
        read_corpus_key("sm2-root.key").embedded_point
        == read_spki(spki_of(pem_blocks(TONGSUO / "sm2-root-cert.pem")[0])).public_key
    )


def test_private_scalar_never_shown() -> None:
    key = read_corpus_key("sm2.key")
    digits = [str(key.d), f"{key.d:x}", f"{key.d:X}", str(key.d)[:12], f"{key.d:x}"[:12]]
    for text in (repr(key), str(key), f"{key}", repr([key]), repr({"k": key})):
        assert text == "<Sm2PrivateKey redacted>" or "<Sm2PrivateKey redacted>" in text
        assert not any(digit in text for digit in digits)
    assert repr(key) == str(key) == "<Sm2PrivateKey redacted>"  # the only digit is the one in "Sm2"


# --- SubjectPublicKeyInfo --------------------------------------------------------------------------------


def corpus_certificates() -> list[tuple[str, bytes]]:
    out = []
    for path in sorted(CORPUS.glob("*/*")):
        if path.suffix in (".pem", ".crt") and "key" not in path.name:
            out += [(f"{path.parent.name}/{path.name}#{i}", der) for i, der in enumerate(pem_blocks(path))]
    return out


CERTS = corpus_certificates()
SM2_OID_FORM = {"sm2-cert.pem", "sm2-root-cert.pem", "sm2-noza-cert.pem", "sm2-noza-root-cert.pem"}


@pytest.mark.parametrize(("name", "cert"), CERTS, ids=[name for name, _ in CERTS])
def test_corpus_certificates_are_sm2(name: str, cert: bytes) -> None:
    info = read_spki(spki_of(cert))
    assert info.is_sm2
    expected = SM2_OID if name.split("/")[1].split("#")[0] in SM2_OID_FORM else EC_PUBLIC_KEY_OID
    assert info.algorithm == expected
    assert (info.param_form, info.parameters) == ("named", SM2_OID)
    assert len(info.public_key) == 65 and info.public_key[0] == 4


def test_both_spki_forms_present_in_corpus() -> None:
    algorithms = {read_spki(spki_of(cert)).algorithm for _, cert in CERTS}
    assert algorithms == {SM2_OID, EC_PUBLIC_KEY_OID}


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """RSA, P-256 and SM2 keys from openssl, with named and explicit curve encodings."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command line")
    tmp = tmp_path_factory.mktemp("sm2key")
    out: dict[str, bytes] = {}
    for name, args in {
        "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"],
        "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "sm2": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2"],
    }.items():
        pem = tmp / f"{name}.pem"
        openssl("genpkey", *args, "-out", str(pem))
        out[f"{name}-path"] = str(pem).encode()
        out[f"{name}-pkcs8"] = openssl("pkcs8", "-topk8", "-nocrypt", "-in", str(pem), "-outform", "DER")
        out[f"{name}-spki"] = openssl("pkey", "-in", str(pem), "-pubout", "-outform", "DER")
        if name != "rsa":
            explicit = ["ec", "-in", str(pem), "-param_enc", "explicit", "-outform", "DER"]
            out[f"{name}-explicit-sec1"] = openssl(*explicit)
            out[f"{name}-explicit-spki"] = openssl(*explicit, "-pubout")
            out[f"{name}-explicit-compressed-spki"] = openssl(*explicit, "-pubout", "-conv_form", "compressed")
            out[f"{name}-explicit-pkcs8"] = openssl(
                "pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER", data=out[f"{name}-explicit-sec1"]
            )
    return out


def test_rsa_and_p256_spki_are_not_sm2(generated: dict[str, bytes]) -> None:
    rsa = read_spki(generated["rsa-spki"])
    assert (rsa.algorithm, rsa.param_form, rsa.parameters, rsa.is_sm2) == (RSA_OID, "null", None, False)
    assert rsa.describe() == f"rsaEncryption ({RSA_OID})"
    p256 = read_spki(generated["p256-spki"])
    assert (p256.algorithm, p256.parameters, p256.is_sm2) == (EC_PUBLIC_KEY_OID, P256_OID, False)
    assert "P-256" in p256.describe()


@pytest.mark.parametrize("form", ["explicit-spki", "explicit-compressed-spki"])
def test_explicit_curve_parameters(generated: dict[str, bytes], form: str) -> None:
    sm2 = read_spki(generated[f"sm2-{form}"])
    assert sm2.param_form == "explicit" and isinstance(sm2.parameters, bytes)
    assert sm2.is_sm2 and "SM2 curve" in sm2.describe()
    p256 = read_spki(generated[f"p256-{form}"])
    assert p256.param_form == "explicit" and not p256.is_sm2


def test_tampered_explicit_parameters_are_not_sm2(generated: dict[str, bytes]) -> None:
    info = read_spki(generated["sm2-explicit-spki"])
    assert isinstance(info.parameters, bytes)
    b_constant = bytes.fromhex("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93")
    assert b_constant in info.parameters
    tampered = info.parameters.replace(b_constant, b_constant[:-1] + b"\x00")
    assert not is_sm2_algorithm(EC_PUBLIC_KEY_OID, tampered)
    assert is_sm2_algorithm(EC_PUBLIC_KEY_OID, info.parameters)


@needs_openssl
def test_generated_sm2_keys_in_every_form(generated: dict[str, bytes]) -> None:
    d, pub = openssl_priv_pub(Path(generated["sm2-path"].decode()))
    for key in (
        read_sm2_pkcs8(generated["sm2-pkcs8"]),
        read_sm2_pkcs8(generated["sm2-explicit-pkcs8"]),
        read_sm2_sec1(generated["sm2-explicit-sec1"]),
    ):
        assert (key.d, key.embedded_point) == (d, pub)
    alg, param = pkcs8_algorithm(generated["sm2-explicit-pkcs8"])
    assert alg == EC_PUBLIC_KEY_OID and isinstance(param, bytes) and is_sm2_algorithm(alg, param)


def test_non_sm2_keys_refused(generated: dict[str, bytes]) -> None:
    assert pkcs8_algorithm(generated["rsa-pkcs8"]) == (RSA_OID, None)
    assert pkcs8_algorithm(generated["p256-pkcs8"]) == (EC_PUBLIC_KEY_OID, P256_OID)
    for name in ("rsa-pkcs8", "p256-pkcs8", "p256-explicit-pkcs8"):
        with pytest.raises(ValueError, match="not an SM2 key"):
            read_sm2_pkcs8(generated[name])
    with pytest.raises(ValueError, match="not SM2"):
        read_sm2_sec1(generated["p256-explicit-sec1"])


@pytest.mark.parametrize(
    ("alg", "param", "expected"),
    [
        (EC_PUBLIC_KEY_OID, SM2_OID, True),
        (SM2_OID, SM2_OID, True),
        (SM2_OID, None, True),
        (SM2_OID + ".1", None, True),
        (EC_PUBLIC_KEY_OID, bytes.fromhex("06082a811ccf5501822d"), True),  # the OID, as DER
        (SM2_OID, b"\x05\x00", True),
        (EC_PUBLIC_KEY_OID, None, False),
        (EC_PUBLIC_KEY_OID, P256_OID, False),
        (SM2_OID, P256_OID, False),
        (RSA_OID, None, False),
        (RSA_OID, SM2_OID, False),
        (EC_PUBLIC_KEY_OID, b"\x30\x00", False),
        (EC_PUBLIC_KEY_OID, b"garbage", False),
    ],
)
def test_is_sm2_algorithm(alg: str, param: str | bytes | None, expected: bool) -> None:
    assert is_sm2_algorithm(alg, param) is expected


# --- malformed SEC1 --------------------------------------------------------------------------------------


def sec1(version: int = 1, scalar: bytes = b"\x01" * 32, params: bytes | None = None) -> bytes:
    body = encoder.encode(univ.Integer(version)) + encoder.encode(univ.OctetString(scalar))
    if params is not None:
        body += b"\xa0" + bytes([len(params)]) + params
    return b"\x30" + bytes([len(body)]) + body  # short form: bodies here stay under 128 bytes


@pytest.mark.parametrize(
    ("der", "reason"),
    [
        (sec1(version=0), "version 0"),
        (sec1(version=2), "version 2"),
        (sec1(scalar=b"\x00" * 32), "out of range"),
        (sec1(scalar=N.to_bytes(32, "big")), "out of range"),
        (sec1(scalar=(N - 1).to_bytes(32, "big")), "out of range"),  # n-1: (1+d) has no inverse, cannot sign
        (sec1(scalar=b"\xff" * 33), "out of range"),
        (sec1(params=bytes.fromhex("06082a8648ce3d030107")), "not SM2"),  # P-256 named
        (sec1() + b"\x00", "not a valid ECPrivateKey"),
        (b"", "not a valid ECPrivateKey"),
    ],
)
def test_bad_sec1(der: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason) as caught:
        read_sm2_sec1(der)
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_sec1_edges_accepted() -> None:
    assert read_sm2_sec1(sec1(scalar=(N - 2).to_bytes(32, "big"))).d == N - 2
    assert read_sm2_sec1(sec1(scalar=b"\x01")).d == 1  # short encodings happen
    assert read_sm2_sec1(sec1(params=bytes.fromhex("06082a811ccf5501822d"))).embedded_point is None


def test_errors_do_not_leak_the_scalar() -> None:
    scalar = bytes.fromhex("7fd2789e4e290d8b576e7830d5ea5b72ac5b45562e00c2fe5bdd3225ab730515")
    for der in (sec1(scalar=scalar, params=bytes.fromhex("06082a8648ce3d030107")), sec1(scalar=scalar)[:-3]):
        with pytest.raises(ValueError) as caught:
            read_sm2_sec1(der)
        text = str(caught.value) + repr(caught.value)
        assert scalar.hex() not in text and scalar.hex()[:8] not in text and str(int(scalar.hex(), 16)) not in text


def test_every_truncation_is_a_value_error() -> None:
    for name in ("sm2.key", "sm2_begin_ec.key"):
        der = pem_blocks(TONGSUO / name)[0]
        for cut in range(len(der)):
            for reader in (read_sm2_pkcs8, read_sm2_sec1, read_spki, pkcs8_algorithm):
                with pytest.raises(ValueError):
                    reader(der[:cut])
            assert identify_vendor_container(der[:cut]) is None


def test_huge_lengths_everywhere() -> None:
    """A long-form length of 2**63 or more at any offset (pyasn1 raises OverflowError on those)."""
    for name in ("sm2.key", "sm2_begin_ec.key"):
        der = pem_blocks(TONGSUO / name)[0]
        for pos in range(len(der) - 1):
            blob = der[:pos] + b"\x88\xff" + der[pos + 2 :]
            for reader in (read_sm2_pkcs8, read_sm2_sec1, read_spki, pkcs8_algorithm):
                with contextlib.suppress(ValueError):
                    reader(blob)
            identify_vendor_container(blob)


@settings(max_examples=300, deadline=None)
@given(blob=st.one_of(st.binary(max_size=200), st.sampled_from(range(len(CERTS))).map(lambda i: CERTS[i][1])))
def test_fuzz_only_value_errors(blob: bytes) -> None:
    for reader in (read_sm2_pkcs8, read_sm2_sec1, read_spki, pkcs8_algorithm):
        try:
            reader(blob)
        except ValueError as exc:
            assert exc.__context__ is None
    identify_vendor_container(blob)  # never raises
    is_sm2_algorithm(EC_PUBLIC_KEY_OID, blob)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_keys(data: st.DataObject) -> None:
    der = pem_blocks(TONGSUO / data.draw(st.sampled_from(sorted(CORPUS_KEYS))))[0]
    pos = data.draw(st.integers(0, len(der) - 1))
    # a random flip, or a byte that reads as a long-form DER length (pyasn1 raised OverflowError on those)
    new = data.draw(st.one_of(st.integers(1, 255).map(lambda x: der[pos] ^ x), st.sampled_from([0x84, 0x88, 0xFF])))
    blob = der[:pos] + bytes([new]) + der[pos + 1 :]
    for reader in (read_sm2_pkcs8, read_sm2_sec1, pkcs8_algorithm):
        try:
            reader(blob)
        except ValueError as exc:
            assert exc.__context__ is None
    identify_vendor_container(blob)


# --- vendor containers -----------------------------------------------------------------------------------


def _seq(*parts: object) -> univ.Sequence:
    seq = univ.Sequence()
    for i, part in enumerate(parts):
        seq.setComponentByPosition(i, part)
    return seq


def sm2_enveloped_key() -> bytes:
    """GB/T 35276 7.4 SM2EnvelopedKey, with random-looking filler where the ciphertexts go."""
    alg = rfc5280.AlgorithmIdentifier()
    alg["algorithm"] = univ.ObjectIdentifier("1.2.156.10197.1.104.1")  # SM4-ECB
    cipher = _seq(
        univ.Integer(2**255 + 7),
        univ.Integer(2**254 + 9),
        univ.OctetString(b"\x11" * 32),
        univ.OctetString(b"\x22" * 16),
    )
    public = univ.BitString.fromOctetString(b"\x04" + b"\x33" * 64)
    encrypted_private = univ.BitString.fromOctetString(b"\x44" * 32)
    return bytes(encoder.encode(_seq(alg, cipher, public, encrypted_private)))


def cfca_sm2_file() -> bytes:
    """CFCA SADK .sm2 layout: {1, {sm2Data, SM4, OCTET STRING(encrypted d)}, {sm2Data, OCTET STRING(cert)}}."""
    sm2_data = univ.ObjectIdentifier("1.2.156.10197.6.1.4.2.1")
    cert = pem_blocks(TONGSUO / "sm2-cert.pem")[0]
    key_part = _seq(sm2_data, univ.ObjectIdentifier("1.2.156.10197.1.104"), univ.OctetString(b"\x55" * 48))
    return bytes(encoder.encode(_seq(univ.Integer(1), key_part, _seq(sm2_data, univ.OctetString(cert)))))


def skf_enveloped_key_blob() -> bytes:
    """GM/T 0016 ENVELOPEDKEYBLOB (little-endian C struct), SM4-ECB, a 16-byte wrapped key."""
    header = struct.pack("<III", 1, 0x401, 256) + b"\x66" * 64
    public = struct.pack("<I", 256) + b"\x00" * 32 + b"\x77" * 32 + b"\x00" * 32 + b"\x88" * 32
    cipher = b"\x00" * 32 + b"\x99" * 32 + b"\x00" * 32 + b"\xaa" * 32 + b"\xbb" * 32 + struct.pack("<I", 16)
    return header + public + cipher + b"\xcc" * 16


@needs_openssl
def test_pkcs12_recognised(tmp_path: Path) -> None:
    key, cert, p12 = tmp_path / "k.pem", tmp_path / "c.pem", tmp_path / "k.p12"
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=t",
        "-keyout",
        str(key),
        "-out",
        str(cert),
        "-days",
        "1",
    )
    openssl("pkcs12", "-export", "-inkey", str(key), "-in", str(cert), "-passout", "pass:pw", "-out", str(p12))
    assert identify_vendor_container(p12.read_bytes()) == "a PKCS#12 (PFX) keystore"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (sm2_enveloped_key, "SM2EnvelopedKey"),
        (cfca_sm2_file, "CFCA SM2 key file"),
        (skf_enveloped_key_blob, "SKF ENVELOPEDKEYBLOB"),
    ],
)
def test_vendor_containers_recognised(build: object, expected: str) -> None:
    assert callable(build)
    name = identify_vendor_container(build())
    assert name is not None and expected in name


def test_plain_keys_and_certificates_are_not_vendor_containers() -> None:
    for name in CORPUS_KEYS:
        assert identify_vendor_container(pem_blocks(TONGSUO / name)[0]) is None
    for _, cert in CERTS:
        assert identify_vendor_container(cert) is None
    assert identify_vendor_container(b"") is None
    blob = bytearray(skf_enveloped_key_blob())
    blob[0] = 2  # wrong version
    assert identify_vendor_container(bytes(blob)) is None
