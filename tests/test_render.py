"""The renderers (certcheck/render/) on hand-built reports: exact output, escaping, colour only when asked."""

from __future__ import annotations

import json

import pytest

from certcheck import Finding, Report, Severity, Tag, UploadRequest
from certcheck.render import FORMATS, RenderOptions, render
from certcheck.render.json import render_json
from certcheck.render.text import render_text

CERT = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"
KEY = "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"
REQUEST = UploadRequest((("Name", "web"), ("Cert", CERT + CERT), ("Key", KEY)), (Tag("env", "prod"),))
TOKEN = "d2865b50ab0eefc231e6af7451758103"  # pinned: see test_request.py for how it is derived
REDACTED = "<redacted sha256:5208270ef39e>"  # sha256(KEY)[:12]

FINDINGS = (
    Finding("pem.repaired", Severity.INFO, "Cert", "Cert: repaired CRLF."),
    Finding("chain.out_of_order", Severity.WARNING, "Cert", "Cert: not in order."),
    Finding("name.too_long", Severity.ERROR, "Name", "Name is too long."),
    Finding("pair.key_mismatch", Severity.ERROR, "Key", "Key does not match."),
)
FAILING = Report(FINDINGS, "standard", "RSA", REQUEST)


def test_check_prints_what_these_renderers_return() -> None:
    # `certcheck check` goes through render(); for one report, text and json are exactly these functions' output
    for colour in (False, True):
        options = RenderOptions(colour=colour, single=True)
        assert render("text", FAILING, options) == render_text(FAILING, colour)
        assert render("json", FAILING, options) == render_json(FAILING)


def test_text_known_answer() -> None:
    assert render_text(FAILING) == (
        "FAIL  standard request, RSA  (2 errors, 1 warning, 1 info)\n"
        "  error   name.too_long       Name is too long.\n"
        "  error   pair.key_mismatch   Key does not match.\n"
        "  warning chain.out_of_order  Cert: not in order.\n"
        "  info    pem.repaired        Cert: repaired CRLF.\n"
        f"  request: Name=web, Cert=2 certificate(s), Key={REDACTED}, Tags=1, ClientToken={TOKEN}\n"
    )


def test_text_clean_report_and_no_request() -> None:
    assert render_text(Report((), "sm", "SM2", None)) == "OK  sm request, SM2\n"
    assert render_text(Report((), None, None, None)) == "OK  no request\n"
    one = Report((Finding("x.y", Severity.WARNING, None, "m"),), "standard", None, None, source="a.json")
    assert render_text(one) == "a.json: OK  standard request  (1 warning)\n  warning x.y  m\n"


def test_text_counts_are_singular_and_plural() -> None:
    two_infos = Report((FINDINGS[0], FINDINGS[0]), "standard", "EC", None)
    assert render_text(two_infos).splitlines()[0] == "OK  standard request, EC  (2 infos)"


def test_text_keeps_report_order_within_a_severity() -> None:
    a = Finding("b.second", Severity.ERROR, None, "first given")
    b = Finding("a.first", Severity.ERROR, None, "second given")
    lines = render_text(Report((a, b), "standard", "RSA", None)).splitlines()
    assert lines[1:] == ["  error   b.second  first given", "  error   a.first   second given"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("line\nerror   forged.code  gotcha", "line\\nerror   forged.code  gotcha"),
        ("\x1b[2Jcleared", "\\x1b[2Jcleared"),
        ("tab\there", "tab\\there"),
        ("bell\x07", "bell\\x07"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("rtl\u202eoverride", "rtl\\u202eoverride"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
        ("bom\ufeff", "bom\\ufeff"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("ordinary é 中文 text", "ordinary é 中文 text"),
    ],
)
def test_text_escapes_control_characters(raw: str, shown: str) -> None:
    report = Report((Finding("name.bad", Severity.ERROR, "Name", raw),), "standard", None, None, source=raw)
    lines = render_text(report).split("\n")
    assert lines[0] == f"{shown}: FAIL  standard request  (1 error)"
    assert lines[1] == f"  error   name.bad  {shown}"
    assert lines[2:] == [""]


def test_text_escapes_the_request_line() -> None:
    request = UploadRequest((("Name", "evil\n  error fake"), ("Cert", CERT), ("Key", KEY)))
    text = render_text(Report((), "standard", "RSA", request))
    assert "  request: Name=evil\\n  error fake, Cert=1 certificate(s)" in text
    assert text.count("\n") == 2


def test_colour_only_when_asked() -> None:
    plain = render_text(FAILING, False)
    assert "\x1b" not in plain
    assert render_text(FAILING) == plain  # the default is no colour
    coloured = render_text(FAILING, True)
    assert coloured.splitlines()[0] == "\x1b[31;1mFAIL\x1b[0m  standard request, RSA  (2 errors, 1 warning, 1 info)"
    assert "  \x1b[31merror  \x1b[0m name.too_long " in coloured
    assert "  \x1b[33mwarning\x1b[0m chain.out_of_order " in coloured
    assert "  \x1b[36minfo   \x1b[0m pem.repaired " in coloured
    assert render_text(Report((), "standard", "RSA", None), True) == "\x1b[32;1mOK\x1b[0m  standard request, RSA\n"
    # with the escapes taken out, the coloured text is the plain text
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_json_known_answer() -> None:
    text = render_json(FAILING)
    assert text.endswith("}\n")
    assert json.loads(text) == {
        "ok": False,
        "kind": "standard",
        "algorithm": "RSA",
        "findings": [
            {"code": f.code, "severity": f.severity.value, "field": f.field, "message": f.message} for f in FINDINGS
        ],
        "request": {
            "Name": "web",
            "Cert": CERT + CERT,
            "Key": REDACTED,
            "Tags": [{"Key": "env", "Value": "prod"}],
            "ClientToken": TOKEN,
        },
    }
    assert text.startswith('{\n  "ok": false,\n  "kind": "standard",\n')  # indented, documented key order
    assert list(json.loads(text)) == ["ok", "kind", "algorithm", "findings", "request"]


def test_json_ignores_colour_and_keeps_unicode() -> None:
    report = Report((Finding("name.x", Severity.INFO, "Name", "名前 \x1b"),), None, None, None, source="s")
    text = render_json(report, True)
    assert text == render_json(report, False)
    assert "\x1b[" not in text
    assert "名前" in text  # ensure_ascii=False: readable, and the control character is JSON-escaped
    assert "\\u001b" in text
    assert json.loads(text) == {
        "ok": True,
        "kind": None,
        "algorithm": None,
        "findings": [{"code": "name.x", "severity": "info", "field": "Name", "message": "名前 \x1b"}],
        "request": None,
        "source": "s",
    }


def test_no_format_shows_a_key() -> None:
    assert {"text", "json"} <= set(FORMATS)
    for name in FORMATS:
        for colour in (False, True):
            out = render(name, FAILING, RenderOptions(colour=colour, single=True))
            assert "PRIVATE KEY" not in out and "MAA=\n-----END PRIVATE" not in out, name
            if name in ("text", "json"):
                assert REDACTED in out
