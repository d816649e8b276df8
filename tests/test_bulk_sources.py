"""Directory layouts and explicit files -> requests (certcheck.sources.tree / estate), and Name derivation."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from certcheck.sources import SourceError
from certcheck.sources.estate import duplicate_names, entries, plan
from certcheck.sources.tree import Planned, Scan, derive_name, plan_files, plan_tree
from tests.conftest import FIXTURES, SM2, STD

ESTATE = FIXTURES / "estate"


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(src.read_bytes())


def _requests(root: Path) -> list[Planned]:
    return [p for p in plan_tree(root) if p.layout not in ("unmatched", "unreadable")]


def _files(planned: Planned) -> dict[str, list[str]]:
    return {api: [Path(f).name for f in files] for api, files in planned.fields}


def test_certbot_with_fullchain(tmp_path: Path) -> None:
    d = tmp_path / "live" / "example.com"
    _copy(STD / "rsa-fullchain.pem", d / "fullchain.pem")
    _copy(STD / "rsa-leaf.pem", d / "cert.pem")
    _copy(STD / "rsa-intermediate.pem", d / "chain.pem")
    _copy(STD / "rsa-leaf.key", d / "privkey.pem")
    (d / "README").write_text("certbot")
    [req] = _requests(tmp_path)
    assert (req.layout, req.name, req.source) == ("certbot", "example_com", str(d))
    assert _files(req) == {"Cert": ["fullchain.pem"], "Key": ["privkey.pem"]}
    entry = req.entry()
    assert entry.params is not None and entry.params.name == "example_com"
    assert [p.layout for p in plan_tree(tmp_path)] == ["certbot"]  # cert.pem, chain.pem, README: companions


def test_certbot_without_fullchain_joins_cert_and_chain(tmp_path: Path) -> None:
    d = tmp_path / "live" / "www.example.org"
    _copy(STD / "rsa-leaf.pem", d / "cert.pem")
    _copy(STD / "rsa-intermediate.pem", d / "chain.pem")
    _copy(STD / "rsa-leaf.key", d / "privkey.pem")
    [req] = _requests(tmp_path)
    assert _files(req) == {"Cert": ["cert.pem", "chain.pem"], "Key": ["privkey.pem"]}
    params = req.entry().params
    assert params is not None and isinstance(params.cert, bytes) and params.cert.count(b"BEGIN CERTIFICATE") == 2


def test_certbot_root_walks_live_only_and_follows_its_symlinks() -> None:
    root = ESTATE / "letsencrypt"
    assert os.path.islink(root / "live" / "example.com" / "fullchain.pem")
    found = list(plan_tree(root))
    assert {p.layout for p in found} == {"certbot"}
    assert sorted(p.name for p in found) == ["blog_example_net", "example_com", "old_example_com", "www_example_org"]
    assert all("/archive/" not in p.source for p in found)
    assert all(e.params is not None for e in entries(found))


@pytest.mark.parametrize(
    ("directory", "key"), [("shop.example.com", "rsa-leaf.key"), ("shop.example.com_ecc", "ec-p256-leaf.key")]
)
def test_acme_sh_rsa_and_ecc(tmp_path: Path, directory: str, key: str) -> None:
    d = tmp_path / directory
    _copy(STD / "rsa-fullchain.pem", d / "fullchain.cer")
    _copy(STD / "rsa-leaf.pem", d / "shop.example.com.cer")
    _copy(STD / "rsa-intermediate.pem", d / "ca.cer")
    _copy(STD / key, d / "shop.example.com.key")
    (d / "shop.example.com.conf").write_text("Le_Domain='shop.example.com'\n")
    (d / "shop.example.com.csr").write_text("csr")
    scan = Scan()
    found = list(plan_tree(tmp_path, scan))
    assert [(p.layout, p.name) for p in found] == [("acme.sh", derive_name(directory))]
    assert _files(found[0]) == {"Cert": ["fullchain.cer"], "Key": ["shop.example.com.key"]}
    assert scan.ignored == 0  # .conf and .csr are acme.sh's companions


def test_plain_directory_is_named_after_the_directory(tmp_path: Path) -> None:
    d = tmp_path / "api.internal"
    _copy(STD / "ec-p256-fullchain.pem", d / "server.crt")
    _copy(STD / "ec-p256-leaf.key", d / "server.key")
    [req] = _requests(tmp_path)
    assert (req.layout, req.name, req.source) == ("plain", "api_internal", str(d))


def test_plain_directory_with_several_pairs_pairs_by_base_name(tmp_path: Path) -> None:
    _copy(STD / "rsa-fullchain.pem", tmp_path / "a.example.com.crt")
    _copy(STD / "rsa-leaf.key", tmp_path / "a.example.com.key")
    _copy(STD / "ec-p256-leaf.pem", tmp_path / "b.pem")
    _copy(STD / "ec-intermediate.pem", tmp_path / "b-chain.pem")
    _copy(STD / "ec-p256-leaf.key", tmp_path / "b-key.pem")
    _copy(STD / "rsa-other.key", tmp_path / "lonely.key")
    found = list(plan_tree(tmp_path))
    reqs = {p.name: p for p in found if p.layout == "plain"}
    assert set(reqs) == {"a_example_com", "b"}
    assert _files(reqs["b"]) == {"Cert": ["b.pem", "b-chain.pem"], "Key": ["b-key.pem"]}
    assert " + " in reqs["b"].source  # the directory alone no longer says which request
    unmatched = [p.source for p in found if p.layout == "unmatched"]
    assert unmatched == [str(tmp_path / "lonely.key")]
    [stray] = [e for e in entries(found) if e.params is None]
    assert stray.code == "source.unmatched" and stray.source == str(tmp_path / "lonely.key")


@pytest.mark.parametrize(
    "names",
    [
        ("sign.crt", "sign.key", "enc.crt", "enc.key"),
        ("signcert.pem", "signkey.pem", "enccert.pem", "enckey.pem"),
        ("server_sign.crt", "server_sign.key", "server_enc.crt", "server_enc.key"),
    ],
)
def test_sm_pairs(tmp_path: Path, names: tuple[str, str, str, str]) -> None:
    d = tmp_path / "gov-portal"
    sources = ("sm2-sign-fullchain.pem", "sm2-sign.key", "sm2-enc-fullchain.pem", "sm2-enc.key")
    for name, src in zip(names, sources, strict=True):
        _copy(SM2 / src, d / name)
    [req] = _requests(tmp_path)
    assert (req.layout, req.name) == ("sm", "gov-portal")
    assert [api for api, _ in req.fields] == ["SignCert", "SignPrivateKey", "EncryptCert", "EncryptPrivateKey"]
    assert _files(req)["SignCert"] == [names[0]] and _files(req)["EncryptPrivateKey"] == [names[3]]


def test_an_incomplete_sm_pair_is_checked_and_reported_not_skipped(tmp_path: Path) -> None:
    _copy(SM2 / "sm2-sign-fullchain.pem", tmp_path / "d" / "sign.crt")
    _copy(SM2 / "sm2-sign.key", tmp_path / "d" / "sign.key")
    _copy(SM2 / "sm2-enc-fullchain.pem", tmp_path / "d" / "enc.crt")
    found = list(plan_tree(tmp_path))
    # sign.crt + sign.key still make a pair: checked as a standard request, the validator says what is wrong
    # (fields.sm2_in_cert); the encryption certificate without its key is reported.
    assert [(p.layout, p.name) for p in found] == [("plain", "d"), ("unmatched", "")]
    assert found[1].source == str(tmp_path / "d" / "enc.crt")


def test_explicit_files_group_by_directory_and_base_name(tmp_path: Path) -> None:
    for stem in ("a", "b"):
        _copy(STD / "rsa-fullchain.pem", tmp_path / f"{stem}.pem")
        _copy(STD / "rsa-leaf.key", tmp_path / f"{stem}.key")
    (tmp_path / "notes.txt").write_text("x")
    files = [str(tmp_path / n) for n in ("a.pem", "a.key", "b.pem", "b.key", "notes.txt")]
    found = list(plan_files(files))
    assert [(p.layout, p.name) for p in found if p.layout == "files"] == [("files", "a"), ("files", "b")]
    assert found[0].source == f"{tmp_path / 'a.pem'} + {tmp_path / 'a.key'}"
    # a file named explicitly that belongs to no request is reported, whatever it is
    assert [p.source for p in found if p.layout == "unmatched"] == [str(tmp_path / "notes.txt")]


def test_explicit_certbot_glob_is_one_request() -> None:
    live = ESTATE / "letsencrypt" / "live" / "example.com"
    found = list(plan_files(sorted(str(p) for p in live.glob("*.pem"))))
    assert [(p.layout, p.name) for p in found] == [("certbot", "example_com")]


def test_mixed_sources_keep_their_order_and_manifests_stream(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"Name": "from_manifest"}\nnot json\n')
    found = list(entries(plan([str(ESTATE / "sm"), str(manifest), str(ESTATE / "plain" / "legacy-app")])))
    assert [e.source for e in found] == [
        str(ESTATE / "sm" / "gov-portal"),
        f"{manifest}:1",
        f"{manifest}:2",
        str(ESTATE / "plain" / "legacy-app"),
    ]
    assert found[2].params is None and "not valid JSON" in (found[2].error or "")


def test_duplicate_names_across_layouts_and_manifests(tmp_path: Path) -> None:
    manifest = tmp_path / "m.jsonl"
    manifest.write_text('{"Name": "shop_example_com"}\n{"Name": "unique"}\n')
    dupes, total = duplicate_names(plan([str(ESTATE), str(manifest)]))
    assert dupes == {"example_com", "shop_example_com"}  # certbot + acme.sh example.com; acme.sh + manifest
    assert total == 11 + 2  # 10 requests and one stray file in the estate, two manifest lines


def test_missing_source_is_an_error() -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(plan(["/nonexistent/estate"]))


def test_unreadable_file_becomes_an_entry_error(tmp_path: Path) -> None:
    d = tmp_path / "site"
    _copy(STD / "rsa-fullchain.pem", d / "site.crt")
    os.mkfifo(d / "site.key")  # a key "file" that is a FIFO: refused, never blocks
    [entry] = list(entries(plan_tree(tmp_path)))
    assert entry.params is None and "not a regular file" in (entry.error or "")


@pytest.mark.parametrize(
    ("base", "name"),
    [
        ("example.com", "example_com"),
        ("*.example.com", "wildcard_example_com"),
        ("example.com-0001", "example_com-0001"),
        ("shop.example.com_ecc", "shop_example_com_ecc"),
        ("..weird  name!!", "weird_name"),
        ("пример.рф", "cert"),
        ("", "cert"),
    ],
)
def test_derive_name(base: str, name: str) -> None:
    assert derive_name(base) == name


def test_derive_name_keeps_long_names_distinct_and_within_the_limit() -> None:
    a = derive_name("a" * 70 + ".example.com")
    b = derive_name("a" * 70 + ".example.org")
    assert len(a) <= 64 and len(b) <= 64 and a != b
    assert len(derive_name("x" * 200, max_chars=128)) == 128
