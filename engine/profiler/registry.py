"""The watch registry: which pools, rings, scheduler, render and combat stats and counters a
``FrameMeter`` reads each frame (the meter's base class; ``Profiler.watch_*`` calls these)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .protocols import (
    CombatStatsLike,
    PoolStatsLike,
    RenderStatsLike,
    RingLike,
    SchedulerLike,
)
from .watch import (
    CombatWatch,
    CounterWatch,
    PoolWatch,
    RenderWatch,
    RingWatch,
    SchedulerWatch,
)

__all__ = ["WatchRegistry"]


class WatchRegistry:
    """The watches a ``FrameMeter`` (its subclass) samples in every ``end_frame``, by kind.

    Args:
        frame_capacity: frames of history each watch keeps.
    """

    def __init__(self, frame_capacity: int) -> None:
        self.frame_capacity = frame_capacity
        self.pools: list[PoolWatch] = []
        self.rings: list[RingWatch] = []
        self.scheduler: SchedulerWatch | None = None
        self.render: list[RenderWatch] = []
        self.combat: list[CombatWatch] = []
        self.counters: list[CounterWatch] = []
        self._watches: list[PoolWatch | RingWatch | SchedulerWatch | RenderWatch | CombatWatch
                            | CounterWatch] = []
        """Every watch, in the order they are sampled."""

    def watch_pool(self, stats: PoolStatsLike) -> PoolWatch:
        """Watch a ``PoolStats``-shaped object. Raises TypeError if attributes are missing."""
        w = PoolWatch(stats, self.frame_capacity)
        self.pools.append(w)
        self._watches.append(w)
        return w

    def watch_ring(self, ring: RingLike) -> RingWatch:
        """Watch a ``RingBuffer``-shaped object. Raises TypeError if attributes are missing."""
        w = RingWatch(ring, self.frame_capacity)
        self.rings.append(w)
        self._watches.append(w)
        return w

    def watch_scheduler(self, scheduler: SchedulerLike) -> SchedulerWatch:
        """Watch the fixed-step scheduler (one; a second call replaces the first).

        Raises:
            TypeError: attributes are missing.
        """
        w = SchedulerWatch(scheduler, self.frame_capacity)
        if self.scheduler is not None:
            self._watches.remove(self.scheduler)
        self.scheduler = w
        self._watches.append(w)
        return w

    def watch_render(self, stats: RenderStatsLike) -> RenderWatch:
        """Watch the renderer's stats. Raises TypeError if attributes are missing."""
        w = RenderWatch(stats, self.frame_capacity)
        self.render.append(w)
        self._watches.append(w)
        return w

    def watch_combat(self, stats: CombatStatsLike,
                     tier_names: Sequence[str] | None = None) -> CombatWatch:
        """Watch combat stats. Raises TypeError if attributes are missing."""
        w = CombatWatch(stats, self.frame_capacity, tier_names)
        self.combat.append(w)
        self._watches.append(w)
        return w

    def watch_counter(self, name: str, getter: Callable[[], float],
                      group: str = "overview") -> CounterWatch:
        """Sample ``getter()`` every frame into a ring shown in panel ``group``.

        Raises:
            TypeError: getter is not callable.
        """
        w = CounterWatch(name, getter, self.frame_capacity, group)
        self.counters.append(w)
        self._watches.append(w)
        return w
