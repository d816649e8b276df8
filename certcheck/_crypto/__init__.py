"""Low-level code, kept apart from the model as pyca/cryptography keeps ``hazmat``: nothing here knows about
requests, fields or findings.

- ``der``: the one strict DER reader every other module walks structures with.
- ``oids``: the one table of object identifiers and their names.
- ``sm2``: SM2 curve arithmetic, SM3, SM2-with-SM3 verification (``cryptography`` has no SM2 keys).
- ``sm2key``: SM2 private keys (PKCS#8, SEC1) and SubjectPublicKeyInfo, read with ``der``.
- ``pkcs8``, ``legacy_pem``: decryption of encrypted keys where ``cryptography`` cannot help (SM2 keys, SM4,
  HMAC-SM3), with errors that tell a wrong passphrase from an unsupported scheme.
- ``containers``: vendor key containers (PKCS#12, CFCA, SM2EnvelopedKey, SKF), recognised to name them.

Each hand-written piece says in its docstring why ``cryptography`` does not do the job, and which benchmark in
``benchmarks/`` measures it. Imports are lazy from the rest of certcheck: a request with an RSA or EC key loads
none of ``sm2``, ``sm2key``, ``pkcs8`` or ``containers``.
"""
