"""The App's configuration (``AppConfig``), its exit reasons and the benchmark frame length."""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.core.options import parse_size
from engine.core.target import TargetConfig

__all__ = ["AppConfig", "EXIT_REASONS", "BENCHMARK_FRAME_NS"]

EXIT_REASONS = ("max_frames", "time_limit", "window_closed", "escape", "interrupt", "error")
"""The values of ``App.exit_reason`` after :meth:`App.run`."""

BENCHMARK_FRAME_NS = 16_666_667
"""Benchmark mode's frame duration when ``benchmark_frame_ns`` is not given (1/60 s)."""


@dataclass
class AppConfig:
    """Everything the App needs to open its target and set up its loop."""

    width: int = 1280
    """Requested framebuffer width in pixels (> 0)."""
    height: int = 720
    """Requested framebuffer height in pixels (> 0)."""
    title: str = "horde engine"
    """Window title."""
    vsync: bool = True
    """Swap on vertical blank (window only)."""
    fps_cap: float | None = None
    """Frames per second not to exceed, by sleeping the rest of each frame; None = no cap."""
    headless: bool | None = None
    """None = auto (a window if a display is usable, else headless with a notice on stderr);
    True = offscreen EGL; False = a window or an error."""
    step_hz: float = 30.0
    """Fixed simulation steps per second."""
    max_frame_ns: int = 250_000_000
    """Frame deltas above this are clamped (and counted) against the spiral of death."""
    max_steps: int = 5
    """Most fixed steps in one frame; extra whole steps are dropped (and counted)."""
    benchmark: bool = False
    """Reproducible run: a FixedClock (every frame lasts ``benchmark_frame_ns``) and a seeded
    RNG (``seed``, or 0 when None)."""
    benchmark_frame_ns: int | None = None
    """Frame duration in benchmark mode; None = 1/60 s (16,666,667 ns)."""
    seed: int | None = None
    """Seed of ``app.rng``; None = fresh entropy (recorded in ``app.seed``), or 0 in benchmark
    mode."""
    samples: int = 0
    """MSAA samples of the target (0 = none)."""
    clear_color: tuple[float, float, float, float] = (0.06, 0.06, 0.08, 1.0)
    """RGBA the target is cleared to at the start of rendering each frame."""

    @staticmethod
    def parse_size(text: str) -> tuple[int, int]:
        """``"1280x720"`` -> ``(1280, 720)``: the ``--size`` of a command line.

        Raises:
            ValueError: not two positive integers joined by ``x``, or a side above
                ``engine.core.options.MAX_SIDE`` (the message says what was expected and what
                was given).
        """
        return parse_size(text)

    def target_config(self) -> TargetConfig:
        """The part of this configuration the render target reads."""
        return TargetConfig(width=self.width, height=self.height, title=self.title,
                            vsync=self.vsync, headless=self.headless, samples=self.samples)

    def validate(self) -> None:
        """Check the types and ranges of every field (the target's through its config).

        Raises:
            TypeError: a field has the wrong type.
            ValueError: a field is out of range (the message names it and its value).
        """
        self.target_config().validate("AppConfig")
        if self.fps_cap is not None:
            if isinstance(self.fps_cap, bool) or not isinstance(self.fps_cap, (int, float)):
                raise TypeError(f"AppConfig.fps_cap must be a number or None, got "
                                f"{type(self.fps_cap).__name__}")
            if not math.isfinite(self.fps_cap) or self.fps_cap <= 0:
                raise ValueError(f"AppConfig.fps_cap must be a finite number > 0 or None, got "
                                 f"{self.fps_cap}")
        if self.benchmark_frame_ns is not None and (
                isinstance(self.benchmark_frame_ns, bool)
                or not isinstance(self.benchmark_frame_ns, int)
                or self.benchmark_frame_ns <= 0):
            raise ValueError(f"AppConfig.benchmark_frame_ns must be an int > 0 or None, got "
                             f"{self.benchmark_frame_ns!r}")
        if self.seed is not None and (isinstance(self.seed, bool)
                                      or not isinstance(self.seed, int) or self.seed < 0):
            raise ValueError(f"AppConfig.seed must be an int >= 0 or None, got {self.seed!r}")
        color = self.clear_color
        if (not isinstance(color, (tuple, list)) or len(color) != 4
                or not all(isinstance(c, (int, float)) and not isinstance(c, bool)
                           for c in color)):
            raise ValueError(f"AppConfig.clear_color must be 4 numbers (RGBA), got {color!r}")
