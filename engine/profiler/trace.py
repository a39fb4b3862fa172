"""Trace export: frames, per-system zones, GC collections and flags as a Chrome / Perfetto JSON
trace (``{"traceEvents": [...]}``; opens in ui.perfetto.dev and chrome://tracing).

``TraceRecorder.record`` copies each frame's numbers into preallocated int64 arrays (the frame
clock at its end, its interval, step / render / overlay ns, and each system's ns summed over
the frame's steps); ``events`` turns them into trace events at the end:

* ``ph: "X"`` complete events, ``ts``/``dur`` in microseconds: one ``frame`` per frame (tid 1),
  inside it ``step``, ``render`` and ``overlay``, and inside ``step`` one zone per system;
* ``ph: "i"`` instant events: each GC collection (tid 2; its pause in ``args``) at the start
  of the frame it happened in, and each profiler flag (tid 3: spikes, leak trends) at the end
  of the frame it was raised in: placed by frame number, not by their own clock readings, so
  they land in their frame whatever the frame clock (a FixedClock in benchmark mode).

What is measured and what is laid out: every duration is measured; the start of the zones
inside a frame is reconstructed, end to end from the frame's start in run order (step, then
render, then overlay; systems in scheduler order), since the meter keeps durations, not
timestamps, per phase.

Allocation contract: ``record`` allocates nothing retained (array writes); ``events`` and
``write`` allocate (the end of a run).
"""

from __future__ import annotations

import json
import os
from typing import Any

import numpy as np

from engine.data.files import atomic_write_bytes

__all__ = ["TraceRecorder"]

_T_END, _FRAME, _STEP, _RENDER, _OVERLAY = range(5)
_PID = 1
_TID_FRAMES, _TID_GC, _TID_FLAGS = 1, 2, 3


class TraceRecorder:
    """The newest ``capacity`` frames' zones, kept for a trace file.

    Args:
        capacity: frames kept (the oldest are overwritten).
        system_names: the scheduler's systems, in run order (their zones' names).

    Raises:
        ValueError: ``capacity`` < 1.
    """

    def __init__(self, capacity: int, system_names: list[str]) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be >= 1 frames, got {capacity}")
        self.capacity = capacity
        self.system_names = list(system_names)
        self.frames = np.zeros((capacity, 5), dtype=np.int64)
        self.systems = np.zeros((capacity, max(1, len(self.system_names))), dtype=np.int64)
        # Frames recorded, the first one's number: int64 cells, since a Python int counter
        # passing 256 would be a block of growth in the run it traces.
        self._n = np.array([0, -1], dtype=np.int64)

    @property
    def recorded(self) -> int:
        return int(self._n[0])

    @property
    def first_frame(self) -> int:
        return int(self._n[1])

    def record(self, meter: Any) -> None:
        """One frame, after ``meter.end_frame()``. Allocates nothing retained."""
        cells = self._n
        i = cells[0] % self.capacity
        row = self.frames[i]
        row[_T_END] = meter._last_end_ns
        row[_FRAME] = meter._last_frame_ns
        row[_STEP] = int(meter.step_ms.last() * 1e6)
        row[_RENDER] = int(meter.render_ms.last() * 1e6)
        row[_OVERLAY] = int(meter.overlay_ms.last() * 1e6)
        sched = meter.scheduler
        if sched is not None and len(sched.ns_frame) == self.systems.shape[1]:
            self.systems[i] = sched.ns_frame
        if cells[1] < 0:
            cells[1] = meter.frame - 1
        cells[0] += 1

    def events(self, gc_log: Any = None, flags: Any = None) -> list[dict[str, Any]]:
        """The trace events, oldest frame first (allocates)."""
        recorded = self.recorded
        n = min(recorded, self.capacity)
        start = recorded - n
        out: list[dict[str, Any]] = [
            {"ph": "M", "pid": _PID, "name": "process_name", "args": {"name": "engine"}},
            {"ph": "M", "pid": _PID, "tid": _TID_FRAMES, "name": "thread_name",
             "args": {"name": "frames"}},
            {"ph": "M", "pid": _PID, "tid": _TID_GC, "name": "thread_name",
             "args": {"name": "GC"}},
            {"ph": "M", "pid": _PID, "tid": _TID_FLAGS, "name": "thread_name",
             "args": {"name": "flags"}},
        ]
        spans: dict[int, tuple[int, int]] = {}
        first = self.first_frame
        for seq in range(start, recorded):
            i = seq % self.capacity
            t_end, frame_ns, step, render, overlay = (int(v) for v in self.frames[i])
            t0 = t_end - frame_ns
            spans[first + seq] = (t0, t_end)
            frame_no = first + seq
            out.append(_zone("frame", t0, frame_ns, {"frame": frame_no}))
            # Each zone is clipped to its parent: the bracketed step time and the sum of the
            # systems differ by the markers' own nanoseconds.
            t = t0
            if step:
                step = min(step, t_end - t)
                out.append(_zone("step", t, step))
                ts = t
                for k, name in enumerate(self.system_names):
                    d = min(int(self.systems[i, k]), t + step - ts)
                    if d > 0:
                        out.append(_zone(name, ts, d))
                        ts += d
                t += step
            for name, d in (("render", render), ("overlay", overlay)):
                d = min(d, t_end - t)
                if d > 0:
                    out.append(_zone(name, t, d))
                    t += d
        for log, tid in ((gc_log, _TID_GC), (flags, _TID_FLAGS)):
            if log is None:
                continue
            for ev in log.recent(len(log)):
                span = spans.get(int(ev["frame"]))
                if span is None:
                    continue
                if tid == _TID_GC:
                    name = f"GC {ev['kind']}"
                    args = {"pause_ms": ev["value"], "collected": ev["aux"],
                            "asked": ev["flag"], "frame": ev["frame"]}
                    ts = span[0]
                else:
                    name = str(ev["kind"])
                    args = {"value": ev["value"], "aux": ev["aux"], "frame": ev["frame"]}
                    ts = span[1]
                out.append({"ph": "i", "s": "t", "pid": _PID, "tid": tid, "name": name,
                            "ts": ts / 1e3, "args": args})
        return out

    def write(self, path: str | os.PathLike[str], gc_log: Any = None,
              flags: Any = None) -> None:
        """Write ``{"traceEvents": ...}`` to ``path`` atomically (allocates)."""
        doc = {"traceEvents": self.events(gc_log, flags), "displayTimeUnit": "ms"}
        atomic_write_bytes(path, json.dumps(doc, separators=(",", ":")).encode())


def _zone(name: str, t_ns: int, dur_ns: int, args: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    ev: dict[str, Any] = {"ph": "X", "pid": _PID, "tid": _TID_FRAMES, "name": name,
                          "ts": t_ns / 1e3, "dur": max(0, dur_ns) / 1e3}
    if args:
        ev["args"] = args
    return ev
