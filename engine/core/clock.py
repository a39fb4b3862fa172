"""Clocks: where the App reads the time of each frame, in integer nanoseconds.

The App reads its clock exactly once per frame (``now_ns()``) and hands the difference to the
scheduler. Swapping the clock is how a run is made reproducible:

* :class:`SystemClock` - the real time, ``time.perf_counter_ns()``.
* :class:`FixedClock` - benchmark mode: every read is one frame later by a fixed amount, so
  the scheduler sees the same frame times on every machine and every run.
* :class:`ManualClock` - tests: the time moves only when the test moves it.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "SystemClock", "FixedClock", "ManualClock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with ``now_ns() -> int``: a monotonic time in integer nanoseconds."""

    def now_ns(self) -> int:
        """The current time in nanoseconds (monotonic, arbitrary origin)."""
        ...


def _check_ns(name: str, value: object, *, positive: bool) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int number of nanoseconds, got "
                        f"{type(value).__name__}")
    if value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise ValueError(f"{name} must be {bound} ns, got {value}")
    return value


class SystemClock:
    """The real time: ``time.perf_counter_ns()``. ``now_ns`` allocates nothing lasting."""

    def now_ns(self) -> int:
        """The current ``perf_counter_ns()``."""
        return time.perf_counter_ns()


class FixedClock:
    """A clock that moves by exactly ``frame_ns`` at each read (benchmark mode).

    The first read returns ``start_ns``, the n-th ``start_ns + (n - 1) * frame_ns``. The App
    reads its clock once per frame, so every frame lasts ``frame_ns`` whatever the wall time.

    Args:
        frame_ns: the duration of one frame, in nanoseconds (> 0).
        start_ns: the time returned by the first read (>= 0).

    Raises:
        TypeError: a value is not an int.
        ValueError: ``frame_ns <= 0`` or ``start_ns < 0``.
    """

    def __init__(self, frame_ns: int, start_ns: int = 0) -> None:
        self.frame_ns: int = _check_ns("frame_ns", frame_ns, positive=True)
        """Nanoseconds added at each read."""
        self._next_ns: int = _check_ns("start_ns", start_ns, positive=False)
        self.reads: int = 0
        """How many times ``now_ns`` was called (= frames seen by the App)."""

    def now_ns(self) -> int:
        """Return the time of this read and move the clock one frame on. Allocates nothing
        lasting."""
        t = self._next_ns
        self._next_ns = t + self.frame_ns
        self.reads += 1
        return t


class ManualClock:
    """A clock that moves only when told to (tests, scripted frame sequences).

    Args:
        start_ns: the initial time (>= 0).

    Raises:
        TypeError: ``start_ns`` is not an int.
        ValueError: ``start_ns < 0``.
    """

    def __init__(self, start_ns: int = 0) -> None:
        self._now_ns: int = _check_ns("start_ns", start_ns, positive=False)

    def now_ns(self) -> int:
        """The time last set."""
        return self._now_ns

    def advance(self, ns: int) -> int:
        """Move the time forward by ``ns`` (>= 0) and return the new time.

        Raises:
            TypeError: ``ns`` is not an int.
            ValueError: ``ns < 0`` (a monotonic clock never goes back).
        """
        self._now_ns += _check_ns("ns", ns, positive=False)
        return self._now_ns

    def set(self, now_ns: int) -> None:
        """Set the time to ``now_ns``, which must not be earlier than the current time.

        Raises:
            TypeError: ``now_ns`` is not an int.
            ValueError: ``now_ns`` is negative or earlier than the current time.
        """
        _check_ns("now_ns", now_ns, positive=False)
        if now_ns < self._now_ns:
            raise ValueError(f"a monotonic clock cannot go back: now is {self._now_ns} ns, "
                             f"asked for {now_ns} ns")
        self._now_ns = now_ns
