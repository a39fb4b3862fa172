"""The GPU horde's compute passes against the CPU path and brute force, on llvmpipe.

Small inputs, counts and float tolerances only. Skipped where the context is older than GL 4.3.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.combat.config import WorldConfig
from engine.combat.state import WorldState
from engine.combat.systems.movement import MovementSystem
from engine.horde.gpu import MIN_GL_VERSION, ComputeUnavailableError, HordeCompute
from engine.horde.gpu.passes import load_compute_source
from engine.render import GraphicsContext

ARENA = (np.array([-160.0, -120.0], np.float32), np.array([160.0, 120.0], np.float32))
SEP_TOL = 2e-4
"""Relative float tolerance of a separation force (float32 sums, GPU vs numpy order)."""
POS_TOL = 2e-3
"""Pixels: positions after 30 steps of seek + integrate, GPU vs the CPU movement system."""


@pytest.fixture
def gfx(ctx):
    if ctx.version_code < MIN_GL_VERSION:
        pytest.skip(f"compute shaders need GL >= 4.3, this context is {ctx.version_code}")
    if ctx.fbo is None:  # a session that drew nothing yet: the ctx fixture checks ctx.fbo
        ctx.detect_framebuffer(0).use()
    g = GraphicsContext(ctx)
    yield g
    g.release()


def crowd(n, seed=0, radius=(4.0, 7.0)):
    rng = np.random.default_rng(seed)
    lo, hi = ARENA
    pos = rng.uniform(lo, hi, (n, 2)).astype(np.float32)
    speed = rng.uniform(40.0, 80.0, n).astype(np.float32)
    rad = rng.uniform(*radius, n).astype(np.float32)
    return pos, speed, rad


def make(gfx, pos, speed, rad, cap=8, strength=30.0, capacity=None):
    hc = HordeCompute(gfx, capacity or pos.shape[0] + 5, *ARENA, max_radius=float(rad.max()),
                      cap=cap, strength=strength)
    hc.write_rows(0, pos, speed, rad)
    hc.set_count(pos.shape[0])
    hc.bind()
    return hc


def brute_separation(pos, rad, cap, strength):
    """O(n^2) numpy: each row's push from its cap nearest neighbours (ties by row)."""
    n = pos.shape[0]
    d = pos[:, None, :] - pos[None, :, :]
    d2 = (d[..., 0] * d[..., 0] + d[..., 1] * d[..., 1]).astype(np.float32)
    r = rad[:, None] + rad[None, :]
    near = (d2 < r * r) & ~np.eye(n, dtype=bool)
    force = np.zeros((n, 2), np.float64)
    kept = np.zeros(n, np.int64)
    for i in range(n):
        js = np.flatnonzero(near[i])
        js = js[np.lexsort((js, d2[i, js]))][:cap]
        kept[i] = js.size
        dist = np.sqrt(d2[i, js].astype(np.float64))
        w = (r[i, js] - dist) / np.maximum(dist, 1e-3)
        force[i] = (d[i, js] * w[:, None]).sum(axis=0)
    return force * strength, kept


@pytest.mark.parametrize("cap", [32, 4])
def test_separation_matches_brute_force(gfx, cap):
    pos, speed, rad = crowd(1500, seed=1)
    hc = make(gfx, pos, speed, rad, cap=cap)
    hc.build_grid()
    hc.separate()
    sep = np.zeros((1500, 2), np.float32)
    kept = np.zeros(1500, np.uint32)
    hc.read_into("sep", sep)
    hc.read_into("kept", kept)
    want, want_kept = brute_separation(pos, rad, cap, 30.0)
    np.testing.assert_array_equal(kept, want_kept)
    scale = np.abs(want).max()
    np.testing.assert_allclose(sep, want, rtol=SEP_TOL, atol=SEP_TOL * scale)
    assert want_kept.sum() > 1000, "the crowd should overlap"
    if cap == 4:
        assert (want_kept == 4).sum() > 50, "the cap should bind for some rows"
    hc.release()


def test_separation_does_not_depend_on_row_order(gfx):
    """Fixed-point sums and a (distance, row) cap: the same crowd in another row order (so
    another order in every cell of the grid) gets bit-identical pushes."""
    n = 1200
    pos, speed, rad = crowd(n, seed=6)
    perm = np.random.default_rng(7).permutation(n)
    out = []
    for order in (np.arange(n), perm):
        hc = make(gfx, pos[order], speed[order], rad[order], cap=32)
        hc.build_grid()
        hc.separate()
        sep = np.zeros((n, 2), np.float32)
        hc.read_into("sep", sep)
        back = np.zeros_like(sep)
        back[order] = sep
        out.append(back)
        hc.release()
    assert np.abs(out[0]).max() > 0
    np.testing.assert_array_equal(out[0], out[1])


def test_grid_is_a_counting_sort(gfx):
    n = 3000
    pos, speed, rad = crowd(n, seed=2)
    pos[:10] = (1e4, -1e4)  # outside the grid: clamps to a corner cell
    hc = make(gfx, pos, speed, rad)
    hc.build_grid()
    cell = np.zeros(n, np.uint32)
    rank = np.zeros(n, np.uint32)
    start = np.zeros(hc.cells + 1, np.uint32)
    srt = np.zeros((n, 4), np.float32)
    hc.read_into("cell", cell)
    hc.read_into("rank", rank)
    hc.read_into("start", start, rows=hc.cells + 1)
    hc.read_into("sorted", srt)
    w, h = hc.grid_dim
    c = np.clip(np.floor((pos - hc.grid_min) / np.float32(hc.cell_size)).astype(np.int64),
                0, [w - 1, h - 1])
    want_cell = c[:, 1] * w + c[:, 0]
    np.testing.assert_array_equal(cell, want_cell)
    counts = np.bincount(want_cell, minlength=hc.cells)
    np.testing.assert_array_equal(start, np.concatenate([[0], np.cumsum(counts)]))
    rows = srt[:, 3].copy().view(np.uint32)
    assert sorted(rows.tolist()) == list(range(n))
    # Rows of one cell lie together, in the slots start[cell] + rank.
    np.testing.assert_array_equal(want_cell[rows], np.sort(want_cell))
    np.testing.assert_array_equal(rows[start[cell] + rank], np.arange(n))
    np.testing.assert_array_equal(srt[start[cell] + rank, :2], pos)
    # The scan zeroed the counts for the next tick.
    left = np.zeros(hc.cells, np.uint32)
    hc.read_into("count", left, rows=hc.cells)
    assert not left.any()
    hc.release()


def cpu_state(pos, speed, rad, sep):
    cfg = WorldConfig(enemy_capacity=pos.shape[0], arena_size=(320.0, 240.0))
    st = WorldState.build(cfg)
    start, got = st.enemies.spawn_batch(pos.shape[0])
    cols = st.enemies.columns
    cols["pos"][:got] = pos
    cols["speed"][:got] = speed
    cols["radius"][:got] = rad
    cols["sep"][:got] = sep
    st.player.pos[:] = (10.0, -5.0)
    return st


def test_seek_matches_the_cpu_movement_system(gfx):
    n = 2000
    pos, speed, rad = crowd(n, seed=3)
    sep = np.random.default_rng(4).uniform(-200, 200, (n, 2)).astype(np.float32)
    st = cpu_state(pos, speed, rad, sep)
    move = MovementSystem(st)
    hc = HordeCompute(gfx, n, st.arena_min, st.arena_max, max_radius=7.0,
                      max_push_factor=st.config.separation.max_push_factor)
    hc.write_rows(0, pos, speed, rad, sep=sep)
    hc.set_count(n)
    hc.bind()
    dt = 1 / 30
    player = (float(st.player.pos[0]), float(st.player.pos[1]))
    for _ in range(30):
        move(dt)
        hc.seek(dt, player, st.player.radius)
    got = np.zeros((n, 2), np.float32)
    prev = np.zeros((n, 2), np.float32)
    hc.read_into("pos", got)
    hc.read_into("prev_pos", prev)
    cols = st.enemies.columns
    np.testing.assert_allclose(got, cols["pos"][:n], atol=POS_TOL)
    np.testing.assert_allclose(prev, cols["prev_pos"][:n], atol=POS_TOL)
    assert np.abs(got - pos).max() > 30.0, "the enemies should have moved"
    hc.release()


def test_spawned_rows_are_written_in_place(gfx):
    pos, speed, rad = crowd(100, seed=5)
    hc = make(gfx, pos[:60], speed[:60], rad[:60], capacity=105)
    hc.write_rows(60, pos[60:], speed[60:], rad[60:])
    hc.set_count(100)
    got = np.zeros((100, 2), np.float32)
    assert hc.read_into("pos", got) == 800
    np.testing.assert_array_equal(got, pos)
    with pytest.raises(ValueError, match=r"rows \[90, 190\) outside \[0, 105\)"):
        hc.write_rows(90, pos, speed, rad)
    hc.release()


def test_errors_name_what_was_expected(gfx, tmp_path):
    with pytest.raises(FileNotFoundError, match="horde_nope.comp"):
        load_compute_source("horde_nope", tmp_path)
    with pytest.raises(ValueError, match=r"cap must be in \[1, 32\], got 0"):
        HordeCompute(gfx, 10, *ARENA, max_radius=4.0, cap=0)
    assert issubclass(ComputeUnavailableError, RuntimeError)
