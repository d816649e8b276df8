"""SM2 dual-certificate requests end to end, and every corpus file's verdict as its README states it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import certcheck
from certcheck import UploadParams
from certcheck._crypto import sm2
from certcheck.documents import parse
from certcheck.documents.certs import Algorithm, load_certificate
from certcheck.documents.chain import check_issued_by
from certcheck.documents.keys import load_private_key
from certcheck.documents.pairs import key_fits as key_matches
from certcheck.pem import encode as pem_encode
from certcheck.pem import read as read_pem
from tests.conftest import CORPUS, SM2, assert_has, assert_lacks, check, codes, only_info, read, scalar_fragments, sm

TONGSUO = CORPUS / "tongsuo"
GMSSL = CORPUS / "gmssl-generated"
ROOTS = CORPUS / "gmssl-demo-roots"


def certs_of(path: Path) -> list:  # type: ignore[type-arg]
    return [load_certificate("SignCert", b.position, b.der) for b in read_pem("SignCert", path.read_text()).blocks]


def key_of(path: Path, password: bytes | None = None):  # type: ignore[no-untyped-def]
    blocks = [b for b in read_pem("SignPrivateKey", path.read_text()).blocks if b.is_private]
    return load_private_key(blocks[0], "SignPrivateKey", password)


def sm_request(**changes: object) -> certcheck.Report:
    base: dict[str, object] = {
        "name": "demo_sm2",
        "sign_cert": sm("sm2-sign-fullchain.pem"),
        "sign_private_key": sm("sm2-sign.key"),
        "encrypt_cert": sm("sm2-enc-fullchain.pem"),
        "encrypt_private_key": sm("sm2-enc.key"),
    }
    base.update(changes)
    return check(**base)


# ---- the corpus: what its README states ------------------------------------------------------------------------

CORPUS_SIGNATURES = [
    # (certificate, issuer certificate (None = itself), expected user-ID variant)
    (ROOTS / "ROOTCA.pem", None, "default"),
    (ROOTS / "Taier_CA.pem", ROOTS / "ROOTCA.pem", "default"),
    (ROOTS / "Ant_Financial_Certification_Authority_S1.pem", ROOTS / "ROOTCA.pem", "default"),
    (ROOTS / "Civil_Servant_ROOT.pem", None, "default"),
    (ROOTS / "Device_ROOT.pem", None, "default"),
    (ROOTS / "TJCA.pem", ROOTS / "Civil_Servant_ROOT.pem", "default"),
    (GMSSL / "cacert.pem", None, "default"),
    (GMSSL / "signcert.pem", GMSSL / "cacert.pem", "default"),
    (GMSSL / "enccert.pem", GMSSL / "cacert.pem", "default"),
    (TONGSUO / "server_sign.crt", ("chain-ca.crt", 1), "default"),
    (TONGSUO / "server_enc.crt", ("chain-ca.crt", 1), "default"),
    (TONGSUO / "client_sign.crt", ("chain-ca.crt", 1), "default"),
    (TONGSUO / "client_enc.crt", ("chain-ca.crt", 1), "default"),
    (TONGSUO / "sm2-leaf.crt", ("sm2-chain-ca.crt", 0), "default"),
    (TONGSUO / "sm2-cert.pem", TONGSUO / "sm2-root-cert.pem", "default"),
    (TONGSUO / "sm2-noza-cert.pem", TONGSUO / "sm2-noza-root-cert.pem", "noZ"),
    (TONGSUO / "sm2-noza-root-cert.pem", None, "noZ"),
]


@pytest.mark.parametrize("cert_path, issuer, variant", CORPUS_SIGNATURES, ids=lambda x: getattr(x, "name", str(x)))
def test_corpus_signature_variants(cert_path: Path, issuer: object, variant: str) -> None:
    cert = certs_of(cert_path)[0]
    if issuer is None:
        issuer_cert = cert
    elif isinstance(issuer, tuple):
        issuer_cert = certs_of(TONGSUO / issuer[0])[issuer[1]]
    else:
        issuer_cert = certs_of(issuer)[0]  # type: ignore[arg-type]
    assert cert.algorithm is Algorithm.SM2 and issuer_cert.algorithm is Algorithm.SM2
    result = check_issued_by(cert, issuer_cert)
    assert result.ok and result.detail == variant


def test_corpus_chain_ca_files_are_root_then_sub() -> None:
    root, sub = certs_of(TONGSUO / "chain-ca.crt")
    assert check_issued_by(sub, root).ok and check_issued_by(root, root).ok


def test_both_spki_forms_are_sm2() -> None:
    ec_form = certs_of(TONGSUO / "server_sign.crt")[0]
    oid_form = certs_of(TONGSUO / "sm2-cert.pem")[0]
    assert ec_form.x509.public_key_algorithm_oid.dotted_string == "1.2.840.10045.2.1"
    assert oid_form.x509.public_key_algorithm_oid.dotted_string == "1.2.156.10197.1.301"
    assert ec_form.algorithm is oid_form.algorithm is Algorithm.SM2


@pytest.mark.parametrize(
    "key_file, cert_file, password",
    [
        (TONGSUO / "server_sign.key", TONGSUO / "server_sign.crt", None),
        (TONGSUO / "server_enc.key", TONGSUO / "server_enc.crt", None),
        (TONGSUO / "sm2.key", TONGSUO / "sm2-cert.pem", None),
        (TONGSUO / "sm2.key", TONGSUO / "sm2-noza-cert.pem", None),
        (TONGSUO / "sm2_begin_ec.key", TONGSUO / "sm2-cert.pem", None),
        (TONGSUO / "sm2_begin_ec.key", TONGSUO / "sm2-noza-cert.pem", None),
        (TONGSUO / "sm2-root.key", TONGSUO / "sm2-root-cert.pem", None),
        (TONGSUO / "sm2-root.key", TONGSUO / "sm2-noza-root-cert.pem", None),
        (GMSSL / "signkey.pem", GMSSL / "signcert.pem", b"1234"),
        (GMSSL / "enckey.pem", GMSSL / "enccert.pem", b"1234"),
        (GMSSL / "cakey.pem", GMSSL / "cacert.pem", b"1234"),
    ],
    ids=lambda x: getattr(x, "name", str(x)),
)
def test_corpus_keys_match_their_certificates(key_file: Path, cert_file: Path, password: bytes | None) -> None:
    key = key_of(key_file, password)
    assert key.algorithm is Algorithm.SM2
    assert key_matches(key, certs_of(cert_file)[0])


def test_stand_alone_corpus_key_matches_none() -> None:
    key = key_of(TONGSUO / "sm2_begin_sm2.key")
    assert key.algorithm is Algorithm.SM2
    for cert_file in TONGSUO.glob("*.crt"):
        for cert in certs_of(cert_file):
            assert not key_matches(key, cert)
    assert not key_matches(key_of(TONGSUO / "server_sign.key"), certs_of(TONGSUO / "server_enc.crt")[0])


def test_gmssl_keys_without_passphrase_are_encrypted_findings() -> None:
    fields = {
        "name": "g",
        "sign_cert": read(GMSSL / "signcert.pem"),
        "sign_private_key": read(GMSSL / "signkey.pem"),
        "encrypt_cert": read(GMSSL / "enccert.pem"),
        "encrypt_private_key": read(GMSSL / "enckey.pem"),
    }
    report = check(**fields)
    assert_has(report, "key.encrypted", "SignPrivateKey")
    assert "SM3" in next(f.message for f in report.findings if f.code == "key.encrypted")
    good = check(**fields, key_password=b"1234")
    assert good.ok, [f.message for f in good.findings]
    assert good.request is not None and "ENCRYPTED" not in good.request.api_params()["SignPrivateKey"]


def test_corpus_dual_pair_passes() -> None:
    chain = read(TONGSUO / "chain-ca.crt")
    report = check(
        name="tongsuo",
        sign_cert=read(TONGSUO / "server_sign.crt") + chain,
        sign_private_key=read(TONGSUO / "server_sign.key"),
        encrypt_cert=read(TONGSUO / "server_enc.crt") + chain,
        encrypt_private_key=read(TONGSUO / "server_enc.key"),
    )
    assert report.ok and report.kind == "sm" and report.algorithm == "SM2"
    assert_has(report, "chain.out_of_order")  # chain-ca.crt is root first: fixed in the request
    assert_has(report, "sm.different_subjects")


# ---- fixtures: requests ----------------------------------------------------------------------------------------


def test_good_sm_request() -> None:
    report = sm_request()
    only_info(report)
    assert report.kind == "sm" and report.algorithm == "SM2"
    assert report.request is not None
    params = report.request.api_params()
    assert set(params) >= {"SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey"}
    assert "Cert" not in params and "Key" not in params
    user_ids = [f.message for f in report.findings if f.code == "chain.sm2_user_id"]
    assert user_ids and all("1234567812345678" in m for m in user_ids)


def test_missing_sm_field_is_named() -> None:
    report = sm_request(encrypt_private_key=None)
    assert_has(report, "sm.field_missing", "EncryptPrivateKey")
    assert report.request is None


def test_rsa_certificate_in_an_sm_field_points_to_cert(rsa_leaf: str, rsa_key: str) -> None:
    report = sm_request(sign_cert=rsa_leaf, sign_private_key=rsa_key)
    assert_has(report, "sm.not_sm2", "SignCert")
    assert_has(report, "sm.not_sm2", "SignPrivateKey")
    assert "Cert" in next(f.message for f in report.findings if f.code == "sm.not_sm2")
    assert report.algorithm == "RSA"


def test_pairs_swapped_whole_are_one_error() -> None:
    report = sm_request(
        sign_cert=sm("sm2-enc-fullchain.pem"),
        sign_private_key=sm("sm2-enc.key"),
        encrypt_cert=sm("sm2-sign-fullchain.pem"),
        encrypt_private_key=sm("sm2-sign.key"),
    )
    assert [c for c in codes(report) if c.startswith(("sm.", "pair."))] == ["sm.swapped"]


def test_keys_swapped_are_one_error() -> None:
    report = sm_request(sign_private_key=sm("sm2-enc.key"), encrypt_private_key=sm("sm2-sign.key"))
    assert [c for c in codes(report) if c.startswith(("sm.", "pair."))] == ["sm.swapped"]
    assert "key" in next(f.message for f in report.findings if f.code == "sm.swapped")


def test_one_wrong_key_is_a_mismatch_not_a_swap() -> None:
    report = sm_request(sign_private_key=sm("sm2-other.key"))
    assert_has(report, "pair.key_mismatch", "SignPrivateKey")
    assert_lacks(report, "sm.swapped")


def test_same_key_pair_in_both_roles() -> None:
    report = sm_request(encrypt_cert=sm("sm2-sign-fullchain.pem"), encrypt_private_key=sm("sm2-sign.key"))
    assert_has(report, "sm.same_key")


def test_signing_certificate_without_digital_signature() -> None:
    report = sm_request(sign_cert=sm("sm2-sign-nodigsig.pem"))
    assert_has(report, "sm.sign_key_usage", "SignCert")
    assert_lacks(sm_request(), "sm.sign_key_usage", "sm.encrypt_key_usage")


def test_encryption_certificate_without_encryption_usage() -> None:
    # the signing certificate (digitalSignature only) in the encryption role, with a distinct key: not a swap
    report = sm_request(encrypt_cert=sm("sm2-sign-emptyid.pem"), encrypt_private_key=sm("sm2-sign.key"))
    assert_has(report, "sm.encrypt_key_usage", "EncryptCert")


def test_different_issuers_warn_and_subjects_inform() -> None:
    report = sm_request(encrypt_cert=sm("sm2-enc-otherca.pem"))
    assert_has(report, "sm.different_issuers")
    report = sm_request(encrypt_cert=sm("sm2-enc-othersubject.pem"))
    assert_has(report, "sm.different_subjects")
    assert_lacks(sm_request(), "sm.different_issuers", "sm.different_subjects")


def test_empty_user_id_signature_is_reported() -> None:
    report = sm_request(sign_cert=sm("sm2-sign-emptyid.pem") + sm("sm2-sub.pem"))
    messages = [f.message for f in report.findings if f.code == "chain.sm2_user_id" and f.field == "SignCert"]
    assert any("empty user ID" in m for m in messages), messages


def test_expired_sm_certificate() -> None:
    assert_has(sm_request(sign_cert=sm("sm2-sign-expired.pem")), "validity.expired", "SignCert")


@pytest.mark.parametrize(
    "key_file, password, form",
    [
        ("sm2-sign.sec1.key", None, "SEC1"),
        ("sm2-sign.ec-label.key", None, "SEC1"),
        ("sm2-sign.with-params.key", None, "SEC1"),
        ("sm2-sign.enc-sm4.pk8.key", b"correct horse", "PKCS#8 (decrypted)"),
        ("sm2-sign.enc-aes256.pk8.key", b"correct horse", "PKCS#8 (decrypted)"),
    ],
)
def test_sm2_key_formats(key_file: str, password: bytes | None, form: str) -> None:
    report = sm_request(sign_private_key=sm(key_file), key_password=password)
    assert report.ok, [f.message for f in report.findings]
    assert report.request is not None
    sent = report.request.api_params()["SignPrivateKey"]
    assert "ENCRYPTED" not in sent and "SM2 PRIVATE KEY" not in sent and "PARAMETERS" not in sent
    assert (
        parse(UploadParams(sign_private_key=sm(key_file), sign_cert="x", key_password=password))
        .keys["SignPrivateKey"]
        .form
        == form
    )


def test_encrypted_sm2_key_without_passphrase() -> None:
    report = sm_request(sign_private_key=sm("sm2-sign.enc-sm4.pk8.key"))
    assert_has(report, "key.encrypted", "SignPrivateKey")
    assert "SM4" in next(f.message for f in report.findings if f.code == "key.encrypted")
    assert_has(
        sm_request(sign_private_key=sm("sm2-sign.enc-sm4.pk8.key"), key_password=b"nope"),
        "key.wrong_password",
        "SignPrivateKey",
    )


def test_sm2_private_scalar_never_in_output() -> None:
    report = sm_request()
    key = parse(UploadParams(sign_private_key=sm("sm2-sign.key"), sign_cert="x")).keys["SignPrivateKey"]
    assert key.sm2_d is not None
    text = json.dumps(report.as_dict()) + repr(report) + repr(key)
    for fragment in scalar_fragments([key.sm2_d]):
        assert fragment not in text


@pytest.fixture
def rsa_leaf() -> str:
    from tests.conftest import std

    return std("rsa-fullchain.pem")


@pytest.fixture
def rsa_key() -> str:
    from tests.conftest import std

    return std("rsa-leaf.key")


def test_tampered_sm2_signature_is_a_bad_signature() -> None:
    leaf_der = bytearray(read_pem("x", sm("sm2-sign.pem")).blocks[0].der)
    leaf_der[-5] ^= 0x01  # inside the signature's s value
    tampered = pem_encode("CERTIFICATE", bytes(leaf_der)) + sm("sm2-sub.pem")
    report = sm_request(sign_cert=tampered)
    assert_has(report, "chain.bad_signature", "SignCert")
    assert "no user ID" in next(f.message for f in report.findings if f.code == "chain.bad_signature")


def test_cli_sm_request_json(capsys: pytest.CaptureFixture[str]) -> None:
    from certcheck.cli import main

    args = [
        "check",
        "--name",
        "gm",
        "--sign-cert",
        str(SM2 / "sm2-sign-fullchain.pem"),
        "--sign-key",
        str(SM2 / "sm2-sign.key"),
        "--encrypt-cert",
        str(SM2 / "sm2-enc-fullchain.pem"),
        "--encrypt-key",
        str(SM2 / "sm2-enc.key"),
        "--format",
        "json",
        "--at",
        "2026-06-01T00:00:00Z",
    ]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "sm" and data["algorithm"] == "SM2" and data["ok"] is True
    assert data["request"]["SignPrivateKey"].startswith("<redacted sha256:")
    assert data["request"]["EncryptPrivateKey"].startswith("<redacted sha256:")
    assert "Cert" not in data["request"] and "Key" not in data["request"]
    args[args.index(str(SM2 / "sm2-sign.key"))] = str(SM2 / "sm2-other.key")
    assert main(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False and data["algorithm"] == "SM2"
    assert [f["code"] for f in data["findings"] if f["severity"] == "error"] == ["pair.key_mismatch"]


def test_certificate_with_serial_zero_parses_without_warnings() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        root, sub = certs_of(TONGSUO / "chain-ca.crt")
    assert root.self_issued and root.subject == "CN=root ca" and sub.algorithm is Algorithm.SM2


@pytest.mark.parametrize("root_first", [False, True])
def test_leaf_with_its_issuers_name_is_linked_not_self_signed(root_first: bool) -> None:
    # Tongsuo's sm2-cert.pem has subject == issuer == its root's subject, but is signed by the root's key.
    for leaf, root, key, variant in (
        ("sm2-cert.pem", "sm2-root-cert.pem", "sm2.key", "default user ID"),
        ("sm2-noza-cert.pem", "sm2-noza-root-cert.pem", "sm2.key", "no Z value"),
    ):
        pair = [read(TONGSUO / leaf), read(TONGSUO / root)]
        report = sm_request(
            sign_cert="".join(reversed(pair) if root_first else pair), sign_private_key=read(TONGSUO / key)
        )
        assert_lacks(report, "chain.unrelated", "chain.self_signed_leaf", "pair.key_mismatch", "chain.bad_signature")
        messages = [f.message for f in report.findings if f.code == "chain.sm2_user_id" and f.field == "SignCert"]
        assert any(variant in m for m in messages), messages
        assert report.request is not None
        assert report.request.get("SignCert") == read(TONGSUO / leaf) + read(TONGSUO / root)


def test_many_same_named_certificates_are_bounded() -> None:
    many = (sm("sm2-sign.pem") + sm("sm2-sub.pem")) * 20
    report = sm_request(sign_cert=many)
    assert_has(report, "cert.too_many", "SignCert")


def test_certificates_in_each_others_fields_say_exchange_the_certificates() -> None:
    report = sm_request(sign_cert=sm("sm2-enc-fullchain.pem"), encrypt_cert=sm("sm2-sign-fullchain.pem"))
    swapped = [f for f in report.findings if f.code.startswith(("sm.", "pair."))]
    assert [f.code for f in swapped] == ["sm.swapped"]
    assert "Exchange SignCert and EncryptCert" in swapped[0].message


def _sec1_without_curve() -> str:
    from certcheck._crypto import der

    data = read_pem("k", sm("sm2-sign.sec1.key")).blocks[0].der
    fields = der.children(data, der.read_tlv(data))
    body = b"".join(f.raw(data) for f in fields if f.tag != 0xA0)
    return pem_encode("EC PRIVATE KEY", b"\x30" + bytes([len(body)]) + body)


def test_sec1_key_without_its_curve_takes_it_from_the_parameters_block() -> None:
    bare = _sec1_without_curve()
    params = pem_encode("SM2 PARAMETERS", bytes.fromhex("06082a811ccf5501822d"))
    report = sm_request(sign_private_key=params + bare)
    assert report.ok, [f.message for f in report.findings]
    assert report.request is not None
    # what is sent names its curve again: byte for byte the key OpenSSL wrote with its parameters
    assert report.request.api_params()["SignPrivateKey"] == pem_encode(
        "EC PRIVATE KEY", read_pem("k", sm("sm2-sign.sec1.key")).blocks[0].der
    )
    refused = sm_request(sign_private_key=bare)
    assert_has(refused, "key.unreadable", "SignPrivateKey")
    assert "curve" in next(f.message for f in refused.findings if f.code == "key.unreadable")


@pytest.mark.parametrize("d", [0, sm2.N, 2**256 - 1])
def test_scalars_outside_the_group_are_out_of_range(d: int) -> None:
    data = read_pem("k", sm("sm2-sign.sec1.key")).blocks[0].der
    key = pem_encode("EC PRIVATE KEY", data[:7] + d.to_bytes(32, "big") + data[39:])
    assert_has(sm_request(sign_private_key=key), "key.out_of_range", "SignPrivateKey")


def test_different_subjects_are_shown_whole() -> None:
    report = sm_request(encrypt_cert=sm("sm2-enc-othersubject.pem"))
    message = next(f.message for f in report.findings if f.code == "sm.different_subjects")
    assert "O=certcheck test" in message
