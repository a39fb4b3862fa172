"""SpriteLayer: one store drawn by kind, one instanced draw per non-empty kind, interpolated,
with per-kind sheet, size and tint; its allocation contract (and a planted temporary caught);
the horde Renderer's tiers are a SpriteLayer."""

from __future__ import annotations

import numpy as np
import pytest

from engine.data import EntityStore
from engine.horde import Renderer, TierSpec, build_atlas
from engine.profiler.steady_state import measure_steady_state
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    GraphicsContext,
    ShaderLibrary,
    SpriteKind,
    SpriteLayer,
    read_pixels,
    sheet_from_frames,
)

pytestmark = pytest.mark.gl

COLUMNS = {"pos": ((2,), np.float32), "prev_pos": ((2,), np.float32),
           "kind": ((), np.int8), "frame": ((), np.float32)}


def white_atlas():
    white = np.full((8, 8, 4), 255, np.uint8)
    return build_atlas({"dot": sheet_from_frames("dot", [white], [("idle", 1, 1.0, True)])})


@pytest.fixture
def env(ctx):
    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    atlas = white_atlas()
    fbo = gfx.offscreen_target((64, 64))
    yield gfx, shaders, atlas, fbo
    ctx.detect_framebuffer(0).use()
    atlas.release()
    shaders.release()
    gfx.release()


def kinds():
    return [SpriteKind("red", 0, "dot", size=(8.0, 8.0), tint=(1.0, 0.0, 0.0, 1.0)),
            SpriteKind("blue", 3, "dot", size=(16.0, 16.0), tint=(0.0, 0.0, 1.0, 1.0)),
            SpriteKind("none", 5, "dot")]


def test_draw_store_draws_each_kind_once_with_its_size_and_tint_interpolated(env):
    gfx, shaders, atlas, fbo = env
    layer = SpriteLayer(gfx, shaders, atlas, kinds())
    store = EntityStore("things", 8, COLUMNS)
    store.spawn_batch(3)
    cols = store.columns
    cols["kind"][:3] = (0, 3, 0)
    cols["pos"][:3] = ((-20.0, 0.0), (10.0, 10.0), (-20.0, -20.0))
    cols["prev_pos"][:3] = cols["pos"][:3]
    cols["prev_pos"][1] = (30.0, 10.0)  # the blue one moves from x=30 to x=10
    camera = Camera2D(64, 64)
    fbo.use()
    fbo.clear(0.0, 0.0, 0.0, 1.0)
    gfx.begin_frame()
    layer.draw_store(store, 0.5, camera.matrix)  # blue at x=20: halfway
    px = read_pixels(fbo)
    assert gfx.render_stats.draw_calls == 2  # "none" has no rows: no draw
    assert gfx.render_stats.instances["red"] == 2 and gfx.render_stats.instances["blue"] == 1
    red = (px[..., 0] > 200) & (px[..., 2] < 50)
    blue = (px[..., 2] > 200) & (px[..., 0] < 50)
    assert red.sum() == 2 * 8 * 8 and blue.sum() == 16 * 16
    cols_blue = np.flatnonzero(blue.any(axis=0))
    assert cols_blue.min() == 32 + 20 - 8 and cols_blue.max() == 32 + 20 + 7
    layer.release()


def test_layer_refuses_bad_kinds(env):
    gfx, shaders, atlas, _ = env
    with pytest.raises(ValueError, match="at least one"):
        SpriteLayer(gfx, shaders, atlas, [])
    with pytest.raises(ValueError, match="distinct"):
        SpriteLayer(gfx, shaders, atlas, [SpriteKind("a", 0, "dot"), SpriteKind("a", 1, "dot")])
    with pytest.raises(ValueError, match="distinct"):
        SpriteLayer(gfx, shaders, atlas, [SpriteKind("a", 0, "dot"), SpriteKind("b", 0, "dot")])
    with pytest.raises(KeyError):
        SpriteLayer(gfx, shaders, atlas, [SpriteKind("a", 0, "no such sheet")])


def _big_store(n):
    rng = np.random.default_rng(2)
    store = EntityStore("many", n, COLUMNS)
    store.spawn_batch(n)
    cols = store.columns
    cols["pos"][:n] = rng.uniform(-30, 30, (n, 2))
    cols["prev_pos"][:n] = cols["pos"][:n] - np.float32(0.5)
    cols["kind"][:n] = rng.choice([0, 3, 5], n)
    cols["frame"][:n] = 0
    return store


def test_draw_store_allocates_nothing(env):
    gfx, shaders, atlas, fbo = env
    n = 4000
    layer = SpriteLayer(gfx, shaders, atlas, [SpriteKind(k.name, k.value, k.sheet,
                                                         capacity=n) for k in kinds()])
    store = _big_store(n)
    camera = Camera2D(64, 64)
    fbo.use()

    def frame():
        layer.draw_store(store, 0.4, camera.matrix, frame="frame")

    report = measure_steady_state(frame, warmup=60, window=200)
    assert report.ok, str(report)
    assert int(layer.grouper.counts.sum()) == n
    layer.release()


def test_planted_temporary_beside_the_layer_is_caught(env):
    gfx, shaders, atlas, fbo = env
    n = 4000
    layer = SpriteLayer(gfx, shaders, atlas, kinds())
    store = _big_store(n)
    camera = Camera2D(64, 64)
    fbo.use()

    def frame():
        layer.draw_store(store, 0.4, camera.matrix)
        _ = store.columns["pos"][:n] * 2.0  # the planted temporary (32 KB)

    report = measure_steady_state(frame, warmup=60, window=200)
    assert not report.ok
    layer.release()


def test_horde_renderer_tiers_are_a_sprite_layer(ctx):
    assert TierSpec is SpriteKind
    r = Renderer(ctx, viewport=(64, 64))
    try:
        assert isinstance(r.enemy_layer, SpriteLayer)
        assert r.tier_batches == r.enemy_layer.batches
        assert [b.name for b in r.tier_batches] == [t.name for t in r.tiers]
    finally:
        r.release()
