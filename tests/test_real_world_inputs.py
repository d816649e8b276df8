"""Inputs people have, accepted without manual conversion, and dates that are wrong in their own way (issue 8)."""

from __future__ import annotations

import datetime as dt

import certcheck
from certcheck import UploadParams
from tests import pki
from tests.conftest import AT, assert_has, assert_lacks, codes

LAST_REPORT: list[certcheck.Report] = []  # what _check last returned (test_every_code reuses these requests)


def _check(cert: str, key: str | None = None, **extra: object) -> certcheck.Report:
    params = UploadParams(name="example_com", cert=cert, key=key or pki.key_pem(pki.key(0)), **extra)  # type: ignore[arg-type]
    report = certcheck.validate(params, at=AT)
    LAST_REPORT.append(report)
    return report


def _le_style_chain() -> tuple[str, str, str]:
    """leaf <- R3 <- ISRG Root X1 cross-signed by the expired DST Root CA X3 (Let's Encrypt's old long chain)."""
    root_key, r3_key, dst_key = pki.key(1), pki.key(2), pki.key(3)
    r3 = pki.cert("R3", r3_key, "ISRG Root X1", root_key, serial=2)
    cross = pki.cert(
        "ISRG Root X1",
        root_key,
        "DST Root CA X3",
        dst_key,
        serial=3,
        validity=(pki.EXPIRED[0], AT - dt.timedelta(days=200)),
    )
    leaf = pki.leaf("R3", r3_key)
    return pki.pem(leaf), pki.pem(r3), pki.pem(cross)


def test_an_expired_cross_sign_at_the_end_is_a_warning_and_left_out() -> None:
    leaf, r3, cross = _le_style_chain()
    report = _check(leaf + r3 + cross)
    assert_has(report, "chain.expired_unneeded", "Cert")
    assert_lacks(report, "validity.expired")
    assert report.ok
    assert report.request is not None
    assert report.request.get("Cert") == leaf + r3  # the normalized request leaves it out
    message = next(f.message for f in report.findings if f.code == "chain.expired_unneeded")
    assert "drop it" in message and "DST Root CA X3" in message


def test_an_expired_direct_issuer_of_the_leaf_is_still_an_error() -> None:
    root_key, int_key = pki.key(1), pki.key(2)
    inter = pki.cert("Int", int_key, "Root", root_key, validity=pki.EXPIRED)
    leaf = pki.leaf("Int", int_key)
    report = _check(pki.pem(leaf, inter))
    assert_has(report, "validity.expired", "Cert")
    assert_lacks(report, "chain.expired_unneeded")
    assert report.request is not None and report.request.get("Cert") == pki.pem(leaf, inter)


def test_an_expired_self_signed_root_at_the_end_is_left_out() -> None:
    root_key, int_key = pki.key(1), pki.key(2)
    root = pki.cert("Root", root_key, "Root", root_key, validity=pki.EXPIRED)
    inter = pki.cert("Int", int_key, "Root", root_key)
    leaf = pki.leaf("Int", int_key)
    report = _check(pki.pem(leaf, inter, root))
    assert_has(report, "chain.expired_unneeded")
    assert report.request is not None and report.request.get("Cert") == pki.pem(leaf, inter)


def test_not_after_before_not_before_is_its_own_finding() -> None:
    root_key = pki.key(1)
    leaf = pki.leaf("Root", root_key)

    def invert(tbs: object) -> None:
        validity = tbs["validity"]  # type: ignore[index]
        before, after = validity["notBefore"], validity["notAfter"]
        validity["notBefore"], validity["notAfter"] = after, before

    report = _check(pki.raw_pem(pki.resign(leaf, root_key, invert)))
    assert_has(report, "validity.inverted", "Cert")
    assert_lacks(report, "validity.expired", "validity.not_yet_valid")
    assert "expired" not in " ".join(f.message for f in report.findings if f.field == "Cert")
    assert codes(report).count("validity.inverted") == 1


# --- formats converted without being asked ----------------------------------------------------------------------


def test_a_der_certificate_file_is_converted() -> None:
    from tests.conftest import BROKEN, STD

    report = certcheck.validate(
        UploadParams(
            name="demo_example_com", cert=(BROKEN / "rsa-leaf.der").read_bytes(), key=(STD / "rsa-leaf.key").read_text()
        ),
        at=AT,
    )
    assert report.algorithm == "RSA"
    assert_lacks(report, "pem.der")
    repaired = [f.message for f in report.findings if f.code == "pem.repaired"]
    assert repaired and "DER (binary) certificate" in repaired[0]
    assert report.request is not None and report.request.get("Cert") == (STD / "rsa-leaf.pem").read_text()


def test_der_certificates_back_to_back_and_a_der_key_are_converted() -> None:
    from certcheck import pem
    from tests.conftest import BROKEN, STD

    chain = b"".join(b.der for b in pem.read("c", (STD / "rsa-fullchain.pem").read_bytes()).blocks)
    report = certcheck.validate(
        UploadParams(name="demo_example_com", cert=chain, key=(BROKEN / "rsa-leaf.key.der").read_bytes()), at=AT
    )
    assert report.ok, [(f.code, f.message) for f in report.findings]
    assert_lacks(report, "pem.der", "chain.leaf_only")
    assert report.request is not None and report.request.get("Cert") == (STD / "rsa-fullchain.pem").read_text()


def test_a_pkcs12_file_in_a_pem_field_points_at_pfx_not_openssl_x509() -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    cert = pki.leaf("Root", pki.key(1))
    blob = pkcs12.serialize_key_and_certificates(b"x", pki.key(0), cert, None, serialization.NoEncryption())
    report = certcheck.validate(UploadParams(name="x", cert=blob, key=pki.key_pem(pki.key(0))), at=AT)
    message = next(f.message for f in report.findings if f.code == "pem.der")
    assert "--pfx" in message and "openssl x509" not in message


def test_pem_with_line_breaks_written_as_backslash_n_is_repaired() -> None:
    import json

    from tests.conftest import STD

    cert = json.dumps((STD / "rsa-fullchain.pem").read_text())[1:-1]
    key = json.dumps((STD / "rsa-leaf.key").read_text())
    assert "\\n" in cert and "\n" not in cert
    report = certcheck.validate(UploadParams(name="demo_example_com", cert=cert, key=key), at=AT)  # quotes kept
    assert report.ok, [(f.code, f.message) for f in report.findings]
    assert [f.code for f in report.findings if f.severity.value != "info"] == []
    repaired = [f.message for f in report.findings if f.code == "pem.repaired" and f.field == "Cert"]
    assert repaired and "\\n" in repaired[0]
    assert report.request is not None and report.request.get("Cert") == (STD / "rsa-fullchain.pem").read_text()
    slashes = cert.replace("/", "\\/")  # PHP's json_encode escapes "/"
    assert certcheck.validate(UploadParams(name="demo_example_com", cert=slashes, key=key), at=AT).ok
