"""Checkers for the bulk tests: module-level, so worker processes can unpickle them by name."""

from __future__ import annotations

import os
import signal
from datetime import datetime
from pathlib import Path

from certcheck import Report, UploadParams, validate
from certcheck.profiles import Profile


def crashing(params: UploadParams, *, profile: str | Profile, at: datetime, expiry_warning_days: float) -> Report:
    """Kills its worker process on the request named "boom" (as a segfault in a C library would), raises on
    "raise", and checks every other request normally."""
    if params.name == "boom":
        os._exit(3)
    if params.name == "raise":
        raise RuntimeError("a secret -----BEGIN PRIVATE KEY----- in an exception message")
    return validate(params, profile=profile, at=at, expiry_warning_days=expiry_warning_days)


def killed_once(params: UploadParams, *, profile: str | Profile, at: datetime, expiry_warning_days: float) -> Report:
    """SIGKILLs its own worker the first time it sees "victim" (the marker file is named in the request's
    ResourceGroupId): a worker killed mid-run from outside (the OOM killer); checked again, it passes."""
    if params.name == "victim" and params.resource_group_id:
        marker = Path(params.resource_group_id)
        if not marker.exists():
            marker.write_text("killed")
            os.kill(os.getpid(), signal.SIGKILL)
    return validate(params, profile=profile, at=at, expiry_warning_days=expiry_warning_days)
