"""The dashboard renders for real: ImGui/ImPlot frames drawn by the OpenGL 3 backend into an
offscreen framebuffer on Mesa (EGL), read back and checked pixel by pixel, keys toggling
panels through the engine's own Input bindings, and a headless App wired by
``Profiler.attach`` whose Pause button is clicked with injected mouse events."""

from __future__ import annotations

import numpy as np
import pytest

from engine.combat import CombatStats
from engine.core import App, AppConfig, Input
from engine.core._glfw import glfw
from engine.data.pool import ObjectPool
from engine.data.ring import RingBuffer
from engine.profiler import Profiler, measure_steady_state
from engine.profiler.dashboard import DEFAULT_KEYS, KEY_TOGGLE_ALL, PANELS, Dashboard
from engine.render.stats import RenderStats

pytestmark = pytest.mark.gl

W, H = 1280, 800


def combat_stats() -> CombatStats:
    """The combat layer's real counters, filled with a horde's numbers."""
    stats = CombatStats(("grunt", "brute", "elite"))
    stats.enemies_by_tier[:] = (9000, 900, 100)
    stats.damage_events_last_tick = 400
    stats.projectiles_live = 1200
    return stats


def _feed(p: Profiler) -> None:
    """Watch one of everything, so every panel has series to plot."""
    pool = ObjectPool("bosses", object, 4, policy="grow")
    for _ in range(5):
        pool.acquire()
    p.watch_pool(pool.stats)
    enemies = ObjectPool("enemies", object, 10_000)
    for _ in range(6_000):
        enemies.acquire()
    p.watch_pool(enemies.stats)
    ring = RingBuffer("damage", 64, {"amount": np.float32})
    for i in range(40):
        ring.push(float(i))
    p.watch_ring(ring)
    render = RenderStats()
    render.register_batch("grunt", 16_384)
    render.instances["grunt"] = 9000
    render.draw_calls = 3
    render.gl_live = 12
    p.watch_render(render)
    p.watch_combat(combat_stats())


def _pixels(fbo) -> np.ndarray:
    """The framebuffer as rows top-down (ImGui's coordinates), RGB."""
    w, h = fbo.size
    data = np.frombuffer(fbo.read(components=3), dtype=np.uint8).reshape(h, w, 3)
    return data[::-1]


def _region(img: np.ndarray, rect: tuple[float, float, float, float]) -> np.ndarray:
    x, y, w, h = (int(round(v)) for v in rect)
    return img[y + 1:y + h - 1, x + 1:x + w - 1]  # inside the border


def _non_background(region: np.ndarray) -> float:
    return float((region.max(axis=2) > 0).mean()) if region.size else 0.0


def _content(region: np.ndarray) -> int:
    """Pixels that differ from the region's most common colour (its window background):
    text, plot lines, frames. (ImGui's default font is not antialiased: text is one colour.)"""
    colors, counts = np.unique(region.reshape(-1, 3), axis=0, return_counts=True)
    return int(region.shape[0] * region.shape[1] - counts.max())


@pytest.fixture
def dash(ctx):
    p = Profiler()
    _feed(p)
    p.set_tracing(True)  # the allocations panel then plots transient bytes too
    d = Dashboard(p)
    fbo = ctx.simple_framebuffer((W, H))
    d.target = fbo
    d.display_size = (W, H)
    d.record_rects = True
    d.init_imgui()
    yield p, d, fbo
    d.shutdown()
    p.close()
    # moderngl rebinds "the bound framebuffer" when it makes the next one: unbind ours
    # before releasing it, or a later test gets GL_INVALID_OPERATION.
    ctx.detect_framebuffer(0).use()
    fbo.release()


def _frames(p: Profiler, d: Dashboard, fbo, n: int = 3) -> np.ndarray:
    for _ in range(n):
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)  # background: pure black
        d.draw()
        p.end_frame()
    return _pixels(fbo)


def test_every_panel_draws_into_its_region(dash):
    p, d, fbo = dash
    d.open_all()
    for _ in range(30):
        p.end_frame()  # some history to plot
    img = _frames(p, d, fbo)
    assert d.frames_drawn == 3
    for name in ("bar",) + PANELS:
        assert name in d.rects, f"panel {name} was not drawn"
        region = _region(img, d.rects[name])
        assert region.shape[0] > 20 and region.shape[1] > 20, (name, d.rects[name])
        assert _non_background(region) > 0.95, name  # the window background covers it
        assert _content(region) > 300, name  # and something is drawn on it: text, plots
    # The panels do not overlap, so hiding one leaves only background in its place.
    rects = [d.rects[n] for n in PANELS]
    for i, (x, y, w, h) in enumerate(rects):
        for (x2, y2, w2, h2) in rects[i + 1:]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


def test_a_panel_key_hides_its_region_and_shows_it_again(dash):
    p, d, fbo = dash
    d.toggle("allocations")  # overview + allocations, stacked in the side column
    img = _frames(p, d, fbo)
    rect = d.rects["allocations"]
    assert _non_background(_region(img, rect)) > 0.95

    assert d.handle_key(DEFAULT_KEYS["allocations"])  # F3
    d.rects.clear()
    img = _frames(p, d, fbo, 2)
    assert "allocations" not in d.rects
    assert _non_background(_region(img, rect)) == 0.0
    assert _non_background(_region(img, d.rects["overview"])) > 0.95  # the other stays

    d.handle_key(DEFAULT_KEYS["allocations"])
    img = _frames(p, d, fbo, 2)
    assert d.rects["allocations"] == rect  # the same place again
    assert _non_background(_region(img, rect)) > 0.95
    assert not d.handle_key(glfw.KEY_A)  # not a dashboard key


def _area(rects) -> float:
    return sum(w * h for (_, _, w, h) in rects)


def _overlaps(a, b) -> bool:
    x, y, w, h = a
    x2, y2, w2, h2 = b
    return not (x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y)


@pytest.mark.parametrize("size", [(1280, 720), (800, 450)])
def test_default_view_covers_at_most_a_third_and_all_panels_tile(ctx, size):
    """The default view (bar + overview) stays in a side column: its windows' rects cover at
    most a third of the display, and its pixels too (what is not background). With every
    panel open the windows tile the display without overlapping, inside it."""
    w, h = size
    p = Profiler()
    _feed(p)
    d = Dashboard(p, scheduler=None, screenshot=lambda: None)
    fbo = ctx.simple_framebuffer((w, h))
    d.target = fbo
    d.display_size = (w, h)
    d.record_rects = True
    d.init_imgui()
    try:
        img = _frames(p, d, fbo)
        assert set(d.rects) == {"bar", "overview", "screenshot"}
        windows = [d.rects["bar"], d.rects["overview"]]
        assert _area(windows) <= w * h / 3
        assert _non_background(img) <= 1 / 3
        for x, _, rw, _ in windows:  # the right third
            assert x >= w * 2 / 3 - 1 and x + rw <= w

        d.open_all()
        d.rects.clear()
        _frames(p, d, fbo)
        names = ("bar",) + PANELS
        assert all(n in d.rects for n in names)
        for i, a in enumerate(names):
            x, y, rw, rh = d.rects[a]
            assert x >= 0 and y >= 0 and x + rw <= w and y + rh <= h, (a, d.rects[a])
            for b in names[i + 1:]:
                assert not _overlaps(d.rects[a], d.rects[b]), (a, b)
    finally:
        d.shutdown()
        p.close()
        ctx.detect_framebuffer(0).use()
        fbo.release()


def test_toggle_all_hides_everything_and_draws_no_frame(dash):
    p, d, fbo = dash
    d.open_all()
    _frames(p, d, fbo)
    drawn = d.frames_drawn
    d.handle_key(KEY_TOGGLE_ALL)
    img = _frames(p, d, fbo)
    assert d.frames_drawn == drawn
    assert img.max() == 0
    d.handle_key(DEFAULT_KEYS["pools"])  # a panel key shows the dashboard again
    assert d.visible and d.open["pools"]


def test_keys_toggle_through_engine_input_bindings(dash):
    _, d, _ = dash
    inp = Input()
    inp.bind("game.f1", glfw.KEY_F1, lambda: None)  # the game owns F1 already
    with pytest.warns(UserWarning, match="profiler.overview not bound"):
        d.bind_keys(inp)
    assert d.unbound_keys == ["profiler.overview"]
    assert not d.open["pools"]
    inp.press(glfw.KEY_F6)
    inp.poll()
    assert d.open["pools"]
    inp.press(glfw.KEY_F12)
    inp.poll()
    assert not d.visible
    assert "F1 overview" in d.help_line and "F12 all" in d.help_line


def test_dashboard_draw_retains_nothing(dash):
    """The engine's default limits hold for a whole dashboard frame with every panel open.
    Recorded run (llvmpipe, 1280x800): 150 calls: collections=0 gen0_growth=0 blocks_growth=4
    traced_growth=124B max_transient=1231B (each formatted string is freed before the next is
    made; tracemalloc cannot see ImGui's C++ buffers)."""
    p, d, fbo = dash
    p.set_tracing(False)  # the harness runs tracemalloc itself
    d.open_all()
    d.record_rects = False
    for _ in range(300):
        p.end_frame()  # past frame 257: counters leave the small-int cache once

    def frame():
        fbo.use()
        d.draw()
        p.end_frame()

    report = measure_steady_state(frame, warmup=60, window=150)
    assert report.ok, str(report)


def test_dashboard_allocation_check_fails_with_a_planted_leak(dash):
    p, d, fbo = dash
    p.set_tracing(False)
    kept: list[object] = []
    overview = d._panel_fns[0]

    def leaky_overview(ctx) -> None:
        overview(ctx)
        kept.append(object())  # a retained object per frame

    d._panel_fns = (leaky_overview,) + d._panel_fns[1:]

    def frame():
        fbo.use()
        d.draw()
        p.end_frame()

    report = measure_steady_state(frame, warmup=30, window=100)
    assert not report.ok
    assert report.blocks_growth >= 90  # one object a frame, 100 frames (limit: 16)


def test_attached_to_a_headless_app_with_clickable_pause():
    app = App(AppConfig(headless=True, width=960, height=540, benchmark=True, step_hz=60))
    try:
        work = np.zeros(10_000)
        app.scheduler.add("movement", lambda dt: np.add(work, dt, out=work))
        p = Profiler()
        _feed(p)
        shots: list[int] = []
        d = p.attach(app, visible=True, screenshot=lambda: shots.append(app.frame))
        assert d is not None
        d.record_rects = True
        assert app.frame_end_hooks[-1] == p.end_frame
        after: list[str] = []
        app.shutdown_hooks.append(lambda: after.append("ran"))  # must still run after ours
        for _ in range(4):
            app.run_frame()
        img = np.frombuffer(app.read_pixels(3), dtype=np.uint8).reshape(540, 960, 3)[::-1]
        bg = np.array([round(c * 255) for c in app.config.clear_color[:3]], dtype=np.uint8)
        overview = _region(img, d.rects["overview"])
        assert (overview != bg).any(axis=2).mean() > 0.95
        m = p.meter
        assert m.overlay_ms.last() > 0 and m.step_ms.last() > 0
        assert m.scheduler is not None and m.scheduler.system_names == ["movement"]

        app.input.press(glfw.KEY_F1)  # through the App's own input bindings
        app.run_frame()
        app.run_frame()
        img = np.frombuffer(app.read_pixels(3), dtype=np.uint8).reshape(540, 960, 3)[::-1]
        assert not d.open["overview"]
        assert (_region(img, d.rects["overview"]) != bg).any(axis=2).mean() == 0.0

        def click(button: str) -> None:
            """Move, press, release on successive frames (ImGui clicks on release)."""
            x, y, w, h = d.rects[button]
            app.input.inject_mouse_move(x + w / 2, y + h / 2)
            app.run_frame()
            app.input.inject_mouse_button(glfw.MOUSE_BUTTON_LEFT, glfw.PRESS)
            app.run_frame()
            app.input.inject_mouse_button(glfw.MOUSE_BUTTON_LEFT, glfw.RELEASE)
            app.run_frame()

        click("pause")
        assert app.scheduler.paused
        steps = app.scheduler.steps_total
        app.run_frame()
        assert app.scheduler.steps_total == steps
        click("step")
        app.run_frame()  # the requested step runs in the next advance
        assert app.scheduler.steps_total == steps + 1 and app.scheduler.paused
        click("screenshot")
        assert len(shots) == 1
        assert app.ctx.error == "GL_NO_ERROR"
    finally:
        app.close()  # shutdown hooks: profiler.close -> dashboard shutdown, before GL goes
    assert p.closed and d._imgui_ctx is None
    assert after == ["ran"]
    assert p.meter._on_gc not in __import__("gc").callbacks


@pytest.mark.window
def test_dashboard_in_a_real_glfw_window(display):
    """Window mode: the GLFW ImGui backend (glfw_init_for_opengl on the App's window), drawn
    into the window's framebuffer and read back; F1 through the App's input hides a panel."""
    app = App(AppConfig(width=960, height=540, headless=False, vsync=False,
                        title="profiler dashboard test"))
    try:
        p = Profiler()
        d = p.attach(app, visible=True)
        d.record_rects = True
        assert d._glfw_backend
        for _ in range(4):
            app.run_frame()
        w, h = app.size
        bg = np.array([round(c * 255) for c in app.config.clear_color[:3]], dtype=np.uint8)
        img = np.frombuffer(app.read_pixels(3), dtype=np.uint8).reshape(h, w, 3)[::-1]
        rect = d.rects["overview"]
        assert (_region(img, rect) != bg).any(axis=2).mean() > 0.95
        app.input.press(glfw.KEY_F1)
        app.run_frame()
        app.run_frame()
        img = np.frombuffer(app.read_pixels(3), dtype=np.uint8).reshape(h, w, 3)[::-1]
        assert (_region(img, rect) != bg).any(axis=2).mean() == 0.0
        assert app.ctx.error == "GL_NO_ERROR"
    finally:
        app.close()
    assert d._imgui_ctx is None
