"""GC policy: the one thing the profiler drives. Collect at chosen moments, not mid-combat.

* ``after_loading()`` - ``gc.collect()`` then ``gc.freeze()``: everything loaded so far moves to
  the permanent generation, so later full collections no longer traverse it (a full collection
  over 18k tracked objects went from ~2 ms to ~0.2 us in /work/shared/MEASURING.md).
* ``freeze_survivors()`` - a young collection then ``gc.freeze()``: the end of a warm-up before
  a measured window. It leaves CPython's free lists filled (a full collection empties them).
* ``enter_combat()`` / ``exit_combat()`` - raise the collector's thresholds while enemies are
  on screen (default ``(25_000, 10, 10)``, Ren'Py's play-time values) and restore the previous
  ones afterwards.
* ``safe_point()`` - collect now (default: full), e.g. between waves or on a menu.
* ``spare_time(ns_left)`` - collect a young generation when the frame has at least
  ``spare_min_ns`` left and at least ``spare_gen0_pending`` containers are pending in gen0
  (Ren'Py's idle collection).

Every collection it asks for is timed and recorded in ``log`` (kind = action, value = pause
ms, aux = generation, flag = objects found unreachable); while it runs, ``collecting`` is True,
so the meter marks that collection as explicit.

Allocation contract: ``spare_time`` when it does not collect makes one transient tuple
(``gc.get_count()``); the actions that collect allocate what the collector does.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from time import perf_counter_ns

import numpy as np

from .events import EventLog

__all__ = ["GcPolicy", "GC_ACTIONS"]

GC_ACTIONS = ("after_loading", "safe_point", "spare_time", "manual")
_AFTER_LOADING, _SAFE_POINT, _SPARE_TIME, _MANUAL = range(4)


def _check_thresholds(value: object) -> tuple[int, int, int]:
    if (not isinstance(value, tuple) or len(value) != 3
            or not all(isinstance(v, int) and v >= 0 for v in value)):
        raise ValueError(f"thresholds must be a tuple of 3 ints >= 0, got {value!r}")
    return value  # type: ignore[return-value]


class GcPolicy:
    """When to collect, with telemetry of what it did.

    Args:
        combat_thresholds: ``gc.set_threshold`` values while in combat.
        spare_gen0_pending: gen0 count at or above which ``spare_time`` collects.
        spare_min_ns: frame time left at or above which ``spare_time`` may collect.
        spare_generation: generation ``spare_time`` collects (1: both young generations).
        safe_point_generation: generation ``safe_point`` collects by default.
        capacity: actions kept in ``log``.
        on_combat: called with True/False when combat starts/ends (the Profiler passes the
            spike detector's setter here).

    Raises:
        ValueError: thresholds are not three ints >= 0, or a generation is not 0..2.
    """

    def __init__(self, *, combat_thresholds: tuple[int, int, int] = (25_000, 10, 10),
                 spare_gen0_pending: int = 2_500, spare_min_ns: int = 2_000_000,
                 spare_generation: int = 1, safe_point_generation: int = 2,
                 capacity: int = 256,
                 on_combat: Callable[[bool], None] | None = None) -> None:
        self.combat_thresholds = _check_thresholds(combat_thresholds)
        for name, g in (("spare_generation", spare_generation),
                        ("safe_point_generation", safe_point_generation)):
            if g not in (0, 1, 2):
                raise ValueError(f"{name} must be 0, 1 or 2, got {g!r}")
        self.spare_gen0_pending = int(spare_gen0_pending)
        self.spare_min_ns = int(spare_min_ns)
        self.spare_generation = spare_generation
        self.safe_point_generation = safe_point_generation
        self.on_combat = on_combat
        self.log = EventLog(capacity, len(GC_ACTIONS), GC_ACTIONS)
        self.collecting = False
        """True while the policy's own ``gc.collect`` runs (the meter marks it explicit)."""
        self.in_combat = False
        self.frozen = False
        """Whether ``after_loading`` (or ``freeze``) has frozen the heap."""
        # The thresholds saved by enter_combat, copied out of the tuple gc.get_threshold()
        # returns: a tuple kept through the fight would be one taken from CPython's tuple free
        # list, which the game's next burst of 3-tuples then refills with a fresh allocation
        # (a block and a gen0 count inside the measured window).
        self._saved_thresholds = np.zeros(3, dtype=np.int64)
        self._has_saved = False
        self.collections = 0
        self.pause_ns_total = 0
        self.frame = 0
        """Set by the Profiler each frame, so actions are logged with their frame number."""

    def _collect(self, action: int, generation: int) -> int:
        self.collecting = True
        t0 = perf_counter_ns()
        try:
            found = gc.collect(generation)
        finally:
            t1 = perf_counter_ns()
            self.collecting = False
        pause = t1 - t0
        self.collections += 1
        self.pause_ns_total += pause
        self.log.record(action, self.frame, t1, pause * 1e-6, generation, found)
        return found

    def after_loading(self) -> int:
        """Full collection, then ``gc.freeze()``. Returns the objects found unreachable."""
        found = self._collect(_AFTER_LOADING, 2)
        gc.freeze()
        self.frozen = True
        return found

    def freeze_survivors(self, generation: int = 1) -> int:
        """Collect the young generations, then ``gc.freeze()``: what survived moves to the
        permanent generation, as with ``after_loading``, but without a full collection.

        Use it at the end of a warm-up, before a measured window, once ``after_loading`` has
        run. A full collection (generation 2) also empties CPython's free lists (floats,
        tuples, lists, dicts); the window would then watch them refill to the game's usual
        level, a few blocks at a time, as allocation growth. A young collection leaves them
        as the warm-up filled them. Logged as a ``safe_point`` action.

        Returns:
            The objects found unreachable.

        Raises:
            ValueError: generation is not 0 or 1.
        """
        if generation not in (0, 1):
            raise ValueError(f"generation must be 0 or 1 (2 is after_loading), got "
                             f"{generation!r}")
        found = self._collect(_SAFE_POINT, generation)
        gc.freeze()
        self.frozen = True
        return found

    def freeze(self) -> None:
        """``gc.freeze()`` without collecting (what has been allocated stays)."""
        gc.freeze()
        self.frozen = True

    def unfreeze(self) -> None:
        """``gc.unfreeze()``: frozen objects return to the oldest generation."""
        gc.unfreeze()
        self.frozen = False

    def enter_combat(self) -> None:
        """Raise the thresholds to ``combat_thresholds``, remembering the current ones.

        Allocates nothing retained (the saved thresholds go into an int64 array).
        """
        if not self.in_combat:
            t0, t1, t2 = gc.get_threshold()
            saved = self._saved_thresholds
            saved[0] = t0
            saved[1] = t1
            saved[2] = t2
            self._has_saved = True
            gc.set_threshold(*self.combat_thresholds)
            self.in_combat = True
            if self.on_combat is not None:
                self.on_combat(True)

    def exit_combat(self) -> None:
        """Restore the thresholds saved by ``enter_combat``."""
        if self.in_combat:
            if self._has_saved:
                saved = self._saved_thresholds
                gc.set_threshold(int(saved[0]), int(saved[1]), int(saved[2]))
            self._has_saved = False
            self.in_combat = False
            if self.on_combat is not None:
                self.on_combat(False)

    def safe_point(self, generation: int | None = None) -> int:
        """Collect now (between waves, on a menu). Returns the objects found unreachable.

        Raises:
            ValueError: generation is not 0, 1 or 2.
        """
        gen = self.safe_point_generation if generation is None else generation
        if gen not in (0, 1, 2):
            raise ValueError(f"generation must be 0, 1 or 2, got {gen!r}")
        return self._collect(_SAFE_POINT, gen)

    def collect_now(self, generation: int = 2) -> int:
        """A manual collection (dashboard button). Returns the objects found unreachable.

        Raises:
            ValueError: generation is not 0, 1 or 2.
        """
        if generation not in (0, 1, 2):
            raise ValueError(f"generation must be 0, 1 or 2, got {generation!r}")
        return self._collect(_MANUAL, generation)

    def spare_time(self, ns_left: int) -> bool:
        """Collect ``spare_generation`` if the frame has time left and gen0 has enough pending.

        Returns:
            True if it collected.
        """
        if ns_left < self.spare_min_ns:
            return False
        if gc.get_count()[0] < self.spare_gen0_pending:
            return False
        self._collect(_SPARE_TIME, self.spare_generation)
        return True

    def close(self) -> None:
        """Leave combat (restoring the thresholds). The freeze is left as it is."""
        self.exit_combat()

    def as_dict(self) -> dict[str, object]:
        """What the policy did (allocates; for reports)."""
        return {
            "frozen": self.frozen,
            "in_combat": self.in_combat,
            "thresholds": list(gc.get_threshold()),
            "combat_thresholds": list(self.combat_thresholds),
            "collections": self.collections,
            "pause_ms_total": self.pause_ns_total * 1e-6,
            "by_action": {name: int(self.log.counts[i]) for i, name in enumerate(GC_ACTIONS)},
            "recent": self.log.recent(16),
        }
