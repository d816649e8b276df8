"""Which fields make a request: Cert+Key (standard) or the four SM fields, and what the API ignores."""

from __future__ import annotations

from collections.abc import Iterator

from certcheck.codes import API_2025, declare
from certcheck.documents import Algorithm, Kind
from certcheck.model import Finding, Severity, looks_like_private_key
from certcheck.rules.engine import Context, rule

EMPTY = declare(
    "fields.empty",
    Severity.ERROR,
    "The request has neither Cert+Key nor the SM fields.",
    API_2025,
    trigger="Neither Cert and Key nor the four SM fields are given.",
    fix="Give Cert and Key (RSA/EC), or SignCert, SignPrivateKey, EncryptCert and EncryptPrivateKey (SM2).",
    example=(
        "Nothing to upload: give Cert and Key (RSA/EC), or SignCert, SignPrivateKey, EncryptCert and "
        "EncryptPrivateKey (SM2)."
    ),
)
CERT_WITHOUT_KEY = declare(
    "fields.cert_without_key",
    Severity.ERROR,
    "Cert is given without Key.",
    API_2025,
    trigger="Cert is given and Key is empty.",
    fix="Give the private key of the leaf certificate in Key.",
    example="Cert is given but Key is empty: give the certificate's private key.",
)
KEY_WITHOUT_CERT = declare(
    "fields.key_without_cert",
    Severity.ERROR,
    "Key is given without Cert.",
    API_2025,
    trigger="Key is given and Cert is empty.",
    fix="Give the certificate and its chain in Cert.",
    example="Key is given but Cert is empty: give the certificate (with its chain).",
)
KEY_IN_TEXT = declare(
    "fields.private_key_in_text",
    Severity.ERROR,
    "A private key was pasted into Name, ResourceGroupId or a tag; it is redacted in all output.",
    "certcheck policy (see README, 'Decisions')",
    trigger="A private key pasted into Name, ResourceGroupId or a tag key or value.",
    fix="Put the key in its key field and give a short name; treat the pasted key as exposed if it was ever sent.",
    example=(
        "ResourceGroupId holds a private key: it would be stored and displayed in clear. Put the key in its key field "
        "and give a short name here; the value is redacted in certcheck's output."
    ),
)
SM2_IN_CERT = declare(
    "fields.sm2_in_cert",
    Severity.ERROR,
    "An SM2 certificate or key was given in Cert/Key; "
    "SM2 goes in SignCert/SignPrivateKey and EncryptCert/EncryptPrivateKey.",
    API_2025,
    trigger="An SM2 certificate or key given in Cert/Key.",
    fix="Move SM2 material to SignCert/SignPrivateKey and EncryptCert/EncryptPrivateKey and leave Cert and Key empty.",
    example=(
        "Cert holds an SM2 certificate (CN=demo.example.com): the API takes SM2 certificates as SignCert + "
        "SignPrivateKey and EncryptCert + EncryptPrivateKey, with Cert and Key left empty."
    ),
)


@rule(EMPTY, CERT_WITHOUT_KEY, KEY_WITHOUT_CERT)
def presence(ctx: Context) -> Iterator[Finding]:
    """Cert and Key come together; something must be given."""
    params = ctx.docs.params
    if ctx.docs.kind is None:
        yield EMPTY(
            None,
            "Nothing to upload: give Cert and Key (RSA/EC), or SignCert, SignPrivateKey, EncryptCert "
            "and EncryptPrivateKey (SM2).",
        )
        return
    has_cert, has_key = params.given("Cert"), params.given("Key")
    if ctx.docs.kind is Kind.SM:
        # In an SM request the lone field is the mistake: point at it, and say it should go.
        if has_cert != has_key:
            lone, other = ("Cert", "Key") if has_cert else ("Key", "Cert")
            code = CERT_WITHOUT_KEY if has_cert else KEY_WITHOUT_CERT
            yield code(
                lone,
                f"{lone} is given without {other} in an SM request, which uses only the four SM fields: remove {lone}.",
            )
    elif has_cert and not has_key:
        yield CERT_WITHOUT_KEY("Key", "Cert is given but Key is empty: give the certificate's private key.")
    elif has_key and not has_cert:
        yield KEY_WITHOUT_CERT("Cert", "Key is given but Cert is empty: give the certificate (with its chain).")


@rule(SM2_IN_CERT, kinds=(Kind.STANDARD,))
def sm2_in_standard_fields(ctx: Context) -> Iterator[Finding]:
    """An SM2 certificate or key in Cert/Key belongs in the SM fields."""
    if ctx.docs.kind is not Kind.STANDARD:
        return
    leaf = ctx.docs.leaf("Cert")
    if leaf is not None and leaf.algorithm is Algorithm.SM2:
        yield SM2_IN_CERT(
            "Cert",
            f"Cert holds an SM2 certificate ({leaf.subject}): the API takes SM2 "
            "certificates as SignCert + SignPrivateKey and EncryptCert + EncryptPrivateKey, "
            "with Cert and Key left empty.",
        )
    key = ctx.docs.keys.get("Key")
    if key is not None and key.algorithm is Algorithm.SM2:
        yield SM2_IN_CERT(
            "Key",
            "Key holds an SM2 private key: give it as SignPrivateKey or EncryptPrivateKey, "
            "with Cert and Key left empty.",
        )


@rule(KEY_IN_TEXT)
def private_key_in_text(ctx: Context) -> Iterator[Finding]:
    """No private key in a text parameter: it would be sent, logged and shown by the console in clear."""
    params = ctx.docs.params
    texts = [("Name", params.name), ("ResourceGroupId", params.resource_group_id)]
    texts += [("Tags", text) for tag in params.tags or () for text in (tag.key, tag.value)]
    for field_name, text in texts:
        if text is not None and looks_like_private_key(text):
            yield KEY_IN_TEXT(
                field_name,
                f"{field_name} holds a private key: it would be stored and displayed in clear. Put the key in its "
                "key field and give a short name here; the value is redacted in certcheck's output.",
            )
