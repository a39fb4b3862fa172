"""A fixed-capacity FIFO ring buffer with struct-of-arrays columns (e.g. damage events).

Overflow policy is explicit: ``OverflowPolicy.DROP_NEWEST`` (default) refuses what does not fit;
``OVERWRITE_OLDEST`` makes room by dropping the oldest events. Both count every event lost in
``overflows``; nothing is lost silently.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import numpy as np
from numpy.typing import DTypeLike

from .counters import Counter, CounterCells
from .pool import check_capacity

__all__ = ["OverflowPolicy", "RingBuffer", "RingError"]


class RingError(ValueError):
    """A ring buffer was declared or used with bad arguments."""


class OverflowPolicy(str, enum.Enum):
    """What a full ring does with one more event."""

    DROP_NEWEST = "drop_newest"
    """Refuse the new event (count it)."""
    OVERWRITE_OLDEST = "overwrite_oldest"
    """Drop the oldest event to make room (count it)."""


class RingBuffer(CounterCells):
    """Fixed-capacity FIFO of events stored as one numpy column per field.

    Allocation contract: ``push``, ``push_batch``, ``drain`` and ``clear`` allocate no array
    data and retain nothing; they make only transient view objects and ints, freed before they
    return.

    Bookkeeping. Two monotone counts place every event: ``pushed`` (events accepted) and
    ``_removed`` (events gone from the front: drained, dropped by OVERWRITE_OLDEST, or
    forgotten by ``clear``). The size is ``pushed - _removed``, the head is ``_removed %
    capacity``, the tail ``pushed % capacity``. Both live in int64 cells
    (``engine.data.counters``) with the other counters, so a count past 256 keeps no Python int
    alive, and a push reads three cells and writes one.

    Attributes:
        name: for the profiler.
        capacity: events it holds (fixed).
        columns: name -> preallocated array of length ``capacity`` (storage order, not FIFO).
        pushed: events accepted, drained: events drained, overflows: events lost,
        high_water: largest fill seen.
    """

    pushed = Counter()
    """Events accepted since construction."""
    drained = Counter()
    """Events drained since construction."""
    overflows = Counter()
    """Events lost (refused, or dropped to make room)."""
    high_water = Counter()
    """Largest size seen."""
    _removed = Counter()
    """Events gone from the front: drained, dropped by OVERWRITE_OLDEST, cleared."""

    def __init__(self, name: str, capacity: int, columns: Mapping[str, DTypeLike],
                 policy: OverflowPolicy | str = OverflowPolicy.DROP_NEWEST) -> None:
        """Declare the ring.

        Args:
            name: shown by the profiler.
            capacity: events the ring holds (> 0).
            columns: field name -> numpy dtype (one scalar per event per field).
            policy: overflow policy.

        Raises:
            RingError: empty columns, a bad dtype or an unknown policy.
            PoolError: capacity not a positive int.
        """
        check_capacity(capacity, f"ring {name!r} capacity")
        if not columns:
            raise RingError(f"ring {name!r}: expected at least one column, got none")
        try:
            self.policy = OverflowPolicy(policy)
        except ValueError:
            names = ", ".join(repr(p.value) for p in OverflowPolicy)
            raise RingError(f"ring {name!r} policy: expected one of {names}, "
                            f"got {policy!r}") from None
        self.name = name
        self.capacity = capacity
        self.columns: dict[str, np.ndarray] = {}
        for key, dtype in columns.items():
            try:
                dt = np.dtype(dtype)
            except TypeError as exc:
                raise RingError(f"ring {name!r} column {key!r}: expected a numpy dtype, "
                                f"got {dtype!r}") from exc
            self.columns[key] = np.zeros(capacity, dtype=dt)
        self._order = tuple(self.columns)
        self._cols = tuple(self.columns[k] for k in self._order)

    def __len__(self) -> int:
        c = self._cv
        return c[_PUSHED] - c[_REMOVED]

    @property
    def size(self) -> int:
        """Events waiting to be drained."""
        return len(self)

    @property
    def fill(self) -> float:
        """``size / capacity``."""
        return len(self) / self.capacity

    def _make_room(self, n: int) -> int:
        """How many of n new events to accept; drops the oldest under OVERWRITE_OLDEST."""
        c = self._cv
        cap = self.capacity
        free = cap - (c[_PUSHED] - c[_REMOVED])
        if n <= free:
            return n
        if self.policy is OverflowPolicy.DROP_NEWEST:
            c[_OVERFLOWS] += n - free
            return free
        keep = min(n, cap)
        drop_old = keep - free
        c[_REMOVED] += drop_old
        c[_OVERFLOWS] += drop_old + (n - keep)
        return keep

    def push(self, *values: float | int) -> bool:
        """Append one event: one value per column, in declaration order.

        Returns:
            False when the event was refused (DROP_NEWEST and full, counted).

        Raises:
            RingError: the number of values differs from the number of columns.
        """
        cols = self._cols
        if len(values) != len(cols):
            raise RingError(f"ring {self.name!r}.push: expected {len(cols)} values "
                            f"({', '.join(self._order)}), got {len(values)}")
        # Per event: three cell reads and one write, the overflow policy only when full.
        c = self._cv
        cap = self.capacity
        pushed = c[_PUSHED]
        removed = c[_REMOVED]
        if pushed - removed >= cap:
            if self._make_room(1) == 0:
                return False
            removed = c[_REMOVED]
        tail = pushed % cap
        for col, value in zip(cols, values):
            col[tail] = value
        pushed += 1
        c[_PUSHED] = pushed
        if pushed - removed > c[_HIGH_WATER]:
            c[_HIGH_WATER] = pushed - removed
        return True

    def push_batch(self, n: int, *arrays: np.ndarray) -> int:
        """Append ``n`` events from one array per column (their first n items).

        Under OVERWRITE_OLDEST a batch larger than the capacity keeps its last ``capacity``
        events.

        Returns:
            The number of events accepted.

        Raises:
            RingError: wrong number of arrays, or an array shorter than n.
        """
        if len(arrays) != len(self._cols):
            raise RingError(f"ring {self.name!r}.push_batch: expected {len(self._cols)} arrays "
                            f"({', '.join(self._order)}), got {len(arrays)}")
        if n <= 0:
            return 0
        for arr in arrays:
            if arr.shape[0] < n:
                raise RingError(f"ring {self.name!r}.push_batch: expected arrays of at least "
                                f"{n} items, got {arr.shape[0]}")
        accepted = self._make_room(n)
        if accepted == 0:
            return 0
        skip = n - accepted if self.policy is OverflowPolicy.OVERWRITE_OLDEST else 0
        cap = self.capacity
        c = self._cv
        pushed = c[_PUSHED]
        tail = pushed % cap
        first = min(accepted, cap - tail)
        rest = accepted - first
        for col, arr in zip(self._cols, arrays):
            np.copyto(col[tail:tail + first], arr[skip:skip + first], casting="unsafe")
            if rest:
                np.copyto(col[:rest], arr[skip + first:skip + accepted], casting="unsafe")
        pushed += accepted
        c[_PUSHED] = pushed
        size = pushed - c[_REMOVED]
        if size > c[_HIGH_WATER]:
            c[_HIGH_WATER] = size
        return accepted

    def drain(self, out: Mapping[str, np.ndarray], max_n: int | None = None) -> int:
        """Move the oldest events, FIFO, into caller-owned arrays.

        Args:
            out: column name -> array with room for the events (every column must be there).
            max_n: at most this many (default: as many as fit in the shortest out array).

        Returns:
            The number of events written to ``out[name][:n]``.

        Raises:
            RingError: a column is missing from ``out``.
        """
        c = self._cv
        removed = c[_REMOVED]
        n = c[_PUSHED] - removed
        if max_n is not None and max_n < n:
            n = max_n
        for key in self._order:
            arr = out.get(key)
            if arr is None:
                raise RingError(f"ring {self.name!r}.drain: expected an out array for column "
                                f"{key!r}, got keys {sorted(out)}")
            if arr.shape[0] < n:
                n = arr.shape[0]
        if n <= 0:
            return 0
        cap = self.capacity
        head = removed % cap
        first = min(n, cap - head)
        rest = n - first
        for key, col in zip(self._order, self._cols):
            dst = out[key]
            np.copyto(dst[:first], col[head:head + first], casting="unsafe")
            if rest:
                np.copyto(dst[first:n], col[:rest], casting="unsafe")
        c[_REMOVED] = removed + n
        c[_DRAINED] += n
        return n

    def clear(self) -> None:
        """Forget every waiting event (they are not counted as overflows)."""
        c = self._cv
        c[_REMOVED] = c[_PUSHED]


_PUSHED = RingBuffer.pushed.index
_DRAINED = RingBuffer.drained.index
_OVERFLOWS = RingBuffer.overflows.index
_HIGH_WATER = RingBuffer.high_water.index
_REMOVED = RingBuffer._removed.index
