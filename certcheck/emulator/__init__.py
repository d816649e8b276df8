"""A loopback emulator of the CAS endpoint (UploadUserCertificate and friends) for tests, demos and pipelines.

Stdlib only (plus certcheck's own validation): the official SDK is not needed to run it. Never imported by
``import certcheck`` or ``certcheck check``.

>>> from certcheck.emulator import serve_in_thread
>>> with serve_in_thread({"test-id": "test-secret"}, rate=100) as emu:
...     emu.endpoint            # '127.0.0.1:PORT': Config(endpoint=emu.endpoint, protocol='http')
"""

from certcheck.emulator.faults import FAULT_KINDS
from certcheck.emulator.server import Emulator, serve_in_thread
from certcheck.emulator.store import Call, StoredCertificate

__all__ = ["FAULT_KINDS", "Call", "Emulator", "StoredCertificate", "serve_in_thread"]
