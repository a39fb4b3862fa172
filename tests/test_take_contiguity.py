"""PERFORMANCE_GUIDELINES section 4: ``take(out=, mode="clip")`` is free only from a contiguous
source; from a strided column numpy copies the whole column first (64 KiB at 16k float32 rows),
whatever the number of indices."""

from __future__ import annotations

import tracemalloc

import numpy as np

from engine.profiler.steady_state import measure_steady_state

N = 16384


def peak_bytes(fn, calls: int = 50) -> int:
    for _ in range(5):
        fn()
    tracemalloc.start()
    try:
        peak = 0
        for _ in range(calls):
            base = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            fn()
            peak = max(peak, tracemalloc.get_traced_memory()[1] - base)
    finally:
        tracemalloc.stop()
    return peak


def test_take_from_a_strided_column_copies_the_source_and_from_a_contiguous_one_nothing():
    rng = np.random.default_rng(0)
    pos = rng.random((N, 2), dtype=np.float32)
    x = np.ascontiguousarray(pos[:, 0])
    rows = rng.permutation(N)[:4096].astype(np.int64)
    buf = np.empty(rows.shape[0], np.float32)
    buf2 = np.empty((rows.shape[0], 2), np.float32)
    strided = peak_bytes(lambda: pos[:, 0].take(rows, out=buf, mode="clip"))
    contiguous = peak_bytes(lambda: x.take(rows, out=buf, mode="clip"))
    whole_rows = peak_bytes(lambda: pos.take(rows, axis=0, out=buf2, mode="clip"))
    assert strided >= N * 4  # the whole column, not the 4,096 rows taken
    assert contiguous < 1024 and whole_rows < 1024
    assert not measure_steady_state(lambda: pos[:, 0].take(rows, out=buf, mode="clip"),
                                    warmup=20, window=50).ok
    assert measure_steady_state(lambda: x.take(rows, out=buf, mode="clip"),
                                warmup=20, window=50).ok
