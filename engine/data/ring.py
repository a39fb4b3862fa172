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


class RingBuffer:
    """Fixed-capacity FIFO of events stored as one numpy column per field.

    Allocation contract: ``push``, ``push_batch``, ``drain`` and ``clear`` allocate no array
    data; they make only transient view objects, freed before they return.

    Attributes:
        name: for the profiler.
        capacity: events it holds.
        columns: name -> preallocated array of length ``capacity`` (storage order, not FIFO).
        pushed: events accepted, drained: events drained, overflows: events lost,
        high_water: largest fill seen.
    """

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
        self._head = 0
        self._size = 0
        self.pushed = 0
        self.drained = 0
        self.overflows = 0
        self.high_water = 0

    def __len__(self) -> int:
        return self._size

    @property
    def size(self) -> int:
        """Events waiting to be drained."""
        return self._size

    @property
    def fill(self) -> float:
        """``size / capacity``."""
        return self._size / self.capacity

    def _make_room(self, n: int) -> int:
        """How many of n new events to accept; drops the oldest under OVERWRITE_OLDEST."""
        free = self.capacity - self._size
        if n <= free:
            return n
        if self.policy is OverflowPolicy.DROP_NEWEST:
            self.overflows += n - free
            return free
        keep = min(n, self.capacity)
        drop_old = keep - free
        self._head = (self._head + drop_old) % self.capacity
        self._size -= drop_old
        self.overflows += drop_old + (n - keep)
        return keep

    def _advance_tail(self, n: int) -> None:
        self._size += n
        self.pushed += n
        if self._size > self.high_water:
            self.high_water = self._size

    def push(self, *values: float | int) -> bool:
        """Append one event: one value per column, in declaration order.

        Returns:
            False when the event was refused (DROP_NEWEST and full, counted).

        Raises:
            RingError: the number of values differs from the number of columns.
        """
        if len(values) != len(self._cols):
            raise RingError(f"ring {self.name!r}.push: expected {len(self._cols)} values "
                            f"({', '.join(self._order)}), got {len(values)}")
        if self._make_room(1) == 0:
            return False
        tail = (self._head + self._size) % self.capacity
        for col, value in zip(self._cols, values):
            col[tail] = value
        self._advance_tail(1)
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
        tail = (self._head + self._size) % cap
        first = min(accepted, cap - tail)
        rest = accepted - first
        for col, arr in zip(self._cols, arrays):
            np.copyto(col[tail:tail + first], arr[skip:skip + first], casting="unsafe")
            if rest:
                np.copyto(col[:rest], arr[skip + first:skip + accepted], casting="unsafe")
        self._advance_tail(accepted)
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
        n = self._size
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
        head = self._head
        first = min(n, cap - head)
        rest = n - first
        for key, col in zip(self._order, self._cols):
            dst = out[key]
            np.copyto(dst[:first], col[head:head + first], casting="unsafe")
            if rest:
                np.copyto(dst[first:n], col[:rest], casting="unsafe")
        self._head = (head + n) % cap
        self._size -= n
        self.drained += n
        return n

    def clear(self) -> None:
        """Forget every waiting event (they are not counted as overflows)."""
        self._head = 0
        self._size = 0
