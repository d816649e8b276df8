"""Shared by the emulator tests: a running emulator, official-SDK clients for it, raw signed requests."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from certcheck.emulator import Emulator, serve_in_thread
from certcheck.emulator.signature import sign
from tests.conftest import STD, read

KEY_ID = "LTAI-test-key-id"
SECRET = "test-secret-not-real"
CREDENTIALS = {KEY_ID: SECRET}
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")

RSA_CHAIN = read(STD / "rsa-fullchain.pem")
RSA_KEY = read(STD / "rsa-leaf.key")


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK honours HTTP_PROXY even for 127.0.0.1 and ignores NO_PROXY."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with serve_in_thread(CREDENTIALS, rate=0) as running:
        yield running


def client(emu: Emulator, *, key_id: str = KEY_ID, secret: str = SECRET, read_ms: int = 5000, **config: Any) -> Any:
    """An official SDK client pointed at the emulator."""
    from alibabacloud_cas20200407.client import Client
    from alibabacloud_tea_openapi.models import Config

    return Client(
        Config(
            access_key_id=key_id,
            access_key_secret=secret,
            endpoint=emu.endpoint,
            protocol="http",
            connect_timeout=2000,
            read_timeout=read_ms,
            **config,
        )
    )


def upload_request(name: str = "demo_example_com", **fields: Any) -> Any:
    from alibabacloud_cas20200407 import models

    tags = fields.pop("tags", None)
    values: dict[str, Any] = {"name": name, "cert": RSA_CHAIN, "key": RSA_KEY, **fields}
    if tags is not None:
        values["tags"] = [models.UploadUserCertificateRequestTags(key=k, value=v) for k, v in tags]
    return models.UploadUserCertificateRequest(**values)


def sdk_error(call: Any, *args: Any) -> Any:
    """The SDK's exception for a call that must fail."""
    from Tea.exceptions import TeaException

    with pytest.raises(TeaException) as info:
        call(*args)
    return info.value


def raw_call(
    emu: Emulator,
    action: str,
    params: dict[str, str],
    *,
    secret: str = SECRET,
    key_id: str = KEY_ID,
    nonce: str | None = None,
    date: str | None = None,
    tamper: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """POST a request signed by the test-side signer: (status, JSON body, headers)."""
    query = urlencode(params)
    headers = sign(
        access_key_id=key_id,
        secret=secret,
        host=emu.endpoint,
        action=action,
        raw_query=query,
        nonce=nonce or uuid.uuid4().hex,
        date=date,
    )
    headers.update(tamper or {})
    conn = http.client.HTTPConnection(emu.host, emu.port, timeout=10)
    try:
        conn.request("POST", f"/?{query}", body=b"", headers=headers)
        response = conn.getresponse()
        body = json.loads(response.read() or b"{}")
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
