"""EntityStore: dense rows, generational handles, deferred despawn, pool stats, bad input,
and the steady-state allocation contract of spawn/despawn churn."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import EntityStore, ForeignHandleError, PoolError, StoreError
from engine.profiler.steady_state import measure_steady_state

COLS = {"pos": ((2,), np.float32), "hp": ((), np.float32, 10.0), "tier": ((), np.uint8)}


def make(capacity: int = 16, **kw) -> EntityStore:
    return EntityStore("enemies", capacity, COLS, **kw)


def check_invariants(store: EntityStore, model: dict[int, float]) -> None:
    """The store holds exactly the model's entities, each once, with its data."""
    n = store.count
    assert n == len(model)
    handles = store.handles[:n].tolist()
    assert len(set(handles)) == n, "an entity is duplicated"
    assert set(handles) == set(model), "an entity was lost or invented"
    for row, h in enumerate(handles):
        assert store.row_of(h) == row
        assert store.columns["hp"][row] == model[h]
        assert store.columns["pos"][row, 0] == model[h]


ops = st.lists(
    st.one_of(
        st.tuples(st.just("spawn"), st.integers(1, 5)),
        st.tuples(st.just("despawn"), st.integers(0, 10_000)),
        st.tuples(st.just("despawn_stale"), st.integers(0, 10_000)),
        st.tuples(st.just("flush"), st.just(0)),
    ),
    max_size=80,
)


@settings(max_examples=150, deadline=None)
@given(ops=ops, batch=st.booleans())
def test_random_spawn_despawn_matches_reference_model(ops, batch):
    store = make(24)
    model: dict[int, float] = {}   # live handle -> value
    marked: set[int] = set()
    dead: list[int] = []           # handles of flushed entities: must stay stale forever
    next_value = 1.0
    for op, arg in ops:
        if op == "spawn":
            if batch:
                start, got = store.spawn_batch(arg)
                assert got == min(arg, store.capacity - (len(model)))
                for row in range(start, start + got):
                    store.columns["hp"][row] = next_value
                    store.columns["pos"][row] = (next_value, 0)
                    model[int(store.handles[row])] = next_value
                    next_value += 1
            else:
                for _ in range(arg):
                    h = store.spawn(hp=next_value, pos=(next_value, 0))
                    if len(model) >= store.capacity:
                        assert h == -1
                        continue
                    model[h] = next_value
                    next_value += 1
        elif op == "despawn" and model:
            h = sorted(model)[arg % len(model)]
            assert store.despawn(h) is (h not in marked)
            marked.add(h)
        elif op == "despawn_stale" and dead:
            h = dead[arg % len(dead)]
            assert store.despawn(h) is False
            assert store.row_of(h) == -1
        elif op == "flush":
            assert store.flush() == len(marked)
            for h in marked:
                del model[h]
                dead.append(h)
            marked.clear()
        check_invariants(store, model)
        for h in dead:
            assert store.row_of(h) == -1, "a stale handle resolved to a row"
            assert not store.is_alive(h)
    stats = store.stats
    assert stats.in_use == store.count
    assert stats.acquires - stats.releases == store.count
    assert stats.high_water <= store.capacity


def test_marked_rows_stay_until_flush():
    store = make()
    hs = [store.spawn(hp=float(i)) for i in range(5)]
    store.despawn(hs[1])
    assert store.count == 5 and store.is_marked(1) and not store.is_alive(hs[1])
    assert store.row_of(hs[1]) == 1  # still resolvable until the flush point
    store.flush()
    assert store.count == 4 and store.row_of(hs[1]) == -1


def test_kill_rows_and_rows_of_vectorised():
    store = make(8)
    start, got = store.spawn_batch(6)
    store.columns["hp"][:6] = np.arange(6)
    handles = store.handles[:6].copy()
    mask = np.array([0, 1, 0, 1, 1, 0], bool)
    assert store.kill_rows(mask) == 3
    assert store.kill_rows(mask) == 0
    assert store.flush() == 3
    out = np.zeros(6, np.int64)
    store.rows_of(handles, out)
    assert out[1] == out[3] == out[4] == -1
    for i in (0, 2, 5):
        assert store.columns["hp"][out[i]] == i
    # A stale handle stays stale after its slot is reused.
    store.spawn_batch(3)
    store.rows_of(handles, out)
    assert out[1] == out[3] == out[4] == -1


def test_slot_reuse_is_counted_and_lifo():
    store = make(4)
    hs = [store.spawn() for _ in range(4)]
    assert store.stats.reuses == 0
    store.despawn(hs[2])
    store.flush()
    h = store.spawn()
    assert (h & 0xFFFFFFFF) == (hs[2] & 0xFFFFFFFF), "the freed slot is reused first"
    assert h != hs[2], "a new generation makes a new handle"
    assert store.stats.reuses == 1 and store.stats.acquires == 5 and store.stats.releases == 1


def test_refuse_policy_counts_refusals():
    store = make(3)
    assert store.spawn_batch(5) == (0, 3)
    assert store.spawn() == -1
    assert store.stats.refusals == 3 and store.count == 3 and store.stats.growths == 0


def test_grow_policy_doubles_and_keeps_handles():
    store = make(2, policy="grow")
    hs = [store.spawn(hp=float(i)) for i in range(5)]
    assert store.capacity == 8 and store.stats.growths == 2 and store.stats.refusals == 0
    assert all(store.row_of(h) == i for i, h in enumerate(hs))
    assert store.columns["hp"].shape == (8,)
    assert store.columns["hp"][:5].tolist() == [0, 1, 2, 3, 4]


def test_handles_of_another_store_are_refused():
    a, b = make(), make()
    h = a.spawn()
    with pytest.raises(ForeignHandleError, match="expected a handle of this store"):
        b.row_of(h)
    out = np.zeros(1, np.int64)
    b.rows_of(np.array([h], np.int64), out)
    assert out[0] == -1


@pytest.mark.parametrize(
    "args, match",
    [
        ((0, COLS), "expected a positive int, got 0"),
        ((-3, COLS), "expected a positive int, got -3"),
        ((2.5, COLS), "expected a positive int, got float"),
        ((4, {}), "expected at least one column"),
        ((4, {"pos": ((2,), "not-a-dtype")}), "expected a numpy dtype"),
        ((4, {"pos": ((0,), np.float32)}), "per-row shape of positive ints"),
        ((4, {"bad name": ((), np.float32)}), "identifiers"),
        ((4, {"o": ((), object)}), "bool, int or float dtype, got object"),
        ((4, {"pos": np.float32}), r"expected \(shape, dtype\)"),
    ],
)
def test_bad_declarations_name_expected_and_received(args, match):
    with pytest.raises((StoreError, PoolError), match=match):
        EntityStore("x", *args)


def test_bad_use_names_expected_and_received():
    store = make()
    with pytest.raises(PoolError, match="expected one of 'refuse', 'grow', got 'explode'"):
        make(policy="explode")
    with pytest.raises(StoreError, match="no column 'speed'; columns are pos, hp, tier"):
        store.spawn(speed=3)
    assert store.count == 0 and store.stats.in_use == 0
    with pytest.raises(StoreError, match="no column 'speed'"):
        store.column("speed")
    with pytest.raises(StoreError, match=r"expected a row in \[0, 0\), got 3"):
        store.kill_row(3)
    with pytest.raises(StoreError, match="expected an int handle, got str"):
        store.row_of("7")  # type: ignore[arg-type]
    store.spawn_batch(2)
    with pytest.raises(StoreError, match="expected a mask of 2 rows, got 3"):
        store.kill_rows(np.zeros(3, bool))


def _churn(store: EntityStore, masks: list[np.ndarray], phase: list[int], target: int):
    """One tick of churn: top up to target with a batch, kill a rotating 1/7, flush."""
    def tick() -> None:
        n = store.count
        if n < target:
            start, got = store.spawn_batch(target - n)
            store.columns["hp"][start:start + got] = 10.0
        n = store.count
        store.kill_rows(masks[phase[0]][:n])
        phase[0] = (phase[0] + 1) % len(masks)
        store.flush()
    return tick


def _masks(capacity: int) -> list[np.ndarray]:
    rows = np.arange(capacity)
    return [(rows % 7) == p for p in range(7)]


@pytest.mark.parametrize("n", [1_000, 10_000])
def test_churn_allocates_nothing_in_steady_state(n):
    store = make(n + 64)
    tick = _churn(store, _masks(n + 64), [0], n)
    report = measure_steady_state(tick, warmup=100, window=300)
    assert report.ok, str(report)
    assert store.stats.reuses > 0


def test_churn_check_catches_planted_temporary_and_leak():
    """The same harness fails when a temporary array or a retained object is planted."""
    store = make(10_064)
    tick = _churn(store, _masks(10_064), [0], 10_000)
    kept: list[object] = []

    def with_temporary() -> None:
        tick()
        store.columns["pos"][:store.count] * 2.0   # noqa: B018 - the planted temporary

    def with_leak() -> None:
        tick()
        kept.append(store.columns["hp"][:1])      # a retained view object each tick

    report = measure_steady_state(with_temporary, warmup=20, window=50)
    assert not report.ok and report.max_transient > 4096, str(report)
    report = measure_steady_state(with_leak, warmup=20, window=50)
    assert not report.ok and report.blocks_growth > 16, str(report)


def test_single_spawn_despawn_allocates_nothing_in_steady_state():
    store = make(64)
    for _ in range(32):
        store.spawn()

    def tick() -> None:
        h = store.spawn(hp=3.0)
        store.despawn(h)
        store.flush()

    assert measure_steady_state(tick).ok
