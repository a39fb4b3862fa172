"""A fixed numpy + Python workload, timed in the same run as the stress test.

Absolute frame times differ between machines (and between a quiet and a busy CI runner), so
the baseline comparison holds ``frame_p50 / calibration_ns`` instead of ``frame_p50``. The
workload mixes what an engine frame does: element-wise numpy on a few thousand floats, an
in-place sort, and a pure-Python loop with attribute reads and integer arithmetic. It is
timed ``repeats`` times after one untimed run; the median is the calibration (the median, not
the minimum, because the frame percentiles it normalises are taken under the same load).

One repeat takes about 0.8 ms on the 2-core reference machine; 25 repeats about 20 ms.
"""

from __future__ import annotations

from time import perf_counter_ns

import numpy as np

__all__ = ["measure_calibration", "CalibrationResult"]

_N = 4096


class _Obj:
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int) -> None:
        self.x = x
        self.y = y


class CalibrationResult:
    """The timed repeats of the workload.

    Attributes:
        median_ns: the calibration figure stored in reports as ``calibration_ns``.
        min_ns: the fastest repeat.
        repeats_ns: every repeat, in order.
    """

    def __init__(self, repeats_ns: list[int]) -> None:
        self.repeats_ns = repeats_ns
        ordered = sorted(repeats_ns)
        self.median_ns = ordered[len(ordered) // 2]
        self.min_ns = ordered[0]

    def as_dict(self) -> dict[str, object]:
        """A plain dict for reports."""
        return {"median_ns": self.median_ns, "min_ns": self.min_ns,
                "repeats": len(self.repeats_ns)}


def _workload(a: np.ndarray, b: np.ndarray, out: np.ndarray, keys: np.ndarray,
              src_keys: np.ndarray, objs: list[_Obj]) -> int:
    for _ in range(16):
        np.multiply(a, b, out=out)
        np.add(out, a, out=out)
        np.hypot(out, b, out=out)
        np.sqrt(out, out=out)
    np.copyto(keys, src_keys)
    keys.sort()
    total = 0
    for _ in range(4):
        for o in objs:
            total += (o.x * 3 + o.y) % 7
    return total


def measure_calibration(repeats: int = 25) -> CalibrationResult:
    """Time the fixed workload ``repeats`` times (after one untimed run).

    Raises:
        ValueError: ``repeats`` < 1.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    rng = np.random.default_rng(12345)
    a = rng.random(_N, dtype=np.float32)
    b = rng.random(_N, dtype=np.float32)
    out = np.empty(_N, dtype=np.float32)
    src_keys = rng.integers(0, 1 << 40, size=_N, dtype=np.int64)
    keys = np.empty_like(src_keys)
    objs = [_Obj(i, i * 7) for i in range(1000)]
    _workload(a, b, out, keys, src_keys, objs)
    times: list[int] = []
    for _ in range(repeats):
        t0 = perf_counter_ns()
        _workload(a, b, out, keys, src_keys, objs)
        times.append(perf_counter_ns() - t0)
    return CalibrationResult(times)
