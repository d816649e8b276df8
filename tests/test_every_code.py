"""Every finding code in the catalogue is raised by at least one request below: no code is dead or untested.

Each case is the smallest request that triggers its code; the rule-by-rule tests elsewhere check the near
misses. A code added without a case here fails ``test_every_code_has_a_trigger``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import pkcs12

from certcheck import Report, Tag, UploadParams, pem
from certcheck._crypto import sm2
from certcheck.codes import catalogue
from certcheck.sources import Entry
from tests import bulk_helpers
from tests.conftest import AT, BROKEN, check, codes, rsa_ok, sm, std
from tests.test_sm2key import cfca_sm2_file, sm2_enveloped_key
from tests.test_sm_requests import sm_request


def _sec1_sign_key(d: int | None = None, point: bytes | None = None) -> str:
    """sm2-sign.sec1.key with its scalar or embedded public point replaced (same lengths, so still valid DER)."""
    der = pem.read("k", sm("sm2-sign.sec1.key")).blocks[0].der
    if d is not None:
        der = der[:7] + d.to_bytes(32, "big") + der[39:]
    if point is not None:
        der = der[: len(der) - 65] + point
    return pem.encode("EC PRIVATE KEY", der)


def _off_curve_sign_cert() -> str:
    from certcheck.documents.certs import load_certificate

    der = pem.read("c", sm("sm2-sign.pem")).blocks[0].der
    point = load_certificate("SignCert", 1, der).point
    assert point is not None and der.count(point) == 1
    return pem.encode("CERTIFICATE", der.replace(point, point[:-1] + bytes([point[-1] ^ 1])))


def _enc_point() -> bytes:
    enc = pem.read("k", sm("sm2-enc.key")).blocks[0].der
    return enc[-65:]


def _unknown_pkcs8_algorithm() -> str:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32))
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return pem.encode("PRIVATE KEY", der.replace(b"\x06\x03\x2b\x65\x70", b"\x06\x03\x2b\x65\x72"))


def _unsupported_prf() -> str:
    der = pem.read("k", std("rsa-leaf.enc.pk8.key")).blocks[0].der
    hmac_sha256 = bytes.fromhex("2a864886f70d0209")
    assert hmac_sha256 in der
    return pem.encode("ENCRYPTED PRIVATE KEY", der.replace(hmac_sha256, bytes.fromhex("2a864886f70d027f")))


def _pkcs12_as_key() -> str:
    key = serialization.load_pem_private_key(std("rsa-leaf.key").encode(), None)
    blob = pkcs12.serialize_key_and_certificates(b"x", key, None, None, serialization.NoEncryption())  # type: ignore[arg-type]
    return pem.encode("PRIVATE KEY", blob)


def _bulk_one(request: UploadParams | Entry, **options: Any) -> Report:
    from certcheck import validate_many

    return next(iter(validate_many([request], at=AT, **options)))


CASES: dict[str, Callable[[], Report]] = {
    # PEM armor
    "pem.too_large": lambda: rsa_ok(cert="x" * (pem.MAX_FIELD_BYTES + 10)),
    "pem.binary": lambda: rsa_ok(cert=(BROKEN / "garbage.bin").read_bytes()),
    "pem.der": lambda: rsa_ok(cert=bytes.fromhex("3019301306072a8648ce3d020106082a8648ce3d030107030200ff")),
    "pem.no_armor": lambda: rsa_ok(cert=(BROKEN / "cert-no-armor.txt").read_text()),
    "pem.not_pem": lambda: rsa_ok(cert="not a certificate"),
    "pem.truncated": lambda: rsa_ok(cert=(BROKEN / "cert-truncated.pem").read_text()),
    "pem.bad_base64": lambda: rsa_ok(cert=(BROKEN / "cert-bad-base64.pem").read_text()),
    "pem.corrupt": lambda: rsa_ok(cert=(BROKEN / "cert-truncated-body.pem").read_text()),
    "pem.repaired": lambda: rsa_ok(cert=(BROKEN / "cert-crlf.pem").read_bytes()),
    "pem.key_in_cert_field": lambda: rsa_ok(cert=std("rsa-leaf.key")),
    "pem.cert_in_key_field": lambda: rsa_ok(key=std("rsa-leaf.pem")),
    "pem.unexpected_block": lambda: rsa_ok(cert=std("rsa-leaf.pem").replace("CERTIFICATE", "CERTIFICATE REQUEST")),
    # certificates and keys as parsed
    "cert.too_many": lambda: rsa_ok(cert=std("rsa-fullchain.pem") * 6),
    "cert.bad_public_key": lambda: sm_request(sign_cert=_off_curve_sign_cert()),
    "cert.unreadable": lambda: rsa_ok(cert=std("rsa-leaf.pk8.key").replace("PRIVATE KEY", "CERTIFICATE")),
    "key.missing": lambda: rsa_ok(key=std("rsa-leaf.pem").replace("CERTIFICATE", "PUBLIC KEY")),
    "key.multiple": lambda: rsa_ok(key=std("rsa-leaf.key") + std("rsa-other.key")),
    "key.unreadable": lambda: rsa_ok(key=std("rsa-leaf.pem").replace("CERTIFICATE", "PRIVATE KEY")),
    "key.encrypted": lambda: rsa_ok(key=std("rsa-leaf.enc.pk8.key")),
    "key.wrong_password": lambda: rsa_ok(key=std("rsa-leaf.enc.pk8.key"), key_password=b"no"),
    "key.decrypt_unsupported": lambda: rsa_ok(key=_unsupported_prf(), key_password=b"correct horse"),
    "key.vendor_container": lambda: rsa_ok(key=_pkcs12_as_key()),
    "key.unsupported_algorithm": lambda: rsa_ok(key=_unknown_pkcs8_algorithm()),
    "key.normalized": lambda: rsa_ok(key=std("rsa-leaf.enc.pk8.key"), key_password=b"correct horse"),
    "key.inconsistent": lambda: rsa_ok(key=std("rsa-inconsistent.key")),
    "key.out_of_range": lambda: sm_request(sign_private_key=_sec1_sign_key(d=sm2.N - 1)),
    "key.embedded_point_mismatch": lambda: sm_request(sign_private_key=_sec1_sign_key(point=_enc_point())),
    # fields and algorithms
    "fields.empty": lambda: check(name="x"),
    "fields.cert_without_key": lambda: check(name="x", cert=std("rsa-leaf.pem")),
    "fields.key_without_cert": lambda: check(name="x", key=std("rsa-leaf.key")),
    "fields.sm2_in_cert": lambda: rsa_ok(cert=sm("sm2-sign.pem"), key=sm("sm2-sign.key")),
    "fields.private_key_in_text": lambda: rsa_ok(resource_group_id=std("rsa-leaf.key")),
    "sm.fields_ignored": lambda: rsa_ok(sign_cert=sm("sm2-sign.pem")),
    "algorithm.unsupported": lambda: rsa_ok(cert=std("ed25519-leaf.pem"), key=std("ed25519-leaf.key")),
    "algorithm.unsupported_curve": lambda: rsa_ok(cert=std("ec-secp256k1-leaf.pem"), key=std("ec-secp256k1-leaf.key")),
    # parameters
    "name.missing": lambda: rsa_ok(name=None),
    "name.too_long": lambda: rsa_ok(name="n" * 65),
    "name.characters": lambda: rsa_ok(name="example.com"),
    "name.control_characters": lambda: rsa_ok(name="a\tb"),
    "tags.too_many": lambda: rsa_ok(tags=[Tag(f"k{i}") for i in range(21)]),
    "tags.key_empty": lambda: rsa_ok(tags=[Tag("")]),
    "tags.key_too_long": lambda: rsa_ok(tags=[Tag("k" * 129)]),
    "tags.key_reserved": lambda: rsa_ok(tags=[Tag("acs:x")]),
    "tags.key_url": lambda: rsa_ok(tags=[Tag("http://x")]),
    "tags.value_too_long": lambda: rsa_ok(tags=[Tag("k", "v" * 129)]),
    "tags.value_url": lambda: rsa_ok(tags=[Tag("k", "https://x")]),
    "tags.duplicate_key": lambda: rsa_ok(tags=[Tag("k"), Tag("k")]),
    "tags.not_in_profile": lambda: rsa_ok(tags=[Tag("k")], profile="2024-07"),
    "resource_group.malformed": lambda: rsa_ok(resource_group_id="rg-ae****vty"),
    "resource_group.too_long": lambda: rsa_ok(resource_group_id="rg-" + "a" * 1_000_000),
    "validity.inverted": lambda: _hostile_case("test_not_after_before_not_before_is_its_own_finding"),
    "chain.expired_unneeded": lambda: _hostile_case("test_an_expired_cross_sign_at_the_end_is_a_warning_and_left_out"),
    # pair, chain, validity, strength
    "pair.key_mismatch": lambda: rsa_ok(key=std("rsa-other.key")),
    "chain.out_of_order": lambda: rsa_ok(cert=std("rsa-chain-reversed.pem")),
    "chain.unrelated": lambda: rsa_ok(cert=std("rsa-chain-unrelated.pem")),
    "chain.duplicate": lambda: rsa_ok(cert=std("rsa-chain-duplicate.pem")),
    "chain.bad_signature": lambda: rsa_ok(cert=std("rsa-chain-badsig.pem")),
    "chain.self_signed_leaf": lambda: rsa_ok(cert=std("rsa-unrelated.pem"), key=std("rsa-unrelated.key")),
    "chain.leaf_only": lambda: rsa_ok(cert=std("rsa-leaf.pem")),
    "chain.sm2_user_id": lambda: sm_request(),
    "validity.expired": lambda: rsa_ok(cert=std("rsa-leaf-expired.pem")),
    "validity.not_yet_valid": lambda: rsa_ok(cert=std("rsa-leaf-notyet.pem")),
    "validity.expiring_soon": lambda: rsa_ok(cert=std("rsa-leaf-expiring.pem")),
    "strength.rsa_too_small": lambda: rsa_ok(cert=std("rsa1024-leaf.pem"), key=std("rsa1024-leaf.key")),
    "strength.weak_signature_hash": lambda: rsa_ok(cert=std("rsa-leaf-sha1.pem")),
    "strength.ca_as_leaf": lambda: rsa_ok(cert=std("rsa-ca-as-leaf.pem"), key=std("rsa-ca-as-leaf.key")),
    # SM2 dual certificates
    "sm.field_missing": lambda: sm_request(encrypt_cert=None),
    "sm.not_sm2": lambda: sm_request(sign_cert=std("rsa-fullchain.pem"), sign_private_key=std("rsa-leaf.key")),
    "sm.sign_key_usage": lambda: sm_request(sign_cert=sm("sm2-sign-nodigsig.pem")),
    "sm.encrypt_key_usage": lambda: sm_request(
        encrypt_cert=sm("sm2-sign-emptyid.pem"), encrypt_private_key=sm("sm2-sign.key")
    ),
    "sm.swapped": lambda: sm_request(sign_private_key=sm("sm2-enc.key"), encrypt_private_key=sm("sm2-sign.key")),
    "sm.same_key": lambda: sm_request(
        encrypt_cert=sm("sm2-sign-fullchain.pem"), encrypt_private_key=sm("sm2-sign.key")
    ),
    "sm.different_issuers": lambda: sm_request(encrypt_cert=sm("sm2-enc-otherca.pem")),
    "sm.different_subjects": lambda: sm_request(encrypt_cert=sm("sm2-enc-othersubject.pem")),
    # a request's place in a bulk run (certcheck.rules.estate)
    "name.duplicate_in_run": lambda: _bulk_one(
        UploadParams(name="twice", cert=std("rsa-fullchain.pem"), key=std("rsa-leaf.key")), duplicate_names={"twice"}
    ),
    "source.unreadable": lambda: _bulk_one(Entry("live/x", None, "Cert: cannot read 'live/x/fullchain.pem'")),
    "source.unmatched": lambda: _bulk_one(
        Entry("live/x/old.pem", None, "belongs to no request", code="source.unmatched")
    ),
    "bulk.worker_crashed": lambda: _bulk_one(UploadParams(name="raise"), check=bulk_helpers.crashing),
}
# Raised only when certcheck itself has a bug; triggered by monkeypatching in test_engine.py.
def _hostile_case(test_name: str) -> Report:
    """The request a test in test_real_world_inputs builds (it records the report it checked)."""
    from tests import test_real_world_inputs as cases

    cases.LAST_REPORT.clear()
    getattr(cases, test_name)()
    return cases.LAST_REPORT[-1]


COVERED_ELSEWHERE = {"rule.crashed"}


def test_every_code_has_a_trigger() -> None:
    missing = set(catalogue()) - set(CASES) - COVERED_ELSEWHERE
    assert not missing, f"codes without a triggering case: {sorted(missing)}"
    assert not set(CASES) - set(catalogue()), "cases for codes that do not exist"


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_is_raised(code: str) -> None:
    report = CASES[code]()
    assert code in codes(report), [(f.code, f.message) for f in report.findings]
    finding = next(f for f in report.findings if f.code == code)
    assert finding.severity is catalogue()[code].severity
    assert finding.message and "rule.crashed" not in codes(report)


def test_vendor_containers_pasted_as_keys_say_what_they_are() -> None:
    for build, name in ((sm2_enveloped_key, "SM2EnvelopedKey"), (cfca_sm2_file, "CFCA")):
        report = sm_request(sign_private_key=pem.encode("PRIVATE KEY", build()))
        found = [f.message for f in report.findings if f.code == "key.vendor_container"]
        assert found and name in found[0]
    # a CFCA .sm2 file is base64 without armor; a .pfx is DER: both name the container too
    import base64

    armorless = sm_request(sign_private_key=base64.b64encode(cfca_sm2_file()).decode())
    assert "CFCA" in next(f.message for f in armorless.findings if f.code == "pem.no_armor")
