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

# (function, pattern the mutated line (+) matches) -> why the mutant cannot change behaviour, or cannot be run.
# The function is matched on mutmut's name without the mutant number ("certcheck.request.x_build_request").
HARMLESS: list[tuple[str, str, str]] = [
    (
        "certcheck.rules.engine.x_rule",
        r"",
        "runs at import, when a rule is registered: mutmut switches a mutant on only after import (in the forked "
        "worker), so no mutant of it ever runs; test_engine checks what it registers",
    ),
    (
        "certcheck.rules.engine.x_reporter",
        r"",
        "runs at import (it builds the parse-problem rules): never switched on by mutmut, as above",
    ),
    (
        "certcheck.request.xǁUploadRequestǁredacted",
        r"shown\((None|\"[^\"]*\"), t\.(key|value)\)|shown\(\"Tags\", t\.key\), \"Value\": shown\((None|\"[^\"]*\")",
        "model.shown() ignores its field-name argument (any text holding a key is redacted, whatever the field)",
    ),
    (
        "certcheck.request.xǁUploadRequestǁ__repr__",
        r"shown\(None, value\)",
        "model.shown() ignores its field-name argument",
    ),
    (
        "certcheck.request.xǁUploadRequestǁredacted",
        r"\(name in KEY_FIELDS\) and False",
        "the key fields then go through shown(), which redacts them too: a key field always holds 'PRIVATE KEY-----'",
    ),
    (
        "certcheck.pem.x_encode",
        r'decode\("ASCII"\)',
        "codec names are case-insensitive",
    ),
    (
        "certcheck.pem.x__no_blocks",
        r"b64decode\(compact, (validate=False)?\)|raw = (None|b\"XXXX\")",
        "compact already matched the base64 pattern with a length divisible by 4, so b64decode cannot fail and "
        "validate changes nothing",
    ),
    (
        "certcheck.request.x_build_request",
        r"\(at is not None\) or True",
        "validate() always passes the time it judged at; only a direct caller could pass None",
    ),
    (
        "certcheck.rules.x_run_rules",
        r"applicable = None$",
        "the rules for a kind are then chosen again on every call: the same tuple, only slower",
    ),
    (
        "certcheck.request.x__leaf",
        r"docs\.pairs\[:2\]",
        "the loop returns on its first pair whatever the slice: the leaf of the first certificate field",
    ),
]

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


def harmless_reason(name: str, lines: list[str]) -> str | None:
    function = name.rsplit("__mutmut_", 1)[0]
    added = " ".join(line[1:].strip() for line in lines if line.startswith("+"))
    for where, pattern, reason in HARMLESS:
        if function == where and re.search(pattern, added):
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
        reason = harmless_reason(name, lines)
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
