"""The fuzz harness's properties in make test: bounded hypothesis runs, and every input that ever crashed.

``tests/fuzz/harness.py`` states the properties (no exception escapes validate or a renderer, no rule.crashed,
no key material in any output, repr or message, output bounded by the input). ``make fuzz`` explores them with
coverage guidance; here hypothesis explores them for a bounded number of examples on every run, and every
fuzzer-found input kept in tests/regressions/ as ``*.fuzz`` is replayed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SM2, STD
from tests.fuzz.harness import TARGETS, PropertyViolation, check_report, join, one_input

REGRESSIONS = Path(__file__).parent / "regressions"
SEEDS = [p.read_bytes() for p in sorted(STD.glob("*.pem")) + sorted(STD.glob("*.key")) + sorted(SM2.glob("*.key"))]


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*.fuzz")), ids=lambda p: p.name)
def test_fuzzer_found_inputs_stay_fixed(path: Path) -> None:
    one_input(path.read_bytes())


def test_the_harness_can_fail() -> None:
    """The properties are real checks: a caught crash, a leaked key or a huge output each break one."""
    from certcheck import Finding, Report, Severity
    from tests.secret_forms import in_form

    def report(message: str, code: str = "x.y") -> Report:
        return Report((Finding(code, Severity.ERROR, None, message),), None, None, None)

    for bad, size in [
        (report("boom", "rule.crashed"), 10),
        (report(f"Name {in_form('ec-sec1', 'base64-one-line')}"), 10),
        (report("x" * 300_000), 10),
    ]:
        with pytest.raises(PropertyViolation):
            check_report(bad, size)
    check_report(report("fine"), 10)


@settings(max_examples=150, deadline=None)
@given(target=st.sampled_from(range(len(TARGETS))), body=st.binary(max_size=2048))
def test_arbitrary_bytes_keep_every_property(target: int, body: bytes) -> None:
    one_input(bytes([target]) + body)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    other=st.sampled_from(SEEDS),
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=6),
    cut=st.integers(0, 10_000),
    swap=st.booleans(),
)
def test_mutated_fixtures_keep_every_property(
    seed: bytes, other: bytes, edits: list[tuple[int, int]], cut: int, swap: bool
) -> None:
    data = bytearray(seed)
    for where, value in edits:
        data[where % len(data)] = value
    mutated = bytes(data[: max(cut, len(data) // 2)])
    fields = [other, mutated] if swap else [mutated, other]
    one_input(bytes([TARGETS.index("standard")]) + join(fields))
    one_input(bytes([TARGETS.index("sm")]) + join([mutated, other, other, mutated]))
