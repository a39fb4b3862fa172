"""EntityStore growth limits: a GROW store stops at its ``max_capacity`` and refuses past it like
a full REFUSE store; a growth whose arrays cannot be allocated (a real MemoryError) raises
StoreGrowthError, is counted, and leaves the store exactly as it was; ``rows_of`` resolves more
handles than the store has rows."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import EntityStore, StoreError
from engine.data.store import DEFAULT_MAX_CAPACITY, MAX_ROWS, StoreGrowthError

COLS = {"pos": ((2,), np.float32), "hp": ((), np.float32, 10.0)}


def test_grow_stops_at_max_capacity_and_refuses_past_it():
    store = EntityStore("e", 2, COLS, policy="grow", max_capacity=6)
    assert store.spawn_batch(5) == (0, 5)
    assert store.capacity == 6 and store.stats.growths == 1 and store.stats.refusals == 0
    assert store.spawn_batch(4) == (5, 1)          # 1 fits, 3 refused
    assert store.spawn() == -1
    assert store.capacity == 6 and store.stats.growths == 1 and store.stats.refusals == 4
    assert store.count == 6


def test_max_capacity_defaults_and_bad_values():
    assert EntityStore("e", 4, COLS, policy="grow").max_capacity == DEFAULT_MAX_CAPACITY
    assert EntityStore("e", 4, COLS).max_capacity == 4
    with pytest.raises(StoreError, match=r"max_capacity: expected an int in \[capacity 4, "):
        EntityStore("e", 4, COLS, policy="grow", max_capacity=3)
    with pytest.raises(StoreError, match=f"got {MAX_ROWS + 1}"):
        EntityStore("e", 4, COLS, policy="grow", max_capacity=MAX_ROWS + 1)
    with pytest.raises(StoreError, match="expected None under policy 'refuse'"):
        EntityStore("e", 4, COLS, max_capacity=8)
    with pytest.raises(StoreError, match="expected an int, got float"):
        EntityStore("e", 4, COLS, policy="grow", max_capacity=8.0)


def snapshot(store: EntityStore) -> dict[str, object]:
    return {
        "capacity": store.capacity, "count": store.count, "pending": store.pending,
        "columns": {k: id(v) for k, v in store.columns.items()},
        "data": {k: v[:store.count].copy() for k, v in store.columns.items()},
        "handles": store.handles[:store.count].copy(), "free_top": store._free_top,
        "free": store._free.copy(), "marked": store.marked.copy(),
        "stats": store.stats.as_dict(),
    }


def test_a_growth_that_cannot_be_allocated_leaves_the_store_as_it_was():
    # A row of 512 KiB: growing to 2**30 rows asks for 512 TiB, which no machine gives
    # (a real MemoryError from numpy, nothing patched).
    cols = {"blob": ((1 << 16,), np.float64), "hp": ((), np.float32, 10.0)}
    store = EntityStore("big", 4, cols, policy="grow", max_capacity=MAX_ROWS)
    hs = [store.spawn(hp=float(i)) for i in range(3)]
    store.despawn(hs[0])                            # a pending mark survives too
    before = snapshot(store)
    with pytest.raises(StoreGrowthError, match=r"store 'big': expected to grow from 4 to "
                                               r"1073741824 rows .* the store is unchanged "
                                               r"\(3 live rows\)") as info:
        store.spawn_batch((1 << 30) - 3)
    assert isinstance(info.value, MemoryError)
    assert store.growth_failures == 1
    after = snapshot(store)
    for key in ("capacity", "count", "pending", "columns", "free_top", "stats"):
        assert after[key] == before[key], key
    for key in ("handles", "free", "marked"):
        np.testing.assert_array_equal(after[key], before[key])
    for k in cols:
        np.testing.assert_array_equal(after["data"][k], before["data"][k])
    # And it still works: spawn, resolve, flush, grow a little.
    h = store.spawn(hp=7.0)
    assert h >= 0 and store.row_of(h) == 3
    assert store.flush() == 1
    assert [store.row_of(x) for x in hs[1:]] != [-1, -1]
    assert store.spawn_batch(3) == (3, 3) and store.capacity == 8
    assert store.stats.growths == 1 and store.growth_failures == 1


def test_rows_of_resolves_more_handles_than_the_store_has_rows():
    store = EntityStore("e", 4, COLS)
    hs = [store.spawn() for _ in range(4)]
    store.despawn(hs[1])
    store.flush()
    many = np.array([hs[i % 4] for i in range(103)], np.int64)
    out = np.full(103, 99, np.int64)
    store.rows_of(many, out)
    expect = [store.row_of(hs[i % 4]) for i in range(103)]
    assert out.tolist() == expect and expect.count(-1) == len(range(1, 103, 4))
