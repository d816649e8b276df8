"""Summarise a `make mutation` run: the score per module, then every surviving mutant with its diff.

Survivors that were read and judged harmless (equivalent mutants: the program behaves the same) are listed in
HARMLESS with the reason, matched by module and by the mutated line, so the list outlives renumbering. Any other
survivor is a gap in the tests: kill it with a test that pins the behaviour, or add it here with a reason.

    .venv/bin/python tests/mutation_report.py [--json mutation-report.json]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTMUT = Path(sys.executable).with_name("mutmut")

# (module, text that appears in the mutated line) -> why the mutant cannot change behaviour.
HARMLESS: dict[tuple[str, str], str] = {}

_LINE = re.compile(r"^\s*(\S+): (.+)$")


def results() -> dict[str, str]:
    out = subprocess.run([str(MUTMUT), "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True)
    found: dict[str, str] = {}
    for line in out.stdout.splitlines():
        match = _LINE.match(line)
        if match and "__mutmut_" in match.group(1):
            found[match.group(1)] = match.group(2).strip()
    return found


def diff(name: str) -> list[str]:
    out = subprocess.run([str(MUTMUT), "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def module_of(name: str) -> str:
    return name.split(".x", 1)[0].rsplit(".x_", 1)[0]


def harmless_reason(module: str, lines: list[str]) -> str | None:
    added = " ".join(line[1:].strip() for line in lines if line.startswith("+"))
    for (mod, text), reason in HARMLESS.items():
        if mod == module and text in added:
            return reason
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, help="also write the summary here")
    options = parser.parse_args(argv)
    found = results()
    if not found:
        print("no mutmut results: run `make mutation` first", file=sys.stderr)
        return 1
    per_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in found.items():
        per_module[module_of(name)][status] += 1
    print(f"{'module':<36} {'killed':>7} {'total':>6} {'score':>6}  other")
    total_killed = total = 0
    for module, counts in sorted(per_module.items()):
        killed, n = counts["killed"], sum(counts.values())
        total_killed, total = total_killed + killed, total + n
        other = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if k != "killed")
        print(f"{module:<36} {killed:>7} {n:>6} {killed / n:>6.1%}  {other}")
    print(f"{'all':<36} {total_killed:>7} {total:>6} {total_killed / total:>6.1%}")
    survivors = sorted(n for n, s in found.items() if s not in ("killed", "not checked"))
    unexplained, judged = [], []
    for name in survivors:
        lines = diff(name)
        reason = harmless_reason(module_of(name), lines)
        (judged if reason else unexplained).append((name, found[name], lines, reason))
    for title, group in (("survivors judged harmless", judged), ("survivors not yet explained", unexplained)):
        print(f"\n{title}: {len(group)}")
        for name, status, lines, reason in group:
            print(f"  {name} ({status}){f': {reason}' if reason else ''}")
            for line in lines:
                print(f"      {line.strip()[:150]}")
    if options.json:
        summary = {
            "killed": total_killed,
            "total": total,
            "per_module": {m: dict(c) for m, c in sorted(per_module.items())},
            "harmless": {n: r for n, _, _, r in judged},
            "unexplained": [n for n, *_ in unexplained],
        }
        options.json.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
