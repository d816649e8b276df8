"""validate() + api_params() on distinct standard requests, against the cryptographic floor of the same requests.

The floor, per request: parse the leaf and the intermediate with ``cryptography``, load the key without its slow
RSA validation, compare the public numbers, verify the leaf's signature with the intermediate. Everything else
certcheck does (PEM repair, every rule, the canonical request, the ClientToken) is overhead over that floor.

Method: N distinct generated requests (benchmarks/generate.py); each pass times the floor over all N, then
certcheck over all N (the order alternates between passes), on one core; the reported ratio is the median of the
passes' ratios. Target: <= 1.5x, for RSA-2048 and for EC P-256. Also checked: no memory retained per request.

A third timing in each pass, "floor + unavoidable calls", adds to the floor only the library calls certcheck cannot
do without whatever its design: ``cryptography``'s decoding of the leaf's extensions (malformed and unknown
critical extensions, basicConstraints: what clients judge), the RSA key's private numbers (the CRT consistency
check that replaces the validation the floor skips) and one SHA-256 over the fields (the ClientToken). Its ratio
is what the target leaves for all of certcheck's own Python (PEM, the DER walk, every rule, the request, the
report): (1.5 - that ratio) x the floor. Shown, not judged.

The requests' leaves share one intermediate, as an estate's do (a CA issues thousands of leaves), and certcheck
keeps a bounded cache of parsed intermediates (documents/certs.py). The "distinct intermediates" rows give
every request an intermediate of its own: the cache never hits, the worst case. They are shown, not judged.

Run: ``.venv/bin/python benchmarks/bench_standard.py`` (exit 1 if a target is missed).
"""

from __future__ import annotations

import gc
import hashlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from generate import AT, Standard, standard_requests

import certcheck

TARGET_RATIO = 1.5
COUNT = {"RSA": 240, "EC": 240}
PASSES = 9
RETAINED_LIMIT = 256  # bytes per request; a cache of requests, certificates or digests would keep far more


def floor(request: Standard) -> tuple[x509.Certificate, PrivateKeyTypes]:
    leaf = x509.load_pem_x509_certificate(request.leaf_pem)
    issuer = x509.load_pem_x509_certificate(request.issuer_pem)
    key = serialization.load_pem_private_key(request.key_pem, None, unsafe_skip_rsa_key_validation=True)
    if key.public_key().public_numbers() != leaf.public_key().public_numbers():  # type: ignore[union-attr]
        raise SystemExit("floor: the key does not match")
    leaf.verify_directly_issued_by(issuer)
    return leaf, key  # for floor_and_unavoidable, which adds to exactly this work


def floor_and_unavoidable(request: Standard) -> None:
    leaf, key = floor(request)
    leaf.extensions  # noqa: B018  (decoded on access)
    if isinstance(key, rsa.RSAPrivateKey):
        key.private_numbers()
    hashlib.sha256(request.leaf_pem + request.issuer_pem + request.key_pem).digest()


def checked(request: Standard) -> None:
    report = certcheck.validate(request.params, at=AT)
    if not report.ok or report.request is None:
        raise SystemExit(f"certcheck refused a good request: {[f.code for f in report.findings]}")
    report.request.api_params()


def _pass(fn: Callable[[Standard], object], requests: Sequence[Standard]) -> float:
    start = time.perf_counter()
    for request in requests:
        fn(request)
    return (time.perf_counter() - start) / len(requests)


def measure(algorithm: str, passes: int = PASSES, distinct_issuers: bool = False) -> dict[str, float]:
    requests = standard_requests(COUNT[algorithm], algorithm, distinct_issuers=distinct_issuers)
    for request in requests[:3]:  # warm: lazy imports, first-use tables
        floor(request)
        checked(request)
    ratios, floors, ours, unavoidable = [], [], [], []
    gc.collect()
    gc.disable()  # collections land in whichever side happens to cross a threshold: keep them out of both
    try:
        for i in range(passes):
            if i % 2:
                ours.append(_pass(checked, requests))
                floors.append(_pass(floor, requests))
            else:
                floors.append(_pass(floor, requests))
                ours.append(_pass(checked, requests))
            unavoidable.append(_pass(floor_and_unavoidable, requests) / floors[-1])
            ratios.append(ours[-1] / floors[-1])
    finally:
        gc.enable()
    return {
        "requests": float(len(requests)),
        "floor_us": statistics.median(floors) * 1e6,
        "certcheck_us": statistics.median(ours) * 1e6,
        "ratio": statistics.median(ratios),
        "unavoidable_ratio": statistics.median(unavoidable),
        "retained_bytes_per_request": retained(requests),
    }


def retained(requests: Sequence[Standard]) -> float:
    """Bytes per request still allocated after a second half of new requests: a cache keyed by requests would
    keep a certificate (>= 1 KB) or at least its digest for each; allocator and library free lists level off
    during the first half."""
    import tracemalloc

    half = len(requests) // 2
    tracemalloc.start()
    for request in requests[:half]:
        checked(request)
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    for request in requests[half:]:
        checked(request)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return max(0.0, (after - before) / (len(requests) - half))


def run() -> dict[str, dict[str, float]]:
    results = {alg: measure(alg) for alg in ("RSA", "EC")}
    for alg in ("RSA", "EC"):
        results[f"{alg} distinct intermediates"] = measure(alg, distinct_issuers=True)
    return results


def report(results: dict[str, dict[str, float]]) -> bool:
    ok = True
    print("standard request (leaf + intermediate + key), validate() + api_params(), distinct requests, one core,")
    print(f"median of {PASSES} paired passes; target <= {TARGET_RATIO}x the cryptographic floor")
    for alg, r in results.items():
        judged = "distinct" not in alg  # the worst case is shown beside the target, not judged by it
        verdict = ("ok" if r["ratio"] <= TARGET_RATIO else "MISSED") if judged else "shown"
        leak = "ok" if r["retained_bytes_per_request"] < RETAINED_LIMIT else "GROWS"
        ok &= verdict in ("ok", "shown") and leak == "ok"
        print(
            f"  {alg:27}  floor {r['floor_us']:7.1f} us   certcheck {r['certcheck_us']:7.1f} us   "
            f"ratio {r['ratio']:5.2f}x ({verdict})   retained {r['retained_bytes_per_request']:.0f} B/request ({leak})"
        )
        left = (TARGET_RATIO - r["unavoidable_ratio"]) * r["floor_us"]
        print(
            f"  {'':27}  floor + unavoidable calls {r['unavoidable_ratio']:4.2f}x: the target leaves {left:5.1f} us "
            "for all of certcheck's own Python"
        )
    return ok


def main() -> int:
    return 0 if report(run()) else 1


if __name__ == "__main__":
    sys.exit(main())
