"""The entity store's column layout: declaration, allocation and growth.

Every column is one numpy array preallocated at ``capacity`` rows, next to the slot map
(slot -> row), the generations, the free-slot stack and the scratch that flush, batch spawn
and handle resolution reuse. ``StoreLayout._allocate`` makes all of them at once and only then
switches the store to them, so a growth that runs out of memory leaves the store as it was.

Capacity. When full, ``ExhaustionPolicy.REFUSE`` refuses the spawn and counts it in
``stats.refusals``; ``GROW`` doubles every array (every array object is replaced) up to
``max_capacity`` rows and counts it in ``stats.growths``; beyond that it refuses like REFUSE.

``EntityStore`` (``engine.data.store``) is the one user: it owns the rows and handles, this
mixin owns the arrays they live in.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .pool import ExhaustionPolicy, PoolStats

__all__ = ["StoreLayout", "StoreError", "ForeignHandleError", "StoreGrowthError", "ColumnSpec",
           "NO_ROW", "MAX_ROWS", "DEFAULT_MAX_CAPACITY"]


ColumnSpec = tuple  # (shape, dtype) or (shape, dtype, default)
"""A column declaration: ``(per_row_shape, dtype)`` or ``(per_row_shape, dtype, default)``;
``per_row_shape`` is ``()`` for a scalar per row, ``(2,)`` for a 2-vector."""

NO_ROW = -1
_SLOT_BITS = 32
MAX_ROWS = 1 << _SLOT_BITS
"""The most rows a store can have: a handle names its slot in 32 bits."""
DEFAULT_MAX_CAPACITY = 1 << 24
"""``max_capacity`` of a GROW store when none is given (or ``capacity``, if larger)."""
_SLOT_MASK = (1 << _SLOT_BITS) - 1
_GEN_MASK = (1 << 24) - 1
_TAG_SHIFT = 56


class StoreError(ValueError):
    """An entity store was declared or used with bad arguments."""


class ForeignHandleError(StoreError):
    """A handle of another store was given to this one."""


class StoreGrowthError(MemoryError):
    """A GROW store could not allocate its grown arrays; the store is unchanged."""


def _row_view(arr: np.ndarray) -> np.ndarray:
    """A 1-D view with one opaque item per row, so any column moves with one take/put."""
    rowbytes = arr.itemsize * (arr[0].size if arr.ndim > 1 else 1)
    return arr.reshape(arr.shape[0], -1).view(np.dtype((np.void, rowbytes))).reshape(arr.shape[0])


class StoreLayout:
    """The arrays of an entity store and how they are declared, made and grown.

    A mixin: ``EntityStore.__init__`` sets ``name``, ``policy``, ``max_capacity``, ``_tag``,
    ``_specs``, ``stats``, ``_count`` and ``growth_failures``, then calls ``_allocate``.
    """

    name: str
    capacity: int
    policy: ExhaustionPolicy
    max_capacity: int
    stats: PoolStats
    growth_failures: int
    columns: dict[str, np.ndarray]
    handles: np.ndarray
    _tag: int
    _count: int
    _specs: dict[str, tuple[tuple[int, ...], np.dtype, Any]]
    _row_of_slot: np.ndarray
    _gen: np.ndarray
    _used: np.ndarray
    _free: np.ndarray
    _free_top: int
    _dead: np.ndarray

    # ------------------------------------------------------------------ declaration
    def _parse_max_capacity(self, name: str, capacity: int, max_capacity: int | None) -> int:
        where = f"store {name!r} max_capacity"
        if max_capacity is None:
            if self.policy is ExhaustionPolicy.GROW:
                return min(max(capacity, DEFAULT_MAX_CAPACITY), MAX_ROWS)
            return capacity
        if self.policy is not ExhaustionPolicy.GROW:
            raise StoreError(f"{where}: expected None under policy {self.policy.value!r} "
                             f"(a bound of the GROW policy), got {max_capacity!r}")
        if isinstance(max_capacity, bool) or not isinstance(max_capacity, int):
            raise StoreError(f"{where}: expected an int, got {type(max_capacity).__name__} "
                             f"{max_capacity!r}")
        if not capacity <= max_capacity <= MAX_ROWS:
            raise StoreError(f"{where}: expected an int in [capacity {capacity}, {MAX_ROWS}], "
                             f"got {max_capacity}")
        return max_capacity

    def _parse_spec(self, key: str, spec: Any) -> tuple[tuple[int, ...], np.dtype, Any]:
        where = f"store {self.name!r} column {key!r}"
        if not isinstance(key, str) or not key.isidentifier():
            raise StoreError(f"store {self.name!r}: expected column names that are "
                             f"identifiers, got {key!r}")
        if not isinstance(spec, tuple) or len(spec) not in (2, 3):
            raise StoreError(f"{where}: expected (shape, dtype) or (shape, dtype, default), "
                             f"got {spec!r}")
        shape, dtype = spec[0], spec[1]
        default = spec[2] if len(spec) == 3 else 0
        if isinstance(shape, int):
            shape = (shape,)
        if (not isinstance(shape, tuple)
                or not all(isinstance(d, int) and not isinstance(d, bool) and d > 0
                           for d in shape)):
            raise StoreError(f"{where}: expected a per-row shape of positive ints like () or "
                             f"(2,), got {shape!r}")
        try:
            dt = np.dtype(dtype)
        except TypeError as exc:
            raise StoreError(f"{where}: expected a numpy dtype, got {dtype!r}") from exc
        if dt.kind not in "biuf":
            raise StoreError(f"{where}: expected a bool, int or float dtype, got {dt}")
        return shape, dt, default

    def _allocate(self, capacity: int) -> None:
        """Make every array at ``capacity`` rows (live rows and slots copied over), then switch
        the store to them: a MemoryError on the way leaves the store as it was."""
        self._c_tag = np.int64(self._tag << _TAG_SHIFT)
        self._c_slot_mask = np.int64(_SLOT_MASK)
        self._c_gen_mask = np.int64(_GEN_MASK)
        self._c_shift = np.int64(_SLOT_BITS)
        self._c_one = np.int64(1)
        self._c_tag_shift = np.int64(_TAG_SHIFT)
        self._c_tag_value = np.int64(self._tag)
        old = getattr(self, "columns", None)
        n = self._count
        columns: dict[str, np.ndarray] = {}
        for key, (shape, dt, default) in self._specs.items():
            arr = np.empty((capacity, *shape), dtype=dt)
            arr[...] = default
            if old is not None:
                arr[:n] = old[key][:n]
            columns[key] = arr
        handles = np.zeros(capacity, np.int64)
        row_of_slot = np.full(capacity, NO_ROW, np.int64)
        gen = np.zeros(capacity, np.int64)
        used = np.zeros(capacity, np.bool_)
        free = np.zeros(capacity, np.int64)
        if old is not None:
            oldcap = self._row_of_slot.shape[0]
            handles[:n] = self.handles[:n]
            row_of_slot[:oldcap] = self._row_of_slot
            gen[:oldcap] = self._gen
            used[:oldcap] = self._used
            # New slots go under the old free ones, so warm slots are still reused first.
            new = capacity - oldcap
            free[:new] = np.arange(capacity - 1, oldcap - 1, -1)
            free[new:new + self._free_top] = self._free[:self._free_top]
            free_top = self._free_top + new
        else:
            free[:] = np.arange(capacity - 1, -1, -1)
            free_top = capacity
        dead = np.zeros(capacity, np.bool_)
        if old is not None:
            dead[:n] = self._dead[:n]
        # Scratch for flush / batch spawn / handle resolution: made once, reused every call.
        iota = np.arange(capacity + 1, dtype=np.int64)
        s_a = np.zeros(capacity + 1, np.int64)
        s_b = np.zeros(capacity + 1, np.int64)
        s_c = np.zeros(capacity + 1, np.int64)
        s_bool = np.zeros(capacity, np.bool_)
        mask2 = np.zeros(capacity, np.bool_)
        rows_view = {k: _row_view(a) for k, a in columns.items()}
        rows_view["__handles__"] = handles
        scratch_rows = {k: np.empty_like(v) for k, v in rows_view.items()}
        # Everything is allocated: switch (plain rebinding from here on).
        self.columns = columns
        self.handles = handles
        self._row_of_slot = row_of_slot
        self._gen = gen
        self._used = used
        self._free = free
        self._free_top = free_top
        self._dead = dead
        self._iota = iota
        self._s_a = s_a
        self._s_b = s_b
        self._s_c = s_c
        self._s_bool = s_bool
        self._mask2 = mask2
        self._rows_view = rows_view
        self._scratch_rows = scratch_rows
        self.capacity = capacity
        self.stats.capacity = capacity

    def _row_bytes(self) -> int:
        """Bytes one row costs across every array ``_allocate`` makes (for error messages)."""
        cols = sum(dt.itemsize * int(np.prod(shape)) for shape, dt, _ in self._specs.values())
        return 2 * cols + 8 * 9 + 4  # columns + their flush scratch; int64 and bool arrays

    # ------------------------------------------------------------------ growth
    def _reserve(self, n: int) -> int:
        """How many of n spawns fit, growing or refusing as the policy says."""
        free = self.capacity - self._count
        if n <= free:
            return n
        if self.policy is ExhaustionPolicy.GROW and self.capacity < self.max_capacity:
            need = self._count + n
            cap = self.capacity
            while cap < need:
                cap *= 2
            self._grow(min(cap, self.max_capacity))
            free = self.capacity - self._count
            if n <= free:
                return n
        self.stats.refusals += n - free
        return free

    def _grow(self, capacity: int) -> None:
        """Grow to ``capacity`` rows, or raise StoreGrowthError with the store unchanged."""
        try:
            self._allocate(capacity)
        except MemoryError as exc:
            self.growth_failures += 1
            need = capacity * self._row_bytes()
            raise StoreGrowthError(
                f"store {self.name!r}: expected to grow from {self.capacity} to {capacity} rows "
                f"(about {need / 2**30:,.1f} GiB), got MemoryError ({exc}); the store is "
                f"unchanged ({self._count} live rows)") from exc
        self.stats.growths += 1
