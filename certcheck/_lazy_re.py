"""``LazyPattern``: a regular expression compiled on first use, for the patterns a clean `certcheck check` never
needs (the PEM repair loop, the private-key detector). Compiling them all at import cost ~1.4 ms of every start
(``benchmarks/bench_startup.py``); a module groups its patterns in one holder object::

    class _Patterns:
        begin = LazyPattern(r"-----BEGIN ...")

    _RE = _Patterns()   # _RE.begin compiles once, then is an attribute of _RE (``vars(_RE)`` lists the compiled)
"""

from __future__ import annotations

import re
from typing import Any, AnyStr, Generic, overload

__all__ = ["LazyPattern"]


class LazyPattern(Generic[AnyStr]):
    def __init__(self, pattern: AnyStr, flags: int = 0) -> None:
        self._pattern: AnyStr = pattern
        self._flags = flags
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, holder: None, owner: type) -> LazyPattern[AnyStr]: ...

    @overload
    def __get__(self, holder: object, owner: type) -> re.Pattern[AnyStr]: ...

    def __get__(self, holder: Any, owner: type) -> LazyPattern[AnyStr] | re.Pattern[AnyStr]:
        if holder is None:
            return self
        compiled = re.compile(self._pattern, self._flags)
        # A non-data descriptor: the holder's own attribute, set here, answers every later access.
        holder.__dict__[self._name] = compiled
        return compiled
