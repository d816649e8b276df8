"""``aliyun``: uploads through Alibaba Cloud's official SDK (``alibabacloud-cas20200407``; ``certcheck[aliyun]``).

Credentials come only from the SDK's standard chain (``alibabacloud_credentials``: environment variables, OIDC,
``~/.aliyun/config.json``, ``~/.alibabacloud/credentials.ini``, ECS RAM role, credentials URI), never from a
command-line flag. The SDK is imported when an adapter is built, not when this module is: listing adapters or
running ``certcheck check`` never loads it.

Errors are mapped to ``UploadError`` by the service's *error code*, not by the SDK's exception class: the SDK
raises ``ThrottlingException`` only when an ``x-acs-retry-after`` header is present, and ``Throttling.User``
arrives as an HTTP 400. No message is ever taken from a network exception's text (it quotes the request URL,
whose query holds the private key): network failures get messages of our own.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from certcheck.request import UploadRequest
from certcheck.upload.protocol import UploadError, UploadResult

__all__ = ["DEFAULT_ENDPOINT", "AliyunAdapter", "parse_endpoint"]

DEFAULT_ENDPOINT = "cas.aliyuncs.com"
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_READ_TIMEOUT = 10.0
PAGE_SIZE = 50
MAX_PAGES = 20  # 1,000 certificates under one keyword: beyond that, "not found" (and an upload follows)

# Codes worth another attempt (besides any 5xx, 429, Throttling*, or an answer carrying a retry-after).
RETRYABLE_CODES = frozenset(
    {
        "ServiceUnavailable",
        "InternalError",
        "SystemBusy",
        "ServiceTimeout",
        "RequestTimeout",
        "Rejected.Throttling",
        # The SDK signs every attempt with a fresh nonce: a reused one cannot recur on a retry.
        "SignatureNonceUsed",
    }
)
_DETAIL_FIELDS = {"Cert": "cert", "SignCert": "sign_cert", "EncryptCert": "encrypt_cert"}


def parse_endpoint(endpoint: str | None) -> tuple[str, str]:
    """(host[:port], protocol) from ``host[:port]`` or a URL; ``http://`` means plain HTTP (for loopback)."""
    text = (endpoint or DEFAULT_ENDPOINT).strip()
    scheme = "https"
    if "://" in text:
        scheme, _, text = text.partition("://")
        scheme = scheme.lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"--endpoint: {endpoint!r}: only http:// and https:// URLs are understood")
    parts = urlsplit("//" + text)
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"--endpoint: {endpoint!r} must be a host[:port] or a URL without a path")
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"--endpoint: {endpoint!r} has an invalid port") from None
    host = parts.hostname
    if not host:
        raise ValueError(f"--endpoint: {endpoint!r} has no host")
    shown_host = f"[{host}]" if ":" in host else host
    return (f"{shown_host}:{port}" if port is not None else shown_host), scheme


class AliyunAdapter:
    """The official SDK, one client shared by all threads (the SDK signs each call with its own nonce)."""

    name = "aliyun"

    def __init__(
        self,
        endpoint: str | None = None,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        *,
        credential: Any = None,
    ) -> None:
        """``credential``: an ``alibabacloud_credentials.client.Client`` (default: the standard chain)."""
        problem = self.unavailable()
        if problem:
            raise ImportError(problem)
        from alibabacloud_cas20200407.client import Client
        from alibabacloud_credentials.client import Client as CredentialClient
        from alibabacloud_tea_openapi.utils_models import Config

        self.endpoint, self.protocol = parse_endpoint(endpoint)
        for what, value in (("connect_timeout", connect_timeout), ("read_timeout", read_timeout)):
            if not 0 < value <= 3600:
                raise ValueError(f"{what} must be between 0 and 3600 seconds")
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        if credential is None:
            try:
                credential = CredentialClient()
            except Exception as exc:
                raise _credentials_error(exc) from None
        try:  # surface a missing credential now, once, rather than as a failure of every request
            credential.get_credential()
        except Exception as exc:
            raise _credentials_error(exc) from None
        config = Config(
            credential=credential,
            endpoint=self.endpoint,
            protocol=self.protocol,
            connect_timeout=int(connect_timeout * 1000),
            read_timeout=int(read_timeout * 1000),
        )
        self._client = Client(config)
        # Set by the runner: waits for the shared pacer. find() calls it before each call after its first.
        self.pace: Callable[[], None] | None = None
        self._lock = threading.Lock()

    @staticmethod
    def unavailable() -> str | None:
        """Why this adapter cannot be built here, or None."""
        if importlib.util.find_spec("alibabacloud_cas20200407") is None:
            return "the official SDK is not installed: pip install 'certcheck[aliyun]'"
        return None

    def upload(self, request: UploadRequest) -> UploadResult:
        from alibabacloud_cas20200407 import models

        sdk_request = models.UploadUserCertificateRequest().from_map(request.sdk_params())
        body = self._call(lambda: self._client.upload_user_certificate(sdk_request)).body
        if body is None or body.cert_id is None:
            raise UploadError("BadResponse", "the service answered without a CertId", retryable=True)
        return UploadResult(int(body.cert_id), str(body.request_id or ""), body.resource_id)

    def find(self, request: UploadRequest) -> UploadResult | None:
        """This exact certificate, already uploaded: ListUserCertificateOrder by the leaf's common name (or the
        Name), serial numbers compared as integers, then the certificate itself via GetUserCertificateDetail."""
        from alibabacloud_cas20200407 import models

        leaf = request.leaf
        ours = _first_certificate(request.get(leaf.field)) if leaf is not None else None
        keyword = (leaf.common_name if leaf is not None else None) or request.get("Name")
        if leaf is None or ours is None or not keyword:
            return None
        calls = 0
        for page in range(1, MAX_PAGES + 1):
            listing = models.ListUserCertificateOrderRequest(
                keyword=keyword, order_type="UPLOAD", current_page=page, show_size=PAGE_SIZE
            )
            calls = self._pace_after_first(calls)
            body = self._call(functools.partial(self._client.list_user_certificate_order, listing)).body
            items = list(body.certificate_order_list or []) if body is not None else []
            for item in items:
                if item.certificate_id is None or not _same_serial(item.serial_no, leaf.serial):
                    continue
                ask = models.GetUserCertificateDetailRequest(cert_id=int(item.certificate_id))
                calls = self._pace_after_first(calls)
                detail = self._call(functools.partial(self._client.get_user_certificate_detail, ask)).body
                theirs = _first_certificate(getattr(detail, _DETAIL_FIELDS[leaf.field], None)) if detail else None
                if theirs == ours:
                    return UploadResult(int(item.certificate_id), str(detail.request_id or ""), None)
            total = int(body.total_count or 0) if body is not None else 0
            if not items or page * PAGE_SIZE >= total:
                return None
        return None

    def _pace_after_first(self, calls: int) -> int:
        if calls and self.pace is not None:
            self.pace()
        return calls + 1

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except UploadError:
            raise
        except Exception as exc:
            raise self._error(exc) from None

    def _error(self, exc: BaseException) -> UploadError:
        """An UploadError for any SDK exception, by the service's error code; never the SDK's own text for
        network failures (it quotes the URL, private key included)."""
        from alibabacloud_credentials.exceptions import CredentialException
        from Tea.exceptions import TeaException, UnretryableException

        if isinstance(exc, UnretryableException):
            return self._unreachable(exc.inner_exception)
        if isinstance(exc, CredentialException):
            return _credentials_error(exc)
        if isinstance(exc, TeaException) and getattr(exc, "code", None):
            data = exc.data if isinstance(exc.data, dict) else {}
            status = getattr(exc, "status_code", None) or data.get("statusCode")
            code = str(exc.code)
            message = _service_message(data, exc)
            raw_after = getattr(exc, "retry_after", None)
            retry_after = raw_after / 1000 if isinstance(raw_after, (int, float)) and raw_after > 0 else None
            retryable = (
                code.startswith("Throttling")
                or code in RETRYABLE_CODES
                or retry_after is not None
                or (isinstance(status, int) and (status >= 500 or status == 429))
            )
            if code == "InvalidCredentials":
                return _credentials_error(exc)
            return UploadError(
                code,
                message,
                request_id=_text(getattr(exc, "request_id", None) or data.get("RequestId")),
                http_status=status if isinstance(status, int) else None,
                retryable=retryable,
                retry_after=retry_after,
            )
        return UploadError("SDKError", f"the SDK raised {type(exc).__name__}", retryable=False)

    def _unreachable(self, inner: BaseException | None) -> UploadError:
        from alibabacloud_credentials.exceptions import CredentialException

        if isinstance(inner, CredentialException):
            return _credentials_error(inner)
        # The text is only inspected, never shown: it holds the request URL, private key included.
        text = f"{type(inner).__name__} {inner}".lower()
        if isinstance(inner, ValueError) or (isinstance(inner, RuntimeError) and "json" in text):
            # The answer was not JSON (a proxy's error page, a truncated body). Safe to retry: same ClientToken.
            return UploadError("BadResponse", "the service's answer could not be read (not JSON)", retryable=True)
        where = f"{self.protocol}://{self.endpoint}"
        if "read timed out" in text or "readtimeout" in text:
            return UploadError(
                "Timeout", f"no answer from {where} within the read timeout ({self.read_timeout:g} s)", retryable=True
            )
        if "connecttimeout" in text or "connect timeout" in text or ("timed out" in text and "connect" in text):
            return UploadError(
                "Timeout", f"could not connect to {where} within {self.connect_timeout:g} s", retryable=True
            )
        if "refused" in text:
            return UploadError("ConnectionRefused", f"{where} refused the connection", retryable=True)
        if "resolve" in text or "name or service not known" in text or "nodename nor servname" in text:
            return UploadError("NameResolutionFailed", f"the host of {where} could not be resolved", retryable=True)
        if "ssl" in text or "certificate verify" in text:
            return UploadError("TLSError", f"the TLS handshake with {where} failed", retryable=False)
        return UploadError("ConnectionError", f"the connection to {where} was closed without an answer", retryable=True)

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"AliyunAdapter(endpoint={self.endpoint!r}, protocol={self.protocol!r})"

    __str__ = __repr__


def _credentials_error(exc: BaseException) -> UploadError:
    return UploadError(
        "CredentialsNotFound",
        "no usable Alibaba Cloud credentials in the SDK's standard chain: set ALIBABA_CLOUD_ACCESS_KEY_ID and "
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET, or a profile (~/.aliyun/config.json, ALIBABA_CLOUD_PROFILE), or a RAM "
        f"role ({type(exc).__name__})",
        retryable=False,
    )


def _service_message(data: dict[str, Any], exc: BaseException) -> str:
    message = data.get("Message") or data.get("message") or getattr(exc, "message", None) or ""
    text = str(message)
    # Some gateways append the string they signed (all parameters, the key included): never pass that on.
    cut = text.lower().find("string to sign")
    if cut >= 0:
        text = text[:cut].rstrip(" :,;") + " (the signed string the service quoted is left out)"
    recommend = data.get("Recommend")
    if isinstance(recommend, str) and recommend and "string to sign" not in recommend.lower():
        text += f" [Recommend: {recommend}]"
    return text[:1000]


def _text(value: Any) -> str | None:
    return None if value is None or value == "None" else str(value)


def _same_serial(listed: Any, serial: int) -> bool:
    """Serials come back as text with leading zeros (hex, sometimes colon-separated): compare as integers.
    A missing serial is not a mismatch: the certificate comparison decides."""
    if listed is None or listed == "":
        return True
    text = str(listed).replace(":", "").strip()
    candidates = []
    with contextlib.suppress(ValueError):
        candidates.append(int(text, 16))
    if text.isdigit():
        candidates.append(int(text, 10))
    return serial in candidates


def _first_certificate(pem_text: str | None) -> str | None:
    """The base64 body of the first CERTIFICATE block, whitespace removed (text work, not parsing)."""
    if not pem_text:
        return None
    begin = pem_text.find("-----BEGIN CERTIFICATE-----")
    if begin < 0:
        return None
    start = begin + len("-----BEGIN CERTIFICATE-----")
    end = pem_text.find("-----END CERTIFICATE-----", start)
    if end < 0:
        return None
    return "".join(pem_text[start:end].split())
