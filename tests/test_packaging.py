"""What a user installs: the sdist and wheel build, the wheel installs light into a fresh environment and works.

Slow (builds in an isolated environment and installs from PyPI, as a user's pip would), still part of make test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

import certcheck
from certcheck.codes import PROJECT_URL
from tests.conftest import ROOT, STD

DEV_TOOLS = ("pytest", "hypothesis", "ruff", "mypy", "gmssl", "pycryptodomex", "pyasn1", "jsonschema", "pre-commit")


def _metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return archive.read(name).decode()


@pytest.mark.slow
def test_sdist_and_wheel_build_and_the_wheel_works_in_a_fresh_environment(tmp_path: Path) -> None:
    source = tmp_path / "src"
    # build from a copy of what git tracks (plus this worktree's uncommitted files): no .venv, no caches
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "*.egg-info", "__pycache__", ".*_cache", "build", "dist"),
    )
    dist = tmp_path / "dist"
    # build the sdist, then the wheel from the sdist: a file missing from the sdist breaks the wheel
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(source)],
        check=True,
        timeout=600,
        capture_output=True,
    )
    version = certcheck.__version__
    sdist = dist / f"certcheck-{version}.tar.gz"
    wheel = dist / f"certcheck-{version}-py3-none-any.whl"
    assert sdist.is_file() and wheel.is_file(), sorted(p.name for p in dist.iterdir())
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
    for required in ("LICENSE", "README.md", "pyproject.toml", "certcheck/py.typed", "certcheck/__main__.py"):
        assert f"certcheck-{version}/{required}" in names, required

    metadata = _metadata(wheel)
    assert f"Version: {version}\n" in metadata
    assert "License-Expression: Apache-2.0\n" in metadata
    assert f"Project-URL: Homepage, {PROJECT_URL}\n" in metadata
    assert "Requires-Python: >=3.10" in metadata
    runtime = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    for tool in DEV_TOOLS:
        assert not any(tool in line.lower() for line in runtime), f"{tool} is a run-time dependency: {runtime}"

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, timeout=600, env=env)
    installed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format", "json"], check=True, capture_output=True, text=True, env=env
    )
    packages = {p["name"].lower() for p in json.loads(installed.stdout)}
    assert not packages & set(DEV_TOOLS), f"pip install certcheck pulled in {packages & set(DEV_TOOLS)}"

    exe = env_dir / "bin" / "certcheck"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0 and out.stdout == f"certcheck {version}\n"
    args = ["check", "--name", "demo_example_com", "--cert", str(STD / "rsa-fullchain.pem")]
    args += ["--key", str(STD / "rsa-leaf.key"), "--at", "2026-06-01T00:00:00Z", "--format", "sarif"]
    out = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["version"] == "2.1.0"
    out = subprocess.run(
        [str(python), "-m", "certcheck", "rules", "pair.key_mismatch"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout.startswith("pair.key_mismatch (error)")


def test_project_url_in_the_code_matches_the_metadata() -> None:
    import importlib.metadata

    urls = importlib.metadata.metadata("certcheck").get_all("Project-URL") or []
    assert f"Homepage, {PROJECT_URL}" in urls
    assert importlib.metadata.version("certcheck") == certcheck.__version__


def test_license_file_matches_the_metadata() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert 'license = "Apache-2.0"' in (ROOT / "pyproject.toml").read_text()


def test_changelog_has_this_version() -> None:
    assert f"## {certcheck.__version__}" in (ROOT / "CHANGELOG.md").read_text()
