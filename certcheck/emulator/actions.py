"""The four CAS actions the emulator serves, on parameters already decoded from the signed request.

Response field names are the ones the official SDK's models read in ``from_map``
(``alibabacloud_cas20200407.models``): a test parses every response with those models.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

import certcheck
from certcheck.emulator.constants import (
    CERT_FORMAT,
    CERT_NOT_FOUND,
    INVALID_PARAMETER,
    MISSING_NAME,
    missing,
)
from certcheck.emulator.errors import ApiError
from certcheck.emulator.store import Store, StoredCertificate
from certcheck.model import Severity, UploadParams, redact

__all__ = ["Service"]

UPLOAD = "UploadUserCertificate"
LIST = "ListUserCertificateOrder"
DETAIL = "GetUserCertificateDetail"
DELETE = "DeleteUserCertificate"

_UPLOAD_FIELDS = (
    "Name",
    "Cert",
    "Key",
    "EncryptCert",
    "EncryptPrivateKey",
    "SignCert",
    "SignPrivateKey",
    "ResourceGroupId",
)
_TAG = re.compile(r"^Tags\.([1-9][0-9]{0,3})\.(Key|Value)$")
# Findings on these fields make the request an invalid *parameter*, not an invalid certificate.
_TEXT_CODES = ("name.", "tags.", "resource_group.", "fields.private_key_in_text")
DAY_MS = 86_400_000
_INT_MAX = 2**63 - 1  # the API's integers are 64-bit (and so are SQLite's)
WILL_EXPIRE_DAYS = 30  # ListUserCertificateOrder's WILLEXPIRED status (chosen: the service's window is unknown)


@dataclass
class Service:
    """The actions over one Store. ``clock`` gives the time in seconds (for validation and expiry)."""

    store: Store
    profile: str = "2025-11"
    clock: Callable[[], float] = time.time

    def handle(self, action: str, params: Mapping[str, str]) -> dict[str, Any]:
        handler = {UPLOAD: self.upload, LIST: self.list_orders, DETAIL: self.detail, DELETE: self.delete}[action]
        return handler(params)

    # --- UploadUserCertificate ---------------------------------------------------------------------------------

    def upload(self, params: Mapping[str, str]) -> dict[str, Any]:
        api = _upload_params(params)
        token = params.get("ClientToken") or None
        content = _content_digest(params)
        now = datetime.fromtimestamp(self.clock(), timezone.utc)
        try:
            upload_params = UploadParams.from_api(api)
        except (ValueError, TypeError) as exc:
            raise ApiError(INVALID_PARAMETER, str(exc)) from None
        report = certcheck.validate(upload_params, profile=self.profile, at=now)
        errors = [f for f in report.findings if f.severity is Severity.ERROR]
        if errors or report.request is None:
            codes = sorted({f.code for f in errors}) or ["request.incomplete"]
            recommend = "certcheck findings: " + ", ".join(codes)
            if "name.missing" in codes:
                raise ApiError(MISSING_NAME, recommend)
            if all(c.startswith(_TEXT_CODES) for c in codes):
                raise ApiError(INVALID_PARAMETER, recommend)
            raise ApiError(CERT_FORMAT, recommend)
        request = report.request
        fields = _facts(request, report.kind, report.algorithm)
        fields.update(
            name=request.get("Name"),
            resource_id="cas-upload-"
            + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(6)),
            client_token=token,
            resource_group_id=request.get("ResourceGroupId"),
            tags=[[t.key, t.value] for t in request.tags],
            created=self.clock(),
        )
        cert_id, resource_id, _ = self.store.insert(fields, UPLOAD, token, content)
        return {"CertId": cert_id, "ResourceId": resource_id}

    # --- ListUserCertificateOrder ------------------------------------------------------------------------------

    def list_orders(self, params: Mapping[str, str]) -> dict[str, Any]:
        page = _int(params, "CurrentPage", default=1, minimum=1)
        size = _int(params, "ShowSize", default=50, minimum=1)
        order_type = (params.get("OrderType") or "CPACK").upper()
        if order_type not in ("CPACK", "BUY", "UPLOAD", "CERT"):
            raise ApiError(INVALID_PARAMETER, "OrderType is one of CPACK, BUY, UPLOAD, CERT.")
        now_ms = int(self.clock() * 1000)
        found: list[StoredCertificate] = []
        if order_type in ("UPLOAD", "CERT"):  # the emulator holds uploaded certificates only: no orders
            keyword = (params.get("Keyword") or "").casefold()
            status = (params.get("Status") or "").upper()
            group = params.get("ResourceGroupId") or None
            for cert in reversed(self.store.certificates(pem=False)):  # newest first
                if keyword and not any(
                    keyword in text.casefold() for text in (cert.name, cert.common_name, cert.sans, cert.resource_id)
                ):
                    continue
                if group is not None and cert.resource_group_id != group:
                    continue
                state = _status(cert, now_ms)
                if status and state != status:
                    continue
                if not status and state == "EXPIRED":  # the API's default: valid certificates only
                    continue
                found.append(cert)
        chosen = found[(page - 1) * size : page * size]
        return {
            "CertificateOrderList": [_item(c, now_ms) for c in chosen],
            "CurrentPage": page,
            "ShowSize": size,
            "TotalCount": len(found),
        }

    # --- GetUserCertificateDetail ------------------------------------------------------------------------------

    def detail(self, params: Mapping[str, str]) -> dict[str, Any]:
        cert = self._find(params)
        now_ms = int(self.clock() * 1000)
        body: dict[str, Any] = {
            "Id": cert.id,
            "Name": cert.name,
            "Common": cert.common_name,
            "Sans": cert.sans,
            "SerialNo": cert.serial_no,
            "Fingerprint": cert.fingerprint,
            "Sha2": cert.sha2,
            "CertSha2": cert.sha2,
            "NotBefore": cert.not_before,
            "NotAfter": cert.not_after,
            "StartDate": _date(cert.not_before),
            "EndDate": _date(cert.not_after),
            "Issuer": cert.issuer,
            "Algorithm": cert.algorithm,
            "Expired": cert.not_after < now_ms,
            "BuyInAliyun": False,
            "InstanceId": cert.resource_id,
            "CertIdentifier": f"{cert.id}-cn-hangzhou",
            "Tags": [{"TagKey": k, "TagValue": v} for k, v in cert.tags],
            "CertChain": [dict(link, RemainDay=max(0, (link["NotAfter"] - now_ms) // DAY_MS)) for link in cert.chain],
        }
        if cert.resource_group_id:
            body["ResourceGroupId"] = cert.resource_group_id
        if (params.get("CertFilter") or "").lower() != "true":
            # The real service returns the private keys here. The emulator never stores them: it returns their
            # redacted digest (certcheck.model.redact of the normalized key), which identifies without revealing.
            for name, pem, digest in (
                ("Cert", cert.cert, cert.key_digest),
                ("SignCert", cert.sign_cert, cert.sign_key_digest),
                ("EncryptCert", cert.encrypt_cert, cert.encrypt_key_digest),
            ):
                if pem is not None:
                    body[name] = pem
                    body[_KEY_OF[name]] = digest
        return body

    # --- DeleteUserCertificate ---------------------------------------------------------------------------------

    def delete(self, params: Mapping[str, str]) -> dict[str, Any]:
        cert_id = _int(params, "CertId", minimum=1)
        if not self.store.delete(cert_id, DELETE, params.get("ClientToken") or None):
            raise ApiError(CERT_NOT_FOUND, f"No certificate has CertId {cert_id}.")
        return {}

    def _find(self, params: Mapping[str, str]) -> StoredCertificate:
        cert_id = _int(params, "CertId", minimum=1)
        cert = self.store.get(cert_id)
        if cert is None:
            raise ApiError(CERT_NOT_FOUND, f"No certificate has CertId {cert_id}.")
        return cert


_KEY_OF = {"Cert": "Key", "SignCert": "SignPrivateKey", "EncryptCert": "EncryptPrivateKey"}


def _upload_params(params: Mapping[str, str]) -> dict[str, Any]:
    """The UploadParams.from_api mapping from the flat query (``Tags.1.Key`` ...); other parameters are ignored,
    as the gateway ignores parameters an action does not take."""
    api: dict[str, Any] = {name: params[name] for name in _UPLOAD_FIELDS if name in params}
    tags: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        match = _TAG.match(name)
        if match:
            tags.setdefault(int(match[1]), {})[match[2]] = value
        elif name.startswith("Tags."):
            raise ApiError(INVALID_PARAMETER, f"Tags are sent as Tags.N.Key and Tags.N.Value, not {name[:40]}.")
    if tags:
        if any("Key" not in tag for tag in tags.values()):
            raise ApiError(INVALID_PARAMETER, "Every Tags.N.Value needs its Tags.N.Key.")
        api["Tags"] = [tags[i] for i in sorted(tags)]
    return api


def _content_digest(params: Mapping[str, str]) -> str:
    """What a ClientToken is bound to: every parameter but the token itself."""
    digest = hashlib.sha256()
    for name in sorted(params):
        if name != "ClientToken":
            digest.update(f"{name}\0{len(params[name])}\0{params[name]}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _int(params: Mapping[str, str], name: str, *, default: int | None = None, minimum: int = 0) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ApiError(missing(name), f"{name} is required.")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(INVALID_PARAMETER, f"{name} must be an integer.") from None
    if not minimum <= value <= _INT_MAX:
        raise ApiError(INVALID_PARAMETER, f"{name} must be between {minimum} and {_INT_MAX}.")
    return value


def _facts(request: certcheck.UploadRequest, kind: str | None, algorithm: str | None) -> dict[str, Any]:
    leaf_field = "Cert" if kind == "standard" else "SignCert"
    chain = x509.load_pem_x509_certificates((request.get(leaf_field) or "").encode())
    leaf = chain[0]
    facts: dict[str, Any] = {
        "common_name": _cn(leaf.subject),
        "sans": ",".join(_sans(leaf)),
        # The service returns serials "with leading zeros" (reference: alibaba-api.md): emulated as the hex of the
        # DER INTEGER's content octets, so a serial whose top bit is set gets a leading 00 byte.
        "serial_no": _serial_hex(leaf.serial_number),
        "fingerprint": hashlib.sha1(leaf.public_bytes(Encoding.DER)).hexdigest().upper(),
        "sha2": hashlib.sha256(leaf.public_bytes(Encoding.DER)).hexdigest().upper(),
        "issuer": _issuer(leaf),
        "algorithm": {"EC": "ECC"}.get(algorithm or "", algorithm or ""),  # the console's names: RSA, ECC, SM2
        "not_before": int(leaf.not_valid_before_utc.timestamp() * 1000),
        "not_after": int(leaf.not_valid_after_utc.timestamp() * 1000),
        "chain": [
            {
                "CommonName": _cn(c.subject),
                "IssuerCommonName": _cn(c.issuer),
                "NotBefore": int(c.not_valid_before_utc.timestamp() * 1000),
                "NotAfter": int(c.not_valid_after_utc.timestamp() * 1000),
            }
            for c in chain
        ],
    }
    for cert_field, column in (("Cert", "cert"), ("SignCert", "sign_cert"), ("EncryptCert", "encrypt_cert")):
        facts[column] = request.get(cert_field)
    for key_field, column in (
        ("Key", "key_digest"),
        ("SignPrivateKey", "sign_key_digest"),
        ("EncryptPrivateKey", "encrypt_key_digest"),
    ):
        value = request.get(key_field)
        facts[column] = None if value is None else redact(value)
    return facts


def _serial_hex(serial: int) -> str:
    length = serial.bit_length() // 8 + 1  # DER's minimal two's complement: a 00 byte when the top bit is set
    return serial.to_bytes(length, "big", signed=True).hex()


def _cn(name: x509.Name) -> str:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if values else ""


def _issuer(cert: x509.Certificate) -> str:
    org = cert.issuer.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    return str(org[0].value) if org else _cn(cert.issuer)


def _sans(cert: x509.Certificate) -> list[str]:
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return [_cn(cert.subject)] if _cn(cert.subject) else []
    names = [str(n) for n in ext.get_values_for_type(x509.DNSName)]
    names += [str(ip) for ip in ext.get_values_for_type(x509.IPAddress)]
    return names


def _status(cert: StoredCertificate, now_ms: int) -> str:
    if cert.not_after < now_ms:
        return "EXPIRED"
    if cert.not_after - now_ms < WILL_EXPIRE_DAYS * DAY_MS:
        return "WILLEXPIRED"
    return "ISSUED"


def _date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y-%m-%d")


def _item(cert: StoredCertificate, now_ms: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "CertificateId": cert.id,
        "Name": cert.name,
        "CommonName": cert.common_name,
        "Sans": cert.sans,
        "SerialNo": cert.serial_no,
        "Fingerprint": cert.fingerprint,
        "Sha2": cert.sha2,
        "StartDate": _date(cert.not_before),
        "EndDate": _date(cert.not_after),
        "Issuer": cert.issuer,
        "Algorithm": cert.algorithm,
        "Expired": cert.not_after < now_ms,
        "Status": _status(cert, now_ms),
        "Upload": True,
        "InstanceId": cert.resource_id,
    }
    if cert.resource_group_id:
        item["ResourceGroupId"] = cert.resource_group_id
    return item
