"""Leaks by trend: growth since the warm-up mark with a robust slope, sampled at 1 Hz.

A leak is a line, not a window's sum: one object every 4th tick is 7.5 blocks a second, which a
tumbling window restarting at zero never sees, but a slope over the last seconds does. Each
``Trend`` keeps the 1 Hz samples since the mark in a preallocated ring and, each second, asks
whether the newest 9, 18 or 30 samples (each window split into thirds) rise steadily:

* the slope is the **Theil-Sen** estimate, the median of the pairwise slopes. Chosen over least
  squares because single samples lie: a burst of temporaries alive at the 1 Hz reading (RSS),
  a collection mid-window (blocks) moves one point, and a median ignores up to ~29 % of them
  where a least-squares fit is pulled by each;
* a free-list refill or a one-off cache fill is a **step** (or a ramp of a few seconds), not
  a line, and a step inside a window tilts even a median. So a trend is real only when *each
  third* of a window has a slope over ``slope_per_min``: a step, or a ramp no longer than a
  third, touches two thirds at most, and the third one is flat (halves were not enough: a
  3-second ramp of 80 blocks in a clean run straddled the two halves of an 8-second window);
* and only when the **growth since the mark** is over ``min_growth``: a slope on a few blocks
  of noise is not a leak.

The flag rises once per episode (``flagged``); it re-arms after ``REARM_S`` samples without a
trend. The first flag's time since the mark is ``first_flag_s``: the detection time, in the
meter's frame clock (simulated seconds in benchmark mode).

Allocation contract: ``push`` allocates nothing retained (small index temporaries, freed;
``out=`` arithmetic into scratch arrays made by the constructor, an in-place ``partition`` for
the median); ``mark`` allocates nothing.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Trend", "WINDOWS", "REARM_S"]

WINDOWS = (9, 18, 30)
"""Samples (1 Hz) of the windows a trend is looked for in (multiples of 3, split into thirds):
the short one flags fast leaks in ~9 s, the long ones see slow leaks through noise."""
REARM_S = 30
"""Samples without a trend after which a flagged trend may flag again."""


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    i, j = np.triu_indices(n, k=1)
    return i.astype(np.intp), j.astype(np.intp)


class Trend:
    """One signal's growth since the mark and its robust slope (see the module docstring).

    Args:
        name: the signal's name (shown in reports and flags).
        unit: its unit (``"blocks"``, ``"bytes"``, ``"objects"``, ``"slots"``).
        slope_per_min: least slope, in ``unit`` per minute, of each third of a window.
        min_growth: least growth since the mark, in ``unit``.
        windows: window sizes in samples (multiples of 3, >= 6).

    Raises:
        ValueError: a threshold < 0 or a window size that is not a multiple of 3 >= 6.
    """

    def __init__(self, name: str, unit: str, *, slope_per_min: float, min_growth: float,
                 windows: tuple[int, ...] = WINDOWS) -> None:
        if slope_per_min < 0 or min_growth < 0:
            raise ValueError(f"trend {name!r}: thresholds must be >= 0, got slope_per_min="
                             f"{slope_per_min}, min_growth={min_growth}")
        if not windows or any(w < 6 or w % 3 for w in windows):
            raise ValueError(f"trend {name!r}: windows must be multiples of 3 >= 6, got "
                             f"{windows}")
        self.name = name
        self.unit = unit
        self.slope_per_min = float(slope_per_min)
        self.min_growth = float(min_growth)
        self.windows = tuple(sorted(windows))
        cap = self.windows[-1]
        self.capacity = cap
        self._t = np.zeros(cap, dtype=np.float64)
        self._y = np.zeros(cap, dtype=np.float64)
        # Pair indices of every size up to the longest window (the whole-window slope is
        # taken over the samples there are), and scratch for the most pairs.
        self._pair = {h: _pairs(h) for h in range(2, cap + 1)}
        most = len(self._pair[cap][0])
        self._a = np.zeros(most, dtype=np.float64)
        self._b = np.zeros(most, dtype=np.float64)
        # Cells: samples since mark, base value, last value, slope/min, first flag s,
        # samples since the last trend, flagged, t at mark, the most growth since the last
        # retraction, the most growth a retraction took back (a flag must pass it).
        self._s = np.zeros(10, dtype=np.float64)
        self.retracted = 0
        """Flags withdrawn by ``retract``."""
        self.mark(0.0, 0.0)

    # ----------------------------------------------------------------- state
    def mark(self, t_s: float, value: float) -> None:
        """Restart at the warm-up mark: growth counts from ``value`` at ``t_s``."""
        s = self._s
        s.fill(0.0)
        s[1] = value
        s[2] = value
        s[4] = np.nan
        s[7] = t_s

    @property
    def samples(self) -> int:
        return int(self._s[0])

    @property
    def growth(self) -> float:
        """Growth since the mark (``unit``)."""
        return float(self._s[2] - self._s[1])

    @property
    def slope(self) -> float:
        """Theil-Sen slope over the newest samples (up to the longest window), per minute."""
        return float(self._s[3])

    @property
    def flagged(self) -> bool:
        return bool(self._s[6])

    @property
    def first_flag_s(self) -> float | None:
        """Seconds from the mark to the first flag, or None."""
        v = float(self._s[4])
        return None if v != v else v

    # ----------------------------------------------------------------- the sample
    def _theil_sen(self, t: np.ndarray, y: np.ndarray) -> float:
        """Median pairwise slope (per second) of ``t``/``y``. Allocates four small index
        temporaries (freed) and nothing retained: ``np.take(out=)`` into a view was measured
        to keep an array header per call for the first sizes it met."""
        i, j = self._pair[len(t)]
        k = len(i)
        a, b = self._a[:k], self._b[:k]
        np.subtract(y[j], y[i], out=a)
        np.subtract(t[j], t[i], out=b)
        np.divide(a, b, out=a)
        mid = k // 2
        a.partition(mid)
        return float(a[mid])

    def push(self, t_s: float, value: float) -> bool:
        """One 1 Hz sample; returns True when this sample raised the flag.

        Allocation contract: allocates nothing retained (and no array).
        """
        cap = self.capacity
        t, y, s = self._t, self._y, self._s
        t[:-1] = t[1:]
        y[:-1] = y[1:]
        t[-1] = t_s
        y[-1] = value
        s[0] += 1
        s[2] = value
        if value - s[1] > s[8]:
            s[8] = value - s[1]
        n = int(s[0]) if s[0] < cap else cap
        if n >= 4:
            s[3] = self._theil_sen(t[cap - n:], y[cap - n:]) * 60.0
        trend = False
        if s[2] - s[1] >= self.min_growth + s[9]:
            limit = self.slope_per_min / 60.0
            for w in self.windows:
                if w > n:
                    break
                h = w // 3
                lo = cap - w
                if (self._theil_sen(t[lo:lo + h], y[lo:lo + h]) >= limit
                        and self._theil_sen(t[lo + h:lo + 2 * h], y[lo + h:lo + 2 * h]) >= limit
                        and self._theil_sen(t[lo + 2 * h:], y[lo + 2 * h:]) >= limit):
                    trend = True
                    break
        if trend:
            s[5] = 0
            if not s[6]:
                s[6] = 1
                if s[4] != s[4]:
                    s[4] = t_s - s[7]
                return True
        else:
            s[5] += 1
            if s[5] >= REARM_S:
                s[6] = 0
        return False

    def retract(self) -> None:
        """Withdraw the flag and its detection time (the growth was taken back: cycle garbage
        that a collection freed, not a leak); ``retracted`` counts how often. From now on a
        flag needs growth past the most a retraction took back (a sawtooth of garbage never
        passes its own peaks; a leak under it does)."""
        s = self._s
        s[6] = 0
        s[4] = np.nan
        s[9] = max(s[9], s[8])
        s[8] = 0.0
        self.retracted += 1

    def as_dict(self) -> dict[str, object]:
        """Growth, slope and flag (allocates; for reports)."""
        return {"name": self.name, "unit": self.unit, "growth": self.growth,
                "slope_per_min": self.slope, "flagged": self.flagged,
                "first_flag_s": self.first_flag_s, "samples": self.samples,
                "retracted": self.retracted,
                "slope_limit_per_min": self.slope_per_min, "growth_limit": self.min_growth}
