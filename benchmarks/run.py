"""`make bench`: every benchmark, each measuring certcheck against a baseline in the same run.

Exit status 1 when any target ratio is missed. Timed assertions do not belong in tests (these machines are
noisy); the ratios here are what the project promises.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_bulk
import bench_sm2
import bench_sm_request
import bench_standard


def main() -> int:
    failed = 0
    for module in (bench_standard, bench_sm2, bench_sm_request, bench_bulk):
        print(f"== {module.__name__}")
        failed |= module.main()
        print()
    print("all targets met" if not failed else "a target was missed")
    return failed


if __name__ == "__main__":
    sys.exit(main())
