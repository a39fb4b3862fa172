"""Counter attributes in int64 cells (engine.data.counters): semantics, slots, reports, and the
point of them: a counter past 256 keeps no Python int alive."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from itertools import repeat

import numpy as np
import pytest

from engine.combat import World, WorldConfig
from engine.combat.stats import CombatStats
from engine.data import (
    Counter,
    CounterCells,
    CounterError,
    CounterValueError,
    ObjectPool,
    PoolStats,
    RingBuffer,
)


class Slotted(CounterCells):
    __slots__ = ("name",)
    hits = Counter()
    kills = Counter()

    def __init__(self, name: str) -> None:
        self.name = name


class Derived(Slotted):
    __slots__ = ()
    misses = Counter()


class Open(CounterCells):
    """No __slots__ of its own: instances have a __dict__ beside the cells."""

    hits = Counter()

    def __init__(self) -> None:
        self.label = "open"


class PlainSlotted:
    """The planted partner: the same counter as a plain int attribute."""

    __slots__ = ("hits",)

    def __init__(self) -> None:
        self.hits = 0


# ---------------------------------------------------------------------------- semantics

def test_read_write_and_augmented_assignment_give_plain_ints():
    s = Slotted("a")
    assert s.hits == 0 and s.kills == 0  # zeroed before __init__ ran
    s.hits += 5
    s.hits += 1000
    s.kills = 7
    s.kills -= 9
    assert (s.hits, s.kills) == (1005, -2)
    assert type(s.hits) is int and type(s.kills) is int
    assert s._cells.dtype == np.int64 and s._cells.tolist() == [1005, -2]
    s.hits = np.int64(3)  # an integer numpy scalar is an int (it has __index__)
    assert s.hits == 3 and type(s.hits) is int
    s.hits = 2**63 - 1
    assert s.hits == 2**63 - 1


def test_each_instance_has_its_own_cells():
    a, b = Slotted("a"), Slotted("b")
    a.hits = 4
    assert b.hits == 0 and a._cells is not b._cells


def test_class_access_gives_the_descriptor_with_its_cell_index():
    assert isinstance(Slotted.hits, Counter)
    assert (Slotted.hits.index, Slotted.kills.index, Derived.misses.index) == (0, 1, 2)
    assert Slotted.counter_names == ("hits", "kills")
    assert Derived.counter_names == ("hits", "kills", "misses")
    assert repr(Slotted.kills) == "Counter('kills', index=1)"
    d = Derived("d")
    d.misses += 2
    d.hits += 1
    assert d.counters() == {"hits": 1, "kills": 0, "misses": 2}


def test_slots_class_keeps_its_slots_and_has_no_dict():
    s = Slotted("a")
    assert not hasattr(s, "__dict__")
    assert "_cells" in CounterCells.__slots__ and "hits" not in Slotted.__slots__
    with pytest.raises(AttributeError):
        s.other = 1  # type: ignore[attr-defined]


def test_class_without_slots_works_too():
    o = Open()
    o.hits += 300
    o.extra = 1  # type: ignore[attr-defined]
    assert o.hits == 300 and o.label == "open" and o.counters() == {"hits": 300}


def test_bad_values_are_refused_with_the_counter_named():
    s = Slotted("a")
    with pytest.raises(CounterError, match=r"Slotted\.hits: expected an int, got float 1\.5"):
        s.hits = 1.5  # type: ignore[assignment]
    with pytest.raises(CounterValueError, match=r"Slotted\.hits: expected an int64 value"):
        s.hits = 2**63
    s.hits = 2**63 - 1
    with pytest.raises(CounterValueError):
        s.hits += 1
    assert s.hits == 2**63 - 1  # the refused write left the cell alone


def test_a_counter_outside_a_counter_cells_class_is_refused():
    # Python 3.11 wraps an error raised by __set_name__ in a RuntimeError; 3.12 does not.
    with pytest.raises((CounterError, RuntimeError)) as info:
        class Loose:  # noqa: F841
            hits = Counter()
    err = info.value if isinstance(info.value, CounterError) else info.value.__cause__
    assert isinstance(err, CounterError) and "derive from CounterCells" in str(err)


def test_a_counter_object_is_bound_to_one_class():
    shared = Counter()

    class First(CounterCells):
        hits = shared

    with pytest.raises(CounterError, match="already bound to cell 0"):
        class Second(CounterCells):  # noqa: F841
            hits = shared


# ---------------------------------------------------------------------------- reports

def test_reports_see_plain_ints_and_serialise_to_json():
    stats = PoolStats("enemies", 512)
    stats._acquired(300, 0)
    stats._acquired(10, 10)
    stats._released(4)
    d = stats.as_dict()
    assert d == {"name": "enemies", "capacity": 512, "in_use": 306, "high_water": 310,
                 "acquires": 310, "reuses": 10, "releases": 4, "refusals": 0, "growths": 0,
                 "reuse_ratio": pytest.approx(10 / 310), "utilisation": pytest.approx(306 / 512)}
    assert all(type(v) is int for k, v in d.items() if k not in ("name", "reuse_ratio",
                                                                  "utilisation"))
    assert json.loads(json.dumps(d))["acquires"] == 310
    assert "in_use=306/512" in repr(stats) and "acquires=310" in repr(stats)

    combat = CombatStats(("grunt", "brute"))
    combat.ticks += 1000
    combat.kills_by_tier[1] = 3
    cd = combat.as_dict()
    assert cd["ticks"] == 1000 and type(cd["ticks"]) is int and cd["kills_by_tier"] == [0, 3]
    assert set(CombatStats.counter_names) <= set(cd)
    assert json.loads(json.dumps(cd))["ticks"] == 1000
    assert "ticks=1000" in repr(combat)


def test_pool_stats_derive_in_use_and_reuses():
    pool = ObjectPool("bosses", object, 2)
    a = pool.acquire()
    b = pool.acquire()
    pool.release(a)
    pool.acquire()
    s = pool.stats
    assert (s.acquires, s.releases, s.in_use, s.reuses, s.first_uses, s.high_water) == \
        (3, 1, 2, 1, 2, 2)
    assert len(pool) == 2
    pool.release(b)
    assert s.in_use == 1 and s.high_water == 2
    # in_use is derived, not stored: a fill level comes from acquires (and releases) only.
    filled = ObjectPool("enemies", object, 10_000)
    for _ in range(6_000):
        filled.acquire()
    fake = filled.stats
    assert fake.in_use == 6_000 and fake.utilisation == 0.6
    assert fake.high_water == 6_000
    with pytest.raises(AttributeError):
        fake.in_use = 5  # type: ignore[misc]


def test_every_world_counter_is_a_cell_or_a_constant():
    """The stress run's scan (int attributes of the world's stats, player, pools, rings,
    systems, boss slots) finds only constants: capacities, a config value, a boss's slot."""
    world = World(WorldConfig(enemy_capacity=64, particle_capacity=64,
                              projectile_capacity=64, ring_capacity=64), seed=1)
    objs: list[tuple[str, object]] = [("stats", world.stats), ("player", world.player)]
    objs += [(f"pool {p.name}", p) for p in world.pools()]
    objs += [(f"ring {r.name}", r) for r in world.rings()]
    objs += [(f"system {name}", fn) for name, fn in world.systems()]
    objs += [(f"boss slot {i}", b) for i, b in enumerate(world.bosses.slots)]
    found = []
    for label, obj in objs:
        names = list(getattr(obj, "__dict__", {}))
        names += [n for cls in type(obj).__mro__ for n in getattr(cls, "__slots__", ())]
        found += [f"{label}.{n}" for n in names if type(getattr(obj, n, None)) is int]
    constants = {"ring damage.capacity", "system separation.neighbours", "system damage._dump"}
    constants |= {f"boss slot {i}.slot" for i in range(len(world.bosses.slots))}
    assert set(found) <= constants, sorted(set(found) - constants)


# ---------------------------------------------------------------------------- allocations

def _retained(step: Callable[[], None], reset: Callable[[], None], n: int = 1000) -> int:
    """Blocks still allocated after ``n`` calls of ``step`` (after a warm-up, then ``reset``),
    less the harness's own.

    ``repeat`` rather than ``range``: a range loop variable would hold its last value (999, a
    heap int) until the function returns.
    """
    def window(fn: Callable[[], None], count: int) -> int:
        gc.collect()
        before = sys.getallocatedblocks()
        for _ in repeat(None, count):
            fn()
        gc.collect()
        return sys.getallocatedblocks() - before

    def nothing() -> None:
        pass

    window(step, 3)  # warm the step and the free lists it uses
    window(nothing, 3)
    reset()
    return window(step, n) - window(nothing, n)


def test_a_cell_counter_past_256_keeps_no_int_alive():
    s = Slotted("a")

    def step() -> None:
        s.hits += 1

    def reset() -> None:
        s.hits = 0

    for _ in range(3):  # the harness's own reading can move by a block; a retained int cannot
        left = _retained(step, reset)
        assert s.hits == 1000
        if left == 0:
            break
    assert left == 0


def test_planted_plain_int_counter_past_256_keeps_one_int_alive():
    """The partner of the test above: the same check fails for a plain int attribute."""
    p = PlainSlotted()

    def step() -> None:
        p.hits += 1

    def reset() -> None:
        p.hits = 0  # frees the heap int of the previous round

    results = []
    for _ in range(3):
        results.append(_retained(step, reset))
        assert p.hits == 1000
    assert 1 in results and 0 not in results, results


def _ring_and_pool_left() -> int:
    ring = RingBuffer("damage", 2048, {"target": np.int64, "amount": np.float32})
    out = {"target": np.zeros(2048, np.int64), "amount": np.zeros(2048, np.float32)}
    pool = ObjectPool("bosses", object, 4)

    def step() -> None:
        ring.push(1, 2.0)
        ring.drain(out)
        pool.release(pool.acquire())

    def reset() -> None:
        pass  # the counts are at 3 after the warm-up: they pass 256 in the window

    left = _retained(step, reset)
    assert ring.pushed == ring.drained == pool.stats.acquires == 1003
    return left


def test_ring_and_pool_counters_past_256_keep_no_int_alive():
    """A damage ring and an object pool taken from 0 past 1000 events: their counters (pushed,
    drained, the head and size; acquires, releases, in use) leave nothing. Before the counters
    moved into cells the same run left 6 blocks (pushed, drained, acquires, reuses, releases,
    and the head/size ints they shared)."""
    left = []
    for _ in range(3):
        left.append(_ring_and_pool_left())
        if left[-1] == 0:
            break
    assert left[-1] == 0, left
