"""SpatialHash and Neighbours: property tests against brute force, the allocation contract, bad
input.

Distances in the brute-force references use the hash's own float32 formula
(``dx*dx + dy*dy < r*r``), so boundary cases agree exactly; forces are compared in float64 with
a float32-sized tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.data import Neighbours, SpatialHash
from engine.profiler.steady_state import measure_steady_state

SETTINGS = settings(max_examples=60, deadline=None)


# ---------------------------------------------------------------------------- references


def f32_d2(pos: np.ndarray, x: float, y: float) -> np.ndarray:
    dx = pos[:, 0] - np.float32(x)
    dy = pos[:, 1] - np.float32(y)
    return dx * dx + dy * dy


def r2_of(r: float) -> np.float32:
    return np.float32(r) * np.float32(r)


def brute_query(pos: np.ndarray, x: float, y: float, r: float) -> set[int]:
    return set(np.flatnonzero(f32_d2(pos, x, y) < r2_of(r)).tolist())


def brute_nearest(pos: np.ndarray, x: float, y: float, max_r: float) -> int:
    d2 = f32_d2(pos, x, y)
    ok = d2 < r2_of(max_r)
    if not ok.any():
        return -1
    best = d2[ok].min()
    return int(np.flatnonzero(ok & (d2 == best)).min())


def brute_pairs(pos: np.ndarray, r: float) -> set[tuple[int, int]]:
    dx = pos[None, :, 0] - pos[:, None, 0]
    dy = pos[None, :, 1] - pos[:, None, 1]
    close = np.triu((dx * dx + dy * dy) < r2_of(r), 1)
    i, j = np.nonzero(close)
    return set(zip(i.tolist(), j.tolist()))


def force_of_pairs(pos: np.ndarray, pairs, r: float) -> np.ndarray:
    """(p_i - p_j) * (r / |p_i - p_j| - 1) on i, the opposite on j, in float64."""
    out = np.zeros((len(pos), 2))
    p = pos.astype(np.float64)
    for i, j in pairs:
        v = p[i] - p[j]
        dist = float(np.sqrt(v @ v))
        if dist == 0.0:
            continue
        w = r / dist - 1.0
        out[i] += v * w
        out[j] -= v * w
    return out


def assert_forces_close(got: np.ndarray, want: np.ndarray, r: float) -> None:
    # float32 sums of terms up to r each: tolerance relative to r and to the largest term.
    tol = 2e-3 * r + 1e-4 * np.abs(want).max(initial=0.0)
    np.testing.assert_allclose(got.astype(np.float64), want, rtol=0, atol=tol)


def pairs_of(nb: Neighbours, radius: float, cap: int, n_out: int | None = None):
    n = nb.grid.count
    size = n_out if n_out is not None else max(1, n * (n - 1) // 2)
    oi = np.zeros(size, np.int64)
    oj = np.zeros(size, np.int64)
    k = nb.neighbour_pairs(radius, cap, oi, oj)
    return k, oi[:k], oj[:k]


# ---------------------------------------------------------------------------- strategies


@st.composite
def scenes(draw, max_n: int = 250):
    """A world, a cell size and positions: inside, outside (clamped) and coincident."""
    w = draw(st.sampled_from([40.0, 100.0, 333.0]))
    h = draw(st.sampled_from([40.0, 77.0, 200.0]))
    cell = draw(st.sampled_from([5.0, 10.0, 16.0, 32.0]))
    x0 = draw(st.sampled_from([0.0, -50.0, 1000.5]))
    y0 = draw(st.sampled_from([0.0, -13.25, 2000.0]))
    n = draw(st.integers(0, max_n))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    pos = np.empty((n, 2), np.float32)
    # 15% of rows outside the world on some axis; a few exact duplicates.
    pos[:, 0] = x0 + rng.uniform(-0.15, 1.15, n) * w
    pos[:, 1] = y0 + rng.uniform(-0.15, 1.15, n) * h
    if n >= 4:
        dup = rng.integers(0, n, n // 4)
        pos[dup[1:]] = pos[dup[0]]
    # Snap some coordinates to cell boundaries, where off-by-one cell errors live.
    if n:
        snap = rng.random(n) < 0.2
        pos[snap, 0] = x0 + np.round((pos[snap, 0] - x0) / cell) * cell
    return (x0, y0), (x0 + w, y0 + h), cell, pos


# ---------------------------------------------------------------------------- structure


@SETTINGS
@given(scene=scenes())
def test_rebuild_groups_rows_by_cell(scene):
    lo, hi, cell, pos = scene
    h = SpatialHash(300, cell, lo, hi)
    h.rebuild(pos)
    n = len(pos)
    assert h.count == n
    assert sorted(h.sorted_rows.tolist()) == list(range(n))
    for row in range(n):
        assert h.row_cell[row] == h.cell_of(float(pos[row, 0]), float(pos[row, 1]))
    assert h.cell_count.sum() == n
    assert h.cell_start.shape == h.cell_count.shape == (h.grid_w * h.grid_h,)
    for c in np.flatnonzero(h.cell_count):
        s, k = h.cell_start[c], h.cell_count[c]
        assert (h.row_cell[h.sorted_rows[s : s + k]] == c).all()


def test_out_of_bounds_and_nan_clamp_to_edge_cells():
    h = SpatialHash(8, 10.0, (0.0, 0.0), (100.0, 50.0))
    pos = np.array([[-1e9, -5.0], [1e9, 1e9], [np.inf, -np.inf], [np.nan, 25.0],
                    [99.9, 49.9], [100.0, 50.0]], np.float32)
    h.rebuild(pos)
    assert (h.grid_w, h.grid_h) == (10, 5)
    assert h.row_cell.tolist() == [0, 49, 9, 20, 49, 49]
    out = np.zeros(8, np.int64)
    # Every row is in some cell; NaN and infinite rows are never within a distance.
    assert h.query_radius(0.0, 25.0, 1e10, out) == 4
    assert set(out[:4].tolist()) == {0, 1, 4, 5}
    assert h.nonfinite_rows == 2


def test_read_only_public_arrays():
    h = SpatialHash(4, 1.0, (0, 0), (4, 4))
    h.rebuild(np.zeros((3, 2), np.float32))
    for arr in (h.cell_start, h.cell_count, h.sorted_rows, h.row_cell):
        with pytest.raises(ValueError):
            arr[0] = 1


@SETTINGS
@given(scene=scenes())
def test_cells_of_gives_the_cells_rebuild_gives(scene):
    """Same arithmetic and clamping as rebuild: for the rebuilt positions, row_cell exactly
    (float32 or float64 input, int32 or int64 output)."""
    lo, hi, cell, pos = scene
    h = SpatialHash(300, cell, lo, hi)
    h.rebuild(pos)
    n = len(pos)
    out = np.full(n, -1, np.int64)
    h.cells_of(pos[:, 0], pos[:, 1], out)
    assert out.tolist() == h.row_cell.tolist()
    out32 = np.full(n + 3, -1, np.int32)
    h.cells_of(pos[:, 0].astype(np.float64), pos[:, 1].astype(np.float64), out32)
    assert out32[:n].tolist() == h.row_cell.tolist() and (out32[n:] == -1).all()


def test_cells_of_needs_no_rebuild_and_takes_more_points_than_capacity():
    h = SpatialHash(8, 10.0, (0.0, 0.0), (100.0, 50.0))
    rng = np.random.default_rng(2)
    x = rng.uniform(-30, 130, 45).astype(np.float32)
    y = rng.uniform(-30, 80, 45).astype(np.float32)
    x[:4] = [np.nan, np.inf, -np.inf, 1e30]
    out = np.zeros(45, np.int64)
    h.cells_of(x, y, out)
    assert out[4:].tolist() == [h.cell_of(float(a), float(b)) for a, b in zip(x[4:], y[4:])]
    assert out[:4].tolist() == [h.cell_of(0.0, float(y[0])), h.cell_of(100.0, float(y[1])),
                                h.cell_of(0.0, float(y[2])), h.cell_of(100.0, float(y[3]))]


# ---------------------------------------------------------------------------- point queries


@SETTINGS
@given(scene=scenes(), qx=st.floats(-0.3, 1.3), qy=st.floats(-0.3, 1.3),
       r=st.floats(0.0, 60.0))
def test_query_radius_equals_brute_force(scene, qx, qy, r):
    lo, hi, cell, pos = scene
    h = SpatialHash(300, cell, lo, hi)
    h.rebuild(pos)
    x = lo[0] + qx * (hi[0] - lo[0])
    y = lo[1] + qy * (hi[1] - lo[1])
    out = np.full(300, -1, np.int32)
    k = h.query_radius(x, y, r, out)
    want = brute_query(pos, x, y, r)
    assert k == len(want)
    assert set(out[:k].tolist()) == want
    assert h.truncated == 0


def test_query_radius_truncates_and_counts():
    h = SpatialHash(100, 10.0, (0, 0), (100, 100))
    pos = np.full((50, 2), 5.0, np.float32)
    h.rebuild(pos)
    out = np.zeros(20, np.int64)
    assert h.query_radius(5.0, 5.0, 1.0, out) == 20
    assert set(out.tolist()) <= set(range(50))
    assert len(set(out.tolist())) == 20
    assert (h.truncated, h.dropped) == (1, 30)


@SETTINGS
@given(scene=scenes(), qx=st.floats(-0.3, 1.3), qy=st.floats(-0.3, 1.3),
       max_r=st.floats(0.0, 80.0))
def test_nearest_equals_brute_force(scene, qx, qy, max_r):
    lo, hi, cell, pos = scene
    h = SpatialHash(300, cell, lo, hi)
    h.rebuild(pos)
    x = lo[0] + qx * (hi[0] - lo[0])
    y = lo[1] + qy * (hi[1] - lo[1])
    assert h.nearest(x, y, max_r) == brute_nearest(pos, x, y, max_r)


def test_nearest_ties_go_to_the_lowest_row():
    h = SpatialHash(10, 4.0, (0, 0), (40, 40))
    pos = np.array([[20, 24], [24, 20], [16, 20], [20, 16], [20, 22.5]], np.float32)
    h.rebuild(pos)
    assert h.nearest(20.0, 20.0, 10.0) == 4
    pos[4] = [30, 30]
    h.rebuild(pos)
    assert h.nearest(20.0, 20.0, 10.0) == 0  # four rows at distance 4


# ---------------------------------------------------------------------------- neighbour passes


@SETTINGS
@given(scene=scenes(), frac=st.floats(0.05, 1.0))
def test_pairs_equal_brute_force_without_cap(scene, frac):
    lo, hi, cell, pos = scene
    r = cell * frac
    h = SpatialHash(300, cell, lo, hi)
    nb = Neighbours(h)
    h.rebuild(pos)
    k, i, j = pairs_of(nb, r, 10**9)
    assert (i < j).all()
    got = set(zip(i.tolist(), j.tolist()))
    assert len(got) == k
    assert got == brute_pairs(pos, r)


@SETTINGS
@given(scene=scenes(), frac=st.floats(0.05, 1.0), cap=st.integers(1, 5))
def test_pairs_with_cap_stay_under_it_and_are_true_pairs(scene, frac, cap):
    lo, hi, cell, pos = scene
    r = cell * frac
    h = SpatialHash(300, cell, lo, hi)
    nb = Neighbours(h)
    h.rebuild(pos)
    k, i, j = pairs_of(nb, r, cap)
    per_row = np.bincount(np.concatenate([i, j]), minlength=len(pos))
    assert per_row.max(initial=0) <= cap
    got = set(zip(i.tolist(), j.tolist()))
    assert len(got) == k
    assert got <= brute_pairs(pos, r)


@pytest.mark.parametrize("cap", [150, 40_000])  # counts kept in int16 and int32 cells
def test_wide_caps_count_in_wider_cells_and_still_hold(cap):
    """Caps of 127 and more count in int16 / int32 cells (int8 below): a dense crowd with
    ~400 neighbours per row stays under cap 150, and cap 40,000 gives every true pair."""
    rng = np.random.default_rng(7)
    pos = rng.uniform(0.0, 40.0, (1200, 2)).astype(np.float32)
    h = SpatialHash(1200, 32.0, (0.0, 0.0), (40.0, 40.0))
    nb = Neighbours(h)
    h.rebuild(pos)
    k, i, j = pairs_of(nb, 16.0, cap)
    got = set(zip(i.tolist(), j.tolist()))
    want = brute_pairs(pos, 16.0)
    assert len(got) == k and got <= want
    per_row = np.bincount(np.concatenate([i, j]), minlength=len(pos))
    if cap == 150:
        assert per_row.max() == 150 and len(want) > k
    else:
        assert got == want


@SETTINGS
@given(scene=scenes(), frac=st.floats(0.05, 1.0))
def test_separation_equals_brute_force_without_cap(scene, frac):
    lo, hi, cell, pos = scene
    r = cell * frac
    h = SpatialHash(300, cell, lo, hi)
    nb = Neighbours(h)
    h.rebuild(pos)
    out = np.full((len(pos), 2), np.nan, np.float32)
    nb.separation(r, 10**9, out)
    assert_forces_close(out, force_of_pairs(pos, brute_pairs(pos, r), r), r)


@SETTINGS
@given(scene=scenes(), frac=st.floats(0.05, 1.0), cap=st.integers(1, 300))
def test_separation_is_the_force_of_the_capped_pairs(scene, frac, cap):
    """With any cap, binding or not, separation sums exactly the pairs neighbour_pairs gives;
    with a cap no row reaches, that is every pair."""
    lo, hi, cell, pos = scene
    r = cell * frac
    h = SpatialHash(300, cell, lo, hi)
    nb = Neighbours(h)
    h.rebuild(pos)
    k, i, j = pairs_of(nb, r, cap)
    out = np.zeros((len(pos), 2), np.float32)
    nb.separation(r, cap, out)
    pairs = list(zip(i.tolist(), j.tolist()))
    assert_forces_close(out, force_of_pairs(pos, pairs, r), r)
    every = brute_pairs(pos, r)
    degree = np.bincount(np.array(sorted(every), np.int64).reshape(-1), minlength=len(pos))
    if degree.max(initial=0) <= cap:
        assert set(pairs) == every


def test_passes_do_not_depend_on_call_order():
    """Both passes share per-rebuild state (orderings, windows per radius): any order of calls,
    radii and caps on one rebuild gives the same answers."""
    rng = np.random.default_rng(5)
    pos = rng.uniform(0, 300, (2000, 2)).astype(np.float32)
    h = SpatialHash(2000, 12.0, (0, 0), (300, 300))
    nb = Neighbours(h)
    h.rebuild(pos)
    out = np.zeros((2000, 2), np.float32)
    results = {}
    for radius, cap in [(12.0, 4), (7.0, 10**9), (12.0, 10**9), (7.0, 2), (12.0, 4)]:
        nb.separation(radius, cap, out)
        k, i, j = pairs_of(nb, radius, cap, n_out=40000)
        pairs = sorted(zip(i.tolist(), j.tolist()))
        assert_forces_close(out, force_of_pairs(pos, pairs, radius), radius)
        if cap > 2000:
            assert set(pairs) == brute_pairs(pos, radius)
        if (radius, cap) in results:
            assert results[(radius, cap)] == pairs
        results[(radius, cap)] = pairs


def test_coincident_rows_get_no_force_and_still_pair():
    h = SpatialHash(4, 10.0, (0, 0), (100, 100))
    nb = Neighbours(h)
    pos = np.array([[50, 50], [50, 50], [56, 50]], np.float32)
    h.rebuild(pos)
    out = np.zeros((3, 2), np.float32)
    nb.separation(10.0, 8, out)
    # Rows 0 and 1 coincide (no direction: no push); row 2 is 6 away: overlap 4 each.
    np.testing.assert_allclose(out, [[-4, 0], [-4, 0], [8, 0]], atol=1e-5)
    k, i, j = pairs_of(nb, 10.0, 8)
    assert set(zip(i.tolist(), j.tolist())) == {(0, 1), (0, 2), (1, 2)}


@pytest.mark.parametrize("cap", [3, 8, 150])
def test_dense_crowd_with_cap_uses_the_compacted_levels(cap):
    """1000+ rows in a crowd: the scan hands over to the subsequence of rows under the cap
    (last_compactions > 0); the result is still capped, true and consistent."""
    rng = np.random.default_rng(7)
    pos = rng.normal(500.0, 60.0, (3000, 2)).astype(np.float32)
    pos[:200] = rng.uniform(0, 1000, (200, 2))
    h = SpatialHash(3000, 16.0, (0, 0), (1000, 1000))
    nb = Neighbours(h)
    h.rebuild(pos)
    k, i, j = pairs_of(nb, 16.0, cap, n_out=3000 * cap)
    if cap < 150:
        assert nb.last_compactions > 0
    per_row = np.bincount(np.concatenate([i, j]), minlength=3000)
    assert per_row.max() <= cap
    every = brute_pairs(pos, 16.0)
    assert set(zip(i.tolist(), j.tolist())) <= every
    out = np.zeros((3000, 2), np.float32)
    nb.separation(16.0, cap, out)
    assert_forces_close(out, force_of_pairs(pos, zip(i.tolist(), j.tolist()), 16.0), 16.0)
    if cap == 150:  # above every degree: all pairs
        assert set(zip(i.tolist(), j.tolist())) == every


def test_pairs_truncate_and_count():
    h = SpatialHash(20, 10.0, (0, 0), (100, 100))
    nb = Neighbours(h)
    h.rebuild(np.full((10, 2), 5.0, np.float32))  # 45 pairs
    k, i, j = pairs_of(nb, 5.0, 100, n_out=30)
    assert k == 30
    assert (nb.truncated, nb.dropped) == (1, 15)
    assert len(set(zip(i.tolist(), j.tolist()))) == 30


def test_coherent_rebuilds_with_moves_spawns_and_despawns():
    """Rebuilds start from the previous order; rows that moved, vanished (swap-remove) or
    appeared must all land right."""
    rng = np.random.default_rng(3)
    cap = 800
    pos = rng.uniform(0, 400, (cap, 2)).astype(np.float32)
    h = SpatialHash(cap, 20.0, (0, 0), (400, 400))
    nb = Neighbours(h)
    n = 500
    for step in range(12):
        pos[:n] += rng.normal(0, 6, (n, 2)).astype(np.float32)
        if step % 3 == 1:  # despawn 40 rows by swap-remove
            for _ in range(40):
                victim = int(rng.integers(0, n))
                pos[victim] = pos[n - 1]
                n -= 1
        if step % 3 == 2:  # spawn 70
            pos[n : n + 70] = rng.uniform(-20, 420, (70, 2))
            n += 70
        view = pos[:n]
        h.rebuild(view)
        assert sorted(h.sorted_rows.tolist()) == list(range(n))
        k, i, j = pairs_of(nb, 20.0, 10**9, n_out=20000)
        assert set(zip(i.tolist(), j.tolist())) == brute_pairs(view, 20.0)
    h.rebuild(pos[:0])
    assert h.count == 0 and h.cell_count.sum() == 0
    assert h.nearest(1.0, 1.0, 100.0) == -1


def test_empty_and_single_row():
    h = SpatialHash(4, 10.0, (0, 0), (100, 100))
    nb = Neighbours(h)
    out = np.zeros((4, 2), np.float32)
    h.rebuild(np.zeros((0, 2), np.float32))
    assert pairs_of(nb, 5.0, 3, n_out=4)[0] == 0
    nb.separation(5.0, 3, out[:0])
    h.rebuild(np.array([[3, 3]], np.float32))
    out[:] = 7
    nb.separation(5.0, 3, out)
    assert out[0].tolist() == [0, 0] and out[1].tolist() == [7, 7]
    assert h.nearest(3.0, 3.0, 0.5) == 0


# ---------------------------------------------------------------------------- allocations

N_ALLOC = 10_000


class _Scene:
    """10k rows on a 1000 x 1000 world, moving a little every rebuild; ``nonfinite``: 1% of
    them NaN or infinite at every rebuild."""

    def __init__(self, nonfinite: bool = False) -> None:
        rng = np.random.default_rng(11)
        self.pos = rng.uniform(0, 1000, (N_ALLOC, 2)).astype(np.float32)
        self.vel = rng.normal(0, 1.5, (N_ALLOC, 2)).astype(np.float32)
        self.hash = SpatialHash(N_ALLOC, 20.0, (0, 0), (1000, 1000))
        self.near = Neighbours(self.hash)
        self.hash.rebuild(self.pos)
        self.out_rows = np.zeros(512, np.int32)
        self.out_i = np.zeros(N_ALLOC * 6, np.int64)
        self.out_j = np.zeros(N_ALLOC * 6, np.int64)
        self.force = np.zeros((N_ALLOC, 2), np.float32)
        self.side = np.array(1000.0, np.float32)
        self.x = self.pos[:, 0]
        self.y = self.pos[:, 1]
        self.cells = np.zeros(N_ALLOC, np.int64)
        self.nonfinite = nonfinite
        self.bad = np.array([[np.nan, 1.0], [np.inf, 2.0], [3.0, -np.inf], [np.nan, np.nan]] * 25,
                            np.float32)
        if nonfinite:
            self.tick()

    def tick(self) -> None:
        np.add(self.pos, self.vel, out=self.pos)
        np.remainder(self.pos, self.side, out=self.pos)  # wrap: keep the crowd uniform
        if self.nonfinite:
            np.copyto(self.pos[::100], self.bad)  # the next tick moves them back in
        self.hash.rebuild(self.pos)


@pytest.fixture(scope="module")
def scene() -> _Scene:
    return _Scene()


def _leaky(fn, kind: str):
    """fn plus a planted fault: an 80 KB temporary, or a retained object per call."""
    kept: list[object] = []
    junk = np.zeros((N_ALLOC, 2), np.float32)

    def temporary():
        fn()
        junk * 1.0  # noqa: B018 - the planted temporary

    def retained():
        fn()
        kept.append(object())

    return temporary if kind == "temporary" else retained


def _calls(s: _Scene):
    h = s.hash
    nb = s.near
    return {
        "rebuild": s.tick,
        "query_radius": lambda: h.query_radius(500.0, 500.0, 45.0, s.out_rows),
        "nearest": lambda: h.nearest(500.0, 500.0, 45.0),
        "cells_of": lambda: h.cells_of(s.x, s.y, s.cells),
        "neighbour_pairs": lambda: nb.neighbour_pairs(20.0, 6, s.out_i, s.out_j),
        "separation_capped": lambda: nb.separation(20.0, 6, s.force),
        "separation_uncapped": lambda: nb.separation(20.0, 10**9, s.force),
    }


# The neighbour passes take ~1-2 ms here (several times that under tracemalloc): shorter
# windows keep this file near 30 s; a leak of one object per call still shows as 100 blocks.
WINDOWS = {"rebuild": (100, 500), "query_radius": (100, 500), "nearest": (100, 500),
           "cells_of": (100, 500),
           "neighbour_pairs": (30, 100), "separation_capped": (30, 100),
           "separation_uncapped": (30, 100)}


@pytest.mark.parametrize("name", list(WINDOWS))
def test_allocation_contract(scene, name):
    warmup, window = WINDOWS[name]
    report = measure_steady_state(_calls(scene)[name], warmup=warmup, window=window)
    assert report.ok, str(report)


@pytest.fixture(scope="module")
def scene_nonfinite() -> _Scene:
    with np.errstate(invalid="ignore"):
        return _Scene(nonfinite=True)


@pytest.mark.parametrize("name", ["rebuild", "neighbour_pairs", "separation_capped"])
def test_allocation_contract_with_nonfinite_rows(scene_nonfinite, name):
    """1% of the rows NaN or infinite: the count, the inert rows and the quiet passes cost
    no allocation either."""
    warmup, window = WINDOWS[name]
    assert scene_nonfinite.hash.nonfinite_rows == 100
    with np.errstate(invalid="ignore"):  # the scene's own wrap of the NaN rows
        report = measure_steady_state(_calls(scene_nonfinite)[name], warmup=warmup,
                                      window=window)
    assert report.ok, str(report)
    assert scene_nonfinite.hash.nonfinite_rows == 100


@pytest.mark.parametrize("kind", ["temporary", "retained"])
@pytest.mark.parametrize("name", list(WINDOWS))
def test_allocation_check_catches_planted_faults(scene, name, kind):
    # 40 calls: the temporary shows in every call, the retained objects add up to 40 blocks.
    report = measure_steady_state(_leaky(_calls(scene)[name], kind), warmup=10, window=40)
    assert not report.ok, str(report)
    failures = " ".join(report.failures())
    assert ("max_transient" in failures) if kind == "temporary" else ("blocks_growth" in failures)


# ---------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("args", "exc", "words"),
    [
        ((0, 10.0, (0, 0), (1, 1)), ValueError, ["capacity", "got 0"]),
        ((-3, 10.0, (0, 0), (1, 1)), ValueError, ["capacity", "got -3"]),
        ((2.5, 10.0, (0, 0), (1, 1)), TypeError, ["capacity", "float"]),
        ((10, 0.0, (0, 0), (1, 1)), ValueError, ["cell_size", "> 0", "0.0"]),
        ((10, -1.0, (0, 0), (1, 1)), ValueError, ["cell_size", "-1.0"]),
        ((10, float("nan"), (0, 0), (1, 1)), ValueError, ["cell_size", "nan"]),
        ((10, 1.0, (0, 0), (0, 5)), ValueError, ["world_max", "world_min", "(0.0, 0.0)"]),
        ((10, 1.0, (5, 5), (1, 9)), ValueError, ["world_max", "(1.0, 9.0)"]),
        ((10, 1.0, (0, 0, 0), (1, 1)), TypeError, ["world_min", "pair"]),
        ((10, 0.001, (0, 0), (1e6, 1e6)), ValueError, ["cells", "cell_size"]),
    ],
)
def test_constructor_rejects_bad_arguments(args, exc, words):
    with pytest.raises(exc) as info:
        SpatialHash(*args)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("pos", "exc", "words"),
    [
        (np.zeros((5, 2), np.float64), TypeError, ["float32", "float64"]),
        (np.zeros((5, 3), np.float32), ValueError, ["(n, 2)", "(5, 3)"]),
        (np.zeros(10, np.float32), ValueError, ["(n, 2)", "(10,)"]),
        (np.zeros((11, 2), np.float32), ValueError, ["11 rows", "capacity of 10"]),
        (np.zeros((5, 4), np.float32)[:, ::2], ValueError, ["C-contiguous"]),
        ([[0.0, 0.0]], TypeError, ["numpy float32 array", "list"]),
    ],
)
def test_rebuild_rejects_bad_positions(pos, exc, words):
    h = SpatialHash(10, 1.0, (0, 0), (10, 10))
    with pytest.raises(exc) as info:
        h.rebuild(pos)
    for word in words:
        assert word in str(info.value)


def test_queries_reject_bad_buffers_and_arguments():
    h = SpatialHash(10, 2.0, (0, 0), (10, 10))
    nb = Neighbours(h)
    h.rebuild(np.ones((4, 2), np.float32))
    with pytest.raises(TypeError, match="int32 or int64, got float32"):
        h.query_radius(1.0, 1.0, 1.0, np.zeros(4, np.float32))
    with pytest.raises(ValueError, match=r"1-D, got shape \(2, 2\)"):
        h.query_radius(1.0, 1.0, 1.0, np.zeros((2, 2), np.int64))
    with pytest.raises(TypeError, match="got list"):
        h.query_radius(1.0, 1.0, 1.0, [0, 0])
    with pytest.raises(ValueError, match="query_radius: expected a finite r >= 0, got -1.0"):
        h.query_radius(1.0, 1.0, -1.0, np.zeros(4, np.int64))
    with pytest.raises(ValueError, match="nearest: expected a finite max_r >= 0, got nan"):
        h.nearest(1.0, 1.0, float("nan"))
    x = np.zeros(4, np.float32)
    with pytest.raises(TypeError, match="y must be a float32 or float64 numpy array, got int64"):
        h.cells_of(x, np.zeros(4, np.int64), np.zeros(4, np.int64))
    with pytest.raises(TypeError, match="x must be a float32 or float64 numpy array, got list"):
        h.cells_of([0.0], x, np.zeros(4, np.int64))
    with pytest.raises(ValueError, match=r"one length, got shapes \(4,\) and \(3,\)"):
        h.cells_of(x, x[:3], np.zeros(4, np.int64))
    with pytest.raises(ValueError, match="hold 4 cell ids, got length 3"):
        h.cells_of(x, x, np.zeros(3, np.int64))
    with pytest.raises(TypeError, match="out must have dtype int32 or int64, got float32"):
        h.cells_of(x, x, x)
    with pytest.raises(TypeError, match="grid must be a SpatialHash, got dict"):
        Neighbours({})  # type: ignore[arg-type]
    oi, oj = np.zeros(6, np.int64), np.zeros(6, np.int64)
    with pytest.raises(TypeError, match="out_j must have dtype int32 or int64, got uint8"):
        nb.neighbour_pairs(1.0, 2, oi, np.zeros(6, np.uint8))
    with pytest.raises(ValueError, match="same length, got 6 and 5"):
        nb.neighbour_pairs(1.0, 2, oi, np.zeros(5, np.int64))
    with pytest.raises(ValueError, match=r"radius must be in \(0, cell_size=2.0\], got 3.0"):
        nb.neighbour_pairs(3.0, 2, oi, oj)
    with pytest.raises(ValueError, match="got 0.0"):
        nb.neighbour_pairs(0.0, 2, oi, oj)
    with pytest.raises(ValueError, match="max_per_entity must be >= 0, got -1"):
        nb.neighbour_pairs(1.0, -1, oi, oj)
    with pytest.raises(TypeError, match="max_per_entity must be an int, got float"):
        nb.neighbour_pairs(1.0, 2.0, oi, oj)
    force = np.zeros((4, 2), np.float32)
    with pytest.raises(TypeError, match="float32, got float64"):
        nb.separation(1.0, 2, np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"shape \(4, 2\) or more rows, got \(3, 2\)"):
        nb.separation(1.0, 2, force[:3])
    with pytest.raises(ValueError, match="C-contiguous"):
        nb.separation(1.0, 2, np.zeros((4, 4), np.float32)[:, ::2])
    with pytest.raises(ValueError, match="max_neighbours must be >= 0, got -2"):
        nb.separation(1.0, -2, force)


# ---------------------------------------------------------------------------- non-finite rows


def _scene_with_bad_rows(n: int = 2000, seed: int = 5):
    """n rows at ~20 neighbours within a cell, 1% of them NaN or infinite in x, y or both."""
    rng = np.random.default_rng(seed)
    side = 600.0
    pos = rng.uniform(0, side, (n, 2)).astype(np.float32)
    bad = rng.choice(n, n // 100, replace=False)
    values = [np.nan, np.inf, -np.inf]
    for k, row in enumerate(bad):
        v = values[k % 3]
        axis = k % 4  # 0: x, 1: y, 2-3: both
        if axis in (0, 2, 3):
            pos[row, 0] = v
        if axis in (1, 2, 3):
            pos[row, 1] = values[(k + 1) % 3] if axis == 3 else v
    return pos, np.sort(bad), side


@pytest.mark.parametrize("cap", [10**9, 6])
def test_nonfinite_rows_spread_nothing(cap):
    """Rebuild counts the bad rows; separation gives them 0 and every finite row a finite
    force, equal (no cap binding) to the forces of the finite rows alone; no pair, query or
    nearest names a bad row; no warning."""
    import warnings

    pos, bad, side = _scene_with_bad_rows()
    n = len(pos)
    good = np.setdiff1d(np.arange(n), bad)
    cell = 24.0
    h = SpatialHash(n, cell, (0, 0), (side, side))
    nb = Neighbours(h)
    force = np.full((n, 2), 7.0, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h.rebuild(pos)
        assert h.nonfinite_rows == len(bad) == 20
        assert h.count == n and sorted(h.sorted_rows.tolist()) == list(range(n))
        nb.separation(cell, cap, force)
        k, i, j = pairs_of(nb, cell, cap, n_out=60 * n)
        rows = np.zeros(n, np.int64)
        found = h.query_radius(0.0, 0.0, 2 * cell, rows)
        near = [h.nearest(float(x), float(y), cell) for x, y in ((0.0, 0.0), (side, side),
                                                                 (0.0, side), (side, 0.0))]
    assert np.isfinite(force).all()
    assert (force[bad] == 0.0).all()
    assert not np.isin(i, bad).any() and not np.isin(j, bad).any()
    assert not np.isin(rows[:found], bad).any()
    assert not np.isin(near, bad).any()
    if cap == 10**9:
        clean = pos[good]
        h2 = SpatialHash(n, cell, (0, 0), (side, side))
        nb2 = Neighbours(h2)
        h2.rebuild(clean)
        assert h2.nonfinite_rows == 0
        want = np.zeros((len(good), 2), np.float32)
        nb2.separation(cell, cap, want)
        np.testing.assert_allclose(force[good], want, rtol=1e-5, atol=1e-4)
        _, i2, j2 = pairs_of(nb2, cell, cap, n_out=60 * n)
        assert set(zip(i.tolist(), j.tolist())) == set(zip(good[i2].tolist(), good[j2].tolist()))
    h.rebuild(pos[good])  # the count is of the last rebuild
    assert h.nonfinite_rows == 0


@pytest.mark.parametrize(("x", "y"), [(np.nan, 1.0), (1.0, np.inf), (-np.inf, -np.inf)])
def test_queries_refuse_nonfinite_points(x, y):
    h = SpatialHash(10, 2.0, (0, 0), (10, 10))
    h.rebuild(np.ones((4, 2), np.float32))
    out = np.zeros(4, np.int64)
    got = f"got {x}, {y}"
    with pytest.raises(ValueError, match=f"query_radius: expected finite x, y, {got}"):
        h.query_radius(x, y, 1.0, out)
    with pytest.raises(ValueError, match=f"nearest: expected finite x, y, {got}"):
        h.nearest(x, y, 1.0)
    with pytest.raises(ValueError, match=f"cell_of: expected finite x, y, {got}"):
        h.cell_of(x, y)
    with pytest.raises(ValueError, match="expected a finite r >= 0, got inf"):
        h.query_radius(1.0, 1.0, np.inf, out)
    with pytest.raises(ValueError, match="expected a finite max_r >= 0, got inf"):
        h.nearest(1.0, 1.0, np.inf)
