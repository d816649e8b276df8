"""Bounded work and output however hostile the input (issue 8): findings per field, shown values, lengths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from certcheck import Tag, pem
from certcheck.cli import main
from certcheck.render import FORMATS, render
from certcheck.report import MAX_FINDINGS_PER_CODE
from tests.conftest import STD, assert_has, assert_lacks, codes, rsa_ok, std


def _output_size(report: object) -> int:
    return max(len(render(f, report)) for f in FORMATS)  # type: ignore[arg-type]


def test_unreadable_certificate_blocks_count_towards_the_limit() -> None:
    # 4,000 blocks that are DER but no certificate: one finding each before, now ten and cert.too_many.
    junk = pem.encode("CERTIFICATE", bytes.fromhex("3003020101"))
    report = rsa_ok(cert=std("rsa-fullchain.pem") + junk * 4000)
    assert_has(report, "cert.too_many", "Cert")
    assert codes(report).count("cert.unreadable") <= MAX_FINDINGS_PER_CODE + 1
    assert _output_size(report) < 20_000


def test_findings_per_field_and_code_are_summarized() -> None:
    tags = [Tag(f"k{i}", "v" * 200) for i in range(5000)]
    report = rsa_ok(tags=tags)
    too_long = [f for f in report.findings if f.code == "tags.value_too_long"]
    assert len(too_long) == MAX_FINDINGS_PER_CODE + 1
    assert too_long[-1].message == "Tags: and 4,990 more tags.value_too_long findings like the above, not listed."
    assert _output_size(report) < 20_000
    assert not report.ok  # the summary keeps the code's severity: the verdict does not change


def test_a_sixty_megabyte_name_gives_small_output() -> None:
    report = rsa_ok(name="n" * 60_000_000)
    assert_has(report, "name.too_long", "Name")
    assert _output_size(report) < 10_000
    assert report.request is not None
    assert len(repr(report.request)) < 1000
    assert len(json.dumps(report.request.redacted())) < 20_000


@pytest.mark.parametrize("where", ["resource_group_id", "tag"])
def test_long_resource_group_and_tag_values_are_shown_cut(where: str) -> None:
    value = "rg-" + "a" * 1_000_000
    report = rsa_ok(resource_group_id=value) if where == "resource_group_id" else rsa_ok(tags=[Tag("k", value)])
    assert _output_size(report) < 10_000
    assert repr(report).count("a") < 5_000


def test_a_megabyte_resource_group_id_is_refused() -> None:
    report = rsa_ok(resource_group_id="rg-" + "a" * 1_000_000)
    assert_has(report, "resource_group.too_long", "ResourceGroupId")
    assert not report.ok
    assert_lacks(rsa_ok(resource_group_id="rg-acfmwaly5wywpsy"), "resource_group.too_long", "resource_group.malformed")
    assert_lacks(rsa_ok(resource_group_id="rg-" + "a" * 61), "resource_group.too_long")
    assert_has(rsa_ok(resource_group_id="rg-" + "a" * 62), "resource_group.too_long")


def test_long_messages_are_cut() -> None:
    from certcheck.model import Finding, Severity
    from certcheck.report import MAX_MESSAGE_CHARS, bound_findings

    (finding,) = bound_findings([Finding("x.y", Severity.ERROR, "Name", "m" * 100_000)])
    assert len(finding.message) <= MAX_MESSAGE_CHARS and finding.message.endswith("(message cut)")


def test_check_without_any_argument_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 2
    assert "nothing to check" in capsys.readouterr().err
    # Anything given at all is checked (and is a finding when it is not enough).
    assert main(["check", "--name", "x"]) == 1


def test_request_paths_resolve_relative_to_the_json_file_absolute_and_through_symlinks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "live"
    live.mkdir()
    (live / "fullchain.pem").symlink_to(STD / "rsa-fullchain.pem")  # certbot's live/ holds symlinks
    key = STD / "rsa-leaf.key"
    nested = tmp_path / "requests" / "deep"
    nested.mkdir(parents=True)
    request = nested / "r.json"
    request.write_text(json.dumps({"Name": "demo", "Cert": "@../../live/fullchain.pem", "Key": f"@{key}"}))
    assert main(["check", "--request", str(request), "--at", "2026-06-01T00:00:00Z"]) == 0, capsys.readouterr()
