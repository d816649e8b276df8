"""UploadRequest: exactly what UploadUserCertificate should receive, built from a validated request.

Canonical PEM (LF, 64 columns, leaf first, no blank lines, no text outside blocks), the SM fields left out when
the API would ignore them, and a ClientToken derived from the content so a retried upload is idempotent.
Private keys are redacted everywhere except ``api_params()``, the one call that hands them to a transport.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from certcheck import pem
from certcheck._record import lazy
from certcheck.documents import Documents
from certcheck.documents.chain import unneeded_expired
from certcheck.model import KEY_FIELDS, Tag, redact, shown

__all__ = ["Leaf", "UploadRequest", "build_request"]

# The API takes 20 tags; a request with thousands is refused (tags.too_many) and shows only the first ones.
MAX_TAGS_SHOWN = 40

_ORDER = (
    "Name",
    "Cert",
    "Key",
    "EncryptCert",
    "EncryptPrivateKey",
    "SignCert",
    "SignPrivateKey",
    "ResourceGroupId",
)


@dataclass(frozen=True)
class Leaf:
    """Facts about the request's leaf certificate (Cert, or SignCert for an SM request), read once at validation
    so uploaders can look the certificate up (serial, digest, common name) without parsing PEM again."""

    field: str
    serial: int
    sha256: str  # hex SHA-256 of the leaf's DER
    common_name: str | None


@dataclass(frozen=True, repr=False)
class UploadRequest:
    """The normalized request. ``fields`` maps API names to values (PEM text for certificates and keys)."""

    fields: tuple[tuple[str, str], ...]
    tags: tuple[Tag, ...] = ()
    leaf: Leaf | None = field(default=None, compare=False)

    def get(self, api_name: str) -> str | None:
        return dict(self.fields).get(api_name)

    @lazy  # hashes every PEM field: computed once, though api_params() and redacted() both need it
    def client_token(self) -> str:
        """A stable idempotency token: SHA-256 of the whole request, so the same upload retried is one upload."""
        digest = hashlib.sha256()
        for name, value in self.fields:
            digest.update(f"{name}\0{len(value)}\0{value}\0".encode("utf-8", "surrogatepass"))
        for tag in self.tags:
            digest.update(f"tag\0{tag.key}\0{tag.value}\0".encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:32]

    def api_params(self) -> dict[str, str]:
        """The flat parameters the API takes (``Tags.1.Key`` form), **private keys included**: for transports."""
        params = dict(self.fields)
        for i, tag in enumerate(self.tags, 1):
            params[f"Tags.{i}.Key"] = tag.key
            params[f"Tags.{i}.Value"] = tag.value
        params["ClientToken"] = self.client_token
        return params

    def sdk_params(self) -> dict[str, Any]:
        """The request as the official SDK's model takes it, **private keys included**: for transports.

        ``UploadUserCertificateRequest().from_map(request.sdk_params())`` keeps the tags, which the flat
        ``api_params()`` form (``Tags.1.Key``) would lose: the SDK's ``from_map`` wants ``Tags: [{Key, Value}]``.
        """
        params: dict[str, Any] = dict(self.fields)
        if self.tags:
            params["Tags"] = [{"Key": tag.key, "Value": tag.value} for tag in self.tags]
        params["ClientToken"] = self.client_token
        return params

    def with_name(self, name: str) -> UploadRequest:
        """The same request under another Name (a new ClientToken, as the content changed)."""
        fields = [(k, v) for k, v in self.fields if k != "Name"]
        fields.insert(0, ("Name", name))
        return dataclasses.replace(self, fields=tuple(fields))

    def redacted(self) -> dict[str, Any]:
        """The request as JSON-ready data, every private key replaced by ``<redacted sha256:...>``."""
        out: dict[str, Any] = {
            name: redact(value) if name in KEY_FIELDS else shown(name, value) for name, value in self.fields
        }
        if self.tags:
            listed = self.tags[:MAX_TAGS_SHOWN]
            out["Tags"] = [{"Key": shown("Tags", t.key), "Value": shown("Tags", t.value)} for t in listed]
            if len(self.tags) > MAX_TAGS_SHOWN:  # far beyond the API's 20 (tags.too_many): output stays bounded
                out["TagsNotShown"] = len(self.tags) - MAX_TAGS_SHOWN
        out["ClientToken"] = self.client_token
        return out

    def __repr__(self) -> str:
        def show(name: str, value: str) -> str:
            if name in KEY_FIELDS:
                return redact(value)
            if name in ("Name", "ResourceGroupId"):
                return repr(shown(name, value))
            return f"<{value.count('-----END ')} certificate(s)>"

        text = ", ".join(f"{name}={show(name, value)}" for name, value in self.fields)
        return f"UploadRequest({text}, tags={len(self.tags)})"

    __str__ = __repr__


def build_request(docs: Documents, at: datetime | None = None) -> UploadRequest | None:
    """The normalized request, or None when the fields a request needs could not be read. ``at``: the time the
    request was judged at; an expired certificate the path does not need is then left out (chain.expired_unneeded).
    """
    if docs.kind is None:
        return None
    values: dict[str, str] = {}
    for cert_field, key_field in docs.pairs:
        chain = docs.chain(cert_field)
        key = docs.keys.get(key_field)
        if chain is None or key is None:
            return None
        # Canonical input is taken as given; only other shapes are encoded again from the DER.
        unneeded = unneeded_expired(chain, at) if at is not None else None
        path = [c for c in chain.ordered if c is not unneeded]
        values[cert_field] = "".join(c.canonical or pem.encode("CERTIFICATE", c.der) for c in path)
        values[key_field] = key.pem
    params = docs.params
    if params.name:  # an empty Name or ResourceGroupId is the same as none: it is not sent
        values["Name"] = params.name
    if params.resource_group_id:
        values["ResourceGroupId"] = params.resource_group_id
    fields = tuple((name, values[name]) for name in _ORDER if name in values)
    return UploadRequest(fields, tuple(params.tags or ()), _leaf(docs))


def _leaf(docs: Documents) -> Leaf | None:
    for cert_field, _ in docs.pairs[:1]:
        chain = docs.chain(cert_field)
        if chain is None:
            return None
        cert = chain.leaf
        try:
            serial, common_name = cert.serial, cert.common_name
        except Exception:  # an odd certificate still uploads; it just cannot be looked up by these facts
            return None
        return Leaf(cert_field, serial, cert.fingerprint, common_name)
    return None
