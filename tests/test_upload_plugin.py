"""A third-party adapter, registered by an entry point of ANOTHER distribution (tests/adapter_plugin, installed
into the test environment by `make test`), is found by name and used like the built-ins."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest

from certcheck.cli import main
from certcheck.upload import available_adapters, load_adapter, upload_many
from tests.upload_support import assert_no_secret, make_requests, write_manifest

NAME = "example-file"


def test_the_plugin_distribution_is_installed() -> None:
    # If this fails, the test environment was not made by `make test` (which installs tests/adapter_plugin).
    dist = importlib.metadata.distribution("certcheck-example-adapter")
    assert any(ep.group == "certcheck.adapters" and ep.name == NAME for ep in dist.entry_points)


def test_found_by_name_with_its_distribution() -> None:
    info = available_adapters()[NAME]
    assert info.target == "certcheck_example_adapter:FileAdapter"
    assert info.distribution == "certcheck-example-adapter"


def test_used_through_the_library(tmp_path: Path) -> None:
    out = tmp_path / "uploads.jsonl"
    adapter = load_adapter(NAME, endpoint=str(out))
    requests = make_requests(3, "plugin")
    outcomes = list(upload_many([*requests, requests[0]], adapter, rate=0))
    assert sorted(o.outcome for o in outcomes) == ["skipped", "uploaded", "uploaded", "uploaded"]
    filed = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(f["Name"] for f in filed) == sorted(p.name for p in requests)
    assert_no_secret(out.read_bytes(), *outcomes)


def test_used_through_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "uploads.jsonl"
    good = make_requests(2, "plugin_cli")
    refused = make_requests(1, "refuse_me")
    manifest = write_manifest(tmp_path / "m.jsonl", [*good, *refused])
    status = main(["adapters"])
    listing = capsys.readouterr().out
    assert status == 0 and NAME in listing and "certcheck-example-adapter" in listing
    status = main(["upload", "--adapter", NAME, "--endpoint", str(out), "--manifest", str(manifest)])
    text = capsys.readouterr().out
    assert status == 1  # one refused
    assert text.count("uploaded  plugin_cli_") == 2
    assert "failed    refuse_me_" in text and "Refused: names starting with 'refuse' are refused" in text
    assert len(out.read_text().splitlines()) == 2
    # a journal written through another adapter is refused (its 'done' rows would skip real uploads)
    status = main(["upload", "--adapter", "dry-run", "--manifest", str(manifest), "--journal", str(tmp_path / "j")])
    capsys.readouterr()
    assert status == 0  # the dry run refuses nothing
    status = main(
        [
            "upload",
            "--adapter",
            NAME,
            "--endpoint",
            str(out),
            "--manifest",
            str(manifest),
            "--journal",
            str(tmp_path / "j"),
        ]
    )
    err = capsys.readouterr().err
    assert status == 2 and "records uploads through the 'dry-run' adapter" in err
