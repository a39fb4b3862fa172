"""Read-only watches: the narrow, duck-typed views the profiler keeps of other layers' stats.

The profiler imports no other engine layer. It is handed objects and reads their attributes
once a frame; it never writes them and never calls their methods (a counter's getter is the
one callable it runs, and that is the caller's own function). Attribute names are resolved
once, when the watch is made, so a missing attribute fails there with a ``TypeError`` naming it
and not every frame.

Watched shapes (attributes read):

* pool (``engine.data.PoolStats``): name, capacity, in_use, high_water, acquires, reuses,
  releases, refusals, growths.
* ring (``engine.data.RingBuffer``): name, capacity, ``len(ring)`` (or ``size``), overflows,
  pushed, high_water.
* scheduler (``engine.core.Scheduler``): system_names, system_ns (int64 ns of the last step per
  system), step_ns_last, steps_total, steps_last_frame, clamp_count, step_cap_count; optional
  paused, time_scale.
* render stats: draw_calls; optional instances (a mapping of batch/tier name to count, or a
  sequence), reallocations, and GL objects created/released/live (several spellings accepted,
  see ``RenderWatch``).
* combat stats: all optional: enemies by tier (mapping or sequence), damage events per tick,
  projectiles live, kills (spellings in ``CombatWatch``).
* counter: a name and a zero-argument callable returning a number.

Allocation contract of every ``sample()``: after the first sample of each series (which makes
its history ring), it allocates nothing retained: reads of int attributes and pushes into
preallocated rings. Mapping-valued stats make a new ring the first time a key appears.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from .history import HistoryRing

__all__ = [
    "CombatWatch",
    "CounterWatch",
    "PoolWatch",
    "RenderWatch",
    "RingWatch",
    "SchedulerWatch",
    "SeriesMap",
]


def _need(obj: object, what: str, *names: str) -> None:
    """Raise TypeError naming the first attribute of ``names`` that ``obj`` lacks."""
    for name in names:
        if not hasattr(obj, name):
            raise TypeError(f"a watched {what} needs attribute {name!r}; "
                            f"{type(obj).__name__} has none")


def _first_attr(obj: object, *names: str) -> str | None:
    """The first of ``names`` that ``obj`` has, or None."""
    for name in names:
        if hasattr(obj, name):
            return name
    return None


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

    def sample(self, values: object) -> None:
        """Push one frame's values (a mapping label -> number, or a sequence by index)."""
        total = 0.0
        # type() first: an isinstance check against the Mapping ABC costs ~1 us a frame.
        if type(values) is dict or isinstance(values, Mapping):
            for label, value in values.items():
                self._ring(str(label)).push(value)
                total += value
        elif values is not None:
            labels = self._index_labels
            for i in range(len(values)):  # type: ignore[arg-type]
                if i >= len(labels):
                    labels.append(f"tier {i}")
                value = float(values[i])  # type: ignore[index]
                self._ring(labels[i]).push(value)
                total += value
        self.total.push(total)

    def latest(self) -> dict[str, float]:
        """The newest value per label (allocates; for reports)."""
        return {label: ring.last() for label, ring in self.rings.items()}


class PoolWatch:
    """Per-frame view of one pool's ``PoolStats``.

    Raises:
        TypeError: the stats object lacks one of the pool attributes.
    """

    kind = "pool"

    def __init__(self, stats: object, capacity: int) -> None:
        _need(stats, "pool", "name", "capacity", "in_use", "high_water", "refusals", "growths")
        self.stats: Any = stats
        self.name = str(stats.name)  # type: ignore[attr-defined]
        self.in_use = HistoryRing(capacity, name=self.name)
        self.utilisation = HistoryRing(capacity, name=self.name)
        """in_use / capacity per frame (0..1)."""
        self.refusals = HistoryRing(capacity, name=self.name)
        """Refusals per frame (delta of the counter)."""
        self._last_refusals = int(stats.refusals)  # type: ignore[attr-defined]
        self._last_growths = int(stats.growths)  # type: ignore[attr-defined]
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
        out: dict[str, object] = {"name": self.name}
        for key in ("capacity", "in_use", "high_water", "acquires", "reuses", "releases",
                    "refusals", "growths"):
            value = getattr(s, key, None)
            if value is not None:
                out[key] = int(value)
        cap = out.get("capacity", 0)
        out["utilisation"] = (out.get("in_use", 0) / cap) if cap else 0.0  # type: ignore[operator]
        out["high_water_fraction"] = (out.get("high_water", 0) / cap) if cap else 0.0  # type: ignore[operator]
        return out


class RingWatch:
    """Per-frame view of one ``RingBuffer``: fill fraction and overflows.

    Raises:
        TypeError: the ring lacks one of the ring attributes.
    """

    kind = "ring"

    def __init__(self, ring: object, capacity: int) -> None:
        _need(ring, "ring", "name", "capacity", "overflows")
        if not hasattr(ring, "__len__") and not hasattr(ring, "size"):
            raise TypeError(f"a watched ring needs __len__ or 'size'; "
                            f"{type(ring).__name__} has neither")
        self.ring: Any = ring
        self.name = str(ring.name)  # type: ignore[attr-defined]
        self._has_len = hasattr(ring, "__len__")
        self.fill = HistoryRing(capacity, name=self.name)
        """size / capacity per frame (0..1)."""
        self.overflows = HistoryRing(capacity, name=self.name)
        """Overflows per frame (delta of the counter)."""
        self._last_overflows = int(ring.overflows)  # type: ignore[attr-defined]
        self.overflow_delta = 0

    def sample(self) -> None:
        """Read fill and overflows into the rings. Allocates nothing."""
        r = self.ring
        size = len(r) if self._has_len else r.size
        cap = r.capacity
        self.fill.push(size / cap if cap else 0.0)
        overflows = r.overflows
        self.overflow_delta = overflows - self._last_overflows
        self._last_overflows = overflows
        self.overflows.push(self.overflow_delta)

    def as_dict(self) -> dict[str, object]:
        """The ring's counters now (allocates; for reports)."""
        r = self.ring
        size = len(r) if self._has_len else r.size
        out: dict[str, object] = {"name": self.name, "capacity": int(r.capacity),
                                  "size": int(size), "overflows": int(r.overflows)}
        for key in ("pushed", "high_water"):
            value = getattr(r, key, None)
            if value is not None:
                out[key] = int(value)
        return out


class SchedulerWatch:
    """Per-frame view of the fixed-step scheduler: per-system times, steps, clamps, caps.

    The per-system ring holds each system's time in the *last step* (``system_ns``), which is
    smooth to plot; the frame's step time is exact when the scheduler keeps
    ``system_ns_accum`` (the delta of its sum over the frame), else estimated as
    ``steps_last_frame * step_ns_last``.

    Raises:
        TypeError: the scheduler lacks one of the scheduler attributes.
    """

    kind = "scheduler"

    def __init__(self, scheduler: object, capacity: int) -> None:
        _need(scheduler, "scheduler", "system_names", "system_ns", "step_ns_last",
              "steps_last_frame", "clamp_count", "step_cap_count")
        self.scheduler: Any = scheduler
        self.capacity = capacity
        self._has_accum = hasattr(scheduler, "system_ns_accum")
        self.system_names: list[str] = []
        self.systems = HistoryRing(capacity, width=1, name="systems")
        """Last-step time per system in ns, one column per name in ``system_names``."""
        self._accum_sum = 0
        self._layout = -1
        self._sync_systems()
        self.steps = HistoryRing(capacity, name="steps")
        """Steps run per frame."""
        self._last_clamps = int(scheduler.clamp_count)  # type: ignore[attr-defined]
        self._last_caps = int(scheduler.step_cap_count)  # type: ignore[attr-defined]
        self.clamp_delta = 0
        self.cap_delta = 0
        self.step_ns_frame = 0
        """Step time this frame, ns (see the class docstring)."""

    def _layout_changed(self) -> bool:
        s = self.scheduler
        layout = getattr(s, "layout_version", None)
        if layout is not None:
            return bool(layout != self._layout)
        return len(s.system_ns) != len(self.system_names)

    def _sync_systems(self) -> None:
        """Remake the per-system ring when the systems changed (allocates; rare)."""
        s = self.scheduler
        self.system_names = [str(n) for n in s.system_names]
        self.systems = HistoryRing(self.capacity, width=max(1, len(self.system_names)),
                                   name="systems")
        self._layout = getattr(s, "layout_version", -1)
        self._accum_sum = int(s.system_ns_accum.sum()) if self._has_accum else 0

    def sample(self) -> None:
        """Read the scheduler's per-frame numbers. Allocates nothing retained unless the
        systems changed (then the per-system ring is remade)."""
        s = self.scheduler
        if self._layout_changed():
            self._sync_systems()
        system_ns = s.system_ns
        if len(system_ns):
            self.systems.push_row(system_ns)
        steps = s.steps_last_frame
        self.steps.push(steps)
        if self._has_accum:
            total = int(s.system_ns_accum.sum())
            # A smaller sum means the scheduler's counters were reset this frame.
            self.step_ns_frame = total - self._accum_sum if total >= self._accum_sum else total
            self._accum_sum = total
        else:
            self.step_ns_frame = steps * s.step_ns_last
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
            "steps_total": int(getattr(s, "steps_total", 0)),
            "clamp_count": int(s.clamp_count),
            "step_cap_count": int(s.step_cap_count),
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
    """Per-frame view of the renderer's stats.

    Accepted spellings (first found wins): draw calls ``draw_calls``; instances per batch
    ``instances`` / ``instances_by_batch`` / ``instances_by_tier``; reallocations
    ``reallocations`` / ``buffer_growths``; GL objects ``gl_live`` / ``live`` /
    ``objects_live``, ``gl_created`` / ``created`` / ``objects_created``, ``gl_released`` /
    ``released`` / ``objects_released``.

    Raises:
        TypeError: the stats object has no ``draw_calls``.
    """

    kind = "render"

    def __init__(self, stats: object, capacity: int) -> None:
        _need(stats, "render stats", "draw_calls")
        self.stats: Any = stats
        self._instances = _first_attr(stats, "instances", "instances_by_batch",
                                      "instances_by_tier")
        self._reallocs = _first_attr(stats, "reallocations", "buffer_growths")
        self._live = _first_attr(stats, "gl_live", "live", "objects_live")
        self._created = _first_attr(stats, "gl_created", "created", "objects_created")
        self._released = _first_attr(stats, "gl_released", "released", "objects_released")
        self.draw_calls = HistoryRing(capacity, name="draw calls")
        self.instances = SeriesMap(capacity)
        self.gl_live = HistoryRing(capacity, name="GL objects live")
        self.reallocation_delta = 0
        self._last_reallocs = self._read_int(self._reallocs)

    def _read_int(self, name: str | None) -> int:
        if name is None:
            return 0
        value = getattr(self.stats, name)
        if type(value) is int:
            return value
        if isinstance(value, Mapping):
            # Per-kind counts (e.g. arcade's ContextStats): the profiler plots their sum.
            return int(sum(value.values()))
        return int(value)

    def sample(self) -> None:
        """Read draw calls, instances, GL objects and reallocations. Allocates nothing
        retained after every batch name has been seen once."""
        s = self.stats
        self.draw_calls.push(s.draw_calls)
        if self._instances is not None:
            self.instances.sample(getattr(s, self._instances))
        if self._live is not None:
            self.gl_live.push(self._read_int(self._live))
        if self._reallocs is not None:
            reallocs = self._read_int(self._reallocs)
            self.reallocation_delta = reallocs - self._last_reallocs
            self._last_reallocs = reallocs

    def as_dict(self) -> dict[str, object]:
        """The renderer's counters now (allocates; for reports)."""
        out: dict[str, object] = {"draw_calls": int(self.stats.draw_calls)}
        for key, name in (("reallocations", self._reallocs), ("gl_live", self._live),
                          ("gl_created", self._created), ("gl_released", self._released)):
            if name is not None:
                out[key] = self._read_int(name)
        if self._instances is not None:
            out["instances"] = self.instances.latest()
        return out


class CombatWatch:
    """Per-frame view of the combat stats (every attribute optional).

    Accepted spellings (first found wins): enemies by tier ``enemies_by_tier`` /
    ``alive_by_tier`` / ``tiers`` (mapping, or sequence/array with labels from ``tier_names``);
    damage events per tick ``damage_events_tick`` / ``damage_events_last_tick`` /
    ``damage_events``; projectiles ``projectiles_live`` / ``projectiles``; kills ``kills`` /
    ``kills_total`` / ``kills_by_tier`` (summed). ``engine.combat.CombatStats`` matches.

    Args:
        stats: the combat stats object.
        capacity: frames of history.
        tier_names: labels of the tiers when enemies by tier is a sequence (default: the
            object's ``tier_names``, else "tier 0", "tier 1", ...).

    Raises:
        TypeError: the object has none of these attributes.
    """

    kind = "combat"

    def __init__(self, stats: object, capacity: int,
                 tier_names: tuple[str, ...] | list[str] | None = None) -> None:
        self.stats: Any = stats
        self._tiers = _first_attr(stats, "enemies_by_tier", "alive_by_tier", "tiers")
        self._damage = _first_attr(stats, "damage_events_tick", "damage_events_last_tick",
                                   "damage_events")
        self._projectiles = _first_attr(stats, "projectiles_live", "projectiles")
        self._kills = _first_attr(stats, "kills", "kills_total", "kills_by_tier")
        if not (self._tiers or self._damage or self._projectiles or self._kills):
            raise TypeError(f"a watched combat stats object needs one of enemies_by_tier, "
                            f"damage_events_tick, projectiles_live, kills; "
                            f"{type(stats).__name__} has none")
        names = tier_names if tier_names is not None else getattr(stats, "tier_names", ())
        self.enemies = SeriesMap(capacity, tuple(str(n) for n in names))
        self.damage_events = HistoryRing(capacity, name="damage events / tick")
        self.projectiles = HistoryRing(capacity, name="projectiles")
        self.kills = HistoryRing(capacity, name="kills / frame")
        # An int64 cell, not an int attribute: a total summed from an array is a new int each
        # frame, and kept as an attribute it would leave the small-int cache once kills pass
        # 256 (a block the meter's own leak signal would count).
        self._last_kills = np.zeros(1, dtype=np.int64)
        self._last_kills[0] = self._read_kills()

    def _read_kills(self) -> int:
        if self._kills is None:
            return 0
        value = getattr(self.stats, self._kills)
        if type(value) is int:
            return value
        if hasattr(value, "sum"):
            return int(value.sum())
        return int(value)

    def sample(self) -> None:
        """Read the combat numbers into rings. Allocates nothing retained after warm-up."""
        s = self.stats
        if self._tiers is not None:
            self.enemies.sample(getattr(s, self._tiers))
        if self._damage is not None:
            self.damage_events.push(getattr(s, self._damage))
        if self._projectiles is not None:
            self.projectiles.push(getattr(s, self._projectiles))
        if self._kills is not None:
            kills = self._read_kills()
            last = self._last_kills
            self.kills.push(kills - last[0])
            last[0] = kills

    @property
    def enemies_total(self) -> float:
        return self.enemies.total.last()

    def as_dict(self) -> dict[str, object]:
        """The combat numbers now (allocates; for reports)."""
        out: dict[str, object] = {}
        if self._tiers is not None:
            out["enemies_by_tier"] = self.enemies.latest()
            out["enemies_total"] = self.enemies_total
        if self._damage is not None:
            out["damage_events_tick"] = self.damage_events.last()
        if self._projectiles is not None:
            out["projectiles_live"] = self.projectiles.last()
        if self._kills is not None:
            out["kills"] = self._read_kills()
        return out


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

    kind = "counter"

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

