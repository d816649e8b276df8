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
    (
        "certcheck.rules.cert.x_extensions",
        r"for cert in chain\.given if \(chain\) or True else",
        "Documents.cert_fields lists only fields that have a Chain, and a Chain is always truthy",
    ),
    (
        "certcheck.rules.validity.x_dates",
        r"if \(chain\) or True else",
        "Documents.cert_fields lists only fields that have a Chain, and a Chain is always truthy",
    ),
    (
        "certcheck.rules.strength.x_strength",
        r"^break$",
        "ctx.docs.chain() is never None for a field of cert_fields: the `continue` it replaces never runs",
    ),
    (
        "certcheck.rules.strength.x_strength",
        r"\(cert\.key_size or 1\) < MIN_RSA_BITS",
        "a missing (None/0) key size is below 2048 either way",
    ),
    (
        "certcheck.rules.name.x__is_plain",
        r'ch in "XX_-XX"',
        "ch is one character; the added 'X' is alphanumeric and already accepted by isalnum()",
    ),
    (
        "certcheck.rules.name.x_name",
        r"if length < profile\.name_max_chars and _PLAIN_ASCII",
        "only skips a shortcut: a plain-ASCII name of exactly the maximum length gets no finding below either",
    ),
    (
        "certcheck.rules.resource_group.x_shape",
        r"value\[:71\]",
        "malformed is reached only when len(value) <= 64, so [:70] and [:71] are both the whole value",
    ),
    (
        "certcheck.rules.validity.x_dates",
        r"if cert\.not_before < at and cert\.not_after",
        "notBefore == at with more than the warning window left gets no finding from the branches below either "
        "(validate enforces a window >= 0)",
    ),
    (
        "certcheck.rules.validity.x_dates",
        r"^break  # reported by chain\.expired_unneeded",
        "unneeded_expired() returns only the path's last certificate: nothing follows it in the loop",
    ),
    (
        "certcheck.rules.chain.x_expired_unneeded",
        r"unneeded_expired\(chain, ctx\.at\) if \(chain\) or True else None",
        "Documents.cert_fields lists only fields that have a Chain, and a Chain is always truthy",
    ),
    (
        "certcheck.rules.chain.x_order_and_signatures",
        r"^break$",
        "ctx.docs.chain() is never None for a field of cert_fields: the `continue` it replaces never runs",
    ),
    (
        "certcheck.rules.chain.x_issuers_are_cas",
        r"^break$",
        "ctx.docs.chain() is never None for a field of cert_fields: the `continue` it replaces never runs",
    ),
    (
        "certcheck.rules.chain.x_issuers_are_cas",
        r"if chain\.self_signed\(None\) and child is not path\[0\]:|if chain\.self_signed\(child\) and child is "
        r"path\[0\]:|if chain\.self_signed\(child\) and child is not path\[1\]:|^break  # a root's own signature",
        "the chain walk (documents/chain.py _walk) stops at the first self-signed certificate, so only the path's "
        "last one can be self-signed and child (path[index - 1]) never is: self_signed(child) is always False (as "
        "is self_signed(None)), the guard never holds and its continue never runs",
    ),
    (
        "certcheck.rules.chain.x_order_and_signatures",
        r"_VARIANT_TEXT\.get\(link\.signature\.detail(, None|, )?\)",
        "a verified SM2 signature's detail is always a sm2.UserId value (default, empty, noZ), each a key of "
        "_VARIANT_TEXT: the default of .get is never used",
    ),
    (
        "certcheck.rules.key.x_consistency",
        r"key\.algorithm is Algorithm\.RSA or key\.rsa_numbers is not None",
        "a PrivateKey has rsa_numbers exactly when it is RSA (documents/keys.py sets them only for RSA keys, always "
        "from private_numbers()): `and` and `or` agree",
    ),
    (
        "certcheck.rules.pair.x_key_belongs_to_leaf",
        r"ctx\.docs\.matches\.get\(key_field, (None|True)?\)",
        "parse records matches[key_field] for every pair whose leaf and key are both present, the only pairs that "
        "reach the .get: its default is never used",
    ),
    (
        "certcheck.rules.pair.x_key_belongs_to_leaf",
        r"if \(chain\) or True else None",
        "leaf is not None here, so its field has a Chain (Documents.leaf reads the same chains), and a Chain is "
        "always truthy",
    ),
    ("certcheck.pem.x__as_text", r'decode\("(UTF-16|UTF-8|LATIN-1)"\)', "codec names are case-insensitive"),
    ("certcheck.pem.x_read", r'data\.decode\("ASCII"\)', "codec names are case-insensitive"),
    (
        "certcheck.pem.x__decode_base64",
        r'b64\.rstrip\((None|"XX=XX")\)|c not in "XX\+/XX"',
        'b64 holds no whitespace (its lines were split on it) and "X" is base64: the first character that is not '
        'base64 is the same, or else "=", the default anyway',
    ),
    (
        "certcheck.pem.x__decode_base64",
        r"b64decode\(b64, (validate=False)?\)|is not valid base64\.|^return Problem\(BAD_BASE64, field, (None)?\)$",
        "b64 already matched [A-Za-z0-9+/]*={0,2} with a length divisible by 4: b64decode cannot fail, so validate "
        "changes nothing and the binascii.Error branch is unreachable",
    ),
    (
        "certcheck.pem.x__read_canonical",
        r"find\(\"-----\\n\", pos \+ 12\)|if head_end (<= 0|< 1) or",
        "head_end is -1 or at least pos + 11 (>= 11), and starting the search one later only differs for an empty "
        "label, which _plain_label refuses either way",
    ),
    ("certcheck.pem.x__canonical_der", r'b64\.encode\("ASCII"\)', "codec names are case-insensitive"),
    (
        "certcheck.pem.x__wrapped_at_64",
        r"return size (> 2|>= 3) and ",
        "a body of two characters is one base64 character and a newline: it never decodes, so both ways refuse it",
    ),
    (
        "certcheck.pem.x__wrapped_at_64",
        r"full = \(size - 2\) // 65|body\[64 : size - 2 : 65\]",
        "they differ only when the character before the final newline is a line end, which body[-2] already "
        "refuses; otherwise the slice has a different length than the run of newlines it is compared with",
    ),
    ("certcheck.pem.x_read", r"_read_canonical\(None, text_given\)", "_read_canonical does not use its field"),
    (
        "certcheck.pem.x_read",
        r"following (> 0|>= 1) else|if (following|end) (<= 0|< 1):",
        "str.find returns -1 or an index at or after begin.end() (at least 16): never 0",
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
