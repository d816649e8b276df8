"""The rule engine's promises: declared codes only, a crash becomes a finding, the catalogue is complete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import certcheck
from certcheck import UploadParams
from certcheck.codes import catalogue
from certcheck.documents import parse
from certcheck.model import Finding
from certcheck.profiles import DEFAULT_PROFILE
from certcheck.rules import RULES, Context, Rule, run_rules
from certcheck.rules import engine as engine_module
from tests.conftest import AT, FIXTURES, STD, rsa_ok, std


def _all_fixture_requests() -> Iterator[UploadParams]:
    certs = sorted((STD).glob("*.pem")) + sorted((FIXTURES / "broken").glob("*"))
    keys = sorted(STD.glob("*.key"))
    for i, cert in enumerate(certs):
        key = keys[i % len(keys)]
        yield UploadParams(name=cert.name[:60], cert=cert.read_bytes(), key=key.read_bytes())
    for sm in sorted((FIXTURES / "sm2").glob("*.pem")):
        yield UploadParams(
            name="sm",
            sign_cert=sm.read_text(),
            sign_private_key=std("rsa-leaf.key"),
            encrypt_cert=sm.read_text(),
            encrypt_private_key=sm.read_text(),
        )


def test_rules_raise_only_codes_they_declare() -> None:
    declared_by_rule = {rule.name: {c.code for c in rule.codes} for rule in RULES}
    for params in _all_fixture_requests():
        report = certcheck.validate(params, at=AT)
        assert "rule.crashed" not in [f.code for f in report.findings], params
        ctx = Context(parse(params), DEFAULT_PROFILE, AT, timedelta(days=30))
        for rule in RULES:
            for finding in rule.check(ctx):
                assert finding.code in declared_by_rule[rule.name], (rule.name, finding.code)


def test_every_code_is_declared_once_and_documented() -> None:
    codes = catalogue()
    assert len(codes) > 50
    docs = (Path(__file__).parent.parent / "docs" / "codes.md").read_text()
    for code in codes:
        assert f"`{code}`" in docs
        assert code == code.lower() and "." in code


def test_a_crashing_rule_becomes_a_finding_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(ctx: Context) -> Iterator[Finding]:
        raise ZeroDivisionError("secret 0xdeadbeef")
        yield  # pragma: no cover

    broken = Rule("test.explode", "explodes", (), explode)
    monkeypatch.setattr(engine_module, "RULES", [*RULES, broken])
    report = rsa_ok()
    crashed = [f for f in report.findings if f.code == "rule.crashed"]
    assert len(crashed) == 1
    assert "test.explode" in crashed[0].message and "ZeroDivisionError" in crashed[0].message
    assert "deadbeef" not in crashed[0].message  # exception text may hold key material: never shown
    assert not report.ok


def test_run_rules_uses_the_given_rules_only() -> None:
    ctx = Context(parse(UploadParams()), DEFAULT_PROFILE, AT, timedelta(days=30))
    assert run_rules(ctx, []) == []
    assert [f.code for f in run_rules(ctx)] == ["fields.empty", "name.missing"]


def test_validate_many_is_lazy_and_ordered() -> None:
    requests = [UploadParams(name=f"n{i}", cert=std("rsa-fullchain.pem"), key=std("rsa-leaf.key")) for i in range(3)]
    reports = list(certcheck.validate_many(iter(requests), at=AT))
    assert [r.request.get("Name") for r in reports if r.request] == ["n0", "n1", "n2"]


def test_params_repr_redacts_keys_and_password() -> None:
    params = UploadParams(name="x", cert=std("rsa-leaf.pem"), key=std("rsa-leaf.key"), key_password=b"hunter2")
    text = repr(params)
    assert "redacted" in text and "hunter2" not in text and "PRIVATE" not in text
    report = certcheck.validate(params, at=AT)
    assert report.request is not None
    assert "PRIVATE" not in repr(report.request) and "PRIVATE" not in str(report)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": 5},
        {"cert": 3},
        {"resource_group_id": b"rg-x"},
        {"tags": [{"Key": "a", "Value": "b"}]},
        {"tags": "env"},
        {"key_password": "text"},
    ],
)
def test_wrong_types_are_refused_at_construction(kwargs: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(TypeError):
        UploadParams(**kwargs)


@pytest.mark.parametrize("days", [-1, float("nan"), float("inf"), 1e10])
def test_validate_refuses_a_meaningless_window(days: float) -> None:
    with pytest.raises(ValueError):
        certcheck.validate(UploadParams(name="x"), expiry_warning_days=days)


def test_blank_name_is_missing() -> None:
    report = rsa_ok(name="   ")
    assert "name.missing" in [f.code for f in report.findings] and not report.ok
