"""Every fixture case against its golden file (fixtures/golden/, written by `make golden`; see tests/golden.py)."""

from __future__ import annotations

import pytest

from tests import golden

CASES = golden.cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_findings_match_the_golden_file(case: golden.Case) -> None:
    expected = golden.stored(case)
    assert expected is not None, f"no golden file for {case.name}: run `make golden` and review the new file"
    assert golden.run(case) == expected, f"{case.name} changed: if on purpose, run `make golden` and review the diff"


def test_no_stale_golden_files() -> None:
    assert golden.stale_files(CASES) == [], "golden files of cases that no longer exist: run `make golden`"


def test_the_cases_cover_every_fixture_kind() -> None:
    prefixes = {c.name.split("/")[0] for c in CASES}
    assert prefixes == {"requests", "std", "sm2", "broken"}
    assert len(CASES) >= 100
    assert len({c.name for c in CASES}) == len(CASES)


REQUESTS = {path: facts for path, facts in golden.manifest()["files"].items() if facts["kind"] == "request"}


@pytest.mark.parametrize("path", sorted(REQUESTS))
def test_manifest_problems_are_the_golden_problems(path: str) -> None:
    """The problems each request fixture was made to show (fixtures/make.py, by hand) are exactly the errors and
    warnings of its golden file, and its expected exit status is the golden one: `make golden` cannot quietly
    bless the loss of a problem."""
    facts = REQUESTS[path]
    # the manifest's verdict on the encrypted-key request is the one with its passphrase given
    case = next(c for c in CASES if c.name in (path, f"{path}+password") and c.password == ("encrypted" in path))
    expected = golden.stored(case)
    assert expected is not None
    problems = {golden.PROBLEM_CODES[p] for p in facts["problems"]}
    assert {code for code, severity, _ in expected["findings"] if severity != "info"} == problems
    assert expected["exit"] == facts["expect_exit_at_AT"]
    assert golden.run(case)["exit"] == facts["expect_exit_at_AT"]


def test_dumps_round_trips() -> None:
    import json

    result = golden.run(CASES[0])
    assert json.loads(golden.dumps(result)) == result
