#!/usr/bin/env python3
"""Coverage-guided fuzzing of certcheck with atheris (libFuzzer for Python). Run it through ``make fuzz``.

    .venv/bin/python tests/fuzz/fuzz.py build/fuzz/corpus -max_total_time=240 -artifact_prefix=build/fuzz/

Arguments are libFuzzer's. certcheck's own modules are instrumented (cryptography's Rust is not: its crashes
still surface as Python exceptions). An input that raises or breaks a property of ``harness.check_report`` is
saved as ``crash-<sha1>`` under the artifact prefix; copy it to ``tests/regressions/`` with a ``.fuzz`` suffix
and it is replayed by ``make test`` for good.
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["certcheck"]):
    import certcheck  # noqa: F401
    from tests.fuzz.harness import one_input


def main() -> None:
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
