"""The debug log: where a crash inside certcheck happened, for ``--debug`` (stderr) and library users' logging.

Only frames (file, line, function, source line) and the exception's type are logged, never its message or local
variables: a message can quote the input, and the input can be a private key. ``logging`` is imported only when
something crashed, so a clean run does not pay for it.
"""

from __future__ import annotations

__all__ = ["LOGGER", "log_crash"]

LOGGER = "certcheck"


def log_crash(where: str, exc: BaseException) -> None:
    """Log ``exc``'s traceback at DEBUG level on the ``certcheck`` logger, without its message."""
    import logging
    import traceback

    log = logging.getLogger(LOGGER)
    if not log.isEnabledFor(logging.DEBUG):
        return
    frames = "".join(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
    log.debug(
        "%s crashed with %s; traceback (message withheld, it may quote key material):\n%s",
        where,
        type(exc).__name__,
        frames.rstrip(),
    )
