"""Bad input never raises: mutated certificates and keys (inside valid PEM armor, and raw) through validate()."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import certcheck
from certcheck import UploadParams, pem
from tests.conftest import AT, BROKEN, CORPUS, SM2, STD

FILES = sorted(STD.glob("*")) + sorted(SM2.glob("*.pem")) + sorted(SM2.glob("*.key")) + sorted(CORPUS.glob("*/*"))
DATA = {path: path.read_bytes() for path in FILES if path.is_file()}
PATHS = sorted(DATA)


def _mutate(rng: random.Random, data: bytes) -> str | bytes:
    """Flip bytes inside the DER of one block (re-armored, so the damage reaches the ASN.1 parsers), or raw."""
    armor = pem.read("x", data)
    if armor.blocks and rng.random() < 0.8:
        block = rng.choice(armor.blocks)
        der = bytearray(block.der)
        for _ in range(rng.randint(1, 3)):
            der[rng.randrange(len(der))] = rng.randrange(256)
        return pem.encode(block.label, bytes(der))
    raw = bytearray(data)
    for _ in range(rng.randint(1, 5)):
        raw[rng.randrange(len(raw))] = rng.randrange(256)
    return bytes(raw)


@pytest.mark.parametrize("seed", range(10))
def test_mutated_material_becomes_findings_never_crashes(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        damaged = _mutate(rng, DATA[rng.choice(PATHS)])
        other = DATA[rng.choice(PATHS)]
        if rng.random() < 0.5:
            params = UploadParams(name="x", cert=damaged, key=other, key_password=b"correct horse")
            if rng.random() < 0.5:
                params = UploadParams(name="x", cert=other, key=damaged, key_password=b"correct horse")
        else:
            params = UploadParams(
                name="x",
                sign_cert=damaged,
                sign_private_key=other,
                key_password=b"1234",
                encrypt_cert=DATA[rng.choice(PATHS)],
                encrypt_private_key=damaged,
            )
        report = certcheck.validate(params, at=AT)
        report.as_dict()
        crashed = [f.message for f in report.findings if f.code == "rule.crashed"]
        assert not crashed, crashed


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*")), ids=lambda p: p.name)
def test_every_broken_fixture_in_every_field(path: object) -> None:
    data = path.read_bytes()  # type: ignore[attr-defined]
    for params in (
        UploadParams(name="x", cert=data, key=data),
        UploadParams(name="x", sign_cert=data, sign_private_key=data, encrypt_cert=data, encrypt_private_key=data),
    ):
        report = certcheck.validate(params, at=AT)
        assert "rule.crashed" not in [f.code for f in report.findings]
        assert all(f.message for f in report.findings)


REGRESSIONS = Path(__file__).parent / "regressions"


@pytest.mark.parametrize("path", sorted(REGRESSIONS.glob("*")), ids=lambda p: p.name)
def test_inputs_that_once_crashed(path: Path) -> None:
    """Inputs fuzzing found to crash certcheck (kept verbatim; see each file's name for what it hit)."""
    data = path.read_bytes()
    for params in (
        UploadParams(name="x", cert=data, key=data, key_password=b"pw"),
        UploadParams(name="x", sign_cert=data, sign_private_key=data, encrypt_cert=data, encrypt_private_key=data),
    ):
        report = certcheck.validate(params, at=AT)
        assert "rule.crashed" not in [f.code for f in report.findings]
