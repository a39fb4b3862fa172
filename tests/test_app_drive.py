"""The App driven by hand (start / step_frame / close), its time limit, the screenshot at the
end of a run (and the one-line error after it), and its attributes in ``help()``."""

from __future__ import annotations

import pydoc

import numpy as np
import pytest
from PIL import Image

import engine
from engine.core import EXIT_REASONS

pytestmark = pytest.mark.gl

RED = (1.0, 0.0, 0.0, 1.0)


def small_app(**kw) -> engine.App:
    return engine.App(engine.AppConfig(width=64, height=48, headless=True, benchmark=True,
                                       **kw))


def test_start_runs_startup_hooks_once_and_step_frame_drives_frames():
    app = small_app()
    log: list[str] = []
    app.startup_hooks.append(lambda: log.append("start"))
    app.shutdown_hooks.append(lambda: log.append("stop"))
    app.render_hooks.append(lambda alpha: log.append("draw"))
    assert not app.started
    app.start()
    app.start()
    assert app.started and log == ["start"]
    for _ in range(3):
        assert app.step_frame()
    assert app.frame == 3 and log == ["start"] + ["draw"] * 3
    app.close()
    assert log[-1] == "stop" and app.closed
    with pytest.raises(RuntimeError, match="closed"):
        app.step_frame()
    with pytest.raises(RuntimeError, match="closed"):
        app.start()


def test_step_frame_starts_by_itself_and_returns_false_once_asked_to_close():
    app = small_app()
    log: list[str] = []
    app.startup_hooks.append(lambda: log.append("start"))
    app.frame_end_hooks.append(lambda: app.request_close("escape") if app.frame == 1 else None)
    frames = 0
    while app.step_frame():
        frames += 1
    assert log == ["start"] and app.frame == 2 and frames == 1
    assert not app.step_frame() and app.frame == 2  # asked to close: no further frame
    app.close()


def test_run_after_start_does_not_repeat_startup_hooks():
    app = small_app()
    log: list[str] = []
    app.startup_hooks.append(lambda: log.append("start"))
    app.start()
    assert app.run(max_frames=2) == "max_frames"
    assert log == ["start"] and app.frame == 2


def test_time_limit_has_its_own_exit_reason():
    assert "time_limit" in EXIT_REASONS
    app = small_app()
    assert app.run(max_seconds=0.05) == "time_limit"
    assert app.exit_reason == "time_limit" and not app.closed_early and app.closed
    assert app.frame >= 1
    both = small_app()
    assert both.run(max_frames=2, max_seconds=600.0) == "max_frames"
    for bad in (0, -1.0, float("nan"), float("inf"), "1", True):
        with pytest.raises(ValueError, match="max_seconds"):
            small_app().run(max_seconds=bad)


def test_screenshot_after_run_says_where_to_take_it(tmp_path):
    app = small_app()
    app.run(max_frames=1)
    with pytest.raises(RuntimeError) as err:
        engine.save_screenshot(app.target, tmp_path / "late.png")
    msg = str(err.value)
    assert "\n" not in msg and "frame_end hook" in msg and "step_frame" in msg


def test_screenshot_at_the_end_of_a_run(tmp_path):
    app = small_app(clear_color=RED)
    shot = tmp_path / "end.png"
    app.frame_end_hooks.append(
        lambda: engine.save_screenshot(app.target, shot) if app.frame == 2 else None)
    app.run(max_frames=3)
    assert np.asarray(Image.open(shot))[10, 10].tolist() == [255, 0, 0, 255]
    # By hand, headless: the last frame stays in the target until close().
    app = small_app(clear_color=RED)
    app.start()
    app.step_frame()
    engine.save_screenshot(app.target, tmp_path / "hand.png")
    app.close()
    assert np.asarray(Image.open(tmp_path / "hand.png"))[0, 0].tolist() == [255, 0, 0, 255]


def test_help_lists_the_attributes():
    text = pydoc.render_doc(engine.App, renderer=pydoc.plaintext)
    for name in ("ctx", "size", "frame", "rng", "scheduler", "input", "window", "target",
                 "exit_reason", "render_hooks", "overlay_hooks", "frame_end_hooks",
                 "startup_hooks", "shutdown_hooks", "resize_hooks", "started", "closed",
                 "swap_ns_last", "config", "clock"):
        assert f"{name}:" in text or f"``{name}``" in text, name
