"""The emulator's parts on their own: the rate window, nonces, fault draws, serial formatting, the store."""

from __future__ import annotations

import pytest

from certcheck.emulator.actions import _serial_hex
from certcheck.emulator.errors import ApiError
from certcheck.emulator.faults import FAULT_KINDS, FaultInjector
from certcheck.emulator.signature import NonceCache
from certcheck.emulator.store import Store
from certcheck.emulator.throttle import SlidingWindow


def test_the_window_admits_rate_calls_per_second_and_says_when_the_next_slot_frees() -> None:
    window = SlidingWindow(3)
    assert [window.admit("k", now=t)[0] for t in (10.0, 10.1, 10.2)] == [True, True, True]
    admitted, retry_after, _ = window.admit("k", now=10.5)
    assert not admitted and retry_after == pytest.approx(0.5)
    assert window.admit("other-key", now=10.5)[0]  # per access key
    assert not window.admit("k", now=11.0)[0]  # exactly one second later still shares the window
    assert window.admit("k", now=11.01)[0]
    assert SlidingWindow(0).admit("k", now=1.0)[0]  # 0: unlimited
    assert SlidingWindow(2.5)._capacity == 2
    with pytest.raises(ValueError):
        SlidingWindow(-1)


def test_a_nonce_is_used_once_per_key() -> None:
    nonces = NonceCache()
    assert nonces.use("k", "n1", 100.0)
    assert not nonces.use("k", "n1", 101.0)
    assert nonces.use("other", "n1", 101.0)


def test_fault_draws_follow_rate_kinds_and_seed() -> None:
    assert FaultInjector(0.0).draw() is None
    always = FaultInjector(1.0, ["drop-after"])
    plan = always.draw()
    assert plan is not None and plan.kind == "drop-after" and plan.after and plan.base == "drop"
    a, b = FaultInjector(0.5, seed=3), FaultInjector(0.5, seed=3)
    draws = [getattr(a.draw(), "kind", None) for _ in range(50)]
    assert draws == [getattr(b.draw(), "kind", None) for _ in range(50)]  # reproducible with a seed
    assert set(draws) - {None} <= set(FAULT_KINDS) and None in draws


@pytest.mark.parametrize(
    "serial, text",
    [(1, "01"), (0x7F, "7f"), (0x80, "0080"), (0xFF00, "00ff00"), (0x573A, "573a"), (0, "00"), (-1, "ff")],
)
def test_serials_are_the_der_integer_bytes_so_a_top_bit_gives_a_leading_zero(serial: int, text: str) -> None:
    assert _serial_hex(serial) == text
    assert int.from_bytes(bytes.fromhex(text), "big", signed=True) == serial


def _fields(name: str) -> dict[str, object]:
    text = ("common_name", "sans", "serial_no", "fingerprint", "sha2", "issuer", "algorithm")
    return {
        **dict.fromkeys(text, "x"),
        "name": name,
        "resource_id": f"cas-upload-{name}",
        "client_token": None,
        "not_before": 0,
        "not_after": 1,
        "cert": "PEM",
        "sign_cert": None,
        "encrypt_cert": None,
        "key_digest": "<redacted sha256:0>",
        "sign_key_digest": None,
        "encrypt_key_digest": None,
        "resource_group_id": None,
        "tags": [["k", "v"]],
        "chain": [],
        "created": 0.0,
    }


def test_the_store_binds_a_token_to_its_content_and_names_are_unique() -> None:
    store = Store()
    first = store.insert(_fields("a"), "Upload", "tok", "content-1")
    assert first[2] is True
    assert store.insert(_fields("a"), "Upload", "tok", "content-1") == (first[0], first[1], False)
    with pytest.raises(ApiError) as other:
        store.insert(_fields("b"), "Upload", "tok", "content-2")
    assert other.value.kind.code == "IdempotentParameterMismatch"
    with pytest.raises(ApiError) as taken:
        store.insert(_fields("a"), "Upload", None, "content-3")
    assert taken.value.kind.code == "NameRepeat"
    assert store.count() == 1
    [stored] = store.certificates()
    assert stored.tags == (("k", "v"),) and stored.name == "a"
    assert store.certificates(pem=False)[0].cert is None
    assert store.delete(stored.id, "Delete", "d1") and store.delete(stored.id, "Delete", "d1")
    assert not store.delete(stored.id, "Delete", None)
    store.close()
