"""Validity at a given time (``--at``, default now): expired, not yet valid, expiring soon."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import RFC5280, declare
from certcheck.documents.chain import unneeded_expired
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

EXPIRED = declare(
    "validity.expired",
    Severity.ERROR,
    "A certificate has expired.",
    RFC5280,
    trigger="A certificate of the chain whose notAfter is before the time checked (now, or --at).",
    fix="Renew the certificate (or the intermediate) and upload the new one.",
    example=(
        "Cert: certificate 1 (CN=demo.example.com) expired 2025-01-01 (516 days ago) (checked at 2026-06-01 00:00 UTC)."
    ),
)
NOT_YET_VALID = declare(
    "validity.not_yet_valid",
    Severity.WARNING,
    "A certificate is not valid yet.",
    RFC5280,
    trigger="A certificate of the chain whose notBefore is after the time checked.",
    fix="Wait until it is valid, or check the clock of the machine that issued or checks it.",
    example=(
        "Cert: certificate 1 (CN=demo.example.com) is valid only from 2027-01-01 00:00 (214 days from now) (checked "
        "at 2026-06-01 00:00 UTC); clients will reject it until then (clock skew or a future renewal?)."
    ),
)
EXPIRING_SOON = declare(
    "validity.expiring_soon",
    Severity.WARNING,
    "A certificate expires within the warning window (30 days unless configured).",
    RFC5280,
    trigger="A certificate of the chain that expires within --expiry-warning-days (default 30).",
    fix="Renew it before uploading, or accept it knowingly (--expiry-warning-days 0).",
    example=(
        "Cert: certificate 1 (CN=demo.example.com) expires 2026-06-15 (14 days left) (checked at 2026-06-01 00:00 "
        "UTC): renew it before uploading."
    ),
)

INVERTED = declare(
    "validity.inverted",
    Severity.ERROR,
    "A certificate's notAfter is before its notBefore: it is valid at no time at all.",
    "RFC 5280 section 4.1.2.5 (validity)",
    trigger="A certificate whose notAfter is earlier than its notBefore (a broken issuing tool).",
    fix="Have the certificate re-issued.",
    example=(
        "Cert: certificate 1 (CN=example.com) is valid from 2035-01-01 00:00 until 2025-01-01 00:00, which is "
        "earlier: it is valid at no time (a broken issuing tool?). Have it re-issued."
    ),
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
