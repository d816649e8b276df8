"""ResourceGroupId: Alibaba Cloud resource group IDs look like ``rg-`` + lower-case letters and digits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from certcheck.codes import API_2025, CERTCHECK, declare
from certcheck.model import Finding, Severity, looks_like_private_key
from certcheck.rules.engine import Context, rule

_SHAPE = re.compile(r"rg-[a-z0-9]+")
# Real IDs are about 20 characters (rg-acfmwaly5wywpsy); the API page gives no maximum, so certcheck sets a
# generous one (README "Decisions") rather than let a megabyte of rg-aaa... through.
MAX_CHARS = 64

MALFORMED = declare(
    "resource_group.malformed",
    Severity.ERROR,
    "ResourceGroupId is not shaped like rg- followed by lower-case letters and digits.",
    f"{API_2025}: ResourceGroupId, e.g. rg-ae****vty",
    trigger=(
        "A ResourceGroupId that is not 'rg-' followed by lower-case letters and digits (e.g. the documentation's "
        "masked rg-ae****vty)."
    ),
    fix="Copy the real ID from the Resource Management console.",
    example=(
        "ResourceGroupId 'rg-ae****vty' is not a resource group ID: expected 'rg-' followed by lower-case letters and "
        "digits (the documentation's example masks it with ****: use the real ID)."
    ),
)

TOO_LONG = declare(
    "resource_group.too_long",
    Severity.ERROR,
    f"ResourceGroupId is longer than {MAX_CHARS} characters; real resource group IDs are about 20.",
    f"{CERTCHECK}; {API_2025}: ResourceGroupId",
    trigger="A ResourceGroupId over 64 characters.",
    fix="Copy the real ID (rg- and about 15 letters and digits) from the Resource Management console.",
    example=(
        "ResourceGroupId is 1,000,003 characters ('rg-aaaaaaaaaaaaaaaaaaaaa'...); a resource group ID is 'rg-' and "
        "about 15 letters and digits (at most 64 accepted). Copy the ID from the Resource Management console."
    ),
)


@rule(MALFORMED, TOO_LONG)
def shape(ctx: Context) -> Iterator[Finding]:
    """ResourceGroupId, when given, looks like rg-acfmxyz123 and is not absurdly long."""
    value = ctx.docs.params.resource_group_id
    if not value or looks_like_private_key(value):  # empty is not given; a pasted key is fields.private_key_in_text
        return
    if len(value) > MAX_CHARS:
        yield TOO_LONG(
            "ResourceGroupId",
            f"ResourceGroupId is {len(value):,} characters ({value[:24]!r}...); a resource group ID is "
            f"'rg-' and about 15 letters and digits (at most {MAX_CHARS} accepted). Copy the ID from the "
            "Resource Management console.",
        )
        return
    if not _SHAPE.fullmatch(value):
        hint = " (the documentation's example masks it with ****: use the real ID)" if "*" in value else ""
        yield MALFORMED(
            "ResourceGroupId",
            f"ResourceGroupId {value[:70]!r} is not a resource group ID: expected "
            f"'rg-' followed by lower-case letters and digits{hint}.",
        )
