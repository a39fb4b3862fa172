"""Int counters kept in int64 cells, so that a counter past 256 keeps no Python int alive.

Why. CPython shares one object for each int in -5..256. A counter kept as a plain int
attribute that passes 256 holds a heap int of its own from then on: one allocated block more
than before (``sys.getallocatedblocks``), once per counter. Over a stress hold those crossings
were the whole of the blocks growth. A ``Counter`` attribute stores its value in a cell of the
instance's int64 array instead: reading makes a fresh Python int (freed when the caller drops
it), writing stores into the cell, so ``stats.acquires += n`` leaves nothing alive.

How::

    class PoolStats(CounterCells):
        __slots__ = ("name",)          # counters are not slots; CounterCells owns _cells
        acquires = Counter()
        reuses = Counter()

Each subclass numbers its ``Counter`` attributes in declaration order (after those of its
bases) and lists their names in ``counter_names``; every instance gets one zeroed
``np.int64`` array ``_cells`` (made in ``__new__``, so subclasses' ``__init__`` need not call
anything) and a memoryview ``_cv`` of it. Reads and writes go through the memoryview: it
returns and takes plain Python ints (never numpy scalars, see docs/PERFORMANCE_GUIDELINES.md
section 4) and costs about half of ``ndarray.item(i)`` / ``ndarray[i] = v``.

Cost. A counter access is a Python-level descriptor call: ~80-90 ns to read and ~170 ns for
``+=`` (a plain attribute: ~30 ns). Per-event paths use the cells directly through
``_cv[Cls.name.index]`` with one read and one write per call (see ``RingBuffer.push``).

Values are int64: assigning an int outside its range raises ``CounterValueError``, a
non-int ``CounterError``; ``+=`` past 2**63 - 1 raises too (through the descriptor) or, in the
per-event paths that write the memoryview directly, ``ValueError``.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar, overload

import numpy as np

__all__ = ["Counter", "CounterCells", "CounterError", "CounterValueError"]

_C = TypeVar("_C", bound="CounterCells")


class CounterError(TypeError):
    """A ``Counter`` was declared or used outside a ``CounterCells`` subclass."""


class CounterValueError(ValueError):
    """A ``Counter`` was given an int outside the int64 range."""


class Counter:
    """An int attribute stored in the owner's int64 cell (declare it in a ``CounterCells``
    subclass's body).

    Attributes:
        name: the attribute name (set when the owning class is made).
        index: the cell of ``_cells`` that holds it (set by ``CounterCells``; -1 before).
    """

    __slots__ = ("name", "index")

    def __init__(self) -> None:
        self.name = ""
        self.index = -1

    def __set_name__(self, owner: type, name: str) -> None:
        if not issubclass(owner, CounterCells):
            raise CounterError(f"Counter {name!r}: expected its class to derive from "
                               f"CounterCells, got {owner.__name__} "
                               f"(bases {[b.__name__ for b in owner.__bases__]})")
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Counter: ...

    @overload
    def __get__(self, obj: CounterCells, owner: type | None = None) -> int: ...

    def __get__(self, obj: CounterCells | None, owner: type | None = None) -> Counter | int:
        if obj is None:
            return self
        return obj._cv[self.index]

    def __set__(self, obj: CounterCells, value: int) -> None:
        """Store ``value`` in the cell.

        Raises:
            CounterError: ``value`` is not an int (a float, a numpy float...).
            CounterValueError: ``value`` is outside the int64 range.
        """
        try:
            obj._cv[self.index] = value
        except TypeError:
            raise CounterError(f"counter {type(obj).__name__}.{self.name}: expected an int, "
                               f"got {type(value).__name__} {value!r}") from None
        except ValueError:
            raise CounterValueError(f"counter {type(obj).__name__}.{self.name}: expected an "
                                    f"int64 value, got {value!r}") from None

    def __repr__(self) -> str:
        return f"Counter({self.name!r}, index={self.index})"


class CounterCells:
    """Base of classes with ``Counter`` attributes: one int64 array of cells per instance.

    Works with ``__slots__`` subclasses (their slots must not name the counters) and with
    ordinary ones. ``counter_names`` lists the counters in cell order.
    """

    __slots__ = ("_cells", "_cv")
    counter_names: ClassVar[tuple[str, ...]] = ()
    """Counter attribute names, in cell order (bases' first)."""

    _cells: np.ndarray
    _cv: memoryview

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        names = list(cls.counter_names)
        for name, attr in vars(cls).items():
            if isinstance(attr, Counter):
                if attr.index >= 0:
                    raise CounterError(f"Counter {name!r} of {cls.__name__}: expected a new "
                                       f"Counter(), got one already bound to cell {attr.index}")
                attr.index = len(names)
                names.append(name)
        cls.counter_names = tuple(names)

    def __new__(cls: type[_C], *args: Any, **kwargs: Any) -> _C:
        self = super().__new__(cls)
        self._cells = np.zeros(len(cls.counter_names), np.int64)
        self._cv = self._cells.data  # a memoryview of the cells
        return self

    def counters(self) -> dict[str, int]:
        """Every counter as a plain int, by name (allocates: for reports, not per frame)."""
        return dict(zip(self.counter_names, self._cells.tolist()))
