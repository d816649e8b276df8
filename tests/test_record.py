"""certcheck._record: immutable records and the ``lazy`` view that certificates and requests use."""

from __future__ import annotations

import threading

import pytest

from certcheck._record import FrozenError, Record, lazy


class Counted(Record):
    """A record with one slot-less attribute and a lazy view that counts how often it is computed."""

    def __init__(self, base: int) -> None:
        self._set(base=base, calls=[])

    base: int
    calls: list[int]

    @lazy
    def doubled(self) -> int:
        """Twice the base."""
        self.calls.append(1)
        return self.base * 2


def test_lazy_computes_once_and_keeps_the_value_on_the_instance() -> None:
    record = Counted(21)
    assert "doubled" not in record.__dict__
    assert record.doubled == 42
    assert record.doubled == 42
    assert record.calls == [1]
    assert record.__dict__["doubled"] == 42


def test_lazy_values_belong_to_each_instance() -> None:
    first, second = Counted(1), Counted(5)
    assert (first.doubled, second.doubled) == (2, 10)


def test_lazy_on_the_class_is_the_descriptor_with_the_docstring() -> None:
    view = Counted.doubled
    assert isinstance(view, lazy)
    assert view.__doc__ == "Twice the base."
    assert view.name == "doubled"


def test_lazy_takes_the_attribute_name_it_is_bound_to() -> None:
    def compute(record: Counted) -> int:
        return record.base + 1

    class Renamed(Counted):
        plus_one = lazy(compute)

    record = Renamed(1)
    assert record.plus_one == 2
    assert record.__dict__["plus_one"] == 2 and "compute" not in record.__dict__


def test_a_failing_view_is_not_kept_and_raises_again() -> None:
    class Failing(Record):
        def __init__(self) -> None:
            self._set(tries=[])

        tries: list[int]

        @lazy
        def view(self) -> int:
            self.tries.append(1)
            raise ValueError("unreadable")

    record = Failing()
    for _ in range(2):
        with pytest.raises(ValueError, match="unreadable"):
            _ = record.view
    assert record.tries == [1, 1]
    assert "view" not in record.__dict__


def test_records_stay_immutable_beside_lazy_views() -> None:
    record = Counted(3)
    _ = record.doubled
    with pytest.raises(FrozenError):
        record.doubled = 7  # type: ignore[misc]
    with pytest.raises(FrozenError):
        record.base = 4  # type: ignore[misc]
    assert record.doubled == 6


def test_threads_reading_one_view_all_get_the_same_value() -> None:
    record = Counted(8)
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.append(record.doubled)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [16] * 8
