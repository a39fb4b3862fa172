"""A real GLFW window, run under Xvfb:
``xvfb-run -a -s '-noreset' .venv/bin/pytest tests/test_window.py`` (-noreset, or a test may
connect while Xvfb resets after the previous one left). Open, draw and read back the window's
framebuffer, resize, 0 x 0 and back, close - with no GL error. Skips without a DISPLAY (the
``display`` fixture)."""

from __future__ import annotations

import struct

import moderngl
import numpy as np
import pytest

from engine.core import App, AppConfig, GlfwWindow, TargetConfig, open_target
from engine.core._glfw import GLFW_LIBRARY, glfw

pytestmark = pytest.mark.window

CLEAR = (0.2, 0.4, 0.6, 1.0)
CLEAR_BYTES = (51, 102, 153, 255)

VERT = """
#version 330
in vec2 in_pos;
void main() { gl_Position = vec4(in_pos, 0.0, 1.0); }
"""
FRAG = """
#version 330
out vec4 f_color;
void main() { f_color = vec4(1.0, 1.0, 0.0, 1.0); }
"""


def pixel(data: bytes, width: int, x: int, y: int) -> tuple[int, ...]:
    i = (y * width + x) * 4
    return struct.unpack("4B", data[i:i + 4])


class Quad:
    """Yellow quad over the middle half of the target."""

    def __init__(self, ctx: moderngl.Context) -> None:
        self.prog = ctx.program(vertex_shader=VERT, fragment_shader=FRAG)
        self.vbo = ctx.buffer(np.array([-.5, -.5, .5, -.5, -.5, .5, .5, .5], dtype="f4"))
        self.vao = ctx.vertex_array(self.prog, [(self.vbo, "2f", "in_pos")])
        self.calls = 0

    def __call__(self, alpha: float) -> None:
        self.calls += 1
        self.vao.render(moderngl.TRIANGLE_STRIP)


@pytest.fixture
def window_app(display):
    app = App(AppConfig(width=160, height=120, headless=False, vsync=False,
                        clear_color=CLEAR, title="engine window test"))
    yield app
    if not app.closed:
        assert app.ctx.error == "GL_NO_ERROR"
        app.close()


def frames_until(app: App, size: tuple[int, int], limit: int = 50) -> int:
    """Run frames until the App reports ``size`` (the X server answers asynchronously)."""
    for n in range(1, limit + 1):
        app.run_frame()
        if app.size == size:
            return n
    raise AssertionError(f"size stayed {app.size}, expected {size} after {limit} frames")


def test_glfw_is_imgui_bundles_library(display):
    assert GLFW_LIBRARY is not None and GLFW_LIBRARY.endswith("imgui_bundle/libglfw.so")
    assert glfw._glfw._name == GLFW_LIBRARY


def test_window_opens_with_a_gl33_core_context(window_app):
    app = window_app
    assert isinstance(app.window, GlfwWindow) and not app.headless
    assert app.window.glfw_window_address > 0
    assert app.target is app.ctx.screen
    assert app.size == (160, 120)
    assert app.ctx.version_code >= 330
    assert app.input.pump is glfw.poll_events
    assert glfw.get_window_attrib(app.window.glfw_window, glfw.OPENGL_PROFILE) == \
        glfw.OPENGL_CORE_PROFILE
    assert glfw.get_window_attrib(app.window.glfw_window, glfw.OPENGL_FORWARD_COMPAT)


def test_the_glfw_target_opens_from_its_own_config_without_an_app(display):
    window = open_target(TargetConfig(width=96, height=64, title="target", headless=False,
                                      vsync=False))
    try:
        assert isinstance(window, GlfwWindow) and window.size == (96, 64)
        assert window.target is window.ctx.screen and not window.should_close()
        window.set_should_close()
        assert window.should_close()
    finally:
        window.close()
    window.close()
    assert window.closed


def test_auto_mode_picks_the_window_when_a_display_works(display):
    app = App(AppConfig(width=64, height=64, headless=None))
    try:
        assert isinstance(app.window, GlfwWindow)
    finally:
        app.close()


def test_draw_and_read_back_the_window_framebuffer(window_app):
    app = window_app
    quad = Quad(app.ctx)
    shots: list[bytes] = []
    app.render_hooks.append(quad)
    app.frame_end_hooks.append(lambda: shots.append(app.read_pixels()))
    for _ in range(3):
        app.run_frame()
    data = shots[-1]
    assert len(data) == 160 * 120 * 4
    assert pixel(data, 160, 80, 60) == (255, 255, 0, 255)
    assert pixel(data, 160, 2, 2) == CLEAR_BYTES
    assert pixel(data, 160, 157, 117) == CLEAR_BYTES
    assert app.ctx.error == "GL_NO_ERROR"


def test_resize_to_zero_and_back(window_app):
    app = window_app
    quad = Quad(app.ctx)
    sizes: list[tuple[int, int]] = []
    ticks = [0]
    shots: list[bytes] = []
    app.render_hooks.append(quad)

    def mark_bottom_right(alpha: float) -> None:
        # A 10 x 10 green square in the bottom-right corner, in pixels: a stale viewport,
        # scissor or a scaled read-back would move or lose it.
        w, _ = app.size
        app.target.clear(0.0, 1.0, 0.0, 1.0, viewport=(w - 10, 0, 10, 10))

    app.render_hooks.append(mark_bottom_right)
    app.resize_hooks.append(lambda w, h: sizes.append((w, h)))
    app.scheduler.add("tick", lambda dt: ticks.__setitem__(0, ticks[0] + 1))
    app.frame_end_hooks.append(
        lambda: shots.append(app.read_pixels()) if app.window.renderable else None)

    # A real resize: the framebuffer grows and the whole of it is drawn.
    app.window.resize(240, 100)
    frames_until(app, (240, 100))
    app.run_frame()
    assert pixel(shots[-1], 240, 120, 50) == (255, 255, 0, 255)
    assert pixel(shots[-1], 240, 237, 97) == CLEAR_BYTES      # beyond the old 160 x 120
    assert pixel(shots[-1], 240, 235, 5) == (0, 255, 0, 255)
    assert pixel(shots[-1], 240, 225, 5) == CLEAR_BYTES

    # Minimise. Iconify really happens, but X11 keeps the framebuffer size; Windows reports
    # 0 x 0, which reaches the engine through GLFW's framebuffer-size callback - so that
    # callback is invoked as GLFW would, on this real window.
    app.window.resize(0, 0)
    app.window._on_framebuffer_size(app.window.glfw_window, 0, 0)
    drawn, shot_count = quad.calls, len(shots)
    for _ in range(5):
        app.run_frame()
    assert app.size == (0, 0) and quad.calls == drawn and len(shots) == shot_count
    assert app.frame >= 5
    assert app.ctx.error == "GL_NO_ERROR"

    # Back.
    app.window.resize(200, 150)
    app.window._on_framebuffer_size(app.window.glfw_window, *glfw.get_framebuffer_size(
        app.window.glfw_window))
    frames_until(app, (200, 150))
    app.run_frame()
    assert quad.calls > drawn
    assert pixel(shots[-1], 200, 100, 75) == (255, 255, 0, 255)
    assert pixel(shots[-1], 200, 198, 148) == CLEAR_BYTES
    assert pixel(shots[-1], 200, 195, 5) == (0, 255, 0, 255)
    assert pixel(shots[-1], 200, 185, 5) == CLEAR_BYTES
    assert (0, 0) in sizes and sizes[-1] == (200, 150)
    assert app.ctx.error == "GL_NO_ERROR"


def test_close_button_ends_the_run_and_shutdown_runs_with_gl_alive(window_app):
    app = window_app
    log: list[str] = []
    app.shutdown_hooks.append(
        lambda: log.append(f"shutdown window_closed={app.window.closed} "
                           f"gl={app.ctx.error}"))
    # What the close button does: GLFW sets the window's close flag.
    app.frame_end_hooks.append(
        lambda: glfw.set_window_should_close(app.window.glfw_window, True)
        if app.frame == 2 else None)
    assert app.run(max_frames=100) == "window_closed"
    assert app.frame == 3 and app.closed_early
    assert log == ["shutdown window_closed=False gl=GL_NO_ERROR"]
    assert app.window.closed


def test_escape_binding_closes_the_window(window_app):
    app = window_app
    app.frame_end_hooks.append(lambda: app.input.press(glfw.KEY_ESCAPE))
    assert app.run() == "escape"
    # Pressed at the end of frame 1, applied in frame 2's input phase; the loop ends after it.
    assert app.frame == 2 and not app.closed_early


def test_window_frame_allocates_nothing_in_steady_state(window_app):
    """The same contract as headless, through GLFW's poll and swap. Recorded run under Xvfb:
    collections=0 gen0_growth=0 blocks_growth=2 traced_growth=64B max_transient=1124B -> OK.
    (The planted-leak counterpart is in test_app_headless.py: same harness, same frame.)"""
    from engine.profiler.steady_state import measure_steady_state

    app = window_app
    app.scheduler.add("noop", lambda dt: None)
    report = measure_steady_state(app.run_frame, warmup=50, window=200)
    assert report.ok, str(report)
