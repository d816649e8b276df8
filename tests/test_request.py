"""The request builder (certcheck/request.py) through the public API: canonical PEM, leaf-first order, the SM
fields left out, redaction everywhere but api_params(), and known-answer vectors for ClientToken and the flat
parameters. The expected values are literals on purpose: a change to any of them changes what reaches the API
(a new ClientToken makes a retried upload a second upload), so it must be a deliberate edit here."""

from __future__ import annotations

import json

import pytest

from certcheck import Report, Tag, UploadParams, UploadRequest
from certcheck.pem import encode
from tests.conftest import check, secret_fragments, sm, std

FULLCHAIN = std("rsa-fullchain.pem")
LEAF = std("rsa-leaf.pem")
INTERMEDIATE = std("rsa-intermediate.pem")
KEY = std("rsa-leaf.key")


def good_rsa(**extra: object) -> Report:
    fields: dict[str, object] = {
        "name": "demo_example_com",
        "cert": FULLCHAIN,
        "key": KEY,
        "tags": [Tag("env", "prod")],
    }
    fields.update(extra)
    return check(**fields)


def request_of(report: Report) -> UploadRequest:
    assert report.request is not None, [f.code for f in report.findings]
    return report.request


# --- known answers -----------------------------------------------------------------------------------------

# SHA-256 over "Name\0<len>\0<value>\0" for each field in API order, then "tag\0<key>\0<value>\0" per tag,
# first 32 hex digits. Changing the derivation changes every user's token: do it only on purpose.
TOKEN_VECTORS = [
    ((("Name", "n"), ("Cert", "c"), ("Key", "k")), (Tag("a", "b"),), "9c005cf3537f59e1093508f709f3b298"),
    ((), (), "e3b0c44298fc1c149afbf4c8996fb924"),  # sha256(b"")
]


@pytest.mark.parametrize(("fields", "tags", "token"), TOKEN_VECTORS)
def test_client_token_known_answers(fields: tuple[tuple[str, str], ...], tags: tuple[Tag, ...], token: str) -> None:
    request = UploadRequest(fields, tags)
    assert request.client_token == token
    assert request.api_params()["ClientToken"] == token
    assert request.redacted()["ClientToken"] == token


def test_client_token_of_the_fixture_request() -> None:
    # std/ fixtures are byte-reproducible (fixtures/README.md), so this token is stable across `make fixtures`.
    assert request_of(good_rsa()).client_token == "1482b81096a62c93bf367b059e49a396"


@pytest.mark.parametrize(
    "other",
    [
        UploadRequest((("Name", "ab"), ("Cert", "c"))),  # a character moved across a field boundary
        UploadRequest((("Name", "a"), ("Cert", "bc"))),
        UploadRequest((("Name", "a"), ("Cert", "b")), (Tag("t"),)),  # a tag added
        UploadRequest((("Name", "a"), ("Cert", "b")), (Tag("t", "v"),)),
        UploadRequest((("Name", "a"), ("Key", "b"))),  # same value under another name
        UploadRequest((("Cert", "b"), ("Name", "a"))),  # same fields in another order
    ],
)
def test_client_token_depends_on_every_part(other: UploadRequest) -> None:
    base = UploadRequest((("Name", "a"), ("Cert", "b")))
    assert other.client_token != base.client_token
    assert len(other.client_token) == 32 and int(other.client_token, 16) >= 0


def test_client_token_differs_between_real_requests() -> None:
    tokens = {
        request_of(good_rsa()).client_token,
        request_of(good_rsa(name="demo_example_com_2")).client_token,
        request_of(good_rsa(tags=[Tag("env", "test")])).client_token,
        request_of(good_rsa(tags=None)).client_token,
        request_of(good_rsa(resource_group_id="rg-acfmz3xyzabc")).client_token,
    }
    assert len(tokens) == 5


def test_canonical_pem_known_answers() -> None:
    assert encode("CERTIFICATE", bytes(range(100))) == (
        "-----BEGIN CERTIFICATE-----\n"
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\n"
        "MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5f\n"
        "YGFiYw==\n"
        "-----END CERTIFICATE-----\n"
    )
    assert encode("RSA PRIVATE KEY", b"\x30\x00", (("Proc-Type", "4,ENCRYPTED"), ("DEK-Info", "AES-256-CBC,00"))) == (
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nMAA=\n"
        "-----END RSA PRIVATE KEY-----\n"
    )
    # exactly 48 bytes: one full 64-column line and nothing after it
    assert encode("X", b"\xff" * 48) == "-----BEGIN X-----\n" + "/" * 64 + "\n-----END X-----\n"


def test_api_params_known_answer() -> None:
    params = request_of(good_rsa()).api_params()
    assert params == {
        "Name": "demo_example_com",
        "Cert": LEAF + INTERMEDIATE,
        "Key": KEY,
        "Tags.1.Key": "env",
        "Tags.1.Value": "prod",
        "ClientToken": "1482b81096a62c93bf367b059e49a396",
    }
    assert list(params) == ["Name", "Cert", "Key", "Tags.1.Key", "Tags.1.Value", "ClientToken"]


def test_api_params_numbers_tags_from_one_in_order() -> None:
    tags = [Tag("env", "prod"), Tag("team", ""), Tag("cost", "42")]
    params = request_of(good_rsa(tags=tags, resource_group_id="rg-acfmz3xyzabc")).api_params()
    assert {k: v for k, v in params.items() if k.startswith("Tags.")} == {
        "Tags.1.Key": "env",
        "Tags.1.Value": "prod",
        "Tags.2.Key": "team",
        "Tags.2.Value": "",
        "Tags.3.Key": "cost",
        "Tags.3.Value": "42",
    }
    assert list(params) == [
        "Name",
        "Cert",
        "Key",
        "ResourceGroupId",
        *(f"Tags.{i}.{part}" for i in (1, 2, 3) for part in ("Key", "Value")),
        "ClientToken",
    ]
    assert params["ResourceGroupId"] == "rg-acfmz3xyzabc"
    assert all(isinstance(v, str) for v in params.values())  # flat: no lists or dicts left for a transport


# --- canonical form and order --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "messy",
    [
        FULLCHAIN.replace("\n", "\r\n"),
        " ".join(FULLCHAIN.split("\n")),  # the one-line paste the API's own examples show
        "subject=CN=demo\n" + LEAF + "\n\n\n" + INTERMEDIATE + "trailing words\n",
        INTERMEDIATE + LEAF,  # issuer first
        "\ufeff" + FULLCHAIN,
    ],
)
def test_request_carries_canonical_pem_leaf_first(messy: str) -> None:
    assert request_of(good_rsa(cert=messy)).api_params()["Cert"] == LEAF + INTERMEDIATE


def test_rewrapped_base64_is_rewrapped_at_64() -> None:
    lines = LEAF.strip().split("\n")
    body = "".join(lines[1:-1])
    wrapped = "\n".join([lines[0], *(body[i : i + 76] for i in range(0, len(body), 76)), lines[-1]]) + "\n"
    assert request_of(good_rsa(cert=wrapped + INTERMEDIATE)).get("Cert") == LEAF + INTERMEDIATE


def test_root_and_duplicates() -> None:
    root = std("rsa-root.pem")
    # a root given at the end is kept, in issuer order; a duplicate is dropped
    assert request_of(good_rsa(cert=LEAF + INTERMEDIATE + root)).get("Cert") == LEAF + INTERMEDIATE + root
    assert request_of(good_rsa(cert=LEAF + INTERMEDIATE + LEAF)).get("Cert") == LEAF + INTERMEDIATE
    assert request_of(good_rsa(cert=root + LEAF + INTERMEDIATE)).get("Cert") == LEAF + INTERMEDIATE + root


def test_key_one_line_paste_is_canonical_in_the_request() -> None:
    assert request_of(good_rsa(key=" ".join(KEY.split("\n")))).get("Key") == KEY


def test_standard_request_leaves_the_sm_fields_out() -> None:
    request = request_of(
        good_rsa(sign_cert=sm("sm2-sign-fullchain.pem"), sign_private_key=sm("sm2-sign.key"), encrypt_cert="x")
    )
    assert [name for name, _ in request.fields] == ["Name", "Cert", "Key"]
    for name in ("SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey"):
        assert request.get(name) is None
        assert name not in request.api_params() and name not in request.redacted()


def test_sm_request_fields_in_api_order_without_cert_and_key() -> None:
    report = check(
        name="demo_example_com_sm2",
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-sign.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=sm("sm2-enc.key"),
    )
    params = request_of(report).api_params()
    assert list(params) == ["Name", "EncryptCert", "EncryptPrivateKey", "SignCert", "SignPrivateKey", "ClientToken"]
    assert params["SignCert"] == sm("sm2-sign-fullchain.pem")
    assert params["EncryptCert"] == sm("sm2-enc-fullchain.pem")
    assert params["SignPrivateKey"] == sm("sm2-sign.key")
    assert params["EncryptPrivateKey"] == sm("sm2-enc.key")


def test_empty_text_parameters_are_not_sent() -> None:
    request = request_of(good_rsa(resource_group_id="", name=""))
    assert [name for name, _ in request.fields] == ["Cert", "Key"]
    assert "ResourceGroupId" not in request.api_params() and "Name" not in request.api_params()


@pytest.mark.parametrize(
    "fields",
    [
        {"cert": "not pem"},
        {"key": std("rsa-leaf.enc.pk8.key")},  # encrypted, no passphrase: a chain but no key
        {"key": "not pem"},
        {"cert": None, "key": None},
    ],
)
def test_no_request_when_a_pem_field_cannot_be_read(fields: dict[str, object]) -> None:
    report = good_rsa(**fields)
    assert report.request is None
    assert "rule.crashed" not in [f.code for f in report.findings]
    assert not report.ok


# --- redaction ------------------------------------------------------------------------------------------------

REDACTED_KEY = "<redacted sha256:dcf3ea9be4d2>"  # sha256 of the key's canonical PEM, first 12 hex digits


def test_repr_known_answer() -> None:
    request = request_of(good_rsa())
    expected = f"UploadRequest(Name='demo_example_com', Cert=<2 certificate(s)>, Key={REDACTED_KEY}, tags=1)"
    assert repr(request) == expected
    assert str(request) == expected


def test_redacted_known_answer() -> None:
    assert request_of(good_rsa()).redacted() == {
        "Name": "demo_example_com",
        "Cert": LEAF + INTERMEDIATE,
        "Key": REDACTED_KEY,
        "Tags": [{"Key": "env", "Value": "prod"}],
        "ClientToken": "1482b81096a62c93bf367b059e49a396",
    }


def test_the_key_reaches_api_params_and_nothing_else() -> None:
    report = good_rsa()
    request = request_of(report)
    assert request.api_params()["Key"] == KEY  # the one place it is handed over
    shown = [
        repr(request),
        str(request),
        json.dumps(request.redacted()),
        json.dumps(report.as_dict()),
        repr(report),
    ]
    for text in shown:
        assert "PRIVATE KEY" not in text
        for fragment in secret_fragments(KEY):
            assert fragment not in text


def test_a_key_pasted_into_name_or_a_tag_is_redacted() -> None:
    # Such a request has errors but is still built; a key in a text field must not leak from it either.
    pasted = KEY
    report = good_rsa(name=pasted, tags=[Tag("note", pasted)], resource_group_id=pasted)
    request = request_of(report)
    redacted = request.redacted()
    assert redacted["Name"] == REDACTED_KEY
    assert redacted["ResourceGroupId"] == REDACTED_KEY
    assert redacted["Tags"] == [{"Key": "note", "Value": REDACTED_KEY}]
    assert repr(request) == (
        f"UploadRequest(Name='{REDACTED_KEY}', Cert=<2 certificate(s)>, Key={REDACTED_KEY}, "
        f"ResourceGroupId='{REDACTED_KEY}', tags=1)"
    )


def test_sm_keys_are_redacted_too() -> None:
    report = check(
        sign_cert=sm("sm2-sign-fullchain.pem"),
        sign_private_key=sm("sm2-sign.key"),
        encrypt_cert=sm("sm2-enc-fullchain.pem"),
        encrypt_private_key=sm("sm2-enc.key"),
        name="n",
    )
    request = request_of(report)
    redacted = request.redacted()
    for name in ("SignPrivateKey", "EncryptPrivateKey"):
        assert redacted[name].startswith("<redacted sha256:") and redacted[name].endswith(">")
        assert len(redacted[name]) == len(REDACTED_KEY)
    assert redacted["SignPrivateKey"] != redacted["EncryptPrivateKey"]
    assert "PRIVATE" not in repr(request) and "PRIVATE" not in json.dumps(redacted)


def test_params_from_api_round_trip() -> None:
    params = UploadParams.from_api(
        {"Name": "demo_example_com", "Cert": FULLCHAIN, "Key": KEY, "Tags": [{"Key": "env", "Value": "prod"}]}
    )
    assert params == UploadParams(name="demo_example_com", cert=FULLCHAIN, key=KEY, tags=[Tag("env", "prod")])
