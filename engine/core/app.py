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
    window.swap()                            # a window presents; headless waits for GL
    (sleep to honour fps_cap, if set; a minimised window is held to the step rate)

Other layers attach by appending to the hook lists; the App calls them and knows nothing of
them. :meth:`App.run` loops until ``max_frames``, the window's close button, Escape (the
``"quit"`` binding) or Ctrl-C, and then always closes: ``shutdown_hooks`` run whatever ended
the run (an exception included), then the GL context is released, then the window and GLFW.
``exit_reason`` and ``closed_early`` say how it ended, for run reports.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType

import moderngl
import numpy as np

from engine.core._glfw import glfw
from engine.core.clock import Clock, FixedClock, SystemClock
from engine.core.config import BENCHMARK_FRAME_NS, EXIT_REASONS, AppConfig
from engine.core.input import Input
from engine.core.scheduler import Scheduler
from engine.core.signals import shutting_down, stop_signals
from engine.core.target import BaseWindow, open_target

__all__ = ["App", "AppConfig", "ShutdownError", "EXIT_REASONS", "BENCHMARK_FRAME_NS"]


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

    Run it whole with :meth:`run`, or drive it by hand: :meth:`start` (startup hooks, once),
    :meth:`step_frame` per frame (False once asked to close), :meth:`close` (shutdown hooks,
    then GL and the window)::

        app.start()
        while app.step_frame() and app.frame < 100:
            pass
        app.close()

    Attributes:
        config: the ``AppConfig`` it was made with.
        ctx: the moderngl context (make GL objects through ``GraphicsContext(app.ctx)``).
        target: the framebuffer to draw into this frame (re-read after a resize).
        size: ``(width, height)`` of the framebuffer; ``(0, 0)`` while minimised.
        window: the backend (``GlfwWindow`` or ``HeadlessWindow``); ``headless``: which.
        scheduler: the fixed-step ``Scheduler``; register systems on it.
        input: keyboard/mouse state and named bindings (``input.bind(name, key, fn)``).
        rng: the run's ``numpy.random.Generator``, seeded by ``seed``.
        clock: where frame times come from (``SystemClock``; ``FixedClock`` in benchmark).
        frame: frames completed; ``frame_ns_last``: the last frame's clock delta, ns;
            ``swap_ns_last``: its swap's wall time, ns (vsync, or the GL queue headless).
        render_hooks: ``hook(alpha)`` after the clear; ``overlay_hooks``: ``hook()`` after
            them; ``frame_end_hooks``: ``hook()`` before the swap; ``resize_hooks``:
            ``hook(w, h)``; ``startup_hooks`` / ``shutdown_hooks``: ``hook()`` at
            :meth:`start` / :meth:`close`.
        started: True once :meth:`start` ran; ``closed``: once :meth:`close` ran.
        exit_reason: how :meth:`run` ended, one of ``EXIT_REASONS`` (None before);
            ``closed_early``: ended by interrupt, error or a close before its limit.

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
        """``hook()`` once, at :meth:`start` (the start of :meth:`run`), before the first
        frame."""
        self.shutdown_hooks: list[Hook] = []
        """``hook()`` when the App closes, whatever ended the run; before GL is released."""

        self.frame: int = 0
        """Frames completed."""
        self.frame_ns_last: int = 0
        """Duration of the last frame by ``clock``, ns (what the scheduler was given)."""
        self.swap_ns_last: int = 0
        """Wall time of the last frame's swap, ns: waiting for vsync in a window, for the GL
        queue headless (the rasteriser). ``run_frame``'s time minus this is its CPU work."""
        self.exit_reason: str | None = None
        """How :meth:`run` ended: one of ``EXIT_REASONS``; None before."""
        self.closed_early: bool = False
        """True when the run ended by interrupt or error, or before its ``max_frames``."""
        self.closed: bool = False
        """True once :meth:`close` ran."""
        self.started: bool = False
        """True once :meth:`start` ran the startup hooks."""
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

    def start(self) -> None:
        """Run the startup hooks (once) and start the frame clock: what :meth:`run` does
        before its first frame. A second call does nothing.

        Raises:
            RuntimeError: the App is closed.
            Exception: what a startup hook raised (the App stays open: :meth:`close` it).
        """
        if self.closed:
            raise RuntimeError("this App is closed; make a new one to start again")
        if self.started:
            return
        self.started = True
        for hook in self.startup_hooks:
            hook()
        self.reset_frame_clock()

    def step_frame(self) -> bool:
        """Drive one frame by hand: :meth:`start` if not yet started, then
        :meth:`run_frame`, unless the App was already asked to close.

        Returns:
            False once the App was asked to close (window close, Escape, ``request_close``):
            stop calling it and :meth:`close`.

        Raises:
            RuntimeError: the App is closed.
            Exception: what the frame raised (:meth:`close` still owed).
        """
        if self.closed:
            raise RuntimeError("this App is closed; step_frame() needs an open App")
        if not self.started:
            self.start()
        if self.window.should_close():
            return False
        self.run_frame()
        return not self.window.should_close()

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
        swap_start = time.perf_counter_ns()
        window.swap()
        self.swap_ns_last = time.perf_counter_ns() - swap_start
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

    def run(self, max_frames: int | None = None, *, max_seconds: float | None = None) -> str:
        """Run frames until ``max_frames``, ``max_seconds``, window close, Escape or Ctrl-C;
        then close.

        Startup hooks run first (:meth:`start`; nothing if it already ran). Whatever ends
        the loop - an exception included - the App is closed: shutdown hooks run, then GL
        and the window are released. Ctrl-C (``KeyboardInterrupt``, also when raised by a
        system or hook), SIGTERM and SIGHUP end the run normally with
        ``exit_reason == "interrupt"`` (SIGINT too when the shell ignored it, see
        ``engine.core.signals``); any other exception is re-raised after closing.

        Args:
            max_frames: stop after this many frames (None = until closed).
            max_seconds: stop at the first frame boundary after this many wall-clock
                seconds from the start of the loop (None = no time limit).

        Returns:
            ``exit_reason``: "max_frames", "time_limit", "window_closed", "escape" or
            "interrupt".

        Raises:
            TypeError, ValueError: ``max_frames`` is not None or an int >= 0, or
                ``max_seconds`` is not None or a finite number > 0.
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
        deadline_ns = None
        if max_seconds is not None:
            if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) \
                    or not max_seconds > 0 or max_seconds == float("inf"):
                raise ValueError(f"max_seconds must be a finite number > 0 or None, got "
                                 f"{max_seconds!r}")
            deadline_ns = int(max_seconds * 1e9)
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
            self.start()
            self.reset_frame_clock()
            frames = 0
            window = self.window
            loop_start = time.perf_counter_ns()
            while True:
                if max_frames is not None and frames >= max_frames:
                    reason = "max_frames"
                    break
                if deadline_ns is not None and \
                        time.perf_counter_ns() - loop_start >= deadline_ns:
                    reason = "time_limit"
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
        limited = max_frames is not None or deadline_ns is not None
        self.closed_early = reason in ("interrupt", "error") or (
            limited and reason not in ("max_frames", "time_limit"))
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
