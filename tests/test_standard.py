"""Every rule for Cert+Key requests, each both ways: a case that triggers it and a near case that does not."""

from __future__ import annotations

import pytest

from certcheck import Tag
from tests.conftest import assert_has, assert_lacks, check, codes, only_info, rsa_ok, std


def test_good_rsa_fullchain_passes_with_only_notes() -> None:
    report = rsa_ok()
    assert report.ok
    only_info(report)
    assert report.kind == "standard" and report.algorithm == "RSA"
    assert report.findings == ()
    assert report.request is not None
    assert report.request.get("Cert") == std("rsa-fullchain.pem") and report.request.get("Key") == std("rsa-leaf.key")


@pytest.mark.parametrize("key", ["rsa-leaf.key", "rsa-leaf.pk8.key"])
def test_pkcs1_and_pkcs8_keys_both_match(key: str) -> None:
    only_info(rsa_ok(key=std(key)))


@pytest.mark.parametrize(
    "cert, key",
    [
        ("ec-p256-fullchain.pem", "ec-p256-leaf.key"),
        ("ec-p256-fullchain.pem", "ec-p256-leaf.pk8.key"),
        ("ec-p384-leaf.pem", "ec-p384-leaf.key"),
        ("ec-p521-leaf.pem", "ec-p521-leaf.key"),
    ],
)
def test_ec_curves_the_api_takes(cert: str, key: str) -> None:
    report = rsa_ok(cert=std(cert), key=std(key))
    assert report.ok, codes(report)
    assert report.algorithm == "EC"
    assert_lacks(report, "pair.key_mismatch", "algorithm.unsupported_curve")


# ---- fields ----------------------------------------------------------------------------------------------------


def test_cert_without_key_and_key_without_cert() -> None:
    assert_has(check(name="x", cert=std("rsa-leaf.pem")), "fields.cert_without_key")
    assert_has(check(name="x", key=std("rsa-leaf.key")), "fields.key_without_cert")
    assert_lacks(rsa_ok(), "fields.cert_without_key", "fields.key_without_cert")


def test_nothing_at_all() -> None:
    report = check(name="x")
    assert_has(report, "fields.empty")
    assert report.kind is None and report.algorithm is None and report.request is None
    assert_has(check(name="x", cert="  \n", key=""), "fields.empty")


def test_sm_fields_next_to_cert_and_key_are_ignored_unjudged() -> None:
    report = rsa_ok(sign_cert="garbage that is not PEM", encrypt_private_key="also garbage")
    assert_has(report, "sm.fields_ignored", "SignCert")
    message = next(f.message for f in report.findings if f.code == "sm.fields_ignored")
    assert "SignCert" in message and "EncryptPrivateKey" in message
    assert_lacks(report, "pem.not_pem")  # not judged
    assert report.ok
    assert report.request is not None and report.request.get("SignCert") is None
    assert "SignCert" not in report.request.api_params()


def test_sm2_certificate_in_cert_points_to_the_sm_fields(sm2_leaf: str, sm2_key: str) -> None:
    report = rsa_ok(cert=sm2_leaf, key=sm2_key)
    assert_has(report, "fields.sm2_in_cert", "Cert")
    assert_has(report, "fields.sm2_in_cert", "Key")
    assert report.algorithm == "SM2"
    assert "SignCert" in next(f.message for f in report.findings if f.code == "fields.sm2_in_cert")


# ---- algorithms ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cert, key, shown",
    [
        ("ed25519-leaf.pem", "ed25519-leaf.key", "Ed25519"),
        ("ed448-leaf.pem", "ed448-leaf.key", "Ed448"),
        ("dsa-leaf.pem", "dsa-leaf.key", "DSA"),
    ],
)
def test_algorithms_the_api_refuses(cert: str, key: str, shown: str) -> None:
    report = rsa_ok(cert=std(cert), key=std(key))
    assert_has(report, "algorithm.unsupported", "Cert")
    assert shown in next(f.message for f in report.findings if f.code == "algorithm.unsupported")
    assert report.algorithm is None
    assert not report.ok


def test_unsupported_curve() -> None:
    report = rsa_ok(cert=std("ec-secp256k1-leaf.pem"), key=std("ec-secp256k1-leaf.key"))
    assert_has(report, "algorithm.unsupported_curve", "Cert")
    assert "secp256k1" in next(f.message for f in report.findings if f.code == "algorithm.unsupported_curve")
    assert_lacks(rsa_ok(cert=std("ec-p384-leaf.pem"), key=std("ec-p384-leaf.key")), "algorithm.unsupported_curve")


# ---- Name ------------------------------------------------------------------------------------------------------


def test_name_required_by_2025_only() -> None:
    assert_has(rsa_ok(name=None), "name.missing", "Name")
    assert_has(rsa_ok(name=""), "name.missing", "Name")
    assert_lacks(rsa_ok(name=None, profile="2024-07"), "name.missing")


@pytest.mark.parametrize(
    "name, profile, too_long",
    [
        ("a" * 64, "2025-11", False),
        ("a" * 65, "2025-11", True),
        ("证" * 64, "2025-11", False),  # 64 characters, 192 bytes: counted as characters
        ("证" * 65, "2025-11", True),
        ("a" * 128, "2024-07", False),
        ("a" * 129, "2024-07", True),
    ],
)
def test_name_length_in_characters(name: str, profile: str, too_long: bool) -> None:
    report = rsa_ok(name=name, profile=profile)
    assert ("name.too_long" in codes(report)) is too_long


@pytest.mark.parametrize("name", ["cert-1", "example_com_2026", "证书_1", "ABC123"])
def test_name_plain_characters_accepted(name: str) -> None:
    assert_lacks(rsa_ok(name=name), "name.characters", "name.control_characters")


@pytest.mark.parametrize("name", ["example.com", "my cert", "a*b", " lead", "trail "])
def test_name_other_characters_warn(name: str) -> None:
    report = rsa_ok(name=name)
    assert_has(report, "name.characters", "Name")
    assert report.ok  # a warning, not an error


def test_name_any_printable_character_under_2024() -> None:
    assert_lacks(rsa_ok(name="example.com (prod)", profile="2024-07"), "name.characters")


@pytest.mark.parametrize("name", ["a\nb", "tab\there", "zero\u200bwidth", "bell\x07"])
def test_name_control_characters_are_errors(name: str) -> None:
    for profile in ("2025-11", "2024-07"):
        assert_has(rsa_ok(name=name, profile=profile), "name.control_characters", "Name")


# ---- Tags and ResourceGroupId ----------------------------------------------------------------------------------


def test_good_tags_pass() -> None:
    tags = [Tag(f"k{i}", "v" * 128) for i in range(20)] + []
    report = rsa_ok(tags=tags)
    assert_lacks(report, *[c for c in codes(report) if c.startswith("tags.")])
    assert report.ok


@pytest.mark.parametrize(
    "tags, code",
    [
        ([Tag(f"k{i}", "") for i in range(21)], "tags.too_many"),
        ([Tag("", "v")], "tags.key_empty"),
        ([Tag("k" * 129, "v")], "tags.key_too_long"),
        ([Tag("aliyun-owner", "v")], "tags.key_reserved"),
        ([Tag("ACS:team", "v")], "tags.key_reserved"),
        ([Tag("see https://x", "v")], "tags.key_url"),
        ([Tag("k", "v" * 129)], "tags.value_too_long"),
        ([Tag("k", "http://example.com")], "tags.value_url"),
        ([Tag("k", "1"), Tag("k", "2")], "tags.duplicate_key"),
    ],
)
def test_tag_rules(tags: list[Tag], code: str) -> None:
    report = rsa_ok(tags=tags)
    assert_has(report, code, "Tags")
    assert not report.ok


def test_tag_near_misses_pass() -> None:
    report = rsa_ok(tags=[Tag("k" * 128, ""), Tag("my-aliyun", "httpx"), Tag("acs", "v")])
    assert [c for c in codes(report) if c.startswith("tags.")] == []


def test_tags_under_2024_profile_warn() -> None:
    assert_has(rsa_ok(tags=[Tag("env", "prod")], profile="2024-07"), "tags.not_in_profile")
    assert_lacks(rsa_ok(tags=[Tag("env", "prod")]), "tags.not_in_profile")


@pytest.mark.parametrize(
    "rg, bad",
    [
        ("rg-acfmz3xyzabc", False),
        ("", False),
        ("rg-ae****vty", True),
        ("RG-ABC", True),
        ("rg-", True),
        ("acfm123", True),
    ],
)
def test_resource_group_id_shape(rg: str, bad: bool) -> None:
    assert ("resource_group.malformed" in codes(rsa_ok(resource_group_id=rg))) is bad


# ---- pair ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cert, key",
    [
        ("rsa-fullchain.pem", "rsa-other.key"),
        ("ec-p256-fullchain.pem", "ec-p256-other.key"),
        ("rsa-fullchain.pem", "ec-p256-leaf.key"),
        ("ec-p384-leaf.pem", "ec-p256-leaf.key"),
    ],
)
def test_key_mismatch(cert: str, key: str) -> None:
    report = rsa_ok(cert=std(cert), key=std(key))
    assert_has(report, "pair.key_mismatch", "Key")
    assert not report.ok


def test_key_of_the_intermediate_is_pointed_out() -> None:
    report = rsa_ok(key=std("rsa-intermediate.key"))
    message = next(f.message for f in report.findings if f.code == "pair.key_mismatch")
    assert "certificate 2" in message


def test_inconsistent_rsa_keys_are_caught_without_slow_validation() -> None:
    for name in ("rsa-inconsistent.key", "rsa-wrong-d.key"):
        report = rsa_ok(key=std(name))
        assert_has(report, "key.inconsistent", "Key")
        assert_lacks(report, "pair.key_mismatch")  # the modulus matches: the key itself is broken


# ---- chain -----------------------------------------------------------------------------------------------------


def test_reversed_chain_is_fixed_in_the_request() -> None:
    report = rsa_ok(cert=std("rsa-chain-reversed.pem"))
    assert_has(report, "chain.out_of_order", "Cert")
    assert report.ok
    assert report.request is not None
    assert report.request.get("Cert") == std("rsa-fullchain.pem")


def test_root_at_the_end_is_allowed() -> None:
    report = rsa_ok(cert=std("rsa-fullchain-root.pem"))
    only_info(report)
    assert report.request is not None and report.request.get("Cert") == std("rsa-fullchain-root.pem")


def test_unrelated_certificate_is_an_error() -> None:
    report = rsa_ok(cert=std("rsa-chain-unrelated.pem"))
    assert_has(report, "chain.unrelated", "Cert")
    assert_lacks(rsa_ok(), "chain.unrelated")


def test_missing_intermediate_leaves_the_root_unrelated() -> None:
    assert_has(rsa_ok(cert=std("rsa-chain-gap.pem")), "chain.unrelated", "Cert")


def test_duplicates_warn_and_are_dropped() -> None:
    report = rsa_ok(cert=std("rsa-chain-duplicate.pem"))
    assert_has(report, "chain.duplicate", "Cert")
    assert report.ok
    assert report.request is not None and report.request.get("Cert") == std("rsa-fullchain.pem")


def test_forged_intermediate_with_the_right_name_fails_the_signature() -> None:
    report = rsa_ok(cert=std("rsa-chain-badsig.pem"))
    assert_has(report, "chain.bad_signature", "Cert")
    assert_lacks(rsa_ok(), "chain.bad_signature")


def test_leaf_alone_is_a_note() -> None:
    report = rsa_ok(cert=std("rsa-leaf.pem"))
    assert_has(report, "chain.leaf_only", "Cert")
    assert report.ok


# ---- validity --------------------------------------------------------------------------------------------------


def test_expired_not_yet_valid_and_expiring() -> None:
    assert_has(rsa_ok(cert=std("rsa-leaf-expired.pem")), "validity.expired", "Cert")
    report = rsa_ok(cert=std("rsa-leaf-notyet.pem"))
    assert_has(report, "validity.not_yet_valid", "Cert")
    assert report.ok
    assert_has(rsa_ok(cert=std("rsa-leaf-expiring.pem")), "validity.expiring_soon", "Cert")
    assert_lacks(rsa_ok(cert=std("rsa-leaf-expiring.pem"), expiry_warning_days=7), "validity.expiring_soon")
    assert_lacks(rsa_ok(), "validity.expired", "validity.not_yet_valid", "validity.expiring_soon")


# ---- strength --------------------------------------------------------------------------------------------------


def test_small_rsa_key() -> None:
    report = rsa_ok(cert=std("rsa1024-leaf.pem"), key=std("rsa1024-leaf.key"))
    assert_has(report, "strength.rsa_too_small", "Cert")
    assert_lacks(rsa_ok(), "strength.rsa_too_small")


@pytest.mark.parametrize("cert, weak", [("rsa-leaf-sha1.pem", "SHA-1"), ("rsa-leaf-md5.pem", "MD5")])
def test_weak_signature_hash(cert: str, weak: str) -> None:
    report = rsa_ok(cert=std(cert))
    assert_has(report, "strength.weak_signature_hash", "Cert")
    assert weak in next(f.message for f in report.findings if f.code == "strength.weak_signature_hash")


def test_ca_certificate_as_leaf() -> None:
    assert_has(rsa_ok(cert=std("rsa-ca-as-leaf.pem"), key=std("rsa-ca-as-leaf.key")), "strength.ca_as_leaf")
    assert_lacks(rsa_ok(), "strength.ca_as_leaf")


# ---- keys ------------------------------------------------------------------------------------------------------


def test_encrypted_keys_need_a_passphrase() -> None:
    for name in ("rsa-leaf.enc.pk8.key", "rsa-leaf.enc.pem-legacy.key", "ec-p256-leaf.enc.pk8.key"):
        report = rsa_ok(key=std(name))
        assert_has(report, "key.encrypted", "Key")
        assert report.request is None


@pytest.mark.parametrize(
    "cert, key",
    [
        ("rsa-fullchain.pem", "rsa-leaf.enc.pk8.key"),
        ("rsa-fullchain.pem", "rsa-leaf.enc.pem-legacy.key"),
        ("ec-p256-fullchain.pem", "ec-p256-leaf.enc.pk8.key"),
    ],
)
def test_passphrase_decrypts_into_the_request(cert: str, key: str) -> None:
    report = rsa_ok(cert=std(cert), key=std(key), key_password=b"correct horse")
    assert report.ok, [f.message for f in report.findings]
    assert_has(report, "key.normalized", "Key")
    assert report.request is not None
    sent = report.request.api_params()["Key"]
    assert "ENCRYPTED" not in sent and "PRIVATE KEY" in sent
    plain = rsa_ok(cert=std(cert), key=sent)  # the decrypted key is the certificate's key, and stays plain
    assert plain.ok and plain.request is not None and plain.request.api_params()["Key"] == sent
    assert_lacks(plain, "key.normalized", "pair.key_mismatch")


def test_wrong_passphrase() -> None:
    for name in ("rsa-leaf.enc.pk8.key", "rsa-leaf.enc.pem-legacy.key"):
        report = rsa_ok(key=std(name), key_password=b"wrong")
        assert_has(report, "key.wrong_password", "Key")
        assert "wrong" not in " ".join(f.message for f in report.findings).replace("wrong passphrase", "")


def test_empty_name_and_resource_group_are_not_sent() -> None:
    report = rsa_ok(name="", resource_group_id="", profile="2024-07")
    assert report.ok and report.request is not None
    assert "Name" not in report.request.api_params() and "ResourceGroupId" not in report.request.api_params()
    report = rsa_ok(resource_group_id="rg-acfmz3xyzabc")
    assert report.request is not None and report.request.api_params()["ResourceGroupId"] == "rg-acfmz3xyzabc"


def test_decomposed_accents_are_letters() -> None:
    assert_lacks(rsa_ok(name="cafe\u0301_2026"), "name.characters")


def test_matching_pairs_of_refused_algorithms_are_not_called_mismatched() -> None:
    for name in ("ed25519-leaf", "dsa-leaf"):
        report = rsa_ok(cert=std(f"{name}.pem"), key=std(f"{name}.key"))
        assert_has(report, "algorithm.unsupported")
        assert_lacks(report, "pair.key_mismatch")
