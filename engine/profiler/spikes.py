"""Spike detection: turn the meter's per-frame numbers into logged, counted events.

Kinds (``SpikeKind``):

* ``GC_PAUSE`` - a collection whose pause exceeded ``gc_pause_ms`` (value: pause ms,
  aux: generation), or a frame whose collections together did (aux: -1). Default 1 ms: the
  young collections of a clean horde take 0.05-0.3 ms, and 5,000 self-referencing objects
  found in one collection took 1.4-2.4 ms, so 2 ms caught that burst in 2 runs of 4 and 1 ms
  catches it every time. Each event carries the frame the collection happened in (the GC
  log's frame), not the frame the check ran in;
* ``GEN2_IN_COMBAT`` - an automatic gen2 collection while ``in_combat`` is set (value: pause
  ms). Collections the GC policy asked for (safe points, spare time) are deliberate and not
  flagged;
* ``FRAME_OVER_BUDGET`` - CPU frame time (``FrameMeter.cpu_ms``) over the frame budget
  (value: ms);
* ``REALLOCATION`` - a watched pool grew or the renderer reallocated a buffer (value: the
  counter's delta; aux: index of the pool in ``meter.pools``, or -1 for the renderer);
* ``CLAMP`` / ``STEP_CAP`` - the scheduler clamped the frame delta / hit its step cap;
* ``POOL_REFUSAL`` - a watched pool refused acquisitions this frame (value: refusals; aux: pool
  index);
* ``RING_OVERFLOW`` - a watched ring buffer overflowed this frame (value: overflows; aux: ring
  index);
* ``BLOCKS_GROWTH`` - allocated blocks grew by more than ``leak_blocks`` over the last
  ``leak_window`` frames (value: the sum): a leak of Python objects. The window restarts after
  each flag, so a steady leak is flagged once per window. Single frames are not judged: free
  lists make them lie (a full collection empties them and the next ~25 frames refill them by a
  few blocks each);
* ``TRANSIENT`` - with allocation tracing on, a frame's transient bytes (largest tracemalloc
  peak over start of its ticks and the segments between them) exceeded ``transient_bytes``
  (value: bytes): a temporary array in the hot path.

Each goes into an ``EventLog`` with the frame number and time; ``log.counts`` and
``log.counts_since_mark`` are the counts per kind.

Allocation contract: ``check`` allocates nothing retained (reads ints, writes the log). The
blocks-growth window's sum and frame count are int64 array cells: as Python ints they would move
in and out of CPython's small-int cache as the window fills and restarts (the frame count passes
256 in every 600-frame window), and each move is a block the meter's leak signal would count.
"""

from __future__ import annotations

import enum

import numpy as np

from .events import EventLog
from .meter import FrameMeter

__all__ = ["SpikeDetector", "SpikeKind", "SPIKE_NAMES"]


class SpikeKind(enum.IntEnum):
    """Event kind codes of the spike log."""

    GC_PAUSE = 0
    GEN2_IN_COMBAT = 1
    FRAME_OVER_BUDGET = 2
    REALLOCATION = 3
    CLAMP = 4
    STEP_CAP = 5
    POOL_REFUSAL = 6
    RING_OVERFLOW = 7
    BLOCKS_GROWTH = 8
    TRANSIENT = 9
    LEAK_TREND = 10
    CYCLE_GARBAGE = 11
    USER_ACTION = 12


SPIKE_NAMES: tuple[str, ...] = tuple(k.name.lower() for k in SpikeKind)

# Plain ints: the per-frame path indexes lists with them (an IntEnum lookup costs more).
_GC_PAUSE = int(SpikeKind.GC_PAUSE)
_GEN2 = int(SpikeKind.GEN2_IN_COMBAT)
_OVER = int(SpikeKind.FRAME_OVER_BUDGET)
_REALLOC = int(SpikeKind.REALLOCATION)
_CLAMP = int(SpikeKind.CLAMP)
_CAP = int(SpikeKind.STEP_CAP)
_REFUSAL = int(SpikeKind.POOL_REFUSAL)
_OVERFLOW = int(SpikeKind.RING_OVERFLOW)
_GROWTH = int(SpikeKind.BLOCKS_GROWTH)
_TRANSIENT = int(SpikeKind.TRANSIENT)
_CYCLES = int(SpikeKind.CYCLE_GARBAGE)


class SpikeDetector:
    """Flags spikes from a ``FrameMeter`` after each ``end_frame``.

    Args:
        frame_budget_ms: CPU frame time above which a frame is a spike.
        gc_pause_ms: GC pause above which a collection is a spike.
        leak_blocks: blocks growth over ``leak_window`` frames above which a leak is flagged.
        leak_window: frames of the blocks-growth window.
        transient_bytes: transient bytes in one frame above which a spike is flagged (only
            while allocation tracing is on).
        capacity: events kept in the log.

    Raises:
        ValueError: a threshold < 0, or leak_window or capacity < 1.
    """

    def __init__(self, *, frame_budget_ms: float = 16.0, gc_pause_ms: float = 1.0,
                 leak_blocks: int = 256, leak_window: int = 600,
                 transient_bytes: int = 16_384, capacity: int = 1024) -> None:
        if frame_budget_ms < 0 or gc_pause_ms < 0 or leak_blocks < 0 or transient_bytes < 0:
            raise ValueError(f"thresholds must be >= 0, got frame_budget_ms={frame_budget_ms}, "
                             f"gc_pause_ms={gc_pause_ms}, leak_blocks={leak_blocks}, "
                             f"transient_bytes={transient_bytes}")
        if leak_window < 1 or capacity < 1:
            raise ValueError(f"leak_window and capacity must be >= 1, got {leak_window} and "
                             f"{capacity}")
        self.frame_budget_ms = float(frame_budget_ms)
        self.gc_pause_ms = float(gc_pause_ms)
        self.leak_blocks = leak_blocks
        self.leak_window = leak_window
        self.transient_bytes = transient_bytes
        self._window = np.zeros(2, dtype=np.int64)
        """The blocks-growth window: its blocks sum and its frames."""
        self.in_combat = False
        """Set by the game (or ``GcPolicy.enter_combat``): gen2 collections become spikes."""
        self.log = EventLog(capacity, len(SpikeKind), SPIKE_NAMES)
        self._gc_seen = 0

    def mark(self) -> None:
        """Restart the since-mark counts and the blocks-growth window (end of warm-up)."""
        self.log.mark()
        self._window.fill(0)

    def check(self, meter: FrameMeter) -> int:
        """Log this frame's spikes; call right after ``meter.end_frame()``.

        Returns:
            The number of spikes logged for this frame.
        """
        log = self.log
        before = log.recorded
        frame = meter.frame - 1
        t = meter._last_end_ns

        gcl = meter.gc_log
        paused = False
        seen = self._gc_seen
        if gcl.recorded - seen > gcl.capacity:
            seen = gcl.recorded - gcl.capacity
        while seen < gcl.recorded:
            i = seen % gcl.capacity
            pause = gcl.value[i]
            gen = int(gcl.kind[i])
            gc_frame = int(gcl.frame[i])
            gc_t = int(gcl.t_ns[i])
            if pause > self.gc_pause_ms:
                log.record(_GC_PAUSE, gc_frame, gc_t, pause, gen)
                paused = True
            if gcl.aux[i] > 0:
                log.record(_CYCLES, gc_frame, gc_t, float(gcl.aux[i]), gen)
            if gen == 2 and self.in_combat and not gcl.flag[i]:
                log.record(_GEN2, gc_frame, gc_t, pause, gen)
            seen += 1
        self._gc_seen = seen
        frame_pause = meter.gc_pause_ms.last()
        if not paused and frame_pause > self.gc_pause_ms:
            log.record(_GC_PAUSE, frame, t, frame_pause, -1)

        cpu = meter.cpu_ms.last()
        if cpu > self.frame_budget_ms:
            log.record(_OVER, frame, t, cpu)

        # Blocks growth over a tumbling window of frames.
        win = self._window
        win[0] += int(meter.blocks.last())
        win[1] += 1
        if win[0] > self.leak_blocks:
            log.record(_GROWTH, frame, t, float(win[0]), int(win[1]))
            win.fill(0)
        elif win[1] >= self.leak_window:
            win.fill(0)

        if meter.tracing:
            transient = meter.transient_bytes.last()
            if transient > self.transient_bytes:
                log.record(_TRANSIENT, frame, t, transient)

        for idx, w in enumerate(meter.pools):
            if w.growth_delta:
                log.record(_REALLOC, frame, t, w.growth_delta, idx)
            if w.refusal_delta:
                log.record(_REFUSAL, frame, t, w.refusal_delta, idx)
        for idx, r in enumerate(meter.rings):
            if r.overflow_delta:
                log.record(_OVERFLOW, frame, t, r.overflow_delta, idx)
        for rw in meter.render:
            if rw.reallocation_delta:
                log.record(_REALLOC, frame, t, rw.reallocation_delta, -1)
        s = meter.scheduler
        if s is not None:
            if s.clamp_delta:
                log.record(_CLAMP, frame, t, s.clamp_delta)
            if s.cap_delta:
                log.record(_CAP, frame, t, s.cap_delta)
        return log.recorded - before

    def counts(self, since_mark: bool = True) -> dict[str, int]:
        """Spikes per kind name (allocates; for reports and tests)."""
        src = self.log.counts_since_mark if since_mark else self.log.counts
        return {name: int(src[i]) for i, name in enumerate(SPIKE_NAMES)}
