"""A whole SM2 request through certcheck.validate, parsing and every rule included (informative).

bench_sm2.py holds the promised ratios (curve work against gmssl, parsing excluded on both sides); this one
shows what a user actually waits for per SM request, next to gmssl's cost for the curve work alone, and
exits 1 only if even the whole of certcheck is not faster than gmssl's curve work (a gross regression).
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import bench_sm2

import certcheck
from certcheck import UploadParams

SM2 = Path(__file__).resolve().parent.parent / "fixtures" / "sm2"
AT = datetime(2026, 6, 1, tzinfo=timezone.utc)


def run(repeat: int = 5, number: int = 20) -> dict[str, float]:
    params = UploadParams(
        name="demo_sm2",
        sign_cert=(SM2 / "sm2-sign-fullchain.pem").read_text(),
        sign_private_key=(SM2 / "sm2-sign.key").read_text(),
        encrypt_cert=(SM2 / "sm2-enc-fullchain.pem").read_text(),
        encrypt_private_key=(SM2 / "sm2-enc.key").read_text(),
    )

    def whole() -> bool:
        report = certcheck.validate(params, at=AT)
        return report.ok

    assert whole()
    seconds = bench_sm2._time(whole, repeat * number)
    return {"validate_ms": min(seconds) * 1e3, "validate_median_ms": sorted(seconds)[len(seconds) // 2] * 1e3}


def main() -> int:
    ours = run()
    gm = bench_sm2.run()
    print("whole SM request through certcheck.validate (2 chains of leaf + sub CA, 2 keys, all rules, 4 SM2")
    print("signatures verified, both key matches), one core")
    print(f"  certcheck.validate      {ours['validate_ms']:7.2f} ms min, {ours['validate_median_ms']:7.2f} ms median")
    gmssl_ms = gm["gmssl_full_median_ms"]
    print(f"  gmssl, curve work only  {gmssl_ms:7.2f} ms median (2 key matches + 2 verifications, no parsing)")
    print(f"  ratio                   {gmssl_ms / ours['validate_median_ms']:7.1f}x")
    ok = ours["validate_median_ms"] < gmssl_ms
    print("  PASS" if ok else "  FAIL: the whole of certcheck is slower than gmssl's curve work alone")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
