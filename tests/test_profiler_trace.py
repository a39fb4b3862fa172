"""Trace export: a Profiler watching a real Scheduler writes a Chrome/Perfetto JSON trace with
frames, per-system zones nested in their frame, GC collections and flags as instant events."""

from __future__ import annotations

import gc
import json

import pytest

from engine.core.scheduler import Scheduler
from engine.profiler import Profiler


def test_the_trace_file_has_frames_systems_gc_and_flags(tmp_path):
    clock = [0]

    def now() -> int:  # a frame clock 1/60 s a frame; the systems' ns are real
        return clock[0]

    p = Profiler(clock=now)
    s = Scheduler()
    s.add("move", lambda dt: sum(range(200)))
    s.add("hit", lambda dt: sum(range(100)))
    p.watch_scheduler(s)
    p.start_trace(capacity=100)
    for f in range(120):
        clock[0] += 16_666_667
        s.advance(16_666_667)
        if f == 60:
            gc.collect(0)
            p.spikes.log.record(3, p.meter.frame, clock[0], 1.0)  # a flag, as a detector would
        p.end_frame()
    path = tmp_path / "run.trace.json"
    p.write_trace(path)
    p.close()
    doc = json.loads(path.read_text())
    events = doc["traceEvents"]
    zones = [e for e in events if e["ph"] == "X"]
    frames = [e for e in zones if e["name"] == "frame"]
    assert len(frames) == 100  # the newest 100 of 120 frames
    assert all(e["dur"] >= 0 and e["pid"] == 1 for e in zones)
    names = {e["name"] for e in zones}
    assert {"frame", "step", "move", "hit"} <= names
    # Every zone lies inside one frame.
    for z in zones:
        if z["name"] == "frame":
            continue
        assert any(f["ts"] <= z["ts"] and z["ts"] + z["dur"] <= f["ts"] + f["dur"] + 1e-6
                   for f in frames), z
    instants = [e for e in events if e["ph"] == "i"]
    kinds = {e["tid"] for e in instants}
    assert kinds == {2, 3}  # GC and flags


def test_write_trace_before_start_is_an_error(tmp_path):
    p = Profiler()
    with pytest.raises(RuntimeError, match="start_trace"):
        p.write_trace(tmp_path / "t.json")
    p.close()
