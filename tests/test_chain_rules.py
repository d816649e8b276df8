"""Chains that TLS clients refuse, and chains they accept that certcheck once refused (issue 8).

Every check both ways: a certificate made to break it, and the nearest certificate that does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID

import certcheck
from certcheck import UploadParams
from tests import pki
from tests.conftest import AT, assert_has, assert_lacks

ROOT_KEY, INT_KEY, SUB_KEY = pki.key(1), pki.key(2), pki.key(3)


def _check(*certs: x509.Certificate | str) -> certcheck.Report:
    text = "".join(c if isinstance(c, str) else pki.pem(c) for c in certs)
    report = certcheck.validate(UploadParams(name="example_com", cert=text, key=pki.key_pem(pki.key(0))), at=AT)
    return report


def _utf8(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, x509.name._ASN1Type.UTF8String)])


def _printable(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn, x509.name._ASN1Type.PrintableString)])


# --- RFC 5280 7.1 name chaining ------------------------------------------------------------------------------------


def test_names_differing_in_case_or_inner_spaces_chain() -> None:
    for issuer_in_leaf in (_utf8("Good     CA"), _utf8("GOOD CA"), _printable("good ca"), _utf8("  Good CA ")):
        inter = pki.cert(_utf8("Good CA"), INT_KEY, "Root", ROOT_KEY)
        leaf = pki.leaf(issuer_in_leaf, INT_KEY)
        report = _check(leaf, inter)
        assert_lacks(report, "chain.unrelated", "chain.bad_signature")
        assert report.ok, [(f.code, f.message) for f in report.findings]


def test_names_differing_in_more_than_that_do_not_chain() -> None:
    inter = pki.cert(_utf8("Good CA"), INT_KEY, "Root", ROOT_KEY)
    for other in ("Good CA 2", "GoodCA", "Good-CA"):
        report = _check(pki.leaf(_utf8(other), INT_KEY), inter)
        assert_has(report, "chain.unrelated")


def test_prepare_follows_rfc4518() -> None:
    from certcheck.documents.names import prepare

    assert prepare("  Good \u00a0  CA ") == prepare("good ca") == "good ca"
    assert prepare("\uff27ood CA") == "good ca"  # fullwidth G, NFKC
    assert prepare("Good CA") != prepare("Goo d CA")


# --- issuers must be CAs ------------------------------------------------------------------------------------------


def test_an_issuer_without_basic_constraints_or_with_ca_false_is_an_error() -> None:
    for ca in (None, False):
        inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, ca=ca)
        report = _check(pki.leaf("Int", INT_KEY), inter)
        assert_has(report, "chain.issuer_not_ca", "Cert")
    report = _check(pki.leaf("Int", INT_KEY), pki.cert("Int", INT_KEY, "Root", ROOT_KEY, ca=True))
    assert_lacks(report, "chain.issuer_not_ca")


def test_an_issuer_whose_key_usage_lacks_key_cert_sign_is_an_error() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, key_usage=["digital_signature", "crl_sign"])
    assert_has(_check(pki.leaf("Int", INT_KEY), inter), "chain.issuer_key_usage", "Cert")
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, key_usage=["key_cert_sign", "crl_sign"])
    assert_lacks(_check(pki.leaf("Int", INT_KEY), inter), "chain.issuer_key_usage")
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY)  # no keyUsage at all: not checked (RFC 5280 6.1.4 (n))
    assert_lacks(_check(pki.leaf("Int", INT_KEY), inter), "chain.issuer_key_usage")


def test_path_length_constraint() -> None:
    # Root (pathLen 0) -> Int -> Sub -> leaf: Int is a non-self-issued intermediate below Root, Sub another.
    root = pki.cert("Root", ROOT_KEY, "Root", ROOT_KEY, path_length=0)
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, path_length=0)
    sub = pki.cert("Sub", SUB_KEY, "Int", INT_KEY)
    leaf = pki.leaf("Sub", SUB_KEY)
    report = _check(leaf, sub, inter, root)
    assert_has(report, "chain.path_length_exceeded", "Cert")
    messages = [f.message for f in report.findings if f.code == "chain.path_length_exceeded"]
    assert len(messages) == 2  # Root (0 allowed, 2 follow) and Int (0 allowed, 1 follows)
    # pathLen 1 on Int and 2 on Root: fine.
    root = pki.cert("Root", ROOT_KEY, "Root", ROOT_KEY, path_length=2)
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, path_length=1)
    assert_lacks(_check(leaf, sub, inter, root), "chain.path_length_exceeded")
    # pathLen 0 directly above the leaf: allowed (the leaf is not an intermediate).
    assert_lacks(_check(leaf, pki.cert("Sub", SUB_KEY, "Int", INT_KEY, path_length=0)), "chain.path_length_exceeded")


def test_self_issued_intermediates_do_not_count_towards_path_length() -> None:
    # RFC 5280 6.1.4 (l): a self-issued certificate (a key rollover: same name, new key) is not counted.
    new_key = pki.key(4)
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, path_length=0)
    rollover = pki.cert("Int", new_key, "Int", INT_KEY, serial=7)  # self-issued: subject == issuer
    leaf = pki.leaf("Int", new_key)
    report = _check(leaf, rollover, inter)
    assert_lacks(report, "chain.path_length_exceeded", "chain.unrelated")


# --- critical extensions, malformed extensions -------------------------------------------------------------------


def test_an_unknown_critical_extension_anywhere_in_the_chain_is_an_error() -> None:
    odd = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x05\x00")
    for where in ("leaf", "intermediate"):
        inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, extra=[(odd, True)] if where == "intermediate" else [])
        leaf = pki.leaf("Int", INT_KEY, extra=[(odd, True)] if where == "leaf" else [])
        report = _check(leaf, inter)
        assert_has(report, "chain.unknown_critical_extension", "Cert")
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, extra=[(odd, False)])  # not critical: ignored by clients
    assert_lacks(_check(pki.leaf("Int", INT_KEY), inter), "chain.unknown_critical_extension")


def _with_bad_san(cert: x509.Certificate, issuer_key: object) -> bytes:
    from pyasn1.type import univ

    def edit(tbs: object) -> None:
        for ext in tbs["extensions"]:  # type: ignore[index]
            if str(ext["extnID"]) == "2.5.29.17":
                ext["extnValue"] = univ.OctetString(b"\x30\x05\x82\x07abc")  # a GeneralName longer than its SEQUENCE

    return pki.resign(cert, issuer_key, edit)  # type: ignore[arg-type]


def _with_duplicate(cert: x509.Certificate, issuer_key: object) -> bytes:
    def edit(tbs: object) -> None:
        exts = tbs["extensions"]  # type: ignore[index]
        exts.append(exts[0])

    return pki.resign(cert, issuer_key, edit)  # type: ignore[arg-type]


def test_a_malformed_extension_is_reported_and_the_rest_still_read() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY)
    for damage, expected in ((_with_bad_san, "subjectAltName"), (_with_duplicate, "appears 2 times")):
        leaf_der = damage(pki.leaf("Int", INT_KEY), INT_KEY)
        report = _check(pki.raw_pem(leaf_der), inter)
        assert_has(report, "cert.malformed_extension", "Cert")
        assert_lacks(report, "cert.unreadable", "chain.unrelated", "chain.bad_signature", "pair.key_mismatch")
        assert report.algorithm == "EC"  # subject, key, dates and signature were read
        message = next(f.message for f in report.findings if f.code == "cert.malformed_extension")
        assert expected in message


def test_well_formed_extensions_are_not_reported() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY)
    assert_lacks(_check(pki.leaf("Int", INT_KEY), inter), "cert.malformed_extension")


# --- what is true about a DSA issuer -----------------------------------------------------------------------------


def _dsa_pair() -> tuple[x509.Certificate, x509.Certificate]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import dsa

    dsa_key = dsa.generate_private_key(2048)
    inter = (
        x509.CertificateBuilder()
        .subject_name(pki.name("DSA CA"))
        .issuer_name(pki.name("DSA CA"))
        .public_key(dsa_key.public_key())
        .serial_number(5)
        .not_valid_before(pki.GOOD[0])
        .not_valid_after(pki.GOOD[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(dsa_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(pki.name("example.com"))
        .issuer_name(pki.name("DSA CA"))
        .public_key(pki.key(0).public_key())
        .serial_number(6)
        .not_valid_before(pki.GOOD[0])
        .not_valid_after(pki.GOOD[1])
        .sign(dsa_key, hashes.SHA256())
    )
    return leaf, inter


def test_a_dsa_issuer_is_said_to_be_unverified_not_wrong() -> None:
    leaf, inter = _dsa_pair()
    report = _check(leaf, inter)
    assert_lacks(report, "chain.bad_signature")
    messages = [f.message for f in report.findings if f.code == "chain.signature_unverified"]
    assert messages, [(f.code, f.message) for f in report.findings]
    assert "not the one that signed it" not in messages[0]
    assert "does not verify DSA signatures" in messages[0]


# --- the committed chains/ fixtures (fixtures/make.py, make_chains): each check both ways ------------------------

CHAINS = Path(__file__).resolve().parent.parent / "fixtures" / "chains"
CHAIN_CODES = (
    "chain.unrelated",
    "chain.issuer_not_ca",
    "chain.issuer_key_usage",
    "chain.path_length_exceeded",
    "chain.unknown_critical_extension",
)


@pytest.mark.parametrize("path", sorted(p for p in CHAINS.glob("*.pem") if p.name != "root.pem"), ids=lambda p: p.name)
def test_fixture_chain(path: Path) -> None:
    expected = _chain_expect()[f"chains/{path.name}"]
    report = certcheck.validate(
        UploadParams(name="chains_example_com", cert=path.read_text(), key=(CHAINS / "leaf.key").read_text()), at=AT
    )
    raised = [f.code for f in report.findings if f.code in CHAIN_CODES]
    assert raised == ([expected] if expected else []), [(f.code, f.message) for f in report.findings]
    if expected is None:
        assert report.ok, [(f.code, f.message) for f in report.findings]


def _chain_expect() -> dict[str, str | None]:
    """CHAIN_EXPECT from fixtures/make.py: the fixture script says what each file must raise."""
    import ast

    source = (CHAINS.parent / "make.py").read_text()
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CHAIN_EXPECT":
            return ast.literal_eval(node.value)  # type: ignore[no-any-return]
    raise AssertionError("CHAIN_EXPECT not found in fixtures/make.py")
