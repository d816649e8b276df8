"""SM2 (GB/T 32918) on sm2p256v1: point handling, SM3, and SM2-with-SM3 signature verification.

Verification only: nothing here signs (the test suite has its own signer, tests/sm2_signing.py).
Scalars and coordinates are plain ``int``; points are affine ``(x, y)`` tuples.
"""

from __future__ import annotations

import enum
import functools
import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from certcheck._crypto import der

__all__ = [
    "DEFAULT_USER_ID",
    "GX",
    "GY",
    "A",
    "B",
    "N",
    "P",
    "Point",
    "UserId",
    "decode_point",
    "decode_signature",
    "encode_point",
    "is_on_curve",
    "key_matches",
    "private_scalar_ok",
    "public_from_private",
    "sm3",
    "sm3_is_pure_python",
    "verify",
    "verify_digest",
    "z_value",
]

P = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_FFFFFFFF_00000000_FFFFFFFF_FFFFFFFF
A = P - 3
B = 0x28E9FA9E_9D9F5E34_4D5A9E4B_CF6509A7_F39789F5_15AB8F92_DDBCBD41_4D940E93
N = 0xFFFFFFFE_FFFFFFFF_FFFFFFFF_FFFFFFFF_7203DF6B_21C6052B_53BBF409_39D54123
GX = 0x32C4AE2C_1F198119_5F990446_6A39C994_8FE30BBF_F2660BE1_715A4589_334C74C7
GY = 0xBC3736A2_F4F6779C_59BDCEE3_6B692153_D0A9877C_C62A4740_02DF32E5_2139F0A0

Point = tuple[int, int]

DEFAULT_USER_ID = b"1234567812345678"  # GM/T 0009 default signer ID
_MAX_USER_ID_LEN = 8191  # ENTL is 16 bits of *bit* length


class UserId(enum.Enum):
    """Which signer-ID convention a signature was made with (tried in this order)."""

    DEFAULT = "default"  # ID 1234567812345678: GmSSL, Tongsuo, Chinese CAs
    EMPTY = "empty"  # zero-length ID: OpenSSL 1.1.1-3.x without -sigopt distid
    NO_Z = "noZ"  # no Z at all, e = SM3(message): Tongsuo sm2-za:no


_ALL_VARIANTS = (UserId.DEFAULT, UserId.EMPTY, UserId.NO_Z)


# --- SM3 -------------------------------------------------------------------------------------------


def _sm3_hashlib(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


_SM3_IV = (0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E)
_M32 = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _M32


_SM3_T = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _sm3_python(data: bytes) -> bytes:
    """SM3 (GB/T 32905) in plain Python: the fallback where hashlib lacks SM3 (~0.7 ms per 64-byte block,
    hundreds of times slower than OpenSSL's; gmssl's pure-Python SM3 measured ~1.4x slower still).

    Written here rather than taken from gmssl so that gmssl, and the pycryptodomex it pulls in, are not
    run-time dependencies of certcheck; the tests check it against hashlib and gmssl.
    """
    length = len(data)
    message = data + b"\x80" + b"\x00" * ((55 - length) % 64) + (length * 8).to_bytes(8, "big")
    v = list(_SM3_IV)
    for offset in range(0, len(message), 64):
        w = [int.from_bytes(message[offset + 4 * i : offset + 4 * i + 4], "big") for i in range(16)]
        for j in range(16, 68):
            x = w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)
            x ^= _rotl(x, 15) ^ _rotl(x, 23)  # P1
            w.append(x ^ _rotl(w[j - 13], 7) ^ w[j - 6])
        a, b, c, d, e, f, g, h = v
        for j in range(64):
            a12 = _rotl(a, 12)
            ss1 = _rotl((a12 + e + _SM3_T[j]) & _M32, 7)
            ss2 = ss1 ^ a12
            if j < 16:
                ff, gg = a ^ b ^ c, e ^ f ^ g
            else:
                ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
            tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _M32
            tt2 = (gg + h + ss1 + w[j]) & _M32
            d, c, b, a = c, _rotl(b, 9), a, tt1
            h, g, f = g, _rotl(f, 19), e
            e = tt2 ^ _rotl(tt2, 9) ^ _rotl(tt2, 17)  # P0
        v = [x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True)]
    return b"".join(x.to_bytes(4, "big") for x in v)


def _pick_sm3() -> Callable[[bytes], bytes]:
    # hashlib has "sm3" only when the linked OpenSSL provides it, which not every build does.
    try:
        hashlib.new("sm3")
    except ValueError:
        return _sm3_python
    return _sm3_hashlib


_sm3_impl = _pick_sm3()


def sm3(data: bytes) -> bytes:
    """SM3 digest (GB/T 32905) of ``data``: 32 bytes."""
    return _sm3_impl(data)


def sm3_is_pure_python() -> bool:
    """True where hashlib lacks SM3 and the ~1000x slower pure-Python fallback is in use."""
    return _sm3_impl is _sm3_python


# --- points ----------------------------------------------------------------------------------------


def is_on_curve(point: Point) -> bool:
    """True when ``point`` is an affine point of sm2p256v1 with coordinates in [0, P)."""
    x, y = point
    if not (0 <= x < P and 0 <= y < P):
        return False
    return (y * y - (x * x * x + A * x + B)) % P == 0


def decode_point(octets: bytes) -> Point:
    """Decode a SEC1 point: ``04||X||Y`` or compressed ``02/03||X``; ValueError unless on the curve."""
    if not octets:
        raise ValueError("empty EC point")
    kind = octets[0]
    if kind == 0 and len(octets) == 1:
        raise ValueError("EC point is the point at infinity")
    if kind == 4:
        if len(octets) != 65:
            raise ValueError(f"uncompressed SM2 point must be 65 bytes, got {len(octets)}")
        point = (int.from_bytes(octets[1:33], "big"), int.from_bytes(octets[33:], "big"))
    elif kind in (2, 3):
        if len(octets) != 33:
            raise ValueError(f"compressed SM2 point must be 33 bytes, got {len(octets)}")
        x = int.from_bytes(octets[1:], "big")
        if x >= P:
            raise ValueError("EC point X coordinate is not below the field prime")
        rhs = (x * x * x + A * x + B) % P
        y = pow(rhs, (P + 1) // 4, P)  # square root: P = 3 (mod 4)
        if y * y % P != rhs:
            raise ValueError("compressed EC point is not on the SM2 curve")
        if y & 1 != kind & 1:
            y = P - y
        point = (x, y)
    else:
        raise ValueError(f"unsupported EC point encoding (first byte 0x{kind:02x})")
    if not is_on_curve(point):
        raise ValueError("EC point is not on the SM2 curve")
    return point


def encode_point(point: Point) -> bytes:
    """Uncompressed SEC1 encoding, ``04||X||Y`` with 32-byte coordinates."""
    x, y = point
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


# --- curve arithmetic ------------------------------------------------------------------------------
# Hand-written rather than ecdsa's PointJacobi (measured, one core, Python 3.11 + gmpy2): d*G 0.29 ms
# vs 0.62 ms with ecdsa's precomputed generator, s*G + t*P 1.5 ms vs 2.4 ms with its mul_add; and gmssl,
# pure Python, ~11 ms per d*G (benchmarks/bench_sm2.py, bench_sm_request.py). G gets a table for signed
# radix-64 digits (<= 44 additions, no doublings; 1.4k points built on first use, ~3 ms), the variable
# point a width-5 NAF with the doubling written inline (it runs 256 times per signature); ecdsa's import
# also costs ~15 ms on top of gmpy2's. Jacobian (X, Y, Z) is (X/Z^2, Y/Z^3), and
# Z == 0 the point at infinity. Numbers are gmpy2.mpz when importable (products ~2x faster), else int.

_Jacobian = tuple[Any, Any, Any]
_INFINITY: _Jacobian = (1, 1, 0)
_WINDOW_BITS = 6  # G table: signed radix-64 digits, <= 44 additions per k*G (radix 16: 65)
_WINDOW = 1 << _WINDOW_BITS
_WNAF_WIDTH = 5  # NAF window for the variable point: odd multiples up to 15*P


def _double(x: Any, y: Any, z: Any, p: Any) -> _Jacobian:
    # dbl-2001-b, valid because a = -3.
    if not z:
        return _INFINITY
    delta = z * z % p
    gamma = y * y % p
    beta = x * gamma % p
    alpha = 3 * (x - delta) * (x + delta) % p
    x3 = (alpha * alpha - 8 * beta) % p
    return x3, (alpha * (4 * beta - x3) - 8 * gamma * gamma) % p, 2 * y * z % p


def _add_affine(x1: Any, y1: Any, z1: Any, x2: Any, y2: Any, p: Any) -> _Jacobian:
    """Jacobian (x1, y1, z1) + finite affine (x2, y2), including the equal and opposite cases."""
    if not z1:
        return x2, y2, 1
    zz = z1 * z1 % p
    h = (x2 * zz - x1) % p
    r = (y2 * zz * z1 - y1) % p
    if not h:
        return _double(x1, y1, z1, p) if not r else _INFINITY
    hh = h * h % p
    hhh = h * hh % p
    v = x1 * hh % p
    x3 = (r * r - hhh - 2 * v) % p
    return x3, (r * (v - x3) - y1 * hhh) % p, z1 * h % p


def _normalize(points: list[_Jacobian], p: Any) -> list[tuple[Any, Any]]:
    """Affine forms of finite Jacobian points with one inversion for all (Montgomery's trick)."""
    prefix = []
    acc: Any = 1
    for _, _, z in points:
        prefix.append(acc)
        acc = acc * z % p
    inv = pow(acc, -1, p)
    out = []
    for (x, y, z), before in zip(reversed(points), reversed(prefix), strict=True):
        z_inv = inv * before % p
        inv = inv * z % p
        zz_inv = z_inv * z_inv % p
        out.append((x * zz_inv % p, y * zz_inv * z_inv % p))
    out.reverse()
    return out


def _signed_digits(k: int, radix: int) -> list[int]:
    """k = sum(digit * radix^i), each digit in (-radix/2, radix/2]."""
    digits = []
    while k:
        digit = k % radix
        if digit > radix // 2:
            digit -= radix
        digits.append(digit)
        k = (k - digit) // radix
    return digits


def _wnaf(k: int, width: int) -> list[int]:
    """Width-w NAF, least significant first: odd digits below 2^(w-1) in size, then w-1 zeros."""
    digits = []
    full = 1 << width
    while k:
        digit = 0
        if k & 1:
            digit = k % full
            if digit >= full // 2:
                digit -= full
            k -= digit
        digits.append(digit)
        k >>= 1
    return digits


@functools.cache
def _engine() -> tuple[Any, Callable[[int], Any], list[list[tuple[Any, Any]]]]:
    """(p, number type, G table): row i holds j * 64^i * G for j = 1..32, affine.

    Built on first use, not at import: importing gmpy2 costs ~35-55 ms (it loads importlib.metadata)
    and the table ~5 ms, which `certcheck check` should pay only when a request involves SM2.
    """
    number: Callable[[int], Any] = int
    try:
        import gmpy2

        number = gmpy2.mpz
    except ImportError:  # gmpy2 is optional (not on PyPy): plain ints, about 2x slower
        pass
    p = number(P)
    table = []
    base = (number(GX), number(GY))
    for _ in range((256 + _WINDOW_BITS - 1) // _WINDOW_BITS + 1):  # signed digits can carry one position up
        row = [(*base, number(1))]
        for _ in range(_WINDOW // 2 - 1):
            row.append(_add_affine(*row[-1], *base, p))
        row.append(_double(*row[-1], p))  # 64 * base: the next row's base
        *affine_row, base = _normalize(row, p)
        table.append(affine_row)
    return p, number, table


def _add_g_multiple(acc: _Jacobian, k: int) -> _Jacobian:
    """acc + k*G using the G table: one addition per non-zero signed radix-64 digit of k."""
    p, _, table = _engine()
    x, y, z = acc
    # k may have fewer digits than the table has rows.
    for row, digit in zip(table, _signed_digits(k, _WINDOW), strict=False):
        if digit > 0:
            x, y, z = _add_affine(x, y, z, *row[digit - 1], p)
        elif digit < 0:
            gx, gy = row[-digit - 1]
            x, y, z = _add_affine(x, y, z, gx, p - gy, p)
    return x, y, z


def _to_affine(point: _Jacobian) -> Point | None:
    if not point[2]:
        return None
    ((x, y),) = _normalize([point], _engine()[0])
    return int(x), int(y)


def _mul_g(k: int) -> Point | None:
    return _to_affine(_add_g_multiple(_INFINITY, k % N))


def private_scalar_ok(d: int) -> bool:
    """The one range check of an SM2 private scalar: 1 <= d <= n-2 (signing needs (1+d)^-1 mod n)."""
    return 1 <= d <= N - 2


def public_from_private(d: int) -> Point:
    """The public point d*G; ValueError unless ``private_scalar_ok(d)``."""
    if not private_scalar_ok(d):
        raise ValueError("SM2 private key out of range (must be 1 <= d <= n-2)")
    point = _mul_g(d)
    assert point is not None  # d in [1, N-2] is never a multiple of the group order
    return point


def key_matches(d: int, point: Point) -> bool:
    """True when ``d`` is a valid SM2 private scalar whose public point is ``point``."""
    if not private_scalar_ok(d):
        return False
    return public_from_private(d) == tuple(point)


# --- signatures ------------------------------------------------------------------------------------


def z_value(user_id: bytes, point: Point) -> bytes:
    """Z = SM3(ENTL || ID || a || b || Gx || Gy || xP || yP), ENTL being the ID's bit length."""
    if len(user_id) > _MAX_USER_ID_LEN:
        raise ValueError(f"SM2 user ID longer than {_MAX_USER_ID_LEN} bytes")
    if not is_on_curve(point):
        raise ValueError("public point is not on the SM2 curve")
    parts = (A, B, GX, GY, *point)
    data = (len(user_id) * 8).to_bytes(2, "big") + user_id + b"".join(v.to_bytes(32, "big") for v in parts)
    return sm3(data)


def decode_signature(signature: bytes) -> tuple[int, int]:
    """Strictly decode DER ``SEQUENCE { r INTEGER, s INTEGER }`` (positive r, s); ValueError if malformed."""
    parts = der.sequence_of(signature)
    if len(parts) != 2:
        raise ValueError("an SM2 signature is SEQUENCE { r, s }")
    return der.integer(signature, parts[0]), der.integer(signature, parts[1])


def _sum_x(r: int, s: int, point: Point) -> int | None:
    """x1 of s*G + t*P (t = r+s mod N), or None when the signature or key is unusable."""
    if not (1 <= r < N and 1 <= s < N) or not is_on_curve(point):
        return None
    t = (r + s) % N
    if t == 0:
        return None
    p, number, _ = _engine()
    # t*P by width-5 NAF over a small table of odd multiples, then s*G added from the G table.
    px, py = number(point[0]), number(point[1])
    twice = _normalize([_double(px, py, number(1), p)], p)[0]
    odd = [(px, py, number(1))]
    for _ in range((1 << (_WNAF_WIDTH - 2)) - 1):
        odd.append(_add_affine(*odd[-1], *twice, p))
    multiples = _normalize(odd, p)  # P, 3P, 5P, ..., 15P
    x, y, z = _INFINITY
    for digit in reversed(_wnaf(t, _WNAF_WIDTH)):
        if z:  # _double, inline: a function call per doubling is ~10% of a verification
            delta = z * z % p
            gamma = y * y % p
            beta = x * gamma % p
            alpha = 3 * (x - delta) * (x + delta) % p
            z = 2 * y * z % p
            x = (alpha * alpha - 8 * beta) % p
            y = (alpha * (4 * beta - x) - 8 * gamma * gamma) % p
        if digit > 0:
            x, y, z = _add_affine(x, y, z, *multiples[digit >> 1], p)
        elif digit < 0:
            mx, my = multiples[-digit >> 1]
            x, y, z = _add_affine(x, y, z, mx, p - my, p)
    total = _to_affine(_add_g_multiple((x, y, z), s))
    return None if total is None else total[0]


def verify_digest(e: int, r: int, s: int, point: Point) -> bool:
    """Core SM2 check: (e + x1) mod N == r, x1 from s*G + t*P; e is the SM3 digest as an int."""
    x1 = _sum_x(r, s, point)
    return x1 is not None and (e + x1) % N == r


def _digest(variant: UserId, message: bytes, point: Point) -> int:
    if variant is UserId.NO_Z:
        return int.from_bytes(sm3(message), "big")
    user_id = DEFAULT_USER_ID if variant is UserId.DEFAULT else b""
    return int.from_bytes(sm3(z_value(user_id, point) + message), "big")


def verify(
    message: bytes,
    signature_der: bytes,
    point: Point,
    variants: Sequence[UserId] = _ALL_VARIANTS,
) -> UserId | None:
    """Return the first user-ID convention under which ``signature_der`` over ``message`` verifies.

    None when no variant verifies, including for a malformed signature or public point.
    """
    try:
        r, s = decode_signature(signature_der)
    except ValueError:
        return None
    # x1 does not depend on the digest, so the costly point arithmetic runs once for all variants.
    x1 = _sum_x(r, s, point)
    if x1 is None:
        return None
    for variant in variants:
        if (_digest(variant, message, point) + x1) % N == r:
            return variant
    return None
