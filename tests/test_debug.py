"""`--debug`: where a crash inside certcheck happened goes to stderr, never into findings, never with key material."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

import certcheck.rules as rules_package
from certcheck.cli import main
from certcheck.model import Finding
from certcheck.rules import RULES, Context, Rule
from tests.conftest import STD, std

KEY = std("rsa-leaf.key")
ARGS = [
    "check",
    "--name=demo",
    f"--cert={STD / 'rsa-fullchain.pem'}",
    f"--key={STD / 'rsa-leaf.key'}",
    "--at=2026-06-01",
]


@pytest.fixture(autouse=True)
def _clean_logger() -> Iterator[None]:
    log = logging.getLogger("certcheck")
    handlers, level = list(log.handlers), log.level
    yield
    log.handlers[:] = handlers
    log.setLevel(level)


@pytest.fixture
def crashing_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(ctx: Context) -> Iterator[Finding]:
        raise ValueError(KEY)  # an exception whose message quotes a private key
        yield  # pragma: no cover

    monkeypatch.setattr(rules_package, "RULES", (*RULES, Rule("test.explode", "explodes", (), explode)))


def _key_lines() -> list[str]:
    return [line for line in KEY.splitlines() if "-----" not in line]


@pytest.mark.usefixtures("crashing_rule")
def test_debug_logs_where_a_rule_crashed_on_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--format=json", "--debug"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    crashed = [f for f in report["findings"] if f["code"] == "rule.crashed"]
    assert len(crashed) == 1 and "test.explode" in crashed[0]["message"]
    assert "Traceback" not in out and "File " not in out  # the findings say what, not where
    assert "certcheck debug: rule test.explode crashed with ValueError" in err
    assert "in explode" in err and "test_debug.py" in err  # the frames: where it happened
    for line in _key_lines():
        assert line not in err and line not in out


@pytest.mark.usefixtures("crashing_rule")
def test_without_debug_nothing_is_logged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--format=json"]) == 1
    out, err = capsys.readouterr()
    assert "rule.crashed" in out
    assert err == ""


def test_debug_on_a_clean_request_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--format=json"]) == 0
    plain, _ = capsys.readouterr()
    assert main([*ARGS, "--format=json", "--debug"]) == 0
    debugged, err = capsys.readouterr()
    assert json.loads(plain) == json.loads(debugged)
    assert err == ""
