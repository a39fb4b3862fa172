"""Read-only watches: the profiler's per-frame views of other layers' stats.

The profiler imports no other engine layer. It is handed objects shaped like the protocols of
``protocols.py`` (one per kind: pool stats, ring, scheduler, render stats, combat stats), and
reads their attributes once a frame; it never writes them and never calls their methods (a
counter's getter is the one callable it runs, and that is the caller's own function). Each
value has one spelling, the engine object's own; a watch checks them all when it is made, so a
missing attribute fails there with a ``TypeError`` naming it, not every frame.

Allocation contract of every ``sample()``: after the first sample of each series (which makes
its history ring), it allocates nothing retained: reads of int attributes and pushes into
preallocated rings. Mapping-valued stats make a new ring the first time a key appears.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .history import HistoryRing
from .protocols import (
    CombatStatsLike,
    PoolStatsLike,
    RenderStatsLike,
    RingLike,
    SchedulerLike,
    missing,
)

__all__ = [
    "CombatWatch",
    "CounterWatch",
    "PoolWatch",
    "RenderWatch",
    "RingWatch",
    "SchedulerWatch",
    "SeriesMap",
]


def _need(obj: object, what: str, protocol: type) -> None:
    """Raise TypeError naming the first member of ``protocol`` that ``obj`` lacks."""
    name = missing(obj, protocol)
    if name is not None:
        raise TypeError(f"a watched {what} needs attribute {name!r} "
                        f"({protocol.__name__}); {type(obj).__name__} has none")


class SeriesMap:
    """Rings keyed by label, made on first sight of a label (tiers, batches).

    Allocation contract of ``sample``: a new ring the first time a label appears; nothing
    retained afterwards (for a mapping, iterating its items makes transient tuples).
    """

    def __init__(self, capacity: int, labels: tuple[str, ...] = ()) -> None:
        self.capacity = capacity
        self.rings: dict[str, HistoryRing] = {}
        self._index_labels: list[str] = list(labels)
        self.total = HistoryRing(capacity, name="total")

    def _ring(self, label: str) -> HistoryRing:
        ring = self.rings.get(label)
        if ring is None:
            ring = HistoryRing(self.capacity, name=label)
            self.rings[label] = ring
        return ring

    def sample(self, values: Mapping[str, int] | np.ndarray) -> None:
        """Push one frame's values: a mapping label -> number (render instances per batch),
        or an array by index (combat enemies per tier, labelled by ``labels``)."""
        total = 0
        if isinstance(values, np.ndarray):
            labels = self._index_labels
            # tolist(): one transient list of ints, ~3x cheaper than indexing the array.
            for i, value in enumerate(values.tolist()):
                if i >= len(labels):
                    labels.append(f"tier {i}")
                self._ring(labels[i]).push(value)
                total += value
        else:
            for label, value in values.items():
                self._ring(label).push(value)
                total += value
        self.total.push(total)

    def latest(self) -> dict[str, float]:
        """The newest value per label (allocates; for reports)."""
        return {label: ring.last() for label, ring in self.rings.items()}


class PoolWatch:
    """Per-frame view of one pool's stats (``PoolStatsLike``).

    Raises:
        TypeError: the stats object lacks one of the ``PoolStatsLike`` attributes.
    """


    def __init__(self, stats: PoolStatsLike, capacity: int) -> None:
        _need(stats, "pool", PoolStatsLike)
        self.stats = stats
        self.name = str(stats.name)
        self.in_use = HistoryRing(capacity, name=self.name)
        self.utilisation = HistoryRing(capacity, name=self.name)
        """in_use / capacity per frame (0..1)."""
        self.refusals = HistoryRing(capacity, name=self.name)
        """Refusals per frame (delta of the counter)."""
        self._last_refusals = int(stats.refusals)
        self._last_growths = int(stats.growths)
        self.refusal_delta = 0
        self.growth_delta = 0

    def sample(self) -> None:
        """Read the stats into the rings and compute this frame's deltas. Allocates nothing."""
        s = self.stats
        cap = s.capacity
        used = s.in_use
        self.in_use.push(used)
        self.utilisation.push(used / cap if cap else 0.0)
        refusals = s.refusals
        self.refusal_delta = refusals - self._last_refusals
        self._last_refusals = refusals
        self.refusals.push(self.refusal_delta)
        growths = s.growths
        self.growth_delta = growths - self._last_growths
        self._last_growths = growths

    def as_dict(self) -> dict[str, object]:
        """The pool's counters now (allocates; for reports)."""
        s = self.stats
        counts = {key: int(getattr(s, key)) for key in (
            "capacity", "in_use", "high_water", "acquires", "reuses", "releases", "refusals",
            "growths")}
        cap = counts["capacity"]
        return {"name": self.name, **counts,
                "utilisation": counts["in_use"] / cap if cap else 0.0,
                "high_water_fraction": counts["high_water"] / cap if cap else 0.0}


class RingWatch:
    """Per-frame view of one ring (``RingLike``): fill fraction and overflows.

    Raises:
        TypeError: the ring lacks one of the ``RingLike`` attributes.
    """


    def __init__(self, ring: RingLike, capacity: int) -> None:
        _need(ring, "ring", RingLike)
        self.ring = ring
        self.name = str(ring.name)
        self.fill = HistoryRing(capacity, name=self.name)
        """len(ring) / capacity per frame (0..1)."""
        self.overflows = HistoryRing(capacity, name=self.name)
        """Overflows per frame (delta of the counter)."""
        self._last_overflows = int(ring.overflows)
        self.overflow_delta = 0

    def sample(self) -> None:
        """Read fill and overflows into the rings. Allocates nothing."""
        r = self.ring
        cap = r.capacity
        self.fill.push(len(r) / cap if cap else 0.0)
        overflows = r.overflows
        self.overflow_delta = overflows - self._last_overflows
        self._last_overflows = overflows
        self.overflows.push(self.overflow_delta)

    def as_dict(self) -> dict[str, object]:
        """The ring's counters now (allocates; for reports)."""
        r = self.ring
        return {"name": self.name, "capacity": int(r.capacity), "size": len(r),
                "overflows": int(r.overflows), "pushed": int(r.pushed),
                "high_water": int(r.high_water)}


class SchedulerWatch:
    """Per-frame view of the fixed-step scheduler (``SchedulerLike``): per-system times,
    steps, clamps, caps.

    The per-system ring holds each system's time in the *last step* (``system_ns``), which is
    smooth to plot; the frame's step time ``step_ns_frame`` is the frame's delta of the sum of
    ``system_ns_accum``. ``blocks_frame`` is each system's net allocated blocks this frame
    (its ``system_blocks_accum`` delta), ``blocks_since_mark`` since the warm-up mark: who
    retained what, by name.

    Raises:
        TypeError: the scheduler lacks one of the ``SchedulerLike`` attributes.
    """


    def __init__(self, scheduler: SchedulerLike, capacity: int) -> None:
        _need(scheduler, "scheduler", SchedulerLike)
        self.scheduler = scheduler
        self.capacity = capacity
        self.system_names: list[str] = []
        self.systems = HistoryRing(capacity, width=1, name="systems")
        """Last-step time per system in ns, one column per name in ``system_names``."""
        self._accum_sum = 0
        self._layout = -1
        self._sync_systems()
        self.steps = HistoryRing(capacity, name="steps")
        """Steps run per frame."""
        self._last_clamps = int(scheduler.clamp_count)
        self._last_caps = int(scheduler.step_cap_count)
        self.clamp_delta = 0
        self.cap_delta = 0
        self.step_ns_frame = 0
        """Step time this frame, ns (see the class docstring)."""

    def _sync_systems(self) -> None:
        """Remake the per-system ring when the systems changed (allocates; rare)."""
        s = self.scheduler
        self.system_names = [str(n) for n in s.system_names]
        self.systems = HistoryRing(self.capacity, width=max(1, len(self.system_names)),
                                   name="systems")
        self._layout = s.layout_version
        self._accum_sum = int(s.system_ns_accum.sum())
        acc = s.system_blocks_accum
        self._blocks_prev = acc.copy()
        self._blocks_mark = acc.copy()
        self.blocks_frame = np.zeros(len(acc), dtype=np.int64)
        """Net allocated blocks inside each system this frame (``system_names`` order)."""
        self._ns_prev = s.system_ns_accum.copy()
        self.ns_frame = np.zeros(len(acc), dtype=np.int64)
        """Each system's ns summed over this frame's steps (``system_names`` order)."""

    def mark(self) -> None:
        """Start ``blocks_since_mark`` now (the warm-up mark). Allocates nothing."""
        np.copyto(self._blocks_mark, self.scheduler.system_blocks_accum)

    def blocks_since_mark(self) -> dict[str, int]:
        """Net allocated blocks inside each system since the mark, nonzero ones, largest
        first (allocates; for the dashboard and reports)."""
        if self.scheduler.layout_version != self._layout:
            # Systems were added or removed since the last sample (e.g. mid-frame, before the
            # dashboard draws): re-sync first, or the arrays differ in length. The mark then
            # restarts at the new layout.
            self._sync_systems()
        d = self.scheduler.system_blocks_accum - self._blocks_mark
        order = np.argsort(-d, kind="stable")
        return {self.system_names[i]: int(d[i]) for i in order.tolist() if d[i]}

    def sample(self) -> None:
        """Read the scheduler's per-frame numbers. Allocates nothing retained unless the
        systems changed (then the per-system ring is remade)."""
        s = self.scheduler
        if s.layout_version != self._layout:
            self._sync_systems()
        system_ns = s.system_ns
        if len(system_ns):
            self.systems.push_row(system_ns)
        self.steps.push(s.steps_last_frame)
        acc = s.system_blocks_accum
        np.subtract(acc, self._blocks_prev, out=self.blocks_frame)
        np.copyto(self._blocks_prev, acc)
        acc = s.system_ns_accum
        if len(acc) == len(self._ns_prev):
            np.subtract(acc, self._ns_prev, out=self.ns_frame)
            np.copyto(self._ns_prev, acc)
        total = int(s.system_ns_accum.sum())
        # A smaller sum means the scheduler's counters were reset this frame.
        self.step_ns_frame = total - self._accum_sum if total >= self._accum_sum else total
        self._accum_sum = total
        clamps = s.clamp_count
        self.clamp_delta = clamps - self._last_clamps
        self._last_clamps = clamps
        caps = s.step_cap_count
        self.cap_delta = caps - self._last_caps
        self._last_caps = caps

    def as_dict(self) -> dict[str, object]:
        """Counters and mean per-system step times over the history (allocates; reports)."""
        s = self.scheduler
        out: dict[str, object] = {
            "steps_total": int(s.steps_total),
            "clamp_count": int(s.clamp_count),
            "step_cap_count": int(s.step_cap_count),
            "system_blocks_since_warmup": self.blocks_since_mark(),
        }
        n = len(self.systems)
        if n and self.system_names:
            rows = self.systems.newest(n)
            means = rows.mean(axis=0) / 1e6
            maxes = rows.max(axis=0) / 1e6
            out["system_ms_mean"] = {name: float(means[i])
                                     for i, name in enumerate(self.system_names)}
            out["system_ms_max"] = {name: float(maxes[i])
                                    for i, name in enumerate(self.system_names)}
        return out


class RenderWatch:
    """Per-frame view of the renderer's stats (``RenderStatsLike``).

    Raises:
        TypeError: the stats object lacks one of the ``RenderStatsLike`` attributes.
    """


    def __init__(self, stats: RenderStatsLike, capacity: int) -> None:
        _need(stats, "render stats", RenderStatsLike)
        self.stats = stats
        self.draw_calls = HistoryRing(capacity, name="draw calls")
        self.instances = SeriesMap(capacity)
        self.gl_live = HistoryRing(capacity, name="GL objects live")
        self.reallocation_delta = 0
        self._last_reallocs = int(stats.reallocations)

    def sample(self) -> None:
        """Read draw calls, instances, GL objects and reallocations. Allocates nothing
        retained after every batch name has been seen once."""
        s = self.stats
        self.draw_calls.push(s.draw_calls)
        self.instances.sample(s.instances)
        self.gl_live.push(s.gl_live)
        reallocs = s.reallocations
        self.reallocation_delta = reallocs - self._last_reallocs
        self._last_reallocs = reallocs

    def as_dict(self) -> dict[str, object]:
        """The renderer's counters now (allocates; for reports)."""
        s = self.stats
        return {"draw_calls": int(s.draw_calls), "reallocations": int(s.reallocations),
                "gl_live": int(s.gl_live), "gl_created": int(s.gl_created),
                "gl_released": int(s.gl_released), "instances": self.instances.latest()}


class CombatWatch:
    """Per-frame view of the combat stats (``CombatStatsLike``): live enemies by tier, damage
    events of the last tick, live projectiles, kills per frame (the delta of the summed
    ``kills_by_tier``).

    Args:
        stats: the combat stats object.
        capacity: frames of history.
        tier_names: labels of the tiers (default: the object's ``tier_names``).

    Raises:
        TypeError: the object lacks one of the ``CombatStatsLike`` attributes.
    """


    def __init__(self, stats: CombatStatsLike, capacity: int,
                 tier_names: Sequence[str] | None = None) -> None:
        _need(stats, "combat stats", CombatStatsLike)
        self.stats = stats
        names = tier_names if tier_names is not None else stats.tier_names
        self.enemies = SeriesMap(capacity, tuple(str(n) for n in names))
        self.damage_events = HistoryRing(capacity, name="damage events / tick")
        self.projectiles = HistoryRing(capacity, name="projectiles")
        self.kills = HistoryRing(capacity, name="kills / frame")
        # An int64 cell, not an int attribute: a total summed from an array is a new int each
        # frame, and kept as an attribute it would leave the small-int cache once kills pass
        # 256 (a block the meter's own leak signal would count).
        self._last_kills = np.zeros(1, dtype=np.int64)
        self._last_kills[0] = sum(stats.kills_by_tier.tolist())

    def sample(self) -> None:
        """Read the combat numbers into rings. Allocates nothing retained after warm-up."""
        s = self.stats
        self.enemies.sample(s.enemies_by_tier)
        self.damage_events.push(s.damage_events_last_tick)
        self.projectiles.push(s.projectiles_live)
        kills = sum(s.kills_by_tier.tolist())
        last = self._last_kills
        self.kills.push(kills - last[0])
        last[0] = kills

    @property
    def enemies_total(self) -> float:
        return self.enemies.total.last()

    def as_dict(self) -> dict[str, object]:
        """The combat numbers now (allocates; for reports)."""
        s = self.stats
        return {"enemies_by_tier": self.enemies.latest(), "enemies_total": self.enemies_total,
                "damage_events_last_tick": int(s.damage_events_last_tick),
                "projectiles_live": int(s.projectiles_live),
                "kills": sum(s.kills_by_tier.tolist()),
                "nonfinite_quarantined": int(s.nonfinite_quarantined),
                "damage_refused": int(s.damage_refused)}


class CounterWatch:
    """A named number read once a frame through the caller's getter, e.g.
    ``lambda: world.store.count``.

    Args:
        name: label.
        getter: zero-argument callable returning an int or float. Its own allocations are the
            caller's; the watch adds none.
        group: dashboard panel to show it in ("overview", "combat", "render", "memory", ...).

    Raises:
        TypeError: getter is not callable.
    """


    def __init__(self, name: str, getter: Callable[[], float], capacity: int,
                 group: str = "overview") -> None:
        if not callable(getter):
            raise TypeError(f"getter for counter {name!r} must be callable, "
                            f"got {type(getter).__name__}")
        self.name = name
        self.getter = getter
        self.group = group
        self.ring = HistoryRing(capacity, name=name)

    def sample(self) -> None:
        """Push ``getter()``. Allocates nothing of its own."""
        self.ring.push(self.getter())

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "group": self.group, "value": self.ring.last()}
