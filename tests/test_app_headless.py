"""The App headless (EGL offscreen): the frame's phases and their order, rendered pixels read
back, shutdown on every exit path, resize to 0 x 0 and back, benchmark determinism, input
bindings, and the loop's own allocation contract."""

from __future__ import annotations

import os
import signal
import struct
import time

import moderngl
import numpy as np
import pytest

from engine.core import (
    App,
    AppConfig,
    DisplayUnavailableError,
    DuplicateBindingError,
    FixedClock,
    HeadlessWindow,
    Input,
    ManualClock,
    ShutdownError,
    TargetConfig,
    UnknownBindingError,
    key_name,
    open_target,
)
from engine.core._glfw import glfw
from engine.profiler.steady_state import measure_steady_state

pytestmark = pytest.mark.gl

CLEAR = (0.2, 0.4, 0.6, 1.0)
CLEAR_BYTES = (51, 102, 153, 255)
QUAD_COLOR = (1.0, 0.0, 0.0, 1.0)

VERT = """
#version 330
in vec2 in_pos;
uniform vec2 offset;
void main() { gl_Position = vec4(in_pos + offset, 0.0, 1.0); }
"""
FRAG = """
#version 330
uniform vec4 color;
out vec4 f_color;
void main() { f_color = color; }
"""


class Quad:
    """A render hook drawing a quad over the middle half of the target (raw moderngl)."""

    def __init__(self, ctx: moderngl.Context, color=QUAD_COLOR) -> None:
        self.prog = ctx.program(vertex_shader=VERT, fragment_shader=FRAG)
        self.prog["color"].value = color
        self.prog["offset"].value = (0.0, 0.0)
        self.vbo = ctx.buffer(np.array([-.5, -.5, .5, -.5, -.5, .5, .5, .5], dtype="f4"))
        self.vao = ctx.vertex_array(self.prog, [(self.vbo, "2f", "in_pos")])
        self.alphas: list[float] = []

    def __call__(self, alpha: float) -> None:
        self.alphas.append(alpha)
        self.vao.render(moderngl.TRIANGLE_STRIP)

    def release(self) -> None:
        for obj in (self.vao, self.vbo, self.prog):
            obj.release()


def pixel(data: bytes, width: int, x: int, y: int) -> tuple[int, ...]:
    i = (y * width + x) * 4
    return struct.unpack("4B", data[i:i + 4])


@pytest.fixture
def apps():
    """Make headless Apps; each is closed at teardown (after its GL error check)."""
    made: list[App] = []

    def make(clock=None, **kw) -> App:
        kw.setdefault("width", 64)
        kw.setdefault("height", 48)
        kw.setdefault("headless", True)
        kw.setdefault("clear_color", CLEAR)
        app = App(AppConfig(**kw), clock=clock)
        made.append(app)
        return app

    yield make
    for app in made:
        if not app.closed:
            assert app.ctx.error == "GL_NO_ERROR"
            app.close()


# --- configuration and target ---------------------------------------------------------------

def test_headless_app_exposes_its_parts(apps):
    app = apps()
    assert isinstance(app.window, HeadlessWindow) and app.headless
    assert isinstance(app.ctx, moderngl.Context) and app.ctx.version_code >= 330
    assert app.target is app.window.target and app.target.size == (64, 48)
    assert app.size == (64, 48)
    assert app.window.color_texture.size == (64, 48)
    assert app.target.depth_attachment is not None
    assert isinstance(app.rng, np.random.Generator)
    assert app.frame == 0 and app.exit_reason is None
    assert app.input.bindings == [("quit", "Escape")]


@pytest.mark.parametrize("field, value, exc", [
    ("width", 0, ValueError), ("height", 1.5, TypeError), ("fps_cap", 0, ValueError),
    ("fps_cap", "60", TypeError), ("headless", "yes", TypeError), ("seed", -1, ValueError),
    ("samples", -2, ValueError), ("clear_color", (1, 2, 3), ValueError),
    ("benchmark_frame_ns", 0, ValueError), ("title", 5, TypeError),
    ("step_hz", 0, ValueError), ("max_steps", 0, ValueError),
])
def test_bad_config_is_refused_with_the_field_named(field, value, exc):
    kwargs = {"headless": True}
    kwargs[field] = value
    with pytest.raises(exc) as info:
        App(AppConfig(**kwargs))
    assert field.split("_")[0] in str(info.value)


def test_parse_size_reads_width_x_height():
    assert AppConfig.parse_size("1280x720") == (1280, 720)
    assert AppConfig.parse_size("64X48") == (64, 48)


@pytest.mark.parametrize("text", ["1280", "12x", "x7", "0x5", "-3x4", "axb", "1x2x3", "", 5])
def test_parse_size_refuses_bad_text_in_one_line(text):
    with pytest.raises(ValueError) as info:
        AppConfig.parse_size(text)
    msg = str(info.value)
    assert "WIDTHxHEIGHT" in msg and repr(text) in msg and "\n" not in msg


def test_auto_mode_without_a_display_runs_headless_with_one_notice(monkeypatch, capfd, apps):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = apps(headless=None)
    assert app.headless
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "running headless" in err and "DISPLAY" in err


def test_window_required_without_a_display_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(DisplayUnavailableError, match="headless=False.*DISPLAY"):
        App(AppConfig(headless=False))


def test_a_target_opens_from_its_own_config_without_an_app():
    target = open_target(TargetConfig(width=32, height=16, headless=True))
    try:
        assert isinstance(target, HeadlessWindow) and target.size == (32, 16)
        assert target.config == TargetConfig(width=32, height=16, headless=True)
        target.target.use()
        target.target.clear(1.0, 0.0, 0.0, 1.0)
        assert target.read_pixels()[:4] == bytes((255, 0, 0, 255))
        target.set_should_close()
        assert target.should_close()
    finally:
        target.close()
    target.close()
    assert target.closed


def test_the_app_hands_its_target_only_the_target_fields():
    config = AppConfig(width=40, height=30, title="t", vsync=False, headless=True, samples=2,
                       fps_cap=30.0, seed=3)
    assert config.target_config() == TargetConfig(width=40, height=30, title="t",
                                                  vsync=False, headless=True, samples=2)


@pytest.mark.parametrize("field, value, exc", [
    ("width", 0, ValueError), ("height", "2", TypeError), ("headless", 1, TypeError),
    ("samples", -1, ValueError), ("title", None, TypeError),
])
def test_bad_target_config_is_refused_with_the_field_named(field, value, exc):
    with pytest.raises(exc, match=f"TargetConfig.{field}"):
        open_target(TargetConfig(**{"headless": True, field: value}))


# --- the frame ------------------------------------------------------------------------------

def test_frame_clears_and_renders_a_known_quad(apps):
    app = apps()
    quad = Quad(app.ctx)
    shots: list[bytes] = []
    app.render_hooks.append(quad)
    app.frame_end_hooks.append(lambda: shots.append(app.read_pixels()))
    app.run_frame()
    data = shots[0]
    assert len(data) == 64 * 48 * 4
    assert pixel(data, 64, 32, 24) == (255, 0, 0, 255)    # inside the quad
    assert pixel(data, 64, 2, 2) == CLEAR_BYTES           # outside: the clear colour
    assert pixel(data, 64, 61, 45) == CLEAR_BYTES
    assert app.ctx.error == "GL_NO_ERROR"
    quad.release()


def test_frame_phases_run_in_order(apps):
    clock = ManualClock()
    app = apps(clock=clock, step_hz=100)
    log: list[str] = []
    in_tick = [False]

    def system(dt: float) -> None:
        in_tick[0] = True
        log.append("system")
        in_tick[0] = False

    app.scheduler.add("sys", system)
    app.input.bind("probe", glfw.KEY_P,
                   lambda: log.append("binding-in-tick" if in_tick[0] else "binding"))
    app.render_hooks.append(lambda alpha: log.append("render"))
    app.overlay_hooks.append(lambda: log.append("overlay"))
    app.frame_end_hooks.append(lambda: log.append("frame_end"))
    app.input.press(glfw.KEY_P)
    assert log == []                                   # injected, not applied yet
    clock.advance(25_000_000)
    app.run_frame()
    assert log == ["binding", "system", "system", "render", "overlay", "frame_end"]
    assert app.frame == 1 and app.frame_ns_last == 25_000_000


def test_render_hooks_receive_the_schedulers_alpha(apps):
    clock = ManualClock()
    app = apps(clock=clock, step_hz=100)              # 10 ms steps
    seen: list[float] = []
    app.render_hooks.append(seen.append)
    for frame_ns in (4_000_000, 4_000_000, 4_000_000, 25_000_000):
        clock.advance(frame_ns)
        app.run_frame()
    assert seen == pytest.approx([0.4, 0.8, 0.2, 0.7])
    assert app.scheduler.steps_total == 3


def test_benchmark_mode_is_reproducible(apps):
    def run_once() -> tuple[np.ndarray, list[int]]:
        app = apps(benchmark=True, seed=7)
        assert isinstance(app.clock, FixedClock) and app.seed == 7
        state = np.zeros(8)
        buf = np.empty(8)
        frame_ns: list[int] = []

        def system(dt: float) -> None:
            app.rng.random(out=buf)
            state.__iadd__(buf)

        app.scheduler.add("random_walk", system)
        app.frame_end_hooks.append(lambda: frame_ns.append(app.frame_ns_last))
        assert app.run(max_frames=20) == "max_frames"
        assert app.scheduler.steps_total == 10        # 60 fps frames, 30 Hz steps
        return state, frame_ns

    a, frames_a = run_once()
    b, frames_b = run_once()
    assert frames_a == frames_b == [16_666_667] * 20
    assert np.array_equal(a, b) and a.sum() > 0


def test_benchmark_seed_defaults_to_zero_and_normal_runs_record_their_seed(apps):
    assert apps(benchmark=True).seed == 0
    a, b = apps(), apps()
    assert a.seed != b.seed                           # fresh entropy, recorded
    assert np.array_equal(np.random.default_rng(a.seed).random(4), a.rng.random(4))


def test_msaa_target_is_resolved_for_read_back(apps):
    app = apps(samples=4)
    assert app.target.samples == 4
    quad = Quad(app.ctx, color=(0.0, 1.0, 0.0, 1.0))
    shots: list[bytes] = []
    app.render_hooks.append(quad)
    app.frame_end_hooks.append(lambda: shots.append(app.read_pixels()))
    app.run_frame()
    assert pixel(shots[0], 64, 32, 24) == (0, 255, 0, 255)
    assert pixel(shots[0], 64, 1, 1) == CLEAR_BYTES
    quad.release()


def test_fps_cap_sleeps_out_the_rest_of_each_frame(apps):
    # A lower bound only: time.sleep never returns early, so this cannot flake on a slow
    # machine; without a cap these frames take well under a millisecond each.
    app = apps(fps_cap=100)
    start = time.perf_counter_ns()
    for _ in range(5):
        app.run_frame()
    assert time.perf_counter_ns() - start >= 5 * 10_000_000 - 1_000_000


# --- resize and minimise --------------------------------------------------------------------

def test_zero_size_skips_rendering_but_keeps_ticking(apps):
    clock = ManualClock()
    app = apps(clock=clock, step_hz=100)
    log: list[str] = []
    sizes: list[tuple[int, int]] = []
    app.scheduler.add("tick", lambda dt: log.append("tick"))
    app.render_hooks.append(lambda alpha: log.append("render"))
    app.overlay_hooks.append(lambda: log.append("overlay"))
    app.frame_end_hooks.append(lambda: log.append("end"))
    app.resize_hooks.append(lambda w, h: sizes.append((w, h)))

    app.window.resize(0, 0)
    for _ in range(3):
        clock.advance(10_000_000)
        app.run_frame()
    assert app.size == (0, 0) and sizes == [(0, 0)]
    assert log == ["tick", "end"] * 3
    with pytest.raises(RuntimeError, match="0x0"):
        app.read_pixels()

    app.window.resize(32, 16)
    shots: list[bytes] = []
    app.frame_end_hooks.append(lambda: shots.append(app.read_pixels()))
    clock.advance(10_000_000)
    app.run_frame()
    assert app.size == (32, 16) and sizes == [(0, 0), (32, 16)]
    assert log[-4:] == ["tick", "render", "overlay", "end"]
    assert app.target.size == (32, 16) and len(shots[0]) == 32 * 16 * 4
    assert pixel(shots[0], 32, 31, 15) == CLEAR_BYTES
    assert app.ctx.error == "GL_NO_ERROR"


def test_resize_refuses_bad_sizes(apps):
    app = apps()
    with pytest.raises(ValueError, match="width"):
        app.window.resize(-1, 10)
    with pytest.raises(TypeError, match="height"):
        app.window.resize(10, 2.5)  # type: ignore[arg-type]


# --- exit paths: shutdown hooks always run, then GL, then the window ------------------------

def recording_app(apps, **kw):
    app = apps(**kw)
    log: list[str] = []

    def on_shutdown() -> None:
        # GL is still alive during shutdown hooks.
        buf = app.ctx.buffer(reserve=16)
        buf.release()
        log.append("shutdown" if not app.window.closed else "shutdown-after-release")

    app.startup_hooks.append(lambda: log.append("startup"))
    app.shutdown_hooks.append(on_shutdown)
    return app, log


def test_shutdown_on_max_frames(apps):
    app, log = recording_app(apps)
    assert app.run(max_frames=3) == "max_frames"
    assert log == ["startup", "shutdown"]
    assert app.frame == 3 and app.exit_reason == "max_frames" and not app.closed_early
    assert app.closed and app.window.closed
    app.close()                                                  # twice is fine
    assert log == ["startup", "shutdown"]
    with pytest.raises(RuntimeError, match="closed"):
        app.run(max_frames=1)


def test_shutdown_on_exception_then_it_propagates(apps):
    app, log = recording_app(apps, benchmark=True)

    def bad(dt: float) -> None:
        raise ZeroDivisionError("bad system")

    app.scheduler.add("bad", bad)
    with pytest.raises(ZeroDivisionError, match="bad system"):
        app.run(max_frames=100)
    assert log == ["startup", "shutdown"]
    assert app.exit_reason == "error" and app.closed_early and app.window.closed


def test_shutdown_on_keyboard_interrupt_from_a_system(apps):
    app, log = recording_app(apps, benchmark=True)

    def interrupt(dt: float) -> None:
        if app.scheduler.steps_total == 2:
            raise KeyboardInterrupt

    app.scheduler.add("interrupt", interrupt)
    assert app.run(max_frames=100) == "interrupt"
    assert log == ["startup", "shutdown"]
    assert app.closed_early and app.window.closed


def test_shutdown_on_a_real_sigint(apps):
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        pytest.skip("SIGINT is not Python's default handler in this runner")
    app, log = recording_app(apps, benchmark=True)
    app.scheduler.add("ctrl_c", lambda dt: os.kill(os.getpid(), signal.SIGINT))
    assert app.run(max_frames=100) == "interrupt"
    assert log == ["startup", "shutdown"] and app.exit_reason == "interrupt"


def test_escape_ends_the_run(apps):
    app, log = recording_app(apps)
    app.input.press(glfw.KEY_ESCAPE)
    assert app.run() == "escape"
    assert app.frame == 1 and not app.closed_early               # open-ended run, user quit
    assert log == ["startup", "shutdown"]


def test_escape_before_max_frames_marks_the_run_partial(apps):
    app, _ = recording_app(apps)
    app.frame_end_hooks.append(lambda: app.input.press(glfw.KEY_ESCAPE) if app.frame == 3
                               else None)
    assert app.run(max_frames=50) == "escape"
    assert app.frame == 5 and app.closed_early


def test_request_close_and_close_from_a_hook_end_the_run_after_the_frame(apps):
    app, log = recording_app(apps)
    app.frame_end_hooks.append(lambda: app.close() if app.frame == 1 else None)
    assert app.run(max_frames=10) == "window_closed"
    assert app.frame == 2 and app.closed_early and log == ["startup", "shutdown"]
    with pytest.raises(ValueError, match="reason"):
        app.request_close("bored")


def test_every_shutdown_hook_runs_even_when_one_raises(apps):
    app, log = recording_app(apps)

    def broken() -> None:
        raise OSError("disk full")

    app.shutdown_hooks.insert(0, broken)
    app.shutdown_hooks.append(lambda: log.append("last"))
    with pytest.raises(ShutdownError, match="disk full") as info:
        app.run(max_frames=1)
    assert log == ["startup", "shutdown", "last"]
    assert isinstance(info.value.errors[0], OSError) and app.window.closed


def test_shutdown_failure_does_not_hide_the_frames_error(apps, capfd):
    app, log = recording_app(apps, benchmark=True)
    app.scheduler.add("bad", lambda dt: 1 / 0)

    def broken() -> None:
        raise OSError("also broken")

    app.shutdown_hooks.append(broken)
    with pytest.raises(ZeroDivisionError):
        app.run(max_frames=5)
    assert "also broken" in capfd.readouterr().err
    assert log == ["startup", "shutdown"] and app.window.closed


def test_context_manager_closes(apps):
    app, log = recording_app(apps)
    with app:
        app.run_frame()
    assert log == ["shutdown"] and app.closed


def test_the_shared_test_context_survives_an_app(ctx):
    """Closing an App restores the EGL context that was current before it (the suite's)."""
    before = ctx.buffer(b"abcd")
    app = App(AppConfig(width=8, height=8, headless=True))
    app.run(max_frames=2)
    fbo = ctx.simple_framebuffer((4, 4))
    fbo.use()
    ctx.clear(0.0, 1.0, 0.0, 1.0)
    assert fbo.read(components=4)[:4] == b"\x00\xff\x00\xff"
    assert before.read() == b"abcd"
    ctx.detect_framebuffer(0).use()  # never release the bound framebuffer
    fbo.release()
    before.release()


# --- input ----------------------------------------------------------------------------------

def test_key_state_and_per_frame_flags():
    inp = Input()
    inp.inject_key(glfw.KEY_W, glfw.PRESS)
    assert not inp.is_down(glfw.KEY_W)               # applied at poll, not before
    inp.poll()
    assert inp.is_down(glfw.KEY_W) and inp.was_pressed(glfw.KEY_W)
    inp.poll()
    assert inp.is_down(glfw.KEY_W) and not inp.was_pressed(glfw.KEY_W)
    inp.inject_key(glfw.KEY_W, glfw.RELEASE)
    inp.poll()
    assert not inp.is_down(glfw.KEY_W) and inp.was_released(glfw.KEY_W)
    inp.press(glfw.KEY_SPACE)
    inp.poll()
    assert inp.was_pressed(glfw.KEY_SPACE) and not inp.is_down(glfw.KEY_SPACE)
    with pytest.raises(ValueError, match="key must be in"):
        inp.is_down(10_000)
    with pytest.raises(ValueError, match="action"):
        inp.inject_key(glfw.KEY_A, 7)
    inp.inject_key(glfw.KEY_UNKNOWN, glfw.PRESS)     # GLFW sends it; ignored
    inp.poll()


def test_mouse_state():
    inp = Input()
    inp.inject_mouse_move(10.5, 20.0)
    inp.inject_mouse_button(glfw.MOUSE_BUTTON_LEFT, glfw.PRESS)
    inp.inject_scroll(0.0, 2.0)
    inp.poll()
    assert (inp.mouse_x, inp.mouse_y) == (10.5, 20.0)
    assert inp.mouse_down(0) and inp.mouse_was_pressed(0) and inp.scroll_y == 2.0
    inp.poll()
    assert inp.mouse_down(0) and not inp.mouse_was_pressed(0) and inp.scroll_y == 0.0


def test_bindings_fire_on_press_with_exact_modifiers():
    inp = Input()
    fired: list[str] = []
    inp.bind("panel", glfw.KEY_F1, lambda: fired.append("panel"))
    inp.bind("shot", glfw.KEY_S, lambda: fired.append("shot"), mods=glfw.MOD_CONTROL)
    inp.press(glfw.KEY_S)                                        # no Ctrl: not the binding
    inp.press(glfw.KEY_S, glfw.MOD_CONTROL | glfw.MOD_CAPS_LOCK)  # lock bits ignored
    inp.press(glfw.KEY_F1)
    inp.inject_key(glfw.KEY_F1, glfw.REPEAT)                     # repeats do not re-fire
    inp.poll()
    assert fired == ["shot", "panel"]
    assert inp.bindings == [("panel", "F1"), ("shot", "Ctrl+S")]
    assert key_name(glfw.KEY_ESCAPE) == "Escape"


def test_binding_errors_name_what_exists():
    inp = Input()
    inp.bind("pause", glfw.KEY_P, lambda: None)
    with pytest.raises(DuplicateBindingError, match="'pause'"):
        inp.bind("pause", glfw.KEY_Q, lambda: None)
    with pytest.raises(DuplicateBindingError, match="P is already bound to 'pause'"):
        inp.bind("other", glfw.KEY_P, lambda: None)
    with pytest.raises(UnknownBindingError) as info:
        inp.unbind("step")
    assert isinstance(info.value, KeyError) and "'pause'" in str(info.value)
    with pytest.raises(TypeError, match="callable"):
        inp.bind("x", glfw.KEY_X, None)  # type: ignore[arg-type]
    assert inp.unbind("pause").key == glfw.KEY_P and inp.bindings == []


def test_blocked_keyboard_ignores_presses_but_not_releases():
    inp = Input()
    fired: list[int] = []
    inp.bind("b", glfw.KEY_B, lambda: fired.append(1))
    inp.inject_key(glfw.KEY_A, glfw.PRESS)
    inp.poll()
    inp.keyboard_blocked = True
    inp.press(glfw.KEY_B)
    inp.inject_key(glfw.KEY_A, glfw.RELEASE)
    inp.poll()
    assert fired == [] and not inp.is_down(glfw.KEY_A) and not inp.was_pressed(glfw.KEY_B)


def test_unbinding_quit_disables_escape(apps):
    app = apps()
    app.input.unbind("quit")
    app.input.press(glfw.KEY_ESCAPE)
    assert app.run(max_frames=3) == "max_frames"


# --- allocation contract --------------------------------------------------------------------

def test_run_frame_allocates_nothing_in_steady_state(apps):
    """Headless, no hooks, one no-op system, benchmark clock (steps on every other frame).
    Recorded run: collections=0 gen0_growth=0 blocks_growth=2 traced_growth=64B
    max_transient=1124B -> OK."""
    app = apps(benchmark=True)
    app.scheduler.add("noop", lambda dt: None)
    report = measure_steady_state(app.run_frame)
    assert report.ok, str(report)
    assert app.scheduler.steps_total >= 500


def test_run_frame_check_fails_on_a_planted_leak(apps):
    app = apps(benchmark=True)
    kept: list = []
    app.scheduler.add("leak", lambda dt: kept.append(np.zeros(4)))
    report = measure_steady_state(app.run_frame, warmup=20, window=200)
    assert not report.ok
    assert any(f.startswith("blocks_growth") for f in report.failures()), str(report)


# --- the embedding example ------------------------------------------------------------------

def test_minimal_demo_runs_headless_and_exits_0():
    import subprocess
    import sys
    from pathlib import Path

    demo = Path(__file__).resolve().parents[1] / "demos" / "minimal.py"
    done = subprocess.run([sys.executable, str(demo), "--headless", "--benchmark",
                           "--frames", "20"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "20 frames, 10 steps, exit: max_frames" in done.stdout
