"""Golden findings: what `certcheck check` says about every fixture, stored in fixtures/golden/ and compared exactly.

Each case is one `certcheck check` command line over committed fixtures, run at the pinned clock
(``--at 2026-06-01T00:00:00Z``) with ``--format json``. Its golden file records the exit status, the verdict, the
kind and algorithm, which parameters the normalized request carries, every finding as ``[code, severity,
field]`` and, in the same order, its message (sorted, so a change in report order alone is not a difference; a
finding added, lost or changed is, and so is a reworded message).

The cases are derived from fixtures/manifest.json, so a new fixture is a new case (its missing golden file fails
the test until it is generated):

* ``requests/*.json`` through ``--request`` (the encrypted-key request twice: with and without the passphrase);
* every ``std/`` certificate and chain with a matching key, every ``std/`` key with a matching certificate;
* every ``sm2/`` certificate and key put into its role (Sign or Encrypt) of an otherwise good SM request;
* every ``broken/`` file in the field it was meant for, beside a good counterpart;
* COMBINATIONS: requests put together from several fixtures (swapped SM pairs, shuffled chains, tags...).

Regenerate after a deliberate change of behaviour, then review the diff (`git diff fixtures/golden`)::

    make golden          # = .venv/bin/python tests/golden.py --update

``python tests/golden.py`` without ``--update`` only compares and lists the differences (exit 1 if any).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = FIXTURES / "golden"
AT = "2026-06-01T00:00:00Z"
PASSWORD_ENV = "CERTCHECK_GOLDEN_PASSWORD"
NAME = "demo_example_com"

# Base request of the standard and SM cases: each case replaces one part of it.
STD_CERT, STD_KEY = "std/rsa-fullchain.pem", "std/rsa-leaf.key"
SM_BASE = {
    "--sign-cert": "sm2/sm2-sign-fullchain.pem",
    "--sign-key": "sm2/sm2-sign.key",
    "--encrypt-cert": "sm2/sm2-enc-fullchain.pem",
    "--encrypt-key": "sm2/sm2-enc.key",
}
# Keys that match no certificate: checked against the certificate they pretend to belong to.
UNMATCHED_KEY_PARTNER = {"std/rsa-other.key": "std/rsa-leaf.pem", "std/ec-p256-other.key": "std/ec-p256-leaf.pem"}

# The manifest's `problems` (written by hand in fixtures/make.py) as finding codes: the golden file of each request
# must have exactly these codes at warning or error severity, so regenerating the golden files cannot silently
# lose a problem the fixture was made to show.
PROBLEM_CODES = {
    "name_too_long": "name.too_long",
    "chain_reversed": "chain.out_of_order",
    "key_mismatch": "pair.key_mismatch",
    "tag_key_reserved_prefix": "tags.key_reserved",
    "tag_value_url": "tags.value_url",
    "sm2_roles_swapped": "sm.swapped",
    "missing_field": "sm.field_missing",
}


@dataclass(frozen=True)
class Case:
    name: str  # also the golden file's path under fixtures/golden/, without ".json"
    args: tuple[str, ...]  # after `certcheck check`; file paths relative to fixtures/
    password: bool = False
    stdin: tuple[str, ...] = ()  # files concatenated into standard input (`--cert -`): a leaf and its issuer

    @property
    def golden_path(self) -> Path:
        return GOLDEN / f"{self.name.replace('.json', '')}.json"  # requests/x.json -> requests/x.json, not x.json.json

    @property
    def command(self) -> str:
        env = f"{PASSWORD_ENV}='correct horse' " if self.password else ""
        pipe = f"cat {' '.join(self.stdin)} | " if self.stdin else ""
        return f"{pipe}{env}certcheck check {' '.join(self.args)}"


def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "manifest.json").read_text())
    return data


def _plain(keys: list[str], stem: str) -> str | None:
    """The key a certificate is checked with: the one named like it, else the first unencrypted one."""
    plain = [k for k in sorted(keys) if ".enc." not in k]
    named = [k for k in plain if Path(k).name == f"{stem}.key"]
    return (named or plain or [None])[0]


def _std_case(name: str, cert: str, key: str | None, *, password: bool = False, issuer: str | None = None) -> Case:
    """``cert`` and ``key`` in Cert and Key; with ``issuer``, the Cert field is ``cert`` followed by it."""
    stdin = (cert, issuer) if issuer else ()
    args = ["--name", NAME, "--cert", "-" if stdin else cert]
    if key is not None:
        args += ["--key", key]
    if password:
        args += ["--key-password-env", PASSWORD_ENV]
    return Case(name, (*_common(args),), password, stdin)


def _issuer(files: dict[str, dict[str, Any]], cert: str) -> str | None:
    """The file of the certificate that issued ``cert``, unless it issued itself."""
    issuer: str | None = files[cert].get("issuer_file")
    return None if files[cert].get("self_issued") or issuer == cert else issuer


def _common(args: list[str]) -> list[str]:
    return [*args, "--at", AT, "--format", "json"]


def cases() -> list[Case]:
    files: dict[str, dict[str, Any]] = manifest()["files"]
    out: list[Case] = []
    for path, facts in sorted(files.items()):
        if facts.get("source_only"):
            continue
        kind = facts["kind"]
        stem = Path(path).stem
        if kind == "request":
            out.append(Case(path, (*_common(["--request", path]),)))
            if "encrypted" in path:
                args = _common(["--request", path, "--key-password-env", PASSWORD_ENV])
                out.append(Case(f"{path}+password", tuple(args), True))
        elif path.startswith("std/") and kind == "certificate":  # given with its issuer, as uploads are
            out.append(_std_case(path, path, _plain(facts["key_files"], stem), issuer=_issuer(files, path)))
        elif path.startswith("std/") and kind == "chain":
            leaf = next(c for c in facts["certs"] if not files[c]["is_ca"])
            out.append(_std_case(path, path, _plain(files[leaf]["key_files"], Path(leaf).stem)))
        elif path.startswith("std/") and kind == "private_key":
            matches = facts["key_matches"]
            named = [c for c in matches if Path(c).stem == stem.split(".")[0]]
            cert = (named or matches or [UNMATCHED_KEY_PARTNER[path]])[0]
            out.append(_std_case(path, cert, path, issuer=_issuer(files, cert)))
            if facts.get("encrypted"):
                out.append(_std_case(f"{path}+password", cert, path, password=True, issuer=_issuer(files, cert)))
        elif path.startswith("sm2/") and kind in ("certificate", "chain", "private_key"):
            role = "encrypt" if Path(path).name.startswith("sm2-enc") else "sign"
            flag = f"--{role}-{'key' if kind == 'private_key' else 'cert'}"
            fields = {**SM_BASE, flag: path}
            args = ["--name", NAME]
            for option, value in fields.items():
                args += [option, value]
            password = bool(facts.get("encrypted"))
            if password:
                args += ["--key-password-env", PASSWORD_ENV]
            out.append(Case(path, tuple(_common(args)), password))
        elif kind == "broken":
            if facts["intended_field"] == "Key":
                out.append(_std_case(path, STD_CERT, path))
            else:
                out.append(_std_case(path, path, STD_KEY))
                if path == "broken/cert-bad-signature.pem":  # alone, nothing checks its signature
                    out.append(_std_case(f"{path}+issuer", path, STD_KEY, issuer="std/rsa-intermediate.pem"))
    for name, (args, stdin) in COMBINATIONS.items():
        out.append(Case(f"combinations/{name}", tuple(_common(args)), False, stdin))
    return out


def _sm(sign_cert: str, sign_key: str, encrypt_cert: str, encrypt_key: str) -> list[str]:
    return [
        *("--name", NAME, "--sign-cert", sign_cert, "--sign-key", sign_key),
        *("--encrypt-cert", encrypt_cert, "--encrypt-key", encrypt_key),
    ]


SIGN_CHAIN, SIGN_KEY = "sm2/sm2-sign-fullchain.pem", "sm2/sm2-sign.key"
ENC_CHAIN, ENC_KEY = "sm2/sm2-enc-fullchain.pem", "sm2/sm2-enc.key"
RSA_CHAIN, RSA_KEY = "std/rsa-fullchain.pem", "std/rsa-leaf.key"

# Requests put together from several fixtures: the situations one fixture file cannot show on its own.
COMBINATIONS: dict[str, tuple[list[str], tuple[str, ...]]] = {  # name: (arguments, files given as stdin)
    "sm-certificates-swapped": (_sm(ENC_CHAIN, SIGN_KEY, SIGN_CHAIN, ENC_KEY), ()),
    "sm-keys-swapped": (_sm(SIGN_CHAIN, ENC_KEY, ENC_CHAIN, SIGN_KEY), ()),
    "sm-one-pair-in-both-roles": (_sm(SIGN_CHAIN, SIGN_KEY, SIGN_CHAIN, SIGN_KEY), ()),
    "sm-rsa-in-the-sign-fields": (_sm(RSA_CHAIN, RSA_KEY, ENC_CHAIN, ENC_KEY), ()),
    "sm-rsa-ca-in-the-sign-fields": (
        _sm("std/rsa-intermediate.pem", "std/rsa-intermediate.key", ENC_CHAIN, ENC_KEY),
        (),
    ),
    "sm-ec-in-the-encrypt-fields": (_sm(SIGN_CHAIN, SIGN_KEY, "std/ec-p256-fullchain.pem", "std/ec-p256-leaf.key"), ()),
    "sm-same-private-key-twice": (_sm(SIGN_CHAIN, SIGN_KEY, ENC_CHAIN, SIGN_KEY), ()),
    "sm-sign-cert-unreadable": (_sm("broken/cert-bad-der.pem", SIGN_KEY, ENC_CHAIN, ENC_KEY), ()),
    "sm-sign-cert-missing": (
        ["--name", NAME, "--sign-key", SIGN_KEY, "--encrypt-cert", ENC_CHAIN, "--encrypt-key", ENC_KEY],
        (),
    ),
    "sm2-key-for-an-rsa-certificate": (["--name", NAME, "--cert", RSA_CHAIN, "--key", SIGN_KEY], ()),
    "sm-encrypt-cert-missing": (
        ["--name", NAME, "--sign-cert", SIGN_CHAIN, "--sign-key", SIGN_KEY, "--encrypt-key", ENC_KEY],
        (),
    ),
    "sm2-in-cert-and-key": (["--name", NAME, "--cert", SIGN_CHAIN, "--key", SIGN_KEY], ()),
    "standard-with-sm-fields-too": (
        ["--name", NAME, "--cert", RSA_CHAIN, "--key", RSA_KEY, "--sign-cert", SIGN_CHAIN, "--sign-key", SIGN_KEY],
        (),
    ),
    "chain-leaf-in-the-middle": (
        ["--name", NAME, "--cert", "-", "--key", RSA_KEY],
        ("std/rsa-intermediate.pem", "std/rsa-leaf.pem", "std/rsa-root.pem"),
    ),
    "chain-leaf-first-issuers-shuffled": (
        ["--name", NAME, "--cert", "-", "--key", RSA_KEY],
        ("std/rsa-leaf.pem", "std/rsa-root.pem", "std/rsa-intermediate.pem"),
    ),
    "key-of-the-intermediate": (["--name", NAME, "--cert", RSA_CHAIN, "--key", "std/rsa-intermediate.key"], ()),
    "ec-key-for-an-rsa-certificate": (["--name", NAME, "--cert", RSA_CHAIN, "--key", "std/ec-p256-leaf.key"], ()),
    "rsa-key-for-an-ec-certificate": (["--name", NAME, "--cert", "std/ec-p256-fullchain.pem", "--key", RSA_KEY], ()),
    "no-name": (["--cert", RSA_CHAIN, "--key", RSA_KEY], ()),
    "no-name-profile-2024": (["--cert", RSA_CHAIN, "--key", RSA_KEY, "--profile", "2024-07"], ()),
    "bad-rsa-profile-2024": (["--request", "requests/bad-rsa.json", "--profile", "2024-07"], ()),
    "names": (["--name", "démo name (1)", "--cert", RSA_CHAIN, "--key", RSA_KEY], ()),
    "tags": (
        [
            *("--name", NAME, "--cert", RSA_CHAIN, "--key", RSA_KEY),
            *("--tag", "acs:owner=x", "--tag", "=nokey", "--tag", "k=http://x", "--tag", "dup=1", "--tag", "dup=2"),
            *("--tag", "Aliyun-team=y", "--tag", "ok=fine"),
        ],
        (),
    ),
    "resource-group-bad": (
        ["--name", NAME, "--cert", RSA_CHAIN, "--key", RSA_KEY, "--resource-group-id", "rg bad!"],
        (),
    ),
    "resource-group-good": (
        ["--name", NAME, "--cert", RSA_CHAIN, "--key", RSA_KEY, "--resource-group-id", "rg-acfmz3xyzabc"],
        (),
    ),
    "cert-only": (["--name", NAME, "--cert", RSA_CHAIN], ()),
    "key-only": (["--name", NAME, "--key", RSA_KEY], ()),
    "expiry-window-0": (
        ["--name", NAME, "--cert", "-", "--key", RSA_KEY, "--expiry-warning-days", "0"],
        ("std/rsa-leaf-expiring.pem", "std/rsa-intermediate.pem"),
    ),
    "expiry-window-14": (
        ["--name", NAME, "--cert", "-", "--key", RSA_KEY, "--expiry-warning-days", "14"],
        ("std/rsa-leaf-expiring.pem", "std/rsa-intermediate.pem"),
    ),
}


@contextlib.contextmanager
def _environment(password: str | None) -> Iterator[None]:
    old = os.environ.get(PASSWORD_ENV)
    if password is None:
        os.environ.pop(PASSWORD_ENV, None)
    else:
        os.environ[PASSWORD_ENV] = password
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(PASSWORD_ENV, None)
        else:
            os.environ[PASSWORD_ENV] = old


def _absolute(args: tuple[str, ...]) -> list[str]:
    """File arguments (relative to fixtures/) made absolute, so the run does not depend on the directory."""
    out: list[str] = []
    takes_file = {"--request", "--cert", "--key", "--sign-cert", "--sign-key", "--encrypt-cert", "--encrypt-key"}
    previous = ""
    for arg in args:
        out.append(str(FIXTURES / arg) if previous in takes_file and arg != "-" else arg)
        previous = arg
    return out


def run(case: Case) -> dict[str, Any]:
    """The case's outcome, in the golden file's shape."""
    from certcheck.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(b"".join((FIXTURES / f).read_bytes() for f in case.stdin)))
    real_stdin = sys.stdin
    password = manifest()["passphrase"] if case.password else None
    with _environment(password), contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        sys.stdin = stdin
        try:
            status = main(["check", *_absolute(case.args)])
        finally:
            sys.stdin = real_stdin
    if stderr.getvalue():
        raise AssertionError(f"{case.name}: certcheck wrote to stderr: {stderr.getvalue()}")
    report = json.loads(stdout.getvalue())
    request = report["request"]
    ordered = sorted(report["findings"], key=lambda f: (f["code"], f["severity"], f["field"] or "", f["message"]))
    return {
        "case": case.name,
        "command": case.command,
        "exit": status,
        "ok": report["ok"],
        "kind": report["kind"],
        "algorithm": report["algorithm"],
        "request": list(request) if request is not None else None,
        "findings": [[f["code"], f["severity"], f["field"]] for f in ordered],
        "messages": [f"{f['code']}: {f['message']}" for f in ordered],
    }


def dumps(result: dict[str, Any]) -> str:
    """Stable text for a golden file: one finding per line, so diffs read finding by finding."""
    lines = []
    for key, value in result.items():
        if key in ("findings", "messages") and value:
            body = ",\n".join(f"    {json.dumps(v, ensure_ascii=False)}" for v in value)
            lines.append(f"  {json.dumps(key)}: [\n{body}\n  ]")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def stored(case: Case) -> dict[str, Any] | None:
    if not case.golden_path.exists():
        return None
    data: dict[str, Any] = json.loads(case.golden_path.read_text())
    return data


def stale_files(known: list[Case]) -> list[Path]:
    """Golden files no case produces (a fixture was removed or renamed)."""
    wanted = {c.golden_path for c in known}
    return sorted(p for p in GOLDEN.rglob("*.json") if p not in wanted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--update", action="store_true", help="rewrite fixtures/golden/ from the current code")
    options = parser.parse_args(argv)
    known = cases()
    differ = 0
    for case in known:
        result = run(case)
        text = dumps(result)
        if options.update:
            case.golden_path.parent.mkdir(parents=True, exist_ok=True)
            if not case.golden_path.exists() or case.golden_path.read_text() != text:
                case.golden_path.write_text(text)
                print(f"wrote {case.golden_path.relative_to(ROOT)}")
        elif stored(case) != result:
            differ += 1
            print(f"differs: {case.name}\n  now: {json.dumps(result['findings'])}")
    for path in stale_files(known):
        if options.update:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
        else:
            differ += 1
            print(f"stale: {path.relative_to(ROOT)}")
    print(f"{len(known)} cases, {differ} differ" if not options.update else f"{len(known)} cases written")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
