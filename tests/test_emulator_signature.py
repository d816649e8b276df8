"""ACS3-HMAC-SHA256 on the server side: raw signed requests the SDK would never send, and the canonical query
checked against the SDK's own canonicalization."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from alibabacloud_tea_openapi.utils import get_canonical_query_string
from hypothesis import given, settings
from hypothesis import strategies as st

from certcheck.emulator import Emulator
from certcheck.emulator.signature import DATE_FORMAT, canonical_query
from tests.emulator_support import KEY_ID, RSA_CHAIN, RSA_KEY, SECRET, raw_call

LIST = "ListUserCertificateOrder"


def test_a_raw_request_signed_by_the_test_signer_is_accepted(emu: Emulator) -> None:
    status, body, _ = raw_call(emu, LIST, {"OrderType": "UPLOAD"})
    assert status == 200 and body["TotalCount"] == 0


def test_a_reused_nonce_is_refused(emu: Emulator) -> None:
    nonce = uuid.uuid4().hex
    upload = {"Name": "nonce_1", "Cert": RSA_CHAIN, "Key": RSA_KEY}
    assert raw_call(emu, "UploadUserCertificate", upload, nonce=nonce)[0] == 200
    status, body, _ = raw_call(emu, "UploadUserCertificate", dict(upload, Name="nonce_2"), nonce=nonce)
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert [c.name for c in emu.certificates()] == ["nonce_1"]


@pytest.mark.parametrize("minutes", [-16, 16, -60 * 24])
def test_a_date_more_than_15_minutes_off_is_expired(emu: Emulator, minutes: int) -> None:
    date = (datetime.now(timezone.utc) + timedelta(minutes=minutes)).strftime(DATE_FORMAT)
    status, body, _ = raw_call(emu, LIST, {}, date=date)
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")


def test_a_date_within_15_minutes_is_accepted(emu: Emulator) -> None:
    date = (datetime.now(timezone.utc) - timedelta(minutes=14)).strftime(DATE_FORMAT)
    assert raw_call(emu, LIST, {}, date=date)[0] == 200


def test_an_unknown_key_id_a_wrong_secret_and_a_malformed_header(emu: Emulator) -> None:
    assert raw_call(emu, LIST, {}, key_id="nobody")[1]["Code"] == "InvalidAccessKeyId.NotFound"
    assert raw_call(emu, LIST, {}, key_id="nobody")[0] == 404
    assert raw_call(emu, LIST, {}, secret="wrong")[1]["Code"] == "SignatureDoesNotMatch"
    status, body, _ = raw_call(emu, LIST, {}, tamper={"authorization": "Bearer abc"})
    assert (status, body["Code"]) == (400, "IncompleteSignature")
    assert raw_call(emu, LIST, {}, tamper={"x-acs-date": "yesterday"})[1]["Code"] == "InvalidTimeStamp.Format"


@pytest.mark.parametrize(
    "header, value",
    [
        ("x-acs-action", "DeleteUserCertificate"),  # a signed header changed in flight
        ("x-acs-content-sha256", "0" * 64),  # the body hash no longer matches
        ("host", "127.0.0.1"),  # the host without its port is another host
    ],
)
def test_any_change_to_a_signed_part_breaks_the_signature(emu: Emulator, header: str, value: str) -> None:
    status, body, _ = raw_call(emu, LIST, {"OrderType": "UPLOAD"}, tamper={header: value})
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")


def test_an_unsigned_x_acs_header_is_refused(emu: Emulator) -> None:
    status, body, _ = raw_call(emu, LIST, {}, tamper={"x-acs-security-token": "sneaked-in"})
    assert (status, body["Code"]) == (400, "IncompleteSignature")


def test_unknown_actions_and_versions_are_refused_after_verification(emu: Emulator) -> None:
    assert raw_call(emu, "DescribeEverything", {})[1]["Code"] == "InvalidAction.NotFound"
    assert emu.calls() == []  # refused calls are not in the access log


def test_canonical_query_matches_the_documented_rules() -> None:
    raw = urlencode({"b": "x y+z", "a": "中&=", "Tags.1.Value": "", "c": "a/b*~%\n\r"})
    assert canonical_query(raw) == "Tags.1.Value=&a=%E4%B8%AD%26%3D&b=x%20y%2Bz&c=a%2Fb%2A~%25%0A%0D"


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)  # no lone surrogates: not UTF-8


@settings(deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9.]{0,12}", fullmatch=True), _text, max_size=6))
def test_canonical_query_agrees_with_the_sdks_own_canonicalization(params: dict[str, str]) -> None:
    """What the SDK signs (its dict, canonicalized) and what the server rebuilds from the wire must be equal."""
    assert canonical_query(urlencode(params)) == get_canonical_query_string(params)


def test_an_oversized_request_line_is_refused_in_the_service_shape(emu: Emulator) -> None:
    status, body, _ = raw_call(emu, "UploadUserCertificate", {"Name": "x" * 70_000})
    assert (status, body["Code"]) == (414, "RequestUriTooLong")
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


def test_parameters_in_a_form_body_are_read_and_the_body_hash_is_checked(emu: Emulator) -> None:
    import http.client

    from certcheck.emulator.signature import sign

    body = urlencode({"OrderType": "UPLOAD", "ShowSize": "7"}).encode()
    headers = sign(
        access_key_id=KEY_ID,
        secret=SECRET,
        host=emu.endpoint,
        action=LIST,
        raw_query="",
        body=body,
        nonce=uuid.uuid4().hex,
    )
    headers["content-type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    conn.request("POST", "/", body=body, headers=headers)
    answer = json.loads(conn.getresponse().read())
    conn.close()
    assert answer["ShowSize"] == 7


@pytest.mark.parametrize(
    "action, params, code",
    [
        ("GetUserCertificateDetail", {}, "MissingCertId"),
        ("GetUserCertificateDetail", {"CertId": "abc"}, "InvalidParameter"),
        ("GetUserCertificateDetail", {"CertId": str(2**70)}, "InvalidParameter"),
        ("DeleteUserCertificate", {"CertId": "-3"}, "InvalidParameter"),
        ("ListUserCertificateOrder", {"CurrentPage": "0"}, "InvalidParameter"),
        ("ListUserCertificateOrder", {"OrderType": "EVERYTHING"}, "InvalidParameter"),
        ("UploadUserCertificate", {"Name": "t", "Tags.1.Value": "no key"}, "InvalidParameter"),
        ("UploadUserCertificate", {"Name": "t", "Tags.x.Key": "k"}, "InvalidParameter"),
        ("UploadUserCertificate", {"Name": "only_a_name"}, "CertFormatError"),
    ],
)
def test_bad_parameters_are_400s_never_500s(emu: Emulator, action: str, params: dict[str, str], code: str) -> None:
    status, body, _ = raw_call(emu, action, params)
    assert (status, body["Code"]) == (400, code)
    assert emu.refusals.get("InternalError", 0) == 0


def test_invalid_utf8_in_the_query_is_a_parameter_error(emu: Emulator) -> None:
    import http.client

    from certcheck.emulator.signature import sign

    query = "Name=%FF%FE"
    headers = sign(
        access_key_id=KEY_ID,
        secret=SECRET,
        host=emu.endpoint,
        action="UploadUserCertificate",
        raw_query=query,
        nonce=uuid.uuid4().hex,
    )
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    conn.request("POST", f"/?{query}", body=b"", headers=headers)
    response = conn.getresponse()
    answer = json.loads(response.read())
    conn.close()
    assert (response.status, answer["Code"]) == (400, "InvalidParameter")
