"""Hostile input costs about what ordinary input costs: time and output as ratios, measured side by side.

Each hostile request is timed against an ordinary request of the same kind in the same run (medians of
repeated runs; one core). Targets (issue 8, "bounded work and output"):

- a field of nothing but BEGIN lines (255 KiB, the quadratic case of old) costs at most 10x reading a field of
  real certificates of the same size; a whole SM request with it in all four fields at most 10x reading four;
- 4,000 unreadable certificate blocks (about 255 KiB) cost at most 20x reading a real 255 KiB field, and give at
  most 3x the output of one unreadable block;
- a 60 MB Name gives at most 2x the output of a normal request; a 1 MB ResourceGroupId likewise;
- the private-key detector on 64 KiB of base64-looking text costs at most 10x reading 64 KiB of real PEM.

The baselines are size-matched: hostile input may cost what input of its size costs, not more.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import certcheck
from certcheck import UploadParams, pem
from certcheck.redaction import contains_private_key
from certcheck.render import render

ROOT = Path(__file__).resolve().parent.parent
STD, SM2 = ROOT / "fixtures" / "std", ROOT / "fixtures" / "sm2"
AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _median(fn: Callable[[], object], repeat: int = 7, number: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def _output(report: certcheck.Report) -> int:
    return max(len(render(fmt, report)) for fmt in ("text", "json"))


def main() -> int:
    fullchain, key = (STD / "rsa-fullchain.pem").read_text(), (STD / "rsa-leaf.key").read_text()
    size = 255 * 1024
    begins = ("-----BEGIN CERTIFICATE-----\n" * (size // 28))[:size]
    normal_field = (fullchain * (size // len(fullchain) + 1))[:size]
    sm = {
        "sign_cert": (SM2 / "sm2-sign-fullchain.pem").read_text(),
        "sign_private_key": (SM2 / "sm2-sign.key").read_text(),
        "encrypt_cert": (SM2 / "sm2-enc-fullchain.pem").read_text(),
        "encrypt_private_key": (SM2 / "sm2-enc.key").read_text(),
    }
    sm_normal = UploadParams(name="demo_sm2", **sm)
    sm_hostile = UploadParams(name="demo_sm2", **{k: begins for k in sm})
    junk = pem.encode("CERTIFICATE", bytes.fromhex("3003020101"))
    normal = UploadParams(name="demo_example_com", cert=fullchain, key=key)
    broken_one = UploadParams(name="demo_example_com", cert=fullchain + junk, key=key)
    broken_many = UploadParams(name="demo_example_com", cert=fullchain + junk * 4000, key=key)
    huge_name = UploadParams(name="n" * 60_000_000, cert=fullchain, key=key)
    huge_rg = UploadParams(name="demo_example_com", cert=fullchain, key=key, resource_group_id="rg-" + "a" * 10**6)
    b64ish = ("QUJD" * (64 * 1024 // 4))[: 64 * 1024]
    normal_64k = normal_field[: 64 * 1024]
    read_normal = _median(lambda: pem.read("Cert", normal_field))

    def validate(params: UploadParams) -> Callable[[], object]:
        return lambda: certcheck.validate(params, at=AT)

    rows = [
        (
            "pem.read: 255 KiB of BEGIN lines / 255 KiB of certificates",
            _median(lambda: pem.read("Cert", begins)),
            read_normal,
            10.0,
        ),
        (
            "SM request, BEGIN lines in all 4 fields / reading 4 real",
            _median(validate(sm_hostile)),
            4 * read_normal + _median(validate(sm_normal)),
            10.0,
        ),
        ("request with 4,000 unreadable blocks / reading 255 KiB", _median(validate(broken_many)), read_normal, 20.0),
        (
            "key detector, 64 KiB base64-like / reading 64 KiB PEM",
            _median(lambda: contains_private_key(b64ish)),
            _median(lambda: pem.read("Cert", normal_64k)),
            10.0,
        ),
    ]
    sizes = [
        (
            "output, 4,000 unreadable blocks / 1",
            _output(certcheck.validate(broken_many, at=AT)),
            _output(certcheck.validate(broken_one, at=AT)),
            3.0,
        ),
        (
            "output, 60 MB Name / normal",
            _output(certcheck.validate(huge_name, at=AT)),
            _output(certcheck.validate(normal, at=AT)),
            2.0,
        ),
        (
            "output, 1 MB ResourceGroupId / normal",
            _output(certcheck.validate(huge_rg, at=AT)),
            _output(certcheck.validate(normal, at=AT)),
            2.0,
        ),
    ]
    failed = 0
    print("time (median of 7 x 3 runs, one core)")
    for label, hostile, baseline, target in rows:
        ratio = hostile / baseline
        ok = ratio <= target
        failed |= not ok
        print(
            f"  {label:<58} {hostile * 1e3:9.2f} ms / {baseline * 1e3:7.2f} ms = {ratio:6.1f}x"
            f"  (target <= {target:g}x) {'PASS' if ok else 'FAIL'}"
        )
    print("output size (characters, the larger of text and json)")
    for label, hostile_size, baseline_size, target in sizes:
        ratio = hostile_size / baseline_size
        ok = ratio <= target
        failed |= not ok
        print(
            f"  {label:<58} {hostile_size:9,} / {baseline_size:7,} = {ratio:6.2f}x"
            f"  (target <= {target:g}x) {'PASS' if ok else 'FAIL'}"
        )
    return int(failed)


if __name__ == "__main__":
    sys.exit(main())
