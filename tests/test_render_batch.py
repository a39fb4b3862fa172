"""InstanceBatch and RowGrouper on real GL: pixels where and as expected (positions, tiers,
tints, animation frames, rotation, interpolation), growth (VBO bytes == capacity x stride after
every growth), CLAMP truncation counted, empty batch draws nothing, per-block uploads."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.horde import build_atlas
from engine.render import (
    DEFAULT_SHADER_DIR,
    STRIDE,
    Camera2D,
    GraphicsContext,
    GrowthPolicy,
    InstanceBatch,
    RowGrouper,
    ShaderLibrary,
    read_pixels,
)

pytestmark = pytest.mark.gl

W, H = 128, 96
BG = (0, 0, 0)


@pytest.fixture(scope="module")
def atlas():
    return build_atlas()


@pytest.fixture
def scene(ctx, atlas):
    gfx = GraphicsContext(ctx)
    shaders = ShaderLibrary(gfx, DEFAULT_SHADER_DIR)
    texture = atlas.upload(gfx)
    fbo = gfx.offscreen_target((W, H))
    cam = Camera2D(W, H)
    made: list[InstanceBatch] = []

    def batch(name, sheet="swarm", **kw):
        fw, fh = atlas.sheet(sheet).frame_size
        kw.setdefault("size", (fw, fh))
        b = InstanceBatch(gfx, name, shaders, texture=texture, frame_uvs=atlas.frame_uvs(sheet),
                          **kw)
        made.append(b)
        return b

    def draw(*batches):
        fbo.use()
        fbo.clear(0.0, 0.0, 0.0, 1.0)
        for b in batches:
            b.upload()
            b.draw(cam.matrix)
        return read_pixels(fbo)

    yield SimpleNamespace(gfx=gfx, shaders=shaders, fbo=fbo, cam=cam, batch=batch, draw=draw,
                          atlas=atlas)
    for b in made:
        b.release()
    atlas.release()
    shaders.release()
    gfx.release()
    assert gfx.render_stats.gl_live == 0


def expected_block(atlas, sheet, frame, tint=(1.0, 1.0, 1.0, 1.0)):
    """The frame's pixels as the sprite shader blends them over the black background."""
    src = atlas.frame_pixels(sheet, frame).astype(np.float64) / 255.0
    t = np.asarray(tint, dtype=np.float64)
    a = src[:, :, 3] * t[3]
    rgb = src[:, :, :3] * t[:3] * a[:, :, None]
    rgb[a < 0.004] = 0.0
    return np.round(rgb * 255.0).astype(np.int32)


def block_at(img, cx, cy, w, h):
    """Pixels (rgb) of a w x h sprite centered on world (cx, cy), camera at 0, zoom 1."""
    x0 = int(W // 2 + cx - w // 2)
    y0 = int(H // 2 - cy - h // 2)
    return img[y0:y0 + h, x0:x0 + w, :3].astype(np.int32)


def assert_block(img, cx, cy, want):
    h, w = want.shape[:2]
    got = block_at(img, cx, cy, w, h)
    diff = np.abs(got - want).max()
    assert diff <= 2, f"sprite at ({cx}, {cy}) differs from its frame by {diff}"


def lit_pixels(img):
    return int(np.count_nonzero(img[:, :, :3].max(axis=2) > 0))


def lit_count(want):
    return int(np.count_nonzero(want.max(axis=2) > 0))


# ---------------------------------------------------------------------- pixels
def test_three_tiers_from_one_store_land_where_and_as_expected(scene):
    """All tiers in one store (tier column); each tier's batch draws only its rows."""
    atlas = scene.atlas
    sheets = ("swarm", "regular", "elite")
    batches = [scene.batch(s, s) for s in sheets]
    pos = np.array([[-40, 20], [0, 20], [40, 20], [-40, -24], [10, -24], [45, -24], [0, 0]],
                   dtype=np.float32)
    tier = np.array([0, 1, 2, 2, 0, 1, 7], dtype=np.uint8)  # tier 7: no batch, not drawn
    frame = np.array([1, 2, 3, 5, 4, 0, 0], dtype=np.float32)
    n = len(pos)
    for t, b in enumerate(batches):
        b.begin()
        b.pack_selected(tier, t, n, pos, frame=frame)
    assert [b.count for b in batches] == [2, 2, 2]
    img = scene.draw(*batches)
    total = 0
    for row in range(n - 1):
        sheet = sheets[tier[row]]
        # Frame values wrap modulo the sheet's frame count (swarm has 4).
        want = expected_block(atlas, sheet, int(frame[row]) % atlas.sheet(sheet).frame_count)
        assert_block(img, pos[row, 0], pos[row, 1], want)
        total += lit_count(want)
    # Nothing else was drawn: every lit pixel belongs to one of the six sprites.
    assert lit_pixels(img) == total
    assert scene.gfx.draw_calls_frame == 3


def test_every_animation_frame_and_wrapping(scene):
    atlas = scene.atlas
    b = scene.batch("elite", "elite")
    n = atlas.sheet("elite").frame_count  # 8 frames of 32 px: two rows of four
    pos = np.array([[-48 + 32 * (i % 4), 18 - 36 * (i // 4)] for i in range(n)],
                   dtype=np.float32)
    frames = np.arange(n, dtype=np.int32) + n  # n..2n-1: wraps to 0..n-1
    b.begin()
    b.pack_range(n, pos, frame=frames)
    img = scene.draw(b)
    for i in range(n):
        assert_block(img, pos[i, 0], pos[i, 1], expected_block(atlas, "elite", i))
    # The frames differ, so a wrong frame index could not pass the check above.
    assert len({atlas.frame_pixels("elite", i).tobytes() for i in range(n)}) == n


def test_per_instance_tint_and_constant_tint(scene):
    atlas = scene.atlas
    b = scene.batch("regular", "regular", tint=(0.2, 1.0, 0.5, 1.0))
    pos = np.array([[-30, 0], [30, 0]], dtype=np.float32)
    tint = np.array([[1.0, 0.5, 0.25, 1.0], [0.0, 1.0, 1.0, 1.0]], dtype=np.float32)
    b.begin()
    b.pack_range(2, pos, tint=tint)
    img = scene.draw(b)
    assert_block(img, -30, 0, expected_block(atlas, "regular", 0, tint[0]))
    assert_block(img, 30, 0, expected_block(atlas, "regular", 0, tint[1]))
    # Next frame without a tint column: the batch constant is back on the same rows.
    b.begin()
    b.pack_range(2, pos)
    img = scene.draw(b)
    for x in (-30, 30):
        assert_block(img, x, 0, expected_block(atlas, "regular", 0, (0.2, 1.0, 0.5, 1.0)))


def test_interpolated_position(scene):
    atlas = scene.atlas
    b = scene.batch("swarm")
    prev = np.array([[-40.0, -20.0], [0.0, 0.0]], dtype=np.float32)
    pos = np.array([[40.0, 20.0], [0.0, 0.0]], dtype=np.float32)
    b.begin()
    b.pack_range(2, pos, prev, alpha=0.25)
    np.testing.assert_array_equal(b.pos[:2], prev + (pos - prev) * np.float32(0.25))
    img = scene.draw(b)
    assert_block(img, -20, -10, expected_block(atlas, "swarm", 0))
    # The same through a row list (gather path).
    b.begin()
    b.pack_rows(np.array([0], dtype=np.int64), pos, prev, alpha=0.75)
    np.testing.assert_allclose(b.pos[0], [20.0, 10.0])
    img = scene.draw(b)
    assert_block(img, 20, 10, expected_block(atlas, "swarm", 0))
    assert lit_pixels(img) == lit_count(expected_block(atlas, "swarm", 0))


def test_rotation_and_scale(scene):
    b = scene.batch("projectile", "projectile")  # 12 x 6, pointing +x
    pos = np.zeros((1, 2), dtype=np.float32)
    b.begin()
    b.pack_range(1, pos, rotation=np.array([np.pi / 2], dtype=np.float32),
                 scale=np.array([2.0], dtype=np.float32))
    img = scene.draw(b)
    ys, xs = np.nonzero(img[:, :, :3].max(axis=2))
    # Rotated a quarter turn and doubled: 12 px tall x 24 px... i.e. 24 tall, 12 wide.
    assert ys.max() - ys.min() + 1 > xs.max() - xs.min() + 1
    assert ys.max() - ys.min() + 1 <= 24 and xs.max() - xs.min() + 1 <= 12


# ---------------------------------------------------------------------- capacity policy
def test_growth_keeps_vbo_bytes_equal_to_capacity_times_stride(scene):
    atlas = scene.atlas
    rs = scene.gfx.render_stats
    b = scene.batch("swarm", capacity=2)
    assert b.vbo.size == b.capacity * STRIDE * 4 == 2 * b.stride_bytes
    seen = []
    for n in (2, 3, 5, 17, 40, 40, 12):
        pos = np.zeros((n, 2), dtype=np.float32)
        pos[:, 0] = np.linspace(-56, 56, n)
        b.begin()
        assert b.pack_range(n, pos) == n
        assert b.vbo.size == b.capacity * b.stride_bytes, "after a growth"
        assert b.staging.size == b.capacity * STRIDE
        seen.append((b.capacity, b.growths))
    assert seen == [(2, 0), (4, 1), (8, 2), (32, 3), (64, 4), (64, 4), (64, 4)]
    assert rs.reallocations == 4 and rs.batch_reallocations["swarm"] == 4
    assert rs.capacity["swarm"] == 64
    # The rebuilt vertex array reads the moved blocks: a sprite drawn after growth is right.
    b.begin()
    b.pack_range(1, np.array([[8.0, 16.0]], dtype=np.float32))
    img = scene.draw(b)
    assert_block(img, 8, 16, expected_block(atlas, "swarm", 0))


def test_growth_mid_frame_keeps_rows_already_packed(scene):
    atlas = scene.atlas
    b = scene.batch("swarm", capacity=2)
    b.begin()
    first = np.array([[-40, 0], [-20, 0]], dtype=np.float32)
    b.pack_range(2, first, frame=np.array([1, 2], dtype=np.float32),
                 tint=np.array([[1, 0, 0, 1], [0, 1, 0, 1]], dtype=np.float32))
    b.pack_range(3, np.array([[0, 0], [20, 0], [40, 0]], dtype=np.float32))  # grows
    assert b.growths == 1 and b.count == 5
    img = scene.draw(b)
    assert_block(img, -40, 0, expected_block(atlas, "swarm", 1, (1, 0, 0, 1)))
    assert_block(img, -20, 0, expected_block(atlas, "swarm", 2, (0, 1, 0, 1)))
    for x in (0, 20, 40):
        assert_block(img, x, 0, expected_block(atlas, "swarm", 0))


def test_clamp_draws_capacity_and_counts_the_rest(scene):
    rs = scene.gfx.render_stats
    b = scene.batch("swarm", capacity=4, policy="clamp")
    assert b.policy is GrowthPolicy.CLAMP
    pos = np.zeros((10, 2), dtype=np.float32)
    pos[:, 0] = np.arange(10) * 12 - 54
    b.begin()
    assert b.pack_range(10, pos) == 4
    assert (b.count, b.truncated_frame, b.truncated_total) == (4, 6, 6)
    assert rs.truncated["swarm"] == 6 and rs.truncated_frame == 6
    assert b.vbo.size == 4 * b.stride_bytes and b.growths == 0
    img = scene.draw(b)
    one = lit_count(expected_block(scene.atlas, "swarm", 0))
    # Sprites 12 px apart overlap by 4 px columns; count columns lit instead: only the first
    # four sprites (x in [-62, -10)) are drawn.
    cols = np.nonzero(img[:, :, :3].max(axis=(0, 2)))[0]
    assert cols.min() >= W // 2 - 62 and cols.max() < W // 2 - 54 + 36 + 8
    assert lit_pixels(img) > one
    b.begin()
    assert b.pack_range(3, pos) == 3
    assert (b.truncated_frame, b.truncated_total) == (0, 6)


def test_empty_batch_issues_no_draw(scene):
    b = scene.batch("swarm")
    scene.gfx.begin_frame()
    b.begin()
    b.pack_range(0, np.zeros((0, 2), dtype=np.float32))
    img = scene.draw(b)
    assert b.draw(scene.cam.matrix) is False
    assert scene.gfx.draw_calls_frame == 0
    assert lit_pixels(img) == 0
    assert scene.gfx.render_stats.instances["swarm"] == 0


def test_upload_writes_only_blocks_written_this_frame(scene):
    b = scene.batch("swarm", capacity=64)
    n = 10
    pos = np.zeros((n, 2), dtype=np.float32)
    frame = np.zeros(n, dtype=np.float32)
    tint = np.ones((n, 4), dtype=np.float32)
    b.begin()
    b.pack_range(n, pos, frame=frame)
    assert b.upload() == b.staging.nbytes  # first upload: the whole staging once
    b.begin()
    b.pack_range(n, pos, frame=frame)
    assert b.upload() == n * (2 + 1) * 4  # pos + frame; size/rot/tint stay on the GPU
    b.begin()
    b.pack_range(n, pos, frame=frame, tint=tint)
    assert b.upload() == n * (2 + 1 + 4) * 4
    b.begin()
    b.pack_range(n, pos, frame=frame)  # tint rows go back to the constant: uploaded once
    assert b.upload() == n * (2 + 1 + 4) * 4
    b.begin()
    b.pack_range(n, pos, frame=frame)
    assert b.upload() == n * (2 + 1) * 4
    assert scene.gfx.render_stats.upload_bytes_total > 0


def test_bad_input_raises_with_what_was_received(scene):
    with pytest.raises(ValueError, match="capacity >= 1, got 0"):
        scene.batch("a", capacity=0)
    with pytest.raises(ValueError, match="growth policy"):
        scene.batch("b", policy="explode")
    with pytest.raises(ValueError, match=r"4 finite number\(s\) for tint"):
        scene.batch("c", tint=(1, 1))
    b = scene.batch("d")
    with pytest.raises(KeyError, match="already registered"):
        scene.batch("d")
    b.begin()
    with pytest.raises(ValueError, match=r"pos of shape \(5, 2\) or longer, got \(3, 2\)"):
        b.pack_range(5, np.zeros((3, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"frame of shape \(2,\)"):
        b.pack_range(2, np.zeros((3, 2), dtype=np.float32), frame=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="frame uv rects"):
        b.set_frames(np.zeros((3, 3)))


def test_non_float32_columns_are_converted(scene):
    atlas = scene.atlas
    b = scene.batch("swarm")
    pos = np.array([[10, -10]], dtype=np.float64)
    prev = np.array([[10, -10]], dtype=np.int32)
    b.begin()
    b.pack_range(1, pos, prev, alpha=0.5, frame=np.array([3], dtype=np.uint8))
    b.pack_rows(np.array([0], dtype=np.int64), pos + 30, prev + 30, alpha=0.5,
                frame=np.array([3], dtype=np.int16))
    img = scene.draw(b)
    assert_block(img, 10, -10, expected_block(atlas, "swarm", 3))
    assert_block(img, 40, 20, expected_block(atlas, "swarm", 3))


# ---------------------------------------------------------------------- RowGrouper
@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=300), st.integers(0, 400),
       st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True))
def test_grouper_matches_flatnonzero(col, n, values):
    column = np.array(col, dtype=np.uint8)
    n = min(n, len(col))
    g = RowGrouper(values, capacity=8)
    total = g.group(column, n)
    expected = 0
    for k, v in enumerate(values):
        want = np.flatnonzero(column[:n] == v)
        np.testing.assert_array_equal(g.rows_of(k), want)
        expected += want.size
    assert total == expected
    assert g.capacity >= n


def test_grouper_errors():
    with pytest.raises(ValueError, match="at least one value"):
        RowGrouper([])
    with pytest.raises(ValueError, match="distinct"):
        RowGrouper([1, 1])
    with pytest.raises(TypeError, match="expected int values"):
        RowGrouper([1.5])  # type: ignore[list-item]
    g = RowGrouper([0])
    with pytest.raises(TypeError, match="integer column"):
        g.group(np.zeros(4, dtype=np.float32), 4)
    with pytest.raises(ValueError, match="at least n=5"):
        g.group(np.zeros(4, dtype=np.uint8), 5)
    with pytest.raises(IndexError, match=r"\[0, 1\), got 1"):
        g.rows_of(1)
