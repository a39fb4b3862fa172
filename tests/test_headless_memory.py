"""A plain headless App keeps memory flat with no user ``ctx.finish()``: its swap waits for
the GL queue, as a window's swap waits for the display. The partner draws the same frames
through the lower-level path (the render hook without the swap) and shows what the wait
prevents on a software rasteriser: queued frames that grow the process."""

from __future__ import annotations

import os

import numpy as np
import pytest

import engine

pytestmark = pytest.mark.gl

SPRITES = 3000
WARMUP = 200
FRAMES = 2000
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def sprite_app() -> tuple[engine.App, object]:
    app = engine.App(engine.AppConfig(width=320, height=240, headless=True, benchmark=True))
    gfx = engine.GraphicsContext(app.ctx)
    shaders = engine.ShaderLibrary(gfx, engine.DEFAULT_SHADER_DIR)
    atlas = engine.build_atlas()
    batch = engine.InstanceBatch(gfx, "sprites", shaders, texture=atlas.upload(gfx),
                                 frame_uvs=atlas.frame_uvs("projectile")[:1], size=(8, 8),
                                 capacity=SPRITES)
    xy = np.random.default_rng(0).uniform(-150, 150, (SPRITES, 2)).astype(np.float32)
    camera = engine.Camera2D(*app.size)

    def draw(alpha: float) -> None:
        batch.begin()
        batch.pack_range(SPRITES, xy, xy, alpha)
        batch.upload()
        batch.draw(camera.matrix)

    app.render_hooks.append(draw)
    app.shutdown_hooks.append(gfx.release)
    return app, draw


def test_headless_frames_keep_rss_flat_without_user_finish():
    app, _ = sprite_app()
    try:
        for _ in range(WARMUP):
            app.run_frame()
        before = rss_bytes()
        for _ in range(FRAMES):
            app.run_frame()
        growth = rss_bytes() - before
    finally:
        app.close()
    assert growth < 5_000_000, f"RSS grew {growth / 1e6:.2f} MB over {FRAMES} frames"


def test_partner_frames_without_the_swap_pile_up_on_llvmpipe():
    app, draw = sprite_app()
    try:
        if "llvmpipe" not in app.ctx.info["GL_RENDERER"]:
            pytest.skip("a hardware driver throttles its own queue; the pile-up is llvmpipe's")
        target = app.target
        frames = 300
        for _ in range(WARMUP):
            app.run_frame()
        before = rss_bytes()
        for _ in range(frames):  # the frame's render part, never presented
            target.use()
            target.clear(0.0, 0.0, 0.0, 1.0)
            draw(0.0)
        growth = rss_bytes() - before
        app.ctx.finish()
    finally:
        app.close()
    assert growth > 20 * 5_000_000, f"RSS grew only {growth / 1e6:.2f} MB"
