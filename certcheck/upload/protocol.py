"""The adapter protocol: how certcheck hands a validated request to whatever sends it.

An adapter is any object with ``upload(request) -> UploadResult`` that raises ``UploadError`` when the service
refuses or cannot be reached, and ``close()``. It may also have ``find(request) -> UploadResult | None`` (is this
exact certificate already there?), which the skip-if-same policy and crash recovery use. Adapters are found by
name under the entry-point group ``certcheck.adapters``; each entry point names a factory (usually the class)
called with the keyword options the user set (``endpoint``, ``connect_timeout``, ``read_timeout``), only those.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from certcheck.request import UploadRequest

__all__ = [
    "BUILTIN_ADAPTERS",
    "ENTRY_POINT_GROUP",
    "NAME_TAKEN_CODES",
    "Adapter",
    "AdapterInfo",
    "Finder",
    "UploadError",
    "UploadResult",
    "available_adapters",
    "load_adapter",
]

ENTRY_POINT_GROUP = "certcheck.adapters"
# The built-ins, also declared as entry points in pyproject.toml; listed here too so a source checkout that was
# never installed (no entry-point metadata) still finds them.
BUILTIN_ADAPTERS = {
    "aliyun": "certcheck.upload.aliyun:AliyunAdapter",
    "dry-run": "certcheck.upload.dryrun:DryRunAdapter",
}

# How a taken name is recognised, in one place. The service's code for it is not published; its message is
# known from users' reports. The emulator answers `NameRepeat` (its own, documented choice).
NAME_TAKEN_CODES = frozenset({"NameRepeat", "NameExists", "Name.Duplicate", "NameDuplicate"})
NAME_TAKEN_MESSAGES = ("名称重复", "name already exists")


@dataclass(frozen=True)
class UploadResult:
    """What the service answered: the certificate's id, the call's RequestId, and the ResourceId when given."""

    cert_id: int
    request_id: str
    resource_id: str | None = None


class UploadError(Exception):
    """The service refused the call, or could not be reached.

    ``retryable`` says whether sending the same request again (with the same ClientToken) may succeed:
    throttling, 5xx, timeouts, dropped connections. ``retry_after`` is the wait in seconds the service asked for.
    ``name_taken`` marks the refusal of a Name that is already in use (the ``suffix`` policy's cue).
    The message must never hold key material: adapters build it from the service's answer, not from the request.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        name_taken: bool | None = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.http_status = http_status
        self.retryable = retryable
        self.retry_after = retry_after
        if name_taken is None:
            lowered = message.lower()
            name_taken = code in NAME_TAKEN_CODES or any(m in lowered for m in NAME_TAKEN_MESSAGES)
        self.name_taken = name_taken
        self.attempts = 0  # set by the runner: how many calls were made before it gave up

    def __str__(self) -> str:
        status = f" (HTTP {self.http_status})" if self.http_status is not None else ""
        return f"{self.code}{status}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"UploadError(code={self.code!r}, message={self.message!r}, request_id={self.request_id!r}, "
            f"http_status={self.http_status!r}, retryable={self.retryable!r}, retry_after={self.retry_after!r})"
        )


@runtime_checkable
class Adapter(Protocol):
    """Sends one validated request. Must be safe to call from several threads at once."""

    def upload(self, request: UploadRequest) -> UploadResult: ...

    def close(self) -> None: ...


@runtime_checkable
class Finder(Protocol):
    """The optional capability: the CertId of this exact certificate when it is already uploaded, else None."""

    def find(self, request: UploadRequest) -> UploadResult | None: ...


@dataclass(frozen=True)
class AdapterInfo:
    name: str
    target: str  # "module:attribute"
    distribution: str | None  # the installed package that declares it (None: built in, not installed)


def available_adapters() -> dict[str, AdapterInfo]:
    """Every adapter that can be named: the entry points of ``certcheck.adapters``, plus the built-ins."""
    found: dict[str, AdapterInfo] = {}
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = getattr(ep, "dist", None)
        found.setdefault(ep.name, AdapterInfo(ep.name, ep.value, dist.name if dist is not None else None))
    for name, target in BUILTIN_ADAPTERS.items():
        found.setdefault(name, AdapterInfo(name, target, None))
    return dict(sorted(found.items()))


def load_factory(name: str) -> Callable[..., Any]:
    """The factory an adapter name stands for. Raises LookupError (unknown name) or ImportError."""
    info = available_adapters().get(name)
    if info is None:
        known = ", ".join(available_adapters())
        raise LookupError(f"unknown adapter {name!r}; installed: {known}")
    module_name, _, attribute = info.target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split(".") if attribute else ():
        obj = getattr(obj, part)
    if not callable(obj):
        raise ImportError(f"adapter {name!r} ({info.target}) is not callable")
    factory: Callable[..., Any] = obj
    return factory


def load_adapter(name: str, **options: Any) -> Adapter:
    """Build the adapter ``name`` with ``options``. Raises LookupError, ImportError, TypeError (an option it does
    not take), ValueError (a bad option value) or UploadError (e.g. no credentials)."""
    adapter = load_factory(name)(**options)
    if not isinstance(adapter, Adapter):
        raise TypeError(f"adapter {name!r} built {type(adapter).__name__}, which has no upload() and close()")
    return adapter
