"""A fixed numpy + Python workload, timed in the same run as the stress test.

Absolute frame times differ between machines (and between a quiet and a busy CI runner), so
the baseline comparison holds ``frame_p50 / calibration_ns`` instead of ``frame_p50``. The
workload mixes what an engine frame does: element-wise numpy on a few thousand floats, an
in-place sort, and a pure-Python loop with attribute reads and integer arithmetic. It is
timed ``repeats`` times after one untimed run; the median is the calibration (the median, not
the minimum, because the frame percentiles it normalises are taken under the same load). The
stress run times it before and after the run and once every 30 frames of the hold (outside
the measured frame time), and takes the median of all the repeats: a load that comes and goes
during the run weighs on the calibration as it weighs on the frames.

One repeat takes about 0.8 ms on the 2-core reference machine; 25 repeats about 20 ms.
"""

from __future__ import annotations

from time import perf_counter_ns

import numpy as np

__all__ = ["measure_calibration", "CalibrationResult", "CalibrationWorkload"]

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


class CalibrationWorkload:
    """The workload with its arrays made once, to time single repeats during a run.

    Allocation contract of ``time_once``: allocates no array data and retains nothing (its
    Python ints are transient); safe inside a measured hold.
    """

    def __init__(self) -> None:
        rng = np.random.default_rng(12345)
        self._a = rng.random(_N, dtype=np.float32)
        self._b = rng.random(_N, dtype=np.float32)
        self._out = np.empty(_N, dtype=np.float32)
        self._src_keys = rng.integers(0, 1 << 40, size=_N, dtype=np.int64)
        self._keys = np.empty_like(self._src_keys)
        self._objs = [_Obj(i, i * 7) for i in range(1000)]
        self.time_once()  # the untimed first run

    def time_once(self) -> int:
        """Run the workload once; its duration in ns."""
        t0 = perf_counter_ns()
        _workload(self._a, self._b, self._out, self._keys, self._src_keys, self._objs)
        return perf_counter_ns() - t0


def measure_calibration(repeats: int = 25) -> CalibrationResult:
    """Time the fixed workload ``repeats`` times (after one untimed run).

    Raises:
        ValueError: ``repeats`` < 1.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    work = CalibrationWorkload()
    return CalibrationResult([work.time_once() for _ in range(repeats)])
