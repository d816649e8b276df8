"""The pre-commit hook (.pre-commit-hooks.yaml), run the way users run it: `pre-commit try-repo` on a scratch git
repository. Slow: pre-commit builds the hook's environment (pip install of this checkout and its dependencies)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, STD

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    repo = tmp_path_factory.mktemp("scratch")
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "test@example.com")
    _git(repo, "config", "user.name", "test")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_", "VIRTUAL_ENV"))}
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    env["NO_COLOR"] = "1"
    return repo, env


def _try_repo(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(ROOT), "certcheck", "--verbose", "--files", *files],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.slow
def test_hook_passes_a_good_pair_and_fails_a_mismatched_one(scratch: tuple[Path, dict[str, str]]) -> None:
    repo, env = scratch
    good, bad = repo / "good", repo / "bad"
    good.mkdir()
    bad.mkdir()
    shutil.copy(STD / "rsa-fullchain.pem", good / "site.pem")
    shutil.copy(STD / "rsa-leaf.key", good / "site.key")
    shutil.copy(STD / "rsa-fullchain.pem", bad / "site.pem")
    shutil.copy(STD / "rsa-other.key", bad / "site.key")
    (repo / "README.md").write_text("not a certificate\n")
    _git(repo, "add", ".")

    result = _try_repo(repo, env, "good/site.pem", "good/site.key", "README.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout

    result = _try_repo(repo, env, "bad/site.pem", "bad/site.key")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout and "pair.key_mismatch" in result.stdout
    key_body = (STD / "rsa-other.key").read_text().splitlines()[1]
    assert key_body not in result.stdout + result.stderr


@pytest.mark.slow
def test_hook_skips_commits_without_certificates(scratch: tuple[Path, dict[str, str]]) -> None:
    repo, env = scratch
    (repo / "notes.txt").write_text("hello\n")
    _git(repo, "add", "notes.txt")
    result = _try_repo(repo, env, "notes.txt")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(no files to check)Skipped" in result.stdout.replace(".", "")
