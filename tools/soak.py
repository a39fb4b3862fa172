"""Soak: run the stress run's world headless for minutes of simulated time and report what it
kept (allocated blocks, GC-tracked objects, RSS) against the engine's limits.

The world is the stress run's (``engine.acceptance.stress_world.stress_config``: fast ramp to
--enemies, two bosses, immortal autopilot player), stepped at the run's fixed 1/30 s with no
window and no renderer. After --warmup simulated seconds: ``gc.collect()``, ``gc.freeze()``,
CPython's free lists half-filled (``prime_free_lists``), --settle simulated seconds,
then once per simulated second ``sys.getallocatedblocks()``, ``len(gc.get_objects())`` (the
young generations: everything the soak made since the freeze) and RSS
(``/proc/self/statm``), written into preallocated arrays so that sampling keeps nothing.

Figures, from the first sample to the last: blocks growth, tracked objects growth, RSS drift
(MB = 10**6 bytes); every second whose blocks changed is listed. --trace-at S starts
tracemalloc S simulated seconds into the soak and, at each later change of blocks, prints the
allocation sites (file:line) that grew since the previous sample.

Exit codes: 0 blocks growth <= 2, tracked objects growth <= 0 and RSS drift < 1 MB; 1 one of
them over; 2 bad arguments.

Usage:
    python -m tools.soak --enemies 10000 --minutes 10
    python -m tools.soak --enemies 10000 --minutes 3 --trace-at 100
"""

from __future__ import annotations

import gc
import os
import sys
import tracemalloc
from dataclasses import dataclass
from typing import TextIO

import numpy as np

from tools.common import tool_parser

STEP_HZ = 30
_HEAP_INT = 1000
BLOCKS_LIMIT = 2
"""Blocks growth allowed over the soak: the stress run's own ``blocks_growth_hold`` limit."""
TRACKED_LIMIT = 0
RSS_LIMIT_MB = 1.0
MAX_ENEMIES = 200_000


@dataclass
class SoakResult:
    """Per-second samples (index 0: the mark after the warm-up) and the figures over them."""

    seconds: np.ndarray
    blocks: np.ndarray
    tracked: np.ndarray
    rss: np.ndarray

    @property
    def blocks_growth(self) -> int:
        return int(self.blocks[-1] - self.blocks[0])

    @property
    def tracked_growth(self) -> int:
        return int(self.tracked[-1] - self.tracked[0])

    @property
    def rss_drift_mb(self) -> float:
        return float(self.rss[-1] - self.rss[0]) * 1e-6

    def jumps(self) -> list[tuple[float, int, int]]:
        """(simulated second, blocks change, tracked change) of every second that changed."""
        db = np.diff(self.blocks)
        dt = np.diff(self.tracked)
        idx = np.flatnonzero((db != 0) | (dt != 0))
        return [(float(self.seconds[i + 1]), int(db[i]), int(dt[i])) for i in idx]

    def passed(self) -> bool:
        return (self.blocks_growth <= BLOCKS_LIMIT and self.tracked_growth <= TRACKED_LIMIT
                and self.rss_drift_mb < RSS_LIMIT_MB)


# Allocation sites with an engine frame, outside tracemalloc's own bookkeeping.
_ENGINE_ONLY = (tracemalloc.Filter(True, "*/engine/*", all_frames=True),
                tracemalloc.Filter(False, tracemalloc.__file__, all_frames=True),
                tracemalloc.Filter(False, "*/linecache.py", all_frames=True))


def prime_free_lists() -> None:
    """Half-fill CPython's free lists of floats, lists, dicts and small tuples.

    A full collection empties them; afterwards each grows (by a block, kept) whenever a tick
    frees more of its kind at once than any tick before: a high-water mark of transients that
    reads as growth for minutes (+2 floats and +3 lists 40 s after the mark at 2,000
    enemies). Half full (caps in CPython 3.11: 100 floats, 80 lists, 80 dicts, 2,000 tuples of
    each size up to 20), they absorb churn both ways, as ``fill_float_free_list`` does for
    floats in the stress run (its docstring says what that hides).
    """
    from engine.profiler import fill_float_free_list

    fill_float_free_list()
    lists: list[object] = [[] for _ in range(40)]
    dicts = [{} for _ in range(40)]
    tuples = [tuple(range(k)) for k in range(1, 21) for _ in range(1000)]
    del lists, dicts, tuples


def _rss_reader() -> tuple[int, int]:
    return os.open("/proc/self/statm", os.O_RDONLY), os.sysconf("SC_PAGE_SIZE")


def soak(enemies: int, seconds: float, *, warmup: float = 30.0, settle: float = 1.0,
         seed: int = 1, trace_at: float | None = None, out: TextIO = sys.stdout) -> SoakResult:
    """Run the stress world for ``warmup + settle + seconds`` simulated seconds; return the
    samples (the mark is after ``settle`` seconds past the collection and freeze).

    ``trace_at``: seconds after the mark at which tracemalloc starts (then every change of
    blocks prints its allocation sites to ``out``).
    """
    from engine.acceptance.stress_world import stress_config
    from engine.combat import World, WorldConfig

    world = World(stress_config(WorldConfig(), enemies, enemies), seed=seed)
    dt = 1.0 / STEP_HZ
    step = world.step
    for _ in range(int(round(warmup * STEP_HZ))):
        step(dt)
    n = int(seconds) + 1
    # Indexed from _HEAP_INT: the soak's own counters are past 256 from the start (an int
    # that passes it keeps a heap int alive, one block the reading would count).
    m = _HEAP_INT + n
    secs = np.zeros(m, np.float64)
    blocks = np.zeros(m, np.int64)
    tracked = np.zeros(m, np.int64)
    rss = np.zeros(m, np.int64)
    fd, page = _rss_reader()
    trace_tick = -1 if trace_at is None else int(round(trace_at * STEP_HZ))
    snap = None
    try:
        gc.collect()
        gc.freeze()
        prime_free_lists()
        for _ in range(int(round(settle * STEP_HZ))):
            step(dt)
        t0 = warmup + settle
        # Everything the loop keeps alive exists before the mark: heap ints for its counters
        # (computed, not the shared constant) and the iterator.
        i = m - n
        tick = m - n
        trace_tick += tick
        seconds_left = iter(range(i + 1, m))
        secs[i] = t0
        blocks[i] = sys.getallocatedblocks()
        tracked[i] = len(gc.get_objects())
        rss[i] = int(os.pread(fd, 64, 0).split()[1]) * page
        for i in seconds_left:
            for _ in range(STEP_HZ):
                if tick == trace_tick:
                    tracemalloc.start(8)
                    snap = tracemalloc.take_snapshot().filter_traces(_ENGINE_ONLY)
                step(dt)
                tick += 1
            secs[i] = t0 + (i - _HEAP_INT)
            blocks[i] = sys.getallocatedblocks()
            tracked[i] = len(gc.get_objects())
            rss[i] = int(os.pread(fd, 64, 0).split()[1]) * page
            if snap is not None and blocks[i] != blocks[i - 1]:
                new = tracemalloc.take_snapshot().filter_traces(_ENGINE_ONLY)
                print(f"t={secs[i]:.0f} s: blocks {int(blocks[i] - blocks[i - 1]):+d}", file=out)
                for stat in new.compare_to(snap, "traceback")[:6]:
                    if stat.count_diff:
                        print(f"  {stat.count_diff:+d} blocks {stat.size_diff:+d} B", file=out)
                        for line in stat.traceback.format()[-8:]:
                            print(f"    {line}", file=out)
                snap = new
                # The snapshot itself moved blocks: measure the next second from here.
                blocks[i] = sys.getallocatedblocks()
    finally:
        os.close(fd)
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        gc.unfreeze()
    h = _HEAP_INT
    return SoakResult(secs[h:], blocks[h:], tracked[h:], rss[h:])


def main(argv: list[str] | None = None) -> int:
    parser = tool_parser("soak", __doc__)
    parser.add_argument("--enemies", type=int, default=10_000, metavar="N",
                        help="live enemies to hold (default: %(default)s)")
    parser.add_argument("--minutes", type=float, default=10.0, metavar="M",
                        help="simulated minutes measured after the warm-up (default: %(default)s)")
    parser.add_argument("--warmup", type=float, default=30.0, metavar="S",
                        help="simulated seconds before the mark (default: %(default)s)")
    parser.add_argument("--settle", type=float, default=1.0, metavar="S",
                        help="simulated seconds between the collection and the mark "
                             "(default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1,
                        help="world seed, the stress run's by default (default: %(default)s)")
    parser.add_argument("--trace-at", type=float, default=None, metavar="S",
                        help="start tracemalloc S simulated seconds after the mark "
                             "(default: off)")
    args = parser.parse_args(argv)
    if not 1 <= args.enemies <= MAX_ENEMIES:
        parser.error(f"--enemies must be in [1, {MAX_ENEMIES}], got {args.enemies}")
    if not 1.0 / 60.0 <= args.minutes <= 24 * 60.0:
        parser.error(f"--minutes must be in [1/60, 1440], got {args.minutes}")
    if not 0.0 <= args.warmup <= 3600.0:
        parser.error(f"--warmup must be in [0, 3600] seconds, got {args.warmup}")
    if not 0.0 <= args.settle <= 3600.0:
        parser.error(f"--settle must be in [0, 3600] seconds, got {args.settle}")
    if args.trace_at is not None and not 0.0 <= args.trace_at <= args.minutes * 60.0:
        parser.error(f"--trace-at must be in [0, {args.minutes * 60.0:g}], got {args.trace_at}")
    res = soak(args.enemies, args.minutes * 60.0, warmup=args.warmup,
               settle=args.settle, seed=args.seed,
               trace_at=args.trace_at)
    for t, db, dtr in res.jumps():
        print(f"t={t:.0f} s (simulated): blocks {db:+d}, tracked objects {dtr:+d}")
    ok = res.passed()
    print(f"soak {args.enemies} enemies, {args.minutes:g} min simulated after {args.warmup:g} s "
          f"warm-up + {args.settle:g} s settling: blocks growth {res.blocks_growth:+d} (limit "
          f"{BLOCKS_LIMIT}), tracked objects {res.tracked_growth:+d} (limit {TRACKED_LIMIT}), "
          f"RSS drift "
          f"{res.rss_drift_mb:.2f} MB (limit < {RSS_LIMIT_MB:g}): {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
