"""The App: owns the frame, the window (or headless target), the scheduler, input and RNG.

One frame (:meth:`App.run_frame`)::

    frame_ns = clock.now_ns() - previous     # SystemClock, or FixedClock in benchmark mode
    input.poll()                             # window events / injected events; bindings run
    scheduler.advance(frame_ns)              # fixed steps; systems run in order
    if the framebuffer is not 0 x 0:
        target.use(); target.clear(clear_color)
        for hook in render_hooks: hook(alpha)    # alpha = scheduler.overstep_fraction()
        for hook in overlay_hooks: hook()        # ImGui dashboard
    for hook in frame_end_hooks: hook()      # profiler meter
    window.swap()
    (sleep to honour fps_cap, if set; a minimised window is held to the step rate)

Other layers attach by appending to the hook lists; the App calls them and knows nothing of
them. :meth:`App.run` loops until ``max_frames``, the window's close button, Escape (the
``"quit"`` binding) or Ctrl-C, and then always closes: ``shutdown_hooks`` run whatever ended
the run (an exception included), then the GL context is released, then the window and GLFW.
``exit_reason`` and ``closed_early`` say how it ended, for run reports.
"""

from __future__ import annotations

import math
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from types import TracebackType

import moderngl
import numpy as np

from engine.core._glfw import glfw
from engine.core.clock import Clock, FixedClock, SystemClock
from engine.core.input import Input
from engine.core.scheduler import Scheduler
from engine.core.signals import shutting_down, stop_signals
from engine.core.target import BaseWindow, TargetConfig, open_target

__all__ = ["App", "AppConfig", "ShutdownError", "EXIT_REASONS", "BENCHMARK_FRAME_NS"]

EXIT_REASONS = ("max_frames", "window_closed", "escape", "interrupt", "error")
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
            ValueError: not two positive integers joined by ``x`` (the message says what was
                expected and what was given).
        """
        parts = text.lower().split("x") if isinstance(text, str) else []
        try:
            if len(parts) != 2:
                raise ValueError
            w, h = int(parts[0]), int(parts[1])
        except ValueError:
            w = h = 0
        if w <= 0 or h <= 0:
            raise ValueError(f"size must be WIDTHxHEIGHT in pixels, e.g. 1280x720, "
                             f"got {text!r}")
        return w, h

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


class ShutdownError(RuntimeError):
    """One or more shutdown hooks (or the release of the window) raised; all of them still
    ran. ``errors`` holds the exceptions in order."""

    def __init__(self, errors: list[BaseException]) -> None:
        self.errors = list(errors)
        lines = "; ".join(f"{type(e).__name__}: {e}" for e in errors)
        super().__init__(f"{len(errors)} error(s) during shutdown: {lines}")


Hook = Callable[[], object]


class App:
    """The frame loop. See the module docstring for the order of a frame.

    Args:
        config: the configuration (default ``AppConfig()``); validated here.
        clock: the frame clock; default ``FixedClock(benchmark_frame_ns)`` in benchmark mode,
            else ``SystemClock()``.

    Raises:
        TypeError, ValueError: an invalid configuration.
        DisplayUnavailableError: ``headless=False`` and no window can be made.
    """

    def __init__(self, config: AppConfig | None = None, *, clock: Clock | None = None) -> None:
        config = config if config is not None else AppConfig()
        if not isinstance(config, AppConfig):
            raise TypeError(f"config must be an AppConfig, got {type(config).__name__}")
        config.validate()
        self.config: AppConfig = config
        """The configuration the App was made with."""
        if clock is None:
            clock = (FixedClock(config.benchmark_frame_ns or BENCHMARK_FRAME_NS)
                     if config.benchmark else SystemClock())
        elif not isinstance(clock, Clock):
            raise TypeError(f"clock must have now_ns() -> int, got {type(clock).__name__}")
        self.clock: Clock = clock
        """Where frame times come from (read once per frame)."""
        if config.seed is not None:
            seed = config.seed
        elif config.benchmark:
            seed = 0
        else:
            seed = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        self.seed: int = seed
        """The seed of ``rng`` (recorded even when drawn from entropy, to replay a run)."""
        self.rng: np.random.Generator = np.random.default_rng(seed)
        """The run's random generator; systems draw from it (``rng.random(out=buf)``)."""
        self.scheduler: Scheduler = Scheduler(step_hz=config.step_hz,
                                              max_frame_ns=config.max_frame_ns,
                                              max_steps=config.max_steps)
        """The fixed-step scheduler; register systems on it."""
        self.input: Input = Input()
        """Keyboard/mouse state and bindings."""

        self.render_hooks: list[Callable[[float], object]] = []
        """``hook(alpha)`` after the target is cleared (skipped while 0 x 0)."""
        self.overlay_hooks: list[Hook] = []
        """``hook()`` after the render hooks (skipped while 0 x 0): the ImGui dashboard."""
        self.frame_end_hooks: list[Hook] = []
        """``hook()`` at the end of every frame, before the swap: the profiler meter."""
        self.resize_hooks: list[Callable[[int, int], object]] = []
        """``hook(width, height)`` when the framebuffer size changes (during input)."""
        self.startup_hooks: list[Hook] = []
        """``hook()`` at the start of :meth:`run`, before the first frame."""
        self.shutdown_hooks: list[Hook] = []
        """``hook()`` when the App closes, whatever ended the run; before GL is released."""

        self.frame: int = 0
        """Frames completed."""
        self.frame_ns_last: int = 0
        """Duration of the last frame by ``clock``, ns (what the scheduler was given)."""
        self.exit_reason: str | None = None
        """How :meth:`run` ended: one of ``EXIT_REASONS``; None before."""
        self.closed_early: bool = False
        """True when the run ended by interrupt or error, or before its ``max_frames``."""
        self.closed: bool = False
        """True once :meth:`close` ran."""
        self._running = False
        self._close_reason: str | None = None
        self._fps_cap_ns = 0 if config.fps_cap is None else round(1e9 / config.fps_cap)
        self._clear = tuple(float(c) for c in config.clear_color)

        self.window: BaseWindow = open_target(config.target_config())
        """The backend: a GlfwWindow (``.glfw_window``, ``.glfw_window_address``) or a
        HeadlessWindow (``.color_texture``, ``.resize(w, h)``)."""
        self.ctx: moderngl.Context = self.window.ctx
        """The moderngl context."""
        self.headless: bool = self.window.headless
        """True when rendering offscreen."""
        self._w = self.window.width
        self._h = self.window.height
        self.size: tuple[int, int] = (self._w, self._h)
        """Framebuffer size in pixels, ``(0, 0)`` while minimised; updated during input."""
        self.window.attach_input(self.input)
        self.input.bind("quit", glfw.KEY_ESCAPE, self._on_escape)
        self._last_ns = self.clock.now_ns()

    # --- the frame ------------------------------------------------------------------------

    @property
    def target(self) -> moderngl.Framebuffer:
        """The framebuffer to draw into: the window's default framebuffer, or the offscreen
        one headless. May be replaced on resize; read it each frame."""
        return self.window.target

    def reset_frame_clock(self) -> None:
        """Make the next frame's delta start now (e.g. after a long load), so the load is
        neither simulated nor counted as a clamp."""
        self._last_ns = self.clock.now_ns()

    def run_frame(self) -> None:
        """Run one frame: input, fixed steps, render, overlay, frame end, swap, fps cap.

        Allocates nothing after warm-up in itself (held by a test headless, with no hooks
        and a no-op system); what hooks and systems allocate is theirs.

        Raises:
            Exception: whatever an input binding, system or hook raises propagates.
        """
        # A minimised window has no vsync to wait on: without a cap the loop would spin a
        # core, so while 0 x 0 a window's frames are held to the step rate.
        cap_ns = self._fps_cap_ns
        if not cap_ns and not self.headless and (self._w == 0 or self._h == 0):
            cap_ns = self.scheduler.step_ns
        cap_start = time.perf_counter_ns() if cap_ns else 0
        now = self.clock.now_ns()
        frame_ns = now - self._last_ns
        self._last_ns = now
        self.frame_ns_last = frame_ns
        self.input.poll()
        window = self.window
        if window.width != self._w or window.height != self._h:
            self._on_resize(window.width, window.height)
        self.scheduler.advance(frame_ns)
        if self._w > 0 and self._h > 0:
            target = window.target
            target.use()
            r, g, b, a = self._clear
            target.clear(r, g, b, a)
            alpha = self.scheduler.overstep_fraction()
            for render in self.render_hooks:
                render(alpha)
            for overlay in self.overlay_hooks:
                overlay()
        for end in self.frame_end_hooks:
            end()
        window.swap()
        self.frame += 1
        if cap_start:
            remaining = cap_ns - (time.perf_counter_ns() - cap_start)
            if remaining > 0:
                time.sleep(remaining / 1e9)

    def _on_resize(self, width: int, height: int) -> None:
        self._w = width
        self._h = height
        self.size = (width, height)
        for hook in self.resize_hooks:
            hook(width, height)

    def _on_escape(self) -> None:
        self.request_close("escape")

    def request_close(self, reason: str = "window_closed") -> None:
        """End :meth:`run` after the current frame (safe from hooks and bindings).

        Args:
            reason: recorded as ``exit_reason`` (the first request wins): one of
                ``EXIT_REASONS``.

        Raises:
            ValueError: ``reason`` is not one of ``EXIT_REASONS``.
        """
        if reason not in EXIT_REASONS:
            raise ValueError(f"reason must be one of {EXIT_REASONS}, got {reason!r}")
        if self._close_reason is None:
            self._close_reason = reason
        if not self.window.closed:
            self.window.set_should_close(True)

    # --- the loop and shutdown ------------------------------------------------------------

    def run(self, max_frames: int | None = None) -> str:
        """Run frames until ``max_frames``, window close, Escape or Ctrl-C; then close.

        Startup hooks run first. Whatever ends the loop - an exception included - the App
        is closed: shutdown hooks run, then GL and the window are released. Ctrl-C
        (``KeyboardInterrupt``, also when raised by a system or hook), SIGTERM and SIGHUP end
        the run normally with ``exit_reason == "interrupt"`` (SIGINT too when the shell
        ignored it, see ``engine.core.signals``); any other exception is re-raised after
        closing.

        Args:
            max_frames: stop after this many frames (None = until closed).

        Returns:
            ``exit_reason``: "max_frames", "window_closed", "escape" or "interrupt".

        Raises:
            TypeError, ValueError: ``max_frames`` is not None or an int >= 0.
            RuntimeError: the App is closed or already running.
            ShutdownError: a shutdown hook raised (after all ran and resources were freed).
            Exception: what a frame raised (``exit_reason == "error"``).
        """
        if max_frames is not None and (isinstance(max_frames, bool)
                                       or not isinstance(max_frames, int)):
            raise TypeError(f"max_frames must be an int or None, got "
                            f"{type(max_frames).__name__}")
        if max_frames is not None and max_frames < 0:
            raise ValueError(f"max_frames must be >= 0, got {max_frames}")
        if self.closed:
            raise RuntimeError("this App is closed; make a new one to run again")
        if self._running:
            raise RuntimeError("run() is already running")
        self._running = True
        error: BaseException | None = None
        reason = "error"
        # SIGTERM and SIGHUP end the loop like Ctrl-C; a signal during close() is noted, not
        # obeyed, so the shutdown hooks finish (engine.core.signals).
        signals = ExitStack()
        signals.enter_context(stop_signals())
        try:
            for hook in self.startup_hooks:
                hook()
            self.reset_frame_clock()
            frames = 0
            window = self.window
            while True:
                if max_frames is not None and frames >= max_frames:
                    reason = "max_frames"
                    break
                if window.should_close():
                    reason = self._close_reason or "window_closed"
                    break
                self.run_frame()
                frames += 1
        except KeyboardInterrupt:
            reason = "interrupt"
        except BaseException as exc:
            reason = "error"
            error = exc
        finally:
            self._running = False
        self.exit_reason = reason
        self.closed_early = reason in ("interrupt", "error") or (
            max_frames is not None and reason != "max_frames")
        with signals, shutting_down():
            if error is None:
                self.close()
                return reason
            try:
                self.close()
            except ShutdownError as shutdown_exc:
                # The frame's exception is the one to report; shutdown failures go to stderr.
                print("engine: shutdown after an error also failed:", file=sys.stderr)
                traceback.print_exception(shutdown_exc, file=sys.stderr)
        raise error

    def close(self) -> None:
        """Run the shutdown hooks, then release the GL context, then the window (and GLFW).

        Every hook runs even if one raises. Safe to call twice. Called from inside a running
        frame (a hook), it only requests the close; :meth:`run` closes when the frame ends.

        Raises:
            ShutdownError: hooks or the release raised; everything was still attempted.
        """
        if self.closed:
            return
        if self._running:
            self.request_close("window_closed")
            return
        self.closed = True
        errors: list[BaseException] = []
        try:
            for hook in self.shutdown_hooks:
                try:
                    hook()
                except Exception as exc:
                    errors.append(exc)
        finally:
            try:
                self.window.close()
            except Exception as exc:
                errors.append(exc)
        if errors:
            raise ShutdownError(errors) from errors[0]

    def read_pixels(self, components: int = 4) -> bytes:
        """The target's pixels (rows bottom-up); call before the swap, e.g. in a frame-end
        hook. Allocates the bytes returned (a tool, not a per-frame path).

        Raises:
            RuntimeError: the framebuffer is 0 x 0 or the App is closed.
        """
        return self.window.read_pixels(components)

    def __enter__(self) -> App:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
