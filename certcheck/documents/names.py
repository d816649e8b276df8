"""Distinguished names compared the way RFC 5280 section 7.1 says path validation must compare them.

Issuer and subject names match when their RDNs hold the same attribute types with values that are equal after
RFC 4518 string preparation: Unicode NFKC, case folded, insignificant whitespace removed (leading and trailing
spaces dropped, inner runs of spaces collapsed to one), whatever the string type (PrintableString, UTF8String,
...). So ``CN=Good     CA``, ``CN=GOOD CA`` and ``CN=Good CA`` are one name, as every TLS client treats them.
"""

from __future__ import annotations

import unicodedata

from cryptography.x509 import Name

__all__ = ["Comparable", "comparable", "prepare"]

Comparable = tuple[frozenset[tuple[str, object]], ...]


def prepare(value: str) -> str:
    """RFC 4518 caseIgnoreMatch preparation, simplified to what matters for names on certificates."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def comparable(name: Name) -> Comparable:
    """A form of ``name`` in which two names that RFC 5280 7.1 calls equal are equal (==) and hashable."""
    return tuple(
        frozenset(
            (attr.oid.dotted_string, prepare(attr.value) if isinstance(attr.value, str) else attr.value) for attr in rdn
        )
        for rdn in name.rdns
    )
