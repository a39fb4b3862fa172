"""What the acceptance run reads off the engine it drives, apart from the run's wiring.

The counter snapshots at the edges of a measured window, the gc / allocated-blocks marks and
the window's collections, the objects the small-int census watches, the recorder's row budget
and the profiler's figures for the report. Each reads the run's world, app and profiler and
keeps nothing of them, so ``engine.acceptance.session`` only decides *when* to read.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from .run import SETTLE_S, Level, Snapshot

__all__ = ["M_START", "M_END", "snapshot", "read_marks", "read_collections",
           "recorder_capacity", "int_objects",
           "profiler_measurements"]

M_START, M_END = 0, 3
"""Offsets in ``AcceptanceRun.marks``: blocks, gen0 count, young tracked objects."""


def snapshot(pools: Sequence[Any], app: Any, profiler: Any, world: Any) -> Snapshot:
    """The counters now, copied into an array (see ``Snapshot``): every pool's acquires,
    reuses, refusals and growths, the app's frame and simulated time, the wall clock, the
    RSS, and the world's ring overflows."""
    counts = np.zeros(4 * len(pools) + 4, dtype=np.int64)
    for k, p in enumerate(pools):
        counts[4 * k] = p.acquires
        counts[4 * k + 1] = p.reuses
        counts[4 * k + 2] = p.refusals
        counts[4 * k + 3] = p.growths
    counts[-4] = app.frame
    counts[-3] = app.scheduler.sim_time_ns
    counts[-2] = time.perf_counter_ns()
    counts[-1] = profiler.meter.rss.read()
    overflows = 0
    for r in world.rings():
        overflows += int(r.overflows)
    refusals = int(counts[2:4 * len(pools):4].sum())
    return Snapshot(counts=counts, ring_overflows=overflows, refusals=refusals)


def read_marks(marks: np.ndarray, base: int) -> None:
    """Young tracked objects, gen0 count and allocated blocks into ``marks[base:base+3]``.

    The readings go into a preallocated int64 array: the int each call returns is freed
    at once, so no reading outlives itself. After ``gc.freeze()``, ``gc.get_objects()``
    lists only the young generations: cheap, and exact.
    """
    if base == M_START:  # the snapshot's own objects exist before these readings
        marks[base + 2] = len(gc.get_objects())
        marks[base + 1] = gc.get_count()[0]
        marks[base] = sys.getallocatedblocks()
    else:  # and after them
        marks[base] = sys.getallocatedblocks()
        marks[base + 1] = gc.get_count()[0]
        marks[base + 2] = len(gc.get_objects())


def read_collections(level: Level, marks: np.ndarray, profiler: Any) -> None:
    """The window's collections by generation, gen0 growth and spikes into ``level``, from
    the profiler's counts since its warm-up mark and the start/end ``marks``."""
    meter = profiler.meter
    level.gc_by_gen = [int(c) for c in meter.gc_log.counts_since_mark]
    level.gc_collections = sum(level.gc_by_gen)
    # gc.get_count()[0] is reset by a collection; with collections in the window the
    # meter's collection-aware sum is the figure.
    level.gen0_growth = (int(marks[M_END + 1] - marks[M_START + 1])
                         if level.gc_collections == 0 else int(meter.gen0_since_warmup))
    level.spikes = profiler.spikes.counts(since_mark=True)
    level.gc_spikes = int(level.spikes.get("gc_pause", 0)
                          + level.spikes.get("gen2_in_combat", 0))


def recorder_capacity(args: Any) -> int:
    """Rows the recorder preallocates for the whole plan of the command line ``args`` (every
    level's ramp, settle and window at the most frames a second the run can show)."""
    if args.mode == "hold":
        total_s = args.warmup + args.ramp_timeout + SETTLE_S + args.duration + 2.0
    else:
        levels = args.limit // args.step + 8
        total_s = levels * (args.window + SETTLE_S + 10.0)
    fps = 60.0 if args.benchmark else 240.0
    return int(min(total_s * fps, 200_000)) + 1024


def int_objects(world: Any, extra_systems: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """What the small-int census watches: the world's stats, player, pools, rings, systems
    (the run's extra ones too) and boss slots."""
    w = world
    objs: list[tuple[str, Any]] = [("stats", w.stats), ("player", w.player)]
    objs += [(f"pool {p.name}", p) for p in w.pools()]
    objs += [(f"ring {r.name}", r) for r in w.rings()]
    objs += [(f"system {name}", fn) for name, fn in w.systems()]
    objs += [(f"system {name}", fn) for name, fn in extra_systems]
    objs += [(f"boss slot {i}", b) for i, b in enumerate(w.bosses.slots)]
    return objs


def profiler_measurements(profiler: Any, user_actions: int) -> dict[str, Any]:
    """The numbers the profiler measured over the window (since its warm-up mark): the
    largest per-tick temporaries with tracing, the leak trends flagged, and the user actions
    logged. The trends, the blocks retained by system and the allocation sites go to the
    report's ``extra.profiler`` (``Profiler.summary``)."""
    m = profiler.meter
    return {
        "user_actions": user_actions,
        "temporaries_max_bytes": int(m.tick_transient_max[0]) if m.tracing else None,
        "leak_flags_hold": sum(1 for t in profiler.leaks.trends if t.first_flag_s is not None),
    }
