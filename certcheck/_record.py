"""``Record``: the base of certcheck's internal immutable records (parse facts, rules, chains).

Plain classes rather than dataclasses, for start-up: a frozen dataclass compiles its methods when its module is
imported (~0.4 ms each; measured with ``python -X importtime`` and counted in ``benchmarks/bench_startup.py``),
and `certcheck check` would create two dozen on every start, a pre-commit hook on every commit. A record's
fields are its ``__slots__`` (or, for records with lazy ``cached_property`` views, plain attributes), set once in
``__init__`` through ``_set`` and never again: assignment afterwards raises, like a frozen dataclass.
The public types users build or compare (``UploadParams``, ``Finding``, ``Report``...) stay dataclasses.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FrozenError", "Record"]


class FrozenError(AttributeError):
    """An attempt to change a record after it was built."""


class Record:
    __slots__ = ()

    def _set(self, **values: Any) -> None:
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenError(f"{type(self).__name__} is immutable; cannot set {name}")

    def __delattr__(self, name: str) -> None:
        raise FrozenError(f"{type(self).__name__} is immutable; cannot delete {name}")

    def __repr__(self) -> str:
        names = [n for cls in type(self).__mro__ for n in getattr(cls, "__slots__", ())]
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in names if not n.startswith("_"))
        return f"{type(self).__name__}({shown})"
