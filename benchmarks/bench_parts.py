"""The measurements behind the hand-written pieces (informative: no target, exit 0).

Each row times what certcheck does itself against what it would otherwise ask a library for:
- names, the public key and basicConstraints read from one DER walk (certcheck/_crypto/der.py,
  documents/certs.py) against ``cryptography``'s objects for the same (a Name per access, the key object,
  every extension decoded at once), the subject's common name, and one read of the DER reader itself; a
  certificate with every extension view (one ``cryptography`` decoding shared by all of them);
- a leaf's signature checked with verify_directly_issued_by against the issuer's kept key object over the
  signed bytes as given (documents/chain.py);
- an SM2 PKCS#8 key read with certcheck's strict DER reader (certcheck/_crypto/sm2key.py) against pyasn1,
  and pyasn1's import cost, which every `certcheck check` paid when keys were read with it;
- a certificate field and a key field in canonical PEM, read by ``pem.py``'s string-method reader against the
  regular expression it replaced (same decoding and checks around both);
- a lazy view's first read: ``functools.cached_property`` against certcheck's ``lazy`` (certcheck/_record.py);
- ``pem.read`` on a field of nothing but BEGIN lines, at two sizes: linear means the time per KiB stays flat.

Run: ``.venv/bin/python benchmarks/bench_parts.py``
"""

from __future__ import annotations

import binascii
import re
import subprocess
import sys
import timeit
from collections.abc import Callable
from functools import cached_property

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from generate import SM2_FIXTURES, standard_requests

from certcheck import pem
from certcheck._crypto import der, sm2key
from certcheck._record import lazy
from certcheck.documents.certs import load_certificate


def _us(fn: Callable[[], object], number: int = 200) -> float:
    return min(timeit.repeat(fn, number=number, repeat=7)) / number * 1e6


def _import_ms(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1e3)"
    runs = [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)]
    runs += [float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)]
    return min(runs)


def run() -> dict[str, float]:
    request = standard_requests(4, "RSA", rsa_pool=1)[2]
    leaf_der = pem.read("Cert", str(request.params.cert)).blocks[0].der
    out: dict[str, float] = {}
    out["x509_load_us"] = _us(lambda: x509.load_der_x509_certificate(leaf_der))
    out["cryptography_subject_and_issuer_us"] = _us(
        lambda: (lambda c: (c.subject, c.issuer))(x509.load_der_x509_certificate(leaf_der))
    )
    out["cryptography_public_key_numbers_us"] = _us(
        lambda: x509.load_der_x509_certificate(leaf_der).public_key().public_numbers()  # type: ignore[union-attr]
    )
    out["cryptography_extensions_us"] = _us(lambda: x509.load_der_x509_certificate(leaf_der).extensions)
    out["certcheck_certificate_with_names_key_us"] = _us(lambda: load_certificate("Cert", 1, leaf_der))
    # is_ca, basicConstraints, keyUsage and the extension facts share cryptography's one decoding of the list
    out["certcheck_certificate_with_extension_views_us"] = _us(
        lambda: load_certificate("Cert", 1, leaf_der).extension_facts
    )

    key_der = pem.read("Key", (SM2_FIXTURES / "sm2-sign.key").read_text()).blocks[0].der
    out["certcheck_sm2_pkcs8_us"] = _us(lambda: sm2key.read_sm2_pkcs8(key_der))
    try:
        from pyasn1.codec.der import decoder
        from pyasn1_modules import rfc5208, rfc5915

        def with_pyasn1() -> int:
            info, _ = decoder.decode(key_der, asn1Spec=rfc5208.PrivateKeyInfo())
            ec_key, _ = decoder.decode(info["privateKey"].asOctets(), asn1Spec=rfc5915.ECPrivateKey())
            return int.from_bytes(ec_key["privateKey"].asOctets(), "big")

        out["pyasn1_sm2_pkcs8_us"] = _us(with_pyasn1, 50)
        out["pyasn1_import_ms"] = _import_ms("pyasn1_modules.rfc5958, pyasn1_modules.rfc5280, pyasn1.codec.der.decoder")
    except ImportError:  # pyasn1 is a test dependency only
        pass
    out["der_walk_tlv_us"] = _us(lambda: der.certificate_parts(leaf_der))
    issuer = x509.load_der_x509_certificate(pem.read("Cert", str(request.params.cert)).blocks[1].der)
    leaf = load_certificate("Cert", 1, leaf_der)
    out["cryptography_verify_directly_issued_by_us"] = _us(lambda: leaf.x509.verify_directly_issued_by(issuer))
    issuer_key = issuer.public_key()
    out["certcheck_verify_with_kept_key_us"] = _us(
        lambda: issuer_key.verify(  # type: ignore[union-attr, call-arg]
            leaf.x509.signature, leaf.tbs, padding.PKCS1v15(), leaf.x509.signature_hash_algorithm
        )
    )
    out["der_read_tlv_short_form_us"] = _us(lambda: der.read_tlv(leaf_der, 4), 20000)
    out["der_read_tlv_two_octet_length_us"] = _us(lambda: der.read_tlv(leaf_der), 20000)
    subject = der.certificate_parts(leaf_der).subject
    # cryptography builds the Name on a certificate's first access and keeps it: load a fresh one each time
    # (x509_load_us above is the load alone), as certcheck reads each certificate's name once
    out["cryptography_load_and_common_name_us"] = _us(
        lambda: (
            x509.load_der_x509_certificate(leaf_der)
            .subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)[0]
            .value
        ),
        2000,
    )
    out["certcheck_common_name_us"] = _us(lambda: der.simple_common_name(subject), 2000)

    fields = [str(request.params.cert), str(request.params.key)]
    out["pem_canonical_regex_cert_and_key_us"] = _us(lambda: [_regex_canonical(f) for f in fields])
    out["pem_canonical_certcheck_cert_and_key_us"] = _us(lambda: [pem._read_canonical("Cert", f) for f in fields])
    out["cached_property_first_access_us"], out["certcheck_lazy_first_access_us"] = _first_access_us()

    per_kib = []
    for kib in (32, 255):
        field = "-----BEGIN CERTIFICATE-----\n" * (kib * 1024 // 28)
        per_kib.append(min(timeit.repeat(lambda f=field: pem.read("Cert", f), number=3, repeat=5)) / 3 / kib)
        out[f"pem_read_begin_lines_{kib}kib_ms"] = per_kib[-1] * kib * 1e3
    out["pem_read_growth_per_kib_255_over_32"] = per_kib[1] / per_kib[0]
    return out


# The regular expression pem.py used for canonical blocks before its string-method reader: the baseline of the
# "pem_canonical" rows (same decoding and checks around it).
_CANONICAL_BLOCK = re.compile(
    r"-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----\n((?:[A-Za-z0-9+/]{64}\n)*(?=[A-Za-z0-9+/=]{1,64}\n-----END )"
    r"[A-Za-z0-9+/]+={0,2}\n)-----END \1-----\n"
)


def _regex_canonical(text: str) -> list[pem.Block] | None:
    blocks, end = [], 0
    for match in _CANONICAL_BLOCK.finditer(text):
        if match.start() != end:
            return None
        end = match.end()
        label, body = match.group(1, 2)
        raw = binascii.a2b_base64(body)
        tail = len(raw) % 3 or 3  # the exact-tail check it came with: only the last quantum can differ
        exact = body.rstrip("\n").endswith(binascii.b2a_base64(raw[-tail:], newline=False).decode("ascii"))
        if not (der.is_single_structure(raw) and exact):
            return None
        blocks.append(pem.Block(label, raw, (), len(blocks) + 1, match.group()))
    return blocks if blocks and end == len(text) else None


def _first_access_us() -> tuple[float, float]:
    """A view's first read on a new object (what each request pays per view): functools.cached_property against
    certcheck's ``lazy`` (certcheck/_record.py); the bare object creation is subtracted from both."""

    class WithCachedProperty:
        @cached_property
        def view(self) -> int:
            return 1

    class WithLazy:
        @lazy
        def view(self) -> int:
            return 1

    class Bare:
        pass

    bare = _us(Bare, 20000)
    return _us(lambda: WithCachedProperty().view, 20000) - bare, _us(lambda: WithLazy().view, 20000) - bare


def report(r: dict[str, float]) -> None:
    print("the pieces certcheck reads itself, against the library call it replaces (min of 7 runs)")
    for name, value in r.items():
        print(f"  {name:42} {value:10.2f}")


def main() -> int:
    report(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
