"""Known answers for the field, name, resource-group, validity, extension, tag and algorithm rules: each test gives
an input that raises a finding and pins its exact (code, severity, field, message), or pins that a boundary input
raises nothing. Written against the mutants of certcheck/rules/{fields,resource_group,name,validity,cert,tags,
algorithm}.py that the rest of the suite let through; each assertion fails with one of them applied."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import x25519

import certcheck
from certcheck import Report, Tag, UploadParams
from tests import pki
from tests.conftest import AT, sm, std

Seen = tuple[str, str, str | None, str]

RSA_KEY = std("rsa-leaf.key")  # a private key, pasted where text belongs
NAME = "demo_example_com"
UTC = dt.timezone.utc


def validate(**fields: object) -> Report:
    return certcheck.validate(UploadParams(**fields), at=AT)  # type: ignore[arg-type]


def rsa(**extra: object) -> Report:
    """The known-good RSA request, with some fields changed."""
    base: dict[str, object] = {"name": NAME, "cert": std("rsa-fullchain.pem"), "key": RSA_KEY}
    base.update(extra)
    return validate(**base)


def ec(*certs: x509.Certificate | str) -> Report:
    """An EC request whose Cert holds ``certs`` (certificates, or PEM text); Key is the key of pki.leaf()."""
    cert = "".join(c if isinstance(c, str) else pki.pem(c) for c in certs)
    return validate(name=NAME, cert=cert, key=pki.key_pem(pki.key(0)))


def found(report: Report, prefix: str) -> list[Seen]:
    """The findings whose code starts with ``prefix``, in report order, as (code, severity, field, message)."""
    return [(f.code, f.severity.value, f.field, f.message) for f in report.findings if f.code.startswith(prefix)]


def sm_fields() -> dict[str, object]:
    return {
        "name": NAME,
        "sign_cert": sm("sm2-sign.pem"),
        "sign_private_key": sm("sm2-sign.key"),
        "encrypt_cert": sm("sm2-enc.pem"),
        "encrypt_private_key": sm("sm2-enc.key"),
    }


# --- fields.presence ---------------------------------------------------------------------------------------------


def test_an_empty_request_says_what_to_give() -> None:
    assert found(validate(name=NAME), "fields.") == [
        (
            "fields.empty",
            "error",
            None,
            "Nothing to upload: give Cert and Key (RSA/EC), or SignCert, SignPrivateKey, EncryptCert and "
            "EncryptPrivateKey (SM2).",
        )
    ]


def test_a_lone_cert_in_an_sm_request_is_pointed_at() -> None:
    report = validate(cert=std("rsa-fullchain.pem"), **sm_fields())
    assert found(report, "fields.") == [
        (
            "fields.cert_without_key",
            "error",
            "Cert",
            "Cert is given without Key in an SM request, which uses only the four SM fields: remove Cert.",
        )
    ]


def test_a_lone_key_in_an_sm_request_is_pointed_at() -> None:
    report = validate(key=RSA_KEY, **sm_fields())
    assert found(report, "fields.") == [
        (
            "fields.key_without_cert",
            "error",
            "Key",
            "Key is given without Cert in an SM request, which uses only the four SM fields: remove Key.",
        )
    ]


# --- fields.private_key_in_text ----------------------------------------------------------------------------------


def _key_in(field_name: str) -> Seen:
    return (
        "fields.private_key_in_text",
        "error",
        field_name,
        f"{field_name} holds a private key: it would be stored and displayed in clear. Put the key in its key field "
        "and give a short name here; the value is redacted in certcheck's output.",
    )


def test_a_private_key_in_each_text_field_is_reported_on_that_field() -> None:
    report = rsa(name=RSA_KEY, resource_group_id=RSA_KEY, tags=[Tag(RSA_KEY, "v"), Tag("k", RSA_KEY)])
    assert found(report, "fields.") == [_key_in("Name"), _key_in("ResourceGroupId"), _key_in("Tags"), _key_in("Tags")]


# --- resource_group.shape ----------------------------------------------------------------------------------------


def test_a_resource_group_id_of_exactly_the_maximum_length_is_accepted() -> None:
    assert found(rsa(resource_group_id="rg-" + "a" * 61), "resource_group.") == []


def test_a_resource_group_id_one_over_the_maximum_is_too_long() -> None:
    value = "rg-" + "abcdefghijklmnopqrstuvwxyz0123456789" * 2  # 75 characters; the 25th is 'v'
    assert found(rsa(resource_group_id=value[:65]), "resource_group.") == [
        (
            "resource_group.too_long",
            "error",
            "ResourceGroupId",
            "ResourceGroupId is 65 characters ('rg-abcdefghijklmnopqrstu'...); a resource group ID is 'rg-' and "
            "about 15 letters and digits (at most 64 accepted). Copy the ID from the Resource Management console.",
        )
    ]


def test_the_documentation_s_masked_resource_group_id_gets_a_hint() -> None:
    assert found(rsa(resource_group_id="rg-ae****vty"), "resource_group.") == [
        (
            "resource_group.malformed",
            "error",
            "ResourceGroupId",
            "ResourceGroupId 'rg-ae****vty' is not a resource group ID: expected 'rg-' followed by lower-case letters "
            "and digits (the documentation's example masks it with ****: use the real ID).",
        )
    ]


def test_a_malformed_resource_group_id_without_a_mask_gets_no_hint() -> None:
    assert found(rsa(resource_group_id="RG-ABC"), "resource_group.") == [
        (
            "resource_group.malformed",
            "error",
            "ResourceGroupId",
            "ResourceGroupId 'RG-ABC' is not a resource group ID: expected 'rg-' followed by lower-case letters and "
            "digits.",
        )
    ]


# --- name.name ---------------------------------------------------------------------------------------------------

_TOO_LONG = "Name is {}; profile 2025-11 allows at most 64. Shorten it (e.g. drop the date or domain suffix)."
_DOT = (
    "Name contains '.': the 2025-11 page allows letters, digits and underscores (certcheck also accepts hyphens, "
    "as the page's own example cert-1 does). The service may refuse it; '_' is a safe replacement."
)


def _long_name(length: int) -> list[Seen]:
    return [("name.too_long", "error", "Name", _TOO_LONG.format(f"{length} characters"))]


def test_a_name_just_over_the_limit_is_still_inspected_character_by_character() -> None:
    assert found(rsa(name="a" * 64 + "."), "name.") == [*_long_name(65), ("name.characters", "warning", "Name", _DOT)]


def test_a_name_of_a_hundred_times_the_limit_is_still_inspected() -> None:
    assert found(rsa(name="a" * 6399 + "."), "name.") == [
        *_long_name(6400),
        ("name.characters", "warning", "Name", _DOT),
    ]


def test_a_name_over_a_hundred_times_the_limit_is_not_inspected() -> None:
    assert found(rsa(name="a" * 6400 + "."), "name.") == _long_name(6401)


def test_control_characters_are_listed_five_at_most() -> None:
    assert found(rsa(name="a\x06\x05\x04\x03\x02\x01b"), "name.") == [
        (
            "name.control_characters",
            "error",
            "Name",
            "Name contains control, invisible or unencodable characters (U+0001, U+0002, U+0003, U+0004, U+0005): "
            "they are invisible in the console and usually come from a copy-paste.",
        )
    ]


def test_surrounding_spaces_are_reported() -> None:
    assert found(rsa(name=" demo_example_com "), "name.") == [
        (
            "name.characters",
            "warning",
            "Name",
            "Name has leading or trailing spaces: the console will show them, and later lookups by name will miss.",
        )
    ]


def test_odd_characters_are_listed_eight_at_most() -> None:
    assert found(rsa(name="a@;:.,%$#!b"), "name.") == [
        (
            "name.characters",
            "warning",
            "Name",
            "Name contains '!' '#' '$' '%' ',' '.' ':' ';': the 2025-11 page allows letters, digits and underscores "
            "(certcheck also accepts hyphens, as the page's own example cert-1 does). The service may refuse it; '_' "
            "is a safe replacement.",
        )
    ]


# --- validity.dates ----------------------------------------------------------------------------------------------

ROOT_KEY, INT_KEY = pki.key(1), pki.key(2)


def test_a_valid_leaf_does_not_stop_the_check_of_the_certificates_after_it() -> None:
    inter = pki.cert("Int", INT_KEY, "Root", ROOT_KEY, validity=pki.EXPIRED)
    report = ec(pki.leaf("Int", INT_KEY), inter)
    assert found(report, "validity.") == [
        (
            "validity.expired",
            "error",
            "Cert",
            "Cert: certificate 2 (CN=Int) expired 2024-01-01 (882 days ago) (checked at 2026-06-01 00:00 UTC).",
        )
    ]


def test_a_certificate_valid_for_no_time_at_all_is_expired_not_inverted() -> None:
    instant = dt.datetime(2024, 1, 1, tzinfo=UTC)
    report = ec(pki.leaf("Root", ROOT_KEY, validity=(instant, instant)))
    assert found(report, "validity.") == [
        (
            "validity.expired",
            "error",
            "Cert",
            "Cert: certificate 1 (CN=example.com) expired 2024-01-01 (882 days ago) (checked at 2026-06-01 00:00 UTC).",
        )
    ]


def test_an_inverted_validity_has_its_own_message() -> None:
    def invert(tbs: object) -> None:
        validity = tbs["validity"]  # type: ignore[index]
        validity["notBefore"], validity["notAfter"] = validity["notAfter"], validity["notBefore"]

    leaf = pki.raw_pem(pki.resign(pki.leaf("Root", ROOT_KEY), ROOT_KEY, invert))
    assert found(ec(leaf), "validity.") == [
        (
            "validity.inverted",
            "error",
            "Cert",
            "Cert: certificate 1 (CN=example.com) is valid from 2035-01-01 00:00 until 2025-01-01 00:00, which is "
            "earlier: it is valid at no time (a broken issuing tool?). Have it re-issued.",
        )
    ]


def test_a_certificate_valid_from_the_checked_instant_is_not_yet_valid_no_more() -> None:
    leaf = pki.leaf("Root", ROOT_KEY, validity=(AT, AT + dt.timedelta(days=10)))
    assert found(ec(leaf), "validity.") == [
        (
            "validity.expiring_soon",
            "warning",
            "Cert",
            "Cert: certificate 1 (CN=example.com) expires 2026-06-11 (10 days left) (checked at 2026-06-01 00:00 "
            "UTC): renew it before uploading.",
        )
    ]


# --- cert.extensions ---------------------------------------------------------------------------------------------


def test_malformed_extensions_are_listed_five_at_most() -> None:
    extra = [
        (x509.UnrecognizedExtension(x509.ObjectIdentifier(f"1.3.6.1.4.1.55555.{n}"), b"\x05\x00"), False)
        for n in range(1, 5)
    ]

    def duplicate_all(tbs: object) -> None:
        exts = tbs["extensions"]  # type: ignore[index]
        for ext in list(exts):
            exts.append(ext)

    leaf = pki.raw_pem(pki.resign(pki.leaf("Root", ROOT_KEY, extra=extra), ROOT_KEY, duplicate_all))
    assert found(ec(leaf), "cert.") == [
        (
            "cert.malformed_extension",
            "error",
            "Cert",
            "Cert: certificate 1 (CN=example.com) has malformed extensions: basicConstraints (2.5.29.19) appears 2 "
            "times; subjectAltName (2.5.29.17) appears 2 times; 1.3.6.1.4.1.55555.1 appears 2 times; "
            "1.3.6.1.4.1.55555.2 appears 2 times; 1.3.6.1.4.1.55555.3 appears 2 times. TLS clients refuse such a "
            "certificate; have it re-issued by the CA.",
        )
    ]


# --- tags.tags ---------------------------------------------------------------------------------------------------


def test_a_tag_holding_a_private_key_in_its_key_only_is_not_checked_further() -> None:
    # A key in the tag's key alone skips it: otherwise its length and the value's URL would be reported (and the
    # key quoted).
    report = rsa(tags=[Tag(RSA_KEY, "https://example.com")])
    assert found(report, "tags.") == []
    assert found(report, "fields.") == [_key_in("Tags")]


def test_a_tag_holding_a_private_key_does_not_stop_the_check_of_the_next_tags() -> None:
    assert found(rsa(tags=[Tag(RSA_KEY, "v"), Tag("acs:x", "v")]), "tags.") == [
        (
            "tags.key_reserved",
            "error",
            "Tags",
            "Tags.2: the key 'acs:x' starts with a reserved prefix ('aliyun' or 'acs:'), kept for Alibaba Cloud's "
            "own tags.",
        )
    ]


LONG_KEY = "aliyun_" + "0123456789" * 4  # 47 characters: quoted up to its 40th, '3'


def test_long_tag_keys_are_quoted_to_forty_characters() -> None:
    quoted = repr(LONG_KEY[:40])
    assert quoted == "'aliyun_012345678901234567890123456789012'"
    report = rsa(tags=[Tag(LONG_KEY, "https://example.com"), Tag(LONG_KEY, "v")])
    assert found(report, "tags.") == [
        (
            "tags.key_reserved",
            "error",
            "Tags",
            f"Tags.1: the key {quoted} starts with a reserved prefix ('aliyun' or 'acs:'), kept for Alibaba Cloud's "
            "own tags.",
        ),
        (
            "tags.value_url",
            "error",
            "Tags",
            f"Tags.1 ({quoted}): the value contains http:// or https://, which tag values may not.",
        ),
        (
            "tags.key_reserved",
            "error",
            "Tags",
            f"Tags.2: the key {quoted} starts with a reserved prefix ('aliyun' or 'acs:'), kept for Alibaba Cloud's "
            "own tags.",
        ),
        (
            "tags.duplicate_key",
            "error",
            "Tags",
            f"the tag key {quoted} appears 2 times; each key may appear once.",
        ),
    ]


# --- algorithm.supported -----------------------------------------------------------------------------------------


def test_an_unsupported_leaf_key_names_its_type() -> None:
    x25519_public = x25519.X25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    leaf = (
        x509.CertificateBuilder()
        .subject_name(pki.name("example.com"))
        .issuer_name(pki.name("Root"))
        .public_key(x25519_public)
        .serial_number(100)
        .not_valid_before(pki.GOOD[0])
        .not_valid_after(pki.GOOD[1])
        .sign(ROOT_KEY, hashes.SHA256())
    )
    assert [s for s in found(ec(leaf), "algorithm.") if s[2] == "Cert"] == [
        (
            "algorithm.unsupported",
            "error",
            "Cert",
            "Cert: the leaf certificate uses other (X25519PublicKey); UploadUserCertificate takes RSA and ECDSA "
            "(P-256/P-384/P-521) certificates, and SM2 in the SM fields.",
        )
    ]
