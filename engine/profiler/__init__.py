"""The profiler layer: frame meter (allocation, GC, memory, timing counters), history rings,
spike detection, budgets, GC policy, the ImGui/ImPlot dashboard and run reports.

It observes other layers through read-only watches (``watch.py``) of objects typed by the
protocols of ``protocols.py``, and drives
nothing but the GC policy it is given (and, from the dashboard's buttons, the scheduler's
pause / single step). See docs/PROFILER.md.

``Dashboard`` is imported lazily (``from engine.profiler.dashboard import Dashboard`` or
``engine.profiler.Dashboard``) so that measuring needs no imgui import.
"""

from __future__ import annotations

from typing import Any

from .budgets import Budgets
from .events import EventLog
from .gc_policy import GC_ACTIONS, GcPolicy
from .history import HistoryRing
from .leaks import LEAK_SIGNALS, LeakDetector
from .meter import GC_GENERATIONS, FrameMeter
from .profiler import Profiler
from .protocols import (
    CombatStatsLike,
    PoolStatsLike,
    RenderStatsLike,
    RingLike,
    SchedulerLike,
    WorldLike,
)
from .rss import RssReader
from .spikes import SPIKE_NAMES, SpikeDetector, SpikeKind
from .steady_state import (
    SMALL_INT_MAX,
    SteadyStateLimits,
    SteadyStateReport,
    fill_float_free_list,
    measure_steady_state,
)
from .trend import Trend
from .watch import (
    CombatWatch,
    CounterWatch,
    PoolWatch,
    RenderWatch,
    RingWatch,
    SchedulerWatch,
    SeriesMap,
)

__all__ = [
    "Budgets",
    "CombatStatsLike",
    "CombatWatch",
    "CounterWatch",
    "Dashboard",
    "EventLog",
    "FrameMeter",
    "GC_ACTIONS",
    "GC_GENERATIONS",
    "GcPolicy",
    "HistoryRing",
    "LEAK_SIGNALS",
    "LeakDetector",
    "PoolStatsLike",
    "PoolWatch",
    "Profiler",
    "RenderStatsLike",
    "RenderWatch",
    "RingLike",
    "RingWatch",
    "RssReader",
    "SMALL_INT_MAX",
    "SPIKE_NAMES",
    "SchedulerLike",
    "SchedulerWatch",
    "SeriesMap",
    "SpikeDetector",
    "SpikeKind",
    "SteadyStateLimits",
    "SteadyStateReport",
    "Trend",
    "WorldLike",
    "fill_float_free_list",
    "measure_steady_state",
]


def __getattr__(name: str) -> Any:
    if name == "Dashboard":
        from .dashboard import Dashboard

        return Dashboard
    raise AttributeError(f"module 'engine.profiler' has no attribute {name!r}")
