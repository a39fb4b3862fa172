"""Budgets: frame time and memory growth limits, and the warnings shown when they are exceeded.

Checked once a second (on the meter's 1 Hz sample), not every frame: a single slow frame is a
spike (see ``spikes.py``); a budget warning means a sustained excess.

* frame: the mean CPU frame time over the last second (``FrameMeter.sec_cpu_ms``, the
  meter's one CPU frame time) exceeds ``frame_ms``;
* memory: RSS growth since the warm-up mark exceeds ``memory_growth_mb`` (MB = 10**6 bytes),
  or, while allocation tracing is on, traced-bytes growth does. Judged only after the mark:
  before it, growth is since start (loading, the ramp) and no budget of a game's steady
  state; ``Profiler.mark_warmup_end`` re-checks at once, so a warning does not linger for up
  to a second after the mark.

``warnings`` holds prebuilt strings; it changes only when a budget starts or stops being
exceeded, so reading it each frame costs nothing.
"""

from __future__ import annotations

from .meter import FrameMeter

__all__ = ["Budgets"]


class Budgets:
    """Frame time and memory growth budgets.

    Args:
        frame_ms: CPU frame time budget per frame, ms.
        memory_growth_mb: allowed growth since the warm-up mark, MB.

    Raises:
        ValueError: a budget <= 0.
    """

    def __init__(self, frame_ms: float = 16.0, memory_growth_mb: float = 50.0) -> None:
        if frame_ms <= 0 or memory_growth_mb <= 0:
            raise ValueError(f"budgets must be > 0, got frame_ms={frame_ms}, "
                             f"memory_growth_mb={memory_growth_mb}")
        self.frame_ms = float(frame_ms)
        self.memory_growth_mb = float(memory_growth_mb)
        self.frame_warning = (f"frame time over budget: mean CPU frame time > {frame_ms:g} ms "
                              f"last second")
        self.memory_warning = (f"memory growth since warm-up over budget: "
                               f"> {memory_growth_mb:g} MB")
        self.traced_warning = (f"traced memory growth since warm-up over budget: "
                               f"> {memory_growth_mb:g} MB")
        self.warnings: list[str] = []
        """Prebuilt warning strings currently in force (shown on the dashboard)."""
        self.frame_seconds_over = 0
        """Seconds (1 Hz samples) whose mean CPU frame time exceeded the budget."""
        self.memory_over = False

    def _set(self, message: str, on: bool) -> None:
        present = message in self.warnings
        if on and not present:
            self.warnings.append(message)
        elif not on and present:
            self.warnings.remove(message)

    def check(self, meter: FrameMeter, *, now: bool = False) -> None:
        """Update ``warnings`` on the meter's 1 Hz sample (or at once with ``now``, for the
        warm-up mark); a no-op on other frames.

        Allocation contract: allocates nothing retained; the list changes only on transitions.
        """
        if now:
            limit = self.memory_growth_mb * 1e6
            self.memory_over = meter.warmed_up and meter.rss_growth_bytes > limit
            self._set(self.memory_warning, self.memory_over)
            self._set(self.traced_warning, meter.warmed_up
                      and meter.traced_growth_bytes > limit)
            return
        if not meter.second_ticked:
            return
        frame_over = meter.sec_cpu_ms.last() > self.frame_ms
        if frame_over:
            self.frame_seconds_over += 1
        self._set(self.frame_warning, frame_over)
        self.check(meter, now=True)

    def as_dict(self) -> dict[str, object]:
        """Budgets and current warnings (allocates; for reports)."""
        return {"frame_ms": self.frame_ms, "memory_growth_mb": self.memory_growth_mb,
                "frame_seconds_over": self.frame_seconds_over,
                "warnings": list(self.warnings)}
