"""--select / --ignore / --min-severity / --fail-on, the config file, and the command line's conventions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import certcheck
from certcheck import Finding, Report, Severity
from certcheck.cli import main
from certcheck.codes import catalogue
from certcheck.config import EXAMPLE, ConfigError, find_config, load_config
from certcheck.selection import Selection, SelectionError, matches
from tests.conftest import ROOT, STD

AT = ["--at", "2026-06-01T00:00:00Z"]
# The golden request: pair.key_mismatch (error), name.characters (warning), pem.repaired and chain.leaf_only (info)
INPUT = ["--request", str(ROOT / "tests" / "golden" / "input.json")]


@pytest.fixture(autouse=True)
def _in_empty_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in a fresh directory, so no config file from the checkout (or above it) applies."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def check(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str], str]:
    code = main(["check", *INPUT, *AT, "--format", "json", *args])
    out, err = capsys.readouterr()
    codes = [f["code"] for f in json.loads(out)["findings"]] if out else []
    return code, codes, err


# --- selection (library) ----------------------------------------------------------------------------------------


def test_patterns_match_codes_and_dotted_prefixes_only() -> None:
    assert matches("chain.", "chain.out_of_order") and matches("chain", "chain.out_of_order")
    assert matches("pair.key_mismatch", "pair.key_mismatch")
    assert not matches("pair.key", "pair.key_mismatch"), "a prefix ends at a dot"
    assert not matches("chain.", "chainsaw.x")


def test_the_more_specific_pattern_wins() -> None:
    known = catalogue()
    selection = Selection.build(["chain.bad_signature"], ["chain."], known=known)
    assert selection.wants("chain.bad_signature") and not selection.wants("chain.out_of_order")
    assert not selection.wants("pair.key_mismatch"), "select restricts to what it names"
    selection = Selection.build(["chain."], ["chain.leaf_only"], known=known)
    assert selection.wants("chain.out_of_order") and not selection.wants("chain.leaf_only")
    assert Selection.build([], ["chain.", "chain."], known=known).wants("pair.key_mismatch")
    tie = Selection.build(["chain."], ["chain."], known=known)
    assert not tie.wants("chain.out_of_order"), "on a tie, ignore wins"


@pytest.mark.parametrize("pattern", ["pair.key_mismatc", "chian.", "nope", "", "pair.key"])
def test_unknown_patterns_are_errors_with_a_hint(pattern: str) -> None:
    with pytest.raises(SelectionError, match="matches no finding code"):
        Selection.build([], [pattern])
    with pytest.raises(SelectionError):
        Selection.build([pattern], [])


def test_apply_and_shown_are_independent() -> None:
    findings = (
        Finding("pair.key_mismatch", Severity.ERROR, "Key", "x"),
        Finding("chain.out_of_order", Severity.WARNING, "Cert", "y"),
        Finding("chain.leaf_only", Severity.INFO, "Cert", "z"),
    )
    report = Report(findings, "standard", "RSA", None)
    selection = Selection.build([], ["pair."], "warning")
    kept = selection.apply(report)
    assert [f.code for f in kept.findings] == ["chain.out_of_order", "chain.leaf_only"]
    assert kept.ok and kept.fails(Severity.WARNING)
    assert [f.code for f in selection.shown(report).findings] == ["chain.out_of_order"]
    assert Selection().apply(report) is report and Selection().shown(report) is report


# --- selection (command line) -----------------------------------------------------------------------------------


def test_ignore_changes_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, codes, _ = check([], capsys)
    assert code == 1 and "pair.key_mismatch" in codes
    code, codes, _ = check(["--ignore", "pair.key_mismatch"], capsys)
    assert code == 0 and "pair.key_mismatch" not in codes and "name.characters" in codes
    code, codes, _ = check(["--ignore", "pair.", "--fail-on", "warning"], capsys)
    assert code == 1
    code, codes, _ = check(["--ignore", "pair.", "--ignore", "name.", "--fail-on", "warning"], capsys)
    assert code == 0 and sorted(codes) == ["chain.leaf_only", "pem.repaired"]


def test_select_keeps_only_what_it_names(capsys: pytest.CaptureFixture[str]) -> None:
    code, codes, _ = check(["--select", "chain.", "--select", "pem.repaired"], capsys)
    assert code == 0 and sorted(codes) == ["chain.leaf_only", "pem.repaired"]


def test_min_severity_hides_without_changing_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    code, codes, _ = check(["--min-severity", "error"], capsys)
    assert code == 1 and codes == ["pair.key_mismatch"]
    code, codes, _ = check(["--min-severity", "error", "--ignore", "pair.", "--fail-on", "warning"], capsys)
    assert code == 1 and codes == [], "the hidden warning still fails the run"
    code, codes, _ = check(["--min-severity", "warning", "--fail-on", "never"], capsys)
    assert code == 0 and sorted(codes) == ["name.characters", "pair.key_mismatch"]


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_code_on_the_command_line_exits_2_with_checks_usage(
    flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", *INPUT, *AT, flag, "pair.key_mismatc"])
    out, err = capsys.readouterr()
    assert code == 2 and not out
    assert err.startswith("usage: certcheck check ")
    assert "did you mean pair.key_mismatch?" in err and "Traceback" not in err


# --- config -----------------------------------------------------------------------------------------------------


def test_example_config_is_valid_and_every_key_is_documented(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "--example"]) == 0
    out, _ = capsys.readouterr()
    assert out == EXAMPLE
    path = tmp_path / "certcheck.toml"
    path.write_text(out)
    assert load_config(path).values["ignore"] == ("chain.leaf_only",)
    from certcheck.config import KEYS

    for key in KEYS:
        assert f"{key} = " in EXAMPLE, f"{key} is not in the example"


def test_discovery_walks_up_and_prefers_certcheck_toml(_in_empty_dir: Path) -> None:
    work = _in_empty_dir
    deep = work / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    (work / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert find_config(deep) is None, "a pyproject.toml without [tool.certcheck] is passed over"
    (work / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.certcheck]\nfail-on = "warning"\n')
    assert find_config(deep) == (work / "pyproject.toml").resolve()
    assert load_config(work / "pyproject.toml").values == {"fail-on": "warning"}
    (work / "a" / "certcheck.toml").write_text('ignore = ["chain."]\n')
    assert find_config(deep) == (work / "a" / "certcheck.toml").resolve(), "the nearest file wins"
    (deep / "pyproject.toml").write_text("[tool.black]\n")
    assert find_config(deep) == (work / "a" / "certcheck.toml").resolve()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('selec = ["pair."]\n', "unknown key 'selec'"),
        ('fail-on = "sometimes"\n', "fail-on must be one of"),
        ('ignore = "chain."\n', "ignore must be a list"),
        ("expiry-warning-days = -1\n", "expiry-warning-days must be between"),
        ('expiry-warning-days = "30"\n', "expiry-warning-days must be a number"),
        ("ignore = [\n", "invalid TOML"),
        ('format = "yaml"\n', "format must be one of"),
        ("ignore = []\n[tool.other]\nx = 1\n", "unknown key 'tool'"),
    ],
)
def test_bad_config_files_are_errors_naming_the_key(
    content: str, message: str, _in_empty_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _in_empty_dir / "certcheck.toml"
    path.write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_config(path)
    code = main(["check", *INPUT, *AT])
    _, err = capsys.readouterr()
    assert code == 2 and message in err and str(path) in err and "Traceback" not in err


def test_unknown_code_in_the_config_names_the_file(_in_empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (_in_empty_dir / "certcheck.toml").write_text('ignore = ["pair.key_mismatc"]\n')
    code = main(["check", *INPUT, *AT])
    _, err = capsys.readouterr()
    assert code == 2 and "ignore in " in err and "certcheck.toml" in err and "pair.key_mismatch?" in err


def test_config_applies_and_flags_win(_in_empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (_in_empty_dir / "pyproject.toml").write_text(
        '[tool.certcheck]\nignore = ["pair."]\nfail-on = "warning"\nformat = "jsonl"\n'
    )
    code = main(["check", *INPUT, *AT])
    out, _ = capsys.readouterr()
    assert code == 1, "fail-on = warning from the file: name.characters fails the run"
    assert out.count("\n") == 1 and "pair.key_mismatch" not in out, "format and ignore from the file"
    code = main(["check", *INPUT, *AT, "--fail-on", "error", "--format", "text"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.startswith("OK"), "flags win over the file"
    code = main(["check", *INPUT, *AT, "--ignore", "name.", "--fail-on", "error"])
    out, _ = capsys.readouterr()
    assert code == 1 and "pair.key_mismatch" in out, "--ignore replaces the file's list"
    assert main(["check", *INPUT, *AT, "--no-config", "--format", "json"]) == 1
    capsys.readouterr()


def test_config_profile_and_expiry_window(_in_empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = "n" * 100  # too long on 2025-11 (64), fine on 2024-07 (128)
    args = ["check", "--name", long_name, "--cert", str(STD / "rsa-fullchain.pem"), "--key", str(STD / "rsa-leaf.key")]
    assert main([*args, *AT]) == 1
    (_in_empty_dir / "certcheck.toml").write_text('profile = "2024-07"\n')
    assert main([*args, *AT]) == 0
    assert main([*args, *AT, "--profile", "2025-11"]) == 1
    capsys.readouterr()


def test_explicit_config_file(tmp_path: Path, _in_empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (_in_empty_dir / "certcheck.toml").write_text('fail-on = "never"\n')
    other = tmp_path / "strict.toml"
    other.write_text('[tool.certcheck]\nfail-on = "warning"\nignore = ["pair."]\n')
    assert main(["check", *INPUT, *AT]) == 0
    assert main(["check", *INPUT, *AT, "--config", str(other)]) == 1
    assert main(["check", *INPUT, *AT, "--config", str(tmp_path / "missing.toml")]) == 2
    assert main(["check", *INPUT, *AT, "--config", str(other), "--no-config"]) == 2
    capsys.readouterr()


def test_config_command_shows_the_file_in_effect(_in_empty_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 0
    assert "no config file" in capsys.readouterr()[0]
    (_in_empty_dir / "certcheck.toml").write_text('ignore = ["chain.leaf_only"]\n')
    assert main(["config"]) == 0
    out = capsys.readouterr()[0]
    assert "certcheck.toml" in out and "chain.leaf_only" in out
    (_in_empty_dir / "certcheck.toml").write_text('ignore = ["chain.leaf_onl"]\n')
    assert main(["config"]) == 2


# --- rules CODE -------------------------------------------------------------------------------------------------


def test_rules_explains_one_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "pair.key_mismatch"]) == 0
    out = capsys.readouterr()[0]
    assert out.startswith("pair.key_mismatch (error)")
    declared = catalogue()["pair.key_mismatch"]
    for text in (declared.summary, declared.citation, "docs/codes.md#pair.key_mismatch"):
        assert text in out
    assert main(["rules", "pair.key_mismatch", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr()[0])
    assert data["code"] == "pair.key_mismatch" and data["severity"] == "error"
    assert main(["rules", "chain.", "--format", "json"]) == 0
    assert {d["code"] for d in json.loads(capsys.readouterr()[0])} == {c for c in catalogue() if c.startswith("chain.")}


def test_rules_unknown_code_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "pair.key_mismatc"]) == 2
    err = capsys.readouterr()[1]
    assert err.startswith("usage: certcheck rules") and "pair.key_mismatch?" in err


def test_every_code_has_an_anchor_in_docs() -> None:
    docs = (ROOT / "docs" / "codes.md").read_text()
    for code in catalogue():
        assert f'<a id="{code}"></a>' in docs and f"](#{code})" in docs


# --- conventions ------------------------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr()[0] == f"certcheck {certcheck.__version__}\n"


def test_python_dash_m_certcheck() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "certcheck", "check", *INPUT, *AT, "--format", "json", "--no-config"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["findings"]
    version = subprocess.run([sys.executable, "-m", "certcheck", "--version"], capture_output=True, text=True)
    assert version.stdout.strip() == f"certcheck {certcheck.__version__}"


def test_help_shows_choices_examples_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    out = capsys.readouterr()[0]
    for text in (
        "{text,json,jsonl,sarif,junit,github}",
        "{error,warning,never}",
        "{error,warning,info}",
        "{auto,always,never}",
        "{2025-11,2024-07}",
        "examples:",
        "exit status:",
        "  2  the command could not run",
    ):
        assert text in out, text
    assert main(["--help"]) == 0
    out = capsys.readouterr()[0]
    assert "exit status:" in out and "certcheck rules pair.key_mismatch" in out


def test_bad_flag_value_prints_checks_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "yaml"]) == 2
    err = capsys.readouterr()[1]
    assert err.startswith("usage: certcheck check") and "invalid choice: 'yaml'" in err
    assert main(["check", *INPUT, "--at", "yesterday"]) == 2
    err = capsys.readouterr()[1]
    assert err.startswith("usage: certcheck check") and "certcheck check: error: --at" in err


@pytest.mark.parametrize(
    ("flag", "env", "coloured"),
    [
        ("auto", {}, False),
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        ("auto", {"FORCE_COLOR": ""}, False),
        ("always", {"NO_COLOR": "1"}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
    ],
)
def test_color_flag_and_environment(
    flag: str, env: dict[str, str], coloured: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    main(["check", *INPUT, *AT, "--color", flag])
    out = capsys.readouterr()[0]
    assert ("\x1b[" in out) is coloured
    main(["check", *INPUT, *AT, "--color", flag, "--format", "json"])
    assert "\x1b[" not in capsys.readouterr()[0], "colour is for text only"


def test_console_script_help_needs_no_heavy_imports() -> None:
    code = "import sys; from certcheck.cli import build_parser; build_parser(); " + (
        "print(sorted(m for m in ('jsonschema', 'xml.sax', 'tomllib', 'certcheck.render.sarif') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=os.environ)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_every_code_explains_its_trigger_fix_and_example() -> None:
    """`certcheck rules CODE`, docs/codes.md and SARIF's help need them: declare(..., trigger=, fix=, example=)."""
    lacking = [c.code for c in catalogue().values() if not (c.trigger and c.fix and c.example)]
    assert not lacking, f"add trigger=, fix= and example= to the declarations of {lacking}"
    out = []
    for code in catalogue().values():
        assert code.example.strip() and "\n" not in code.example
        out.append(code.code)
    assert out
