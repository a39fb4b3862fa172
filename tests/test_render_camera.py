"""Camera2D: world -> screen -> world round trip, the matrix agrees with world_to_screen (and with
the pixels GL draws), follow smoothing, zoom, view rect. Screenshots: valid PNG, expected pixels,
atomic writes. Atlas: deterministic, PNG export."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from PIL import Image

from engine.horde import build_atlas
from engine.render import (
    DEFAULT_SHADER_DIR,
    Camera2D,
    GraphicsContext,
    InstanceBatch,
    ShaderLibrary,
    read_pixels,
    save_screenshot,
    write_png_atomic,
)


# ---------------------------------------------------------------------- camera math
@pytest.mark.parametrize("zoom", [0.5, 1.0, 3.0])
def test_world_screen_world_round_trip(zoom):
    cam = Camera2D(800, 600, x=123.5, y=-40.0, zoom=zoom)
    rng = np.random.default_rng(0)
    for wx, wy in rng.uniform(-1000, 1000, (50, 2)):
        sx, sy = cam.world_to_screen(wx, wy)
        bx, by = cam.screen_to_world(sx, sy)
        assert bx == pytest.approx(wx, abs=1e-9) and by == pytest.approx(wy, abs=1e-9)


def test_screen_convention_top_left_y_down():
    cam = Camera2D(200, 100, x=10.0, y=20.0, zoom=2.0)
    assert cam.world_to_screen(10.0, 20.0) == (100.0, 50.0)
    assert cam.world_to_screen(15.0, 25.0) == (110.0, 40.0)  # right and up -> right and up
    out = np.empty((2, 2))
    cam.world_to_screen_array(np.array([[10.0, 20.0], [15.0, 25.0]]), out)
    np.testing.assert_allclose(out, [[100.0, 50.0], [110.0, 40.0]])


def test_matrix_agrees_with_world_to_screen():
    cam = Camera2D(640, 360, x=-50.0, y=75.0, zoom=1.5)
    cam.follow(-20.0, 80.0, 0.0)
    for wx, wy in [(-20.0, 80.0), (100.0, -30.0), (-300.0, 200.0)]:
        clip = np.array([wx, wy, 0.0, 1.0], dtype=np.float32) @ cam.matrix  # pyrr row vectors
        sx = (clip[0] / clip[3] + 1.0) * 0.5 * cam.width
        sy = (1.0 - clip[1] / clip[3]) * 0.5 * cam.height
        ex, ey = cam.world_to_screen(wx, wy)
        assert sx == pytest.approx(ex, abs=1e-3) and sy == pytest.approx(ey, abs=1e-3)


def test_follow_smoothing_is_frame_rate_independent():
    snap = Camera2D(100, 100)
    snap.follow(50.0, -20.0, 0.016)
    assert (snap.x, snap.y) == (50.0, -20.0)
    one = Camera2D(100, 100, smoothing=0.5)
    one.follow(100.0, 0.0, 0.5)
    assert one.x == pytest.approx(100.0 * (1.0 - math.exp(-1.0)))
    many = Camera2D(100, 100, smoothing=0.5)
    for _ in range(10):
        many.follow(100.0, 0.0, 0.05)
    assert many.x == pytest.approx(one.x)
    for _ in range(400):
        many.follow(100.0, 0.0, 0.05)
    assert many.x == pytest.approx(100.0)


def test_zoom_view_rect_and_resize():
    cam = Camera2D(400, 200, x=10.0, y=0.0)
    np.testing.assert_allclose(cam.view_rect, [-190.0, -100.0, 210.0, 100.0])
    rect = cam.view_rect
    cam.set_zoom(2.0)
    assert cam.view_rect is rect  # updated in place: the combat layer may keep the array
    np.testing.assert_allclose(rect, [-90.0, -50.0, 110.0, 50.0])
    assert cam.is_visible(100.0, 40.0) and not cam.is_visible(120.0, 0.0)
    assert cam.is_visible(120.0, 0.0, margin=15.0)
    cam.resize(800, 200)
    np.testing.assert_allclose(rect, [-190.0, -50.0, 210.0, 50.0])
    assert cam.visible_rect == (-190.0, -50.0, 210.0, 50.0)


def test_camera_bad_input():
    with pytest.raises(ValueError, match="positive viewport size, got 0x10"):
        Camera2D(0, 10)
    cam = Camera2D(10, 10)
    with pytest.raises(ValueError, match="zoom > 0, got 0"):
        cam.set_zoom(0)
    with pytest.raises(ValueError, match="smoothing >= 0"):
        cam.set_smoothing(-1.0)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        cam.world_to_screen_array(np.zeros((3, 3)), np.zeros((3, 3)))


# ---------------------------------------------------------------------- GL: pixels and files
@pytest.fixture
def white_square(ctx):
    """Draw 4 x 4 world-unit white squares (tinted) through a camera; returns a draw fn."""
    atlas = build_atlas()
    gfx = GraphicsContext(ctx)
    lib = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    fbo = gfx.offscreen_target((160, 120))
    batch = InstanceBatch(gfx, "squares", lib, texture=atlas.upload(gfx),
                          frame_uvs=atlas.frame_uvs("white"), size=(4.0, 4.0))

    def draw(cam, points, tints):
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        batch.begin()
        batch.pack_range(len(points), np.asarray(points, dtype=np.float32),
                         tint=np.asarray(tints, dtype=np.float32))
        batch.upload()
        batch.draw(cam.matrix)
        return fbo

    yield draw
    batch.release()
    atlas.release()
    lib.release()
    gfx.release()


@pytest.mark.gl
def test_gl_draws_where_world_to_screen_says(white_square):
    cam = Camera2D(160, 120, x=30.0, y=-10.0, zoom=2.0)
    points = [(30.0, -10.0), (55.0, 5.0), (10.0, -30.0)]
    tints = [(1, 0, 0, 1), (0, 1, 0, 1), (0, 0, 1, 1)]
    img = read_pixels(white_square(cam, points, tints))
    for (wx, wy), tint in zip(points, tints):
        sx, sy = cam.world_to_screen(wx, wy)
        # 4 world units at zoom 2 = 8 px: the 6 x 6 core around the point has the tint.
        core = img[int(sy) - 3:int(sy) + 3, int(sx) - 3:int(sx) + 3, :3]
        assert (core == np.array(tint[:3]) * 255).all(), (wx, wy)
    assert np.count_nonzero(img[:, :, :3].max(axis=2)) == 3 * 8 * 8


@pytest.mark.gl
def test_screenshot_is_a_valid_png_with_expected_pixels(white_square, tmp_path):
    cam = Camera2D(160, 120)  # world (0, 0) at screen (80, 60)
    fbo = white_square(cam, [(-60.0, 40.0)], [(1.0, 0.5, 0.0, 1.0)])
    path = save_screenshot(fbo, tmp_path / "shot.png")
    assert path == tmp_path / "shot.png"
    with Image.open(path) as im:
        assert im.format == "PNG" and im.size == (160, 120) and im.mode == "RGBA"
        px = np.asarray(im)
    # Top-left quadrant (y up in the world = toward the top of the image).
    sx, sy = cam.world_to_screen(-60.0, 40.0)
    assert (sx, sy) == (20.0, 20.0)
    assert tuple(px[20, 20]) == (255, 128, 0, 255)
    assert tuple(px[100, 140]) == (0, 0, 0, 255)
    assert np.count_nonzero(px[:, :, :3].max(axis=2)) == 4 * 4  # 4 world units at zoom 1
    rgb = save_screenshot(fbo, tmp_path / "rgb.png", alpha=False)
    with Image.open(rgb) as im:
        assert im.mode == "RGB"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rgb.png", "shot.png"]  # no temps


def test_png_writes_are_atomic(tmp_path):
    target = tmp_path / "a.png"
    write_png_atomic(np.zeros((2, 3, 4), np.uint8), target)
    before = target.read_bytes()
    with pytest.raises(ValueError, match="uint8 array of shape"):
        write_png_atomic(np.zeros((2, 3), np.float32), target)
    assert target.read_bytes() == before
    with pytest.raises(OSError):
        write_png_atomic(np.zeros((2, 2, 4), np.uint8), tmp_path / "missing" / "b.png")
    write_png_atomic(np.full((5, 5, 3), 200, np.uint8), target)  # replaces the old file
    with Image.open(target) as im:
        assert im.size == (5, 5) and im.getpixel((0, 0)) == (200, 200, 200)
    assert os.listdir(tmp_path) == ["a.png"]


def test_read_pixels_refuses_non_framebuffers():
    with pytest.raises(TypeError, match="moderngl.Framebuffer, got ndarray"):
        read_pixels(np.zeros(3))  # type: ignore[arg-type]


def test_atlas_is_deterministic_and_exports_png(tmp_path):
    a, b = build_atlas(), build_atlas()
    assert np.array_equal(a.image, b.image)
    path = a.save_png(tmp_path / "atlas.png")
    with Image.open(path) as im:
        assert np.array_equal(np.asarray(im), a.image)
    paths = a.save_sheets(tmp_path / "sheets")
    assert {p.stem for p in paths} == set(a.sheets)
    with Image.open(tmp_path / "sheets" / "elite.png") as im:
        assert im.size == (8 * 32, 32)
    # Every enemy sheet's frames differ (an animation, not a still).
    for name in ("swarm", "regular", "elite", "boss_brute", "boss_spitter"):
        sheet = a.sheet(name)
        assert len({f.tobytes() for f in sheet.frames}) == sheet.frame_count, name
    # uv rects are inside the texture and map back to the frame's pixels.
    uv = a.frame_uvs("regular")
    w, h = a.size
    x0, y0 = int(round(uv[2, 0] * w)), int(round(uv[2, 1] * h))
    assert np.array_equal(a.image[y0:y0 + 24, x0:x0 + 24], a.sheet("regular").frames[2])
    with pytest.raises(KeyError, match="no sprite sheet 'nope'"):
        a.frame_uvs("nope")
