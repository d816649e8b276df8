"""certcheck.sources: bounded reads of regular files, request JSON with @path, JSONL manifests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from certcheck.cli import main
from certcheck.sources import LINE_CAP, SourceError, read_file, read_manifest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_read_file_refuses_a_fifo_instead_of_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        read_file(fifo, "--cert")


def test_read_file_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a regular file"):
        read_file(tmp_path, "--cert")


def test_read_file_follows_symlinks(tmp_path: Path) -> None:
    target = tmp_path / "real.pem"
    target.write_bytes(b"abc")
    (tmp_path / "link.pem").symlink_to(target)
    assert read_file(tmp_path / "link.pem", "--cert") == b"abc"


def test_cli_fifo_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["check", "--cert", str(fifo)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_cli_fifo_behind_at_path_in_a_request_is_a_usage_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "r.json").write_text(json.dumps({"Name": "x", "Cert": "@pipe"}))
    assert main(["check", "--request", str(tmp_path / "r.json")]) == 2


def _manifest(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "m.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_manifest_resolves_at_paths_relative_to_itself_and_skips_comments(tmp_path: Path) -> None:
    std = FIXTURES / "std"
    lines = [
        "# a comment",
        "",
        json.dumps({"Name": "a", "Cert": f"@{std / 'rsa-fullchain.pem'}", "Key": f"@{std / 'rsa-leaf.key'}"}),
        json.dumps({"Name": "b", "Tags": [{"Key": "env", "Value": "prod"}]}),
    ]
    (tmp_path / "leaf.pem").write_bytes((std / "rsa-leaf.pem").read_bytes())
    lines.append(json.dumps({"Name": "c", "Cert": "@leaf.pem"}))
    entries = list(read_manifest(_manifest(tmp_path, lines)))
    assert [e.params.name for e in entries if e.params] == ["a", "b", "c"]
    assert [e.source.rsplit(":", 1)[1] for e in entries] == ["3", "4", "5"]
    assert entries[0].params is not None and entries[0].params.cert == (std / "rsa-fullchain.pem").read_bytes()
    assert entries[1].params is not None and entries[1].params.tags is not None
    assert entries[1].params.tags[0].value == "prod"
    assert entries[2].params is not None and entries[2].params.cert == (std / "rsa-leaf.pem").read_bytes()


def test_manifest_bad_lines_become_failed_entries_and_the_run_goes_on(tmp_path: Path) -> None:
    lines = [
        "{not json",
        "[1, 2]",
        json.dumps({"Nmae": "typo"}),
        json.dumps({"Name": "x", "Cert": "@missing.pem"}),
        json.dumps({"Name": "ok"}),
    ]
    entries = list(read_manifest(_manifest(tmp_path, lines)))
    assert [e.params is None for e in entries] == [True, True, True, True, False]
    errors = [e.error or "" for e in entries]
    assert "not valid JSON" in errors[0]
    assert "JSON object" in errors[1]
    assert "Nmae" in errors[2]
    assert "missing.pem" in errors[3]
    assert all(e.startswith(f"line {i}") for i, e in enumerate(errors[:4], 1))


def test_manifest_line_over_the_cap_is_one_failed_entry(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"Name": "' + b"a" * (LINE_CAP + 10) + b'"}\n')
        handle.write(json.dumps({"Name": "after"}).encode() + b"\n")
    entries = list(read_manifest(path))
    assert entries[0].params is None and "longer than" in (entries[0].error or "")
    assert entries[1].params is not None and entries[1].params.name == "after"
    assert entries[1].source.endswith(":2")


def test_unreadable_manifest_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError):
        list(read_manifest(tmp_path / "absent.jsonl"))
