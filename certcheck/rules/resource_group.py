"""ResourceGroupId: Alibaba Cloud resource group IDs look like ``rg-`` + lower-case letters and digits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from certcheck.codes import API_2025, declare
from certcheck.model import Finding, Severity, looks_like_private_key
from certcheck.rules.engine import Context, rule

_SHAPE = re.compile(r"rg-[a-z0-9]+")

MALFORMED = declare(
    "resource_group.malformed",
    Severity.ERROR,
    "ResourceGroupId is not shaped like rg- followed by lower-case letters and digits.",
    f"{API_2025}: ResourceGroupId, e.g. rg-ae****vty",
)


@rule(MALFORMED)
def shape(ctx: Context) -> Iterator[Finding]:
    """ResourceGroupId, when given, looks like rg-acfmxyz123."""
    value = ctx.docs.params.resource_group_id
    if not value or looks_like_private_key(value):  # empty is not given; a pasted key is fields.private_key_in_text
        return
    if not _SHAPE.fullmatch(value):
        hint = " (the documentation's example masks it with ****: use the real ID)" if "*" in value else ""
        yield MALFORMED(
            "ResourceGroupId",
            f"ResourceGroupId {value[:70]!r} is not a resource group ID: expected "
            f"'rg-' followed by lower-case letters and digits{hint}.",
        )
