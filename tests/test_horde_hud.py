"""demos/horde.py's HUD: hp, kills and time on screen, "GAME OVER" while the player is down,
text formatted only when a figure changed (the unchanged draw allocates nothing)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from engine.profiler.steady_state import measure_steady_state
from engine.render import read_pixels

pytestmark = pytest.mark.gl

ROOT = Path(__file__).resolve().parents[1]


def load_horde():
    spec = importlib.util.spec_from_file_location("horde_hud_demo", ROOT / "demos" / "horde.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def game():
    horde = load_horde()
    args = horde.parse_args(["--headless", "--benchmark", "--no-dashboard", "--size", "640x360",
                             "--seed", "3"])
    g = horde.HordeGame(args)
    g.app.start()
    yield g
    g.app.close()


def last_frame(app):
    shots = []
    app.frame_end_hooks.append(lambda: shots.append(read_pixels(app.target)))
    app.step_frame()
    app.frame_end_hooks.pop()
    return shots[-1]


def text_pixels(px, rgb, box):
    x0, y0, x1, y1 = box
    region = px[y0:y1, x0:x1, :3].astype(int)
    return int((np.abs(region - rgb).sum(axis=2) < 60).sum())


def test_hud_shows_hp_kills_time_then_game_over(game):
    for _ in range(90):
        game.app.step_frame()
    layer = game.hud.layer
    status = layer.text(game.hud.status)
    p = game.world.player
    assert status.startswith(f"hp {int(np.ceil(p.hp))}/{p.max_hp:.0f}")
    assert f"kills {p.kills}" in status and "time 0:01" in status
    px = last_frame(game.app)
    assert text_pixels(px, (255, 255, 255), (0, 0, 320, 40)) > 100  # the white status line
    assert text_pixels(px, (255, 77, 77), (160, 50, 480, 130)) == 0  # no game over yet
    p.hp = 0.0
    p.alive = False
    px = last_frame(game.app)
    assert game.app.scheduler.paused
    assert text_pixels(px, (255, 77, 77), (160, 50, 480, 130)) > 300  # "GAME OVER"
    assert layer.text(game.hud.status).startswith("hp 0/")


def test_unchanged_hud_draw_allocates_nothing(game):
    for _ in range(30):
        game.app.step_frame()
    game.app.scheduler.pause()  # nothing changes: no line is formatted
    report = measure_steady_state(lambda: game.hud.draw(0.5), warmup=30, window=150)
    assert report.ok, str(report)
