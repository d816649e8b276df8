"""The HTTP side: a threaded server on loopback that speaks to the official SDK like the CAS endpoint.

Every request goes through the same steps, in the order a gateway would apply them::

    latency -> signature (ACS3) -> version and action -> throttle -> log the accepted call
            -> fault before? -> the action (commits state) -> fault after? -> response
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit

from certcheck.emulator.actions import Service
from certcheck.emulator.constants import (
    ACTIONS,
    API_VERSION,
    INTERNAL_ERROR,
    INVALID_ACTION,
    INVALID_PARAMETER,
    INVALID_VERSION,
    SERVICE_UNAVAILABLE,
    THROTTLED,
    ApiErrorKind,
)
from certcheck.emulator.errors import ApiError
from certcheck.emulator.faults import FAULT_KINDS, FaultInjector, FaultPlan
from certcheck.emulator.signature import NonceCache, verify
from certcheck.emulator.store import Call, Store, StoredCertificate
from certcheck.emulator.throttle import SlidingWindow
from certcheck.profiles import get_profile

__all__ = ["Emulator", "serve_in_thread"]

MAX_BODY = 4 * 1024 * 1024


class Emulator:
    """A CAS endpoint on loopback. Use as a context manager, or ``start()`` / ``stop()``.

    ``credentials`` maps AccessKey IDs to their secrets. ``rate`` is calls per second per AccessKey (0: no limit);
    ``fault_rate`` the share of accepted calls that get a fault of one of ``fault_kinds`` (see ``faults``);
    ``slow_ms`` how long a slow fault holds the response; ``latency_ms`` is added to every call;
    ``access_log`` a JSON Lines file that receives one line per accepted call (also in ``calls()``);
    ``clock`` the time certificates are judged at (validation, expiry); signatures are always checked against the
    real clock. ``refusals`` counts the error codes answered (``Throttling.User``, ``SignatureDoesNotMatch``...).
    """

    def __init__(
        self,
        credentials: Mapping[str, str],
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str | Path | None = None,
        rate: float = 100.0,
        fault_rate: float = 0.0,
        fault_kinds: Iterable[str] = FAULT_KINDS,
        slow_ms: int = 12_000,
        latency_ms: int = 0,
        access_log: str | Path | None = None,
        profile: str = "2025-11",
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not credentials or not all(
            isinstance(k, str) and k and isinstance(v, str) and v for k, v in credentials.items()
        ):
            raise ValueError("the emulator needs at least one AccessKey ID and secret")
        if latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        self._secrets = dict(credentials)
        self.throttle = SlidingWindow(rate)
        self.faults = FaultInjector(fault_rate, fault_kinds, slow_ms=slow_ms, seed=seed)
        self.latency_ms = latency_ms
        self.nonces = NonceCache()
        self.clock = clock
        get_profile(profile)  # an unknown profile is a ValueError now, not on the first upload
        self._log_lock = threading.Lock()
        self._busy = threading.Condition()
        self._in_flight = 0
        self.refusals: Counter[str] = Counter()  # error code -> how many calls were refused with it
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._access_log: IO[str] | None = None
        # Open the three resources in turn; when one fails, close those already open (a library caller would
        # otherwise leak a bound port or a database handle).
        self.store = Store(db)
        try:
            if access_log is not None:
                self._access_log = open(access_log, "a", encoding="utf-8")  # noqa: SIM115 (closed in stop())
            self._httpd = _Server((host, port), _Handler)
        except BaseException:
            if self._access_log is not None:
                self._access_log.close()
            self.store.close()
            raise
        self._httpd.emulator = self
        self.service = Service(self.store, profile=profile, clock=clock)

    def __repr__(self) -> str:  # never the secrets
        return f"Emulator(url={self.url!r}, keys={sorted(self._secrets)!r})"

    # --- where it listens --------------------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def endpoint(self) -> str:
        """``HOST:PORT``, the form the SDK's ``Config(endpoint=...)`` takes (with ``protocol='http'``)."""
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"

    # --- life cycle --------------------------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="cas-emulator", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes handlers that are holding a slow response
        if self._thread is not None:
            self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        with self._log_lock:
            if self._access_log is not None:
                self._access_log.close()
                self._access_log = None
        self.store.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- what tests read ---------------------------------------------------------------------------------------

    def calls(self) -> list[Call]:
        """Every accepted call (verified, within the rate), with the moment it was admitted."""
        return self.store.calls()

    def certificates(self) -> list[StoredCertificate]:
        return self.store.certificates()

    # --- the request pipeline ----------------------------------------------------------------------------------

    def record(self, call: Call) -> None:
        # One lock around both writes, so the file and the table list calls in the same order.
        with self._log_lock:
            self.store.log_call(call)
            if self._access_log is not None:
                line = {
                    "ts": call.ts,
                    "access_key_id": call.access_key_id,
                    "action": call.action,
                    "request_id": call.request_id,
                    "fault": call.fault,
                }
                self._access_log.write(json.dumps(line) + "\n")
                self._access_log.flush()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no call is being handled (held slow faults included); False on timeout."""
        with self._busy:
            return self._busy.wait_for(lambda: self._in_flight == 0, timeout)

    def count(self, code: str) -> None:
        with self._log_lock:
            self.refusals[code] += 1

    def wait(self, milliseconds: float) -> None:
        """Sleep, but wake at once when the emulator stops."""
        if milliseconds > 0:
            self.stopping.wait(milliseconds / 1000)


def serve_in_thread(credentials: Mapping[str, str], **options: Any) -> Emulator:
    """Start an emulator in a background thread: ``with serve_in_thread({"id": "secret"}) as emu: emu.endpoint``.

    Takes the keyword options of ``Emulator``; ``stop()`` (or leaving the ``with``) shuts it down.
    """
    return Emulator(credentials, **options).start()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    emulator: Emulator

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)):
            return  # the client went away (it timed out on a slow fault, or dropped): nothing to report
        super().handle_error(request, client_address)


class _Dropped(Exception):
    """The connection was closed on purpose, without a response."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "certcheck-emulator"
    sys_version = ""
    timeout = 60  # an idle keep-alive connection is closed after a minute
    # Headers and body go out in two writes: with Nagle's algorithm the second waits for the client's delayed
    # ACK, 40 ms per call on Linux loopback (measured: 45 ms -> ~2 ms for an empty ListUserCertificateOrder).
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the access log (calls table / --access-log) is the record; stderr stays quiet

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a request line over 64 KiB, a malformed request) in the service's shape."""
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        kind = ApiErrorKind(phrase.title().replace(" ", "").replace("-", ""), code, message or phrase)
        self.close_connection = True
        self._send(code, ApiError(kind, explain or "").body(str(uuid.uuid4()).upper()), {"Connection": "close"})

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        emu = self.server.emulator
        request_id = str(uuid.uuid4()).upper()
        with emu._busy:
            emu._in_flight += 1
        try:
            try:
                status, body, headers = self._respond(emu, request_id)
            except _Dropped:
                self._drop()
                return
            self._send(status, body, headers)
        finally:
            with emu._busy:
                emu._in_flight -= 1
                emu._busy.notify_all()

    def _respond(self, emu: Emulator, request_id: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        fault: FaultPlan | None = None
        try:
            emu.wait(emu.latency_ms)
            split = urlsplit(self.path)
            body = self._read_body()
            headers: dict[str, list[str]] = {}
            for name, value in self.headers.items():
                headers.setdefault(name.lower(), []).append(value)
            verified = verify(
                method=self.command,
                path=split.path,
                raw_query=split.query,
                headers=headers,
                body=body,
                secrets=emu._secrets,
                nonces=emu.nonces,
            )
            action = headers.get("x-acs-action", [""])[0]
            if headers.get("x-acs-version", [""])[0] != API_VERSION:
                raise ApiError(INVALID_VERSION, f"This endpoint serves CAS {API_VERSION}.")
            if action not in ACTIONS or split.path not in ("", "/"):
                raise ApiError(INVALID_ACTION, f"The emulator serves {', '.join(ACTIONS)} at /.")
            params = _params(split.query, body, headers)
            admitted, retry_after, moment = emu.throttle.admit(verified.access_key_id)
            if not admitted:
                millis = max(1, math.ceil(retry_after * 1000))
                raise ApiError(THROTTLED, f"Retry after {millis} ms.", headers={"x-acs-retry-after": str(millis)})
            fault = emu.faults.draw()
            emu.record(Call(moment, verified.access_key_id, action, request_id, fault.kind if fault else None))
            if fault is not None and not fault.after:
                if fault.base == "unavailable":
                    raise ApiError(SERVICE_UNAVAILABLE, "Injected fault (before commit): retry the call.")
                if fault.base == "drop":
                    raise _Dropped()
                emu.wait(emu.faults.slow_ms)  # slow: hold, then run the action as usual
            result: tuple[int, dict[str, Any], dict[str, str]] = (
                200,
                dict(emu.service.handle(action, params), RequestId=request_id),
                {},
            )
        except ApiError as error:
            emu.count(error.kind.code)
            result = (error.status, error.body(request_id), error.headers)
        except _Dropped:
            raise
        except Exception as exc:  # a bug must be an InternalError for the client, not a dead connection
            result = (500, ApiError(INTERNAL_ERROR, type(exc).__name__).body(request_id), {})
        if fault is not None and fault.after:
            if fault.base == "unavailable":
                lost = ApiError(SERVICE_UNAVAILABLE, "Injected fault (after commit): the call may have succeeded.")
                return lost.status, lost.body(request_id), {}
            if fault.base == "drop":
                raise _Dropped()
            emu.wait(emu.faults.slow_ms)
        return result

    def _read_body(self) -> bytes:
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            raise ApiError(INVALID_PARAMETER, "Content-Length is not a number.") from None
        if length < 0 or length > MAX_BODY:
            raise ApiError(INVALID_PARAMETER, f"The body must be at most {MAX_BODY} bytes.")
        return self.rfile.read(length)

    def _send(self, status: int, body: Mapping[str, Any], headers: Mapping[str, str]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-acs-request-id", str(body.get("RequestId", "")))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (a slow fault outlived its read timeout)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


def _params(raw_query: str, body: bytes, headers: Mapping[str, list[str]]) -> dict[str, str]:
    """The action's parameters: the query (where the SDK puts them all), then a form body if there is one."""
    try:
        params = dict(parse_qsl(raw_query, keep_blank_values=True, encoding="utf-8", errors="strict"))
        content_type = headers.get("content-type", [""])[0].lower()
        if body and content_type.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict"))
    except UnicodeDecodeError:
        raise ApiError(INVALID_PARAMETER, "Parameters must be UTF-8.") from None
    return params
