"""Sprites(app, sheets): sprites on screen in one call; moves interpolated, animations by
simulated time, removals, the errors, its draw held to the allocation contract."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine.profiler.steady_state import measure_steady_state
from engine.render import read_pixels, sheet_from_frames

pytestmark = pytest.mark.gl

COLORS = [(255, 0, 0, 255), (0, 255, 0, 255), (0, 0, 255, 255)]


def walker_sheet():
    frames = [np.full((8, 8, 4), c, np.uint8) for c in COLORS]
    return sheet_from_frames("walker", frames, [("walk", 3, 10.0, True)])


def app_and_sprites():
    app = engine.App(engine.AppConfig(width=64, height=64, headless=True, benchmark=True,
                                      step_hz=30.0, clear_color=(0.0, 0.0, 0.0, 1.0)))
    return app, engine.Sprites(app, [walker_sheet()])


def frame_pixels(app):
    shots = []
    app.frame_end_hooks.append(lambda: shots.append(read_pixels(app.target)))
    app.step_frame()
    app.frame_end_hooks.pop()
    return shots[-1]


def colored(px, rgb):
    return (np.abs(px[..., :3].astype(int) - rgb).sum(axis=2) < 30)


def test_add_draws_frame_zero_at_its_position_and_move_interpolates():
    app, sprites = app_and_sprites()
    try:
        h = sprites.add("walker", -10.0, 0.0)
        px = frame_pixels(app)
        red = colored(px, (255, 0, 0))
        assert red.sum() == 64 and np.flatnonzero(red.any(axis=0)).min() == 32 - 10 - 4
        sprites.move(h, 10.0, 0.0)
        app.target.use()
        app.target.clear(0.0, 0.0, 0.0, 1.0)
        sprites.draw(0.5)  # halfway between the last and the new position
        px = read_pixels(app.target)
        assert np.flatnonzero(colored(px, (255, 0, 0)).any(axis=0)).min() == 32 - 4
        assert sprites.gfx.render_stats.draw_calls == 1
    finally:
        app.close()


def test_play_steps_through_the_animation_by_simulated_time():
    app, sprites = app_and_sprites()
    try:
        h = sprites.add("walker", 0.0, 0.0)
        sprites.play(h, "walk")  # 10 fps: a frame every 3 steps of 1/30 s
        seen = []
        for _ in range(12):
            app.step_frame()
            seen.append(int(sprites.store.columns["frame"][0]))
        assert set(seen) == {0, 1, 2} and seen[-1] in (0, 1, 2)
        assert sprites.add("walker", animation="walk") >= 0
    finally:
        app.close()


def test_remove_and_the_errors():
    app, sprites = app_and_sprites()
    try:
        h = sprites.add("walker")
        assert sprites.remove(h) and not sprites.remove(h)
        app.step_frame()
        assert sprites.store.count == 0
        with pytest.raises(KeyError, match="removed"):
            sprites.move(h, 1.0, 1.0)
        with pytest.raises(KeyError, match="walker"):
            sprites.add("hero")
        h2 = sprites.add("walker")
        with pytest.raises(KeyError, match="walk"):
            sprites.play(h2, "run")
        with pytest.raises(TypeError, match="SpriteSheet"):
            engine.Sprites(app, ["hero.png"])  # type: ignore[list-item]
        with pytest.raises(ValueError, match="at least one"):
            engine.Sprites(app, [])
    finally:
        app.close()


def test_draw_allocates_nothing():
    app, sprites = app_and_sprites()
    try:
        rng = np.random.default_rng(0)
        for i in range(500):
            h = sprites.add("walker", float(rng.uniform(-30, 30)), float(rng.uniform(-30, 30)))
            if i % 2:
                sprites.play(h, "walk")
        app.start()
        report = measure_steady_state(app.run_frame, warmup=60, window=200)
        assert report.ok, str(report)
    finally:
        app.close()
