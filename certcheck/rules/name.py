"""The Name parameter: required (2025 page), length in characters, and which characters.

Decision (README "Decisions"): the 2025 page allows "letters, digits and underscores" but its own example is
``cert-1``. certcheck accepts letters (any script), digits, underscores and hyphens silently; any other printable
character is a warning (the service may refuse it); control and format characters are an error.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from certcheck.codes import declare
from certcheck.model import Finding, Severity, looks_like_private_key
from certcheck.rules.engine import Context, rule

MISSING = declare(
    "name.missing",
    Severity.ERROR,
    "Name is required by the 2025-11 API page.",
    "UploadUserCertificate API reference (updated 2025-11-04): Name, required",
    trigger="No Name (the 2025-11 API page requires it).",
    fix="Give a unique Name, e.g. example_com_2026.",
    example="Name is required (profile 2025-11): give a unique name of at most 64 characters, e.g. example_com_2026.",
)
TOO_LONG = declare(
    "name.too_long",
    Severity.ERROR,
    "Name is longer than the profile allows (64 characters on "
    "the 2025-11 page, 128 on 2024-07), counted in characters, not bytes.",
    "UploadUserCertificate API reference: Name",
    trigger="A Name over 64 characters (128 on the 2024-07 profile).",
    fix="Shorten it, e.g. drop a date or a domain suffix.",
    example=(
        "Name is 65 characters; profile 2025-11 allows at most 64. Shorten it (e.g. drop the date or domain suffix)."
    ),
)
CHARACTERS = declare(
    "name.characters",
    Severity.WARNING,
    "Name has characters other than letters, digits, underscores and hyphens, or surrounding spaces.",
    "UploadUserCertificate API reference (updated 2025-11-04): Name; README 'Decisions'",
    trigger="A Name with characters other than letters, digits, '_' and '-' (dots, spaces, ':', '%'...).",
    fix="Replace them with '_' (example_com rather than example.com).",
    example=(
        "Name contains '.': the 2025-11 page allows letters, digits and underscores (certcheck also accepts hyphens, "
        "as the page's own example cert-1 does). The service may refuse it; '_' is a safe replacement."
    ),
)
# Raised by certcheck.bulk, not by the rule below: it needs the whole run (the Names of the other requests).
DUPLICATE_IN_RUN = declare(
    "name.duplicate_in_run",
    Severity.ERROR,
    "Two or more requests of one run use the same Name; certificate names must be unique, so the second upload "
    "would fail. Reported on every request that uses it.",
    "UploadUserCertificate API reference (updated 2025-11-04): Name (unique per account)",
    trigger="certcheck bulk derived the same Name for two directories (certbot's and acme.sh's example.com), or "
    "two manifest lines give the same Name.",
    fix="Rename one: give the manifest line its own Name, or rename the directory the Name is derived from.",
    example=(
        "Name 'example_com' is used by another request of this run: certificate names must be unique, so only one of "
        "them can be uploaded. Rename one."
    ),
)
CONTROL = declare(
    "name.control_characters",
    Severity.ERROR,
    "Name contains control or invisible format characters.",
    "certcheck policy (see README, 'Decisions')",
    trigger=(
        "A Name with control, invisible or unencodable characters (tabs, newlines, zero-width spaces), usually from a "
        "copy-paste."
    ),
    fix="Type the Name again.",
    example=(
        "Name contains control, invisible or unencodable characters (U+0009): they are invisible in the console and "
        "usually come from a copy-paste."
    ),
)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def _is_plain(ch: str) -> bool:
    # Combining marks belong to the letter before them (a decomposed "é" is "e" + U+0301).
    return ch.isalnum() or ch in "_-" or unicodedata.category(ch) in ("Mn", "Mc", "Me")


@rule(MISSING, TOO_LONG, CHARACTERS, CONTROL)
def name(ctx: Context) -> Iterator[Finding]:
    """Name is present, short enough, and made of characters the service takes."""
    value = ctx.docs.params.name
    profile = ctx.profile
    if value is not None and looks_like_private_key(value):
        return  # reported by fields.private_key_in_text
    if value is None or not value.strip():
        if profile.name_required:
            yield MISSING(
                "Name",
                f"Name is required (profile {profile.name}): give a unique name of at most "
                f"{profile.name_max_chars} characters, e.g. example_com_2026.",
            )
        return
    length = len(value)  # code points: what the API counts as characters
    if length > profile.name_max_chars:
        yield TOO_LONG(
            "Name",
            f"Name is {length} characters; profile {profile.name} allows at most "
            f"{profile.name_max_chars}. Shorten it (e.g. drop the date or domain suffix).",
        )
        if length > 100 * profile.name_max_chars:
            return  # not a name at all (a pasted file?): no point inspecting megabytes character by character
    controls = sorted({f"U+{ord(c):04X}" for c in value if _is_control(c)})
    if controls:
        yield CONTROL(
            "Name",
            f"Name contains control, invisible or unencodable characters ({', '.join(controls[:5])}): "
            "they are invisible in the console and usually come from a copy-paste.",
        )
    if value != value.strip():
        yield CHARACTERS(
            "Name",
            "Name has leading or trailing spaces: the console will show them, and later lookups by name will miss.",
        )
    if profile.name_strict_charset:
        odd = sorted({c for c in value.strip() if not _is_plain(c) and not _is_control(c)})
        if odd:
            shown = " ".join(repr(c) for c in odd[:8])
            yield CHARACTERS(
                "Name",
                f"Name contains {shown}: the {profile.name} page allows letters, digits and "
                "underscores (certcheck also accepts hyphens, as the page's own example "
                "cert-1 does). The service may refuse it; '_' is a safe replacement.",
            )
