#!/usr/bin/env python3
"""Seed the fuzz corpus from fixtures/: every certificate, key and broken file under each target, real pairs for
the request targets, and the sample request JSON files with their @paths inlined.

    .venv/bin/python tests/fuzz/seed.py build/fuzz/corpus
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fuzz.harness import TARGETS, join  # noqa: E402

FIXTURES = ROOT / "fixtures"


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    files = [p for d in ("std", "sm2", "broken") for p in sorted((FIXTURES / d).glob("*")) if p.is_file()]
    files += sorted(p for p in (FIXTURES / "corpus").rglob("*") if p.is_file() and p.stat().st_size < 64_000)
    files += sorted((ROOT / "tests" / "regressions").glob("*"))
    data = {p: p.read_bytes() for p in files}
    pem_t, std_t, sm_t, json_t = (bytes([TARGETS.index(t)]) for t in TARGETS)
    seeds: list[bytes] = []
    std = FIXTURES / "std"
    sm2 = FIXTURES / "sm2"
    for raw in data.values():
        seeds.append(pem_t + raw)
        seeds.append(std_t + join([raw, (std / "rsa-leaf.key").read_bytes()]))
        seeds.append(std_t + join([(std / "rsa-fullchain.pem").read_bytes(), raw]))
    pairs = [("rsa-fullchain.pem", "rsa-leaf.key"), ("ec-p256-fullchain.pem", "ec-p256-leaf.key")]
    seeds += [std_t + join([(std / c).read_bytes(), (std / k).read_bytes()]) for c, k in pairs]
    sm_fields = ["sm2-sign-fullchain.pem", "sm2-sign.key", "sm2-enc-fullchain.pem", "sm2-enc.key"]
    seeds.append(sm_t + join([(sm2 / f).read_bytes() for f in sm_fields]))
    for request in sorted((FIXTURES / "requests").glob("*.json")):
        body = json.loads(request.read_text())
        for name, value in list(body.items()):
            if isinstance(value, str) and value.startswith("@"):
                path = (request.parent / value[1:]).resolve()
                body[name] = path.read_text(errors="replace") if path.is_file() else value
        seeds.append(json_t + json.dumps(body).encode())
    for seed in seeds:
        (out / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    print(f"seeded {len(seeds)} inputs into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "build/fuzz/corpus")))
