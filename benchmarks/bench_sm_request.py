"""A whole SM request through validate(), against gmssl doing only the curve work of the same request.

Each request is distinct (benchmarks/generate.py: new signing and encryption keys, new leaves issued by the
fixtures' SM2 sub CA). certcheck does everything: PEM, DER, both chains, both key matches, the SM2 signatures,
every rule. gmssl (pure Python, the SM2 library most Python users reach for) does only the curve work: d*G for
both keys, and both leaf signatures verified against the sub CA's key, its input decoded in advance.
Paired passes on one core; the ratio is the median of the passes'. Target: certcheck >= 15x faster.

Run: ``.venv/bin/python benchmarks/bench_sm_request.py`` (exit 1 if the target is missed).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from generate import AT, Sm, sm_requests
from gmssl.sm2 import CryptSM2, default_ecc_table

import certcheck
from certcheck._crypto import sm2

TARGET_RATIO = 15.0
COUNT = 12  # gmssl takes ~0.1 s per request
PASSES = 5


def _hex(point: sm2.Point) -> str:
    return f"{point[0]:064x}{point[1]:064x}"


def _gmssl_work(request: Sm) -> Callable[[], None]:
    g = default_ecc_table["g"]
    # gmssl strips a leading "04" from public keys with lstrip('04'), which also eats leading 0/4 hex digits
    # of X: give it X||Y without the prefix, and refuse an issuer key that would still be mangled.
    issuer = _hex(request.issuer)
    if issuer[0] in "04":
        raise SystemExit("the sub CA's X starts with hex 0 or 4: gmssl's lstrip bug would corrupt it")
    verifier = CryptSM2(private_key="", public_key=issuer, asn1=True)
    keys = [(d, _hex(p)) for d, p in zip(request.keys, request.points, strict=True)]
    signed = [(signature.hex(), tbs) for tbs, signature in request.signed]

    def work() -> None:
        for d, expected in keys:
            if CryptSM2(private_key=f"{d:064x}", public_key=expected)._kg(d, g) != expected:
                raise SystemExit("gmssl: key mismatch")
        for signature, tbs in signed:
            if not verifier.verify_with_sm3(signature, tbs):
                raise SystemExit("gmssl: signature does not verify")

    return work


def _ours(request: Sm) -> Callable[[], None]:
    def work() -> None:
        report = certcheck.validate(request.params, at=AT)
        if not report.ok:
            raise SystemExit(f"certcheck refused a good SM request: {[f.code for f in report.findings]}")

    return work


def _pass(works: Sequence[Callable[[], None]]) -> float:
    start = time.perf_counter()
    for work in works:
        work()
    return (time.perf_counter() - start) / len(works)


def run(passes: int = PASSES) -> dict[str, float]:
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    if cores:
        os.sched_setaffinity(0, {min(cores)})
    try:
        requests = sm_requests(COUNT)
        gmssl = [_gmssl_work(r) for r in requests]
        ours = [_ours(r) for r in requests]
        ours[0](), gmssl[0]()  # warm: lazy imports, the G table
        ratios, ours_s, gmssl_s = [], [], []
        for i in range(passes):
            if i % 2:
                ours_s.append(_pass(ours))
                gmssl_s.append(_pass(gmssl))
            else:
                gmssl_s.append(_pass(gmssl))
                ours_s.append(_pass(ours))
            ratios.append(gmssl_s[-1] / ours_s[-1])
    finally:
        if cores:
            os.sched_setaffinity(0, cores)
    return {
        "requests": float(COUNT),
        "certcheck_validate_ms": statistics.median(ours_s) * 1e3,
        "gmssl_curve_work_ms": statistics.median(gmssl_s) * 1e3,
        "ratio": statistics.median(ratios),
    }


def report(r: dict[str, float]) -> bool:
    ok = r["ratio"] >= TARGET_RATIO
    print(f"whole SM request (2 chains, 2 keys, all rules) through validate(), {COUNT} distinct requests, one core")
    print(
        f"  certcheck.validate {r['certcheck_validate_ms']:6.2f} ms   gmssl curve work only "
        f"{r['gmssl_curve_work_ms']:7.2f} ms   certcheck {r['ratio']:5.1f}x faster "
        f"(target >= {TARGET_RATIO:g}x: {'ok' if ok else 'MISSED'})"
    )
    return ok


def main() -> int:
    return 0 if report(run()) else 1


if __name__ == "__main__":
    sys.exit(main())
