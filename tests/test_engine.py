"""The rule engine's promises: declared codes only, a crash becomes a finding, the catalogue is complete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import certcheck
import certcheck.rules as rules_package
from certcheck import UploadParams
from certcheck.codes import catalogue
from certcheck.documents import parse
from certcheck.model import Finding
from certcheck.profiles import DEFAULT_PROFILE
from certcheck.rules import RULES, Context, Rule, run_rules
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
    monkeypatch.setattr(rules_package, "RULES", (*RULES, broken))
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


def test_given_rules_are_chosen_for_the_requests_kind_and_see_its_context() -> None:
    from certcheck.documents import Kind

    def kind_of(ctx: Context) -> Iterator[Finding]:
        yield Finding("test.kind", certcheck.Severity.INFO, None, str(ctx.docs.kind))

    standard_only = Rule("test.standard", "standard", (), kind_of, frozenset({Kind.STANDARD}))
    sm_only = Rule("test.sm", "sm", (), kind_of, frozenset({Kind.SM}))
    standard = UploadParams(name="n", cert=std("rsa-fullchain.pem"), key=std("rsa-leaf.key"))
    ctx = Context(parse(standard), DEFAULT_PROFILE, AT, timedelta(days=30))
    assert [f.message for f in run_rules(ctx, [sm_only, standard_only])] == ["standard"]
    empty = Context(parse(UploadParams()), DEFAULT_PROFILE, AT, timedelta(days=30))  # no kind at all
    assert run_rules(empty, [sm_only, standard_only]) == []


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


# --- one engine for every code -----------------------------------------------------------------------------


def _reported_codes() -> set[str]:
    return {c.code for rule in RULES for c in rule.codes}


def test_every_parse_problem_is_reported_by_a_declared_rule() -> None:
    """Parse-level codes (pem.*, cert.*, key.*) go through the same declarations as every other code."""
    declared = _reported_codes()
    seen: set[str] = set()
    for params in _all_fixture_requests():
        docs = parse(params)
        findings = certcheck.validate(params, at=AT).findings
        for problem in docs.problems:
            assert problem.code in declared, problem.code
            assert (problem.code, problem.field, problem.message) in [(f.code, f.field, f.message) for f in findings]
            seen.add(problem.code.split(".")[0])
    assert {"pem", "key"} <= seen


def test_a_rules_home_is_named_by_its_codes() -> None:
    """A newcomer finds ``chain.out_of_order`` in certcheck/rules/chain.py (rule.crashed: the engine's own)."""
    for code in catalogue().values():
        if code.code != "rule.crashed":
            assert code.module == f"certcheck.rules.{code.code.split('.')[0]}", (code.code, code.module)


def test_rules_do_not_import_each_other() -> None:
    rules_dir = Path(certcheck.rules.__file__).parent
    for module in rules_dir.glob("*.py"):
        if module.name in ("__init__.py", "engine.py"):
            continue
        text = module.read_text()
        imports = [
            line for line in text.splitlines() if line.startswith(("from certcheck.rules", "import certcheck.rules"))
        ]
        assert all(line.startswith("from certcheck.rules.engine import") for line in imports), (module.name, imports)


def test_rule_order_is_declared_and_each_rule_listed_once() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert names[:3] == ["pem.armor", "cert.readable", "key.readable"]


def test_sm_rules_are_not_run_on_a_standard_request(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[str] = []

    def spy(rule: Rule) -> Rule:
        def check(ctx: Context) -> list[Finding]:
            ran.append(rule.name)
            return list(rule.check(ctx))

        return Rule(rule.name, rule.summary, rule.codes, check, rule.kinds)

    monkeypatch.setattr(rules_package, "RULES", tuple(spy(r) for r in RULES))
    assert rsa_ok().ok
    # only the one SM rule about standard requests (SM fields next to Cert and Key) runs
    assert [name for name in ran if name.startswith("sm.")] == ["sm.ignored"]
    assert "chain.order_and_signatures" in ran
    ran.clear()
    certcheck.validate(UploadParams(**_sm_fields()), at=AT)
    assert {"sm.shape", "sm.roles", "sm.issuers_and_subjects"} <= set(ran)
    assert "fields.sm2_in_standard_fields" not in ran and "sm.ignored" not in ran


def test_documents_are_frozen() -> None:
    from certcheck._record import FrozenError

    docs = parse(UploadParams(name="x", cert=std("rsa-fullchain.pem"), key=std("rsa-leaf.key")))
    with pytest.raises(FrozenError):
        docs.kind = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        docs.keys["Key"] = docs.keys["Key"]  # type: ignore[index]
    with pytest.raises(FrozenError):
        docs.chains["Cert"].leaf.x509 = None  # type: ignore[misc]
    assert docs.matches == {"Key": True} and not docs.swapped


# --- a failure while reading one field stays in that field -----------------------------------------------


def _sm_fields() -> dict[str, str]:
    sm2 = FIXTURES / "sm2"
    return {
        "name": "sm",
        "sign_cert": (sm2 / "sm2-sign-fullchain.pem").read_text(),
        "sign_private_key": (sm2 / "sm2-sign.key").read_text(),
        "encrypt_cert": (sm2 / "sm2-enc-fullchain.pem").read_text(),
        "encrypt_private_key": (sm2 / "sm2-enc.key").read_text(),
    }


@pytest.mark.parametrize(
    "key_text",
    [
        # once an IndexError in the SEC1 handling that collapsed the whole report into one rule.crashed
        "-----BEGIN SM2 PRIVATE KEY-----\nMAMCAQE=\n-----END SM2 PRIVATE KEY-----\n",
        "-----BEGIN SM2 PARAMETERS-----\nBggqgRzPVQGCLQ==\n-----END SM2 PARAMETERS-----\n"
        "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n",
    ],
)
def test_an_almost_empty_sm2_key_is_that_fields_finding(key_text: str) -> None:
    report = certcheck.validate(UploadParams(**{**_sm_fields(), "encrypt_private_key": key_text}), at=AT)
    assert report.kind == "sm" and report.algorithm == "SM2"
    found = [(f.code, f.field) for f in report.findings]
    assert ("key.unreadable", "EncryptPrivateKey") in found
    assert "rule.crashed" not in [code for code, _ in found]
    # the rest of the request was still checked: the signing chain's SM2 signatures were verified
    assert ("chain.sm2_user_id", "SignCert") in found


def test_a_crash_reading_one_field_is_that_fields_finding(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from certcheck.documents import keys as keys_module

    real = keys_module.load_private_key
    secret = "secret 0x" + "dead" + "beef"  # spelled apart, so the logged source line does not show it

    def explode(block, field_name, *args):  # type: ignore[no-untyped-def]
        if field_name == "EncryptPrivateKey":
            raise IndexError(secret)
        return real(block, field_name, *args)

    monkeypatch.setattr("certcheck.documents.load_private_key", explode)
    with caplog.at_level(logging.DEBUG, logger="certcheck"):
        report = certcheck.validate(UploadParams(**_sm_fields()), at=AT)
    crashed = [f for f in report.findings if f.code == "rule.crashed"]
    assert [(f.field, "IndexError" in f.message) for f in crashed] == [("EncryptPrivateKey", True)]
    assert report.kind == "sm" and report.algorithm == "SM2"
    assert ("chain.sm2_user_id", "SignCert") in [(f.code, f.field) for f in report.findings]
    assert "deadbeef" not in " ".join(f.message for f in report.findings)
    logged = caplog.text
    assert "IndexError" in logged and "explode" in logged  # where it happened, for --debug
    assert "deadbeef" not in logged  # the message is withheld: it could quote key material
