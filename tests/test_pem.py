"""PEM armor: every shape users paste, repaired or refused with a finding, never an exception."""

from __future__ import annotations

import base64
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certcheck import pem
from tests.conftest import STD, assert_has, assert_lacks, codes, rsa_ok, std

LEAF = std("rsa-leaf.pem")
KEY = std("rsa-leaf.key")


def test_canonical_pem_round_trips_without_findings() -> None:
    armor = pem.read("Cert", LEAF)
    assert armor.problems == ()
    assert len(armor.blocks) == 1
    assert pem.encode("CERTIFICATE", armor.blocks[0].der) == LEAF


def test_canonical_blocks_are_kept_as_given_as_text_or_bytes() -> None:
    """The fast path keeps each canonical block's text (the normalized request reuses it instead of encoding)."""
    chain = std("rsa-fullchain.pem")
    for field in (chain, chain.encode("ascii")):
        armor = pem.read("Cert", field)
        assert armor.problems == () and len(armor.blocks) == 2
        assert "".join(b.canonical or "" for b in armor.blocks) == chain
        assert [pem.encode(b.label, b.der) for b in armor.blocks] == [b.canonical for b in armor.blocks]


def _with_unused_bits_set(text: str) -> str:
    """The PEM with the last base64 character before the padding changed in its unused low bits only: the same
    bytes decode, but the text is not what encoding them gives."""
    body_end = text.index("\n-----END ")
    last = text.rindex("\n", 0, body_end) + 1
    line = text[last:body_end]
    data = line.rstrip("=")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    flipped = alphabet[alphabet.index(data[-1]) ^ 1]  # the lowest bit is unused when there is padding
    return text[:last] + data[:-1] + flipped + line[len(data) :] + text[body_end:]


def test_a_block_with_unused_bits_set_is_not_taken_as_canonical() -> None:
    chain = std("rsa-fullchain.pem")
    first_end = chain.index("-----END CERTIFICATE-----\n") + len("-----END CERTIFICATE-----\n")
    padded = next(b for b in (chain[:first_end], chain[first_end:]) if "=\n-----END" in b)
    odd = _with_unused_bits_set(padded)
    assert odd != padded
    armor = pem.read("Cert", odd)
    assert [b.der for b in armor.blocks] == [b.der for b in pem.read("Cert", padded).blocks]
    assert armor.blocks[0].canonical is None  # encoded again for the request, not sent as given


@pytest.mark.parametrize(
    "mangle, repair",
    [
        (lambda s: s.replace("\n", "\r\n"), "CRLF"),
        (lambda s: " ".join(s.split("\n")), "one-line paste"),
        (lambda s: "\n\n  " + s + "\n\n\n", None),
        (lambda s: "subject=CN = demo\nissuer=CN = x\n" + s + "trailing words\n", "text outside"),
        (lambda s: "\ufeff" + s, "byte order mark"),
        (lambda s: _rewrap(s, 76), "other than 64 columns"),
    ],
)
def test_repairs_are_reported_and_decode_identically(mangle, repair) -> None:  # type: ignore[no-untyped-def]
    armor = pem.read("Cert", mangle(LEAF))
    assert [b.der for b in armor.blocks] == [pem.read("Cert", LEAF).blocks[0].der]
    if repair is None:
        assert armor.problems == ()
    else:
        assert [f.code for f in armor.problems] == ["pem.repaired"]
        assert repair in armor.problems[0].message


def test_blank_lines_between_blocks_are_repaired() -> None:
    chain = std("rsa-fullchain.pem").replace("-----END CERTIFICATE-----\n", "-----END CERTIFICATE-----\n\n\n")
    armor = pem.read("Cert", chain)
    assert len(armor.blocks) == 2
    assert "blank lines" in armor.problems[0].message


def _shape(armor: pem.Armor) -> tuple[object, ...]:
    blocks = [(b.label, b.der, b.headers, b.position, b.canonical) for b in armor.blocks]
    return tuple(blocks), tuple((p.code, p.field, p.message) for p in armor.problems)


@pytest.mark.parametrize(
    "text",
    [
        LEAF,
        KEY,
        std("rsa-fullchain.pem"),
        LEAF.replace("\n", "\r\n"),
        LEAF.rstrip("\n"),
        LEAF + "\n" + KEY,
        "words\n" + LEAF,
        LEAF.replace("\n", "\n\n", 2),
        LEAF.replace("-----END", "=-----END", 1),
    ],
)
def test_ascii_bytes_read_exactly_as_the_same_text(text: str) -> None:
    """Files arrive as bytes: ASCII bytes take the canonical fast path as text does, with the same result."""
    assert _shape(pem.read("Cert", text.encode("ascii"))) == _shape(pem.read("Cert", text))


def test_canonical_pem_files_never_compile_the_general_patterns() -> None:
    """A canonical file read as bytes (as the CLI reads it) takes the fast path: a fresh process compiles none of
    the general path's patterns (benchmarks/bench_startup.py)."""
    code = (
        "import sys; from certcheck import pem; from pathlib import Path;"
        "[pem.read('Cert', Path(p).read_bytes()) for p in sys.argv[1:]];"
        "print(sorted(vars(pem._RE)))"
    )
    files = [str(STD / "rsa-fullchain.pem"), str(STD / "rsa-leaf.key")]
    done = subprocess.run([sys.executable, "-c", code, *files], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def _rewrap(text: str, width: int) -> str:
    lines = text.strip().split("\n")
    body = "".join(lines[1:-1])
    return "\n".join([lines[0], *[body[i : i + width] for i in range(0, len(body), width)], lines[-1]]) + "\n"


def test_one_line_paste_of_legacy_encrypted_key_keeps_headers() -> None:
    key = std("rsa-leaf.enc.pem-legacy.key")
    armor = pem.read("Key", " ".join(key.split("\n")))
    original = pem.read("Key", key).blocks[0]
    assert armor.blocks[0].header("Proc-Type") == "4,ENCRYPTED"
    dek_info = original.header("DEK-Info")
    assert dek_info is not None and dek_info.startswith("AES-256-CBC,")
    assert armor.blocks[0].header("DEK-Info") == dek_info
    assert armor.blocks[0].headers == original.headers
    assert armor.blocks[0].der == pem.read("Key", key).blocks[0].der


@pytest.mark.parametrize(
    "data, code",
    [
        (LEAF[: len(LEAF) // 2], "pem.truncated"),
        (LEAF.replace("MII", "M#I", 1), "pem.bad_base64"),
        ("".join(LEAF.split("\n")[1:-2]), "pem.no_armor"),
        ("hello world, this is not a certificate", "pem.not_pem"),
        ("/etc/letsencrypt/live/example.com/fullchain.pem", "pem.not_pem"),
        (bytes(random.Random(7).randrange(256) for _ in range(4096)), "pem.binary"),
        ("x" * (pem.MAX_FIELD_BYTES + 1), "pem.too_large"),
    ],
)
def test_unreadable_input_is_one_clear_error(data: str | bytes, code: str) -> None:
    armor = pem.read("Cert", data)
    assert armor.blocks == ()
    assert [f.code for f in armor.problems] == [code]
    assert armor.problems[0].field == "Cert"
    assert "Cert" in armor.problems[0].message


def test_der_certificate_bytes_are_converted_other_der_refused() -> None:
    der = pem.read("Cert", LEAF).blocks[0].der
    armor = pem.read("Cert", der)
    assert [f.code for f in armor.problems] == ["pem.repaired"]
    assert "a DER (binary) certificate, converted to PEM" in armor.problems[0].message
    assert [b.der for b in armor.blocks] == [der]
    spki = bytes.fromhex("3019301306072a8648ce3d020106082a8648ce3d030107030200ff")  # DER, but no certificate
    armor = pem.read("Cert", spki)
    assert [f.code for f in armor.problems] == ["pem.der"] and "openssl x509 -inform der" in armor.problems[0].message


def test_base64_that_decodes_to_a_cut_structure_is_corrupt() -> None:
    lines = LEAF.strip().split("\n")
    cut = "\n".join([lines[0], *lines[1:-3], lines[-1]]) + "\n"  # drop whole base64 lines: still valid base64
    assert [f.code for f in pem.read("Cert", cut).problems] == ["pem.corrupt"]


def test_ten_megabyte_paste_is_refused_before_parsing() -> None:
    huge = LEAF * (10 * 1024 * 1024 // len(LEAF))
    report = rsa_ok(cert=huge)
    assert_has(report, "pem.too_large", "Cert")
    assert report.request is None


def test_block_repr_never_shows_key_bytes() -> None:
    block = pem.read("Key", KEY).blocks[0]
    assert "redacted" in repr(block)
    assert base64.b64encode(block.der[:30]).decode()[:20] not in repr(block)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), st.text(max_size=3000)))
def test_arbitrary_input_never_raises(data: str | bytes) -> None:
    armor = pem.read("Cert", data)
    assert armor.blocks or armor.problems


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(LEAF) - 1), st.sampled_from(["", "\n", " ", "-", "A", "\x00", "é"]))
def test_single_edits_of_a_real_pem_never_raise(pos: int, insert: str) -> None:
    mangled = LEAF[:pos] + insert + LEAF[pos + 1 :]
    report = rsa_ok(cert=mangled)
    assert "rule.crashed" not in codes(report)
    inside_body = LEAF.index("\n") < pos < LEAF.rindex("-----END") - 1  # not the armor lines or their line ends
    if inside_body and "".join(mangled.split()) == "".join(LEAF.split()):  # only whitespace moved in the base64
        assert report.request is not None and report.request.get("Cert") == LEAF
    elif not report.ok:  # what is wrong is said about the field that was damaged (or its pairing with the key)
        assert {f.field for f in report.findings if f.severity.value == "error"} <= {"Cert", "Key"}


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(["rsa-leaf.pem", "rsa-fullchain.pem", "ec-p256-leaf.key", "rsa-leaf.key"]),
    st.data(),
    st.sampled_from(["", "\n", "\n\n", " ", "-", "=", "A", "a", "\r", "\x00", "é"]),
)
def test_the_fast_path_accepts_only_what_encoding_its_blocks_gives_back(
    name: str, data: st.DataObject, edit: str
) -> None:
    """Whatever one edit does to a field, the canonical path accepts it only when it is exactly the canonical PEM of
    the blocks it returns (so the normalized request may send it as given), and then reads what the general path
    reads."""
    text = std(name)
    pos = data.draw(st.integers(0, len(text) - 1))
    mangled = text[:pos] + edit + text[pos + data.draw(st.integers(0, 2)) :]
    fast = pem._read_canonical("Cert", mangled)
    if fast is None:
        return
    assert "".join(pem.encode(b.label, b.der) for b in fast.blocks) == mangled
    assert [b.canonical for b in fast.blocks] == [pem.encode(b.label, b.der) for b in fast.blocks]
    general = pem.read("Cert", mangled.replace("\n", "\r\n"))  # CRLF: the same blocks, the general way
    assert [(b.label, b.der) for b in general.blocks] == [(b.label, b.der) for b in fast.blocks]


def test_pem_in_wrong_fields() -> None:
    report = rsa_ok(key=LEAF)
    assert_has(report, "pem.cert_in_key_field", "Key")
    report = rsa_ok(cert=KEY)
    assert_has(report, "pem.key_in_cert_field", "Cert")
    report = rsa_ok(key=KEY + std("rsa-other.key"))
    assert_has(report, "key.multiple", "Key")
    assert_lacks(report, "pair.key_mismatch")


def test_utf16_with_bom_is_decoded_and_headers_in_certificates_dropped() -> None:
    from tests.conftest import BROKEN

    armor = pem.read("Cert", (BROKEN / "cert-utf16le.pem").read_bytes())
    assert [b.der for b in armor.blocks] == [pem.read("Cert", LEAF).blocks[0].der]
    assert "UTF-16" in armor.problems[0].message
    armor = pem.read("Cert", (BROKEN / "cert-pem-headers.pem").read_text())
    assert armor.blocks[0].headers == ()
    assert "headers" in armor.problems[0].message


def test_a_certificate_in_the_key_field_is_one_finding() -> None:
    report = rsa_ok(key=LEAF)
    assert [c for c in codes(report) if c.startswith(("pem.", "key."))] == ["pem.cert_in_key_field"]


def test_latin1_text_around_blocks_is_dropped_not_binary() -> None:
    data = "Société Générale, bundle exported 2026\n".encode("latin-1") + LEAF.encode()
    armor = pem.read("Cert", data)
    assert len(armor.blocks) == 1
    assert [f.code for f in armor.problems] == ["pem.repaired"]


def test_thousands_of_broken_blocks_are_a_few_findings() -> None:
    armor = pem.read("Cert", "-----BEGIN A-----\n" * 14000)
    assert len(armor.problems) == pem.MAX_FINDINGS_PER_FIELD + 1
    assert "more damaged blocks" in armor.problems[-1].message
