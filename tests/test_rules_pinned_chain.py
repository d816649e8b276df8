"""Known answers for the chain, engine, SM roles, pair and key-consistency rules: the exact (code, severity, field,
message) of each finding for an input made to raise it, and its absence for the nearest input that must not.

Each test was written against mutants that survived `make mutation` (a changed message, field, count or
condition) and fails with any of them applied.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa

import certcheck
from certcheck import Report, UploadParams, pem
from certcheck.codes import RULE_CRASHED
from certcheck.documents import parse
from certcheck.model import Finding, Severity
from certcheck.profiles import DEFAULT_PROFILE
from certcheck.rules import Context, Rule
from certcheck.rules.engine import run_applicable
from tests import pki
from tests.conftest import AT, check, sm, std

ROOT_KEY, INT_KEY, SUB_KEY = pki.key(1), pki.key(2), pki.key(3)

Found = tuple[str, str, str | None, str]


def _chain(*certs: x509.Certificate) -> Report:
    """A standard request: ``certs`` in Cert (leaf first), the leaf's key (pki.key(0)) in Key."""
    return certcheck.validate(
        UploadParams(name="example_com", cert=pki.pem(*certs), key=pki.key_pem(pki.key(0))), at=AT
    )


def _found(report: Report, prefix: str) -> list[Found]:
    """The findings whose code starts with ``prefix``, in report order, as (code, severity, field, message)."""
    return [(f.code, f.severity.value, f.field, f.message) for f in report.findings if f.code.startswith(prefix)]


# --- chain.issuers_are_cas ------------------------------------------------------------------------------------------

_NOT_CA = (
    "Cert: certificate 2 (CN=Int) issues certificate 1 (CN=example.com) but {state}: it is not a CA, and clients "
    "refuse the chain. The wrong certificate was given as the intermediate?"
)


def test_an_issuer_without_basic_constraints_says_so() -> None:
    report = _chain(pki.leaf("Int", INT_KEY), pki.cert("Int", INT_KEY, "Root", ROOT_KEY, ca=None))
    state = "has no basicConstraints extension"
    assert _found(report, "chain.") == [("chain.issuer_not_ca", "error", "Cert", _NOT_CA.format(state=state))]


def test_an_issuer_with_ca_false_says_so() -> None:
    report = _chain(pki.leaf("Int", INT_KEY), pki.cert("Int", INT_KEY, "Root", ROOT_KEY, ca=False))
    state = "has basicConstraints cA FALSE"
    assert _found(report, "chain.") == [("chain.issuer_not_ca", "error", "Cert", _NOT_CA.format(state=state))]


def test_an_issuer_without_key_cert_sign() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, key_usage=["digital_signature", "crl_sign"])
    report = _chain(pki.leaf("Int", INT_KEY), inter)
    assert _found(report, "chain.") == [
        (
            "chain.issuer_key_usage",
            "error",
            "Cert",
            "Cert: certificate 2 (CN=Int) issues certificate 1 (CN=example.com) but its keyUsage does not include "
            "keyCertSign: clients refuse certificates it signed.",
        )
    ]


def test_path_length_counts_each_intermediate_below_once() -> None:
    # leaf, Sub, Int (pathLen 0), Root (pathLen 0): one intermediate below Int, two below Root.
    root = pki.cert("Root", ROOT_KEY, "Root", ROOT_KEY, path_length=0)
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, path_length=0)
    sub = pki.cert("Sub", SUB_KEY, "Int", INT_KEY)
    report = _chain(pki.leaf("Sub", SUB_KEY), sub, inter, root)
    assert _found(report, "chain.") == [
        (
            "chain.path_length_exceeded",
            "error",
            "Cert",
            "Cert: certificate 3 (CN=Int) allows 0 intermediate certificate(s) below it (pathLenConstraint), but 1 "
            "follow it in this chain.",
        ),
        (
            "chain.path_length_exceeded",
            "error",
            "Cert",
            "Cert: certificate 4 (CN=Root) allows 0 intermediate certificate(s) below it (pathLenConstraint), but 2 "
            "follow it in this chain.",
        ),
    ]


def test_path_length_equal_to_the_intermediates_below_is_allowed() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, path_length=1)
    sub = pki.cert("Sub", SUB_KEY, "Int", INT_KEY)
    report = _chain(pki.leaf("Sub", SUB_KEY), sub, inter)
    assert _found(report, "chain.") == []


def test_unknown_critical_extensions_are_listed_five_at_most() -> None:
    odd = [
        (x509.UnrecognizedExtension(x509.ObjectIdentifier(f"1.3.6.1.4.1.55555.{i}"), b"\x05\x00"), True)
        for i in range(1, 8)
    ]
    report = _chain(pki.leaf("Int", INT_KEY, extra=odd), pki.cert("Int", INT_KEY, "Root", ROOT_KEY))
    listed = ", ".join(f"1.3.6.1.4.1.55555.{i}" for i in range(1, 6))
    assert _found(report, "chain.") == [
        (
            "chain.unknown_critical_extension",
            "error",
            "Cert",
            f"Cert: certificate 1 (CN=example.com) has critical extension(s) clients do not process: {listed}. Every "
            "client must refuse it (RFC 5280 4.2).",
        )
    ]


# --- chain.expired_unneeded ------------------------------------------------------------------------------------------


def test_an_expired_root_at_the_end_is_dropped_with_this_message() -> None:
    expired_root = pki.cert("Root", ROOT_KEY, "Root", ROOT_KEY, validity=pki.EXPIRED)
    report = _chain(pki.leaf("Int", INT_KEY), pki.cert("Int", INT_KEY, "Root", ROOT_KEY), expired_root)
    assert _found(report, "chain.") == [
        (
            "chain.expired_unneeded",
            "warning",
            "Cert",
            "Cert: certificate 3 (CN=Root), issued by CN=Root, at the end of the chain, expired 2024-01-01 (checked "
            "at 2026-06-01 00:00 UTC). The path does not need it (an expired cross-sign or root: clients that trust "
            "its subject as a root stop before it); drop it from the file. The normalized request leaves it out.",
        )
    ]


# --- chain.order_and_signatures: a DSA issuer --------------------------------------------------------------------


def _dsa_issued_chain() -> str:
    """A leaf (key pki.key(0)) issued by a self-signed DSA CA, the key read from the fixtures (no key generation)."""
    dsa_key = serialization.load_pem_private_key(std("dsa-leaf.key").encode(), None)
    assert isinstance(dsa_key, dsa.DSAPrivateKey)

    def build(subject: str, public: object, ca: bool, serial: int) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(pki.name(subject))
            .issuer_name(pki.name("DSA CA"))
            .public_key(public)  # type: ignore[arg-type]
            .serial_number(serial)
            .not_valid_before(pki.GOOD[0])
            .not_valid_after(pki.GOOD[1])
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), True)
        )
        return builder.sign(dsa_key, hashes.SHA256())

    return pki.pem(
        build("example.com", pki.key(0).public_key(), False, 6), build("DSA CA", dsa_key.public_key(), True, 5)
    )


def test_a_dsa_issuer_is_an_unverified_link_on_its_field() -> None:
    report = certcheck.validate(
        UploadParams(name="example_com", cert=_dsa_issued_chain(), key=pki.key_pem(pki.key(0))), at=AT
    )
    assert _found(report, "chain.") == [
        (
            "chain.signature_unverified",
            "warning",
            "Cert",
            "Cert: certificate 1 (CN=example.com) names certificate 2 (CN=DSA CA) as its issuer; certcheck does not "
            "verify DSA signatures, so this signature was not checked (the API takes no DSA certificates anyway).",
        )
    ]


# --- engine: a crashing rule --------------------------------------------------------------------------------------


_SECRET = "never shown"


def _explode(ctx: Context) -> Iterator[Finding]:
    raise KeyError(_SECRET)
    yield  # pragma: no cover


def _context() -> Context:
    params = UploadParams(name="example_com", cert=std("rsa-fullchain.pem"), key=std("rsa-leaf.key"))
    return Context(parse(params), DEFAULT_PROFILE, AT, timedelta(days=30))


def test_a_crashing_rule_becomes_this_finding(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="certcheck")
    findings = run_applicable(_context(), [Rule("test.explode", "explodes", (), _explode)])
    assert findings == [
        Finding(
            "rule.crashed",
            Severity.ERROR,
            None,
            "rule test.explode crashed (KeyError); the request was not fully checked. Please report this with the "
            "input's shape (`certcheck check --debug` logs where it happened).",
        )
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "certcheck"]
    assert len(logged) == 1
    assert logged[0].startswith(
        "rule test.explode crashed with KeyError; traceback (message withheld, it may quote key material):\n"
    )
    assert "in _explode" in logged[0] and _SECRET not in logged[0]  # where, never the message


def test_a_rule_keeps_what_it_was_made_with() -> None:
    made = Rule("test.made", "a summary", (RULE_CRASHED,), _explode, frozenset({None}))
    assert (made.name, made.summary, made.codes, made.check, made.kinds) == (
        "test.made",
        "a summary",
        (RULE_CRASHED,),
        _explode,
        frozenset({None}),
    )


# --- key.consistency ------------------------------------------------------------------------------------------------


def _enc_key_with_point(point: bytes) -> str:
    """sm2-enc.key with the public point it carries replaced (same length: still valid DER)."""
    der = pem.read("k", sm("sm2-enc.key")).blocks[0].der
    return pem.encode("PRIVATE KEY", der[: len(der) - 65] + point)


def test_an_altered_embedded_point_in_the_second_pair_is_found_after_a_missing_first_key() -> None:
    sign_point = pem.read("k", sm("sm2-sign.key")).blocks[0].der[-65:]
    report = check(
        name="demo_sm2",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=_enc_key_with_point(sign_point),
    )
    assert _found(report, "key.") == [
        (
            "key.embedded_point_mismatch",
            "error",
            "EncryptPrivateKey",
            "EncryptPrivateKey: the public key stored in the key file does not belong to its private scalar; the "
            "file was altered.",
        )
    ]


# --- pair.key_belongs_to_leaf -------------------------------------------------------------------------------------


def test_a_pair_with_an_unaccepted_certificate_is_not_a_mismatch() -> None:
    # algorithm.unsupported refuses the Ed25519 certificate; the RSA key's not matching it is moot.
    report = check(name="example_com", cert=std("ed25519-leaf.pem"), key=std("rsa-leaf.key"))
    assert [f.code for f in report.findings] == ["algorithm.unsupported", "chain.leaf_only"]


def test_a_mismatch_in_the_second_pair_is_found_after_an_unaccepted_first_pair() -> None:
    report = check(
        name="demo_sm2",
        sign_cert=std("ed25519-leaf.pem"),
        sign_private_key=std("ed25519-leaf.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=sm("sm2-other.key"),
    )
    assert _found(report, "pair.") == [
        (
            "pair.key_mismatch",
            "error",
            "EncryptPrivateKey",
            "EncryptPrivateKey does not belong to the leaf certificate in EncryptCert (CN=demo.example.com): they "
            "are different key pairs. Give the key that was generated with the CSR for CN=demo.example.com.",
        )
    ]


# --- sm.roles -------------------------------------------------------------------------------------------------------

_SAME_KEY: Found = (
    "sm.same_key",
    "error",
    "EncryptCert",
    "SignCert and EncryptCert use the same key pair; TLCP needs two distinct pairs (the encryption pair usually "
    "comes from a key management centre).",
)


def test_one_sm2_certificate_in_both_fields_is_same_key_whatever_the_keys() -> None:
    # The private keys differ (sm2-enc.key does not even fit): the one public key of both certificates decides.
    report = check(
        name="demo_sm2",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-sign.key"),
        encrypt_cert=sm("sm2-sign-fullchain.pem"),
        encrypt_private_key=sm("sm2-enc.key"),
    )
    assert _SAME_KEY in _found(report, "sm.")


def test_two_rsa_certificates_in_the_sm_fields_are_not_same_key() -> None:
    # Neither has an SM2 public point: only sm.not_sm2 applies, never "the same key pair".
    report = check(
        name="demo_sm2",
        sign_cert=std("rsa-leaf.pem"),
        sign_private_key=std("rsa-leaf.key"),
        encrypt_cert=std("rsa-unrelated.pem"),
        encrypt_private_key=std("rsa-unrelated.key"),
    )
    assert [code for code, *_ in _found(report, "sm.")] == ["sm.not_sm2"] * 4


_KEYS_SWAPPED = (
    "The keys are swapped: SignPrivateKey belongs to EncryptCert and EncryptPrivateKey to SignCert. Exchange the two "
    "key fields"
)


def test_crossed_keys_with_a_certificate_whose_usage_is_unknown_name_both_remedies() -> None:
    # SignCert is an EC certificate (no SM2 key usage to read), so the certificates may be the misplaced ones.
    report = check(
        name="demo_sm2",
        sign_cert=std("ec-p256-leaf.pem"),
        sign_private_key=sm("sm2-enc.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=std("ec-p256-leaf.key"),
    )
    swapped = [f for f in _found(report, "sm.") if f[0] == "sm.swapped"]
    assert swapped == [
        (
            "sm.swapped",
            "error",
            "SignPrivateKey",
            _KEYS_SWAPPED + " (or the two certificate fields, if the certificates are the ones misplaced: their key "
            "usage does not tell).",
        )
    ]


def test_crossed_keys_with_both_usages_known_name_the_key_fields_only() -> None:
    report = check(
        name="demo_sm2",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-enc.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=sm("sm2-sign.key"),
    )
    assert _found(report, "sm.") == [("sm.swapped", "error", "SignPrivateKey", _KEYS_SWAPPED + ".")]
