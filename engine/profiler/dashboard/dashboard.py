"""The ``Dashboard``: panel keys, ImGui lifecycle, the frame and the help bar; the panels
themselves are the functions of ``timing``, ``memory`` and ``world`` (see the package
docstring for what each shows and the allocation contract of ``draw``)."""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from typing import Any

from imgui_bundle import imgui, implot

from . import layout, memory, timing, world
from .keys import DEFAULT_KEYS, KEY_TOGGLE_ALL, PANELS, TITLES, key_label
from .plots import PanelContext

__all__ = ["Dashboard"]


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
        self.help_line = "  ".join(f"{key_label(keys[p])} {p}" for p in PANELS if p in keys) \
            + f"  {key_label(toggle_all_key)} all"
        # Wrapped in a narrow bar: a no-break space keeps each key with its panel's name.
        self._help_wrapped = self.help_line.replace("  ", "\n").replace(" ", "\u00a0") \
            .replace("\n", "  ")
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
        self.unbound_keys: list[str] = []
        self.context = PanelContext(profiler, plot_points)
        """What the panel functions read (the plots' buffers live there)."""
        self._style = self.context.style
        self._panel_titles = {p: f"{TITLES[p]} [{key_label(keys[p])}]###{p}" if p in keys
                              else f"{TITLES[p]}###{p}" for p in PANELS}
        self._layout_dirty = True
        self._laid_out_size = (0.0, 0.0)
        self._placed: dict[str, tuple[Any, Any]] = {}
        self._bar_pos: Any = None
        self._bar_size: Any = None
        self._bar_wrap = False
        self._panel_fns: tuple[Callable[[PanelContext], None], ...] = (
            timing.overview, timing.frame, memory.allocations, memory.gc, memory.memory,
            world.pools, world.combat, world.render)

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
        self._layout_dirty = True

    def toggle_all(self) -> None:
        """Show or hide the whole dashboard (hidden costs nothing per frame)."""
        self.visible = not self.visible

    def open_all(self) -> None:
        """Show the dashboard with every panel open."""
        self.visible = True
        for name in PANELS:
            self.open[name] = True
        self._layout_dirty = True

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
        if w != self._laid_out_size[0] or h != self._laid_out_size[1]:
            self._layout_dirty = True
        if self._layout_dirty:
            self._lay_out(w, h)
        # Placed when the layout changes (a panel opened or closed, a resize); a window the
        # user moves stays there until then.
        cond = imgui.Cond_.always if self._layout_dirty else imgui.Cond_.first_use_ever
        self._layout_dirty = False
        self._help_bar(cond)
        for i, name in enumerate(PANELS):
            if not self.open[name]:
                continue
            pos, size = self._placed[name]
            imgui.set_next_window_pos(pos, cond)
            imgui.set_next_window_size(size, cond)
            _, still_open = imgui.begin(self._panel_titles[name], True, self._style.panel_flags)
            if still_open is False:
                self.open[name] = False
                self._layout_dirty = True
            self._record(name)
            self._panel_fns[i](self.context)
            imgui.end()

    def _lay_out(self, w: float, h: float) -> None:
        """The side-column layout (``layout``) for the open panels at this display size."""
        names = [p for p in PANELS if self.open[p]]
        one_row = 34.0
        cols, rows, cw = layout.columns(w, h, len(names), one_row)
        bar_w = max(cols, 1) * (cw + layout.MARGIN) - layout.MARGIN
        text_w = imgui.calc_text_size(self.help_line).x
        buttons_w = imgui.calc_text_size("Resume Step Screenshot").x + 60.0
        if text_w + buttons_w + 24.0 <= bar_w:
            bar_h = one_row
            self._bar_wrap = False
        else:  # buttons on the first line, the key list wrapped below
            lines = math.ceil(text_w / max(bar_w - 24.0, 1.0))
            bar_h = one_row + 17.0 * lines
            self._bar_wrap = True
        cols, rows, cw = layout.columns(w, h, len(names), bar_h)
        bar_w = max(cols, 1) * (cw + layout.MARGIN) - layout.MARGIN
        rects = layout.panel_rects(w, h, names, bar_h, cols, rows, cw)
        self._placed = {n: (imgui.ImVec2(x, y), imgui.ImVec2(rw, rh))
                        for n, (x, y, rw, rh) in rects.items()}
        self._bar_pos = imgui.ImVec2(w - layout.MARGIN - bar_w, layout.MARGIN)
        self._bar_size = imgui.ImVec2(bar_w, bar_h)
        self._laid_out_size = (w, h)

    def _record(self, name: str) -> None:
        if self.record_rects:
            p = imgui.get_window_pos()
            s = imgui.get_window_size()
            self.rects[name] = (p.x, p.y, s.x, s.y)

    # ----------------------------------------------------------------- help bar

    def _help_bar(self, cond: int) -> None:
        imgui.set_next_window_pos(self._bar_pos, cond)
        imgui.set_next_window_size(self._bar_size, cond)
        imgui.begin("##profiler_bar", None, self._style.bar_flags)
        self._record("bar")
        s = self.scheduler
        first = True
        if s is not None:
            if imgui.button("Resume###pause" if s.paused else "Pause###pause"):
                self.toggle_pause()
            self._record_item("pause")
            imgui.same_line()
            if imgui.button("Step"):
                self.step_once()
            self._record_item("step")
            first = False
        if self.screenshot is not None:
            if not first:
                imgui.same_line()
            if imgui.button("Screenshot"):
                self.screenshot()
            self._record_item("screenshot")
            first = False
        if self._bar_wrap:
            imgui.text_wrapped(self._help_wrapped)
        else:
            if not first:
                imgui.same_line()
            imgui.text_unformatted(self.help_line)
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


class _Toggle:
    """A key binding callback that toggles one panel (no closure, no per-call allocation)."""

    __slots__ = ("dashboard", "panel")

    def __init__(self, dashboard: Dashboard, panel: str) -> None:
        self.dashboard = dashboard
        self.panel = panel

    def __call__(self) -> None:
        self.dashboard.toggle(self.panel)
