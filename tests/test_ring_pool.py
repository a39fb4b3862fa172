"""RingBuffer (FIFO, overflow policies, drain into caller views) and ObjectPool/PoolStats."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import (
    ExhaustionPolicy,
    ObjectPool,
    OverflowPolicy,
    PoolError,
    RingBuffer,
    RingError,
)
from engine.profiler.steady_state import measure_steady_state

DAMAGE = {"target": np.int64, "amount": np.float32, "source": np.int16, "kind": np.uint8}

ring_ops = st.lists(
    st.one_of(
        st.tuples(st.just("push"), st.integers(0, 0)),
        st.tuples(st.just("batch"), st.integers(0, 12)),
        st.tuples(st.just("drain"), st.integers(0, 12)),
        st.tuples(st.just("clear"), st.integers(0, 0)),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=ring_ops, policy=st.sampled_from(list(OverflowPolicy)), cap=st.integers(1, 9))
def test_ring_is_fifo_and_counts_every_overflow(ops, policy, cap):
    ring = RingBuffer("damage", cap, DAMAGE, policy=policy)
    model: deque[int] = deque()
    lost = 0
    serial = 0
    high = 0
    out = {k: np.zeros(16, dt) for k, dt in DAMAGE.items()}

    def model_push(values: list[int]) -> None:
        nonlocal lost
        for v in values:
            if len(model) < cap:
                model.append(v)
            elif policy is OverflowPolicy.DROP_NEWEST:
                lost += 1
            else:
                model.popleft()
                model.append(v)
                lost += 1

    for op, arg in ops:
        if op == "push":
            accepted = ring.push(serial, 1.5, 3, 1)
            expect = len(model) < cap or policy is OverflowPolicy.OVERWRITE_OLDEST
            assert accepted is expect
            model_push([serial])
            serial += 1
        elif op == "batch":
            values = np.arange(serial, serial + arg, dtype=np.int64)
            ring.push_batch(arg, values, np.full(arg, 2.0, np.float32),
                            np.zeros(arg, np.int16), np.zeros(arg, np.uint8))
            model_push(list(range(serial, serial + arg)))
            serial += arg
        elif op == "clear":
            ring.clear()
            model.clear()
        else:
            n = ring.drain(out, max_n=arg)
            expect = [model.popleft() for _ in range(min(arg, len(model)))]
            assert n == len(expect)
            assert out["target"][:n].tolist() == expect
        high = max(high, len(model))
        assert len(ring) == ring.size == len(model)
        assert ring.overflows == lost
        assert ring.high_water == high
    if policy is OverflowPolicy.DROP_NEWEST and "clear" not in [op for op, _ in ops]:
        assert ring.pushed - ring.drained == len(ring)
    else:
        assert ring.pushed - ring.drained >= len(ring)


def test_ring_drain_limited_by_out_size_and_wraps():
    ring = RingBuffer("r", 4, {"v": np.int32})
    for i in range(3):
        ring.push(i)
    small = {"v": np.zeros(2, np.int32)}
    assert ring.drain(small) == 2 and small["v"].tolist() == [0, 1]
    for i in range(3, 6):
        ring.push(i)
    out = {"v": np.zeros(8, np.int32)}
    assert ring.drain(out) == 4 and out["v"][:4].tolist() == [2, 3, 4, 5]
    assert ring.high_water == 4


def test_ring_bad_input():
    with pytest.raises(PoolError, match="expected a positive int, got 0"):
        RingBuffer("r", 0, DAMAGE)
    with pytest.raises(RingError, match="expected at least one column"):
        RingBuffer("r", 4, {})
    with pytest.raises(RingError, match="expected one of 'drop_newest', 'overwrite_oldest'"):
        RingBuffer("r", 4, DAMAGE, policy="explode")
    ring = RingBuffer("r", 4, DAMAGE)
    with pytest.raises(RingError, match=r"expected 4 values \(target, amount, source, kind\), "
                                        r"got 2"):
        ring.push(1, 2.0)
    with pytest.raises(RingError, match="expected an out array for column 'kind'"):
        ring.push(1, 2.0, 0, 0)
        ring.drain({k: np.zeros(4, dt) for k, dt in DAMAGE.items() if k != "kind"})
    with pytest.raises(RingError, match="expected arrays of at least 5 items, got 2"):
        ring.push_batch(5, *(np.zeros(2, dt) for dt in DAMAGE.values()))


def _ring_tick(ring: RingBuffer, n: int):
    src = [np.arange(n).astype(dt) for dt in DAMAGE.values()]
    out = {k: np.zeros(n, dt) for k, dt in DAMAGE.items()}

    def tick() -> None:
        ring.push_batch(n, *src)
        ring.push(1, 2.0, 3, 4)
        ring.drain(out)
    return tick


def test_ring_push_drain_allocates_nothing_in_steady_state():
    ring = RingBuffer("damage", 4096, DAMAGE)
    report = measure_steady_state(_ring_tick(ring, 3000))
    assert report.ok, str(report)


def test_ring_check_catches_planted_temporary():
    ring = RingBuffer("damage", 4096, DAMAGE)
    tick = _ring_tick(ring, 3000)
    amounts = ring.columns["amount"]

    def planted() -> None:
        tick()
        amounts.astype(np.float64)  # a 32 KB temporary each tick

    report = measure_steady_state(planted, warmup=20, window=50)
    assert not report.ok and report.max_transient > 4096


class Boss:
    def __init__(self) -> None:
        self.hp = 100.0


def test_object_pool_stats_reuse_and_refusal():
    pool = ObjectPool("bosses", Boss, 2, reset=lambda b: setattr(b, "hp", 100.0))
    a, b = pool.acquire(), pool.acquire()
    assert a is not None and b is not None and a is not b
    assert pool.acquire() is None and pool.stats.refusals == 1
    a.hp = 3.0
    pool.release(a)
    c = pool.acquire()
    assert c is a and c.hp == 100.0, "released objects are reset and reused first"
    s = pool.stats
    assert (s.acquires, s.reuses, s.releases, s.in_use, s.high_water) == (3, 1, 1, 2, 2)
    assert s.reuse_ratio == pytest.approx(1 / 3)
    assert list(pool.active()) == [a, b]


def test_object_pool_grow_policy_counts_growth():
    pool = ObjectPool("emitters", Boss, 1, policy=ExhaustionPolicy.GROW)
    objs = [pool.acquire() for _ in range(3)]
    assert all(o is not None for o in objs) and len(set(map(id, objs))) == 3
    assert pool.stats.capacity == 4 and pool.stats.growths == 2 and pool.stats.refusals == 0


def test_object_pool_misuse_is_an_error():
    pool = ObjectPool("bosses", Boss, 1)
    obj = pool.acquire()
    assert obj is not None
    with pytest.raises(PoolError, match="not from this pool"):
        pool.release(Boss())
    pool.release(obj)
    with pytest.raises(PoolError, match="released twice"):
        pool.release(obj)
    with pytest.raises(PoolError, match="expected a positive int, got -1"):
        ObjectPool("x", Boss, -1)


def test_object_pool_acquire_release_allocates_nothing():
    pool = ObjectPool("bosses", Boss, 8)

    def tick() -> None:
        obj = pool.acquire()
        assert obj is not None
        pool.release(obj)

    assert measure_steady_state(tick).ok
