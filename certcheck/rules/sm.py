"""SM2 dual certificates (TLCP): a signing pair and an encryption pair, each its own key pair.

Dual-certificate rules from GM/T 0024 / GB/T 38636 and GM/T 0015: the signing certificate signs
(digitalSignature), the encryption certificate carries keys (keyEncipherment, dataEncipherment or keyAgreement).
"""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import API_2025, GMT0015, GMT0024, declare
from certcheck.documents import Algorithm, Certificate, Kind
from certcheck.documents.certs import same_name
from certcheck.model import Finding, Severity
from certcheck.rules.engine import Context, rule

FIELD_MISSING = declare(
    "sm.field_missing",
    Severity.ERROR,
    "An SM request needs all four SM fields.",
    API_2025,
    trigger="An SM request missing one of SignCert, SignPrivateKey, EncryptCert, EncryptPrivateKey.",
    fix="Give all four SM fields, or Cert and Key for an RSA/EC certificate.",
    example=(
        "EncryptCert is missing: an SM request needs SignCert, SignPrivateKey, EncryptCert and EncryptPrivateKey (or "
        "use Cert and Key for an RSA/EC certificate)."
    ),
)
NOT_SM2 = declare(
    "sm.not_sm2",
    Severity.ERROR,
    "An SM field holds a certificate or key that is not SM2.",
    API_2025,
    trigger="An RSA or EC certificate or key in an SM field.",
    fix="Move RSA/EC material to Cert and Key; SM fields take SM2 only.",
    example=(
        "SignCert holds a RSA certificate (CN=demo.example.com): SM fields take SM2 certificates; an RSA/EC "
        "certificate goes in Cert, with its key in Key."
    ),
)
SIGN_USAGE = declare(
    "sm.sign_key_usage",
    Severity.ERROR,
    "The signing certificate does not allow digitalSignature.",
    GMT0015,
    trigger="A SignCert whose key usage does not allow digitalSignature.",
    fix="Put the signing certificate in SignCert (are the two certificates swapped?).",
    example=(
        "SignCert (CN=demo.example.com) does not allow digitalSignature (key usage: content_commitment): it cannot be "
        "the signing certificate."
    ),
)
ENCRYPT_USAGE = declare(
    "sm.encrypt_key_usage",
    Severity.ERROR,
    "The encryption certificate allows none of keyEncipherment, dataEncipherment, keyAgreement.",
    GMT0015,
    trigger="An EncryptCert whose key usage allows none of keyEncipherment, dataEncipherment or keyAgreement.",
    fix="Put the encryption certificate in EncryptCert (are the two certificates swapped?).",
    example=(
        "EncryptCert (CN=demo.example.com) allows none of keyEncipherment, dataEncipherment, keyAgreement (key usage: "
        "content_commitment, digital_signature): it cannot be the encryption certificate."
    ),
)
SWAPPED = declare(
    "sm.swapped",
    Severity.ERROR,
    "The signing and encryption pairs look swapped.",
    GMT0024,
    trigger="SignPrivateKey belongs to EncryptCert and EncryptPrivateKey to SignCert.",
    fix="Exchange the two key fields.",
    example=(
        "The keys are swapped: SignPrivateKey belongs to EncryptCert and EncryptPrivateKey to SignCert. Exchange the "
        "two key fields."
    ),
)
SAME_KEY = declare(
    "sm.same_key",
    Severity.ERROR,
    "The signing and encryption certificates share one key pair.",
    GMT0024,
    trigger="SignCert and EncryptCert certify the same key pair.",
    fix="TLCP needs two distinct pairs: request the encryption certificate for its own key.",
    example=(
        "SignCert and EncryptCert use the same key pair; TLCP needs two distinct pairs (the encryption pair usually "
        "comes from a key management centre)."
    ),
)
DIFFERENT_ISSUERS = declare(
    "sm.different_issuers",
    Severity.WARNING,
    "The signing and encryption certificates have different issuers.",
    GMT0024,
    trigger="An SM request whose signing and encryption certificates come from different CAs.",
    fix="Check that both certificates belong to the same dual-certificate issuance.",
    example=(
        "SignCert is issued by CN=certcheck Test SM2 Sub CA,O=certcheck test,C=CN but EncryptCert by CN=certcheck "
        "Other SM2 Root,O=certcheck test,C=CN: a dual-certificate pair normally comes from one CA."
    ),
)
DIFFERENT_SUBJECTS = declare(
    "sm.different_subjects",
    Severity.INFO,
    "The signing and encryption certificates have different subjects (common, e.g. 'server sign' / 'server enc').",
    GMT0024,
    trigger="An SM request whose signing and encryption certificates have different subjects.",
    fix="Check that both certificates were issued for the same server.",
    example=(
        "SignCert's subject (CN=demo.example.com,O=certcheck test,C=CN) differs from EncryptCert's "
        "(CN=other.example.com,O=certcheck test,C=CN)."
    ),
)

SM_IGNORED = declare(
    "sm.fields_ignored",
    Severity.WARNING,
    "SM fields are present but ignored because Cert and Key are given; they are left out of the normalized request.",
    API_2025,
    trigger="SM fields given together with Cert and Key: the API ignores them.",
    fix="Leave the SM fields out, or leave Cert and Key empty to upload the SM2 certificate.",
    example=(
        "SignCert ignored: the API ignores SM fields when Cert and Key are both given. They are left out of the "
        "normalized request and were not checked; to upload an SM2 certificate, leave Cert and Key empty."
    ),
)

_SM_FIELDS = ("SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey")
_ENC_USAGES = ("key_encipherment", "data_encipherment", "key_agreement")


@rule(SM_IGNORED, kinds=(Kind.STANDARD,))
def ignored(ctx: Context) -> Iterator[Finding]:
    """SM fields next to Cert and Key are ignored by the API (and so not checked)."""
    if ctx.docs.ignored:
        names = ", ".join(ctx.docs.ignored)
        yield SM_IGNORED(
            ctx.docs.ignored[0],
            f"{names} ignored: the API ignores SM fields when Cert and Key are "
            "both given. They are left out of the normalized request and were "
            "not checked; to upload an SM2 certificate, leave Cert and Key empty.",
        )


@rule(FIELD_MISSING, NOT_SM2, kinds=(Kind.SM,))
def shape(ctx: Context) -> Iterator[Finding]:
    """All four SM fields are given, and every certificate and key in them is SM2."""
    docs = ctx.docs
    if docs.kind is not Kind.SM:
        return
    missing = [f for f in _SM_FIELDS if not docs.params.given(f)]
    for name in missing:
        yield FIELD_MISSING(
            name,
            f"{name} is missing: an SM request needs SignCert, SignPrivateKey, EncryptCert "
            "and EncryptPrivateKey (or use Cert and Key for an RSA/EC certificate).",
        )
    for cert_field, key_field in docs.pairs:
        leaf = docs.leaf(cert_field)
        if leaf is not None and leaf.algorithm is not Algorithm.SM2:
            yield NOT_SM2(
                cert_field,
                f"{cert_field} holds a {leaf.algorithm.value} certificate ({leaf.subject}): "
                "SM fields take SM2 certificates; an RSA/EC certificate goes in Cert, with "
                "its key in Key.",
            )
        key = docs.keys.get(key_field)
        if key is not None and key.algorithm is not Algorithm.SM2:
            yield NOT_SM2(
                key_field,
                f"{key_field} holds a {key.algorithm.value} key: SM fields take SM2 keys; an RSA/EC key goes in Key.",
            )


def _usages(cert: Certificate) -> set[str] | None:
    ku = cert.key_usage
    if ku is None:
        return None  # no keyUsage extension: every usage is allowed (RFC 5280 4.2.1.3)
    names = ("digital_signature", "content_commitment", *_ENC_USAGES)
    return {n for n in names if getattr(ku, n)}


@rule(SIGN_USAGE, ENCRYPT_USAGE, SWAPPED, SAME_KEY, kinds=(Kind.SM,))
def roles(ctx: Context) -> Iterator[Finding]:
    """Signing certificate signs, encryption certificate encrypts, two distinct key pairs, not swapped."""
    docs = ctx.docs
    if docs.kind is not Kind.SM:
        return
    sign, enc = docs.leaf("SignCert"), docs.leaf("EncryptCert")
    sign_sm2 = sign is not None and sign.algorithm is Algorithm.SM2
    enc_sm2 = enc is not None and enc.algorithm is Algorithm.SM2
    sign_use = _usages(sign) if sign is not None and sign_sm2 else None
    enc_use = _usages(enc) if enc is not None and enc_sm2 else None
    sign_ok = sign_use is None or "digital_signature" in sign_use
    enc_ok = enc_use is None or bool(enc_use.intersection(_ENC_USAGES))
    usage_swapped = (
        sign_use is not None
        and enc_use is not None
        and not sign_ok
        and not enc_ok
        and bool(sign_use.intersection(_ENC_USAGES))
        and "digital_signature" in enc_use
    )
    keys_crossed = docs.swapped
    if keys_crossed and usage_swapped:
        # Each key sits with its certificate's role reversed: the certificates are in each other's field.
        yield SWAPPED(
            "SignCert",
            "The certificates are swapped: SignCert holds the encryption certificate (key encipherment) and "
            "EncryptCert the signing certificate (digitalSignature), while each key is in its role's field. "
            "Exchange SignCert and EncryptCert.",
        )
    elif keys_crossed:
        ambiguous = sign_use is None or enc_use is None
        yield SWAPPED(
            "SignPrivateKey",
            "The keys are swapped: SignPrivateKey belongs to EncryptCert and EncryptPrivateKey to SignCert. "
            "Exchange the two key fields"
            + (
                " (or the two certificate fields, if the certificates are the ones misplaced: their key usage "
                "does not tell)."
                if ambiguous
                else "."
            ),
        )
    elif usage_swapped:
        yield SWAPPED(
            "SignCert",
            "The pairs are swapped: the certificate in SignCert is an encryption "
            "certificate (key usage: key encipherment) and the one in EncryptCert is a signing "
            "certificate (digitalSignature). Exchange SignCert/SignPrivateKey with "
            "EncryptCert/EncryptPrivateKey.",
        )
    if not usage_swapped:
        if sign is not None and not sign_ok:
            yield SIGN_USAGE(
                "SignCert",
                f"SignCert ({sign.subject}) does not allow digitalSignature (key usage: "
                f"{_show(sign_use)}): it cannot be the signing certificate.",
            )
        if enc is not None and not enc_ok:
            yield ENCRYPT_USAGE(
                "EncryptCert",
                f"EncryptCert ({enc.subject}) allows none of keyEncipherment, "
                f"dataEncipherment, keyAgreement (key usage: {_show(enc_use)}): it "
                "cannot be the encryption certificate.",
            )
    if sign is not None and enc is not None and sign_sm2 and enc_sm2 and sign.point and enc.point:
        same_cert_key = sign.point == enc.point
        sign_key, enc_key = docs.keys.get("SignPrivateKey"), docs.keys.get("EncryptPrivateKey")
        same_private = (
            sign_key is not None
            and enc_key is not None
            and sign_key.sm2_d is not None
            and sign_key.sm2_d == enc_key.sm2_d
        )
        if same_cert_key or same_private:
            yield SAME_KEY(
                "EncryptCert",
                "SignCert and EncryptCert use the same key pair; TLCP needs two distinct "
                "pairs (the encryption pair usually comes from a key management centre).",
            )


@rule(DIFFERENT_ISSUERS, DIFFERENT_SUBJECTS, kinds=(Kind.SM,))
def issuers_and_subjects(ctx: Context) -> Iterator[Finding]:
    """Both certificates usually come from one CA for one subject."""
    docs = ctx.docs
    if docs.kind is not Kind.SM:
        return
    sign, enc = docs.leaf("SignCert"), docs.leaf("EncryptCert")
    if sign is None or enc is None or not (sign.algorithm is enc.algorithm is Algorithm.SM2):
        return
    if not same_name(sign, "issuer", enc, "issuer"):
        yield DIFFERENT_ISSUERS(
            "EncryptCert",
            f"SignCert is issued by {sign.issuer_full} but EncryptCert by "
            f"{enc.issuer_full}: a dual-certificate pair normally comes from one CA.",
        )
    if not same_name(sign, "subject", enc, "subject"):
        yield DIFFERENT_SUBJECTS(
            "EncryptCert", f"SignCert's subject ({sign.subject_full}) differs from EncryptCert's ({enc.subject_full})."
        )


def _show(usages: set[str] | None) -> str:
    return ", ".join(sorted(usages)) if usages else "none"
