"""The live dashboard: ImGui windows with ImPlot plots of the profiler's rings.

Panels, each toggled by its own key (GLFW codes; F12 toggles the whole dashboard), listed in
the help bar at the top of the screen with the pause / step / screenshot buttons:

=====  ============  ===========================================================================
key    panel         shows
=====  ============  ===========================================================================
F1     overview      fps, frame interval and CPU frame time, enemies, memory growth, GC and
                     spike counts, warnings
F2     frame         frame interval / CPU / step / render / overlay ms with the budget line;
                     per system
F3     allocations   blocks and gen0 per frame, sums over 60 / 600 frames and since warm-up;
                     allocation tracing toggle, transient bytes per frame and per tick
F4     gc            GC timeline (pause per collection, coloured by generation; spikes marked),
                     counts and pauses per generation, GC policy controls
F5     memory        RSS and allocated blocks (1 Hz), growth since warm-up, traced bytes
F6     pools         utilisation, high-water, refusals and growths of every watched pool
F7     combat        enemies by tier, damage events per tick, projectiles, ring fill / overflows
F8     render        draw calls, instances per batch, GL objects live / created / released
=====  ============  ===========================================================================

Headless, ImGui gets the display size and delta time from the dashboard and mouse state from
the App's ``Input`` (so injected clicks press the buttons); in a window, the GLFW backend does it.
Keys reach the dashboard through ``App.input`` bindings (``attach``) or ``handle_key(key)``.

Allocation contract of ``draw`` (the overlay hook): retains nothing after warm-up, and its
transients stay within the engine's per-call limit (held by tests/test_profiler_dashboard.py
with ``measure_steady_state`` and the default limits; recorded with every panel open: no
collections, no gen0 growth, max transient ~1.2 KB). What it does allocate, every frame it is
shown, is short-lived: the formatted strings of its text lines (a few dozen short f-strings,
each freed before the next is made), the small tuples and wrapper objects the imgui-bundle
bindings return, and views of its plot buffers. ImGui's own C++ buffers are outside
tracemalloc's view. Plot data never allocates: each ring is copied oldest-first into a float64
buffer the dashboard allocated once for that ring. Hidden (F12), ``draw`` returns at once.
tools/bench_profiler.py measures its CPU time.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from imgui_bundle import imgui, implot

from .history import HistoryRing
from .meter import GC_GENERATIONS
from .spikes import SPIKE_NAMES

__all__ = ["Dashboard", "PANELS", "DEFAULT_KEYS", "KEY_TOGGLE_ALL"]

PANELS: tuple[str, ...] = ("overview", "frame", "allocations", "gc", "memory", "pools",
                           "combat", "render")

# GLFW key codes (fixed by the GLFW API). The profiler does not import glfw: only
# engine.core._glfw may, so that pyGLFW and ImGui share one libglfw.
_KEY_F1 = 290
KEY_TOGGLE_ALL = 301
"""F12: show / hide the whole dashboard."""
DEFAULT_KEYS: dict[str, int] = {name: _KEY_F1 + i for i, name in enumerate(PANELS)}
"""Panel name -> GLFW key code (F1..F8)."""


def _key_label(key: int) -> str:
    if _KEY_F1 <= key <= _KEY_F1 + 24:
        return f"F{key - _KEY_F1 + 1}"
    if key == 96:
        return "`"
    if 32 < key < 127:
        return chr(key)
    return f"key {key}"


_TITLES = {
    "overview": "Overview", "frame": "Frame", "allocations": "Allocations", "gc": "GC",
    "memory": "Memory", "pools": "Pools", "combat": "Combat", "render": "Render",
}
_GEN_COLORS = ((0.35, 0.85, 0.35, 1.0), (0.95, 0.75, 0.2, 1.0), (0.95, 0.25, 0.25, 1.0))


class Dashboard:
    """ImGui/ImPlot panels over a Profiler's rings.

    Args:
        profiler: the Profiler whose meter, spikes, budgets and GC policy are shown.
        scheduler: the scheduler the pause / step buttons drive (its ``paused`` and
            ``request_step()``); None hides them.
        screenshot: called by the screenshot button; None hides it.
        keys: panel name -> GLFW key code (default F1..F8).
        toggle_all_key: the key that shows / hides everything (default F12).
        visible: whether the dashboard starts shown.
        open_panels: panels open at start (default: overview only).
        plot_points: most points drawn per plotted series (>= 4); a longer history is drawn
            as (min, max) pairs per bucket, so spikes stay visible.

    Raises:
        KeyError: ``keys`` or ``open_panels`` names an unknown panel.
        ValueError: ``plot_points`` < 4.
    """

    def __init__(self, profiler: Any, *, scheduler: Any = None,
                 screenshot: Callable[[], object] | None = None,
                 keys: dict[str, int] | None = None, toggle_all_key: int = KEY_TOGGLE_ALL,
                 visible: bool = True, open_panels: tuple[str, ...] = ("overview",),
                 plot_points: int = 256) -> None:
        if plot_points < 4:
            raise ValueError(f"plot_points must be >= 4, got {plot_points}")
        self.profiler = profiler
        self.meter = profiler.meter
        self.scheduler = scheduler
        self.screenshot = screenshot
        keys = dict(DEFAULT_KEYS if keys is None else keys)
        for name in list(keys) + list(open_panels):
            if name not in PANELS:
                raise KeyError(f"unknown panel {name!r}; panels: {', '.join(PANELS)}")
        self.keys = keys
        self.toggle_all_key = toggle_all_key
        self._key_to_panel = {key: name for name, key in keys.items()}
        self.open: dict[str, bool] = {name: name in open_panels for name in PANELS}
        self.visible = visible
        self.help_line = "  ".join(f"{_key_label(keys[p])} {p}" for p in PANELS if p in keys) \
            + f"  {_key_label(toggle_all_key)} all"
        self.record_rects = False
        """When True, ``rects`` gets each drawn window's (x, y, w, h) (for tests)."""
        self.rects: dict[str, tuple[float, float, float, float]] = {}
        self.target: Any = None
        """The framebuffer drawn into (``use()``d before rendering); the App's target when
        attached."""
        self.display_size: tuple[int, int] = (1280, 720)
        """Used when not attached to an App (the App's ``size`` wins when attached)."""
        self.app: Any = None
        self.frames_drawn = 0
        self.build_ns_last = 0
        """CPU time of the last frame's ImGui build (new_frame .. render), ns."""
        self.render_ns_last = 0
        """CPU time of submitting the last frame's draw data to GL, ns."""
        self._imgui_ctx: Any = None
        self._implot_ctx: Any = None
        self._glfw_backend = False
        self._last_draw_ns = 0
        self._bufs: dict[HistoryRing, np.ndarray] = {}
        self._col_bufs: dict[HistoryRing, np.ndarray] = {}
        self._dec_bufs: dict[object, np.ndarray] = {}
        self._dec_col_bufs: dict[HistoryRing, np.ndarray] = {}
        self.plot_points = plot_points
        """Most points drawn per series; longer ones become (min, max) pairs per bucket."""
        self._spike_x = np.zeros(profiler.spikes.log.capacity, dtype=np.float64)
        self._budget_y = np.array([profiler.budgets.frame_ms], dtype=np.float64)
        self.unbound_keys: list[str] = []
        # Prebuilt ImGui values: made once, not each frame.
        self._v_zero = imgui.ImVec2(0, 0)
        self._plot_size = imgui.ImVec2(-1, 150)
        self._plot_small = imgui.ImVec2(-1, 120)
        self._red = imgui.ImVec4(1.0, 0.35, 0.3, 1.0)
        self._grey = imgui.ImVec4(0.6, 0.6, 0.6, 1.0)
        self._gen_specs = tuple(
            implot.Spec(marker=implot.Marker_.circle, marker_size=4,
                        line_color=imgui.ImVec4(*c), marker_fill_color=imgui.ImVec4(*c),
                        marker_line_color=imgui.ImVec4(*c))
            for c in _GEN_COLORS)
        self._spike_spec = implot.Spec(line_color=imgui.ImVec4(1.0, 0.3, 0.3, 0.35))
        self._budget_spec = implot.Spec(line_color=imgui.ImVec4(1.0, 0.3, 0.3, 0.9),
                                        flags=implot.InfLinesFlags_.horizontal)
        self._bar_flags = (imgui.WindowFlags_.no_decoration | imgui.WindowFlags_.no_move
                           | imgui.WindowFlags_.no_saved_settings
                           | imgui.WindowFlags_.no_focus_on_appearing
                           | imgui.WindowFlags_.no_nav)
        self._panel_flags = imgui.WindowFlags_.no_saved_settings
        self._fit = implot.AxisFlags_.auto_fit
        self._x_flags = implot.AxisFlags_.auto_fit | implot.AxisFlags_.no_label
        self._legend_flags = implot.LegendFlags_.horizontal | implot.LegendFlags_.outside
        self._table_flags = imgui.TableFlags_.borders | imgui.TableFlags_.row_bg
        self._panel_titles = {p: f"{_TITLES[p]} [{_key_label(keys[p])}]###{p}" if p in keys
                              else f"{_TITLES[p]}###{p}" for p in PANELS}
        self._spike_labels = tuple(f"spikes {name}:" for name in SPIKE_NAMES)
        self._panel_fns: tuple[Callable[[], None], ...] = tuple(
            getattr(self, "_panel_" + name) for name in PANELS)

    # ----------------------------------------------------------------- keys

    def handle_key(self, key: int) -> bool:
        """Toggle the panel bound to ``key`` (or everything for the toggle-all key).

        Returns:
            True if the key belongs to the dashboard.
        """
        if key == self.toggle_all_key:
            self.toggle_all()
            return True
        panel = self._key_to_panel.get(key)
        if panel is None:
            return False
        self.toggle(panel)
        return True

    def toggle(self, panel: str) -> None:
        """Open or close one panel (showing the dashboard if it was hidden).

        Raises:
            KeyError: unknown panel.
        """
        if panel not in self.open:
            raise KeyError(f"unknown panel {panel!r}; panels: {', '.join(PANELS)}")
        if not self.visible:
            self.visible = True
            self.open[panel] = True
        else:
            self.open[panel] = not self.open[panel]

    def toggle_all(self) -> None:
        """Show or hide the whole dashboard (hidden costs nothing per frame)."""
        self.visible = not self.visible

    def open_all(self) -> None:
        """Show the dashboard with every panel open."""
        self.visible = True
        for name in PANELS:
            self.open[name] = True

    def bind_keys(self, input_: Any) -> None:
        """Bind the panel keys on an ``engine.core.Input`` (``bind(name, key, callback)``).
        A key the game already bound is skipped with a warning (see ``unbound_keys``)."""
        pairs = [(f"profiler.{p}", key, p) for p, key in self.keys.items()]
        pairs.append(("profiler.all", self.toggle_all_key, ""))
        for name, key, panel in pairs:
            callback = self.toggle_all if not panel else _Toggle(self, panel)
            try:
                input_.bind(name, key, callback)
            except ValueError as exc:
                self.unbound_keys.append(name)
                warnings.warn(f"profiler dashboard: {name} not bound: {exc}", stacklevel=2)

    # ----------------------------------------------------------------- lifecycle

    def init_imgui(self, *, window_address: int = 0) -> None:
        """Create the ImGui and ImPlot contexts and the OpenGL 3 backend (and the GLFW
        backend when ``window_address`` is a GLFW window's address). Needs a current GL
        context. Idempotent."""
        if self._imgui_ctx is not None:
            return
        self._imgui_ctx = imgui.create_context()
        self._implot_ctx = implot.create_context()
        io = imgui.get_io()
        io.set_ini_filename(None)  # type: ignore[arg-type]
        if window_address:
            imgui.backends.glfw_init_for_opengl(window_address, True)
            self._glfw_backend = True
        imgui.backends.opengl3_init("#version 330")
        self._last_draw_ns = time.perf_counter_ns()

    def attach(self, app: Any) -> None:
        """Initialise ImGui for the App (GLFW backend in window mode) and bind the keys.
        The Profiler adds ``draw`` to the overlay hooks."""
        self.app = app
        address = 0 if getattr(app, "headless", True) else \
            int(getattr(app.window, "glfw_window_address", 0))
        self.init_imgui(window_address=address)
        input_ = getattr(app, "input", None)
        if input_ is not None and hasattr(input_, "bind"):
            self.bind_keys(input_)

    def shutdown(self) -> None:
        """Shut the backends down and destroy the contexts (safe twice). Needs the GL context
        still alive (the App runs shutdown hooks before releasing it)."""
        if self._imgui_ctx is None:
            return
        imgui.set_current_context(self._imgui_ctx)
        implot.set_current_context(self._implot_ctx)
        imgui.backends.opengl3_shutdown()
        if self._glfw_backend:
            imgui.backends.glfw_shutdown()
            self._glfw_backend = False
        implot.destroy_context(self._implot_ctx)
        imgui.destroy_context(self._imgui_ctx)
        self._imgui_ctx = None
        self._implot_ctx = None
        app = self.app
        if app is not None and hasattr(app, "input"):
            for name in [f"profiler.{p}" for p in self.keys] + ["profiler.all"]:
                if name not in self.unbound_keys:
                    try:
                        app.input.unbind(name)
                    except KeyError:
                        pass
        self.app = None

    # ----------------------------------------------------------------- the frame

    def draw(self) -> None:
        """The overlay hook: build the ImGui frame and render it into the target.

        Allocation contract: see the module docstring (transients only; nothing retained).

        Raises:
            RuntimeError: ImGui was not initialised (``attach`` or ``init_imgui``).
        """
        if not self.visible:
            return
        if self._imgui_ctx is None:
            raise RuntimeError("Dashboard.draw before init_imgui(): attach it to an App or "
                               "call init_imgui() with a current GL context")
        t0 = time.perf_counter_ns()
        self.begin_frame(t0)
        self.build()
        imgui.render()
        t1 = time.perf_counter_ns()
        target = self.app.target if self.app is not None else self.target
        if target is not None:
            target.use()
        imgui.backends.opengl3_render_draw_data(imgui.get_draw_data())
        t2 = time.perf_counter_ns()
        self.build_ns_last = t1 - t0
        self.render_ns_last = t2 - t1
        self.frames_drawn += 1

    def begin_frame(self, now_ns: int) -> None:
        """Start an ImGui frame: display size, delta time, mouse (headless), backends."""
        imgui.set_current_context(self._imgui_ctx)
        implot.set_current_context(self._implot_ctx)
        io = imgui.get_io()
        if not self._glfw_backend:
            app = self.app
            if app is not None:
                w, h = app.size
            else:
                w, h = self.display_size
            io.display_size = imgui.ImVec2(w, h)
            dt = (now_ns - self._last_draw_ns) * 1e-9
            io.delta_time = dt if dt > 1e-5 else 1e-5
            inp = getattr(app, "input", None) if app is not None else None
            if inp is not None:
                io.add_mouse_pos_event(inp.mouse_x, inp.mouse_y)
                io.add_mouse_button_event(0, inp.mouse_down(0))
        self._last_draw_ns = now_ns
        imgui.backends.opengl3_new_frame()
        if self._glfw_backend:
            imgui.backends.glfw_new_frame()
        imgui.new_frame()

    def build(self) -> None:
        """Submit the help bar and every open panel (between new_frame and render)."""
        io = imgui.get_io()
        w = io.display_size.x
        h = io.display_size.y
        self._help_bar(w)
        bar_h = 34.0
        margin = 6.0
        cols = 4
        pw = (w - margin * (cols + 1)) / cols
        ph = (h - bar_h - margin * 3) / 2
        for i, name in enumerate(PANELS):
            if not self.open[name]:
                continue
            x = margin + (i % cols) * (pw + margin)
            y = bar_h + margin + (i // cols) * (ph + margin)
            imgui.set_next_window_pos(imgui.ImVec2(x, y), imgui.Cond_.first_use_ever)
            imgui.set_next_window_size(imgui.ImVec2(pw, ph), imgui.Cond_.first_use_ever)
            _, still_open = imgui.begin(self._panel_titles[name], True, self._panel_flags)
            if still_open is False:
                self.open[name] = False
            self._record(name)
            self._panel_fns[i]()
            imgui.end()

    def _record(self, name: str) -> None:
        if self.record_rects:
            p = imgui.get_window_pos()
            s = imgui.get_window_size()
            self.rects[name] = (p.x, p.y, s.x, s.y)

    # ----------------------------------------------------------------- helpers

    def _series(self, ring: HistoryRing) -> np.ndarray:
        """A scalar ring's samples oldest-first, in this dashboard's buffer for that ring
        (allocated the first time the ring is plotted)."""
        buf = self._bufs.get(ring)
        if buf is None:
            buf = np.zeros(ring.capacity, dtype=np.float64)
            self._bufs[ring] = buf
        return ring.ordered_into(buf)

    def _column_buf(self, ring: HistoryRing, column: int) -> np.ndarray:
        """The plot buffer for one column of a ring of rows (per-system times)."""
        bufs = self._col_bufs.get(ring)
        if bufs is None:
            bufs = np.zeros((max(ring.width, 1), ring.capacity), dtype=np.float64)
            self._col_bufs[ring] = bufs
        return bufs[column]

    def _line(self, label: str, ring: HistoryRing, scale: float = 1.0) -> None:
        """Plot a per-frame ring against frame numbers."""
        view = self._series(ring)
        if scale != 1.0:
            np.multiply(view, scale, out=view)
        self._plot_values(label, view, float(self.meter.frame), self._dec_buf(ring))

    def _seconds(self, label: str, ring: HistoryRing) -> None:
        """Plot a 1 Hz ring against seconds ago (x = 0 is the newest sample)."""
        self._plot_values(label, self._series(ring), 1.0, self._dec_buf(ring))

    def _dec_col_buf(self, ring: HistoryRing, column: int) -> np.ndarray:
        bufs = self._dec_col_bufs.get(ring)
        if bufs is None:
            bufs = np.zeros((max(ring.width, 1), self.plot_points), dtype=np.float64)
            self._dec_col_bufs[ring] = bufs
        return bufs[column]

    def _dec_buf(self, key: object) -> np.ndarray:
        buf = self._dec_bufs.get(key)
        if buf is None:
            buf = np.zeros(self.plot_points, dtype=np.float64)
            self._dec_bufs[key] = buf
        return buf

    def _plot_values(self, label: str, view: np.ndarray, x_end: float,
                     out: np.ndarray) -> None:
        """Plot ``view`` (oldest first) with its newest sample at ``x_end - 1``.

        A series longer than ``plot_points`` is reduced to a (min, max) pair per bucket of
        samples, written into ``out``: a one-frame spike survives, and the driver gets fewer
        than half the vertices (on llvmpipe the vertex work runs on the submitting thread).
        The oldest ``n % bucket`` samples are left out.
        """
        n = len(view)
        if not n:
            return
        if n <= self.plot_points:
            implot.plot_line(label, view, 1.0, x_end - n)
            return
        k = -(-n // (self.plot_points // 2))
        m = n // k
        src = view[n - m * k:].reshape(m, k)
        np.minimum.reduce(src, axis=1, out=out[0:2 * m:2])
        np.maximum.reduce(src, axis=1, out=out[1:2 * m:2])
        implot.plot_line(label, out[:2 * m], k / 2, x_end - m * k)

    def _text(self, line: str) -> None:
        imgui.text_unformatted(line)

    # ----------------------------------------------------------------- help bar

    def _help_bar(self, width: float) -> None:
        imgui.set_next_window_pos(self._v_zero)
        imgui.set_next_window_size(imgui.ImVec2(width, 34.0))
        imgui.begin("##profiler_bar", None, self._bar_flags)
        self._record("bar")
        imgui.text_unformatted(self.help_line)
        s = self.scheduler
        if s is not None:
            imgui.same_line()
            if imgui.button("Resume###pause" if s.paused else "Pause###pause"):
                self.toggle_pause()
            self._record_item("pause")
            imgui.same_line()
            if imgui.button("Step"):
                self.step_once()
            self._record_item("step")
        if self.screenshot is not None:
            imgui.same_line()
            if imgui.button("Screenshot"):
                self.screenshot()
            self._record_item("screenshot")
        imgui.end()

    def _record_item(self, name: str) -> None:
        if self.record_rects:
            lo = imgui.get_item_rect_min()
            hi = imgui.get_item_rect_max()
            self.rects[name] = (lo.x, lo.y, hi.x - lo.x, hi.y - lo.y)

    def toggle_pause(self) -> None:
        """Pause or resume the scheduler (the Pause button)."""
        s = self.scheduler
        if s is not None:
            s.paused = not s.paused

    def step_once(self) -> None:
        """Run one step while paused (the Step button): ``scheduler.request_step()``."""
        s = self.scheduler
        if s is not None:
            s.request_step()

    # ----------------------------------------------------------------- panels

    def _plot(self, title: str, size: Any) -> bool:
        """Begin a plot with auto-fit axes, no x label, and the legend in one row above it
        (a legend inside a short plot hides all but its first rows). Call ``implot.end_plot``
        when it returns True."""
        if not implot.begin_plot(title, size):
            return False
        implot.setup_axis(implot.ImAxis_.x1, None, self._x_flags)
        implot.setup_axis(implot.ImAxis_.y1, None, self._fit)
        implot.setup_legend(implot.Location_.north, self._legend_flags)
        return True

    def _panel_overview(self) -> None:
        m = self.meter
        p = self.profiler
        self._text(f"{m.sec_fps.last():.0f} fps   frame {m.frame_ms.last():.2f} ms")
        self._text(f"CPU {m.cpu_ms.last():.2f} ms   1 s mean {m.sec_cpu_ms.last():.2f} ms")
        self._text(f"budget {p.budgets.frame_ms:g} ms   frame #{m.frame}")
        enemies = 0.0
        for c in m.combat:
            enemies += c.enemies_total
        self._text(f"enemies {enemies:.0f}   combat {'on' if p.in_combat else 'off'}")
        imgui.separator()
        imgui.text_colored(self._grey, self._since_label())
        self._text(f"RSS growth {m.rss_growth_bytes / 1e6:+.2f} MB")
        self._text(f"blocks {m.blocks_since_warmup:+d}   gen0 {m.gen0_since_warmup:+d}")
        log = m.gc_log
        c = log.counts_since_mark
        self._text(f"GC gen0 {c[0]}  gen1 {c[1]}  gen2 {c[2]}")
        counts = p.spikes.log.counts_since_mark
        for i, label in enumerate(self._spike_labels):
            if counts[i]:
                imgui.text_unformatted(label)
                imgui.same_line()
                self._text(str(counts[i]))
        for cw in m.counters:
            if cw.group == "overview":
                self._text(f"{cw.name}: {cw.ring.last():g}")
        warnings_ = p.budgets.warnings
        if warnings_:
            imgui.separator()
            for line in warnings_:
                imgui.push_text_wrap_pos(0.0)
                imgui.text_colored(self._red, line)
                imgui.pop_text_wrap_pos()

    def _since_label(self) -> str:
        return "since warm-up" if self.meter.warmed_up else "since start (no warm-up mark)"

    def _panel_frame(self) -> None:
        m = self.meter
        if self._plot("times (ms)", self._plot_size):
            self._line("frame", m.frame_ms)
            self._line("CPU", m.cpu_ms)
            self._line("step", m.step_ms)
            self._line("render", m.render_ms)
            self._line("overlay", m.overlay_ms)
            implot.plot_inf_lines("budget", self._budget_y, self._budget_spec)
            implot.end_plot()
        s = m.scheduler
        if s is not None and s.system_names:
            if self._plot("systems, last step (ms)", self._plot_size):
                ring = s.systems
                for i, name in enumerate(s.system_names):
                    if name.startswith("profiler."):
                        continue
                    view = ring.ordered_into(self._column_buf(ring, i), i)
                    np.multiply(view, 1e-6, out=view)
                    self._plot_values(name, view, float(m.frame), self._dec_col_buf(ring, i))
                implot.end_plot()

    def _panel_allocations(self) -> None:
        m = self.meter
        if self._plot("per frame", self._plot_small):
            self._line("blocks", m.blocks)
            self._line("gen0", m.gen0)
            implot.end_plot()
        self._text("sums     60 f    600 f   warm-up")
        self._text(f"blocks {m.blocks.window_sum(60):+6.0f} {m.blocks.window_sum(600):+8.0f} "
                   f"{m.blocks_since_warmup:+9d}")
        self._text(f"gen0   {m.gen0.window_sum(60):+6.0f} {m.gen0.window_sum(600):+8.0f} "
                   f"{m.gen0_since_warmup:+9d}")
        changed, on = imgui.checkbox("allocation tracing", m.tracing)
        if changed:
            m.set_tracing(on)
        if m.tracing:
            if self._plot("transient (KB)", self._plot_small):
                self._line("per frame", m.transient_bytes, 1e-3)
                view = self._series(m.tick_transient_bytes)
                np.multiply(view, 1e-3, out=view)
                self._plot_values("per tick", view, float(m.frame),
                                  self._dec_buf(m.tick_transient_bytes))
                implot.end_plot()
            self._text(f"traced {m.traced_bytes.last() / 1e6:.2f} MB, "
                       f"growth {m.traced_growth_bytes / 1e3:+.1f} KB")
        else:
            imgui.text_colored(self._grey, "tracing off: no transient bytes")

    def _panel_gc(self) -> None:
        m = self.meter
        if self._plot("collections: pause (ms)", self._plot_size):
            for g in range(3):
                xs = self._series(m.gc_frame_by_gen[g])
                ys = self._series(m.gc_pause_by_gen[g])
                if len(xs):
                    implot.plot_scatter(GC_GENERATIONS[g], xs, ys, self._gen_specs[g])
            log = self.profiler.spikes.log
            spikes = log.ordered_into(log.frame, self._spike_x)
            if len(spikes):
                implot.plot_inf_lines("spikes", spikes, self._spike_spec)
            implot.end_plot()
        log = m.gc_log
        imgui.text_colored(self._grey, self._since_label())
        if imgui.begin_table("gc", 5, self._table_flags):
            for head in ("gen", "n", "total ms", "max ms", "asked"):
                imgui.table_setup_column(head)
            imgui.table_headers_row()
            for g in range(3):
                imgui.table_next_row()
                imgui.table_next_column()
                imgui.text_unformatted(GC_GENERATIONS[g])
                imgui.table_next_column()
                self._text(str(log.counts_since_mark[g]))
                imgui.table_next_column()
                self._text(f"{log.value_sum_since_mark[g]:.2f}")
                imgui.table_next_column()
                self._text(f"{log.max_value_since_mark[g]:.2f}")
                imgui.table_next_column()
                self._text(str(m.gc_explicit_since_warmup[g]))
            imgui.end_table()
        policy = self.profiler.gc_policy
        self._text(f"policy: {policy.collections} collections, "
                   f"{policy.pause_ns_total * 1e-6:.2f} ms")
        changed, on = imgui.checkbox("combat thresholds", policy.in_combat)
        if changed:
            self.profiler.set_combat(on)
        changed, on = imgui.checkbox("spare-time GC", self.profiler.auto_spare_time)
        if changed:
            self.profiler.auto_spare_time = on
        if imgui.button("collect now"):
            policy.collect_now(2)
        imgui.same_line()
        if imgui.button("collect + freeze"):
            policy.after_loading()

    def _panel_memory(self) -> None:
        m = self.meter
        if self._plot("RSS (MB) by second", self._plot_small):
            self._seconds("RSS", m.sec_rss_mb)
            if m.tracing:
                self._seconds("traced", m.sec_traced_mb)
            implot.end_plot()
        if self._plot("allocated blocks by second", self._plot_small):
            self._seconds("blocks", m.sec_blocks_total)
            implot.end_plot()
        imgui.text_colored(self._grey, self._since_label())
        self._text(f"RSS {m.rss_bytes / 1e6:.1f} MB ({m.rss.kind})")
        self._text(f"growth {m.rss_growth_bytes / 1e6:+.2f} of "
                   f"{self.profiler.budgets.memory_growth_mb:g} MB")
        self._text(f"blocks {m.blocks_total} ({m.blocks_since_warmup:+d})")

    def _panel_pools(self) -> None:
        m = self.meter
        if not m.pools:
            imgui.text_colored(self._grey, "no pools watched")
            return
        if self._plot("utilisation", self._plot_small):
            for w in m.pools:
                self._line(w.name, w.utilisation)
            implot.end_plot()
        if imgui.begin_table("pools", 5, self._table_flags):
            for head in ("pool", "use", "high", "refused", "grown"):
                imgui.table_setup_column(head)
            imgui.table_headers_row()
            for w in m.pools:
                s = w.stats
                cap = s.capacity
                imgui.table_next_row()
                imgui.table_next_column()
                imgui.text_unformatted(w.name)
                imgui.table_next_column()
                self._text(f"{(s.in_use / cap if cap else 0.0):.0%}")
                imgui.table_next_column()
                self._text(f"{(s.high_water / cap if cap else 0.0):.0%}")
                imgui.table_next_column()
                if s.refusals:
                    imgui.text_colored(self._red, str(s.refusals))
                else:
                    imgui.text_unformatted("0")
                imgui.table_next_column()
                self._text(str(s.growths))
            imgui.end_table()

    def _panel_combat(self) -> None:
        m = self.meter
        for c in m.combat:
            if c.enemies.rings and self._plot("enemies by tier", self._plot_small):
                for label, ring in c.enemies.rings.items():
                    self._line(label, ring)
                implot.end_plot()
            if self._plot("damage events / tick, projectiles", self._plot_small):
                self._line("damage", c.damage_events)
                self._line("projectiles", c.projectiles)
                implot.end_plot()
        if m.rings:
            if self._plot("ring fill", self._plot_small):
                for r in m.rings:
                    self._line(r.name, r.fill)
                implot.end_plot()
            for r in m.rings:
                self._text(f"{r.name}: {r.fill.last():.0%} full, "
                           f"{r.ring.overflows} overflows")
        for cw in m.counters:
            if cw.group == "combat":
                self._text(f"{cw.name}: {cw.ring.last():g}")
        if not m.combat and not m.rings:
            imgui.text_colored(self._grey, "no combat stats or rings watched")

    def _panel_render(self) -> None:
        m = self.meter
        for r in m.render:
            if self._plot("draw calls, GL objects", self._plot_small):
                self._line("draw calls", r.draw_calls)
                self._line("GL live", r.gl_live)
                implot.end_plot()
            if r.instances.rings and self._plot("instances per batch", self._plot_small):
                for label, ring in r.instances.rings.items():
                    self._line(label, ring)
                implot.end_plot()
            s = r.stats
            self._text(f"draw calls {s.draw_calls}   reallocations "
                       f"{getattr(s, 'reallocations', 0)}")
            self._text(f"GL live {getattr(s, 'gl_live', 0)}  created "
                       f"{getattr(s, 'gl_created', 0)}  released {getattr(s, 'gl_released', 0)}")
        for cw in m.counters:
            if cw.group == "render":
                self._text(f"{cw.name}: {cw.ring.last():g}")
        if not m.render:
            imgui.text_colored(self._grey, "no render stats watched")


class _Toggle:
    """A key binding callback that toggles one panel (no closure, no per-call allocation)."""

    __slots__ = ("dashboard", "panel")

    def __init__(self, dashboard: Dashboard, panel: str) -> None:
        self.dashboard = dashboard
        self.panel = panel

    def __call__(self) -> None:
        self.dashboard.toggle(self.panel)
