"""User actions in the acceptance run: events of the run, never a failure of a clean one.

``UserActions`` counts each action (``USER_ACTIONS``) in int64 cells and logs it in the
profiler's spike log (``SpikeKind.USER_ACTION``, aux: the action's index). The dashboard's
Screenshot is the one that allocates: in the hold it reads the pixels into a buffer made before
the hold (``prepare``) and writes the PNG once the window is closed (``flush``), since encoding
allocates thousands of objects (and the first one imports the image writer), which the hold's
blocks, gen0 and tracked-objects criteria would count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["USER_ACTIONS", "UserActions"]

USER_ACTIONS = ("screenshot", "resize", "pause", "close")
"""What ``UserActions.log`` records, by index."""
_USER_ACTION = 12
"""``engine.profiler.SpikeKind.USER_ACTION`` (this module imports no profiler class)."""


class UserActions:
    """The run's user actions and the hold's deferred screenshot.

    Args:
        profiler: the run's Profiler (its meter's frame and clock, its spike log).
        path_for: the PNG path of a screenshot taken at a ``time.time_ns()``.
        say: the run's progress printer.
    """

    def __init__(self, profiler: Any, path_for: Callable[[int], Path],
                 say: Callable[[str], None]) -> None:
        self.profiler = profiler
        self.path_for = path_for
        self.say = say
        self.counts = np.zeros(len(USER_ACTIONS), dtype=np.int64)
        """Actions so far, in ``USER_ACTIONS`` order."""
        self._shot = np.zeros(3, dtype=np.int64)  # time of a deferred shot (0: none), w, h
        self._buf = np.zeros(0, dtype=np.uint8)

    def log(self, name: str) -> None:
        """Count and log one action. Allocates nothing retained.

        Raises:
            ValueError: ``name`` is not one of ``USER_ACTIONS``.
        """
        k = USER_ACTIONS.index(name)
        self.counts[k] += 1
        meter = self.profiler.meter
        self.profiler.spikes.log.record(_USER_ACTION, meter.frame, meter._last_end_ns, 0.0, k)

    def prepare(self, fbo: Any) -> None:
        """Before the hold's readings: the pixel buffer for ``fbo``'s size, and one read into
        it as the button would do (its first-call objects and free-list levels are then the
        warm-up's, not the hold's)."""
        w, h = fbo.size
        if self._buf.shape[0] != w * h * 4:
            self._buf = np.zeros(w * h * 4, dtype=np.uint8)
        fbo.read_into(self._buf, viewport=(0, 0, w, h), components=4, alignment=1)

    def screenshot(self, fbo: Any, renderer: Any, in_hold: bool) -> None:
        """The dashboard's Screenshot: the PNG now, or in the hold the pixels now (one shot
        per hold; later clicks are counted) and the PNG at ``flush``."""
        self.log("screenshot")
        w, h = fbo.size
        cells = self._shot
        if not in_hold:
            renderer.screenshot(self.path_for(time.time_ns()))
        elif not cells[0] and self._buf.shape[0] == w * h * 4:
            fbo.read_into(self._buf, viewport=(0, 0, w, h), components=4, alignment=1)
            cells[0] = time.time_ns()
            cells[1] = w
            cells[2] = h

    def flush(self) -> None:
        """Write the hold's deferred screenshot, if any (after the window's readings)."""
        cells = self._shot
        if not cells[0]:
            return
        from engine.render.screenshot import write_png_atomic

        w, h = int(cells[1]), int(cells[2])
        pixels = np.ascontiguousarray(self._buf.reshape(h, w, 4)[::-1])
        try:
            write_png_atomic(pixels, self.path_for(int(cells[0])))
        except OSError as exc:
            self.say(f"screenshot failed: {type(exc).__name__}: {exc}")
        cells[0] = 0
