"""Tags: Alibaba Cloud's common tag rules (no CAS-specific page exists; see reference/alibaba-api.md)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from certcheck.codes import ALIYUN_TAGS, API_2024, declare
from certcheck.model import Finding, Severity, looks_like_private_key
from certcheck.rules.engine import Context, rule

MAX_TAGS = 20
MAX_KEY = 128
MAX_VALUE = 128
RESERVED_PREFIXES = ("aliyun", "acs:")

TOO_MANY = declare(
    "tags.too_many",
    Severity.ERROR,
    "More than 20 tags.",
    ALIYUN_TAGS,
    trigger="More than 20 tags.",
    fix="Keep at most 20 tags.",
    example="21 tags given; a resource takes at most 20.",
)
KEY_EMPTY = declare(
    "tags.key_empty",
    Severity.ERROR,
    "A tag key is empty.",
    ALIYUN_TAGS,
    trigger="A tag with an empty key.",
    fix="Give the tag a key of 1 to 128 characters, or drop it.",
    example="Tags.1: the key is empty; a tag key has 1 to 128 characters.",
)
KEY_TOO_LONG = declare(
    "tags.key_too_long",
    Severity.ERROR,
    "A tag key is longer than 128 characters.",
    ALIYUN_TAGS,
    trigger="A tag key over 128 characters.",
    fix="Shorten the key.",
    example="Tags.1: the key is 129 characters; at most 128.",
)
KEY_RESERVED = declare(
    "tags.key_reserved",
    Severity.ERROR,
    "A tag key starts with 'aliyun' or 'acs:'.",
    ALIYUN_TAGS,
    trigger="A tag key starting with 'aliyun' or 'acs:', prefixes reserved for Alibaba Cloud's own tags.",
    fix="Choose another key.",
    example=(
        "Tags.1: the key 'acs:x' starts with a reserved prefix ('aliyun' or 'acs:'), kept for Alibaba Cloud's own tags."
    ),
)
KEY_URL = declare(
    "tags.key_url",
    Severity.ERROR,
    "A tag key contains http:// or https://.",
    ALIYUN_TAGS,
    trigger="A tag key containing http:// or https://.",
    fix="Drop the URL from the key.",
    example="Tags.1: the key contains http:// or https://, which tag keys may not.",
)
VALUE_TOO_LONG = declare(
    "tags.value_too_long",
    Severity.ERROR,
    "A tag value is longer than 128 characters.",
    ALIYUN_TAGS,
    trigger="A tag value over 128 characters.",
    fix="Shorten the value.",
    example="Tags.1: the value is 129 characters; at most 128.",
)
VALUE_URL = declare(
    "tags.value_url",
    Severity.ERROR,
    "A tag value contains http:// or https://.",
    ALIYUN_TAGS,
    trigger="A tag value containing http:// or https://.",
    fix="Drop the scheme (example.com rather than https://example.com).",
    example="Tags.1 ('k'): the value contains http:// or https://, which tag values may not.",
)
DUPLICATE = declare(
    "tags.duplicate_key",
    Severity.ERROR,
    "Two tags have the same key.",
    ALIYUN_TAGS,
    trigger="The same tag key given twice.",
    fix="Keep one tag per key.",
    example="the tag key 'k' appears 2 times; each key may appear once.",
)
NOT_IN_PROFILE = declare(
    "tags.not_in_profile",
    Severity.WARNING,
    "The 2024-07 API page has no Tags parameter.",
    API_2024,
    trigger="Tags given on the 2024-07 profile, whose API page has no Tags.",
    fix="Use the 2025-11 profile, or tag the certificate after upload.",
    example="Tags are not part of the 2024-07 API page; the service may ignore or refuse them.",
)


def _has_url(text: str) -> bool:
    lowered = text.lower()
    return "http://" in lowered or "https://" in lowered


@rule(
    TOO_MANY,
    KEY_EMPTY,
    KEY_TOO_LONG,
    KEY_RESERVED,
    KEY_URL,
    VALUE_TOO_LONG,
    VALUE_URL,
    DUPLICATE,
    NOT_IN_PROFILE,
)
def tags(ctx: Context) -> Iterator[Finding]:
    """At most 20 tags; keys 1..128 characters without reserved prefixes or URLs; values 0..128, no URLs."""
    given = list(ctx.docs.params.tags or ())
    if not given:
        return
    if not ctx.profile.tags_documented:
        yield NOT_IN_PROFILE(
            "Tags",
            f"Tags are not part of the {ctx.profile.name} API page; the service may ignore or refuse them.",
        )
    if len(given) > MAX_TAGS:
        yield TOO_MANY("Tags", f"{len(given)} tags given; a resource takes at most {MAX_TAGS}.")
    for i, tag in enumerate(given, 1):
        where = f"Tags.{i}"
        if looks_like_private_key(tag.key) or looks_like_private_key(tag.value):
            continue  # reported by fields.private_key_in_text, and never quoted
        if not tag.key:
            yield KEY_EMPTY("Tags", f"{where}: the key is empty; a tag key has 1 to {MAX_KEY} characters.")
        elif len(tag.key) > MAX_KEY:
            yield KEY_TOO_LONG("Tags", f"{where}: the key is {len(tag.key)} characters; at most {MAX_KEY}.")
        if tag.key.lower().startswith(RESERVED_PREFIXES):
            yield KEY_RESERVED(
                "Tags",
                f"{where}: the key {tag.key[:40]!r} starts with a reserved prefix "
                "('aliyun' or 'acs:'), kept for Alibaba Cloud's own tags.",
            )
        if _has_url(tag.key):
            yield KEY_URL("Tags", f"{where}: the key contains http:// or https://, which tag keys may not.")
        if len(tag.value) > MAX_VALUE:
            yield VALUE_TOO_LONG("Tags", f"{where}: the value is {len(tag.value)} characters; at most {MAX_VALUE}.")
        if _has_url(tag.value):
            yield VALUE_URL(
                "Tags",
                f"{where} ({tag.key[:40]!r}): the value contains http:// or https://, which tag values may not.",
            )
    for key, count in Counter(t.key for t in given).items():
        if count > 1 and key:
            yield DUPLICATE("Tags", f"the tag key {key[:40]!r} appears {count} times; each key may appear once.")
