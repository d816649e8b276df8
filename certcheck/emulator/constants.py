"""Every error the emulator can answer, in one place: code, HTTP status and message.

The gateway-wide codes (signature, throttling, time stamp, access key) are Alibaba Cloud's documented ones.
The CAS-specific codes are NOT published anywhere we could read: only the messages are known from users' reports
(``名称重复，请重新输入。``, ``证书格式异常，请检查输入内容。``). The codes below marked *chosen* are the emulator's own
choice (README, "The emulator"); change them here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ACTIONS",
    "API_VERSION",
    "CERT_FORMAT",
    "CERT_NOT_FOUND",
    "CONTENT_SHA256_MISMATCH",
    "DATE_INVALID",
    "HOST_ID",
    "INCOMPLETE_SIGNATURE",
    "INTERNAL_ERROR",
    "INVALID_ACCESS_KEY",
    "INVALID_ACTION",
    "INVALID_PARAMETER",
    "INVALID_VERSION",
    "MISSING_NAME",
    "NAME_TAKEN",
    "NONCE_USED",
    "SERVICE_UNAVAILABLE",
    "SIGNATURE_ALGORITHM",
    "SIGNATURE_MISMATCH",
    "THROTTLED",
    "TIMESTAMP_EXPIRED",
    "TIME_WINDOW_SECONDS",
    "TOKEN_MISMATCH",
    "ApiErrorKind",
    "missing",
]

API_VERSION = "2020-04-07"
SIGNATURE_ALGORITHM = "ACS3-HMAC-SHA256"
HOST_ID = "cas.aliyuncs.com"
# x-acs-date must be within this many seconds of the server's clock (either way); nonces are remembered as long.
TIME_WINDOW_SECONDS = 15 * 60

ACTIONS = (
    "UploadUserCertificate",
    "ListUserCertificateOrder",
    "GetUserCertificateDetail",
    "DeleteUserCertificate",
)


@dataclass(frozen=True)
class ApiErrorKind:
    code: str
    status: int
    message: str


def missing(parameter: str) -> ApiErrorKind:
    """The gateway's ``Missing{Parameter}`` family."""
    return ApiErrorKind(f"Missing{parameter}", 400, f"{parameter} is mandatory for this action.")


# Gateway-wide, documented by Alibaba Cloud.
SIGNATURE_MISMATCH = ApiErrorKind("SignatureDoesNotMatch", 400, "Specified signature does not match our calculation.")
INCOMPLETE_SIGNATURE = ApiErrorKind(
    "IncompleteSignature", 400, "The request signature does not conform to Aliyun standards."
)
INVALID_ACCESS_KEY = ApiErrorKind("InvalidAccessKeyId.NotFound", 404, "Specified access key is not found.")
NONCE_USED = ApiErrorKind("SignatureNonceUsed", 400, "Specified signature nonce was used already.")
TIMESTAMP_EXPIRED = ApiErrorKind("InvalidTimeStamp.Expired", 400, "Specified time stamp or date value is expired.")
DATE_INVALID = ApiErrorKind("InvalidTimeStamp.Format", 400, "Specified time stamp or date value is not well formatted.")
THROTTLED = ApiErrorKind("Throttling.User", 400, "Request was denied due to user flow control.")
SERVICE_UNAVAILABLE = ApiErrorKind(
    "ServiceUnavailable", 503, "The request has failed due to a temporary failure of the server."
)
INTERNAL_ERROR = ApiErrorKind("InternalError", 500, "The request processing has failed due to some unknown error.")
INVALID_ACTION = ApiErrorKind(
    "InvalidAction.NotFound", 404, "Specified api is not found, please check your url and method."
)
INVALID_VERSION = ApiErrorKind("InvalidVersion", 400, "Specified parameter Version is not valid.")
INVALID_PARAMETER = ApiErrorKind("InvalidParameter", 400, "The specified parameter is not valid.")
MISSING_NAME = missing("Name")
# Chosen: the gateway's code for a body that does not match x-acs-content-sha256 is not documented.
CONTENT_SHA256_MISMATCH = ApiErrorKind(
    "SignatureDoesNotMatch", 400, "The x-acs-content-sha256 header does not match the request body."
)

# CAS-specific. Messages as users report them; the codes are chosen.
NAME_TAKEN = ApiErrorKind("NameRepeat", 400, "名称重复，请重新输入。")  # chosen code
CERT_FORMAT = ApiErrorKind("CertFormatError", 400, "证书格式异常，请检查输入内容。")  # chosen code
# chosen: the name other Alibaba Cloud services (ECS) use for a ClientToken reused with other parameters
TOKEN_MISMATCH = ApiErrorKind(
    "IdempotentParameterMismatch", 400, "The ClientToken was already used with different request parameters."
)
CERT_NOT_FOUND = ApiErrorKind("CertNotFound", 404, "The specified certificate does not exist.")  # chosen code
