"""``certcheck rules``: the catalogue of finding codes; ``certcheck rules CODE`` explains one."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from certcheck.cli._common import EXIT_OK, UsageError

__all__ = ["register", "run"]

EPILOG = """\
examples:
  certcheck rules                          every code, its severity and summary
  certcheck rules pair.key_mismatch        what triggers it, how to fix it, an example
  certcheck rules chain.                   every chain code, explained
  certcheck rules --format markdown        docs/codes.md
"""


def register(sub: Any) -> None:
    rules = sub.add_parser(
        "rules",
        help="list every finding code, or explain one",
        description="List every finding code with its severity and source, or explain one code (or prefix).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    rules.add_argument("code", nargs="?", metavar="CODE|PREFIX", help="explain this code (or every code of a prefix)")
    rules.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="default text")
    rules.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json  # here, not at the top: every `certcheck` start imports this module to register it

    from certcheck.codes import catalogue, catalogue_markdown, explain_markdown

    codes = catalogue()
    if args.code is not None:
        from certcheck.selection import Selection, SelectionError, matches

        try:
            Selection.build([args.code], known=codes, names=("CODE", ""))
        except SelectionError as exc:
            raise UsageError(str(exc)) from None
        chosen = [c for c in codes.values() if matches(args.code, c.code)]
        if args.format == "json":
            data = [_as_dict(c) for c in chosen]
            print(json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False))
        elif args.format == "markdown":
            sys.stdout.write("\n".join(explain_markdown(c) for c in chosen))
        else:
            sys.stdout.write("\n".join(_explain_text(c) for c in chosen))
        return EXIT_OK
    if args.format == "markdown":
        sys.stdout.write(catalogue_markdown())
        return EXIT_OK
    if args.format == "json":
        print(json.dumps([_as_dict(c) for c in codes.values()], indent=2, ensure_ascii=False))
    else:
        for c in codes.values():
            print(f"{c.code:<32} {c.severity.value:<8} {c.summary}")
    return EXIT_OK


def _as_dict(code: Any) -> dict[str, Any]:
    from certcheck.codes import doc_url

    return {
        "code": code.code,
        "severity": code.severity.value,
        "summary": code.summary,
        "citation": code.citation,
        "trigger": code.trigger or None,
        "fix": code.fix or None,
        "example": code.example or None,
        "module": code.module,
        "url": doc_url(code.code),
    }


def _explain_text(code: Any) -> str:
    import textwrap

    from certcheck.codes import doc_url

    def block(title: str, text: str) -> list[str]:
        return [f"{title}:", *textwrap.wrap(text, 100, initial_indent="  ", subsequent_indent="  ")]

    lines = [f"{code.code} ({code.severity.value})", *textwrap.wrap(code.summary, 100, initial_indent="  ")]
    lines += block("source", code.citation)
    if code.trigger:
        lines += block("triggered by", code.trigger)
    if code.fix:
        lines += block("how to fix", code.fix)
    if code.example:
        lines += ["example:", f"  {code.severity.value:<7} {code.code}  {code.example}"]
    lines += [f"declared in: {code.module}", f"docs: {doc_url(code.code)}"]
    return "\n".join(lines) + "\n"
