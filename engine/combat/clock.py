"""The simulated clock every combat system reads its time from."""

from __future__ import annotations

__all__ = ["SimClock"]


class SimClock:
    """Simulated seconds since the world started.

    The ``waves`` system (the first of a tick) advances it by the step's dt; every later
    system of that tick reads the same time (boss cooldowns, the melee swing's time stamp).

    Attributes:
        time: simulated seconds.
    """

    __slots__ = ("time",)

    def __init__(self) -> None:
        self.time = 0.0
