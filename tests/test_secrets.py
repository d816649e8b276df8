"""Private key material never shown, whatever field it was put in and whatever form it arrived in (issue 8).

The contract is absolute: no public object's repr/str, no exception message, no output line of any command.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import certcheck
from certcheck import Tag, UploadParams
from certcheck.cli import main
from certcheck.documents import parse
from certcheck.redaction import contains_private_key, show_text, withhold
from certcheck.render import FORMATS, render
from tests.conftest import AT, STD, assert_has, std
from tests.secret_forms import FORMS, KEY_FILES, in_form, key_der, leaked

KINDS = sorted(KEY_FILES)


# --- the detector -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("kind", KINDS)
def test_every_key_structure_is_recognised_in_every_form(kind: str, form: str) -> None:
    text = in_form(kind, form)
    assert contains_private_key(text)
    assert contains_private_key(f"prod_{text} (copied from the vault)")  # with text around it


@pytest.mark.parametrize(
    "path", [*sorted(STD.glob("*.pem")), STD / "ed25519-leaf.pem", STD / "dsa-leaf.pem"], ids=lambda p: p.name
)
def test_certificates_and_public_keys_are_not_keys(path: Path) -> None:
    from certcheck import pem

    for block in pem.read("x", path.read_bytes()).blocks:
        for text in (pem.encode(block.label, block.der), base64.b64encode(block.der).decode(), block.der.hex()):
            assert not contains_private_key(text), (path.name, block.label)
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    for block in pem.read("x", path.read_bytes()).blocks:
        spki = (
            x509.load_der_x509_certificate(block.der)
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        )
        assert not contains_private_key(base64.b64encode(spki).decode())


def test_a_version_1_certificate_with_serial_1_is_not_a_pkcs8_key() -> None:
    # TBSCertificate of a v1 certificate: SEQUENCE { INTEGER 1 (serial), AlgorithmIdentifier, Name ... }; a
    # PKCS#8 key has an OCTET STRING where the certificate has its issuer Name.
    alg = bytes.fromhex("300d06092a864886f70d01010b0500")
    name = bytes.fromhex("3011310f300d06035504030c0654657374204341")
    tbs_body = bytes.fromhex("020101") + alg + name + bytes(60)
    tbs = bytes([0x30, 0x81, len(tbs_body)]) + tbs_body
    assert not contains_private_key(base64.b64encode(tbs).decode())
    assert not contains_private_key(tbs.hex())


@pytest.mark.parametrize(
    "text",
    [
        "demo_example_com",
        "a" * 5000,
        "rg-" + "a" * 100_000,
        "The quick brown fox jumps over the lazy dog " * 40,
        base64.b64encode(bytes(range(256)) * 8).decode(),
        "0123456789abcdef" * 100,
    ],
)
def test_ordinary_text_is_not_a_key(text: str) -> None:
    assert not contains_private_key(text)
    assert show_text(text) == text or show_text(text).endswith(f"<{len(text):,} characters>")


def test_withhold_replaces_a_message_that_quotes_a_key() -> None:
    message = f"Name {in_form('ec-sec1', 'base64-one-line')!r} is odd"
    assert "withheld" in withhold(message)
    assert withhold("Name 'x' is odd") == "Name 'x' is odd"


# --- the library ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_tag_repr_and_str_never_show_a_key(form: str) -> None:
    text = in_form("ec-sec1", form)
    for tag in (Tag("env", text), Tag(text, "prod")):
        for shown in (repr(tag), str(tag), repr((tag,)), repr(UploadParams(tags=[tag]))):
            assert not leaked(shown, "ec-sec1"), shown
    assert repr(Tag("env", "prod")) == "Tag('env', 'prod')"
    assert len(repr(Tag("env", "v" * 1_000_000))) < 200


@pytest.mark.parametrize("form", FORMS)
def test_from_api_unknown_member_name_is_not_quoted(form: str) -> None:
    text = in_form("rsa-pkcs1", form)
    with pytest.raises(ValueError) as caught:
        UploadParams.from_api({"Name": "x", text: "oops"})
    assert not leaked(str(caught.value), "rsa-pkcs1")
    assert "unknown parameter" in str(caught.value)
    with pytest.raises(ValueError) as caught:
        UploadParams.from_api({"Tags": [{"Key": "k", text: "v"}]})
    assert not leaked(str(caught.value), "rsa-pkcs1")


def test_from_api_names_a_harmless_unknown_member_and_cuts_a_long_one() -> None:
    with pytest.raises(ValueError, match="'Nmae'"):
        UploadParams.from_api({"Nmae": "x"})
    with pytest.raises(ValueError) as caught:
        UploadParams.from_api({"x" * 1_000_000: "x"})
    assert len(str(caught.value)) < 500


@pytest.mark.parametrize("form", FORMS)
def test_validate_profile_error_does_not_quote_a_key(form: str) -> None:
    with pytest.raises(ValueError) as caught:
        certcheck.validate(UploadParams(name="x"), profile=in_form("ec-pkcs8", form))
    assert not leaked(str(caught.value), "ec-pkcs8")
    assert "unknown profile" in str(caught.value)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("where", ["name", "resource_group_id", "tag_value", "tag_key"])
def test_a_key_without_armor_in_a_text_field_is_found_and_redacted(where: str, form: str) -> None:
    text = in_form("rsa-pkcs8", form)
    fields: dict[str, object] = {
        "name": "demo_example_com",
        "cert": std("rsa-fullchain.pem"),
        "key": std("rsa-leaf.key"),
    }
    if where == "tag_value":
        fields["tags"] = [Tag("env", text)]
    elif where == "tag_key":
        fields["tags"] = [Tag(text, "prod")]
    else:
        fields[where] = text
    report = certcheck.validate(UploadParams(**fields), at=AT)  # type: ignore[arg-type]
    field = {"name": "Name", "resource_group_id": "ResourceGroupId"}.get(where, "Tags")
    assert_has(report, "fields.private_key_in_text", field)
    for rendered in [render(f, report) for f in FORMATS] + [repr(report), str(report)]:
        assert not leaked(rendered, "rsa-pkcs8")


# --- the command ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["armored", "base64-one-line", "hex"])
def test_cli_unknown_member_name_holding_a_key(form: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = in_form("ec-sec1", form)
    request = tmp_path / "r.json"
    request.write_text(json.dumps({"Name": "x", text: "value"}))
    assert main(["check", "--request", str(request)]) == 2
    out, err = capsys.readouterr()
    assert "unknown parameter" in err
    assert not leaked(out + err, "ec-sec1")
    request.write_text(json.dumps({"Name": "x", "Tags": [{"Key": "k", text: "v"}]}))
    assert main(["check", "--request", str(request)]) == 2
    out, err = capsys.readouterr()
    assert not leaked(out + err, "ec-sec1")


@pytest.mark.parametrize(
    "flags",
    [["--profile"], ["--format"], ["--fail-on"], ["--at"], ["--expiry-warning-days"], ["--key-password-env"]],
)
def test_cli_flag_values_holding_a_key_are_not_echoed(flags: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = in_form("ec-sec1", "base64-one-line")
    assert main(["check", "--name", "x", *flags, text]) == 2
    out, err = capsys.readouterr()
    assert not leaked(out + err, "ec-sec1"), err


def test_cli_path_holding_a_key_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    text = in_form("ec-sec1", "base64-one-line")
    assert main(["check", "--cert", text, "--key", text]) == 2
    out, err = capsys.readouterr()
    assert "cannot read" in err and not leaked(out + err, "ec-sec1")


# --- the property -----------------------------------------------------------------------------------------------

TEXT_PLACES = ("Name", "ResourceGroupId", "TagKey", "TagValue", "Cert", "Key", "SignCert", "member name")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(KINDS),
    form=st.sampled_from(FORMS),
    place=st.sampled_from(TEXT_PLACES),
    prefix=st.sampled_from(["", "prod ", "x" * 70, "\n"]),
)
def test_no_key_material_anywhere_whatever_field_and_form(
    kind: str, form: str, place: str, prefix: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Property: a key in any field, any form: no repr/str, exception message or output line contains it."""
    text = prefix + in_form(kind, form)
    request: dict[str, object] = {
        "Name": "demo_example_com",
        "Cert": std("rsa-fullchain.pem"),
        "Key": std("rsa-leaf.key"),
    }
    if place == "TagKey":
        request["Tags"] = [{"Key": text, "Value": "v"}]
    elif place == "TagValue":
        request["Tags"] = [{"Key": "k", "Value": text}]
    elif place == "member name":
        request[text] = "x"
    else:
        request[place] = text
    shown: list[str] = []
    try:
        params = UploadParams.from_api(request)
    except ValueError as exc:
        shown.append(str(exc))
    else:
        report = certcheck.validate(params, at=AT)
        shown += [repr(params), str(params), repr(report), repr(parse(params))]
        shown += [render(f, report) for f in FORMATS]
        if report.request is not None:
            shown += [repr(report.request), json.dumps(report.request.redacted())]
    path = tmp_path_factory.mktemp("req") / "r.json"
    path.write_text(json.dumps(request))
    for fmt in ("text", "json"):
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["check", "--request", str(path), "--format", fmt, "--at", "2026-06-01T00:00:00Z"])
        shown += [out.getvalue(), err.getvalue()]
    for piece in shown:
        assert not leaked(piece, kind), (place, form, piece[:300])


def test_the_fragments_would_catch_a_leak() -> None:
    """The property can fail: the unredacted text does contain the fragments it looks for."""
    for kind in KINDS:
        for form in FORMS:
            if form == "truncated-base64" and kind == "rsa-encrypted-pkcs8":
                continue  # its fragments come from the tail, which a truncated paste does not carry
            text = in_form(kind, form)
            assert leaked(text, kind), (kind, form)
    assert key_der("ec-sec1")
