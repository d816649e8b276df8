"""Finding codes: declared once, with severity, summary and citation, next to the code that raises them.

Codes are API: users put them in ignore lists, so a code is never renamed. ``catalogue()`` lists every code
(it imports every module that declares some), and ``docs/codes.md`` is generated from it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from certcheck.model import Finding, Severity

__all__ = [
    "DOCS_URL",
    "PROJECT_URL",
    "Code",
    "anchor",
    "catalogue",
    "catalogue_markdown",
    "declare",
    "doc_url",
    "explain_markdown",
]

# Where the project lives; pyproject's [project.urls] says the same (a test checks they agree).
PROJECT_URL = "https://github.com/certcheck/certcheck"
DOCS_URL = f"{PROJECT_URL}/blob/main/docs/codes.md"

# Sources cited by the codes; short names keep the declarations readable.
API_2025 = "UploadUserCertificate API reference (updated 2025-11-04)"
API_2024 = "UploadUserCertificate API reference (updated 2024-07-31)"
ALIYUN_TAGS = "Alibaba Cloud tag rules (at most 20 tags; key 1..128, value 0..128, no aliyun/acs: prefix, no URLs)"
ALIYUN_CDN_PEM = "Alibaba Cloud CDN certificate format guide (leaf first, 64-column base64, no blank lines)"
RFC5280 = "RFC 5280 (X.509 certificate and path validation)"
RFC7468 = "RFC 7468 (textual encodings of PKIX structures)"
RFC8017 = "RFC 8017 (PKCS #1 RSA private keys)"
RFC5958 = "RFC 5958 / RFC 5208 (PKCS #8 private keys)"
RFC5915 = "RFC 5915 (SEC1 EC private keys)"
CABF = "CA/Browser Forum Baseline Requirements 6.1.5 and 7.1.3 (key sizes, SHA-1)"
GMT0003 = "GB/T 32918 / GM/T 0003 (SM2)"
GMT0009 = "GB/T 35276 / GM/T 0009 (SM2 usage, default user ID)"
GMT0015 = "GM/T 0015 (SM2 certificate profile)"
GMT0024 = "GB/T 38636 / GM/T 0024 (TLCP dual certificates)"
CERTCHECK = "certcheck policy (see README, 'Decisions')"

_CATALOGUE: dict[str, Code] = {}


@dataclass(frozen=True)
class Code:
    """A finding that some part of certcheck can raise."""

    code: str
    severity: Severity
    summary: str
    citation: str
    module: str = ""  # where it is declared (and raised): what a newcomer opens to find the rule
    # For `certcheck rules CODE`, docs/codes.md and SARIF help: what input raises it, how to fix that, and a
    # finding as certcheck prints it. Optional, so a declaration may start with the four above.
    trigger: str = ""
    fix: str = ""
    example: str = ""

    def __call__(self, field: str | None, message: str) -> Finding:
        return Finding(self.code, self.severity, field, message)


def declare(
    code: str, severity: Severity, summary: str, citation: str, *, trigger: str = "", fix: str = "", example: str = ""
) -> Code:
    if code in _CATALOGUE:
        raise RuntimeError(f"finding code {code} declared twice")
    if code != code.lower() or "." not in code:
        raise RuntimeError(f"finding code {code} must be dotted lower case")
    module = sys._getframe(1).f_globals.get("__name__", "")
    declared = Code(code, severity, summary, citation, module, trigger, fix, example)
    _CATALOGUE[code] = declared
    return declared


def anchor(code: str) -> str:
    """The HTML id of a code's section in docs/codes.md (the code itself: dotted names are valid ids)."""
    return code


def doc_url(code: str) -> str:
    """Where a code is explained: its section of docs/codes.md (SARIF helpUri, the HTML estate report)."""
    return f"{DOCS_URL}#{anchor(code)}"


def catalogue() -> dict[str, Code]:
    """Every declared code, by name."""
    import certcheck.documents
    import certcheck.rules  # noqa: F401  (declares the rules' codes)

    return dict(sorted(_CATALOGUE.items()))


RULE_CRASHED = declare(
    "rule.crashed",
    Severity.ERROR,
    "A rule raised an exception on this request; the request could not be fully checked.",
    CERTCHECK,
    trigger="A rule (or the parser) raised an exception on this request: a bug in certcheck.",
    fix="Report it with the shape of the input (never the key); the request was not fully checked.",
    example=(
        "rule chain.order crashed (ValueError); the request was not fully checked. Please report this with the "
        "input's shape."
    ),
)


def explain_markdown(code: Code) -> str:
    """One code's section of docs/codes.md, under an anchor that SARIF and the HTML report link to."""
    lines = [
        f'<a id="{anchor(code.code)}"></a>',
        "",
        f"### `{code.code}`",
        "",
        f"**{code.severity.value}**: {code.summary}",
        "",
    ]
    if code.trigger:
        lines += [f"- **Triggered by:** {code.trigger}"]
    if code.fix:
        lines += [f"- **How to fix:** {code.fix}"]
    if code.example:
        lines += [f"- **Example:** `{code.severity.value} {code.code}  {code.example}`"]
    lines += [f"- **Source:** {code.citation}", f"- **Declared in:** `{code.module}`", ""]
    return "\n".join(lines) + "\n"


def catalogue_markdown() -> str:
    """docs/codes.md: every code, its severity, what it means and where the rule comes from; then a section
    per code (trigger, fix, example) under an anchor named after the code."""
    codes = catalogue()
    lines = [
        "# Finding codes",
        "",
        "Generated by `certcheck rules --format markdown`; a test keeps it in step with the code. Codes are stable:",
        "a code is never renamed, so ignore lists keep working. `certcheck rules CODE` prints one code's section.",
        "",
        "| code | severity | meaning | source | declared in |",
        "|---|---|---|---|---|",
    ]
    for code in codes.values():
        lines.append(
            f"| [`{code.code}`](#{anchor(code.code)}) | {code.severity.value} | {code.summary} | {code.citation} "
            f"| `{code.module}` |"
        )
    lines += ["", "## Each code", ""]
    return "\n".join(lines) + "\n" + "\n".join(explain_markdown(code) for code in codes.values())
