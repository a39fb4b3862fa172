"""What the profiler reads from other layers: one ``typing.Protocol`` per watched kind.

The profiler imports no other engine layer, so it names the attributes it reads here, each in
the spelling the engine's own object has (``engine.data.PoolStats``, ``engine.data.RingBuffer``,
``engine.core.Scheduler``, ``engine.render.RenderStats``, ``engine.combat.CombatStats``). Every
member is a read-only property: a plain attribute, a property or a counter descriptor all
satisfy it, and the profiler never writes. mypy checks the engine's own call sites; at run time
``missing`` names the first absent member when a watch is made.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

__all__ = [
    "CombatStatsLike",
    "PoolStatsLike",
    "RenderStatsLike",
    "RingLike",
    "SchedulerLike",
    "WorldLike",
    "missing",
]


class PoolStatsLike(Protocol):
    """A pool's counters (``engine.data.PoolStats``)."""

    @property
    def name(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def in_use(self) -> int: ...
    @property
    def high_water(self) -> int: ...
    @property
    def acquires(self) -> int: ...
    @property
    def reuses(self) -> int: ...
    @property
    def releases(self) -> int: ...
    @property
    def refusals(self) -> int: ...
    @property
    def growths(self) -> int: ...


class RingLike(Protocol):
    """A bounded event ring (``engine.data.RingBuffer``); its size is ``len(ring)``."""

    @property
    def name(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def overflows(self) -> int: ...
    @property
    def pushed(self) -> int: ...
    @property
    def high_water(self) -> int: ...
    def __len__(self) -> int: ...


class SchedulerLike(Protocol):
    """The fixed-step scheduler (``engine.core.Scheduler``)."""

    @property
    def system_names(self) -> Sequence[str]: ...
    @property
    def system_ns(self) -> np.ndarray:
        """int64 ns of each system in the last step."""
    @property
    def system_ns_accum(self) -> np.ndarray:
        """int64 ns of each system summed over all steps (its frame delta is the step time)."""
    @property
    def system_blocks_accum(self) -> np.ndarray:
        """int64 net allocated blocks inside each system summed over all steps."""
    @property
    def layout_version(self) -> int:
        """Changes whenever a system is added or removed."""
    @property
    def step_ns_last(self) -> int: ...
    @property
    def steps_last_frame(self) -> int: ...
    @property
    def steps_total(self) -> int: ...
    @property
    def clamp_count(self) -> int: ...
    @property
    def step_cap_count(self) -> int: ...


class RenderStatsLike(Protocol):
    """The render layer's counters (``engine.render.RenderStats``)."""

    @property
    def draw_calls(self) -> int: ...
    @property
    def instances(self) -> Mapping[str, int]:
        """Batch name -> instances drawn this frame."""
    @property
    def reallocations(self) -> int: ...
    @property
    def gl_live(self) -> int: ...
    @property
    def gl_created(self) -> int: ...
    @property
    def gl_released(self) -> int: ...


class CombatStatsLike(Protocol):
    """The combat counters (``engine.combat.CombatStats``)."""

    @property
    def tier_names(self) -> Sequence[str]: ...
    @property
    def enemies_by_tier(self) -> np.ndarray:
        """int64 live enemies per tier, in ``tier_names`` order."""
    @property
    def kills_by_tier(self) -> np.ndarray:
        """int64 enemies killed per tier since the start."""
    @property
    def damage_events_last_tick(self) -> int: ...
    @property
    def projectiles_live(self) -> int: ...
    @property
    def nonfinite_quarantined(self) -> int:
        """Rows with NaN/inf the quarantine step took out, since the start."""
    @property
    def damage_refused(self) -> int:
        """Damage events refused for a non-finite or negative amount, since the start."""


class WorldLike(Protocol):
    """What ``Profiler.watch_world`` reads from a combat world (``engine.combat.World``)."""

    @property
    def stats(self) -> CombatStatsLike: ...
    def pools(self) -> Sequence[PoolStatsLike]: ...
    def rings(self) -> Sequence[RingLike]: ...


def missing(obj: object, protocol: type) -> str | None:
    """The first member of ``protocol`` that ``obj`` lacks, or None when it has them all."""
    for name, member in vars(protocol).items():
        member_like = isinstance(member, property) or (
            callable(member) and (not name.startswith("_") or name == "__len__"))
        if member_like and not hasattr(obj, name):
            return name
    return None
