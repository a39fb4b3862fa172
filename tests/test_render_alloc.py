"""Allocation contracts of the render layer's per-frame paths (measure_steady_state), each paired
with a planted temporary or retained object that the same check catches.

Measured: InstanceBatch pack (range and rows, interpolated) + upload + draw, RowGrouper.group,
the whole Renderer.render over EntityStore sources (enemies in 3 tiers, projectiles, particles,
bosses), Camera2D.follow, ShaderLibrary.check_reload with nothing changed, BossSprites.add.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from engine.data import EntityStore
from engine.horde import Renderer, build_atlas
from engine.profiler.steady_state import measure_steady_state
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    GraphicsContext,
    InstanceBatch,
    RowGrouper,
    ShaderLibrary,
)

pytestmark = pytest.mark.gl

# Short windows keep the file fast on 2 shared cores; the harness's defaults are 100 + 2 x 500.
WARMUP, WINDOW = 60, 200


@pytest.fixture(scope="module")
def atlas():
    return build_atlas()


@pytest.fixture
def env(ctx, atlas):
    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((64, 64))
    yield SimpleNamespace(gfx=gfx, shaders=shaders, fbo=fbo, atlas=atlas,
                          texture=atlas.upload(gfx))
    atlas.release()
    shaders.release()
    gfx.release()


def columns(n, seed=0):
    rng = np.random.default_rng(seed)
    pos = (rng.random((n, 2), dtype=np.float32) - 0.5) * np.float32(60)
    prev = pos - np.float32(0.5)
    tier = rng.integers(0, 3, n).astype(np.uint8)
    frame = rng.integers(0, 8, n).astype(np.float32)
    return pos, prev, tier, frame


def make_batch(env, name="swarm", capacity=8192):
    return InstanceBatch(env.gfx, name, env.shaders, texture=env.texture,
                         frame_uvs=env.atlas.frame_uvs("swarm"), capacity=capacity,
                         size=(16, 16))


def test_pack_range_upload_draw_allocate_nothing(env):
    n = 5000
    pos, prev, _, frame = columns(n)
    frame_int = frame.astype(np.int32)  # converted through batch scratch
    batch = make_batch(env)
    cam = Camera2D(64, 64)
    env.fbo.use()

    def frame_fn():
        batch.begin()
        batch.pack_range(n, pos, prev, 0.37, frame=frame_int)
        batch.upload()
        batch.draw(cam.matrix)

    report = measure_steady_state(frame_fn, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)
    batch.release()


def test_planted_temporary_in_the_frame_is_caught(env):
    """The same frame plus one 5000 x 2 float temporary: the check fails on max_transient."""
    n = 5000
    pos, prev, _, frame = columns(n)
    batch = make_batch(env)

    def leaky_frame():
        batch.begin()
        batch.pack_range(n, pos, prev, 0.37, frame=frame)
        _ = pos[:n] * 2.0  # the planted temporary (40 KB)
        batch.upload()

    report = measure_steady_state(leaky_frame, warmup=WARMUP, window=WINDOW)
    assert not report.ok
    assert any(f.startswith("max_transient") for f in report.failures()), str(report)
    batch.release()


def test_planted_retained_object_is_caught(env):
    n = 1000
    pos, prev, _, _ = columns(n)
    batch = make_batch(env)
    kept: list[np.ndarray] = []

    def retaining_frame():
        batch.begin()
        batch.pack_range(n, pos, prev, 0.5)
        kept.append(batch.pos[:1])  # the planted retention: one view object per frame
        batch.upload()

    report = measure_steady_state(retaining_frame, warmup=WARMUP, window=WINDOW)
    assert not report.ok
    assert any(f.startswith(("blocks_growth", "gen0_growth", "traced_growth"))
               for f in report.failures()), str(report)
    batch.release()


def test_grouper_and_pack_rows_for_three_tiers_allocate_nothing(env):
    n = 20000
    pos, prev, tier, frame = columns(n, seed=1)
    batches = [make_batch(env, name, capacity=n) for name in ("swarm", "regular", "elite")]
    grouper = RowGrouper([0, 1, 2], capacity=n)

    def frame_fn():
        grouper.group(tier, n)
        for k, b in enumerate(batches):
            b.begin()
            b.pack_rows(grouper.rows_of(k), pos, prev, 0.6, frame=frame)
            b.upload()

    report = measure_steady_state(frame_fn, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)
    assert sum(b.count for b in batches) == n
    for b in batches:
        b.release()


def _store(name, capacity, columns_spec, n, fill):
    store = EntityStore(name, capacity, columns_spec)
    start, got = store.spawn_batch(n)
    assert got == n
    for key, values in fill.items():
        store.columns[key][start:start + n] = values
    return store


class _Walker:
    """A player shaped like the horde kit's: (2,) float32 pos / prev_pos / facing, moved in
    place; a swing every 20 frames (counters in int64 cells, like the engine's should be)."""

    def __init__(self) -> None:
        self.pos = np.zeros(2, dtype=np.float32)
        self.prev_pos = np.zeros(2, dtype=np.float32)
        self.facing = np.array([-1.0, 0.0], dtype=np.float32)
        self.step = np.array([-1.5, 0.5], dtype=np.float32)
        self.frames = np.zeros(1, dtype=np.int64)
        self.swings = np.zeros(1, dtype=np.int64)

    def move(self) -> None:
        np.copyto(self.prev_pos, self.pos)
        np.add(self.pos, self.step, out=self.pos)
        self.frames += 1
        if self.frames[0] % 20 == 0:
            self.swings += 1


def test_renderer_frame_allocates_nothing(env):
    """The whole facade: 3 tiers from one store, projectiles (angle from velocity), bosses
    from a source callable, the player walking (with its swing ring), particles with fade;
    pack + upload + 7 draws per frame."""
    n_enemies, n_proj, n_part = 3000, 300, 500
    pos, prev, tier, frame = columns(n_enemies, seed=2)
    enemies = _store("enemies", 4096, {"pos": ((2,), np.float32), "prev_pos": ((2,), np.float32),
                                      "tier": ((), np.uint8), "anim_frame": ((), np.float32)},
                     n_enemies, {"pos": pos, "prev_pos": prev, "tier": tier, "anim_frame": frame})
    rng = np.random.default_rng(3)
    projectiles = _store("projectiles", 512, {"pos": ((2,), np.float32),
                                              "prev_pos": ((2,), np.float32),
                                              "vel": ((2,), np.float32)},
                         n_proj, {"pos": pos[:n_proj], "prev_pos": prev[:n_proj],
                                  "vel": rng.standard_normal((n_proj, 2)).astype(np.float32)})
    particles = _store("particles", 1024, {"pos": ((2,), np.float32),
                                           "life": ((), np.float32), "max_life": ((), np.float32),
                                           "color": ((4,), np.float32), "size": ((), np.float32)},
                       n_part, {"pos": pos[:n_part], "life": 0.5, "max_life": 1.0,
                                "color": (1.0, 0.5, 0.2, 1.0), "size": 4.0})

    class Boss:
        sheet, animation, x, y, anim_time = "boss_brute", "move", 5.0, 5.0, 0.3

    bosses = [Boss()]

    renderer = Renderer(env.gfx, target=env.fbo, atlas=env.atlas, clear_color=(0, 0, 0, 1),
                        reload_every=10)
    renderer.set_enemy_source(enemies)
    renderer.set_projectile_source(projectiles)
    renderer.set_particle_source(particles)
    renderer.set_boss_source(lambda sprites: sprites.add_from(bosses))
    player = _Walker()
    # A simulated clock of 1/64 s a frame (exact in binary): the ring is timed by it.
    renderer.set_player_source(player, swings=lambda: int(player.swings[0]),
                               clock=lambda: player.frames[0] / 64.0)

    def frame_fn():
        player.move()
        renderer.render(0.5)

    report = measure_steady_state(frame_fn, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)
    # 60 + 2 * 200 frames, a swing every 20: the last at frame 460, whose ring (SWING_S = 0.2
    # simulated s, 12.8 frames of 1/64 s) is gone by frame 473.
    for _ in range(13):
        frame_fn()
    assert renderer.stats.draw_calls == 7
    assert renderer.stats.instances == {"swarm": int((tier == 0).sum()),
                                        "regular": int((tier == 1).sum()),
                                        "elite": int((tier == 2).sum()),
                                        "projectiles": n_proj, "bosses": 1, "player": 1,
                                        "particles": n_part}
    player.swings += 1  # a swing now: the ring and the knight, still one draw
    player.frames[0] = 1
    frame_fn()
    assert renderer.stats.instances["player"] == 2 and renderer.stats.draw_calls == 7
    assert renderer.stats.reallocations == 0
    renderer.release()


def test_camera_follow_allocates_nothing():
    cam = Camera2D(640, 480, smoothing=0.2)
    state = {"t": 0.0}

    def frame_fn():
        state["t"] += 0.016
        cam.follow(100.0, -50.0, 0.016)

    report = measure_steady_state(frame_fn, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)


def test_shader_poll_with_nothing_changed_allocates_nothing(env):
    env.shaders.get("sprite")
    env.shaders.get("particle")
    report = measure_steady_state(env.shaders.check_reload, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)
    assert env.shaders.reloads == 0


def test_boss_add_allocates_nothing(env):
    from engine.render import BossSprites

    bosses = BossSprites(env.gfx, env.shaders, env.atlas)

    def frame_fn():
        bosses.begin(0.5)
        bosses.add("boss_brute", "attack", 10.0, 20.0, prev_x=8.0, prev_y=18.0, time_s=0.25)
        bosses.add("boss_spitter", "idle", -10.0, 0.0, flip=True, tint=(1.0, 0.5, 0.5, 1.0))
        bosses.upload()

    report = measure_steady_state(frame_fn, warmup=WARMUP, window=WINDOW)
    assert report.ok, str(report)
    bosses.release()
