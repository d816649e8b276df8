"""API versions: the limits each UploadUserCertificate page documents.

``2025-11`` (the page updated 2025-11-04) is the contract and the default; ``2024-07`` is the older page, for
accounts or tools that still follow it. See README "Decisions" for how contradictions were settled.
"""

from __future__ import annotations

from certcheck._record import Record
from certcheck.codes import API_2024, API_2025
from certcheck.redaction import quote

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "get_profile"]


class Profile(Record):
    __slots__ = ("citation", "name", "name_max_chars", "name_required", "name_strict_charset", "tags_documented")
    name: str
    citation: str
    name_required: bool
    name_max_chars: int
    name_strict_charset: bool  # letters, digits, underscores (and hyphens, see README) only
    tags_documented: bool

    def __init__(
        self,
        name: str,
        citation: str,
        *,
        name_required: bool,
        name_max_chars: int,
        name_strict_charset: bool,
        tags_documented: bool,
    ) -> None:
        self._set(
            name=name,
            citation=citation,
            name_required=name_required,
            name_max_chars=name_max_chars,
            name_strict_charset=name_strict_charset,
            tags_documented=tags_documented,
        )


PROFILES = {
    "2025-11": Profile(
        "2025-11",
        API_2025,
        name_required=True,
        name_max_chars=64,
        name_strict_charset=True,
        tags_documented=True,
    ),
    "2024-07": Profile(
        "2024-07",
        API_2024,
        name_required=False,
        name_max_chars=128,
        name_strict_charset=False,
        tags_documented=False,
    ),
}
DEFAULT_PROFILE = PROFILES["2025-11"]


def get_profile(profile: str | Profile) -> Profile:
    if isinstance(profile, Profile):
        return profile
    try:
        return PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown profile {quote(profile)}; choose one of {', '.join(PROFILES)}") from None
