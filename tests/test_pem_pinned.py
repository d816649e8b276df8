"""PEM armor, pinned: the exact Problem (code, field, message) and Block (label, der, headers, position, canonical)
for each repair and refusal path of ``certcheck.pem``, so that a changed message, code, condition or repair is a
failing test (these kill the mutants tests/test_pem.py leaves alive)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509 import load_pem_x509_certificate

from certcheck import pem
from tests.conftest import BROKEN, std

LEAF = std("rsa-leaf.pem")
CHAIN = std("rsa-fullchain.pem")
LEAF_DER = pem.read("Cert", LEAF).blocks[0].der
CHAIN_DER = [b.der for b in pem.read("Cert", CHAIN).blocks]
SPKI_DER = bytes.fromhex("3019301306072a8648ce3d020106082a8648ce3d030107030200ff")  # DER, but no certificate
EC_OID = bytes.fromhex("06082a8648ce3d030107")  # prime256v1: what an EC PARAMETERS block holds
TAIL = "; the normalized request carries canonical PEM."

Shape = tuple[list[tuple[str, bytes, tuple[tuple[str, str], ...], int, str | None]], list[tuple[str, str | None, str]]]


def shape(armor: pem.Armor) -> Shape:
    blocks = [(b.label, b.der, b.headers, b.position, b.canonical) for b in armor.blocks]
    return blocks, [(p.code, p.field, p.message) for p in armor.problems]


def repaired(field: str, *what: str) -> tuple[str, str, str]:
    return ("pem.repaired", field, f"{field}: repaired {', '.join(what)}{TAIL}")


def leaf_block(position: int = 1, canonical: str | None = LEAF) -> tuple[str, bytes, tuple[()], int, str | None]:
    return ("CERTIFICATE", LEAF_DER, (), position, canonical)


def body_lines(text: str) -> list[str]:
    return text.strip().split("\n")[1:-1]


def block(label: str, *lines: str) -> str:
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----"]) + "\n"


def bad_base64(field: str, position: int, label: str, char: str) -> tuple[str, str, str]:
    return (
        "pem.bad_base64",
        field,
        f"{field}: block {position} ({label}) contains {char!r}, which is not base64: the content was altered or "
        "mangled by an editor.",
    )


def truncated(label: str, position: int = 1) -> tuple[str, str, str]:
    return (
        "pem.truncated",
        "Cert",
        f"Cert: block {position} (-----BEGIN {label}-----) has no '-----END {label}-----' line: "
        "the paste was cut short.",
    )


# --- the size limit -------------------------------------------------------------------------------------------


def test_the_limit_counts_utf8_bytes_of_text_not_characters() -> None:
    assert shape(pem.read("Cert", "é" * 10, limit=15)) == (
        [],
        [
            (
                "pem.too_large",
                "Cert",
                "Cert is 20 bytes, over the 15-byte limit: a certificate chain or key is a few KB. "
                "Was the wrong file given?",
            )
        ],
    )


def test_a_field_of_exactly_the_limit_is_read() -> None:
    assert shape(pem.read("Cert", LEAF, limit=len(LEAF))) == ([leaf_block()], [])
    assert [p.code for p in pem.read("Cert", LEAF, limit=len(LEAF) - 1).problems] == ["pem.too_large"]


# --- the canonical fast path ----------------------------------------------------------------------------------


@pytest.fixture
def fresh_patterns(monkeypatch: pytest.MonkeyPatch) -> pem._Patterns:
    """The general path's patterns not yet compiled: canonical input must leave them so (it takes the fast path)."""
    patterns = pem._Patterns()
    monkeypatch.setattr(pem, "_RE", patterns)
    return patterns


@pytest.mark.parametrize(
    "text",
    [
        LEAF,
        CHAIN,
        std("ec-p256-leaf.pem"),  # DER length a multiple of 3: base64 without padding
        block("EC PARAMETERS", "BggqhkjOPQMBBw=="),  # a bare OID, not a SEQUENCE
        block("TEST", "MAQCAgAX"),  # base64 ending in "X", no padding
    ],
)
def test_canonical_input_takes_the_fast_path_as_text_and_as_bytes(fresh_patterns: pem._Patterns, text: str) -> None:
    for given in (text, text.encode("ascii")):
        armor = pem.read("Cert", given)
        assert armor.problems == ()
        assert "".join(b.canonical or "" for b in armor.blocks) == text
        assert [b.position for b in armor.blocks] == list(range(1, len(armor.blocks) + 1))
        assert all(b.headers == () for b in armor.blocks)
    assert vars(fresh_patterns) == {}  # nothing of the general path compiled


def _rewrapped(text: str, width: int) -> str:
    lines = body_lines(text)
    b64 = "".join(lines)
    return block("CERTIFICATE", *(b64[i : i + width] for i in range(0, len(b64), width)))


_LINES = body_lines(LEAF)
_SEQUENCE_48 = "MC4" + "A" * 61  # base64 of a 48-byte SEQUENCE: one full line, no padding


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(block("CERTIFICATE", *_LINES, ""), id="blank last line"),
        pytest.param(block("CERTIFICATE", "", *_LINES), id="blank first line"),
        pytest.param(block("TEST", _SEQUENCE_48, ""), id="blank line after a full last line"),
        pytest.param(block("TEST", _SEQUENCE_48, "", ""), id="two blank lines after a full last line"),
        pytest.param(CHAIN.replace("\n-----BEGIN ", "\nXXXXXXXXXXX"), id="second BEGIN marker garbled"),
        pytest.param(_rewrapped(LEAF, 76), id="76 columns"),
        pytest.param(_rewrapped(LEAF, 63), id="63 columns"),
        pytest.param(
            block("CERTIFICATE", *_LINES[:2], _LINES[2][:-1], _LINES[2][-1] + _LINES[3], *_LINES[4:]), id="63+65"
        ),
        pytest.param(block("CERTIFICATE", *_LINES[:-2], _LINES[-2] + _LINES[-1][:1], _LINES[-1][1:]), id="last 65"),
        pytest.param(block("CERTIFICATE", *_LINES[:-1]), id="a line missing"),
        pytest.param(LEAF.replace("CERTIFICATE", "certificate"), id="lower-case label"),
        pytest.param(LEAF.replace("CERTIFICATE", "X509  CERT"), id="two spaces in the label"),
        pytest.param(LEAF.replace("CERTIFICATE", " CERTIFICATE"), id="leading space in the label"),
        pytest.param(LEAF.replace("CERTIFICATE", "CERT-IFICATE"), id="hyphen in the label"),
        pytest.param(LEAF.replace("CERTIFICATE", ""), id="empty label"),
        pytest.param(LEAF.replace("-----END CERTIFICATE", "-----END X509 CERTIFICATE"), id="END of another label"),
        pytest.param(LEAF.replace("-----END CERTIFICATE-----\n", "-----END CERTIFICATE-----"), id="no final LF"),
        pytest.param(LEAF.replace("-----END CERTIFICATE-----\n", ""), id="no END line"),
        pytest.param("-----BEGIN CERTIFICATE", id="BEGIN line cut"),
        pytest.param(block("CERTIFICATE"), id="empty body"),
        pytest.param(block("CERTIFICATE", *_LINES[:-1], _LINES[-1] + "===="), id="padding after the padding"),
        pytest.param(block("CERTIFICATE", "=" + _LINES[0][1:], *_LINES[1:]), id="= inside"),
        pytest.param(block("CERTIFICATE", _LINES[0][:10] + " " + _LINES[0][11:], *_LINES[1:]), id="space inside"),
        pytest.param(block("CERTIFICATE", _LINES[0][:10] + "\u00e9" + _LINES[0][11:], *_LINES[1:]), id="non-ASCII"),
        pytest.param(LEAF.replace("\n", "\r\n"), id="CRLF"),
        pytest.param(LEAF + "\n" + LEAF, id="blank line between blocks"),
        pytest.param(LEAF + "x", id="text after"),
        pytest.param(LEAF.replace("-----END CERTIFICATE-----\n", "") + LEAF, id="a block without END before one"),
        pytest.param(block("CERTIFICATE", "Proc-Type: 4,ENCRYPTED", *_LINES), id="header"),
    ],
)
def test_only_canonical_text_takes_the_fast_path(text: str) -> None:
    assert pem._read_canonical("Cert", text) is None


def test_the_fast_path_takes_a_body_of_full_lines() -> None:
    text = block("TEST", _SEQUENCE_48)
    armor = pem._read_canonical("Cert", text)
    assert armor is not None
    assert [(b.label, b.der, b.canonical) for b in armor.blocks] == [("TEST", b"\x30\x2e" + bytes(46), text)]


def test_the_fast_path_takes_multi_word_labels_and_keeps_block_order() -> None:
    key = std("ec-p256-leaf.key")
    armor = pem._read_canonical("Key", key)
    assert armor is not None and armor.problems == ()
    assert [(b.label, b.position, b.canonical) for b in armor.blocks] == [("EC PRIVATE KEY", 1, key)]
    chain = pem._read_canonical("Cert", CHAIN)
    assert chain is not None
    assert [(b.der, b.position) for b in chain.blocks] == [(CHAIN_DER[0], 1), (CHAIN_DER[1], 2)]


def test_fast_path_blocks_decode_exactly() -> None:
    assert shape(pem.read("Cert", block("EC PARAMETERS", "BggqhkjOPQMBBw=="))) == (
        [("EC PARAMETERS", EC_OID, (), 1, block("EC PARAMETERS", "BggqhkjOPQMBBw=="))],
        [],
    )
    ec_leaf = std("ec-p256-leaf.pem")
    assert len(pem.read("Cert", ec_leaf).blocks[0].der) % 3 == 0
    assert pem.read("Cert", "x\n" + ec_leaf).blocks[0].canonical == ec_leaf  # the general path's tail check too


def test_text_after_canonical_blocks_is_noted_not_dropped_silently() -> None:
    armor = pem.read("Cert", LEAF + "trailing words\n")
    assert shape(armor) == ([leaf_block()], [repaired("Cert", "text outside the PEM blocks (dropped)")])


def test_canonical_blocks_read_the_general_way_keep_their_text() -> None:
    assert shape(pem.read("Cert", "words\n" + LEAF)) == (
        [leaf_block()],
        [repaired("Cert", "text outside the PEM blocks (dropped)")],
    )
    split = CHAIN.index("-----END CERTIFICATE-----\n") + len("-----END CERTIFICATE-----\n")
    assert shape(pem.read("Cert", "words\n" + CHAIN)) == (
        [("CERTIFICATE", CHAIN_DER[0], (), 1, CHAIN[:split]), ("CERTIFICATE", CHAIN_DER[1], (), 2, CHAIN[split:])],
        [repaired("Cert", "text outside the PEM blocks (dropped)")],
    )


def test_a_label_with_a_trailing_space_is_read_but_not_kept_as_given() -> None:
    text = LEAF.replace("-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE -----")
    (only,) = pem.read("Cert", text).blocks
    assert (only.label, only.der, only.canonical) == ("CERTIFICATE", LEAF_DER, None)


# --- byte input: encodings, DER, binary -----------------------------------------------------------------------


def test_utf16_big_endian_with_a_bom_is_decoded() -> None:
    armor = pem.read("Cert", b"\xfe\xff" + LEAF.encode("utf-16-be"))
    assert shape(armor) == ([leaf_block()], [repaired("Cert", "UTF-16 text encoding")])


def test_utf16_little_endian_fixture_is_decoded() -> None:
    armor = pem.read("Cert", (BROKEN / "cert-utf16le.pem").read_bytes())
    assert shape(armor) == ([leaf_block()], [repaired("Cert", "UTF-16 text encoding", "Windows (CRLF) line endings")])


@pytest.mark.parametrize("data", [b"\xff\xfeA", b"\xfe\xff\xd8\x00\x00A"])
def test_utf16_that_does_not_decode_is_binary(data: bytes) -> None:
    assert shape(pem.read("Cert", data)) == (
        [],
        [("pem.binary", "Cert", "Cert starts like UTF-16 text but does not decode as it.")],
    )


def test_a_pkcs12_keystore_is_refused_with_the_pfx_option() -> None:
    key = serialization.load_pem_private_key(std("rsa-leaf.key").encode(), None)
    cert = load_pem_x509_certificate(LEAF.encode())
    pfx = pkcs12.serialize_key_and_certificates(None, key, cert, None, serialization.NoEncryption())  # type: ignore[arg-type]
    assert shape(pem.read("Cert", pfx)) == (
        [],
        [
            (
                "pem.der",
                "Cert",
                "Cert holds a PKCS#12 (PFX) keystore, not PEM: give the file with `--pfx FILE --key-password-env VAR` "
                "(certcheck takes Cert and Key out of it), or export PEM with `openssl pkcs12 -in FILE -nodes`.",
            )
        ],
    )


def test_other_der_is_refused_with_the_openssl_commands() -> None:
    assert shape(pem.read("Cert", SPKI_DER)) == (
        [],
        [
            (
                "pem.der",
                "Cert",
                "Cert holds DER (binary ASN.1), not PEM. Convert it, e.g. "
                "`openssl x509 -inform der -in FILE -out FILE.pem` for a certificate or "
                "`openssl pkey -inform der -in FILE -out FILE.pem` for a key.",
            )
        ],
    )


def test_a_der_encrypted_private_key_is_converted_under_its_label() -> None:
    der = pem.read("Key", std("rsa-leaf.enc.pk8.key")).blocks[0].der
    canonical = pem.encode("ENCRYPTED PRIVATE KEY", der)
    assert shape(pem.read("Key", der)) == (
        [("ENCRYPTED PRIVATE KEY", der, (), 1, canonical)],
        [repaired("Key", "a DER (binary) private key, converted to PEM")],
    )


def test_a_der_private_key_is_converted() -> None:
    der = pem.read("Key", std("rsa-leaf.pk8.key")).blocks[0].der
    assert shape(pem.read("Key", der)) == (
        [("PRIVATE KEY", der, (), 1, pem.encode("PRIVATE KEY", der))],
        [repaired("Key", "a DER (binary) private key, converted to PEM")],
    )


def test_der_certificates_back_to_back_are_converted_each() -> None:
    assert shape(pem.read("Cert", b"".join(CHAIN_DER))) == (
        [("CERTIFICATE", der, (), i, pem.encode("CERTIFICATE", der)) for i, der in enumerate(CHAIN_DER, 1)],
        [repaired("Cert", "2 DER (binary) certificates, converted to PEM")],
    )
    assert shape(pem.read("Cert", LEAF_DER)) == (
        [leaf_block()],
        [repaired("Cert", "a DER (binary) certificate, converted to PEM")],
    )


def test_at_most_64_der_certificates_are_converted() -> None:
    armor = pem.read("Cert", LEAF_DER * 64)
    assert [(b.der, b.position) for b in armor.blocks] == [(LEAF_DER, i) for i in range(1, 65)]
    assert shape(armor)[1] == [repaired("Cert", "64 DER (binary) certificates, converted to PEM")]
    data = LEAF_DER * 65
    assert shape(pem.read("Cert", data)) == (
        [],
        [("pem.binary", "Cert", f"Cert holds binary data ({len(data):,} bytes with NUL bytes), not PEM text.")],
    )


def test_text_in_a_non_utf8_encoding_is_noted() -> None:
    data = "Société Générale\n".encode("latin-1") + LEAF.encode()
    assert shape(pem.read("Cert", data)) == (
        [leaf_block()],
        [repaired("Cert", "text in a non-UTF-8 encoding", "text outside the PEM blocks (dropped)")],
    )


def test_a_byte_order_mark_in_text_is_noted() -> None:
    assert shape(pem.read("Cert", "\ufeff" + LEAF)) == ([leaf_block()], [repaired("Cert", "a byte order mark")])


# --- line breaks: JSON escapes, CRLF, old Mac ------------------------------------------------------------------

JSON_NOTE = "line breaks written as the characters \\n (copied from JSON?)"
BODY = body_lines(LEAF)


@pytest.mark.parametrize(
    "text",
    [
        # each of the three markers alone
        "-----BEGIN CERTIFICATE-----\\n" + "\\n".join(BODY) + "\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n" + "\\n".join(BODY) + "\\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\\r\\n" + "\\r\\n".join(BODY) + "\n-----END CERTIFICATE-----\n",
        # JSON also escapes "/" as "\/"
        LEAF.replace("/", "\\/").replace("\n", "\\n"),
        # "\r" alone as the line break
        "-----BEGIN CERTIFICATE-----\\n" + "\\r".join(BODY) + "\\n-----END CERTIFICATE-----\\n",
    ],
)
def test_line_breaks_written_as_escapes_are_repaired(text: str) -> None:
    assert shape(pem.read("Cert", text)) == ([leaf_block()], [repaired("Cert", JSON_NOTE)])


def test_escaped_crlf_is_one_line_break_not_two() -> None:
    armor = pem.read("Cert", CHAIN.replace("\n", "\\r\\n"))
    assert shape(armor)[1] == [repaired("Cert", JSON_NOTE)]
    assert "".join(b.canonical or "" for b in armor.blocks) == CHAIN


def test_crlf_is_one_line_break_not_two() -> None:
    armor = pem.read("Cert", CHAIN.replace("\n", "\r\n"))
    assert shape(armor)[1] == [repaired("Cert", "Windows (CRLF) line endings")]
    assert "".join(b.canonical or "" for b in armor.blocks) == CHAIN


def test_a_lone_cr_is_a_line_break() -> None:
    assert shape(pem.read("Cert", LEAF.replace("\n", "\r"))) == (
        [leaf_block()],
        [repaired("Cert", "Windows (CRLF) line endings")],
    )


# --- finding the END line -------------------------------------------------------------------------------------


def test_an_end_line_is_looked_for_only_before_the_next_begin() -> None:
    text = "-----BEGIN CERTIFICATE-----\nAAAA\n" + LEAF
    assert shape(pem.read("Cert", text)) == ([leaf_block()], [truncated("CERTIFICATE")])


def test_the_first_end_line_closes_a_block() -> None:
    text = LEAF + "-----END CERTIFICATE-----\n"
    assert shape(pem.read("Cert", text)) == (
        [leaf_block()],
        [repaired("Cert", "text outside the PEM blocks (dropped)")],
    )


def test_the_repair_note_comes_before_other_problems() -> None:
    assert shape(pem.read("Cert", "words\n-----BEGIN A-----\n")) == (
        [],
        [repaired("Cert", "text outside the PEM blocks (dropped)"), truncated("A")],
    )


# --- the findings cap -----------------------------------------------------------------------------------------


def test_five_damaged_blocks_are_all_listed_without_a_summary() -> None:
    assert shape(pem.read("Cert", "-----BEGIN A-----\n" * 5)) == ([], [truncated("A")] * 5)


def test_more_than_five_damaged_blocks_end_in_a_count_under_the_fifth_code() -> None:
    text = "-----BEGIN A-----\n" * 4 + block("A", "#") + "-----BEGIN A-----\n" * 2
    assert shape(pem.read("Cert", text)) == (
        [],
        [
            *[truncated("A")] * 4,
            bad_base64("Cert", 1, "A", "#"),
            ("pem.bad_base64", "Cert", "Cert: 2 more damaged blocks not listed."),
        ],
    )


# --- inside a block: widths, one-line pastes, headers ---------------------------------------------------------

ONE_LINE = "a one-line paste (spaces in place of line breaks)"
WRAP = "base64 wrapped at other than 64 columns"


def test_a_short_line_anywhere_but_last_is_a_rewrap() -> None:
    body = "".join(BODY)
    assert len(body) == 19 * 64 + 12
    lines = [body[i : i + 64] for i in range(0, 18 * 64, 64)] + [body[18 * 64 : 18 * 64 + 32], body[18 * 64 + 32 :]]
    assert shape(pem.read("Cert", block("CERTIFICATE", *lines))) == (
        [leaf_block(canonical=None)],
        [repaired("Cert", WRAP)],
    )
    lines = [body[:64], body[64:96], *[body[i : i + 64] for i in range(96, len(body), 64)]]
    assert shape(pem.read("Cert", block("CERTIFICATE", *lines))) == (
        [leaf_block(canonical=None)],
        [repaired("Cert", WRAP)],
    )


def test_a_last_line_of_65_characters_is_a_rewrap() -> None:
    assert shape(pem.read("Cert", block("CERTIFICATE", "A" * 65))) == (
        [],
        [
            repaired("Cert", WRAP),
            (
                "pem.bad_base64",
                "Cert",
                "Cert: block 1 (CERTIFICATE) has 65 base64 characters, not a multiple of 4: characters are missing.",
            ),
        ],
    )


def test_a_tab_between_base64_lines_is_a_one_line_paste() -> None:
    text = LEAF.replace("\n", "\t", 2).replace("\t", "\n", 1)  # the second line break of the block only
    assert text.count("\t") == 1
    assert shape(pem.read("Cert", text)) == ([leaf_block(canonical=None)], [repaired("Cert", ONE_LINE)])


def test_a_header_after_base64_lines_is_base64_not_a_header() -> None:
    text = block("CERTIFICATE", *BODY[:2], "Comment: x", *BODY[2:])
    assert shape(pem.read("Cert", text)) == (
        [],
        [repaired("Cert", ONE_LINE), bad_base64("Cert", 1, "CERTIFICATE", ":")],
    )


def test_headers_in_a_certificate_block_are_dropped() -> None:
    armor = pem.read("Cert", (BROKEN / "cert-pem-headers.pem").read_text())
    assert shape(armor)[1] == [repaired("Cert", "headers inside a CERTIFICATE block (dropped)")]
    assert [(b.label, b.headers, b.position) for b in armor.blocks] == [("CERTIFICATE", (), 1)]


LEGACY = "RSA PRIVATE KEY"
PROC = ("Proc-Type", "4,ENCRYPTED")
DEK = ("DEK-Info", "AES-128-CBC,00")


@pytest.mark.parametrize(
    "lines, headers, der",
    [
        (["Proc-Type: 4,ENCRYPTED DEK-Info: AES-128-CBC,00 AAAA AAAA"], (PROC, DEK), bytes(6)),
        (["Proc-Type: 4,ENCRYPTED DEK-Info: AES-128-CBC,00", "AAAA"], (PROC, DEK), bytes(3)),
        (["DEK-Info: AES-128-CBC,00 Proc-Type: 4,ENCRYPTED AAAA"], (DEK, PROC), bytes(3)),
        (["Proc-Type: 4,ENCRYPTED A: x AAAA"], (PROC, ("A", "x")), bytes(3)),
    ],
)
def test_one_line_pastes_take_headers_off_the_front(
    lines: list[str], headers: tuple[tuple[str, str], ...], der: bytes
) -> None:
    assert shape(pem.read("Key", block(LEGACY, *lines))) == (
        [(LEGACY, der, headers, 1, None)],
        [repaired("Key", ONE_LINE)],
    )


@pytest.mark.parametrize(
    "lines, char",
    [
        (["Proc-Type: 4,ENCRYPTED DEK-Info:", "AAAA"], "-"),  # a name without a value: base64 (damaged)
        (["Proc-Type: 4,ENCRYPTED A+: x AAAA"], ":"),  # not a header name
    ],
)
def test_one_line_pastes_stop_at_what_is_not_a_header(lines: list[str], char: str) -> None:
    assert shape(pem.read("Key", block(LEGACY, *lines))) == (
        [],
        [repaired("Key", ONE_LINE), bad_base64("Key", 1, LEGACY, char)],
    )


def test_one_line_legacy_key_is_noted_as_one_line() -> None:
    key = std("rsa-leaf.enc.pem-legacy.key")
    assert shape(pem.read("Key", " ".join(key.split("\n"))))[1] == [repaired("Key", ONE_LINE)]


# --- decoding the base64 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, char",
    [
        ("MIIB===", "="),  # too much padding: no other bad character
        ("=AB#", "="),  # the first bad character, even padding in front
        ("MI#B", "#"),
    ],
)
def test_the_first_character_that_is_not_base64_is_named(body: str, char: str) -> None:
    assert shape(pem.read("Cert", block("CERTIFICATE", body))) == ([], [bad_base64("Cert", 1, "CERTIFICATE", char)])


def test_base64_of_a_wrong_length_is_refused() -> None:
    assert shape(pem.read("Cert", block("CERTIFICATE", "MIIBA"))) == (
        [],
        [
            (
                "pem.bad_base64",
                "Cert",
                "Cert: block 1 (CERTIFICATE) has 5 base64 characters, not a multiple of 4: characters are missing.",
            )
        ],
    )


def test_only_an_encrypted_proc_type_spares_the_der_check() -> None:
    corrupt = (
        "pem.corrupt",
        "Key",
        f"Key: block 1 ({LEGACY}) decodes to 3 bytes that are not one complete DER structure: the block was cut "
        "or corrupted.",
    )
    for header in ("Proc-Type: 4,MIC-CLEAR", "Comment: ENCRYPTED"):
        assert shape(pem.read("Key", block(LEGACY, header, "", "AAAA"))) == ([], [corrupt])
    assert shape(pem.read("Key", block(LEGACY, "Proc-Type: 4,ENCRYPTED", "", "AAAA"))) == (
        [(LEGACY, bytes(3), (PROC,), 1, None)],
        [],
    )


def test_parameter_blocks_may_hold_a_bare_oid_on_the_general_path() -> None:
    text = block("EC PARAMETERS", "BggqhkjOPQMBBw==")
    assert shape(pem.read("Cert", text.replace("\n", "\r\n"))) == (
        [("EC PARAMETERS", EC_OID, (), 1, text)],
        [repaired("Cert", "Windows (CRLF) line endings")],
    )


# --- no blocks at all -----------------------------------------------------------------------------------------


def test_a_long_file_name_is_quoted_to_80_characters() -> None:
    name = "/" + "a" * 100 + ".pem"
    assert shape(pem.read("Cert", name)) == (
        [],
        [
            (
                "pem.not_pem",
                "Cert",
                "Cert holds what looks like a file name ('/" + "a" * 79 + "'), not its content: pass the file's PEM "
                "content.",
            )
        ],
    )


def test_text_without_blocks_says_what_was_expected() -> None:
    assert shape(pem.read("Cert", "hello world")) == (
        [],
        [
            (
                "pem.not_pem",
                "Cert",
                "Cert has no PEM block: expected text starting with '-----BEGIN CERTIFICATE-----' or "
                "'-----BEGIN PRIVATE KEY-----'.",
            )
        ],
    )


def test_base64_without_armor_says_what_it_holds() -> None:
    assert shape(pem.read("Cert", "\n".join(BODY))) == (
        [],
        [
            (
                "pem.no_armor",
                "Cert",
                "Cert holds base64: a certificate without the -----BEGIN ...----- and -----END ...----- lines. Add the "
                "armor lines (or export the file again as PEM).",
            )
        ],
    )
    spki = pem.encode("X", SPKI_DER).split("\n")[1]
    assert pem.read("Cert", spki).problems[0].message.startswith("Cert holds base64 without the -----BEGIN")
