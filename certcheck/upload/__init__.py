"""Uploading validated requests: the adapter protocol, the runner, pacing, retries and the journal.

>>> from certcheck.upload import load_adapter, upload_many
>>> adapter = load_adapter("dry-run")
>>> for outcome in upload_many(params_list, adapter, rate=100, concurrency=8, journal=None):
...     print(outcome.outcome, outcome.cert_id)

Importing this package does not import any vendor SDK: the ``aliyun`` adapter imports it when it is built.
"""

from certcheck.upload.journal import Journal, JournalEntry, JournalError
from certcheck.upload.pacing import Pacer
from certcheck.upload.protocol import (
    ENTRY_POINT_GROUP,
    Adapter,
    AdapterInfo,
    Finder,
    UploadError,
    UploadResult,
    available_adapters,
    load_adapter,
)
from certcheck.upload.retry import RetryPolicy
from certcheck.upload.runner import CONFLICT_POLICIES, OUTCOMES, RunControl, UploadOutcome, upload_many, upload_one

__all__ = [
    "CONFLICT_POLICIES",
    "ENTRY_POINT_GROUP",
    "OUTCOMES",
    "Adapter",
    "AdapterInfo",
    "Finder",
    "Journal",
    "JournalEntry",
    "JournalError",
    "Pacer",
    "RetryPolicy",
    "RunControl",
    "UploadError",
    "UploadOutcome",
    "UploadResult",
    "available_adapters",
    "load_adapter",
    "upload_many",
    "upload_one",
]
