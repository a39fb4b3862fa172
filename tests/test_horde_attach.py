"""engine.horde.attach: the one wiring of App -> World -> the horde's Renderer -> Profiler, on a
real headless App (EGL): hooks in frame order, the world's stores drawn, its pools watched, the
camera following, the renderer released at shutdown; and the swing ring timed in simulated
seconds through the wiring (a paused world keeps it, whatever the frame count)."""

from __future__ import annotations

import pytest

import engine
from engine.combat import World
from engine.core import App, AppConfig
from engine.horde import SWING_S, Horde, Renderer, attach
from engine.profiler import Profiler

pytestmark = pytest.mark.gl


@pytest.fixture
def app():
    a = App(AppConfig(width=160, height=120, headless=True, benchmark=True, seed=1,
                      vsync=False))
    yield a
    if not a.closed:
        a.close()


def test_attach_wires_renderer_and_profiler_around_the_world(app):
    world = World(seed=2)
    world.install(app.scheduler)
    for tier in range(3):
        world.spawn_enemy(20.0 * tier, 10.0, tier)
    horde = attach(app, world, dashboard=False, follow=True)
    assert isinstance(horde, Horde) and isinstance(horde.renderer, Renderer)
    assert isinstance(horde.profiler, Profiler) and horde.dashboard is None
    hooks = app.render_hooks
    # The profiler brackets the render phase; the camera moves before the renderer draws.
    assert hooks.index(horde.follow_hook) < hooks.index(horde.renderer.render_hook)
    assert horde.renderer.resize in app.resize_hooks
    assert horde.release in app.shutdown_hooks
    for _ in range(6):
        app.run_frame()
    rs = horde.renderer.stats
    assert sum(rs.instances[t.name] for t in horde.renderer.tiers) == world.enemies.count
    assert rs.instances["player"] >= 1
    # The profiler watches the world's pools and the render stats.
    summary = horde.profiler.summary()
    assert {str(p.name) for p in world.pools()} <= {str(p["name"]) for p in summary["pools"]}
    assert summary["render"]
    assert horde.profiler.meter.frame >= 6
    # The camera is on the player (no smoothing: it snaps).
    cam = horde.renderer.camera
    assert (cam.x, cam.y) == pytest.approx((float(world.player.pos[0]),
                                            float(world.player.pos[1])), abs=1e-3)
    app.close()
    assert horde._released  # the shutdown hook released the renderer's GL objects


def test_attach_without_a_profiler_and_a_new_world(app):
    first = World(seed=3)
    horde = attach(app, first, profiler=False)
    assert horde.profiler is None and horde.follow_hook not in app.render_hooks
    second = World(seed=4)
    second.install(app.scheduler)
    second.spawn_enemy(0.0, 0.0, 0)
    horde.set_world(second)
    app.run_frame()
    assert horde.world is second
    assert horde.renderer.stats.instances["swarm"] == second.enemies.count
    with pytest.raises(TypeError, match="expected a bool or a Profiler"):
        attach(app, first, profiler="yes")  # type: ignore[arg-type]


def test_the_swing_ring_runs_on_simulated_time(app):
    """The ring shows for SWING_S of the world's clock: while the world is paused it stays,
    however many frames are drawn; once the world has run SWING_S on, it is gone."""
    world = World(seed=5)
    world.install(app.scheduler)
    horde = attach(app, world, profiler=False)
    stats = horde.renderer.stats
    swings = world.stats.melee_swings
    for _ in range(600):  # until the first swing shows
        app.run_frame()
        if world.stats.melee_swings != swings:
            break
    assert world.stats.melee_swings > swings, "no melee swing in 600 frames"
    assert stats.instances["player"] == 2  # the ring and the knight
    app.scheduler.pause()
    for _ in range(120):  # two seconds of frames at 60 Hz, no simulated time
        app.run_frame()
    assert stats.instances["player"] == 2
    app.scheduler.resume()
    t0 = world.time
    while world.time - t0 < SWING_S + 0.05:
        app.run_frame()
    if world.stats.melee_swings == swings + 1:  # no new swing meanwhile
        assert stats.instances["player"] == 1


def test_engine_exports_the_horde_wiring():
    assert engine.attach is attach and engine.Renderer is Renderer
    assert {"attach", "Renderer", "build_atlas"} <= set(engine.__all__)


def test_tier_batches_hold_the_whole_enemy_store(app):
    """A tier batch never grows mid-run (a growth keeps a GL buffer and vertex array: a step
    of tracked objects and blocks in a stress hold): each holds the store's capacity, given
    tiers included."""
    from engine.horde import DEFAULT_TIERS

    world = World(seed=3)
    for tiers in (None, DEFAULT_TIERS):
        horde = attach(app, world, profiler=False, tiers=tiers)
        caps = [b.capacity for b in horde.renderer.tier_batches]
        assert caps and all(c >= world.enemies.capacity for c in caps), caps
        horde.release()
