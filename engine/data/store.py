"""Struct-of-arrays entity store with generational handles.

Layout. Every column is one numpy array preallocated at ``capacity`` rows. Live entities are
dense in rows ``[0, count)``, so a system works on ``store.columns["pos"][:store.count]``.
Removal is a swap-remove: the last live rows move into the holes.

Handles. An entity is named by an int64 handle ``tag << 56 | generation << 32 | slot``: ``slot``
is a stable index into a sparse map (slot -> row), ``generation`` counts how often the slot was
freed, and ``tag`` names the store. A handle whose generation no longer matches is stale: it
resolves to row -1, never to the entity that reuses its slot. A handle of another store is an
error (``ForeignHandleError``). Generations wrap after 2**24 reuses of one slot.

Deferred despawn. ``despawn``, ``kill_row`` and ``kill_rows`` only mark rows; the marked rows
stay in ``[0, count)`` (with their data) until ``flush()`` removes them all in one vectorised
pass. Call ``flush()`` at one point of the tick (the horde kit does it in the ``deaths`` system,
right after the damage drain), so that rows never move while other systems iterate them.

Capacity. Fixed at construction; what a full store does (``ExhaustionPolicy.REFUSE`` refuses
and counts, ``GROW`` doubles every array up to ``max_capacity``) and how the arrays are made is
``engine.data.store_layout``. Under GROW every array object is replaced: re-read
``store.columns[...]`` each tick, never keep a column across ticks. A growth whose arrays
cannot be allocated raises ``StoreGrowthError`` (a ``MemoryError``), counted in
``growth_failures``, and leaves the store exactly as it was.

Pool stats. The store is a pool of slots: ``stats.acquires`` counts spawns, ``stats.reuses``
spawns that got a slot used before (freed slots are reused last-in first-out), ``releases``
flushed despawns.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from .pool import ExhaustionPolicy, PoolStats, check_capacity
from .store_layout import (
    _GEN_MASK,
    _SLOT_BITS,
    _SLOT_MASK,
    _TAG_SHIFT,
    DEFAULT_MAX_CAPACITY,
    MAX_ROWS,
    NO_ROW,
    ColumnSpec,
    ForeignHandleError,
    StoreError,
    StoreGrowthError,
    StoreLayout,
)

__all__ = ["EntityStore", "StoreError", "ForeignHandleError", "StoreGrowthError", "ColumnSpec",
           "NO_ROW", "MAX_ROWS", "DEFAULT_MAX_CAPACITY"]

_tags = itertools.count(1)


class EntityStore(StoreLayout):
    """Struct-of-arrays storage for one kind of entity (enemies, projectiles, particles).

    Attributes:
        name: for errors and the profiler.
        capacity: rows preallocated.
        columns: column name -> full-capacity array; live rows are ``[:count]``.
        handles: int64 handle of each row (``handles[:count]``).
        stats: the shared ``PoolStats``.
        policy: what a full store does.
        pending: rows marked for despawn, waiting for ``flush()``.
    """

    def __init__(self, name: str, capacity: int, columns: Mapping[str, tuple[Any, ...]],
                 policy: ExhaustionPolicy | str = ExhaustionPolicy.REFUSE,
                 max_capacity: int | None = None) -> None:
        """Declare the store and preallocate every column.

        Args:
            name: shown by the profiler and in errors.
            capacity: rows to preallocate (> 0).
            columns: name -> ``(per_row_shape, dtype)`` or ``(per_row_shape, dtype, default)``,
                e.g. ``{"pos": ((2,), np.float32), "hp": ((), np.float32, 10.0)}``.
            policy: ``ExhaustionPolicy.REFUSE`` (default) or ``GROW``.
            max_capacity: GROW only: the most rows it grows to (``capacity`` to ``MAX_ROWS``;
                default ``DEFAULT_MAX_CAPACITY``, or ``capacity`` if larger).

        Raises:
            StoreError: no columns, a bad name, shape or dtype; a ``max_capacity`` out of range
                or given to a REFUSE store.
            PoolError: capacity not a positive int, or an unknown policy.
        """
        check_capacity(capacity, f"store {name!r} capacity")
        self.policy = ExhaustionPolicy.parse(policy)
        self.max_capacity = self._parse_max_capacity(name, capacity, max_capacity)
        """The most rows this store holds (``capacity`` for REFUSE)."""
        if not columns:
            raise StoreError(f"store {name!r}: expected at least one column, got none")
        self.name = name
        self.capacity = capacity
        self._tag = next(_tags) % 127 + 1  # keeps handles positive int64
        self._specs = {}
        for key, spec in columns.items():
            self._specs[key] = self._parse_spec(key, spec)
        self.stats = PoolStats(name, capacity)
        self._count = 0
        self.pending = 0
        self.stale_despawns = 0
        """despawn() calls with a stale handle (already dead): counted, not an error."""
        self.growth_failures = 0
        """GROW growths whose arrays could not be allocated (each raised StoreGrowthError)."""
        self._allocate(capacity)

    # ------------------------------------------------------------------ reading
    @property
    def count(self) -> int:
        """Live rows, dense in ``[0, count)`` (rows marked for despawn included until flush)."""
        return self._count

    def __len__(self) -> int:
        return self._count

    def column(self, name: str) -> np.ndarray:
        """The live view ``columns[name][:count]`` (makes one view object).

        Raises:
            StoreError: no such column (the message lists the columns).
        """
        arr = self.columns.get(name)
        if arr is None:
            raise StoreError(f"store {self.name!r}: no column {name!r}; columns are "
                             f"{', '.join(self.columns)}")
        return arr[:self._count]

    def _slot_of(self, handle: int) -> int:
        """Slot of a handle of this store, or -1 when stale."""
        if isinstance(handle, bool) or not isinstance(handle, (int, np.integer)):
            raise StoreError(f"store {self.name!r}: expected an int handle, got "
                             f"{type(handle).__name__} {handle!r}")
        handle = int(handle)
        if handle < 0:
            return -1
        tag = handle >> _TAG_SHIFT
        if tag != self._tag:
            raise ForeignHandleError(f"store {self.name!r}: expected a handle of this store "
                                     f"(tag {self._tag}), got one with tag {tag} "
                                     f"(handle {handle:#x})")
        slot = handle & _SLOT_MASK
        if slot >= self.capacity or self._gen[slot] != (handle >> _SLOT_BITS) & _GEN_MASK:
            return -1
        return slot

    def row_of(self, handle: int) -> int:
        """The current row of a handle, or -1 when the entity is gone (stale handle).

        Raises:
            ForeignHandleError: the handle belongs to another store.
            StoreError: not an int.
        """
        slot = self._slot_of(handle)
        return -1 if slot < 0 else int(self._row_of_slot[slot])

    def is_alive(self, handle: int) -> bool:
        """True when the handle names a live entity not marked for despawn."""
        row = self.row_of(handle)
        return row >= 0 and not self._dead[row]

    def rows_of(self, handles: np.ndarray, out: np.ndarray) -> None:
        """Resolve many handles at once: ``out[i]`` = row, or -1 for a stale or foreign one.

        Args:
            handles: int64 handles (a view of n items).
            out: int64 array of at least n items, caller-owned.

        Allocation contract: allocates no array data (scratch owned by the store).
        """
        n = handles.shape[0]
        # The scratch holds ``capacity`` items; more handles than that (a damage drain can
        # carry more events than the store has rows) are resolved in chunks of that size.
        step = self._s_bool.shape[0]
        if n > step:
            for lo in range(0, n, step):
                self._rows_of_chunk(handles[lo:lo + step], out[lo:lo + step])
            return
        self._rows_of_chunk(handles, out)

    def _rows_of_chunk(self, handles: np.ndarray, out: np.ndarray) -> None:
        n = handles.shape[0]
        slot = self._s_a[:n]
        gen = self._s_b[:n]
        cur = self._s_c[:n]
        ok = self._s_bool[:n]
        tmp = self._mask2[:n]
        dst = out[:n]
        np.bitwise_and(handles, self._c_slot_mask, out=slot)
        # Right tag?
        np.right_shift(handles, self._c_tag_shift, out=gen)
        np.equal(gen, self._c_tag_value, out=ok)
        # Generation of the handle equals the slot's current generation?
        np.right_shift(handles, self._c_shift, out=gen)
        np.bitwise_and(gen, self._c_gen_mask, out=gen)
        self._gen.take(slot, out=cur, mode="clip")
        np.logical_and(ok, np.equal(cur, gen, out=tmp), out=ok)
        self._row_of_slot.take(slot, out=dst, mode="clip")
        np.copyto(dst, NO_ROW, where=np.logical_not(ok, out=tmp))

    # ------------------------------------------------------------------ spawning
    def spawn(self, **values: Any) -> int:
        """Spawn one entity; columns not given get their default.

        Returns:
            Its handle, or -1 when the store is full under policy REFUSE (counted).

        Raises:
            StoreError: a value names no column.

        Allocation contract: transient only (the handle int and the keyword dict).
        """
        for key in values:
            if key not in self.columns:
                raise StoreError(f"store {self.name!r}.spawn: no column {key!r}; columns are "
                                 f"{', '.join(self.columns)}")
        if self._reserve(1) == 0:
            return -1
        row = self._count
        top = self._free_top - 1
        slot = int(self._free[top])
        self._free_top = top
        reused = 1 if self._used[slot] else 0
        self._used[slot] = True
        handle = (self._tag << _TAG_SHIFT) | (int(self._gen[slot]) << _SLOT_BITS) | slot
        self._row_of_slot[slot] = row
        self.handles[row] = handle
        self._dead[row] = False
        for key, (_, _, default) in self._specs.items():
            self.columns[key][row] = values.get(key, default)
        self._count = row + 1
        self.stats._acquired(1, reused)
        return handle

    def spawn_batch(self, n: int) -> tuple[int, int]:
        """Spawn up to n entities at once, with default column values.

        The caller fills ``columns[name][start:start + got]`` afterwards.

        Returns:
            ``(start, got)``: the new rows are ``[start, start + got)``; ``got < n`` when the
            store was full under policy REFUSE (the shortfall is counted as refusals).

        Allocation contract: allocates no array data after warm-up.
        """
        if n <= 0:
            return self._count, 0
        got = self._reserve(n)
        start = self._count
        if got == 0:
            return start, 0
        top = self._free_top
        slots = self._free[top - got:top]
        self._free_top = top - got
        used = self._s_bool[:got]
        self._used.take(slots, out=used, mode="clip")
        reused = int(np.count_nonzero(used))
        self._used[slots] = True
        rows = self._iota[start:start + got]
        np.put(self._row_of_slot, slots, rows, mode="clip")
        h = self.handles[start:start + got]
        self._gen.take(slots, out=h, mode="clip")
        np.left_shift(h, self._c_shift, out=h)
        np.bitwise_or(h, slots, out=h)
        np.bitwise_or(h, self._c_tag, out=h)
        self._dead[start:start + got] = False
        for key, (_, _, default) in self._specs.items():
            self.columns[key][start:start + got] = default
        self._count = start + got
        self.stats._acquired(got, reused)
        return start, got

    # ------------------------------------------------------------------ despawning
    def despawn(self, handle: int) -> bool:
        """Mark an entity for removal at the next ``flush()``.

        Returns:
            True when marked now; False when the handle is stale or already marked.

        Raises:
            ForeignHandleError: the handle belongs to another store.
        """
        row = self.row_of(handle)
        if row < 0:
            self.stale_despawns += 1
            return False
        return self.kill_row(row)

    def kill_row(self, row: int) -> bool:
        """Mark a live row for removal at the next ``flush()`` (False if already marked).

        Raises:
            StoreError: row outside ``[0, count)``.
        """
        if not 0 <= row < self._count:
            raise StoreError(f"store {self.name!r}: expected a row in [0, {self._count}), "
                             f"got {row}")
        if self._dead[row]:
            return False
        self._dead[row] = True
        self.pending += 1
        return True

    def kill_rows(self, mask: np.ndarray) -> int:
        """Mark every live row where ``mask`` is true (mask covers ``[0, count)``).

        Returns:
            How many rows were newly marked.

        Allocation contract: allocates no array data.
        """
        n = self._count
        if mask.shape[0] != n:
            raise StoreError(f"store {self.name!r}.kill_rows: expected a mask of {n} rows, "
                             f"got {mask.shape[0]}")
        dead = self._dead[:n]
        before = self.pending
        np.logical_or(dead, mask, out=dead)
        self.pending = int(np.count_nonzero(dead))
        return self.pending - before

    def is_marked(self, row: int) -> bool:
        """True when the row waits for removal."""
        return bool(self._dead[row])

    @property
    def marked(self) -> np.ndarray:
        """Per-row despawn marks (bool, full capacity; read ``[:count]``)."""
        return self._dead

    def _compact(self, mask: np.ndarray, values: np.ndarray, out: np.ndarray) -> int:
        """Write ``values[mask]`` to ``out[:k]`` without allocating; return k."""
        n = mask.shape[0]
        pos = self._s_c[:n]
        np.copyto(pos, mask, casting="unsafe")
        np.add.accumulate(pos, out=pos)
        k = int(pos[n - 1]) if n else 0
        np.subtract(pos, self._c_one, out=pos)
        dump = out.shape[0] - 1
        np.copyto(pos, dump, where=np.logical_not(mask, out=self._mask2[:n]))
        np.put(out, pos, values, mode="clip")
        return k

    def flush(self) -> int:
        """Remove every marked row: swap-remove in one vectorised pass.

        Handles of removed entities go stale; their slots return to the free list.

        Returns:
            The number of entities removed.

        Allocation contract: allocates no array data after warm-up.
        """
        k = self.pending
        if k == 0:
            return 0
        n = self._count
        new_n = n - k
        dead = self._dead[:n]
        # Slots of the dead: generation bump, sparse map cleared, back on the free stack.
        dead_rows = self._s_a
        self._compact(dead, self._iota[:n], dead_rows)
        slots = self._s_b[:k]
        self.handles.take(dead_rows[:k], out=slots, mode="clip")
        np.bitwise_and(slots, self._c_slot_mask, out=slots)
        gen = self._s_c[:k]
        self._gen.take(slots, out=gen, mode="clip")
        np.add(gen, self._c_one, out=gen)
        np.bitwise_and(gen, self._c_gen_mask, out=gen)
        np.put(self._gen, slots, gen, mode="clip")
        np.put(self._row_of_slot, slots, NO_ROW, mode="clip")
        top = self._free_top
        self._free[top:top + k] = slots
        self._free_top = top + k
        # Holes below new_n are filled by the live rows at or above new_n, in order.
        holes = self._s_a
        n_holes = self._compact(dead[:new_n], self._iota[:new_n], holes)
        if n_holes:
            movers = self._s_b
            alive_tail = np.logical_not(dead[new_n:n], out=self._s_bool[:k])
            self._compact(alive_tail, self._iota[new_n:n], movers)
            hole_rows = holes[:n_holes]
            mover_rows = movers[:n_holes]
            for key, view in self._rows_view.items():
                buf = self._scratch_rows[key][:n_holes]
                view.take(mover_rows, out=buf, mode="clip")
                np.put(view, hole_rows, buf, mode="clip")
            moved_slots = self._s_c[:n_holes]
            self.handles.take(hole_rows, out=moved_slots, mode="clip")
            np.bitwise_and(moved_slots, self._c_slot_mask, out=moved_slots)
            np.put(self._row_of_slot, moved_slots, hole_rows, mode="clip")
        dead[:] = False
        self._count = new_n
        self.pending = 0
        self.stats._released(k)
        return k

    def clear(self) -> int:
        """Despawn every entity now (marks all rows and flushes). Returns how many."""
        n = self._count
        if n:
            self._dead[:n] = True
            self.pending = n
        return self.flush()

    def __repr__(self) -> str:
        return (f"EntityStore({self.name!r}, count={self._count}/{self.capacity}, "
                f"columns={list(self.columns)})")

