"""Steady-state allocation check: the contract every per-tick and per-frame function is held to.

Method (see docs/PERFORMANCE_GUIDELINES.md): ``gc.collect(); gc.freeze()``, start tracemalloc,
run warm-up calls (a full collection empties CPython's free lists, and the next few dozen calls
refill them), then two back-to-back windows; the verdict is taken on the second window, so that
lazily created caches have settled. Over that window:

* ``gc_collections`` - collections of any generation (limit 0),
* ``gen0_growth`` - growth of ``gc.get_count()[0]`` (limit 8: containers retained),
* ``blocks_growth`` - growth of ``sys.getallocatedblocks()`` (limit 16: objects retained),
* ``traced_growth`` - growth of tracemalloc's current traced bytes (limit 1 KiB: any memory
  retained, numpy array data included),
* ``max_transient`` - the largest ``peak - current_at_start`` of one call (limit 4 KiB:
  temporaries; a 10k-float temporary is 80 KB).

This module is a tool, not a per-frame path: it allocates freely itself.

After the collection the harness half-fills CPython's float free list (``fill_float_free_list``,
see its docstring for what it hides: at most 50 retained floats, far fewer than a window of a
per-call leak), as the stress run does before its hold.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["SteadyStateLimits", "SteadyStateReport", "measure_steady_state",
           "fill_float_free_list", "SMALL_INT_MAX"]

SMALL_INT_MAX = 256
"""CPython shares one object for each int in -5..256. A counter that passes 256 holds a heap int
of its own from then on: one allocated block, once (not a rate)."""


@dataclass(frozen=True)
class SteadyStateLimits:
    """Limits of the steady-state contract over one measured window."""

    gc_collections: int = 0
    """Collections of any generation allowed in the window."""
    gen0_growth: int = 8
    """Allowed growth of the gen0 counter (GC-tracked containers retained)."""
    blocks_growth: int = 16
    """Allowed growth of ``sys.getallocatedblocks()`` (Python objects retained)."""
    traced_growth: int = 1024
    """Allowed growth of traced bytes (any memory retained, numpy data included)."""
    max_transient: int = 4096
    """Allowed bytes of temporaries within a single call (tracemalloc peak over start)."""


@dataclass
class SteadyStateReport:
    """What one measured window saw, and the verdict against the limits."""

    calls: int
    gc_collections: int
    gen0_growth: int
    blocks_growth: int
    traced_growth: int
    max_transient: int
    limits: SteadyStateLimits = field(default_factory=SteadyStateLimits)

    def failures(self) -> list[str]:
        """Each exceeded limit as one line ``name: measured > limit``."""
        out = []
        for name in ("gc_collections", "gen0_growth", "blocks_growth", "traced_growth",
                     "max_transient"):
            value = getattr(self, name)
            limit = getattr(self.limits, name)
            if value > limit:
                out.append(f"{name}: {value} > {limit}")
        return out

    @property
    def ok(self) -> bool:
        return not self.failures()

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "FAIL " + "; ".join(self.failures())
        return (f"{self.calls} calls: collections={self.gc_collections} "
                f"gen0_growth={self.gen0_growth} blocks_growth={self.blocks_growth} "
                f"traced_growth={self.traced_growth}B max_transient={self.max_transient}B "
                f"-> {verdict}")


def measure_steady_state(
    fn: Callable[[], object],
    *,
    warmup: int = 100,
    window: int = 500,
    limits: SteadyStateLimits | None = None,
) -> SteadyStateReport:
    """Run ``fn`` repeatedly and measure what it allocates in steady state.

    Args:
        fn: the per-tick or per-frame callable, with its arguments bound (build the closure
            once, outside; the harness calls it ``warmup + 2 * window`` times).
        warmup: calls before the first window.
        window: calls per window; the verdict is on the second of two windows.
        limits: the contract's limits; the defaults are the engine's contract.

    Returns:
        The report of the second window; ``report.ok`` is the verdict and
        ``report.failures()`` lists what exceeded its limit.
    """
    limits = limits or SteadyStateLimits()
    was_tracing = tracemalloc.is_tracing()
    collections = [0]

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            collections[0] += 1

    gc.collect()
    gc.freeze()
    # The full collection emptied CPython's float free list; a running game's list is not
    # empty, and refilling it shows as a slow creep of blocks (see fill_float_free_list: it
    # hides at most 50 retained floats, far under a window's worth of a per-call leak).
    fill_float_free_list()
    if not was_tracing:
        tracemalloc.start(1)
    gc.callbacks.append(on_gc)
    try:
        for _ in range(warmup):
            fn()
        report = None
        for _ in range(2):
            collections[0] = 0
            max_transient = 0
            gen0_start = gc.get_count()[0]
            blocks_start = sys.getallocatedblocks()
            traced_start = tracemalloc.get_traced_memory()[0]
            for _ in range(window):
                current = tracemalloc.get_traced_memory()[0]
                tracemalloc.reset_peak()
                fn()
                peak = tracemalloc.get_traced_memory()[1]
                if peak - current > max_transient:
                    max_transient = peak - current
            report = SteadyStateReport(
                calls=window,
                gc_collections=collections[0],
                gen0_growth=gc.get_count()[0] - gen0_start,
                blocks_growth=sys.getallocatedblocks() - blocks_start,
                traced_growth=tracemalloc.get_traced_memory()[0] - traced_start,
                max_transient=max_transient,
                limits=limits,
            )
        assert report is not None
        return report
    finally:
        gc.callbacks.remove(on_gc)
        if not was_tracing:
            tracemalloc.stop()
        gc.unfreeze()


def fill_float_free_list(n: int = 50) -> None:
    """Put at least ``n`` floats on CPython's float free list (its cap is 100 in CPython 3.11).

    Freed floats are kept on that list (each still an allocated block) up to the cap, and new
    floats are taken from it first. A full collection empties it. After that, a game refills it
    only as far as its largest burst of live floats so far, and each rarer burst that sets a
    new high allocates a few more floats for good: a slow, bounded creep of
    ``sys.getallocatedblocks()`` (the stress run's 20 s hold measured +15 blocks of it, nearly
    all it grew by). Half full (the default), the list absorbs float churn both ways: a float
    attribute that becomes its own object takes one from the list, one that goes back to a
    shared constant returns one, and neither moves the blocks count. A full list would turn
    every float freed into a block freed (a downward drift of the count: as bad for a leak
    check as an upward one), an empty one every new float into a block.

    What it hides: while the list holds floats, newly retained floats come from it and do not
    show as blocks growth, up to the ``n`` put there (plus what the warm-up left): a leak of one
    float a tick shows after about two seconds at 30 ticks a second. Containers (tuples, lists,
    dicts, instances) are not affected (their free lists are left alone).

    Args:
        n: floats to make and free at once.
    """
    junk = [i + 0.5 for i in range(n)]
    del junk
