"""Throughput of certcheck.validate on a standard RSA request, against its cryptographic floor.

The floor (DESIGN.md, ~114 us): parse leaf and intermediate with cryptography, load the key without RSA
validation, compare the public numbers, verify the leaf's signature with the intermediate. Everything else
certcheck does (PEM repair, every rule, the canonical request, the ClientToken) is overhead over that floor,
and this benchmark keeps it bounded: target ``validate`` <= 6x the floor, both measured in this run.

Run: ``.venv/bin/python benchmarks/bench_standard.py`` (exit 1 if the target is missed).
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

import certcheck
from certcheck import Tag, UploadParams

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "std"
TARGET_RATIO = 6.0
AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _time(fn: Callable[[], object], repeat: int, number: int) -> float:
    """Best-of-``repeat`` mean seconds per call; the minimum is the least noisy estimate on shared machines."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return min(samples)


def run(repeat: int = 7, number: int = 200) -> dict[str, float]:
    chain_pem = (FIXTURES / "rsa-fullchain.pem").read_bytes()
    key_pem = (FIXTURES / "rsa-leaf.key").read_bytes()
    leaf_pem, inter_pem = [
        b"-----BEGIN CERTIFICATE-----" + part for part in chain_pem.split(b"-----BEGIN CERTIFICATE-----")[1:]
    ]

    def floor() -> None:
        leaf = x509.load_pem_x509_certificate(leaf_pem)
        inter = x509.load_pem_x509_certificate(inter_pem)
        key = serialization.load_pem_private_key(key_pem, None, unsafe_skip_rsa_key_validation=True)
        assert isinstance(key, rsa.RSAPrivateKey)
        assert key.public_key().public_numbers() == leaf.public_key().public_numbers()  # type: ignore[union-attr]
        leaf.verify_directly_issued_by(inter)

    params = UploadParams(
        name="demo_example_com", cert=chain_pem.decode(), key=key_pem.decode(), tags=(Tag("env", "prod"),)
    )

    def checked() -> None:
        report = certcheck.validate(params, at=AT)
        assert report.ok and report.request is not None
        report.request.api_params()

    def validated_load() -> None:  # what a naive checker pays: cryptography's default RSA key validation
        serialization.load_pem_private_key(key_pem, None)

    checked()  # warm caches and lazy imports outside the timing
    floor_s = _time(floor, repeat, number)
    certcheck_s = _time(checked, repeat, number)
    naive_s = statistics.median(_time(validated_load, 1, 3) for _ in range(3))
    return {
        "floor_us": floor_s * 1e6,
        "certcheck_us": certcheck_s * 1e6,
        "ratio_to_floor": certcheck_s / floor_s,
        "naive_key_load_ms": naive_s * 1e3,
        "speedup_vs_naive_key_load": naive_s / certcheck_s,
    }


def main() -> int:
    r = run()
    print("standard RSA request (leaf + intermediate + PKCS#1 key), one core, best of 7 x 200")
    print(f"  cryptographic floor                         {r['floor_us']:9.1f} us")
    print(f"  certcheck.validate (all rules + request)    {r['certcheck_us']:9.1f} us")
    print(f"  ratio to floor                              {r['ratio_to_floor']:9.2f}x  (target <= {TARGET_RATIO}x)")
    print(
        f"  one key load with cryptography's validation {r['naive_key_load_ms']:9.2f} ms "
        f"({r['speedup_vs_naive_key_load']:.0f}x a whole certcheck.validate)"
    )
    ok = r["ratio_to_floor"] <= TARGET_RATIO
    print("  PASS" if ok else "  FAIL: certcheck's overhead over the floor is above target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
