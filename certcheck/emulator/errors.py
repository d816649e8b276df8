"""ApiError: a refusal in the service's shape (``{RequestId, HostId, Code, Message, Recommend}``)."""

from __future__ import annotations

from typing import Any

from certcheck.emulator.constants import HOST_ID, ApiErrorKind

__all__ = ["ApiError"]


class ApiError(Exception):
    """Raised inside the emulator; the server turns it into the error response."""

    def __init__(
        self,
        kind: ApiErrorKind,
        recommend: str = "",
        *,
        message: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.message = message or kind.message
        self.recommend = recommend
        self.headers = dict(headers or {})
        super().__init__(f"{kind.code}: {self.message}")

    @property
    def status(self) -> int:
        return self.kind.status

    def body(self, request_id: str) -> dict[str, Any]:
        return {
            "RequestId": request_id,
            "HostId": HOST_ID,
            "Code": self.kind.code,
            "Message": self.message,
            "Recommend": self.recommend or f"https://api.aliyun.com/troubleshoot?q={self.kind.code}&product=cas",
        }
