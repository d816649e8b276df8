"""``Record``: the base of certcheck's internal immutable records (parse facts, rules, chains).

Plain classes rather than dataclasses, for start-up: a frozen dataclass compiles its methods when its module is
imported (~0.4 ms each; measured with ``python -X importtime`` and counted in ``benchmarks/bench_startup.py``),
and `certcheck check` would create two dozen on every start, a pre-commit hook on every commit. A record's
fields are its ``__slots__`` (or, for records with ``lazy`` views, plain attributes), set once in
``__init__`` through ``_set`` and never again: assignment afterwards raises, like a frozen dataclass.
The public types users build or compare (``UploadParams``, ``Finding``, ``Report``...) stay dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

__all__ = ["FrozenError", "Record", "lazy"]

_T = TypeVar("_T")


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


class lazy(Generic[_T]):  # named like the property it stands in for
    """A view computed on first access and kept in the instance's ``__dict__`` (later reads never reach here).

    ``functools.cached_property`` does the same under a lock shared by every instance on Python 3.11 (3.12
    dropped it): ~0.9 us more per first read (benchmarks/bench_parts.py, the "first_access" rows), and a
    standard request first-reads about nine certificate views. Two threads reading one view at once may both
    compute it: the views are pure functions of immutable data, so both get the same value.
    """

    def __init__(self, compute: Callable[[Any], _T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> lazy[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> lazy[_T] | _T:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.compute(instance)
        return value
