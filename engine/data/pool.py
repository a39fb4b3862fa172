"""Pools: one stats object for every pool, an explicit exhaustion policy, and an object pool.

Growth policy (stated here, as pyglet does for its allocators): a pool has a fixed capacity made
at construction. When it is full, ``ExhaustionPolicy.REFUSE`` (the default) refuses the acquire
and counts a refusal; ``ExhaustionPolicy.GROW`` doubles the capacity and counts a growth, which
the profiler reports as a reallocation event. Exhaustion never raises and is never silent.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from .counters import Counter, CounterCells

__all__ = ["ExhaustionPolicy", "PoolStats", "ObjectPool", "PoolError"]

T = TypeVar("T")


class PoolError(ValueError):
    """A pool was used against its contract (foreign object, double release, bad argument)."""


class ExhaustionPolicy(str, enum.Enum):
    """What a full pool does on acquire."""

    REFUSE = "refuse"
    """Refuse the acquire and count it in ``PoolStats.refusals`` (the default)."""
    GROW = "grow"
    """Double the capacity and count it in ``PoolStats.growths`` (a reallocation event)."""

    @classmethod
    def parse(cls, value: ExhaustionPolicy | str) -> ExhaustionPolicy:
        """Accept the enum or its string value.

        Raises:
            PoolError: the value names no policy.
        """
        if isinstance(value, cls):
            return value
        try:
            return cls(value)
        except ValueError:
            names = ", ".join(repr(p.value) for p in cls)
            raise PoolError(f"exhaustion policy: expected one of {names}, got {value!r}") from None


class PoolStats(CounterCells):
    """Counters shared by every pool kind (entity stores, object pools).

    The counts are int64 cells (``engine.data.counters``): reading one gives a plain int, and
    a count past 256 keeps no Python int alive. ``in_use`` and ``reuses`` are derived
    (``acquires - releases``, ``acquires - first_uses``), so that an acquire writes one cell
    (two while a slot is used for the first time or the high water rises) and a release one.
    Read by the profiler; updated by the owning pool only.
    """

    __slots__ = ("name",)
    capacity = Counter()
    """Slots available now."""
    high_water = Counter()
    """Largest ``in_use`` seen."""
    acquires = Counter()
    """Successful acquires."""
    first_uses = Counter()
    """Acquires that got a slot never used before (the others are ``reuses``)."""
    releases = Counter()
    """Slots given back."""
    refusals = Counter()
    """Acquires refused because the pool was full (policy REFUSE)."""
    growths = Counter()
    """Capacity doublings (policy GROW): each is a reallocation."""

    def __init__(self, name: str, capacity: int) -> None:
        self.name = name
        self.capacity = capacity

    @property
    def in_use(self) -> int:
        """Slots acquired and not released: ``acquires - releases``."""
        c = self._cv
        return c[_ACQUIRES] - c[_RELEASES]

    @property
    def reuses(self) -> int:
        """Acquires that got a slot used before (released and handed out again)."""
        c = self._cv
        return c[_ACQUIRES] - c[_FIRST_USES]

    def _acquired(self, n: int, reused: int) -> None:
        # Per acquire (a projectile fired, a boss spawned): each cell costs ~20 ns to read or
        # write (a plain attribute ~7 ns), so as few as the counts allow.
        c = self._cv
        acquires = c[_ACQUIRES] + n
        c[_ACQUIRES] = acquires
        if reused != n:
            c[_FIRST_USES] += n - reused
        used = acquires - c[_RELEASES]
        if used > c[_HIGH_WATER]:
            c[_HIGH_WATER] = used

    def _released(self, n: int) -> None:
        self._cv[_RELEASES] += n

    @property
    def reuse_ratio(self) -> float:
        """Fraction of acquires that reused a slot (0.0 before any acquire)."""
        return self.reuses / self.acquires if self.acquires else 0.0

    @property
    def utilisation(self) -> float:
        """``in_use / capacity``."""
        return self.in_use / self.capacity if self.capacity else 0.0

    def as_dict(self) -> dict[str, int | str | float]:
        """A plain snapshot for reports (allocates: not for per-frame use)."""
        out: dict[str, int | str | float] = {
            "name": self.name, "capacity": self.capacity, "in_use": self.in_use,
            "high_water": self.high_water, "acquires": self.acquires, "reuses": self.reuses,
            "releases": self.releases, "refusals": self.refusals, "growths": self.growths}
        out["reuse_ratio"] = self.reuse_ratio
        out["utilisation"] = self.utilisation
        return out

    def __repr__(self) -> str:
        return (f"PoolStats({self.name!r}, in_use={self.in_use}/{self.capacity}, "
                f"high_water={self.high_water}, acquires={self.acquires}, reuses={self.reuses}, "
                f"releases={self.releases}, refusals={self.refusals}, growths={self.growths})")


_ACQUIRES = PoolStats.acquires.index
_FIRST_USES = PoolStats.first_uses.index
_HIGH_WATER = PoolStats.high_water.index
_RELEASES = PoolStats.releases.index


def check_capacity(capacity: object, what: str = "capacity") -> int:
    """Validate a positive integer capacity.

    Raises:
        PoolError: not an int, or <= 0.
    """
    if isinstance(capacity, bool) or not isinstance(capacity, int):
        raise PoolError(f"{what}: expected a positive int, got {type(capacity).__name__} "
                        f"{capacity!r}")
    if capacity <= 0:
        raise PoolError(f"{what}: expected a positive int, got {capacity}")
    return capacity


class ObjectPool(Generic[T]):
    """A pool of preallocated Python objects (bosses, emitters), with the shared PoolStats.

    All objects are made at construction by ``factory()``; ``acquire`` hands out a free one
    (most recently released first, so warm objects are reused), ``release`` takes it back and
    calls ``reset(obj)`` if given.

    Allocation contract: ``acquire`` and ``release`` allocate nothing (under policy GROW the
    growth itself allocates the new objects, and is counted).
    """

    def __init__(self, name: str, factory: Callable[[], T], capacity: int,
                 policy: ExhaustionPolicy | str = ExhaustionPolicy.REFUSE,
                 reset: Callable[[T], None] | None = None) -> None:
        """Make ``capacity`` objects with ``factory``.

        Raises:
            PoolError: capacity not a positive int, or an unknown policy.
        """
        check_capacity(capacity)
        self.name = name
        self.policy = ExhaustionPolicy.parse(policy)
        self.stats = PoolStats(name, capacity)
        self._cv = self.stats._cv
        self._factory = factory
        self._reset = reset
        self._objects: list[T] = []
        self._index: dict[int, int] = {}
        self._active: list[bool] = []
        self._used: list[bool] = []
        self._free: list[int] = []
        self._add(capacity)

    def _add(self, n: int) -> None:
        start = len(self._objects)
        for i in range(start, start + n):
            obj = self._factory()
            self._objects.append(obj)
            self._index[id(obj)] = i
            self._active.append(False)
            self._used.append(False)
        # Free stack: lowest index on top, so the first acquires go in order.
        self._free[:0] = list(range(start + n - 1, start - 1, -1))

    def acquire(self) -> T | None:
        """A free object, or None when the pool is full under policy REFUSE (counted)."""
        if not self._free:
            if self.policy is ExhaustionPolicy.REFUSE:
                self.stats.refusals += 1
                return None
            grow = len(self._objects)
            self._add(grow)
            self.stats.capacity += grow
            self.stats.growths += 1
        i = self._free.pop()
        self._active[i] = True
        # PoolStats._acquired(1, reused), inlined: this runs per acquire.
        c = self._cv
        acquires = c[_ACQUIRES] + 1
        c[_ACQUIRES] = acquires
        if not self._used[i]:
            self._used[i] = True
            c[_FIRST_USES] += 1
        used = acquires - c[_RELEASES]
        if used > c[_HIGH_WATER]:
            c[_HIGH_WATER] = used
        return self._objects[i]

    def release(self, obj: T) -> None:
        """Give an object back.

        Raises:
            PoolError: the object is not from this pool, or is already released.
        """
        i = self._index.get(id(obj), -1)
        if i < 0 or self._objects[i] is not obj:
            raise PoolError(f"pool {self.name!r}: release of an object that is not from this "
                            f"pool ({type(obj).__name__})")
        if not self._active[i]:
            raise PoolError(f"pool {self.name!r}: object {i} released twice")
        self._active[i] = False
        if self._reset is not None:
            self._reset(obj)
        self._free.append(i)
        self._cv[_RELEASES] += 1  # PoolStats._released(1), inlined

    def active(self) -> Iterator[T]:
        """The objects currently acquired, in slot order (a generator: allocates one)."""
        objs = self._objects
        act = self._active
        return (objs[i] for i in range(len(objs)) if act[i])

    def __len__(self) -> int:
        return self.stats.in_use
