"""HistoryRing and EventLog: ordering, wrap-around, errors, and their allocation contract."""

from __future__ import annotations

import numpy as np
import pytest

from engine.profiler import EventLog, HistoryRing, measure_steady_state


def test_ring_orders_oldest_first_before_and_after_wrap():
    ring = HistoryRing(4, name="t")
    out = np.zeros(4)
    assert len(ring.ordered_into(out)) == 0
    for v in (1, 2, 3):
        ring.push(v)
    assert ring.ordered_into(out).tolist() == [1, 2, 3]
    assert not ring.full
    for v in (4, 5, 6):
        ring.push(v)
    assert ring.full and len(ring) == 4 and ring.pushed == 6
    assert ring.ordered_into(out).tolist() == [3, 4, 5, 6]
    assert ring.last() == 6
    assert ring.window_sum(2) == 11
    assert ring.window_sum(3) == 15  # spans the wrap point
    assert ring.window_sum(100) == 18
    assert ring.newest(3).tolist() == [4, 5, 6]
    ring.clear()
    assert len(ring) == 0 and ring.last(-1.0) == -1.0


def test_ring_of_rows_keeps_columns():
    ring = HistoryRing(3, width=2, name="systems")
    for i in range(5):
        ring.push_row(np.array([i, 10 * i], dtype=np.int64))
    col = np.zeros(3)
    assert ring.ordered_into(col, 1).tolist() == [20, 30, 40]
    rows = np.zeros((3, 2))
    assert ring.ordered_into(rows).tolist() == [[2, 20], [3, 30], [4, 40]]


def test_ring_rejects_bad_arguments():
    with pytest.raises(ValueError, match="capacity must be >= 1, got 0"):
        HistoryRing(0)
    with pytest.raises(TypeError, match="capacity must be an int, got float"):
        HistoryRing(2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="width must be >= 0"):
        HistoryRing(4, width=-1)
    ring = HistoryRing(8, name="short")
    with pytest.raises(ValueError, match="out must hold >= 8 samples, got 4"):
        ring.ordered_into(np.zeros(4))
    with pytest.raises(ValueError, match="holds scalars"):
        ring.push_row(np.zeros(2))
    rows = HistoryRing(8, width=3, name="rows")
    with pytest.raises(ValueError, match="expects rows of 3, got 2"):
        rows.push_row(np.zeros(2))


def test_ring_push_and_ordered_copy_allocate_nothing():
    ring = HistoryRing(1024)
    rows = HistoryRing(1024, width=8)
    row = np.arange(8, dtype=np.int64)
    out = np.zeros(1024)
    value = [0.0]

    def frame():
        value[0] += 1.5
        ring.push(value[0])
        rows.push_row(row)
        ring.ordered_into(out)
        rows.ordered_into(out, 3)

    report = measure_steady_state(frame)
    assert report.ok, str(report)


def test_ring_allocation_check_fails_with_a_planted_leak():
    """The same check, with a retained object per call, must fail: the harness can see."""
    ring = HistoryRing(1024)
    kept: list[object] = []

    def leaky():
        ring.push(1.0)
        kept.append(np.zeros(4))  # a small array retained per call

    report = measure_steady_state(leaky)
    assert not report.ok
    assert report.blocks_growth > 16


def test_event_log_counts_and_orders():
    log = EventLog(3, 2, ("a", "b"))
    for i in range(5):
        log.record(i % 2, frame=i, t_ns=100 * i, value=float(i), aux=i, flag=i & 1)
    assert log.counts.tolist() == [3, 2]
    assert len(log) == 3
    frames = log.ordered_into(log.frame, np.zeros(3))
    assert frames.tolist() == [2, 3, 4]
    recent = log.recent(2)
    assert [e["kind"] for e in recent] == ["b", "a"]
    assert recent[-1]["frame"] == 4 and recent[-1]["value"] == 4.0
    assert log.max_value_since_mark.tolist() == [4.0, 3.0]
    log.mark()
    assert log.counts_since_mark.tolist() == [0, 0] and log.counts.tolist() == [3, 2]
    with pytest.raises(ValueError, match="expected 2 kind names, got 1"):
        EventLog(4, 2, ("only",))


def test_event_log_record_allocates_nothing():
    log = EventLog(256, 3, ("x", "y", "z"))
    state = [0]

    def record():
        state[0] += 1
        log.record(state[0] % 3, state[0], state[0] * 1000, 0.25, 7)

    report = measure_steady_state(record)
    assert report.ok, str(report)
