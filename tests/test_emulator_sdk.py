"""The official SDK (alibabacloud-cas20200407) against the emulator over loopback: real HTTP, real signatures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alibabacloud_cas20200407 import models

from certcheck.emulator import Emulator, serve_in_thread
from tests.conftest import FIXTURES, SM2, STD, read, secret_fragments
from tests.emulator_support import CREDENTIALS, KEY_ID, RSA_CHAIN, RSA_KEY, client, sdk_error, upload_request


def test_upload_succeeds_and_the_response_parses_into_the_sdk_model(emu: Emulator) -> None:
    response = client(emu).upload_user_certificate(upload_request("web_1"))
    assert response.status_code == 200
    body = response.body
    assert isinstance(body.cert_id, int) and body.cert_id >= 1
    assert body.resource_id.startswith("cas-upload-")
    assert body.request_id
    [stored] = emu.certificates()
    assert (stored.id, stored.name, stored.resource_id) == (body.cert_id, "web_1", body.resource_id)
    [call] = emu.calls()
    assert (call.action, call.access_key_id, call.request_id, call.fault) == (
        "UploadUserCertificate",
        KEY_ID,
        body.request_id,
        None,
    )


def test_a_taken_name_is_refused_with_the_service_message(emu: Emulator) -> None:
    sdk = client(emu)
    sdk.upload_user_certificate(upload_request("taken"))
    error = sdk_error(sdk.upload_user_certificate, upload_request("taken"))
    assert error.status_code == 400
    assert error.code == "NameRepeat"
    assert error.data["Message"] == "名称重复，请重新输入。"
    assert error.data["HostId"] and error.data["RequestId"] == error.request_id
    assert set(error.data) >= {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert len(emu.certificates()) == 1


def test_the_same_client_token_twice_is_one_certificate(emu: Emulator) -> None:
    sdk = client(emu)
    first = sdk.upload_user_certificate(upload_request("tok", client_token="token-1")).body
    second = sdk.upload_user_certificate(upload_request("tok", client_token="token-1")).body
    assert (second.cert_id, second.resource_id) == (first.cert_id, first.resource_id)
    assert second.request_id != first.request_id
    assert len(emu.certificates()) == 1


def test_the_same_client_token_with_other_content_is_refused(emu: Emulator) -> None:
    sdk = client(emu)
    sdk.upload_user_certificate(upload_request("tok", client_token="token-1"))
    error = sdk_error(sdk.upload_user_certificate, upload_request("tok_other_name", client_token="token-1"))
    assert (error.status_code, error.code) == (400, "IdempotentParameterMismatch")
    tagged = upload_request("tok", client_token="token-1", tags=[("env", "prod")])
    assert sdk_error(sdk.upload_user_certificate, tagged).code == "IdempotentParameterMismatch"
    assert len(emu.certificates()) == 1


def test_a_wrong_secret_is_signature_does_not_match(emu: Emulator) -> None:
    error = sdk_error(client(emu, secret="not-the-secret").upload_user_certificate, upload_request())
    assert (error.status_code, error.code) == (400, "SignatureDoesNotMatch")
    assert emu.certificates() == [] and emu.calls() == []


def test_an_unknown_access_key_id_is_not_found(emu: Emulator) -> None:
    error = sdk_error(client(emu, key_id="LTAI-unknown").upload_user_certificate, upload_request())
    assert (error.status_code, error.code) == (404, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize(
    "name, tags",
    [
        ("证书 & = + 空格", [("环境 a&b", "生产 x=y+z w"), ("k", "")]),
        ("emoji_🔐", [("key=1&2", "value with spaces + plus & amp = eq / slash ~ tilde * star % pct")]),
        ("tab", [("a", "line\nbreak")]),
    ],
)
def test_non_ascii_names_and_tag_values_verify_and_round_trip(
    emu: Emulator, name: str, tags: list[tuple[str, str]]
) -> None:
    """The canonical query rules: the SDK's urlencode (space as +) re-encoded with only A-Za-z0-9-_.~ literal."""
    sdk = client(emu)
    cert_id = sdk.upload_user_certificate(upload_request(name, tags=tags)).body.cert_id
    detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=cert_id)).body
    assert detail.name == name
    assert [(t.tag_key, t.tag_value) for t in detail.tags] == tags


def test_an_invalid_request_is_refused_with_the_format_message_and_finding_codes(emu: Emulator) -> None:
    sdk = client(emu)
    error = sdk_error(sdk.upload_user_certificate, upload_request("bad", key=read(STD / "rsa-other.key")))
    assert (error.status_code, error.code) == (400, "CertFormatError")
    assert error.data["Message"] == "证书格式异常，请检查输入内容。"
    assert "pair.key_mismatch" in error.data["Recommend"]
    one_line = upload_request("broken", cert="-----BEGIN CERTIFICATE----- not base64 -----END CERTIFICATE-----")
    assert sdk_error(sdk.upload_user_certificate, one_line).code == "CertFormatError"
    assert emu.certificates() == []


def test_request_level_problems_have_their_own_codes(emu: Emulator) -> None:
    sdk = client(emu)
    missing = sdk_error(sdk.upload_user_certificate, upload_request(None))  # type: ignore[arg-type]
    assert (missing.code, missing.status_code) == ("MissingName", 400)
    assert "name.missing" in missing.data["Recommend"]
    reserved = sdk_error(sdk.upload_user_certificate, upload_request("t", tags=[("aliyun:x", "v")]))
    assert reserved.code == "InvalidParameter" and "tags.key_reserved" in reserved.data["Recommend"]


def test_private_keys_are_neither_stored_nor_returned(tmp_path: Path) -> None:
    db = tmp_path / "cas.db"
    with serve_in_thread(CREDENTIALS, rate=0, db=db) as emu:
        sdk = client(emu)
        cert_id = sdk.upload_user_certificate(upload_request("secret_check")).body.cert_id
        detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=cert_id)).body
        assert detail.key.startswith("<redacted sha256:")
        failed = sdk_error(sdk.upload_user_certificate, upload_request("bad", cert=read(STD / "rsa-unrelated.pem")))
        answers = json.dumps(detail.to_map()) + json.dumps(failed.data) + str(failed) + repr(emu)
    stored = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    body_lines = [line for line in RSA_KEY.splitlines() if "-----" not in line]
    for fragment in [*body_lines, *secret_fragments(RSA_KEY)]:
        assert fragment.encode() not in stored
        assert fragment not in answers


def test_list_detail_and_delete_parse_with_the_sdk_models(emu: Emulator) -> None:
    sdk = client(emu)
    ids = [sdk.upload_user_certificate(upload_request(f"site_{i}")).body.cert_id for i in range(5)]
    listed = sdk.list_user_certificate_order(
        models.ListUserCertificateOrderRequest(order_type="UPLOAD", show_size=2, current_page=1)
    ).body
    assert (listed.total_count, listed.current_page, listed.show_size) == (5, 1, 2)
    first = listed.certificate_order_list[0]
    assert first.certificate_id == ids[-1]  # newest first
    assert first.name == "site_4" and first.common_name == "demo.example.com"
    assert first.sans == "demo.example.com" and first.upload is True and first.expired is False
    assert first.start_date == "2025-01-01" and first.end_date == "2035-01-01"
    assert int(first.serial_no, 16) == _leaf_serial(RSA_CHAIN)
    assert first.fingerprint and first.sha_2
    last_page = sdk.list_user_certificate_order(
        models.ListUserCertificateOrderRequest(order_type="CERT", show_size=2, current_page=3)
    ).body
    assert [c.certificate_id for c in last_page.certificate_order_list] == [ids[0]]
    keyword = sdk.list_user_certificate_order(
        models.ListUserCertificateOrderRequest(order_type="UPLOAD", keyword="site_3")
    ).body
    assert [c.certificate_id for c in keyword.certificate_order_list] == [ids[3]]
    cpack = sdk.list_user_certificate_order(models.ListUserCertificateOrderRequest()).body  # default CPACK
    assert cpack.total_count == 0 and cpack.certificate_order_list == []

    detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=ids[0])).body
    assert detail.id == ids[0] and detail.name == "site_0" and detail.common == "demo.example.com"
    assert detail.cert.startswith("-----BEGIN CERTIFICATE-----") and detail.cert.count("BEGIN CERTIFICATE") == 2
    assert detail.not_after > detail.not_before > 0 and detail.end_date == "2035-01-01"
    assert [c.common_name for c in detail.cert_chain] == ["demo.example.com", "certcheck Test Intermediate R1"]
    filtered = sdk.get_user_certificate_detail(
        models.GetUserCertificateDetailRequest(cert_id=ids[0], cert_filter=True)
    ).body
    assert filtered.cert is None and filtered.key is None and filtered.name == "site_0"

    assert sdk.delete_user_certificate(models.DeleteUserCertificateRequest(cert_id=ids[0])).body.request_id
    gone = sdk_error(sdk.get_user_certificate_detail, models.GetUserCertificateDetailRequest(cert_id=ids[0]))
    assert (gone.status_code, gone.code) == (404, "CertNotFound")
    again = sdk_error(sdk.delete_user_certificate, models.DeleteUserCertificateRequest(cert_id=ids[0]))
    assert again.code == "CertNotFound"
    # the freed name can be used again
    assert sdk.upload_user_certificate(upload_request("site_0")).body.cert_id not in ids


def test_delete_with_a_client_token_is_idempotent(emu: Emulator) -> None:
    sdk = client(emu)
    cert_id = sdk.upload_user_certificate(upload_request("d")).body.cert_id
    request = models.DeleteUserCertificateRequest(cert_id=cert_id, client_token="del-1")
    sdk.delete_user_certificate(request)
    sdk.delete_user_certificate(request)  # a retried delete succeeds again
    assert emu.certificates() == []


def test_sm2_dual_certificates_upload_and_read_back(emu: Emulator) -> None:
    sdk = client(emu)
    request = models.UploadUserCertificateRequest(
        name="sm2_site",
        sign_cert=read(SM2 / "sm2-sign-fullchain.pem"),
        sign_private_key=read(SM2 / "sm2-sign.key"),
        encrypt_cert=read(SM2 / "sm2-enc-fullchain.pem"),
        encrypt_private_key=read(SM2 / "sm2-enc.key"),
    )
    cert_id = sdk.upload_user_certificate(request).body.cert_id
    detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=cert_id)).body
    assert detail.algorithm == "SM2" and detail.cert is None
    assert detail.sign_cert.startswith("-----BEGIN CERTIFICATE-----") and detail.encrypt_cert
    assert detail.sign_private_key.startswith("<redacted") and detail.encrypt_private_key.startswith("<redacted")


def test_an_ec_certificate_is_reported_as_ecc(emu: Emulator) -> None:
    sdk = client(emu)
    request = upload_request("ec", cert=read(STD / "ec-p256-fullchain.pem"), key=read(STD / "ec-p256-leaf.key"))
    cert_id = sdk.upload_user_certificate(request).body.cert_id
    detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=cert_id)).body
    assert detail.algorithm == "ECC"


def test_a_restarted_emulator_keeps_its_certificates_with_db(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    with serve_in_thread(CREDENTIALS, rate=0, db=db) as first:
        cert_id = client(first).upload_user_certificate(upload_request("kept", client_token="t-1")).body.cert_id
    with serve_in_thread(CREDENTIALS, rate=0, db=db) as second:
        sdk = client(second)
        listed = sdk.list_user_certificate_order(models.ListUserCertificateOrderRequest(order_type="UPLOAD")).body
        assert [c.certificate_id for c in listed.certificate_order_list] == [cert_id]
        # the token survives too: a retry after the restart is still the same upload
        replay = sdk.upload_user_certificate(upload_request("kept", client_token="t-1")).body
        assert replay.cert_id == cert_id
        assert sdk_error(sdk.upload_user_certificate, upload_request("kept")).code == "NameRepeat"
    with serve_in_thread(CREDENTIALS, rate=0) as memory:  # without --db: a fresh, empty service
        assert memory.certificates() == []


def test_the_sample_requests_of_the_fixtures_upload(emu: Emulator) -> None:
    from certcheck.sources import build_params, params_from_json

    sdk = client(emu)
    for path in sorted((FIXTURES / "requests").glob("good-*.json")):
        data = params_from_json(json.loads(path.read_text()), path.parent, str(path))
        params = build_params(data, str(path), key_password=b"demo-passphrase" if "encrypted" in path.name else None)
        import certcheck

        report = certcheck.validate(params)
        if report.request is None or not report.ok:
            continue
        request = models.UploadUserCertificateRequest().from_map(_sdk_shape(report.request.api_params()))
        assert sdk.upload_user_certificate(request).body.cert_id >= 1
    assert len(emu.certificates()) >= 3


def _sdk_shape(params: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = {k: v for k, v in params.items() if not k.startswith("Tags.")}
    tags = []
    i = 1
    while f"Tags.{i}.Key" in params:
        tags.append({"Key": params[f"Tags.{i}.Key"], "Value": params[f"Tags.{i}.Value"]})
        i += 1
    if tags:
        out["Tags"] = tags
    return out


def _leaf_serial(pem: str) -> int:
    from cryptography import x509

    return x509.load_pem_x509_certificates(pem.encode())[0].serial_number


def test_the_old_rpc_signature_is_refused(emu: Emulator) -> None:
    sdk = client(emu, signature_algorithm="v2")
    error = sdk_error(sdk.list_user_certificate_order, models.ListUserCertificateOrderRequest())
    assert (error.status_code, error.code) == (400, "IncompleteSignature")


def test_status_filters_follow_the_certificates_dates() -> None:
    """``clock`` is the time certificates are judged at (signatures still use the real clock)."""
    from datetime import datetime, timezone

    now = [datetime(2034, 12, 15, tzinfo=timezone.utc).timestamp()]  # the fixture expires 2035-01-01
    with serve_in_thread(CREDENTIALS, rate=0, clock=lambda: now[0]) as emu:
        sdk = client(emu)
        cert_id = sdk.upload_user_certificate(upload_request("ending")).body.cert_id

        def listed(status: str | None) -> list[tuple[int, str]]:
            request = models.ListUserCertificateOrderRequest(order_type="UPLOAD", status=status)
            items = sdk.list_user_certificate_order(request).body.certificate_order_list
            return [(c.certificate_id, c.status) for c in items]

        assert listed(None) == [(cert_id, "WILLEXPIRED")] == listed("WILLEXPIRED")
        assert listed("ISSUED") == [] and listed("EXPIRED") == []
        now[0] = datetime(2035, 2, 1, tzinfo=timezone.utc).timestamp()
        assert listed(None) == []  # the API lists valid certificates unless asked otherwise
        assert listed("EXPIRED") == [(cert_id, "EXPIRED")]
        detail = sdk.get_user_certificate_detail(models.GetUserCertificateDetailRequest(cert_id=cert_id)).body
        assert detail.expired is True
        refused = sdk_error(sdk.upload_user_certificate, upload_request("too_late"))
        assert refused.code == "CertFormatError" and "validity.expired" in refused.data["Recommend"]
