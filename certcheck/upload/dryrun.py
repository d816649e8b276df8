"""``dry-run``: sends nothing. Records what would be sent (private keys redacted) and answers made-up ids.

Like the service, it is idempotent by ClientToken (the same token gets the same CertId) and refuses a Name that
an earlier request of the same adapter took with other content, so a dry run shows what a real one would do.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from certcheck.request import UploadRequest
from certcheck.upload.protocol import UploadError, UploadResult

__all__ = ["DryRunAdapter"]

FIRST_ID = 10_000_000  # made-up CertIds start here, far from small numbers a reader might take for real ones


class DryRunAdapter:
    """Thread-safe. ``sent`` holds the redacted form of every request it accepted, in order."""

    def __init__(self, **options: Any) -> None:
        # Options meant for adapters that talk to a service (endpoint, timeouts) mean nothing here.
        self.options = sorted(options)
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._by_token: dict[str, UploadResult] = {}
        self._by_name: dict[str, str] = {}  # Name -> ClientToken
        self._by_leaf: dict[str, UploadResult] = {}

    def upload(self, request: UploadRequest) -> UploadResult:
        token = request.client_token
        name = request.get("Name")
        with self._lock:
            done = self._by_token.get(token)
            if done is not None:
                return UploadResult(done.cert_id, _request_id(), done.resource_id)
            if name is not None and name in self._by_name:
                raise UploadError("NameRepeat", "名称重复，请重新输入。 (dry run: the name was used earlier)")
            cert_id = FIRST_ID + len(self._by_token)
            result = UploadResult(cert_id, _request_id(), f"cas-upload-dryrun{cert_id}")
            self._by_token[token] = result
            if name is not None:
                self._by_name[name] = token
            if request.leaf is not None:
                self._by_leaf.setdefault(request.leaf.sha256, result)
            self.sent.append(request.redacted())
            return result

    def find(self, request: UploadRequest) -> UploadResult | None:
        if request.leaf is None:
            return None
        with self._lock:
            found = self._by_leaf.get(request.leaf.sha256)
        return UploadResult(found.cert_id, _request_id(), found.resource_id) if found else None

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"DryRunAdapter(sent={len(self.sent)})"


def _request_id() -> str:
    return str(uuid.uuid4()).upper()
