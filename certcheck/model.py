"""The values that flow through certcheck: what the user gave, what we found, what we send."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from certcheck._record import Record
from certcheck.redaction import contains_private_key, quote, redact, show_text

__all__ = [
    "API_FIELDS",
    "KEY_FIELDS",
    "PEM_FIELDS",
    "TEXT_FIELDS",
    "Finding",
    "Problem",
    "Severity",
    "Tag",
    "UploadParams",
    "looks_like_private_key",
    "redact",
]


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: ERROR > WARNING > INFO."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about a request, tied to the API field it concerns."""

    code: str
    severity: Severity
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "field": self.field,
            "message": self.message,
        }


class Problem(Record):
    """Something the parse stage noticed: a field or block it could not read, or a repair worth a note.

    ``code`` is a finding code; the rule that reports it declares it (``rules/pem.py`` for ``pem.*``,
    ``rules/cert.py`` for ``cert.*``, ``rules/key.py`` for ``key.*``), so the parse stage decides facts and the
    rules alone decide findings. ``message`` never quotes key material.
    """

    __slots__ = ("code", "field", "message")
    code: str
    field: str | None
    message: str

    def __init__(self, code: str, field: str | None, message: str) -> None:
        init = object.__setattr__
        init(self, "code", code)
        init(self, "field", field)
        init(self, "message", message)


@dataclass(frozen=True, repr=False)
class Tag:
    key: str
    value: str = ""

    def __repr__(self) -> str:
        # A tag is free text: a key pasted into it is redacted, a megabyte value cut, even in a debugger.
        return f"Tag({quote(self.key)}, {quote(self.value)})"

    __str__ = __repr__


# The API's own parameter names, in the order the API documents them.
PEM_FIELDS = ("Cert", "Key", "EncryptCert", "EncryptPrivateKey", "SignCert", "SignPrivateKey")
KEY_FIELDS = frozenset({"Key", "EncryptPrivateKey", "SignPrivateKey"})
API_FIELDS = ("Name", *PEM_FIELDS, "ResourceGroupId", "Tags")

_ATTR = {
    "Name": "name",
    "Cert": "cert",
    "Key": "key",
    "EncryptCert": "encrypt_cert",
    "EncryptPrivateKey": "encrypt_private_key",
    "SignCert": "sign_cert",
    "SignPrivateKey": "sign_private_key",
    "ResourceGroupId": "resource_group_id",
    "Tags": "tags",
}

Pem = str | bytes


TEXT_FIELDS = ("Name", "ResourceGroupId")


def looks_like_private_key(text: str) -> bool:
    """A private key pasted where text belongs (Name, ResourceGroupId, a tag), armored, as bare base64 or as
    DER hex (certcheck.redaction): shown redacted, never quoted."""
    return contains_private_key(text)


def shown(api_name: str, value: str) -> str:
    """A parameter as output may show it: free text (Name, ResourceGroupId, Tags) redacted when it holds a private
    key and cut when very long; certificates (canonical PEM built from parsed certificates) as they are."""
    if api_name in PEM_FIELDS:
        return value
    return show_text(value)


@dataclass(frozen=True, repr=False)
class UploadParams:
    """An upload request as the user gave it, under the API's parameter names.

    PEM fields take ``str`` (or ``bytes`` read from a file: binary input is then reported, not decoded blindly).
    ``key_password`` decrypts encrypted private keys; it never leaves this object except to the key loader.
    """

    name: str | None = None
    cert: Pem | None = None
    key: Pem | None = None
    encrypt_cert: Pem | None = None
    encrypt_private_key: Pem | None = None
    sign_cert: Pem | None = None
    sign_private_key: Pem | None = None
    resource_group_id: str | None = None
    tags: Sequence[Tag] | None = None
    key_password: bytes | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Wrong types are a programming error: say so here, not as a crash deep inside a rule.
        for api_name in API_FIELDS:
            value = self.get(api_name)
            if value is None or api_name == "Tags":
                continue
            allowed: tuple[type, ...] = (str, bytes) if api_name in PEM_FIELDS else (str,)
            if not isinstance(value, allowed):
                raise TypeError(
                    f"{api_name} must be {' or '.join(t.__name__ for t in allowed)}, not {type(value).__name__}"
                )
        if self.tags is not None:
            if isinstance(self.tags, (str, bytes)) or not all(isinstance(t, Tag) for t in self.tags):
                raise TypeError("tags must be a sequence of Tag (use UploadParams.from_api for API-shaped dicts)")
            for tag in self.tags:
                if not isinstance(tag.key, str) or not isinstance(tag.value, str):
                    raise TypeError("a Tag's key and value must be strings")
            object.__setattr__(self, "tags", tuple(self.tags))
        if self.key_password is not None and not isinstance(self.key_password, bytes):
            raise TypeError("key_password must be bytes")

    def get(self, api_name: str) -> Any:
        """A parameter by its API name (``"SignPrivateKey"``)."""
        return getattr(self, _ATTR[api_name])

    def given(self, api_name: str) -> bool:
        """True when the parameter carries something other than whitespace."""
        value = self.get(api_name)
        if value is None:
            return False
        if isinstance(value, (str, bytes)):
            # isspace() stops at the first character that is not whitespace; strip() would copy the whole PEM
            return bool(value) and not value.isspace()
        return True

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, key_password: bytes | None = None) -> UploadParams:
        """Build from a mapping that uses the API's names (``{"Name": ..., "Tags": [{"Key": ..., "Value": ...}]}``).

        Raises ``ValueError`` for unknown parameter names or values of the wrong type: a typo in a request file
        should stop the run, not be silently dropped.
        """
        unknown = [name for name in data if name not in _ATTR]
        if unknown:
            # Member names are user text too: a key pasted as a name is redacted, a long one cut.
            shown_names = ", ".join(quote(name) for name in unknown[:5])
            more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
            raise ValueError(f"unknown parameter(s) {shown_names}{more}; the API takes {', '.join(API_FIELDS)}")
        kwargs: dict[str, Any] = {}
        for api_name, value in data.items():
            if value is None:
                continue
            if api_name == "Tags":
                kwargs["tags"] = _tags_from_api(value)
            elif not isinstance(value, str) and not (api_name in PEM_FIELDS and isinstance(value, bytes)):
                raise ValueError(f"{api_name} must be a string, not {type(value).__name__}")
            else:
                kwargs[_ATTR[api_name]] = value
        return cls(**kwargs, key_password=key_password)

    def replace(self, **changes: Any) -> UploadParams:
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return UploadParams(**current)

    def __repr__(self) -> str:
        parts = []
        for api_name in API_FIELDS:
            value = self.get(api_name)
            if value is None:
                continue
            if api_name in KEY_FIELDS or (isinstance(value, str) and contains_private_key(value)):
                text = redact(value)
            elif isinstance(value, (str, bytes)) and len(value) > 40:
                text = f"<{len(value)} chars>"
            elif api_name == "Tags":
                text = f"<{len(value)} tags>"
            else:
                text = repr(value)
            parts.append(f"{api_name}={text}")
        if self.key_password is not None:
            parts.append("key_password=<redacted>")
        return f"UploadParams({', '.join(parts)})"

    __str__ = __repr__


def _tags_from_api(value: Any) -> tuple[Tag, ...]:
    if not isinstance(value, list):
        raise ValueError('Tags must be a list of {"Key": ..., "Value": ...} objects')
    tags = []
    for i, item in enumerate(value, 1):
        if not isinstance(item, Mapping):
            raise ValueError(f"Tags[{i}] must be an object with Key and Value")
        extra = [name for name in item if name not in ("Key", "Value")]
        if extra:
            shown_names = ", ".join(quote(name) for name in extra[:5])
            raise ValueError(f"Tags[{i}] has unknown member(s) {shown_names}")
        key, val = item.get("Key"), item.get("Value", "")
        if not isinstance(key, str) or not isinstance(val, (str, type(None))):
            raise ValueError(f"Tags[{i}]: Key and Value must be strings")
        tags.append(Tag(key, val or ""))
    return tuple(tags)
