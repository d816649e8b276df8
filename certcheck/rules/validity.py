"""Validity at a given time (``--at``, default now): expired, not yet valid, expiring soon."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import RFC5280, declare
from certcheck.documents.chain import unneeded_expired
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

EXPIRED = declare("validity.expired", Severity.ERROR, "A certificate has expired.", RFC5280)
NOT_YET_VALID = declare("validity.not_yet_valid", Severity.WARNING, "A certificate is not valid yet.", RFC5280)
EXPIRING_SOON = declare(
    "validity.expiring_soon",
    Severity.WARNING,
    "A certificate expires within the warning window (30 days unless configured).",
    RFC5280,
)

INVERTED = declare(
    "validity.inverted",
    Severity.ERROR,
    "A certificate's notAfter is before its notBefore: it is valid at no time at all.",
    "RFC 5280 section 4.1.2.5 (validity)",
)


def _when(delta_days: float) -> str:
    days = abs(delta_days)
    return f"{days:.0f} day{'s' if round(days) != 1 else ''}" if days >= 1 else "less than a day"


@rule(EXPIRED, NOT_YET_VALID, EXPIRING_SOON, INVERTED)
def dates(ctx: Context) -> Iterator[Finding]:
    """Every certificate of the chain is valid at the checked time, and not about to expire."""
    at = ctx.at
    for cert_field in ctx.docs.cert_fields:
        chain = ctx.docs.chain(cert_field)
        unneeded = unneeded_expired(chain, at) if chain else None
        for cert in chain.ordered if chain else ():
            stamp = f"(checked at {at:%Y-%m-%d %H:%M} UTC)"
            if cert.not_after < cert.not_before:
                yield INVERTED(
                    cert_field,
                    f"{cert_field}: {cert.label()} is valid from {cert.not_before:%Y-%m-%d %H:%M} until "
                    f"{cert.not_after:%Y-%m-%d %H:%M}, which is earlier: it is valid at no time (a broken "
                    "issuing tool?). Have it re-issued.",
                )
            elif cert is unneeded:
                continue  # reported by chain.expired_unneeded, and left out of the normalized request
            elif cert.not_after < at:
                ago = (at - cert.not_after).total_seconds() / 86400
                yield EXPIRED(
                    cert_field,
                    f"{cert_field}: {cert.label()} expired {cert.not_after:%Y-%m-%d} ({_when(ago)} ago) {stamp}.",
                )
            elif cert.not_before > at:
                ahead = (cert.not_before - at).total_seconds() / 86400
                yield NOT_YET_VALID(
                    cert_field,
                    f"{cert_field}: {cert.label()} is valid only from "
                    f"{cert.not_before:%Y-%m-%d %H:%M} ({_when(ahead)} from now) {stamp}; "
                    "clients will reject it until then (clock skew or a future "
                    "renewal?).",
                )
            elif cert.not_after - at <= ctx.expiry_warning:
                left = (cert.not_after - at).total_seconds() / 86400
                yield EXPIRING_SOON(
                    cert_field,
                    f"{cert_field}: {cert.label()} expires {cert.not_after:%Y-%m-%d} "
                    f"({_when(left)} left) {stamp}: renew it before uploading.",
                )
