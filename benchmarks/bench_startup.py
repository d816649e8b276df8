"""`certcheck check` on one request, whole process, against ``python -c "import cryptography.x509"``.

What a pre-commit hook pays per commit. Each pair runs both commands back to back (alternating which goes
first) on a distinct generated request, in a directory without a certcheck config (a project that has one
also pays for reading it); the ratio is the median of the pairs' ratios. Target: <= 1.5x.

Both sides run from bytecode: pip compiles a package's ``.pyc`` files when it installs it (cryptography's are
in the venv), so a pre-commit hook never compiles certcheck from source. A source checkout run with
``PYTHONDONTWRITEBYTECODE=1`` (or on a read-only tree) never writes them, and then timed certcheck compiling
~50 modules on every run: ~108 ms instead of ~77 ms, 2.1x instead of 1.55x, on the same code.

Run: ``.venv/bin/python benchmarks/bench_startup.py`` (exit 1 if the target is missed).
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import standard_requests

import certcheck

TARGET_RATIO = 1.5
PAIRS = 21


def _wall(cmd: list[str], cwd: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def _compile_certcheck() -> None:
    """Write certcheck's bytecode as ``pip install`` does (py_compile writes it whatever PYTHONDONTWRITEBYTECODE
    says); this interpreter is the one timed, so the cache tag matches."""
    package = Path(certcheck.__file__).parent
    if not compileall.compile_dir(package, quiet=1):  # e.g. a read-only install: pip compiled it then
        print(f"note: could not write bytecode for every module of {package}", file=sys.stderr)


def run(pairs: int = PAIRS) -> dict[str, float]:
    python = sys.executable
    _compile_certcheck()
    script = str(Path(python).parent / "certcheck")
    baseline = [python, "-c", "import cryptography.x509"]
    with tempfile.TemporaryDirectory() as tmp:
        commands = []
        for i, request in enumerate(standard_requests(pairs, "RSA", rsa_pool=4)):
            cert, key = Path(tmp, f"{i}.pem"), Path(tmp, f"{i}.key")
            cert.write_text(str(request.params.cert))
            key.write_text(str(request.params.key))
            name = f"--name=startup_{i}"
            commands.append([script, "check", name, f"--cert={cert}", f"--key={key}", "--at=2026-06-01"])
        # Both run in the temporary directory: a project without a certcheck config, as most pre-commit users'.
        _wall(baseline, tmp), _wall(commands[0], tmp)  # warm the page cache
        ratios, base_s, ours_s = [], [], []
        for i, command in enumerate(commands):
            if i % 2:
                ours, base = _wall(command, tmp), _wall(baseline, tmp)
            else:
                base, ours = _wall(baseline, tmp), _wall(command, tmp)
            ratios.append(ours / base)
            base_s.append(base)
            ours_s.append(ours)
    return {
        "import_cryptography_x509_ms": statistics.median(base_s) * 1e3,
        "certcheck_check_ms": statistics.median(ours_s) * 1e3,
        "ratio": statistics.median(ratios),
    }


def report(r: dict[str, float]) -> bool:
    ok = r["ratio"] <= TARGET_RATIO
    print(f"`certcheck check` (RSA leaf + intermediate + key), whole process, median of {PAIRS} paired runs")
    print(
        f"  python -c 'import cryptography.x509' {r['import_cryptography_x509_ms']:6.1f} ms   "
        f"certcheck check {r['certcheck_check_ms']:6.1f} ms   ratio {r['ratio']:4.2f}x "
        f"(target <= {TARGET_RATIO}x: {'ok' if ok else 'MISSED'})"
    )
    return ok


def main() -> int:
    return 0 if report(run()) else 1


if __name__ == "__main__":
    sys.exit(main())
